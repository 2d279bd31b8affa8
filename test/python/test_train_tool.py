"""hetc-train end to end: digits data, checkpoints, and its errors."""
import subprocess
import sys

import numpy as np
import pytest

import runtime
from conftest import REPO


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    return runtime.compile_model(
        REPO / "examples" / "mlp_digits.mlir",
        tmp_path_factory.mktemp("model") / "mlp.hetc", "--optimizer=sgd",
        "--lr=0.1", "--momentum=0.9", "--batch-sizes=32,29")


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
                                   tmp_path / "mlp.hetc", "--target=vulkan",
                                   "--batch-sizes=32,29")
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


def test_trains_every_row_with_the_remainder_variant(tool, digits, artifact,
                                                     tmp_path):
    """1437 rows at batch 32: 44 full batches and one of 29 per epoch, the
    last through the train_step_b29 variant; the resumed run's epoch count
    includes that step."""
    data = ["--train-x", digits / "digits_train_x.npy",
            "--train-y", digits / "digits_train_y.npy"]
    ckpt = tmp_path / "one.ckpt"
    result = train(tool, artifact, *data, "--epochs", 1, "--save", ckpt)
    assert result.returncode == 0, result.stderr
    assert "1437 training rows: 44 batches of 32 + 1 of 29" in result.stdout
    resumed = train(tool, artifact, *data, "--epochs", 1, "--resume", ckpt)
    assert resumed.returncode == 0, resumed.stderr
    assert "epoch 2/2" in resumed.stdout


def test_refuses_a_remainder_without_a_variant_or_drops_it(tool, digits,
                                                            tmp_path):
    plain = runtime.compile_model(REPO / "examples" / "mlp_digits.mlir",
                                  tmp_path / "plain.hetc", "--optimizer=sgd",
                                  "--lr=0.1")
    data = ["--train-x", digits / "digits_train_x.npy",
            "--train-y", digits / "digits_train_y.npy", "--epochs", 1]
    result = train(tool, plain, *data, "--save", tmp_path / "never.ckpt")
    assert result.returncode == 1
    assert ("1437 training rows are 44 batches of 32 and 29 more rows, and "
            "the artifact has no train_step variant for a batch of 29: "
            "compile it with hetc-compile --batch-sizes=32,29, or pass "
            "--drop-last to drop those 29 rows of each shuffled epoch"
            ) in result.stderr
    assert "epoch" not in result.stdout
    assert not (tmp_path / "never.ckpt").exists()
    dropped = train(tool, plain, *data, "--drop-last")
    assert dropped.returncode == 0, dropped.stderr
    assert ("1437 training rows: 44 batches of 32, dropping the last 29 rows "
            "of each shuffled epoch (--drop-last)") in dropped.stdout


def test_evaluation_uses_the_variant_for_the_last_rows(tool, digits,
                                                        artifact, tmp_path):
    """61 test rows = 32 + 29: both batches run exactly (the second through
    eval_b29), and the logged test loss is the mean over all 61 rows."""
    x = np.load(digits / "digits_test_x.npy")[:61]
    y = np.load(digits / "digits_test_y.npy")[:61].astype(np.int32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    ckpt, log = tmp_path / "one.ckpt", tmp_path / "log.csv"
    result = train(tool, artifact, "--train-x", digits / "digits_train_x.npy",
                   "--train-y", digits / "digits_train_y.npy", "--epochs", 1,
                   "--test-x", tmp_path / "x.npy", "--test-y",
                   tmp_path / "y.npy", "--save", ckpt, "--loss-log", log)
    assert result.returncode == 0, result.stderr
    test_loss = float(log.read_text().splitlines()[1].split(",")[2])
    sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
    import hetc
    session = hetc.Session(hetc.Artifact.load(str(artifact)),
                           hetc.Device("cpu"))
    session.load_checkpoint(str(ckpt))
    l32, _ = session.run("eval", x=x[:32], labels=y[:32])
    l29, _ = session.run("eval", x=x[32:], labels=y[32:])
    assert test_loss == pytest.approx((32 * l32 + 29 * l29) / 61, rel=1e-5)
