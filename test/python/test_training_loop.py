"""Schedulers driving real training: hetc.Trainer and TorchTrainer through
fit() against torch loops with torch's schedulers (losses within rtol 1e-4
per step), and hetc-train --lr-scheduler against torch's lr sequences."""
import csv
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as tf

import runtime
from conftest import REPO

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
import hetc.torch  # noqa: E402
from hetc import fit as F  # noqa: E402
from hetc import nn, optim  # noqa: E402
from hetc.optim import lr_scheduler as H  # noqa: E402

T = torch.optim.lr_scheduler
RTOL = 1e-4


class StepLosses(F.Callback):
    def __init__(self):
        self.losses = []

    def on_batch_end(self, step, logs):
        self.losses.append(logs["loss"])


def data(n, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, 12)).astype(np.float32),
            rng.integers(0, 4, n).astype(np.int64))


def torch_mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(12, 16), torch.nn.ReLU(),
                               torch.nn.Linear(16, 4))


def torch_loop(model, opt, scheduler, x, y, batch, epochs, per_batch):
    losses, lrs = [], []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        for i in range(0, len(x), batch):
            opt.zero_grad()
            loss = tf.cross_entropy(model(torch.from_numpy(x[i:i + batch])),
                                    torch.from_numpy(y[i:i + batch]))
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if per_batch:
                scheduler.step()
        if not per_batch:
            scheduler.step()
    return losses, lrs


@pytest.mark.parametrize("case", ["onecycle_adam", "cosine_sgd"])
def test_hetc_trainer_scheduled_like_torch(case):
    x, y = data(48)
    reference = torch_mlp()
    model = nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 4))
    if case == "onecycle_adam":
        opt = optim.Adam(lr=0.01)
        ref_opt = torch.optim.Adam(reference.parameters(), lr=0.01)
    else:
        opt = optim.SGD(lr=0.1, momentum=0.9)
        ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1,
                                  momentum=0.9)
    trainer = hetc.Trainer(model, (8, 12), nn.CrossEntropyLoss(), opt)
    trainer.load_state_dict(reference.state_dict())
    if case == "onecycle_adam":
        scheduler = H.OneCycleLR(trainer, 0.05, epochs=4, steps_per_epoch=6)
        ref_scheduler = T.OneCycleLR(ref_opt, 0.05, epochs=4,
                                     steps_per_epoch=6)
    else:
        scheduler = H.CosineAnnealingLR(trainer, T_max=3, eta_min=0.01)
        ref_scheduler = T.CosineAnnealingLR(ref_opt, T_max=3, eta_min=0.01)
    steps = StepLosses()
    history = trainer.fit((x, y.astype(np.int32)), epochs=4, shuffle=False,
                          verbose=0, scheduler=scheduler, callbacks=[steps])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want, lrs = torch_loop(reference, ref_opt, ref_scheduler, x, y, 8,
                               4, per_batch=case == "onecycle_adam")
    np.testing.assert_allclose(steps.losses, want, rtol=RTOL)
    np.testing.assert_allclose(history["lr"], lrs, rtol=1e-6)
    group = trainer.param_groups[0]
    assert group["lr"] == pytest.approx(ref_opt.param_groups[0]["lr"],
                                        rel=1e-6)
    if case == "onecycle_adam":
        assert group["betas"][0] == pytest.approx(
            ref_opt.param_groups[0]["betas"][0], rel=1e-6)


