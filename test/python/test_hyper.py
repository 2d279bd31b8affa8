"""Runtime hyper-parameters, parameter groups and gradient clipping: each
against torch 1.13 (the oracle) or against a recompiled artifact, and the
refusals of every spelling of a bad value."""
import copy
import json
import sys

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import runtime
from conftest import MLP_MODEL, mlp_batch, session_state

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
import hetc.torch  # noqa: E402

from test_torch_frontend import RTOL, classes, rand  # noqa: E402


def mlp(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 5))


def data(steps, seed=0):
    # Scaled inputs make gradients large enough that clipping acts.
    return [(rand(8, 12, seed=seed + i) * 3, classes(8, 5, seed=seed + i))
            for i in range(steps)]


def close(a, b, rtol=RTOL, atol=1e-6, msg=""):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol,
                               atol=atol, err_msg=msg)


def torch_step(model, opt, x, y, clip=None):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    norm = (torch.nn.utils.clip_grad_norm_(model.parameters(), clip).item()
            if clip is not None else None)
    opt.step()
    return loss.item(), norm


def compare_params(trainer, reference):
    got = trainer.state_dict()
    for name, want in reference.state_dict().items():
        close(got[name], want.detach())


# --- the session API --------------------------------------------------------------

def test_runtime_lr_equals_compiled_lr():
    """Setting lr at runtime gives bit for bit the update of an artifact
    compiled with that lr; lr 0 leaves every parameter as it was."""
    x, y = mlp_batch()
    a = hetc.compile_file(MLP_MODEL, optimizer={"optimizer": "sgd",
                                                "lr": 0.1})
    b = hetc.compile_file(MLP_MODEL, optimizer={"optimizer": "sgd",
                                                "lr": 0.03})
    sa = hetc.Session(a, hetc.Device("cpu"), 3)
    sb = hetc.Session(b, hetc.Device("cpu"), 3)
    assert sa.get_hyperparameter("lr") == pytest.approx(0.1)
    sa.set_hyperparameter("lr", 0.0)
    before = session_state(sa)
    sa.train_step(x=x, labels=y)
    for name, value in session_state(sa).items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    sa.set_hyperparameter("lr", 0.03)
    assert sa.get_hyperparameter("lr") == pytest.approx(0.03)
    sa.train_step(x=x, labels=y)
    sb.train_step(x=x, labels=y)
    for name in ["w1", "b1", "w2", "b2"]:
        np.testing.assert_array_equal(sa.get(name), sb.get(name))


def test_hyper_role_in_manifest_and_defaults():
    a = hetc.compile_file(MLP_MODEL, optimizer={
        "optimizer": "adamw", "lr": 0.002, "beta1": 0.8, "eps": 1e-6,
        "max_grad_norm": 2.0})
    entry = next(e for e in json.loads(a.manifest)["entries"]
                 if e["name"] == "train_step")
    hypers = {arg["name"]: arg for arg in entry["args"]
              if arg["role"] == "hyper"}
    assert sorted(hypers) == sorted(
        ["hyper:lr", "hyper:weight_decay", "hyper:beta1", "hyper:beta2",
         "hyper:eps", "hyper:max_grad_norm"])
    assert hypers["hyper:beta1"]["init"] == {"kind": "constant",
                                             "value": 0.8}
    assert hypers["hyper:lr"]["shape"] == [] and \
        hypers["hyper:lr"]["group"] == 0
    assert [r["name"] for r in entry["results"]] == [
        "loss", "output0", "grad_norm"]
    s = hetc.Session(a, hetc.Device("cpu"), 0)
    # torch's AdamW default weight decay, beta2 and the given values.
    for name, value in [("lr", 0.002), ("weight_decay", 0.01),
                        ("beta1", 0.8), ("beta2", 0.999), ("eps", 1e-6),
                        ("max_grad_norm", 2.0)]:
        assert s.get_hyperparameter(name) == pytest.approx(value, rel=1e-6)
    assert s.num_groups == 1


def test_hyperparameters_live_in_checkpoints(tmp_path):
    a = hetc.compile_file(MLP_MODEL, optimizer={"optimizer": "adam"})
    s = hetc.Session(a, hetc.Device("cpu"), 0)
    s.set_hyperparameter("lr", 0.25)
    s.set_hyperparameter("beta2", 0.5)
    s.save_checkpoint(str(tmp_path / "c.ckpt"))
    t = hetc.Session(a, hetc.Device("cpu"), 0)
    assert t.get_hyperparameter("lr") == pytest.approx(1e-3)
    t.load_checkpoint(str(tmp_path / "c.ckpt"))
    assert t.get_hyperparameter("lr") == 0.25
    assert t.get_hyperparameter("beta2") == 0.5
    # init_params restores the compiled defaults.
    t.init_params(0)
    assert t.get_hyperparameter("lr") == pytest.approx(1e-3)


