"""Trainer.fit: a Keras-style training loop shared by hetc.Trainer and
hetc.torch's TorchTrainer.

    history = trainer.fit((x, y), epochs=10, batch_size=32,
                          val_data=(x_val, y_val),
                          scheduler=StepLR(trainer, step_size=3),
                          callbacks=[EarlyStopping(patience=2),
                                     ModelCheckpoint("best.ckpt",
                                                     save_best_only=True)])
    history.history["val_accuracy"]

A trainer takes part through five methods: `_fit_step(x, y)` and
`_fit_evaluate(x, y)` (each returning the loss and the model output as
numpy), `train(mode)`, `save(path)` and `load(path)`, plus `batch_size`.
"""
import math
import sys
import time

import numpy as np

__all__ = ["Callback", "EarlyStopping", "History", "ModelCheckpoint", "fit",
           "accuracy"]


def accuracy(output, labels):
    """The fraction of rows whose arg-max output equals the label."""
    output, labels = np.asarray(output), np.asarray(labels)
    if output.ndim != labels.ndim + 1:
        raise ValueError(f"accuracy needs class scores of shape "
                         f"{labels.shape} + (classes,), got {output.shape}")
    return float(np.mean(np.argmax(output, axis=-1) == labels))


def _to_numpy(a):
    if isinstance(a, (tuple, list)):  # several model inputs
        return type(a)(_to_numpy(x) for x in a)
    if hasattr(a, "detach"):  # a torch tensor
        a = a.detach().cpu().numpy()
    return np.asarray(a)


class _Arrays:
    """(x, y) arrays served in batches, shuffled per epoch from `seed`."""

    def __init__(self, x, y, batch_size, shuffle, seed):
        self.x, self.y = _to_numpy(x), _to_numpy(y)
        if len(self.x) != len(self.y):
            raise ValueError(f"x has {len(self.x)} rows but y has "
                             f"{len(self.y)}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) \
                or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got "
                             f"{batch_size!r}")
        self.batch_size, self.shuffle = batch_size, shuffle
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __iter__(self):
        order = (self.rng.permutation(len(self.x)) if self.shuffle
                 else np.arange(len(self.x)))
        # Every row, the last batch possibly smaller: the trainer takes it
        # or says why it cannot.
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            yield self.x[rows], self.y[rows]


def _batches(data, batch_size, shuffle, seed, what):
    if isinstance(data, tuple) and len(data) == 2 and \
            all(hasattr(a, "shape") for a in data):
        return _Arrays(data[0], data[1], batch_size, shuffle, seed)
    if not hasattr(data, "__iter__"):
        raise TypeError(f"{what} must be (x, y) arrays or an iterable of "
                        f"(x, y) batches, got {type(data).__name__}")
    return data


def _metric_fns(metrics):
    if isinstance(metrics, dict):
        return dict(metrics)
    out = {}
    for m in metrics:
        if m == "accuracy":
            out["accuracy"] = accuracy
        elif callable(m):
            out[getattr(m, "__name__", f"metric{len(out)}")] = m
        else:
            raise ValueError(f"unknown metric {m!r}: give 'accuracy' or a "
                             "callable metric(output, labels)")
    return out


class _Mean:
    """Row-weighted means of the loss and the metrics over an epoch."""

    def __init__(self, names):
        self.sums = {name: 0.0 for name in names}
        self.rows = 0

    def add(self, rows, values):
        self.rows += rows
        for name, value in values.items():
            self.sums[name] += rows * float(value)

    def means(self, prefix=""):
        return {prefix + name: s / self.rows for name, s in self.sums.items()
                if self.rows}


class History:
    """Per-epoch logs: `history["loss"]`, `history["val_accuracy"]`, ...
    (lists, one value per epoch) and `epoch` (the epoch numbers)."""

    def __init__(self):
        self.history = {}
        self.epoch = []

    def append(self, epoch, logs):
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key):
        return self.history[key]

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


class Callback:
    """Hooks into fit. `self.trainer` and `self.loop` are set before
    on_train_begin; setting `self.loop.stop_training = True` ends training
    after the current epoch."""

    trainer = None
    loop = None

    def on_train_begin(self, logs):
        pass

    def on_epoch_begin(self, epoch):
        pass

    def on_batch_end(self, step, logs):
        pass

    def on_epoch_end(self, epoch, logs):
        pass

    def on_train_end(self, logs):
        pass