def test_torch_trainer_ported_torch_loop():
    # A torch script's loop, ported: DataLoader, hetc's SequentialLR
    # (warmup then cosine) on the torch optimizer, eval-mode validation.
    x, y = data(48)
    xv, yv = data(16, seed=3)
    model, reference = torch_mlp(), torch_mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x),
                                       torch.from_numpy(y)), batch_size=8)
    trainer = hetc.torch.compile(model, tf.cross_entropy, opt,
                                 torch.from_numpy(x[:8]),
                                 torch.from_numpy(y[:8]))
    scheduler = H.SequentialLR(opt, [H.LinearLR(opt, 0.1, total_iters=3),
                                     H.CosineAnnealingLR(opt, 10)], [3])
    steps = StepLosses()
    history = trainer.fit(loader, epochs=5, val_data=(xv, yv), verbose=0,
                          scheduler=scheduler, scheduler_interval="batch",
                          callbacks=[steps])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_s = T.SequentialLR(ref_opt, [T.LinearLR(ref_opt, 0.1,
                                                    total_iters=3),
                                         T.CosineAnnealingLR(ref_opt, 10)],
                               [3])
        want, _ = torch_loop(reference, ref_opt, ref_s, x, y, 8, 5, True)
    np.testing.assert_allclose(steps.losses, want, rtol=RTOL)
    reference.eval()
    with torch.no_grad():
        val = tf.cross_entropy(reference(torch.from_numpy(xv)),
                               torch.from_numpy(yv)).item()
    assert history["val_loss"][-1] == pytest.approx(val, rel=RTOL)
    assert trainer.training and model.training


# --- hetc-train --lr-scheduler -----------------------------------------------

@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    model = REPO / "examples" / "mlp_digits.mlir"
    # 1437 training rows are 44 batches of 32 and one of 29.
    sizes = "--batch-sizes=32,29"
    return {
        "sgd": runtime.compile_model(model, out / "sgd.hetc", sizes,
                                     "--optimizer=sgd", "--lr=0.1",
                                     "--momentum=0.9"),
        "adam": runtime.compile_model(model, out / "adam.hetc", sizes,
                                      "--optimizer=adam", "--lr=0.01"),
        "plain": runtime.compile_model(model, out / "plain.hetc", sizes,
                                       "--optimizer=sgd", "--lr=0.1"),
    }


def train(tool, artifact, digits, tmp_path, *args, log="log.csv"):
    result = subprocess.run(
        [tool("hetc-train"), str(artifact),
         "--train-x", str(digits / "digits_train_x.npy"),
         "--train-y", str(digits / "digits_train_y.npy"),
         "--test-x", str(digits / "digits_test_x.npy"),
         "--test-y", str(digits / "digits_test_y.npy"),
         "--loss-log", str(tmp_path / log), *map(str, args)],
        capture_output=True, text=True, timeout=300)
    rows = []
    if (tmp_path / log).exists():
        with open(tmp_path / log) as f:
            rows = list(csv.DictReader(f))
    return result, rows


def torch_epoch_lrs(make, epochs, lr=0.1, per_epoch_steps=1):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr,
                          momentum=0.9)
    s = make(opt)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(epochs):
            out.append(opt.param_groups[0]["lr"])
            for _ in range(per_epoch_steps):
                opt.step()
                s.step()
    return out


def test_hetc_train_step_schedule(tool, digits, artifacts, tmp_path):
    result, rows = train(tool, artifacts["sgd"], digits, tmp_path,
                         "--epochs", 6,
                         "--lr-scheduler", "step:step_size=2,gamma=0.5")
    assert result.returncode == 0, result.stderr
    want = torch_epoch_lrs(lambda o: T.StepLR(o, 2, 0.5), 6)
    assert [float(r["lr"]) for r in rows] == pytest.approx(want, rel=1e-7)
    assert "lr 0.05" in result.stdout.splitlines()[3]