@pytest.mark.parametrize("name,value,group,message", [
    ("momentum", 0.9, 0, "the adam optimizer has no hyper-parameter "
                         "'momentum'"),
    ("lr", -1.0, 0, "'lr' must be a finite number >= 0, got -1"),
    ("lr", float("nan"), 0, "'lr' must be a finite number >= 0, got nan"),
    ("eps", float("inf"), 0, "'eps' must be a finite number >= 0, got inf"),
    ("beta1", 1.0, 0, "'beta1' must be in [0, 1), got 1"),
    ("beta2", -0.1, 0, "'beta2' must be in [0, 1), got -0.1"),
    ("lr", 0.1, 1, "parameter group 1 does not exist: the artifact has 1 "
                   "parameter group"),
    ("max_grad_norm", 1.0, 0, "gradient clipping is not compiled into this "
                              "artifact"),
    ("learning_rate", 0.1, 0, "unknown hyper-parameter 'learning_rate'"),
])
def test_set_hyperparameter_refusals(name, value, group, message):
    a = hetc.compile_file(MLP_MODEL, optimizer={"optimizer": "adam"})
    s = hetc.Session(a, hetc.Device("cpu"), 0)
    with pytest.raises(hetc.Error, match=message.replace("[", r"\[")
                       .replace("(", r"\(").replace(")", r"\)")):
        s.set_hyperparameter(name, value, group)
    assert s.get_hyperparameter("lr") == pytest.approx(1e-3)


def test_sgd_without_momentum_refuses_runtime_momentum():
    a = hetc.compile_file(MLP_MODEL, optimizer={"optimizer": "sgd"})
    s = hetc.Session(a, hetc.Device("cpu"), 0)
    with pytest.raises(hetc.Error, match="compiled without momentum"):
        s.set_hyperparameter("momentum", 0.9)
    with pytest.raises(hetc.Error, match="the sgd optimizer has no "
                                         "hyper-parameter 'beta1'"):
        s.set_hyperparameter("beta1", 0.9)


def test_set_tensor_checks_hyper_values():
    a = hetc.compile_file(MLP_MODEL, optimizer={"optimizer": "sgd"})
    s = hetc.Session(a, hetc.Device("cpu"), 0)
    with pytest.raises(hetc.Error, match="'lr' must be a finite number"):
        s.set("hyper:lr", np.array(np.nan, np.float32))
    s.set("hyper:lr", np.array(0.5, np.float32))
    assert s.get_hyperparameter("lr") == 0.5


@pytest.mark.parametrize("options,message", [
    ({"lr": -1}, "lr must be a positive finite number, got '-1'"),
    ({"lr": "-1e0"}, "lr must be a positive finite number, got '-1e0'"),
    ({"lr": float("nan")}, "lr must be a positive finite number, got 'nan'"),
    ({"lr": float("inf")}, "lr must be a positive finite number, got 'inf'"),
    ({"max_grad_norm": 0}, "max-grad-norm must be a positive finite number"),
    ({"max_grad_norm": float("nan")}, "max-grad-norm must be a positive"),
    ({"optimizer": "adam", "momentum": 0.9},
     "momentum applies to sgd, not adam"),
    ({"beta1": 0.9}, "beta1 applies to adam and adamw, not sgd"),
    ({"groups": "*:beta1=0.9"}, "beta1 applies to adam and adamw, not sgd"),
    ({"groups": "*:lr=-1"}, "lr must be a positive finite number, got '-1'"),
    ({"groups": "*:decay=0"}, "unknown key 'decay'"),
    ({"groups": "b*"}, "parameter 'w1' is in no parameter group"),
    ({"groups": "w*,nothing*,*"},
     "parameter group 1 \\('nothing\\*'\\) matches no parameter"),
])
def test_option_refusals(options, message):
    with pytest.raises(hetc.Error, match=message):
        hetc.compile_file(MLP_MODEL, optimizer=options)


def test_parameter_names_cannot_take_hyper_names():
    source = MLP_MODEL.read_text().replace('"w1"', '"hyper:lr"')
    with pytest.raises(hetc.Error, match="argument #[0-9]+ is named "
                       "'hyper:lr', which train_step reserves"):
        hetc.compile(source)