class _Monitor:
    """Whether a monitored value improved (mode min/max/auto, min_delta)."""

    def __init__(self, monitor, mode, min_delta):
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got "
                             f"{mode!r}")
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.monitor, self.mode = monitor, mode
        self.min_delta = abs(min_delta)
        self.best = math.inf if mode == "min" else -math.inf

    def value(self, logs):
        if self.monitor not in logs:
            raise KeyError(f"monitored metric '{self.monitor}' is not among "
                           f"the logs {sorted(logs)}")
        return logs[self.monitor]

    def improved(self, value):
        if self.mode == "min":
            better = value < self.best - self.min_delta
        else:
            better = value > self.best + self.min_delta
        if better:
            self.best = value
        return better


class EarlyStopping(Callback):
    """Stops when `monitor` has not improved by more than min_delta for
    `patience` epochs; restore_best_weights reloads the best epoch's
    state."""

    def __init__(self, monitor="val_loss", patience=0, min_delta=0.0,
                 mode="auto", restore_best_weights=False):
        self._monitor = _Monitor(monitor, mode, min_delta)
        self.patience, self.restore = patience, restore_best_weights
        self.wait, self.stopped_epoch, self._best_state = 0, None, None

    def on_epoch_end(self, epoch, logs):
        if self._monitor.improved(self._monitor.value(logs)):
            self.wait = 0
            if self.restore:
                self._best_state = self.trainer.state_dict()
            return
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch = epoch
            self.loop.stop_training = True

    def on_train_end(self, logs):
        if self.restore and self._best_state is not None:
            self.trainer.load_state_dict(self._best_state)


class ModelCheckpoint(Callback):
    """Saves session checkpoints (parameters, buffers, optimizer state,
    step): every `every_n_steps` steps and/or at each epoch end, or only
    when `monitor` improves (save_best_only). `path` may hold "{epoch}" and
    "{step}"."""

    def __init__(self, path, monitor="val_loss", mode="auto",
                 save_best_only=False, every_n_steps=None):
        if every_n_steps is not None and (not isinstance(every_n_steps, int)
                                          or every_n_steps <= 0):
            raise ValueError(f"every_n_steps must be a positive integer, "
                             f"got {every_n_steps!r}")
        self.path, self.every_n_steps = str(path), every_n_steps
        self.save_best_only = save_best_only
        self._monitor = _Monitor(monitor, mode, 0.0)
        self.saved = []
        self.best_path = None

    def _save(self, epoch, step):
        path = self.path.format(epoch=epoch, step=step)
        self.trainer.save(path)
        self.saved.append(path)
        return path

    def on_batch_end(self, step, logs):
        if self.every_n_steps and step % self.every_n_steps == 0:
            self._save(logs["epoch"], step)

    def on_epoch_end(self, epoch, logs):
        if self.save_best_only:
            if self._monitor.improved(self._monitor.value(logs)):
                self.best_path = self._save(epoch, self.loop.step)
        elif not self.every_n_steps:
            self._save(epoch, self.loop.step)


class _Loop:
    def __init__(self):
        self.stop_training = False
        self.step = 0


def _is_plateau(scheduler):
    return type(scheduler).__name__ == "ReduceLROnPlateau"


def _scheduler_interval(scheduler, interval):
    if interval is None:
        return "batch" if type(scheduler).__name__ == "OneCycleLR" \
            else "epoch"
    if interval not in ("batch", "epoch"):
        raise ValueError(f"scheduler_interval must be 'batch' or 'epoch', "
                         f"got {interval!r}")
    if _is_plateau(scheduler) and interval == "batch":
        raise ValueError("ReduceLROnPlateau steps once per epoch on a "
                         "monitored metric")
    return interval


def _current_lr(trainer, scheduler):
    """Group 0's lr: the scheduler's optimizer's, a TorchTrainer's torch
    optimizer's (pushed to hetc at the next step), or the trainer's."""
    for source in (getattr(scheduler, "optimizer", None),
                   getattr(trainer, "optimizer", None), trainer):
        groups = getattr(source, "param_groups", None)
        if groups:
            return float(groups[0]["lr"])
    return None


class _Progress:
    """A tqdm bar per epoch on a terminal; otherwise one line per epoch."""

    def __init__(self, verbose, epochs):
        self.verbose, self.epochs = verbose, epochs
        self.bar_wanted = verbose == 1 and sys.stdout.isatty()
        self.bar = None

    def begin(self, epoch, total):
        self.start, self.rows = time.perf_counter(), 0
        if self.bar_wanted:
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="batch", leave=True,
                            desc=f"epoch {epoch}/{self.epochs}",
                            file=sys.stdout)

    def batch(self, rows, logs):
        self.rows += rows
        if self.bar is not None:
            rate = self.rows / max(time.perf_counter() - self.start, 1e-9)
            shown = {k: f"{v:.4f}" for k, v in logs.items()}
            shown["samples/s"] = f"{rate:.0f}"
            self.bar.set_postfix(shown, refresh=False)
            self.bar.update(1)

    def end(self, epoch, logs):
        elapsed = time.perf_counter() - self.start
        rate = self.rows / max(elapsed, 1e-9)
        text = " - ".join(f"{k}: {v:.4g}" for k, v in logs.items())
        if self.bar is not None:
            self.bar.set_postfix_str(f"{text} - {rate:.0f} samples/s")
            self.bar.close()
            self.bar = None
        elif self.verbose:
            print(f"epoch {epoch}/{self.epochs} - {elapsed:.1f}s - "
                  f"{rate:.0f} samples/s - {text}", flush=True)


