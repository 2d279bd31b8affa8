"""Trainer.fit (python/hetc/fit.py): batching, metrics, history, progress
output, schedulers, checkpoints and early stopping.

The loop's bookkeeping is checked on a scripted trainer (every batch's rows
recorded, losses chosen by the test); the real trainers are checked against
a hand-written step loop on the same batches.
"""
import os
import sys

import numpy as np
import pytest
import torch

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
import hetc.torch  # noqa: E402
from hetc import fit as F  # noqa: E402
from hetc import nn, optim  # noqa: E402
from hetc.optim import lr_scheduler  # noqa: E402

T = torch.optim.lr_scheduler


class Scripted:
    """A trainer whose losses follow a script: train loss 1/step, val loss
    from `val_losses` per epoch; it records every batch."""

    def __init__(self, val_losses=(), batch_size=32, classes=3):
        self.batch_size, self.classes = batch_size, classes
        self.val_losses = list(val_losses)
        self.rows, self.val_rows, self.modes = [], [], []
        self.training, self.epoch_evals = True, 0
        self.param_groups = [{"lr": 0.1}]
        self.saved, self.state = [], {"w": 0}

    def train(self, mode=True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)

    def _output(self, y):
        out = np.zeros((len(y), self.classes), np.float32)
        out[np.arange(len(y)), np.asarray(y) % self.classes] = 1
        out[0] = np.roll(out[0], 1)  # the first row of each batch is wrong
        return out

    def _fit_step(self, x, y):
        assert self.training
        self.rows.append(len(x))
        self.state["w"] += 1
        return 1.0 / len(self.rows), self._output(y)

    def _fit_evaluate(self, x, y):
        self.modes.append(self.training)
        self.val_rows.append(len(x))
        value = self.val_losses[self.epoch_evals] if self.val_losses else 0.5
        return value, self._output(y)

    def state_dict(self):
        return dict(self.state)

    def load_state_dict(self, state):
        self.state = dict(state)

    def save(self, path):
        with open(path, "w") as f:
            f.write(str(self.state["w"]))
        self.saved.append(path)


class CountEpochs(F.Callback):
    def on_epoch_end(self, epoch, logs):
        self.trainer.epoch_evals += 1


def data(n, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, features)).astype(np.float32),
            rng.integers(0, classes, n).astype(np.int32))


def test_every_row_reaches_the_trainer():
    trainer = Scripted()
    F.fit(trainer, data(100), epochs=2, verbose=0)
    # 100 rows at batch 32: the last batch of 4 is passed on, not dropped.
    assert trainer.rows == [32, 32, 32, 4] * 2


def test_trainer_error_on_a_partial_batch_surfaces():
    class Fixed(Scripted):
        def _fit_step(self, x, y):
            if len(x) != 32:
                raise ValueError(f"'x' has {len(x)} rows; compiled for 32")
            return super()._fit_step(x, y)
    with pytest.raises(ValueError, match="has 4 rows; compiled for 32"):
        F.fit(Fixed(), data(100), epochs=1, verbose=0)


def test_history_metrics_and_modes():
    def top_score(output, labels):
        return float(np.mean(np.max(output, axis=-1)))
    trainer = Scripted(val_losses=[0.9, 0.8])
    history = F.fit(trainer, data(64), epochs=2, batch_size=16,
                    val_data=data(20, seed=1), verbose=0,
                    metrics=["accuracy", top_score],
                    callbacks=[CountEpochs()])
    assert history.epoch == [1, 2]
    assert sorted(history.history) == [
        "accuracy", "loss", "lr", "top_score", "val_accuracy", "val_loss",
        "val_top_score"]
    # Row-weighted means: four batches of 16 rows, losses 1/step.
    assert history["loss"][0] == pytest.approx(np.mean([1, 1 / 2, 1 / 3,
                                                        1 / 4]))
    assert history["loss"][1] == pytest.approx(np.mean([1 / 5, 1 / 6,
                                                        1 / 7, 1 / 8]))
    assert history["accuracy"] == [pytest.approx(15 / 16)] * 2
    # Validation in batches of batch_size too: 16 and 4 rows.
    assert trainer.val_rows == [16, 4] * 2
    assert history["val_accuracy"] == [pytest.approx(18 / 20)] * 2
    assert history["val_loss"] == [0.9, 0.8]
    assert trainer.modes == [False] * 4  # evaluation in eval mode
    assert trainer.training  # and back to train mode
    assert history["lr"] == [0.1, 0.1]