# --- Trainer (hetc.nn) ------------------------------------------------------------

def test_trainer_param_groups_per_group_values():
    """hetc.optim groups by pattern: a group with lr 0 leaves its parameters
    unchanged; param_groups reads and writes the runtime values."""
    model = hetc.nn.Sequential(hetc.nn.Linear(12, 16), hetc.nn.ReLU(),
                               hetc.nn.Linear(16, 5))
    opt = hetc.optim.SGD([{"params": ["*.bias"], "lr": 0.5},
                          {"params": ["*"], "weight_decay": 0.01}],
                         lr=0.1, momentum=0.9)
    trainer = hetc.Trainer(model, (8, 12), hetc.nn.CrossEntropyLoss(), opt)
    groups = trainer.param_groups
    assert len(groups) == 2
    assert dict(groups[0]) == pytest.approx(
        {"lr": 0.5, "weight_decay": 0.0, "momentum": 0.9})
    # lr 0 is refused when compiling but is a valid runtime value (a
    # schedule may reach it).
    groups[0]["lr"] = 0.0
    assert dict(groups[1]) == pytest.approx(
        {"lr": 0.1, "weight_decay": 0.01, "momentum": 0.9})
    before = trainer.state_dict()
    x, y = data(1)[0]
    trainer.step(x.numpy(), y.numpy().astype(np.int32))
    after = trainer.state_dict()
    for name in before:
        same = np.array_equal(before[name], after[name])
        assert same == name.endswith("bias"), name
    groups[0]["lr"] = 0.05
    assert trainer.session.get_hyperparameter("lr", 0) == pytest.approx(0.05)
    with pytest.raises(hetc.Error, match="the sgd optimizer has no "
                                         "hyper-parameter 'beta1'"):
        groups[0]["betas"] = (0.9, 0.99)


def test_adam_param_group_betas():
    model = hetc.nn.Sequential(hetc.nn.Linear(12, 5))
    opt = hetc.optim.Adam(lr=0.01)
    trainer = hetc.Trainer(model, (8, 12), hetc.nn.CrossEntropyLoss(), opt,
                           clip_grad_norm=1.0)
    group = trainer.param_groups[0]
    assert list(group) == ["lr", "weight_decay", "betas", "eps"]
    group["betas"] = (0.85, 0.98)
    assert group["betas"] == pytest.approx((0.85, 0.98))
    with pytest.raises(hetc.Error, match="'beta2' must be in"):
        group["betas"] = (0.8, 1.5)
    # Refused as a whole: beta1 keeps its value.
    assert group["betas"] == pytest.approx((0.85, 0.98))
    x, y = data(1)[0]
    trainer.step(x.numpy(), y.numpy().astype(np.int32))
    assert trainer.grad_norm > 0


# --- hetc.torch against torch ----------------------------------------------------

def test_torch_lr_change_at_runtime_no_recompilation():
    model = mlp()
    reference = copy.deepcopy(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    batches = data(6)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, *batches[0])
    artifact = trainer.artifact
    for i, (x, y) in enumerate(batches):
        for o in (opt, ref_opt):
            o.param_groups[0]["lr"] = 0.1 / (i + 1)
            o.param_groups[0]["momentum"] = 0.9 - 0.1 * i
        got = trainer.step(x, y)
        want, _ = torch_step(reference, ref_opt, x, y)
        close(got, want)
    assert trainer.artifact is artifact
    assert trainer.session.get_hyperparameter("lr") == pytest.approx(0.1 / 6)
    compare_params(trainer, reference)


def test_torch_param_groups_no_decay_on_biases():
    model = mlp(1)
    reference = copy.deepcopy(model)

    def groups(m):
        decay = [p for n, p in m.named_parameters() if n.endswith("weight")]
        no_decay = [p for n, p in m.named_parameters() if n.endswith("bias")]
        return [{"params": decay, "weight_decay": 0.05},
                {"params": no_decay, "weight_decay": 0.0, "lr": 0.2}]

    opt = torch.optim.SGD(groups(model), lr=0.1, momentum=0.5)
    ref_opt = torch.optim.SGD(groups(reference), lr=0.1, momentum=0.5)
    batches = data(5, seed=10)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, *batches[0])
    assert trainer.session.num_groups == 2
    assert trainer.param_groups[1]["lr"] == pytest.approx(0.2)
    for i, (x, y) in enumerate(batches):
        if i == 3:
            for o in (opt, ref_opt):
                o.param_groups[1]["lr"] = 0.01
        close(trainer.step(x, y), torch_step(reference, ref_opt, x, y)[0])
    compare_params(trainer, reference)


