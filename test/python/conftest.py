"""Shared fixtures: where the build tree and its tools are."""
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def build_dir():
    path = pathlib.Path(os.environ.get("HETC_BUILD_DIR", REPO / "build"))
    if not (path / "bin" / "hetc-opt").exists():
        pytest.fail(f"no hetc build in {path}: run `make build` or set "
                    "HETC_BUILD_DIR")
    return path


@pytest.fixture(scope="session")
def tool(build_dir):
    return lambda name: str(build_dir / "bin" / name)