def test_shuffle_is_seeded():
    seen = []

    class Recording(Scripted):
        def _fit_step(self, x, y):
            seen.append(x[:, 0].copy())
            return super()._fit_step(x, y)
    for seed in (3, 3, 4):
        F.fit(Recording(), data(64), epochs=2, seed=seed, verbose=0)
    first, again, other = (np.concatenate(seen[i * 4:(i + 1) * 4])
                           for i in range(3))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert sorted(first[:64]) == sorted(data(64)[0][:, 0])
    seen.clear()
    F.fit(Recording(), data(64), epochs=1, shuffle=False, verbose=0)
    np.testing.assert_array_equal(np.concatenate(seen), data(64)[0][:, 0])


def test_dataloader_and_torch_tensors():
    x, y = data(40)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x),
                                       torch.from_numpy(y).long()),
        batch_size=16)
    trainer = Scripted()
    history = F.fit(trainer, loader, epochs=1, verbose=0,
                    val_data=(torch.from_numpy(x), torch.from_numpy(y)))
    assert trainer.rows == [16, 16, 8]
    assert len(history["val_loss"]) == 1


def test_bad_arguments():
    with pytest.raises(ValueError, match="batch_size must be a positive"):
        F.fit(Scripted(), data(8), batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="x has 8 rows but y has 7"):
        F.fit(Scripted(), (data(8)[0], data(7)[1]), verbose=0)
    with pytest.raises(TypeError, match="train_data must be"):
        F.fit(Scripted(), 5, verbose=0)
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        F.fit(Scripted(), data(8), metrics=["f1"], verbose=0)
    with pytest.raises(ValueError, match="epochs must be"):
        F.fit(Scripted(), data(8), epochs=-1, verbose=0)
    with pytest.raises(KeyError, match="'val_loss' is not among the logs"):
        F.fit(Scripted(), data(8), verbose=0,
              callbacks=[F.EarlyStopping(monitor="val_loss")])


def test_progress_lines_and_silence(capsys, monkeypatch):
    F.fit(Scripted(), data(64), epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    F.fit(Scripted(), data(64), epochs=2, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2  # not a terminal: one line per epoch
    assert lines[0].startswith("epoch 1/2 - ") and "samples/s" in lines[0]
    assert "loss: " in lines[1] and "accuracy: " in lines[1]


def test_progress_bar_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    F.fit(Scripted(), data(96), epochs=1, verbose=1)
    out = capsys.readouterr().out
    # tqdm's bar: the epoch, batches done of the total, time left, and the
    # postfix with the running loss, accuracy and throughput.
    assert "epoch 1/1" in out and "3/3" in out
    assert "samples/s" in out and "loss: " in out and "accuracy: " in out
    assert "<" in out  # elapsed<remaining


def torch_lrs(make, steps, metric=None):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1,
                          momentum=0.9)
    s = make(opt)
    out = []
    for i in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        s.step(metric(i)) if metric else s.step()
    return out


def test_scheduler_per_epoch_per_batch_and_on_plateau():
    trainer = Scripted()
    history = F.fit(trainer, data(64), epochs=6, verbose=0,
                    scheduler=lr_scheduler.StepLR(trainer, 2, gamma=0.5))
    assert history["lr"] == torch_lrs(lambda o: T.StepLR(o, 2, 0.5), 6)

    trainer = Scripted()
    trainer.param_groups[0]["momentum"] = 0.9
    s = lr_scheduler.OneCycleLR(trainer, 1.0, epochs=3, steps_per_epoch=4)
    lrs = []

    class Lr(F.Callback):
        def on_batch_end(self, step, logs):
            lrs.append(self.trainer.param_groups[0]["lr"])
    F.fit(trainer, data(64), epochs=3, batch_size=16, verbose=0,
          scheduler=s, callbacks=[Lr()])
    want = torch_lrs(lambda o: T.OneCycleLR(o, 1.0, total_steps=12), 12)
    assert len(lrs) == 12
    assert lrs[:11] == pytest.approx(want[1:], rel=1e-12)

    val = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95]
    trainer = Scripted(val_losses=val)
    history = F.fit(trainer, data(32), epochs=7, verbose=0,
                    val_data=data(32), callbacks=[CountEpochs()],
                    scheduler=lr_scheduler.ReduceLROnPlateau(
                        trainer, patience=1))
    assert history["lr"] == pytest.approx(torch_lrs(
        lambda o: T.ReduceLROnPlateau(o, patience=1), 7,
        metric=lambda i: val[i]), rel=1e-12)
    assert history["lr"][-1] < history["lr"][0]


