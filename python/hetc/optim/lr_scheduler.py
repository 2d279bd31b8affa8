"""Learning-rate schedulers with torch.optim.lr_scheduler's signatures.

Each drives any object with torch-like `param_groups` (a hetc Trainer, a
TorchTrainer, a torch optimizer, or a list of dicts): a list of mutable
mappings holding "lr", and "momentum" or "betas" for OneCycleLR's momentum
cycling. The schedule itself is computed by the hetc runtime (C, double
precision, torch's formulas), the same code hetc-train's --lr-scheduler
uses; these classes only read and write the groups.

    trainer = hetc.Trainer(model, shape, loss, hetc.optim.SGD(lr=0.1))
    scheduler = hetc.optim.lr_scheduler.StepLR(trainer, step_size=5)
    for epoch in range(epochs):
        ...
        scheduler.step()
"""
import numbers

import numpy as np

from .. import _hetc

__all__ = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LinearLR", "ConstantLR", "OneCycleLR", "ReduceLROnPlateau",
           "SequentialLR"]


def _groups(optimizer):
    groups = getattr(optimizer, "param_groups", optimizer)
    try:
        groups = list(groups)
    except TypeError:
        groups = None
    if not groups or not all(hasattr(g, "__getitem__") and _has(g, "lr")
                              for g in groups):
        raise TypeError(f"{type(optimizer).__name__} has no param_groups "
                        "(a list of mappings with an 'lr')")
    return groups


