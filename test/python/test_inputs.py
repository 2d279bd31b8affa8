"""Checked inputs: labels outside [0, classes) are refused before anything
runs (naming the input, the row and the value) and nothing is updated;
int64 and int32 labels convert losslessly; float labels, and any lossy
conversion, are refused with both dtypes. Through hetc.Session and
hetc-train."""
import json
import subprocess
import sys

import numpy as np
import pytest

import runtime
from conftest import MLP_MODEL as MODEL
from conftest import mlp_batch as batch
from conftest import session_state as state

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402


def test_manifest_records_the_class_count(artifact):
    manifest = json.loads(artifact.manifest)
    for entry in manifest["entries"]:
        labels = [a for a in entry["args"] if a["role"] == "label"]
        assert labels == [{"name": "labels", "role": "label",
                           "dtype": "i32", "shape": [32], "classes": 10}]
        # Inputs carry no class count.
        assert all("classes" not in a for a in entry["args"]
                   if a["role"] != "label")


@pytest.mark.parametrize("value", [10, 12, -1])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_out_of_range_label_is_refused_and_nothing_changes(artifact, value,
                                                           dtype):
    session = hetc.Session(artifact, hetc.Device("cpu"), seed=1)
    x, y = batch()
    session.train_step(x=x, labels=y)
    before = state(session)
    bad = y.astype(dtype)
    bad[17] = value
    for run in (lambda: session.train_step(x=x, labels=bad),
                lambda: session.run("eval", x=x, labels=bad)):
        with pytest.raises(RuntimeError) as error:
            run()
        assert str(error.value).endswith(
            f"label 'labels' row 17 has value {value}, outside [0, 10)")
    after = state(session)
    assert session.step == 1
    for name, value_before in before.items():
        assert np.all(np.isfinite(after[name])), name
        np.testing.assert_array_equal(after[name], value_before, name)
    # The session still trains on good data, and nothing became NaN.
    assert np.isfinite(session.train_step(x=x, labels=y)[0])


def test_int64_labels_train_exactly_as_int32(artifact):
    x, y = batch(2)
    a = hetc.Session(artifact, hetc.Device("cpu"), seed=4)
    b = hetc.Session(artifact, hetc.Device("cpu"), seed=4)
    for _ in range(3):
        la = a.train_step(x=x, labels=y)[0]
        lb = b.train_step(x=x, labels=y.astype(np.int64))[0]
        assert la == lb
    np.testing.assert_array_equal(a.get("w1"), b.get("w1"))
    loss, outputs = b.run("eval", x=x, labels=y.astype(np.int64))
    assert loss == a.run("eval", x=x, labels=y)[0]


def test_int64_label_that_does_not_fit_is_refused(artifact):
    session = hetc.Session(artifact, hetc.Device("cpu"), seed=0)
    x, y = batch()
    big = y.astype(np.int64)
    big[3] = 1 << 33
    with pytest.raises(RuntimeError, match=r"label 'labels' row 3 has value "
                       r"8589934592, which does not fit the artifact's i32 "
                       r"\(given i64\)"):
        session.train_step(x=x, labels=big)


@pytest.mark.parametrize("dtype,name", [(np.float32, "f32"),
                                        (np.float16, "f16")])
def test_float_labels_are_refused_with_both_dtypes(artifact, dtype, name):
    session = hetc.Session(artifact, hetc.Device("cpu"), seed=0)
    x, y = batch()
    with pytest.raises(RuntimeError, match=rf"label 'labels' has dtype {name} "
                       r"but the artifact expects i32"):
        session.train_step(x=x, labels=y.astype(dtype))
    with pytest.raises(RuntimeError, match=r"'labels' has numpy dtype float64 "
                       r"but the artifact expects i32"):
        session.train_step(x=x, labels=y.astype(np.float64))


