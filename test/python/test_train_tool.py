"""hetc-train end to end: digits data, checkpoints, and its errors."""
import subprocess
import sys

import numpy as np
import pytest

import runtime
from conftest import REPO


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    out = tmp_path_factory.mktemp("digits")
    subprocess.run([sys.executable, str(REPO / "scripts" / "prepare_digits.py"),
                    str(out)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    return runtime.compile_model(
        REPO / "examples" / "mlp_digits.mlir",
        tmp_path_factory.mktemp("model") / "mlp.hetc", "--optimizer=sgd",
        "--lr=0.1", "--momentum=0.9")


def train(tool, *args):
    return subprocess.run([tool("hetc-train"), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_trains_saves_and_resumes(tool, digits, artifact, tmp_path):
    ckpt = tmp_path / "mlp.ckpt"
    data = ["--train-x", digits / "digits_train_x.npy",
            "--train-y", digits / "digits_train_y.npy",
            "--test-x", digits / "digits_test_x.npy",
            "--test-y", digits / "digits_test_y.npy"]
    result = train(tool, artifact, *data, "--epochs", 5, "--save", ckpt)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert sum(line.startswith("epoch ") for line in lines) == 5
    assert "samples/s" in lines[1]
    accuracy = float(lines[-1].removeprefix("test accuracy: ").rstrip("%"))
    assert accuracy > 90.0
    resumed = train(tool, artifact, "--eval-only", "--resume", ckpt,
                    *data[4:])
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip().splitlines()[-1] == lines[-1]


def test_missing_checkpoint_and_bad_data(tool, digits, artifact, tmp_path):
    data = ["--test-x", digits / "digits_test_x.npy",
            "--test-y", digits / "digits_test_y.npy"]
    result = train(tool, artifact, "--eval-only", "--resume",
                   tmp_path / "none.ckpt", *data)
    assert result.returncode == 1
    assert "checkpoint file" in result.stderr and "not found" in result.stderr
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((100, 63), np.float32))
    # The data is checked before the (missing) checkpoint is read.
    result = train(tool, artifact, "--eval-only", "--resume",
                   tmp_path / "none.ckpt", "--test-x", wrong,
                   "--test-y", digits / "digits_test_y.npy")
    assert result.returncode == 1
    assert "has 63 values per row but the model's input 'x' takes 64" in \
        result.stderr
    corrupt = tmp_path / "corrupt.hetc"
    corrupt.write_bytes(artifact.read_bytes()[:1000])
    result = train(tool, corrupt, "--eval-only", "--resume",
                   tmp_path / "none.ckpt", *data)
    assert result.returncode == 1
    assert "artifact is truncated or padded" in result.stderr


def test_device_follows_the_artifact_and_is_checked(tool, digits, tmp_path):
    data = ["--train-x", digits / "digits_train_x.npy",
            "--train-y", digits / "digits_train_y.npy", "--epochs", 1]
    vulkan = runtime.compile_model(REPO / "examples" / "mlp_digits.mlir",
                                   tmp_path / "mlp.hetc", "--target=vulkan")
    missing = runtime.device_unavailable("vulkan")
    result = train(tool, vulkan, *data)
    if missing:
        assert result.returncode != 0
        assert missing in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert "vulkan on Vulkan:" in result.stdout
    result = train(tool, vulkan, *data, "--device", "vulkan:x")
    assert result.returncode == 2
    assert "--device 'vulkan:x' is not NAME or NAME:ORDINAL" in result.stderr
    result = train(tool, vulkan, *data, "--device", "vulkan:7")
    assert result.returncode != 0
    assert "no Vulkan device 7" in result.stderr or missing
    result = train(tool, vulkan, *data, "--device", "cpu")
    assert result.returncode != 0
    assert ("compiled for target 'vulkan' but the device uses the 'cpu' "
            "driver") in result.stderr