def _format(key, value):
    """One spec value: ints, exact floats (repr round-trips), lists."""
    if isinstance(value, (list, tuple)):
        return "/".join(_format(key, v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str) and value.isidentifier():
        return value
    raise TypeError(f"option {key}={value!r} is not a number")


def _spec(kind, options):
    items = [f"{k}={_format(k, v)}" for k, v in options.items()
             if v is not None]
    return kind + (":" + ",".join(items) if items else "")


def _has(group, key):
    # Iterates the keys: a hetc ParamGroup raises hetc.Error, not KeyError,
    # for a hyper-parameter its optimizer lacks.
    return key in list(group)


def _get_initial_lr(group):
    if isinstance(group, dict):
        return group.setdefault("initial_lr", group["lr"])
    # A trainer's ParamGroup holds only runtime hyper-parameters: torch's
    # initial_lr lives on the group object instead.
    if getattr(group, "initial_lr", None) is None:
        group.initial_lr = float(group["lr"])
    return group.initial_lr


def _set_initial_lr(group, value):
    if isinstance(group, dict):
        group["initial_lr"] = value
    else:
        group.initial_lr = value


def _momentum_key(groups):
    if all(_has(g, "betas") for g in groups):
        return "betas"
    if all(_has(g, "momentum") for g in groups):
        return "momentum"
    return None


def _read_momenta(groups, key):
    if key == "betas":
        return [float(g["betas"][0]) for g in groups]
    if key == "momentum":
        return [float(g["momentum"]) for g in groups]
    return None


def _write(groups, lrs, momenta, key, old_momenta):
    for g, lr in zip(groups, lrs):
        g["lr"] = lr
    if momenta is None or momenta == old_momenta:
        return
    for g, m, old in zip(groups, momenta, old_momenta):
        if m == old:
            continue
        if key == "betas":
            g["betas"] = (m, *tuple(g["betas"])[1:])
        else:
            g["momentum"] = m


def _exact(read, written):
    if written is None or len(written) != len(read):
        return read
    return [w if r == w or r == float(np.float32(w)) else r
            for r, w in zip(read, written)]


class _LRScheduler:
    """The common part: the groups, the native scheduler, state_dict."""

    def __init__(self, optimizer, kind, options, last_epoch=-1,
                 verbose=False):
        if last_epoch != -1:
            raise ValueError(
                f"last_epoch={last_epoch}: hetc schedulers start at -1; "
                "resume one with load_state_dict")
        self.optimizer = optimizer
        self.verbose = verbose
        self._spec = _spec(kind, options)
        groups = _groups(optimizer)
        base = [float(_get_initial_lr(g)) for g in groups]
        native, lrs, momenta = self._call(_hetc.LRScheduler.create,
                                          self._spec, base, groups)
        self._native = native
        # OneCycleLR computes initial_lr from max_lr, as torch does.
        for g, base in zip(groups, native.base_lrs):
            _set_initial_lr(g, base)

    _written = (None, None)  # the lrs and momenta this scheduler wrote

    def _read(self, groups, key):
        """The groups' lrs and momenta; where a group still holds what this
        scheduler wrote (a trainer's group stores it as f32), the exact
        double, so the chainable forms follow torch's double sequence."""
        lrs = _exact([float(g["lr"]) for g in groups], self._written[0])
        momenta = _read_momenta(groups, key)
        if momenta is not None:
            momenta = _exact(momenta, self._written[1])
        return lrs, momenta

    def _call(self, fn, *args):
        """Runs fn(*args, lrs, momenta) and writes the results back."""
        groups = args[-1]
        key = _momentum_key(groups)
        old_lrs, old = self._read(groups, key)
        result = fn(*args[:-1], old_lrs, None if old is None else list(old))
        *rest, lrs, momenta = result
        _write(groups, lrs, momenta, key, old)
        self._written = (list(lrs), None if momenta is None
                         else list(momenta))
        self._print(lrs)
        return (*rest, lrs, momenta)

    def _print(self, lrs):
        if self.verbose:
            for i, lr in enumerate(lrs):
                print(f"Adjusting learning rate of group {i} to {lr:.4e}.")

    @property
    def last_epoch(self):
        return self._native.last_epoch

    @property
    def base_lrs(self):
        return self._native.base_lrs

    def step(self):
        """One scheduler step: sets every group's lr (and momentum)."""
        self._call(self._native.step, _groups(self.optimizer))

    def get_last_lr(self):
        """The lrs the last step set, one per group."""
        return list(self._native.last_lr)

    def state_dict(self):
        """The scheduler's options and progress (plain Python values)."""
        return {"spec": self._spec, "state": self._native.state,
                "last_epoch": self.last_epoch,
                "_last_lr": self.get_last_lr()}

    def load_state_dict(self, state_dict):
        if state_dict.get("spec") != self._spec:
            raise ValueError(
                f"the state is of scheduler '{state_dict.get('spec')}', "
                f"this one is '{self._spec}'")
        self._native.state = state_dict["state"]


def _int(name, value, positive=True):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or (positive and value <= 0):
        raise ValueError(f"Expected positive integer {name}, but got "
                         f"{value}")
    return int(value)


class StepLR(_LRScheduler):
    """Multiplies the lr by gamma every step_size epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1,
                 verbose=False):
        super().__init__(optimizer, "step",
                         {"step_size": _int("step_size", step_size),
                          "gamma": gamma}, last_epoch, verbose)


class MultiStepLR(_LRScheduler):
    """Multiplies the lr by gamma at each milestone."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1,
                 verbose=False):
        milestones = [_int("milestone", m, positive=False)
                      for m in milestones]
        if not milestones:
            raise ValueError("MultiStepLR needs at least one milestone")
        super().__init__(optimizer, "multistep",
                         {"milestones": milestones, "gamma": gamma},
                         last_epoch, verbose)