def test_hetc_train_one_cycle_per_batch_and_resume(tool, digits, artifacts,
                                                   tmp_path):
    # Every row is trained: 44 batches of 32 and one of 29 per epoch.
    batches = -(-len(np.load(digits / "digits_train_x.npy")) // 32)
    spec = "onecycle:max_lr=0.2"
    result, rows = train(tool, artifacts["adam"], digits, tmp_path,
                         "--epochs", 2, "--lr-scheduler", spec,
                         "--save", tmp_path / "a.ckpt")
    assert result.returncode == 0, result.stderr
    want = torch_epoch_lrs(
        lambda o: T.OneCycleLR(o, 0.2, epochs=4, steps_per_epoch=batches),
        4, per_epoch_steps=batches)
    # This run's OneCycleLR spans its own epochs (2); resumed, the schedule
    # continues where it stopped.
    two = torch_epoch_lrs(
        lambda o: T.OneCycleLR(o, 0.2, epochs=2, steps_per_epoch=batches),
        2, per_epoch_steps=batches)
    assert [float(r["lr"]) for r in rows] == pytest.approx(two, rel=1e-7)
    # The schedule is saved inside the checkpoint, not beside it.
    assert not (tmp_path / "a.ckpt.lr_scheduler").exists()
    assert b"lr_scheduler" in (tmp_path / "a.ckpt").read_bytes()
    resumed, rows = train(tool, artifacts["adam"], digits, tmp_path,
                          "--epochs", 1, "--lr-scheduler", spec,
                          "--resume", tmp_path / "a.ckpt", log="b.csv")
    # The 2-epoch cycle is over: stepping on is refused, like torch.
    assert resumed.returncode != 0
    assert "tried to step" in resumed.stderr
    result, rows = train(tool, artifacts["adam"], digits, tmp_path,
                         "--epochs", 4, "--lr-scheduler", spec)
    assert [float(r["lr"]) for r in rows] == pytest.approx(want, rel=1e-7)


def test_hetc_train_resume_continues_the_schedule(tool, digits, artifacts,
                                                  tmp_path):
    spec = "linear:start_factor=0.25,total_iters=2;2;exponential:gamma=0.5"
    result, rows = train(tool, artifacts["sgd"], digits, tmp_path,
                         "--epochs", 3, "--lr-scheduler", spec,
                         "--save", tmp_path / "c.ckpt")
    assert result.returncode == 0, result.stderr
    resumed, more = train(tool, artifacts["sgd"], digits, tmp_path,
                          "--epochs", 2, "--lr-scheduler", spec,
                          "--resume", tmp_path / "c.ckpt", log="d.csv")
    assert resumed.returncode == 0, resumed.stderr
    want = torch_epoch_lrs(
        lambda o: T.SequentialLR(o, [T.LinearLR(o, 0.25, total_iters=2),
                                     T.ExponentialLR(o, 0.5)], [2]), 5)
    got = [float(r["lr"]) for r in rows + more]
    assert got == pytest.approx(want, rel=1e-7)
    other, _ = train(tool, artifacts["sgd"], digits, tmp_path, "--epochs", 1,
                     "--lr-scheduler", "step:step_size=1",
                     "--resume", tmp_path / "c.ckpt", log="e.csv")
    assert other.returncode != 0
    assert "holds the state of --lr-scheduler=" in other.stderr


@pytest.mark.parametrize("spec", [
    "linear:start_factor=0.25,total_iters=2;2;exponential:gamma=0.5",
    "plateau:patience=0,factor=0.5,threshold=0.5",
    "onecycle:max_lr=0.2,epochs=3,steps_per_epoch=45",
])
def test_hetc_train_resumed_equals_uninterrupted(tool, digits, artifacts,
                                                 tmp_path, spec):
    """2 epochs, saved, then 1 resumed epoch give the losses, lrs and the
    checkpoint (parameters, optimizer state, schedule) of 3 epochs in one
    run, bit for bit."""
    model = artifacts["adam" if spec.startswith("onecycle") else "sgd"]
    first, rows = train(tool, model, digits, tmp_path, "--epochs", 2,
                        "--lr-scheduler", spec, "--save", tmp_path / "a.ckpt",
                        log="a.csv")
    assert first.returncode == 0, first.stderr
    resumed, more = train(tool, model, digits, tmp_path, "--epochs", 1,
                          "--lr-scheduler", spec, "--resume",
                          tmp_path / "a.ckpt", "--save", tmp_path / "b.ckpt",
                          log="b.csv")
    assert resumed.returncode == 0, resumed.stderr
    whole, want = train(tool, model, digits, tmp_path, "--epochs", 3,
                        "--lr-scheduler", spec, "--save", tmp_path / "c.ckpt",
                        log="c.csv")
    assert whole.returncode == 0, whole.stderr
    assert len(want) == 3
    assert rows + more == want
    assert ((tmp_path / "b.ckpt").read_bytes()
            == (tmp_path / "c.ckpt").read_bytes())


def test_hetc_train_refuses_to_restart_a_schedule_on_resume(tool, digits,
                                                            artifacts,
                                                            tmp_path):
    """A checkpoint saved without --lr-scheduler (or with the state in the
    sidecar file older hetc-trains wrote) holds no schedule: resuming with
    one is an error, not a schedule silently started over."""
    first, _ = train(tool, artifacts["sgd"], digits, tmp_path, "--epochs", 1,
                     "--save", tmp_path / "a.ckpt")
    assert first.returncode == 0, first.stderr
    (tmp_path / "a.ckpt.lr_scheduler").write_text(
        "step:step_size=1\nstep:step_size=1\nlast_epoch=1\n")
    resumed, rows = train(tool, artifacts["sgd"], digits, tmp_path,
                          "--epochs", 1, "--lr-scheduler", "step:step_size=1",
                          "--resume", tmp_path / "a.ckpt", log="b.csv")
    assert resumed.returncode == 1
    assert (f"checkpoint '{tmp_path / 'a.ckpt'}' holds no lr scheduler "
            "state" in resumed.stderr)
    assert rows == []
    assert "epoch" not in resumed.stdout
    # Without --lr-scheduler the checkpoint resumes as before.
    plain, rows = train(tool, artifacts["sgd"], digits, tmp_path, "--epochs",
                        1, "--resume", tmp_path / "a.ckpt", log="c.csv")
    assert plain.returncode == 0, plain.stderr
    assert [r["epoch"] for r in rows] == ["2"]


def test_hetc_train_plateau_on_test_loss(tool, digits, artifacts, tmp_path):
    result, rows = train(tool, artifacts["sgd"], digits, tmp_path,
                         "--epochs", 6, "--lr-scheduler",
                         "plateau:patience=0,factor=0.5,threshold=0.5")
    assert result.returncode == 0, result.stderr
    losses = [float(r["test_loss"]) for r in rows]
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    s = T.ReduceLROnPlateau(opt, patience=0, factor=0.5, threshold=0.5)
    want = []
    for loss in losses:
        want.append(opt.param_groups[0]["lr"])
        s.step(loss)
    assert [float(r["lr"]) for r in rows] == pytest.approx(want, rel=1e-7)
    assert want[-1] < want[0]


@pytest.mark.parametrize("model, spec, error", [
    ("sgd", "warmup:x=1", "unknown lr scheduler 'warmup'"),
    ("sgd", "step", "missing option 'step_size'"),
    ("sgd", "exponential:gamma=-0.5", "option 'gamma' must not be negative"),
    ("plain", "onecycle:max_lr=0.1",
     "optimizer must support momentum with `cycle_momentum`"),
])
def test_hetc_train_bad_schedules(tool, digits, artifacts, tmp_path, model,
                                  spec, error):
    result, _ = train(tool, artifacts[model], digits, tmp_path, "--epochs",
                      1, "--lr-scheduler", spec)
    assert result.returncode != 0
    assert error in result.stderr
    assert "epoch 1/1" not in result.stdout


def test_trainer_groups_follow_torch_double_sequence():
    # A trainer's group stores the lr as f32; the scheduler still follows
    # torch's double sequence (it recognizes its own writes).
    trainer = hetc.Trainer(nn.Sequential(nn.Linear(12, 4)), (8, 12),
                           nn.CrossEntropyLoss(),
                           optim.SGD(lr=0.1, momentum=0.9))
    ours = H.CosineAnnealingLR(trainer, T_max=37, eta_min=1e-3)
    # The compiled initial lr is the f32 nearest 0.1.
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))],
                          lr=float(np.float32(0.1)), momentum=0.9)
    theirs = T.CosineAnnealingLR(opt, T_max=37, eta_min=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(200):
            opt.step()
            theirs.step()
            ours.step()
            assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(),
                                                       rel=1e-12, abs=1e-15)
            assert trainer.param_groups[0]["lr"] == float(
                np.float32(theirs.get_last_lr()[0]))
    # A value set from outside is taken as it is, as torch's chainable
    # forms do.
    trainer.param_groups[0]["lr"] = 0.5
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    theirs.step()
    ours.step()
    assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(),
                                               rel=1e-7)
