"""Training equivalence with PyTorch through the Python API: an MLP and a
small CNN (conv, pool, batch_norm, linear), 20 steps with SGD and with Adam
from identical parameters; hetc's loss matches torch's at every step
(relative 1e-4; convolution and batch-norm reductions sum in a different
order than torch's, so f32 rounding differs slightly and grows over steps).
"""
import sys

import numpy as np
import pytest
import torch

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
from hetc import nn, optim  # noqa: E402


def mlp():
    return (nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 5)),
            torch.nn.Sequential(torch.nn.Linear(20, 32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 5)),
            (16, 20))


def cnn():
    # No bias before batch norm: its exact gradient is zero, so under Adam it
    # would follow rounding noise (differently in each framework).
    h = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False),
                      nn.BatchNorm2d(4),
                      nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3),
                      nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
                      nn.Linear(6, 5))
    t = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1, bias=False),
        torch.nn.BatchNorm2d(4),
        torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 6, 3),
        torch.nn.Tanh(), torch.nn.AvgPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(6, 5))
    return h, t, (8, 1, 8, 8)


OPTIMIZERS = {
    "sgd": (lambda: optim.SGD(lr=0.05, momentum=0.9),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "adam": (lambda: optim.Adam(lr=0.01),
             lambda p: torch.optim.Adam(p, lr=0.01)),
}


@pytest.mark.parametrize("make_model", [mlp, cnn], ids=["mlp", "cnn"])
@pytest.mark.parametrize("opt", OPTIMIZERS)
def test_training_matches_torch_for_20_steps(make_model, opt):
    model, twin, shape = make_model()
    make_hetc_opt, make_torch_opt = OPTIMIZERS[opt]
    trainer = hetc.Trainer(model, shape, nn.CrossEntropyLoss(),
                           make_hetc_opt(), seed=1)
    # Same starting point: torch's parameters, copied by name.
    trainer.load_state_dict({k: v.detach().numpy() for k, v in
                             twin.state_dict().items()
                             if k in trainer.param_names})
    assert sorted(trainer.param_names) == sorted(
        k for k, _ in twin.named_parameters())
    torch_opt = make_torch_opt(twin.parameters())
    rng = np.random.default_rng(7)
    for step in range(20):
        x = rng.standard_normal(shape).astype(np.float32)
        y = rng.integers(0, 5, shape[0]).astype(np.int32)
        loss = trainer.step(x, y)
        torch_opt.zero_grad()
        expected = torch.nn.functional.cross_entropy(
            twin(torch.tensor(x)), torch.tensor(y).long())
        expected.backward()
        torch_opt.step()
        assert loss == pytest.approx(expected.item(), rel=1e-4, abs=1e-5), \
            f"step {step}"
    for name, value in trainer.state_dict().items():
        np.testing.assert_allclose(value, twin.state_dict()[name].numpy(),
                                   atol=2e-4, err_msg=name)


def test_builder_errors_and_dropout():
    with pytest.raises(ValueError, match="Linear expects 21 input features"):
        hetc.Trainer(nn.Linear(21, 2), (4, 20), nn.CrossEntropyLoss(),
                     optim.SGD(lr=0.1))
    with pytest.raises(ValueError, match="dropout probability"):
        nn.Dropout(1.5)
    # Dropout gets a fresh seed every step: two steps differ, eval does not
    # depend on the step.
    model = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.5), nn.Linear(16, 3))
    trainer = hetc.Trainer(model, (4, 8), nn.MSELoss(), optim.SGD(lr=0.0001))
    x = np.ones((4, 8), np.float32)
    target = np.zeros((4, 3), np.float32)
    assert trainer.step(x, target) != trainer.step(x, target)
