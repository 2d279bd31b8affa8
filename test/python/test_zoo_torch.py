"""The model zoo trained through hetc.torch against torch itself.

For each zoo model and optimizer: ten steps from identical weights, the loss
matches torch's at every step (rtol 1e-4); then a fresh module loads
trainer.state_dict() and torch's eval() logits equal hetc's eval logits,
with the buffers (BatchNorm running statistics, num_batches_tracked) equal
to those of the torch run.

Dropout: hetc draws its mask from a counter-based hash of a per-step seed,
not from torch's RNG. The torch reference replays hetc's mask: the hash is
replicated in numpy (dropout_keep below, from the hetc.dropout lowering in
lib/Conversion/HetcToLinalg/ElementwisePatterns.cpp) and a forward hook on
each nn.Dropout applies it with the seed the trainer fed that step.
"""
import copy
import math
import sys

import numpy as np
import pytest
import torch

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
import hetc.torch  # noqa: E402

from zoo import ZOO  # noqa: E402

RTOL = 1e-4
STEPS = 10

OPTIMIZERS = {
    "sgd_momentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
    "adam": lambda ps: torch.optim.Adam(ps, lr=0.01),
}

def dropout_keep(seed, shape, p):
    """hetc.dropout's keep mask: splitmix64(seed * golden + linear index),
    keep iff its top 24 bits t >= ceil(p * 2^24) (docs/reproducibility.md)."""
    with np.errstate(over="ignore"):
        idx = np.arange(int(np.prod(shape)), dtype=np.uint64)
        z = np.uint64(seed & (2**64 - 1)) * np.uint64(0x9E3779B97F4A7C15) + idx
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    threshold = np.uint64(math.ceil(math.ldexp(p, 24)))
    return ((z >> np.uint64(40)) >= threshold).reshape(shape)


class ReplayDropout:
    """Makes a torch module's nn.Dropout layers apply hetc's masks."""

    def __init__(self, module):
        self.seeds, self.calls = [], 0
        for m in module.modules():
            if isinstance(m, torch.nn.Dropout):
                m.register_forward_hook(self.hook)

    def hook(self, module, inputs, output):
        if not module.training or module.p == 0:
            return output
        seed = self.seeds[self.calls]
        self.calls += 1
        keep = torch.from_numpy(dropout_keep(seed, tuple(inputs[0].shape),
                                             module.p))
        scale = torch.tensor(1.0 / (1.0 - module.p), dtype=torch.float32)
        return torch.where(keep, inputs[0] * scale, torch.zeros(()))

    def use(self, trainer):
        self.seeds = [trainer.seeds[f"dropout_seed{i}"]
                      for i in range(trainer.seed_count)]
        self.calls = 0


def _rel(a, b):
    return abs(a - b) / max(abs(b), 1e-12)


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
@pytest.mark.parametrize("entry", ZOO, ids=[e.name for e in ZOO])
def test_zoo_trains_like_torch(entry, opt):
    torch.manual_seed(0)
    model = entry.make()
    reference = copy.deepcopy(model)
    rng = np.random.default_rng(1)
    x, y = entry.batch(rng)
    trainer = hetc.torch.compile(model, entry.torch_loss,
                                 OPTIMIZERS[opt](model.parameters()),
                                 torch.from_numpy(x), torch.from_numpy(y))
    ref_opt = OPTIMIZERS[opt](reference.parameters())
    replay = ReplayDropout(reference)
    worst = 0.0
    for step in range(STEPS):
        x, y = entry.batch(rng)
        loss = trainer.step(torch.from_numpy(x), torch.from_numpy(y))
        replay.use(trainer)
        ref_opt.zero_grad()
        ref_loss = entry.torch_loss(reference(torch.from_numpy(x)),
                                    torch.from_numpy(y))
        ref_loss.backward()
        ref_opt.step()
        worst = max(worst, _rel(loss, ref_loss.item()))
        assert loss == pytest.approx(ref_loss.item(), rel=RTOL), \
            f"step {step}"
    print(f"\nzoo {entry.name} {opt}: max relative loss difference "
          f"{worst:.3g}")

    # The trainer's state loads into a fresh module; torch's eval() logits
    # then equal hetc's eval logits, and every buffer equals the torch run's.
    fresh = entry.make()
    fresh.load_state_dict(trainer.state_dict())
    fresh.eval()
    reference.eval()
    x, y = entry.batch(rng)
    with torch.no_grad():
        expected = fresh(torch.from_numpy(x))
        ref_out = reference(torch.from_numpy(x))
    got = trainer.eval_forward(torch.from_numpy(x))
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=RTOL,
                               atol=1e-5)
    np.testing.assert_allclose(got.numpy(), ref_out.numpy(), rtol=1e-3,
                               atol=1e-4)
    loss, _ = trainer.evaluate(torch.from_numpy(x), torch.from_numpy(y))
    with torch.no_grad():
        ref_loss = entry.torch_loss(expected, torch.from_numpy(y)).item()
    assert loss == pytest.approx(ref_loss, rel=RTOL)
    for name, buf in reference.named_buffers():
        mine = trainer.state_dict()[name]
        assert mine.dtype == buf.dtype, name
        np.testing.assert_allclose(mine.numpy(), buf.numpy(), rtol=1e-3,
                                   atol=1e-5, err_msg=name)
    # The module itself was kept in sync after every step.
    for name, t in model.state_dict().items():
        np.testing.assert_array_equal(t.numpy(),
                                      trainer.state_dict()[name].numpy())


@pytest.mark.parametrize("name", ["resnet", "gpt", "mobilenet", "lstm",
                                  "gru"])
def test_zoo_trains_like_torch_on_vulkan(name):
    """A few zoo models, three SGD-momentum steps on the Vulkan target."""
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    entry = next(e for e in ZOO if e.name == name)
    torch.manual_seed(0)
    model = entry.make()
    reference = copy.deepcopy(model)
    rng = np.random.default_rng(2)
    x, y = entry.batch(rng)
    make_opt = OPTIMIZERS["sgd_momentum"]
    trainer = hetc.torch.compile(model, entry.torch_loss,
                                 make_opt(model.parameters()),
                                 torch.from_numpy(x), torch.from_numpy(y),
                                 target="vulkan")
    ref_opt = make_opt(reference.parameters())
    for step in range(3):
        x, y = entry.batch(rng)
        loss = trainer.step(x, y)
        ref_opt.zero_grad()
        ref_loss = entry.torch_loss(reference(torch.from_numpy(x)),
                                    torch.from_numpy(y))
        ref_loss.backward()
        ref_opt.step()
        assert loss == pytest.approx(ref_loss.item(), rel=RTOL), \
            f"step {step}"
    reference.eval()
    x, _ = entry.batch(rng)
    with torch.no_grad():
        expected = reference(torch.from_numpy(x))
    np.testing.assert_allclose(trainer.eval_forward(x).numpy(),
                               expected.numpy(), rtol=1e-3, atol=1e-5)