def test_early_stopping_and_restore():
    val = [1.0, 0.8, 0.81, 0.79, 0.85, 0.9, 0.7, 0.6]
    trainer = Scripted(val_losses=val)
    stop = F.EarlyStopping(patience=2, min_delta=0.02,
                           restore_best_weights=True)
    history = F.fit(trainer, data(32), epochs=8, val_data=data(32),
                    verbose=0, callbacks=[CountEpochs(), stop])
    # 0.8 is the last improvement by more than 0.02; epochs 3, 4, 5 do
    # not improve: stop after epoch 5 (patience 2 exceeded).
    assert history.epoch == [1, 2, 3, 4, 5]
    assert stop.stopped_epoch == 5
    assert trainer.state == {"w": 2}  # the best epoch's state

    trainer = Scripted()
    history = F.fit(trainer, data(32), epochs=4, verbose=0,
                    callbacks=[F.EarlyStopping(monitor="accuracy",
                                               patience=0)])
    assert history.epoch == [1, 2]  # accuracy never rises (mode max)


def test_checkpoints_every_n_steps_and_best(tmp_path):
    trainer = Scripted(val_losses=[0.5, 0.4, 0.45, 0.3])
    every = F.ModelCheckpoint(str(tmp_path / "step{step}.ckpt"),
                              every_n_steps=3)
    best = F.ModelCheckpoint(str(tmp_path / "best.ckpt"),
                             save_best_only=True)
    F.fit(trainer, data(64), epochs=4, batch_size=16, val_data=data(16),
          verbose=0, callbacks=[CountEpochs(), every, best])
    assert [os.path.basename(p) for p in every.saved] == [
        f"step{s}.ckpt" for s in (3, 6, 9, 12, 15)]
    # Best: epochs 1, 2 and 4 improved the val loss.
    assert len(best.saved) == 3
    assert (tmp_path / "best.ckpt").read_text() == "16"
    with pytest.raises(ValueError, match="every_n_steps must be"):
        F.ModelCheckpoint("x", every_n_steps=0)


# --- the real trainers ------------------------------------------------------

def mlp():
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


def test_hetc_trainer_fit_equals_a_step_loop(tmp_path):
    x, y = data(64)
    xv, yv = data(32, seed=5)
    a = hetc.Trainer(mlp(), (16, 4), nn.CrossEntropyLoss(), optim.SGD(lr=0.1))
    b = hetc.Trainer(mlp(), (16, 4), nn.CrossEntropyLoss(), optim.SGD(lr=0.1))
    best = F.ModelCheckpoint(str(tmp_path / "best.ckpt"), monitor="val_loss",
                             save_best_only=True)
    history = a.fit((x, y), epochs=3, shuffle=False, verbose=0,
                    val_data=(xv, yv), callbacks=[best])
    best_loss = None
    for epoch in range(3):
        losses, correct = [], 0
        for i in range(0, 64, 16):
            loss, out = b.session.train_step(x=x[i:i + 16],
                                             labels=y[i:i + 16])
            losses.append(loss)
            correct += int(np.sum(np.argmax(out["output0"], -1) ==
                                  y[i:i + 16]))
        assert history["loss"][epoch] == pytest.approx(np.mean(losses),
                                                       rel=1e-6)
        assert history["accuracy"][epoch] == pytest.approx(correct / 64)
        val = [b.evaluate(xv[i:i + 16], yv[i:i + 16]) for i in (0, 16)]
        val_loss = np.mean([v[0] for v in val])
        assert history["val_loss"][epoch] == pytest.approx(val_loss,
                                                           rel=1e-6)
        if best_loss is None or val_loss < best_loss:
            best_loss, best_state = val_loss, b.state_dict()
    # The best checkpoint holds the best epoch's weights.
    c = hetc.Trainer(mlp(), (16, 4), nn.CrossEntropyLoss(), optim.SGD(lr=0.1))
    c.load(best.best_path)
    for name, value in best_state.items():
        np.testing.assert_allclose(c.state_dict()[name], value, rtol=1e-6)


def test_torch_trainer_fit_with_a_dataloader():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(),
                                torch.nn.Linear(16, 3))
    reference = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(),
                                    torch.nn.Linear(16, 3))
    reference.load_state_dict(model.state_dict())
    x, y = data(64)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x),
                                       torch.from_numpy(y).long()),
        batch_size=16, shuffle=True,
        generator=torch.Generator().manual_seed(0))
    trainer = hetc.torch.compile(
        model, torch.nn.functional.cross_entropy,
        torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
        torch.from_numpy(x[:16]), torch.from_numpy(y[:16]).long())
    history = trainer.fit(loader, epochs=2, verbose=0)
    opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    loader.generator.manual_seed(0)
    for epoch in range(2):
        losses = []
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(reference(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert history["loss"][epoch] == pytest.approx(np.mean(losses),
                                                       rel=1e-4)