def test_torch_adam_param_groups():
    model = mlp(2)
    reference = copy.deepcopy(model)

    def groups(m):
        return [{"params": [m[0].weight, m[0].bias], "betas": (0.8, 0.99)},
                {"params": [m[2].weight, m[2].bias], "weight_decay": 0.1}]

    opt = torch.optim.AdamW(groups(model), lr=0.01)
    ref_opt = torch.optim.AdamW(groups(reference), lr=0.01)
    batches = data(5, seed=20)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, *batches[0])
    for x, y in batches:
        close(trainer.step(x, y), torch_step(reference, ref_opt, x, y)[0])
    compare_params(trainer, reference)


def test_torch_clip_grad_norm():
    model = mlp(3)
    reference = copy.deepcopy(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    batches = data(5, seed=30)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, *batches[0],
                                 clip_grad_norm=0.5)
    clipped = 0
    for x, y in batches:
        got = trainer.step(x, y)
        want, norm = torch_step(reference, ref_opt, x, y, clip=0.5)
        close(got, want)
        close(trainer.grad_norm, norm)
        clipped += norm > 0.5
    assert clipped >= 3, "the test should exercise clipping"
    compare_params(trainer, reference)


def test_torch_clip_without_clipping_is_unchanged():
    """A max norm above every gradient norm changes nothing (coefficient
    clamped to 1)."""
    model = mlp(4)
    reference = copy.deepcopy(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    batches = data(3, seed=40)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, *batches[0],
                                 clip_grad_norm=1e6)
    for x, y in batches:
        close(trainer.step(x, y), torch_step(reference, ref_opt, x, y)[0])
    compare_params(trainer, reference)


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_torch_one_cycle_with_clipping_50_steps(kind):
    """50 steps of torch's OneCycleLR (which also cycles momentum or beta1)
    with clip_grad_norm_(max_norm=1.0), per step against torch."""
    model = mlp(5)
    reference = copy.deepcopy(model)

    def make(params):
        if kind == "sgd":
            opt = torch.optim.SGD(params, lr=0.05, momentum=0.9,
                                  weight_decay=1e-4)
        else:
            opt = torch.optim.Adam(params, lr=0.005)
        return opt, torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=0.1 if kind == "sgd" else 0.01, total_steps=50)

    opt, sched = make(model.parameters())
    ref_opt, ref_sched = make(reference.parameters())
    batches = data(50, seed=50)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, *batches[0],
                                 clip_grad_norm=1.0)
    key = "momentum" if kind == "sgd" else "betas"
    cycled = set()
    for i, (x, y) in enumerate(batches):
        got = trainer.step(x, y)
        want, norm = torch_step(reference, ref_opt, x, y, clip=1.0)
        close(got, want, msg=f"loss of step {i}")
        close(trainer.grad_norm, norm, msg=f"gradient norm of step {i}")
        # The session ran this step with the scheduler's values.
        for name in ("lr", key):
            close(trainer.param_groups[0][name],
                  opt.param_groups[0][name], rtol=1e-6)
        cycled.add(trainer.param_groups[0][key])
        sched.step()
        ref_sched.step()
    compare_params(trainer, reference)
    assert len(cycled) > 20, "OneCycleLR should cycle " + key


def test_torch_compile_time_properties_refused():
    model = mlp(6)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = data(1)[0]
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, x, y)
    opt.param_groups[0]["nesterov"] = True
    with pytest.raises(hetc.torch.UnsupportedError,
                       match="changed nesterov from False to True: hetc "
                             "compiled it into the step"):
        trainer.step(x, y)

    model = mlp(6)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, x, y)
    opt.param_groups[0]["momentum"] = 0.9
    with pytest.raises(hetc.Error, match="compiled without momentum"):
        trainer.step(x, y)


def test_torch_groups_differing_in_compile_time_keys_refused():
    model = mlp(7)
    opt = torch.optim.SGD([{"params": model[0].parameters()},
                           {"params": model[2].parameters(),
                            "nesterov": True, "momentum": 0.9}], lr=0.1)
    x, y = data(1)[0]
    with pytest.raises(hetc.torch.UnsupportedError,
                       match="sets nesterov=True .*compiles nesterov once"):
        hetc.torch.compile(model, F.cross_entropy, opt, x, y)


