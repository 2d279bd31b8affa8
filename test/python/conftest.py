"""Shared fixtures: where the build tree and its tools are, and the digits
MLP that the binding, input-check and hardening tests train."""
import os
import pathlib
import subprocess
import sys

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


@pytest.fixture(scope="session")
def digits(tmp_path_factory):
    """scikit-learn's digits as the .npy files hetc-train reads (1437
    training rows, 360 test rows)."""
    out = tmp_path_factory.mktemp("digits")
    subprocess.run([sys.executable, str(REPO / "scripts" / "prepare_digits.py"),
                    str(out)], check=True, capture_output=True)
    return out


MLP_MODEL = REPO / "examples" / "mlp_digits.mlir"


@pytest.fixture(scope="module")
def artifact(build_dir):
    """The digits MLP compiled through the Python API (SGD, momentum 0.9)."""
    import sys
    sys.path.insert(0, str(build_dir / "python_packages"))
    import hetc
    return hetc.compile_file(MLP_MODEL, optimizer={"optimizer": "sgd",
                                                   "lr": 0.1,
                                                   "momentum": 0.9})


def mlp_batch(seed=0):
    """A random batch for the digits MLP: x [32, 64] and int32 labels."""
    import numpy as np
    rng = np.random.default_rng(seed)
    return (rng.random((32, 64), dtype=np.float32),
            rng.integers(0, 10, 32).astype(np.int32))


def session_state(session):
    """Every parameter, buffer and optimizer state of a session, by name."""
    return {name: session.get(name) for name in session.state_names}
