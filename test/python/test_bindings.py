"""The `hetc` Python module: compile, train, checkpoints, and its errors."""
import sys
import threading

import numpy as np
import pytest

import runtime
from conftest import MLP_MODEL as MODEL, mlp_batch as batch

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402


def test_compile_train_and_eval(artifact):
    assert artifact.target == "cpu"
    assert artifact.entries == ["train_step", "eval"]
    session = hetc.Session(artifact, hetc.Device("cpu"), seed=3)
    x, y = batch()
    losses = [session.train_step(x=x, labels=y)[0] for _ in range(20)]
    assert losses[-1] < losses[0] / 2
    loss, outputs = session.run("eval", x=x, labels=y)
    assert outputs["output0"].shape == (32, 10)
    # 20 steps on one batch memorize most of its random labels.
    assert (outputs["output0"].argmax(1) == y).mean() > 0.5
    assert session.step == 20
    assert session.state_names[:4] == ["w1", "b1", "w2", "b2"]


def test_matches_the_ctypes_runtime_bit_for_bit(artifact, tmp_path):
    path = tmp_path / "mlp.hetc"
    runtime.compile_model(MODEL, path, "--optimizer=sgd", "--lr=0.1",
                          "--momentum=0.9")
    other = runtime.Session(path, seed=3)
    session = hetc.Session(hetc.Artifact.load(str(path)), hetc.Device(),
                           seed=3)
    x, y = batch(1)
    assert session.train_step(x=x, labels=y)[0] == other.train_step(
        x=x, labels=y)[0]
    np.testing.assert_array_equal(session.get("w2"), other.get("w2"))


def test_get_set_and_checkpoints(artifact, tmp_path):
    session = hetc.Session(artifact, hetc.Device(), seed=0)
    w = np.full((10, 128), 0.5, np.float32)
    session.set("w2", w)
    np.testing.assert_array_equal(session.get("w2"), w)
    ckpt = str(tmp_path / "m.ckpt")
    session.save_checkpoint(ckpt)
    session.init_params(9)
    session.load_checkpoint(ckpt)
    np.testing.assert_array_equal(session.get("w2"), w)
    with pytest.raises(hetc.Error, match="not found"):
        session.load_checkpoint(str(tmp_path / "missing.ckpt"))


def test_errors_are_python_exceptions(artifact):
    with pytest.raises(hetc.Error, match=r"<string>:1:\d+: error"):
        hetc.compile("func.func @f(%a: tensor<4xf32>) {\n"
                     "  %0 = hetc.relu %a : tensor<4xi32>\n  return\n}\n"
                     .replace("\n", " "))
    with pytest.raises(hetc.Error, match="contraction dimensions differ"):
        hetc.compile(MODEL.read_text().replace("%x, %w1 transpose_rhs",
                                               "%x, %w1"))
    with pytest.raises(hetc.Error, match="unknown target 'tpu'"):
        hetc.compile_file(MODEL, target="tpu")
    with pytest.raises(hetc.Error, match="unknown optimizer 'lbfgs'"):
        hetc.compile_file(MODEL, optimizer={"optimizer": "lbfgs"})
    with pytest.raises(hetc.Error, match="unknown driver 'tpu'"):
        hetc.Device("tpu")
    session = hetc.Session(artifact, hetc.Device(), seed=0)
    x, y = batch()
    with pytest.raises(hetc.Error, match=r"has shape \[16, 64\]"):
        session.train_step(x=x[:16], labels=y)
    with pytest.raises(hetc.Error, match="numpy dtype float64"):
        session.train_step(x=x.astype(np.float64), labels=y)
    with pytest.raises(hetc.Error, match="no input named 'z'"):
        session.train_step(x=x, labels=y, z=y)
    session.close()
    with pytest.raises(hetc.Error, match="the session is closed"):
        session.train_step(x=x, labels=y)


def test_sessions_run_in_threads(artifact):
    # The GIL is released while a step runs, so sessions in threads proceed
    # independently and give the same result as a single thread.
    x, y = batch(2)
    results = {}

    def work(name):
        session = hetc.Session(artifact, hetc.Device(), seed=4)
        for _ in range(5):
            loss, _ = session.train_step(x=x, labels=y)
        results[name] = (loss, session.get("b2"))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3
    for loss, b2 in results.values():
        assert loss == results[0][0]
        np.testing.assert_array_equal(b2, results[0][1])


def test_compile_options_mean_the_same_as_hetc_compile_flags(tmp_path):
    # Python and hetc-compile fill the same CompileOptions: the same
    # options give the same artifact, byte for byte.
    flags = ["--optimizer=adamw", "--lr=0.003", "--beta2=0.99",
             "--max-grad-norm=1.5", "--accumulate=2", "--nan-guard",
             "--param-group=*.bias|b*:weight-decay=0", "--param-group=*",
             "--batch-sizes=32,7", "--chip=x86-64-v3"]
    path = runtime.compile_model(MODEL, tmp_path / "cli.hetc", *flags)
    artifact = hetc._hetc.compile(
        MODEL.read_text(), "cpu", "x86-64-v3", "", False,
        {"optimizer": "adamw", "lr": 0.003, "beta2": 0.99,
         "max_grad_norm": 1.5, "accumulate": 2, "nan_guard": True,
         "groups": "*.bias|b*:weight-decay=0,*"}, "<string>", [32, 7])
    assert artifact == path.read_bytes()
