"""hetc.optim.lr_scheduler against torch.optim.lr_scheduler (torch 1.13).

Each case builds two identical torch optimizers (two parameter groups),
drives one with torch's scheduler and the other with hetc's, and compares
every group's lr (and momentum or beta1) before each of 120 steps, to rtol
1e-12. The hetc schedules are computed by the C runtime (schedule.c).
"""
import sys
import warnings

import pytest
import torch

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
from hetc.optim import lr_scheduler as H  # noqa: E402

T = torch.optim.lr_scheduler
STEPS = 120


def optimizer(kind="sgd", lrs=(0.1, 0.03)):
    params = [torch.nn.Parameter(torch.zeros(2)) for _ in lrs]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, lrs)]
    if kind == "adam":
        return torch.optim.Adam(groups, lr=0.1, betas=(0.9, 0.99))
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9)


def values(opt):
    out = []
    for g in opt.param_groups:
        out.append(g["lr"])
        out.append(g["betas"][0] if "betas" in g else g["momentum"])
    return out


def compare(make_torch, make_hetc, kind="sgd", metric=None, steps=STEPS):
    a, b = optimizer(kind), optimizer(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ts, hs = make_torch(a), make_hetc(b)
        for i in range(steps):
            torch.testing.assert_close(values(b), values(a), rtol=1e-12,
                                       atol=0, msg=f"step {i}")
            a.step()
            b.step()
            if metric is None:
                ts.step()
                hs.step()
                assert hs.get_last_lr() == pytest.approx(ts.get_last_lr(),
                                                         rel=1e-12)
            else:
                ts.step(metric(i))
                hs.step(metric(i))
    return hs


CASES = {
    "step": (lambda o: T.StepLR(o, 7, gamma=0.5),
             lambda o: H.StepLR(o, 7, gamma=0.5)),
    "step_default_gamma": (lambda o: T.StepLR(o, step_size=1),
                           lambda o: H.StepLR(o, step_size=1)),
    "multistep": (lambda o: T.MultiStepLR(o, [10, 30, 30, 90], gamma=0.3),
                  lambda o: H.MultiStepLR(o, [10, 30, 30, 90], gamma=0.3)),
    "exponential": (lambda o: T.ExponentialLR(o, 0.97),
                    lambda o: H.ExponentialLR(o, 0.97)),
    "cosine": (lambda o: T.CosineAnnealingLR(o, 17, eta_min=1e-3),
               lambda o: H.CosineAnnealingLR(o, 17, eta_min=1e-3)),
    "cosine_long": (lambda o: T.CosineAnnealingLR(o, T_max=200),
                    lambda o: H.CosineAnnealingLR(o, T_max=200)),
    "linear_warmup": (lambda o: T.LinearLR(o, start_factor=0.1,
                                           total_iters=12),
                      lambda o: H.LinearLR(o, start_factor=0.1,
                                           total_iters=12)),
    "linear_decay": (lambda o: T.LinearLR(o, 1.0, 0.25, total_iters=40),
                     lambda o: H.LinearLR(o, 1.0, 0.25, total_iters=40)),
    "constant": (lambda o: T.ConstantLR(o, factor=0.5, total_iters=9),
                 lambda o: H.ConstantLR(o, factor=0.5, total_iters=9)),
    "onecycle": (lambda o: T.OneCycleLR(o, [0.5, 0.2], total_steps=STEPS),
                 lambda o: H.OneCycleLR(o, [0.5, 0.2], total_steps=STEPS)),
    "onecycle_linear_3phase": (
        lambda o: T.OneCycleLR(o, 0.4, epochs=6, steps_per_epoch=20,
                               pct_start=0.25, anneal_strategy="linear",
                               three_phase=True, div_factor=10.,
                               final_div_factor=100.),
        lambda o: H.OneCycleLR(o, 0.4, epochs=6, steps_per_epoch=20,
                               pct_start=0.25, anneal_strategy="linear",
                               three_phase=True, div_factor=10.,
                               final_div_factor=100.)),
    "onecycle_no_momentum": (
        lambda o: T.OneCycleLR(o, 0.3, total_steps=150, cycle_momentum=False,
                               three_phase=True),
        lambda o: H.OneCycleLR(o, 0.3, total_steps=150, cycle_momentum=False,
                               three_phase=True)),
    "sequential_warmup_cosine": (
        lambda o: T.SequentialLR(o, [T.LinearLR(o, 0.01, total_iters=10),
                                     T.CosineAnnealingLR(o, 50)], [10]),
        lambda o: H.SequentialLR(o, [H.LinearLR(o, 0.01, total_iters=10),
                                     H.CosineAnnealingLR(o, 50)], [10])),
    "sequential_three": (
        lambda o: T.SequentialLR(o, [T.ConstantLR(o, 0.2, total_iters=4),
                                     T.ExponentialLR(o, 0.9),
                                     T.StepLR(o, 5, 0.5)], [8, 40]),
        lambda o: H.SequentialLR(o, [H.ConstantLR(o, 0.2, total_iters=4),
                                     H.ExponentialLR(o, 0.9),
                                     H.StepLR(o, 5, 0.5)], [8, 40])),
}


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_torch(case, kind):
    make_torch, make_hetc = CASES[case]
    compare(make_torch, make_hetc, kind)


def plateau_metric(i):
    # Improves, stalls, improves a little (below and above threshold).
    return [1.0, 0.9, 0.9, 0.9, 0.89999, 0.95, 0.8, 0.8, 0.8, 0.8,
            0.7999, 0.81][i % 12] / (1 + i // 12)


@pytest.mark.parametrize("options", [
    {},
    {"patience": 2, "factor": 0.5, "cooldown": 3},
    {"mode": "max", "patience": 1, "threshold": 0.01,
     "threshold_mode": "abs", "min_lr": [0.01, 0.002]},
    {"patience": 0, "factor": 0.7, "min_lr": 0.02, "eps": 1e-3},
    {"mode": "min", "threshold_mode": "abs", "threshold": 0.05,
     "patience": 1},
])
def test_plateau_matches_torch(options):
    hs = compare(lambda o: T.ReduceLROnPlateau(o, **options),
                 lambda o: H.ReduceLROnPlateau(o, **options),
                 metric=plateau_metric)
    assert hs.last_epoch == STEPS


def test_plain_dict_groups_and_beta1():
    groups = [{"lr": 0.1, "betas": (0.9, 0.999)}]
    s = H.OneCycleLR(groups, max_lr=1.0, total_steps=10)
    assert groups[0]["lr"] == pytest.approx(0.04)
    assert groups[0]["betas"] == (0.95, 0.999)
    assert groups[0]["initial_lr"] == pytest.approx(0.04)
    for _ in range(2):  # the peak: step pct_start * total_steps - 1
        s.step()
    assert groups[0]["lr"] == pytest.approx(1.0)
    assert groups[0]["betas"][0] == pytest.approx(0.85)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_lr_changed_outside_is_chained():
    # Like torch, a chainable scheduler continues from the group's lr.
    a, b = optimizer(), optimizer()
    ts, hs = T.ExponentialLR(a, 0.5), H.ExponentialLR(b, 0.5)
    for opt in (a, b):
        opt.param_groups[0]["lr"] = 0.8
    ts.step()
    hs.step()
    assert values(b) == values(a)


@pytest.mark.parametrize("case", ["cosine", "onecycle",
                                  "sequential_warmup_cosine"])
def test_state_dict_round_trip(case):
    make_torch, make_hetc = CASES[case]
    a, b = optimizer(), optimizer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ts, hs = make_torch(a), make_hetc(b)
        for _ in range(37):
            ts.step()
            hs.step()
        saved = hs.state_dict()
        assert saved["last_epoch"] == 37
        # A fresh scheduler on a fresh optimizer continues where it stopped.
        c = optimizer()
        resumed = make_hetc(c)
        resumed.load_state_dict(saved)
        for g, h in zip(c.param_groups, b.param_groups):
            g["lr"] = h["lr"]
            g["momentum"] = h["momentum"]
        for _ in range(STEPS - 37):
            ts.step()
            resumed.step()
            assert values(c) == pytest.approx(values(a), rel=1e-12)
        assert resumed.get_last_lr() == pytest.approx(ts.get_last_lr(),
                                                      rel=1e-12)


def test_plateau_state_dict_round_trip():
    a, b = optimizer(), optimizer()
    ts = T.ReduceLROnPlateau(a, patience=2, cooldown=1)
    hs = H.ReduceLROnPlateau(b, patience=2, cooldown=1)
    for i in range(20):
        ts.step(plateau_metric(i))
        hs.step(plateau_metric(i))
    c = optimizer()
    resumed = H.ReduceLROnPlateau(c, patience=2, cooldown=1)
    resumed.load_state_dict(hs.state_dict())
    assert resumed.best == ts.best
    for g, h in zip(c.param_groups, b.param_groups):
        g["lr"] = h["lr"]
    for i in range(20, 60):
        ts.step(plateau_metric(i))
        resumed.step(plateau_metric(i))
        assert values(c) == values(a)


def test_state_of_another_scheduler_refused():
    s = H.StepLR(optimizer(), 3)
    with pytest.raises(ValueError, match="state is of scheduler 'cosine"):
        s.load_state_dict(H.CosineAnnealingLR(optimizer(), 5).state_dict())


@pytest.mark.parametrize("make, message", [
    (lambda o: H.OneCycleLR(o, 0.1),
     "You must define either total_steps OR"),
    (lambda o: H.OneCycleLR(o, 0.1, total_steps=0),
     "Expected positive integer total_steps"),
    (lambda o: H.OneCycleLR(o, 0.1, epochs=3),
     "You must define either total_steps OR"),
    (lambda o: H.OneCycleLR(o, 0.1, total_steps=10, pct_start=1),
     "Expected float between 0 and 1 pct_start"),
    (lambda o: H.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp"),
     "anneal_strategy must by one of"),
    (lambda o: H.OneCycleLR(o, [0.1, 0.2, 0.3], total_steps=10),
     "expected 2 values for max_lr, got 3"),
    (lambda o: H.OneCycleLR(o, -0.1, total_steps=10),
     "option 'max_lr' must not be negative"),
    (lambda o: H.StepLR(o, 5, gamma=-0.5),
     "option 'gamma' must not be negative"),
    (lambda o: H.StepLR(o, 0), "Expected positive integer step_size"),
    (lambda o: H.ExponentialLR(o, float("nan")),
     "'gamma=nan' is not a finite number"),
    (lambda o: H.ExponentialLR(o, float("inf")),
     "'gamma=inf' is not a finite number"),
    (lambda o: H.CosineAnnealingLR(o, 10, eta_min=-1.0),
     "option 'eta_min' must not be negative"),
    (lambda o: H.LinearLR(o, start_factor=1.5),
     r"option 'start_factor' must lie in \[0, 1\]"),
    (lambda o: H.ConstantLR(o, factor=-0.1),
     r"option 'factor' must lie in \[0, 1\]"),
    (lambda o: H.ReduceLROnPlateau(o, factor=1.0), "Factor should be < 1.0"),
    (lambda o: H.ReduceLROnPlateau(o, mode="best"), "mode best is unknown"),
    (lambda o: H.ReduceLROnPlateau(o, threshold_mode="x"),
     "threshold mode x is unknown"),
    (lambda o: H.ReduceLROnPlateau(o, min_lr=[0.1]),
     "expected 2 min_lrs, got 1"),
    (lambda o: H.ReduceLROnPlateau(o, patience=-1),
     "patience and cooldown must not be negative"),
    (lambda o: H.StepLR(o, 5, last_epoch=3), "resume one with load_state"),
    (lambda o: H.SequentialLR(o, [H.StepLR(o, 2)], [3]),
     "one more than the number of milestone points"),
    (lambda o: H.SequentialLR(o, [H.ReduceLROnPlateau(o),
                                  H.StepLR(o, 2)], [3]),
     "scheduler 0 cannot be chained"),
])
def test_bad_options_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make(optimizer())


def test_one_cycle_past_total_steps_refused():
    s = H.OneCycleLR(optimizer(), 0.1, total_steps=3)
    for _ in range(3):
        s.step()
    with pytest.raises(ValueError, match="tried to step 5 times; the "
                       "specified number of total steps is 3"):
        s.step()


def test_cycle_momentum_needs_momentum():
    with pytest.raises(ValueError, match="optimizer must support momentum"):
        H.OneCycleLR([{"lr": 0.1}], 0.1, total_steps=5)
    s = H.OneCycleLR([{"lr": 0.1}], 0.1, total_steps=5, cycle_momentum=False)
    s.step()


def test_not_an_optimizer_refused():
    with pytest.raises(TypeError, match="has no param_groups"):
        H.StepLR(object(), 3)


def test_native_spec_errors_name_the_option():
    with pytest.raises(ValueError, match="unknown option 'gama'"):
        hetc._hetc.LRScheduler.create("step:step_size=2,gama=0.1", [0.1],
                                      [0.1])
    with pytest.raises(ValueError, match="unknown lr scheduler 'steps'"):
        hetc._hetc.LRScheduler.create("steps:step_size=2", [0.1], [0.1])
    with pytest.raises(ValueError, match="missing option 'step_size'"):
        hetc._hetc.LRScheduler.create("step", [0.1], [0.1])
    with pytest.raises(ValueError, match="'step_size=2.5' is not an integer"):
        hetc._hetc.LRScheduler.create("step:step_size=2.5", [0.1], [0.1])


def test_native_chain_spec_is_sequential_lr():
    # The spec hetc-train takes: "A;milestone;B".
    opt = optimizer()
    torch_s = T.SequentialLR(opt, [T.LinearLR(opt, 0.01, total_iters=10),
                                   T.CosineAnnealingLR(opt, 50)], [10])
    base = [g["initial_lr"] for g in opt.param_groups]
    native, lrs, _ = hetc._hetc.LRScheduler.create(
        "linear:start_factor=0.01,total_iters=10;10;cosine:T_max=50", base,
        base)
    assert native.kind == "sequential"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(STEPS):
            assert lrs == pytest.approx([g["lr"] for g in opt.param_groups],
                                        rel=1e-12), f"step {i}"
            opt.step()
            torch_s.step()
            lrs, _ = native.step(lrs)
    with pytest.raises(ValueError, match="'milestone=x' is not an integer"):
        hetc._hetc.LRScheduler.create("step:step_size=2;x;cosine:T_max=3",
                                      [0.1], [0.1])
    with pytest.raises(ValueError, match="expected scheduler;milestone"):
        hetc._hetc.LRScheduler.create("step:step_size=2;3", [0.1], [0.1])
