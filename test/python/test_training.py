"""Optimizers and whole training steps against torch.optim: the MLP of
examples/mlp_digits.mlir, compiled with each optimizer, trained 10 steps
from the same parameters as a torch.nn.Sequential twin.

Tolerances: parameters within 2e-6 (SGD) and 2e-5 (Adam, AdamW: sqrt and
division of small second moments amplify f32 rounding) absolute after every
step; losses within 1e-5 relative.
"""
import pathlib

import numpy as np
import pytest
import torch

import runtime
from conftest import REPO

MODEL = REPO / "examples" / "mlp_digits.mlir"
PARAMS = ["w1", "b1", "w2", "b2"]

OPTIMIZERS = {
    "sgd": (["--optimizer=sgd", "--lr=0.1"],
            lambda p: torch.optim.SGD(p, lr=0.1), 2e-6),
    "sgd_momentum": (["--optimizer=sgd", "--lr=0.05", "--momentum=0.9"],
                     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
                     2e-6),
    "sgd_nesterov_decay": (
        ["--optimizer=sgd", "--lr=0.1", "--momentum=0.9", "--nesterov=true",
         "--weight-decay=0.01"],
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True,
                                  weight_decay=0.01), 2e-6),
    "adam": (["--optimizer=adam", "--lr=0.01", "--weight-decay=0.01"],
             lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.01), 2e-5),
    "adam_betas": (["--optimizer=adam", "--lr=0.003", "--beta1=0.8",
                    "--beta2=0.99", "--eps=1e-6"],
                   lambda p: torch.optim.Adam(p, lr=0.003, betas=(0.8, 0.99),
                                              eps=1e-6), 2e-5),
    "adamw": (["--optimizer=adamw", "--lr=0.01"],
              lambda p: torch.optim.AdamW(p, lr=0.01), 2e-5),
}


def torch_twin(session):
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    with torch.no_grad():
        for param, name in zip(model.parameters(), PARAMS):
            param.copy_(torch.tensor(session.get(name)))
    return model


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_matches_torch_for_10_steps(name, tmp_path):
    flags, make_optimizer, tol = OPTIMIZERS[name]
    artifact = runtime.compile_model(MODEL, tmp_path / f"{name}.hetc", *flags)
    session = runtime.Session(artifact, seed=5)
    model = torch_twin(session)
    optimizer = make_optimizer(model.parameters())
    rng = np.random.default_rng(3)
    for step in range(10):
        x = rng.standard_normal((32, 64)).astype(np.float32)
        y = rng.integers(0, 10, 32).astype(np.int32)
        loss, _ = session.train_step(x=x, labels=y)
        optimizer.zero_grad()
        expected = torch.nn.functional.cross_entropy(
            model(torch.tensor(x)), torch.tensor(y).long())
        expected.backward()
        optimizer.step()
        assert loss == pytest.approx(expected.item(), rel=1e-5), step
        for param, pname in zip(model.parameters(), PARAMS):
            np.testing.assert_allclose(session.get(pname),
                                       param.detach().numpy(), atol=tol,
                                       err_msg=f"{pname} after step {step}")


def test_initialization_follows_the_manifest(tmp_path):
    artifact = runtime.compile_model(MODEL, tmp_path / "init.hetc")
    session = runtime.Session(artifact, seed=11)
    w1 = session.get("w1")
    # U(-1/8, 1/8) like torch.nn.Linear(64, 128): bounded, centred, spread.
    assert np.abs(w1).max() <= 0.125
    assert abs(w1.mean()) < 0.01
    assert w1.std() == pytest.approx(0.125 / np.sqrt(3), rel=0.05)
    again = runtime.Session(artifact, seed=11).get("w1")
    np.testing.assert_array_equal(w1, again)
    assert not np.array_equal(w1, runtime.Session(artifact, seed=12).get("w1"))


def test_parameters_stay_resident_and_state_is_named(tmp_path):
    artifact = runtime.compile_model(MODEL, tmp_path / "adam.hetc",
                                     "--optimizer=adam")
    session = runtime.Session(artifact)
    names = session.state_names()
    assert names[:4] == PARAMS
    assert "w1.exp_avg" in names and "w1.exp_avg_sq" in names
    assert "optimizer.step" in names
    x = np.zeros((32, 64), np.float32)
    y = np.zeros(32, np.int32)
    session.train_step(x=x, labels=y)
    session.train_step(x=x, labels=y)
    assert session.get("optimizer.step") == 2.0


def test_bad_batches_raise_clear_errors(tmp_path):
    artifact = runtime.compile_model(MODEL, tmp_path / "m.hetc")
    session = runtime.Session(artifact)
    with pytest.raises(runtime.HetcError,
                       match=r"input 'x' has shape \[16, 64\] but the "
                             r"artifact expects \[32, 64\]"):
        session.train_step(x=np.zeros((16, 64), np.float32),
                           labels=np.zeros(32, np.int32))
    with pytest.raises(runtime.HetcError, match="needs the label 'labels'"):
        session.train_step(x=np.zeros((32, 64), np.float32))
    # Out-of-range labels are refused before anything runs (they used to
    # give a NaN loss).
    with pytest.raises(runtime.HetcError,
                       match=r"label 'labels' row 0 has value 10, outside "
                             r"\[0, 10\)"):
        session.run("eval", x=np.zeros((32, 64), np.float32),
                    labels=np.full(32, 10, np.int32))


def test_manifest_records_the_cpu_features(tmp_path):
    import json
    import sys
    artifact = runtime.compile_model(MODEL, tmp_path / "generic.hetc",
                                     "--chip=x86-64")
    session = runtime.Session(artifact)  # a generic build loads anywhere
    session.close()
    native = runtime.compile_model(MODEL, tmp_path / "native.hetc")
    sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
    import hetc
    manifest = json.loads(hetc.Artifact.load(str(native)).manifest)
    flags = pathlib.Path("/proc/cpuinfo").read_text()
    if " avx512f" in flags:
        assert "avx512f" in manifest["cpu_features"]
    assert manifest["chip"] != "native"


def test_compiler_errors_surface(tmp_path):
    with pytest.raises(runtime.HetcError, match="unknown optimizer 'rmsprop'"):
        runtime.compile_model(MODEL, tmp_path / "x.hetc", "--optimizer=rmsprop")