def evaluate_data(trainer, data, metrics, batch_size=None):
    """The row-weighted eval-mode loss and metrics over `data`."""
    fns = _metric_fns(metrics)
    size = trainer.batch_size if batch_size is None else batch_size
    batches = _batches(data, size, False, 0, "val_data")
    mean = _Mean(["loss"] + list(fns))
    for x, y in batches:
        y = _to_numpy(y)
        loss, output = trainer._fit_evaluate(_to_numpy(x), y)
        values = {"loss": loss}
        values.update({name: fn(output, y) for name, fn in fns.items()})
        mean.add(len(y), values)
    return mean.means()


def fit(trainer, train_data, epochs=1, *, batch_size=None, shuffle=True,
        seed=0, val_data=None, metrics=("accuracy",), callbacks=(),
        scheduler=None, scheduler_interval=None, scheduler_monitor=None,
        verbose=1):
    """Trains `trainer` for `epochs` over `train_data`; returns a History.

    train_data / val_data: (x, y) arrays (numpy or torch; batched by
    batch_size, default the compiled batch size, shuffled from `seed` when
    `shuffle`), or any iterable of (x, y) batches such as a torch
    DataLoader. metrics: "accuracy" and/or callables metric(output, labels)
    averaged over rows. scheduler: stepped per epoch, per batch for
    OneCycleLR (scheduler_interval overrides), ReduceLROnPlateau on
    scheduler_monitor (default val_loss, or loss without val_data).
    verbose: 0 silent, 1 a progress bar on a terminal (a line per epoch
    otherwise), 2 a line per epoch.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got "
                         f"{epochs!r}")
    fns = _metric_fns(metrics)
    size = trainer.batch_size if batch_size is None else batch_size
    data = _batches(train_data, size, shuffle, seed, "train_data")
    interval = (_scheduler_interval(scheduler, scheduler_interval)
                if scheduler is not None else None)
    plateau_key = scheduler_monitor or ("val_loss" if val_data is not None
                                        else "loss")
    history, loop = History(), _Loop()
    callbacks = list(callbacks)
    for cb in callbacks:
        cb.trainer, cb.loop = trainer, loop
    progress = _Progress(verbose, epochs)
    for cb in callbacks:
        cb.on_train_begin({})
    for epoch in range(1, epochs + 1):
        for cb in callbacks:
            cb.on_epoch_begin(epoch)
        trainer.train()
        lr = _current_lr(trainer, scheduler)
        total = len(data) if hasattr(data, "__len__") else None
        progress.begin(epoch, total)
        mean = _Mean(["loss"] + list(fns))
        for x, y in data:
            y = _to_numpy(y)
            loss, output = trainer._fit_step(_to_numpy(x), y)
            values = {"loss": loss}
            values.update({name: fn(output, y) for name, fn in fns.items()})
            mean.add(len(y), values)
            loop.step += 1
            if interval == "batch":
                scheduler.step()
            progress.batch(len(y), mean.means())
            for cb in callbacks:
                cb.on_batch_end(loop.step, dict(values, epoch=epoch))
        logs = mean.means()
        if val_data is not None:
            trainer.eval()
            logs.update({"val_" + k: v for k, v in
                         evaluate_data(trainer, val_data, fns,
                                       batch_size).items()})
            trainer.train()
        if lr is not None:
            logs["lr"] = lr
        if interval == "epoch":
            if _is_plateau(scheduler):
                if plateau_key not in logs:
                    raise KeyError(f"ReduceLROnPlateau monitors "
                                   f"'{plateau_key}', which is not among "
                                   f"the logs {sorted(logs)}")
                scheduler.step(logs[plateau_key])
            else:
                scheduler.step()
        progress.end(epoch, logs)
        history.append(epoch, logs)
        for cb in callbacks:
            cb.on_epoch_end(epoch, logs)
        if loop.stop_training:
            break
    for cb in callbacks:
        cb.on_train_end(history.history)
    return history
