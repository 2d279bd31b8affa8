"""A torch training script and its line-for-line hetc port
(examples/port/): DataLoader with an odd dataset size, OneCycleLR, gradient
clipping, BatchNorm and Dropout, model.eval() for validation. Without
dropout (whose masks come from different generators) the two give the same
losses step by step; with dropout the same accuracy."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import runtime
from conftest import REPO

PORT = REPO / "examples" / "port"


def run(script, tmp_path, *args):
    log = tmp_path / (script + ".json")
    env = dict(os.environ,
               PYTHONPATH=str(runtime.build_dir() / "python_packages"))
    result = subprocess.run(
        [sys.executable, str(PORT / script), "--log", str(log), *args],
        capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(log.read_text()), result.stdout


def test_port_differs_from_the_torch_script_only_in_the_step():
    torch_lines = (PORT / "train_torch.py").read_text().splitlines()
    hetc_lines = (PORT / "train_hetc.py").read_text().splitlines()
    # Everything from the model down to the data and the scheduler is the
    # same text; the loop is the same apart from the step itself.
    body = torch_lines[torch_lines.index("def make_model(dropout):"):]
    start = hetc_lines.index("def make_model(dropout):")
    assert hetc_lines[start:start + 24] == body[:24]


def test_port_gives_torchs_losses_without_dropout(tmp_path):
    epochs = ["--epochs", "2", "--dropout", "0"]
    torch_log, _ = run("train_torch.py", tmp_path, *epochs)
    hetc_log, out = run("train_hetc.py", tmp_path, *epochs)
    # 1437 rows at batch 64: 22 full batches and one of 29, every epoch.
    assert len(hetc_log["train"]) == len(torch_log["train"]) == 2 * 23
    np.testing.assert_allclose(hetc_log["train"], torch_log["train"],
                               rtol=1e-4)
    np.testing.assert_allclose(hetc_log["val"], torch_log["val"], rtol=1e-4)
    assert "val accuracy" in out


def test_port_with_dropout_reaches_torchs_accuracy(tmp_path):
    epochs = ["--epochs", "3", "--dropout", "0.2"]
    torch_log, _ = run("train_torch.py", tmp_path, *epochs)
    hetc_log, _ = run("train_hetc.py", tmp_path, *epochs)
    torch_acc, hetc_acc = torch_log["val"][-1][1], hetc_log["val"][-1][1]
    assert hetc_acc > 0.9 and abs(hetc_acc - torch_acc) < 0.03


def test_scheduler_after_a_hetc_step_does_not_warn():
    # torch's lr_scheduler warns when optimizer.step() never ran; the port
    # steps the scheduler after trainer.step(), as torch users do.
    import warnings
    import torch
    sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
    import hetc.torch
    model = torch.nn.Linear(4, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1, 0.5)
    x, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
    trainer = hetc.torch.compile(model, torch.nn.functional.cross_entropy,
                                 optimizer, x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.step(x, y)
        scheduler.step()
    # The scheduler's value reaches hetc before the next step.
    trainer.step(x, y)
    assert trainer.param_groups[0]["lr"] == pytest.approx(0.05)