def test_vulkan_runtime_hyperparameters_and_clipping():
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    model = mlp(8)
    reference = copy.deepcopy(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    batches = data(4, seed=60)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, *batches[0],
                                 clip_grad_norm=0.5, target="vulkan")
    for i, (x, y) in enumerate(batches):
        for o in (opt, ref_opt):
            o.param_groups[0]["lr"] = 0.1 * (i + 1)
        got = trainer.step(x, y)
        want, norm = torch_step(reference, ref_opt, x, y, clip=0.5)
        close(got, want)
        close(trainer.grad_norm, norm)
    compare_params(trainer, reference)


# --- NaN/Inf guard -----------------------------------------------------------------

# loss = sum((w x)^2 + b). With w = 1e-37 and x = 3e38 the loss is finite
# (900) but w's gradient 2 x (w x) overflows to inf.
GUARD_MODEL = """
func.func @m(%x: tensor<1xf32> {hetc.input, hetc.name = "x"},
             %w: tensor<1xf32> {hetc.param = #hetc.init<constant, 1.0e-37>,
                                hetc.name = "w"},
             %b: tensor<1xf32> {hetc.param = #hetc.init<constant, 1.0>,
                                hetc.name = "b"}) -> tensor<f32> {
  %wx = hetc.mul %w, %x : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  %sq = hetc.mul %wx, %wx : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  %s = hetc.add %sq, %b : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  %l = hetc.reduce_sum %s [0] : tensor<1xf32> -> tensor<f32>
  return %l : tensor<f32>
}
"""


def test_nan_guard_skips_the_update_and_names_the_gradient():
    a = hetc.compile(GUARD_MODEL, optimizer={
        "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nan_guard": True})
    s = hetc.Session(a, hetc.Device("cpu"), 0)
    s.train_step(x=np.array([1.0], np.float32))
    assert s.step == 1
    before = session_state(s)
    with pytest.raises(hetc.Error, match="train_step: the gradient of 'w' "
                       "has NaN/Inf; the update was skipped"):
        s.train_step(x=np.array([3e38], np.float32))
    with pytest.raises(hetc.Error, match=r"train_step: the loss is NaN/Inf "
                       r"\(and 1 more\); the update was skipped"):
        s.train_step(x=np.array([np.nan], np.float32))
    assert s.step == 1
    for name, value in session_state(s).items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    s.train_step(x=np.array([1.0], np.float32))
    assert s.step == 2
    assert not np.array_equal(s.get("b"), before["b"])
    # Without the guard the same batch makes w non-finite: the guard is what
    # keeps it.
    unguarded = hetc.Session(hetc.compile(GUARD_MODEL, optimizer={
        "optimizer": "sgd", "lr": 0.1, "momentum": 0.9}),
        hetc.Device("cpu"), 0)
    unguarded.train_step(x=np.array([3e38], np.float32))
    assert not np.all(np.isfinite(unguarded.get("w")))


def test_nan_guard_adam_keeps_moments_and_step():
    a = hetc.compile(GUARD_MODEL, optimizer={"optimizer": "adam",
                                             "nan_guard": True})
    s = hetc.Session(a, hetc.Device("cpu"), 0)
    s.train_step(x=np.array([1.0], np.float32))
    before = session_state(s)
    with pytest.raises(hetc.Error, match="the gradient of 'w'"):
        s.train_step(x=np.array([3e38], np.float32))
    for name, value in session_state(s).items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)


def test_nan_guard_through_hetc_torch():
    model = mlp(9)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    batches = data(2, seed=70)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, *batches[0],
                                 nan_guard=True)
    trainer.step(*batches[0])
    before = {k: v.clone() for k, v in trainer.state_dict().items()}
    x = batches[1][0].clone()
    x[3, 4] = float("nan")
    with pytest.raises(hetc.Error, match="train_step: the loss is NaN/Inf"):
        trainer.step(x, batches[1][1])
    for name, value in trainer.state_dict().items():
        assert torch.equal(value, before[name]), name
    assert np.isfinite(trainer.step(*batches[1]))


def test_nan_guard_option_spelling():
    with pytest.raises(hetc.Error, match="nan-guard must be true or false, "
                                         "got 'yes'"):
        hetc.compile(GUARD_MODEL, optimizer={"nan_guard": "yes"})
    a = hetc.compile(GUARD_MODEL, optimizer={"nan_guard": True})
    results = next(e for e in json.loads(a.manifest)["entries"]
                   if e["name"] == "train_step")["results"]
    assert results[-1] == {"name": "nonfinite", "role": "output",
                           "dtype": "f32", "shape": [3],
                           "checks": ["loss", "w", "b"]}