class ExponentialLR(_LRScheduler):
    """Multiplies the lr by gamma every epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1, verbose=False):
        super().__init__(optimizer, "exponential", {"gamma": gamma},
                         last_epoch, verbose)


class CosineAnnealingLR(_LRScheduler):
    """Cosine annealing from the initial lr to eta_min over T_max epochs."""

    def __init__(self, optimizer, T_max, eta_min=0, last_epoch=-1,
                 verbose=False):
        super().__init__(optimizer, "cosine",
                         {"T_max": _int("T_max", T_max),
                          "eta_min": float(eta_min)}, last_epoch, verbose)


class LinearLR(_LRScheduler):
    """Linear warmup: the lr factor goes from start_factor to end_factor
    over total_iters epochs."""

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0,
                 total_iters=5, last_epoch=-1, verbose=False):
        super().__init__(optimizer, "linear",
                         {"start_factor": start_factor,
                          "end_factor": end_factor,
                          "total_iters": _int("total_iters", total_iters)},
                         last_epoch, verbose)


class ConstantLR(_LRScheduler):
    """The lr times factor for total_iters epochs, then the lr."""

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5,
                 last_epoch=-1, verbose=False):
        super().__init__(optimizer, "constant",
                         {"factor": factor,
                          "total_iters": _int("total_iters", total_iters)},
                         last_epoch, verbose)


class OneCycleLR(_LRScheduler):
    """The 1cycle policy, stepped once per batch."""

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None,
                 steps_per_epoch=None, pct_start=0.3, anneal_strategy="cos",
                 cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25., final_div_factor=1e4, three_phase=False,
                 last_epoch=-1, verbose=False):
        if total_steps is None and (epochs is None or
                                    steps_per_epoch is None):
            raise ValueError("You must define either total_steps OR (epochs "
                             "AND steps_per_epoch)")
        if total_steps is not None:
            total_steps = _int("total_steps", total_steps)
            epochs = steps_per_epoch = None
        else:
            epochs = _int("epochs", epochs)
            steps_per_epoch = _int("steps_per_epoch", steps_per_epoch)
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError("Expected float between 0 and 1 pct_start, but "
                             f"got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must by one of 'cos' or "
                             f"'linear', instead got {anneal_strategy}")
        if cycle_momentum and \
                _momentum_key(_groups(optimizer)) is None:
            raise ValueError("optimizer must support momentum with "
                             "`cycle_momentum` option enabled")
        super().__init__(optimizer, "onecycle", {
            "max_lr": max_lr, "total_steps": total_steps, "epochs": epochs,
            "steps_per_epoch": steps_per_epoch, "pct_start": pct_start,
            "anneal_strategy": anneal_strategy,
            "cycle_momentum": bool(cycle_momentum),
            "base_momentum": base_momentum, "max_momentum": max_momentum,
            "div_factor": div_factor, "final_div_factor": final_div_factor,
            "three_phase": bool(three_phase)}, last_epoch, verbose)


class ReduceLROnPlateau(_LRScheduler):
    """Multiplies the lr by factor when a metric stops improving for
    `patience` epochs; step(metric) once per epoch."""

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10,
                 threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0,
                 eps=1e-8, verbose=False):
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        if isinstance(min_lr, (list, tuple)) and \
                len(min_lr) != len(_groups(optimizer)):
            raise ValueError(f"expected {len(_groups(optimizer))} min_lrs, "
                             f"got {len(min_lr)}")
        self.mode = mode
        super().__init__(optimizer, "plateau", {
            "mode": mode, "factor": factor,
            "patience": _int("patience", patience, positive=False),
            "threshold": threshold, "threshold_mode": threshold_mode,
            "cooldown": _int("cooldown", cooldown, positive=False),
            "min_lr": min_lr, "eps": eps}, verbose=verbose)

    def step(self, metrics):
        """One epoch's metric (a float, or anything float() takes)."""
        metric = float(metrics)
        groups = _groups(self.optimizer)
        lrs, _ = self._read(groups, None)
        lrs = self._native.step_metric(metric, lrs)
        for g, lr in zip(groups, lrs):
            g["lr"] = lr
        self._written = (list(lrs), None)

    @property
    def best(self):
        state = dict(item.split("=", 1) for item in
                     self._native.state.split(",") if item)
        return float(state["best"])


class SequentialLR(_LRScheduler):
    """Runs `schedulers` one after another, switching at `milestones`
    (e.g. a LinearLR warmup, then CosineAnnealingLR)."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1,
                 verbose=False):
        for i, s in enumerate(schedulers):
            if not isinstance(s, _LRScheduler) or \
                    isinstance(s, (ReduceLROnPlateau, SequentialLR)):
                raise ValueError(f"scheduler {i} cannot be chained")
            if s.optimizer is not optimizer:
                raise ValueError(
                    "Sequential Schedulers expects all schedulers to belong "
                    "to the same optimizer, but got schedulers at index "
                    f"{i} to be different than the optimizer passed in.")
        if last_epoch != -1:
            raise ValueError(f"last_epoch={last_epoch}: hetc schedulers "
                             "start at -1")
        self.optimizer, self.verbose = optimizer, verbose
        self._schedulers = list(schedulers)
        milestones = [_int("milestone", m, positive=False)
                      for m in milestones]
        self._spec = "sequential:" + "|".join(
            s._spec for s in schedulers) + "@" + "/".join(
            str(m) for m in milestones)
        groups = _groups(optimizer)
        native, _, _ = self._call(
            _hetc.LRScheduler.sequential,
            [s._native for s in schedulers], milestones,
            [float(_get_initial_lr(g)) for g in groups], groups)
        self._native = native