def test_inputs_convert_only_losslessly(artifact):
    a = hetc.Session(artifact, hetc.Device("cpu"), seed=5)
    x, y = batch(3)
    half = x.astype(np.float16)
    # float16 widens exactly: the same as giving its float32 values.
    assert a.run("eval", x=half, labels=y)[0] == \
        a.run("eval", x=half.astype(np.float32), labels=y)[0]
    with pytest.raises(RuntimeError, match=r"'x' has numpy dtype float64 but "
                       r"the artifact expects f32"):
        a.run("eval", x=x.astype(np.float64), labels=y)
    with pytest.raises(RuntimeError, match=r"input 'x' has dtype i32 but the "
                       r"artifact expects f32"):
        a.run("eval", x=(x * 10).astype(np.int32), labels=y)


def hetc_train(*args):
    tool = runtime.build_dir() / "bin" / "hetc-train"
    return subprocess.run([str(tool), *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def test_hetc_train_refuses_bad_labels_and_leaves_weights(digits, tmp_path):
    model = runtime.compile_model(MODEL, tmp_path / "mlp.hetc",
                                  "--optimizer=sgd", "--lr=0.1",
                                  "--batch-sizes=32,29")
    x = digits / "digits_train_x.npy"
    ckpt = tmp_path / "a.ckpt"
    ok = hetc_train(model, "--train-x", x, "--train-y",
                    digits / "digits_train_y.npy", "--epochs", 1,
                    "--save", ckpt)
    assert ok.returncode == 0, ok.stderr
    before = ckpt.read_bytes()
    y = np.load(digits / "digits_train_y.npy")
    for name, labels, message in [
            ("big.npy", np.where(np.arange(len(y)) == 17, 12, y),
             "row 17 has label 12, outside [0, 10)"),
            ("i64.npy", np.where(np.arange(len(y)) == 5, -1, y).astype(
                np.int64), "row 5 has label -1, outside [0, 10)"),
            ("float.npy", y.astype(np.float32),
             "holds float32 labels but the model's label 'labels' is i32")]:
        np.save(tmp_path / name, labels)
        result = hetc_train(model, "--train-x", x, "--train-y",
                            tmp_path / name, "--resume", ckpt, "--save", ckpt)
        assert result.returncode == 1
        assert message in result.stderr, result.stderr
        assert ckpt.read_bytes() == before
    # int64 labels train like int32 ones.
    np.save(tmp_path / "y64.npy", y.astype(np.int64))
    result = hetc_train(model, "--train-x", x, "--train-y",
                        tmp_path / "y64.npy", "--epochs", 1)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].split("samples/s")[0].rsplit(
        " ", 2)[0] == ok.stdout.splitlines()[1].split("samples/s")[0].rsplit(
        " ", 2)[0]


def test_hetc_train_resume_counts_epochs_from_where_it_stopped(digits,
                                                               tmp_path):
    model = runtime.compile_model(MODEL, tmp_path / "mlp.hetc",
                                  "--optimizer=sgd", "--lr=0.1",
                                  "--batch-sizes=32,29")
    data = ["--train-x", digits / "digits_train_x.npy",
            "--train-y", digits / "digits_train_y.npy"]
    straight = hetc_train(model, *data, "--epochs", 3)
    first = hetc_train(model, *data, "--epochs", 2, "--save",
                       tmp_path / "a.ckpt")
    resumed = hetc_train(model, *data, "--epochs", 1, "--resume",
                         tmp_path / "a.ckpt")
    assert resumed.returncode == 0, resumed.stderr
    epochs = [line for line in resumed.stdout.splitlines()
              if line.startswith("epoch ")]
    assert len(epochs) == 1 and epochs[0].startswith("epoch 3/3 ")
    # The same batches as an uninterrupted run: the same loss.
    expected = [line for line in straight.stdout.splitlines()
                if line.startswith("epoch 3/3 ")][0]
    assert epochs[0].split("samples/s")[0].rsplit(" ", 2)[0] == \
        expected.split("samples/s")[0].rsplit(" ", 2)[0]
    assert first.returncode == 0