@pytest.mark.parametrize("target", ["cpu", "vulkan"])
def test_steps_never_write_hyperparameters(target):
    """Hyper-parameters are read-only arguments: no compiled step may use
    their buffers as scratch space."""
    if target != "cpu" and runtime.device_unavailable(target):
        pytest.skip(f"{target}: {runtime.device_unavailable(target)}")
    a = hetc.compile_file(MLP_MODEL, target=target, optimizer={
        "optimizer": "adamw", "lr": 0.01, "max_grad_norm": 0.5,
        "groups": "b*:weight-decay=0:beta1=0.8,*", "nan_guard": True})
    s = hetc.Session(a, hetc.Device(target), 0)
    hypers = [n for n in s.state_names if n.startswith("hyper:")]
    before = {n: s.get(n) for n in hypers}
    assert len(before) == 11
    for seed in range(3):
        s.train_step(**dict(zip(["x", "labels"], mlp_batch(seed))))
    for name in hypers:
        np.testing.assert_array_equal(s.get(name), before[name],
                                      err_msg=name)


# --- gradient accumulation ---------------------------------------------------------

@pytest.mark.parametrize("kind,clip", [("sgd", None), ("adam", 0.5)])
def test_torch_gradient_accumulation(kind, clip):
    """accumulation_steps=3 against torch's loop: (loss / 3).backward() per
    micro-batch, clip and step every third, zero_grad after."""
    k = 3
    model = mlp(11)
    reference = copy.deepcopy(model)

    def make(params):
        if kind == "sgd":
            return torch.optim.SGD(params, lr=0.1, momentum=0.9,
                                   weight_decay=1e-3)
        return torch.optim.Adam(params, lr=0.01)

    opt, ref_opt = make(model.parameters()), make(reference.parameters())
    batches = data(4 * k, seed=80)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt, *batches[0],
                                 clip_grad_norm=clip, accumulation_steps=k)
    before = copy.deepcopy(reference.state_dict())
    ref_opt.zero_grad()
    for i, (x, y) in enumerate(batches):
        got = trainer.step(x, y)
        loss = F.cross_entropy(reference(x), y)
        (loss / k).backward()
        close(got, loss.item(), msg=f"micro-batch {i}")
        if (i + 1) % k == 0:
            if clip is not None:
                norm = torch.nn.utils.clip_grad_norm_(
                    reference.parameters(), clip).item()
                close(trainer.grad_norm, norm, msg=f"norm at {i}")
            ref_opt.step()
            ref_opt.zero_grad()
        elif i < k - 1:
            # Nothing moves before the k-th micro-batch.
            for name, value in trainer.state_dict().items():
                assert torch.equal(value, before[name]), name
        compare_params(trainer, reference)
    state = trainer.session.state_names
    assert "0.weight.grad_accum" in state and "optimizer.micro_step" in state


def test_accumulation_counter_lives_in_checkpoints(tmp_path):
    a = hetc.compile_file(MLP_MODEL, optimizer={"optimizer": "sgd",
                                                "lr": 0.1, "accumulate": 2})
    s = hetc.Session(a, hetc.Device("cpu"), 0)
    x, y = mlp_batch()
    w1 = s.get("w1")
    s.train_step(x=x, labels=y)
    np.testing.assert_array_equal(s.get("w1"), w1)
    s.save_checkpoint(str(tmp_path / "c.ckpt"))
    t = hetc.Session(a, hetc.Device("cpu"), 0)
    t.load_checkpoint(str(tmp_path / "c.ckpt"))
    assert t.get("optimizer.micro_step") == 1
    t.train_step(x=x, labels=y)     # the second micro-batch: an update
    assert not np.array_equal(t.get("w1"), w1)
    assert t.get("optimizer.micro_step") == 0
    np.testing.assert_array_equal(t.get("w1.grad_accum"), 0)


@pytest.mark.parametrize("value", ["0", "-2", "1.5", "x", "16777217"])
def test_accumulate_refusals(value):
    with pytest.raises(hetc.Error, match="accumulate must be a whole number "
                       f"from 1 to 2\\^24, got '{value}'"):
        hetc.compile_file(MLP_MODEL, optimizer={"accumulate": value})
