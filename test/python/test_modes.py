"""train()/eval() modes of hetc.Trainer and hetc.torch's TorchTrainer, and
train/eval equivalence with torch after training with fit().

A CNN with BatchNorm and Dropout and a transformer block (LayerNorm,
attention, Dropout) train through TorchTrainer.fit on a DataLoader; a torch
twin trains on the same batches, replaying hetc's dropout masks
(test_zoo_torch.ReplayDropout). Then the eval-mode outputs and loss equal
torch's model.eval() ones (rtol 1e-4), the running statistics and
num_batches_tracked equal torch's, and a checkpoint round trip keeps them.
"""
import copy
import math
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as tf
from torch import nn as tnn

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
import hetc.torch  # noqa: E402
from hetc import fit as F  # noqa: E402
from hetc import nn, optim  # noqa: E402

from test_zoo_torch import ReplayDropout  # noqa: E402

RTOL = 1e-4


def test_hetc_trainer_modes():
    model = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.ReLU(),
                          nn.Dropout(0.5), nn.Linear(8, 3))
    trainer = hetc.Trainer(model, (8, 4), nn.CrossEntropyLoss(),
                           optim.SGD(lr=0.1))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = rng.integers(0, 3, 8).astype(np.int32)
    assert trainer.training
    with pytest.raises(RuntimeError, match="forward in train mode"):
        trainer(x)
    trainer.step(x, y)
    assert trainer.eval() is trainer and not trainer.training
    out = trainer(x)
    np.testing.assert_array_equal(out, trainer.evaluate(x, y)[1])
    np.testing.assert_array_equal(trainer.forward(x), out)  # deterministic
    with pytest.raises(RuntimeError, match="step\\(\\) in eval mode"):
        trainer.step(x, y)
    assert trainer.train() is trainer and trainer.training
    trainer.step(x, y)


def test_torch_trainer_mode_is_the_modules():
    model = tnn.Sequential(tnn.Linear(4, 8), tnn.Dropout(0.5),
                           tnn.Linear(8, 3))
    x, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
    trainer = hetc.torch.compile(
        model, tf.cross_entropy, torch.optim.SGD(model.parameters(), lr=0.1),
        x, y)
    assert trainer.training and model.training
    with pytest.raises(RuntimeError, match="forward in train mode"):
        trainer(x)
    trainer.eval()
    assert not model.training and not model[1].training
    torch.testing.assert_close(trainer(x), trainer.eval_forward(x))
    with pytest.raises(RuntimeError, match="step\\(\\) in eval mode"):
        trainer.step(x, y)
    model.train()  # the module's own flag is the trainer's mode
    assert trainer.training
    trainer.step(x, y)


class CNN(tnn.Module):
    def __init__(self):
        super().__init__()
        self.conv = tnn.Conv2d(1, 6, 3, padding=1)
        self.bn = tnn.BatchNorm2d(6)
        self.drop = tnn.Dropout(0.3)
        self.fc = tnn.Linear(6 * 4 * 4, 4)
        self.bn1 = tnn.BatchNorm1d(4)

    def forward(self, x):
        h = tf.max_pool2d(tf.relu(self.bn(self.conv(x))), 2)
        return self.bn1(self.fc(self.drop(h.flatten(1))))


class Block(tnn.Module):
    """A pre-norm transformer block with dropout, then a classifier."""

    def __init__(self, d=16, heads=2, seq=6, classes=5):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = tnn.LayerNorm(d), tnn.LayerNorm(d)
        self.qkv, self.proj = tnn.Linear(d, 3 * d), tnn.Linear(d, d)
        self.attn_drop, self.drop = tnn.Dropout(0.1), tnn.Dropout(0.2)
        self.mlp = tnn.Sequential(tnn.Linear(d, 2 * d), tnn.GELU(),
                                  tnn.Linear(2 * d, d))
        self.head = tnn.Linear(d * seq, classes)

    def attention(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2)
                   for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // self.heads))
        att = self.attn_drop(tf.softmax(att, dim=-1))
        return self.proj((att @ v).transpose(1, 2).reshape(b, t, d))

    def forward(self, x):
        x = x + self.drop(self.attention(self.ln1(x)))
        x = x + self.drop(self.mlp(self.ln2(x)))
        return self.head(x.flatten(1))


class Seeds(F.Callback):
    """Records the dropout seeds hetc fed at every step."""

    def __init__(self):
        self.steps = []

    def on_batch_end(self, step, logs):
        t = self.trainer
        self.steps.append([t.seeds[f"dropout_seed{i}"]
                           for i in range(t.seed_count)])


class _Fed:
    def __init__(self, seeds):
        self.seeds = {f"dropout_seed{i}": s for i, s in enumerate(seeds)}
        self.seed_count = len(seeds)


def train_twins(make, x, y, batch, epochs, make_opt):
    torch.manual_seed(0)
    model = make()
    reference = copy.deepcopy(model)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x),
                                             torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=batch, shuffle=True,
        generator=torch.Generator().manual_seed(1))
    trainer = hetc.torch.compile(model, tf.cross_entropy,
                                 make_opt(model.parameters()),
                                 torch.from_numpy(x[:batch]),
                                 torch.from_numpy(y[:batch]))
    seeds = Seeds()
    history = trainer.fit(loader, epochs=epochs, verbose=0,
                          callbacks=[seeds])
    # torch on the same batches, in the same order, with hetc's masks.
    opt = make_opt(reference.parameters())
    replay = ReplayDropout(reference)
    loader.generator.manual_seed(1)
    losses, step = [], 0
    for _ in range(epochs):
        epoch_losses = []
        for xb, yb in loader:
            replay.use(_Fed(seeds.steps[step]))
            step += 1
            opt.zero_grad()
            loss = tf.cross_entropy(reference(xb), yb)
            loss.backward()
            opt.step()
            epoch_losses.append(loss.item())
        losses.append(np.mean(epoch_losses))
    np.testing.assert_allclose(history["loss"], losses, rtol=RTOL)
    return trainer, model, reference


def check_eval_equivalence(trainer, model, reference, x, y):
    trainer.eval()
    reference.eval()
    assert not model.training
    with torch.no_grad():
        want = reference(torch.from_numpy(x))
        want_loss = tf.cross_entropy(want, torch.from_numpy(y)).item()
    got = trainer(torch.from_numpy(x))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=RTOL,
                               atol=1e-5)
    loss, _ = trainer.evaluate(torch.from_numpy(x), torch.from_numpy(y))
    assert loss == pytest.approx(want_loss, rel=RTOL)
    mine = trainer.state_dict()
    for name, buf in reference.named_buffers():
        np.testing.assert_allclose(mine[name].numpy(), buf.numpy(),
                                   rtol=RTOL, atol=1e-6, err_msg=name)
    return got


def data(n, shape, classes, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n,) + shape).astype(np.float32),
            rng.integers(0, classes, n).astype(np.int64))


def test_cnn_with_batchnorm_and_dropout_matches_torch(tmp_path):
    x, y = data(48, (1, 8, 8), 4)
    trainer, model, reference = train_twins(
        CNN, x, y, batch=8, epochs=3,
        make_opt=lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))
    assert int(trainer.state_dict()["bn.num_batches_tracked"]) == 18
    xt, yt = data(8, (1, 8, 8), 4, seed=7)
    got = check_eval_equivalence(trainer, model, reference, xt, yt)

    # A checkpoint round trip keeps the running statistics and the
    # host-side num_batches_tracked counters.
    trainer.save(tmp_path / "cnn.ckpt")
    torch.manual_seed(5)
    other_model = CNN()
    other = hetc.torch.compile(
        other_model, tf.cross_entropy,
        torch.optim.SGD(other_model.parameters(), lr=0.05, momentum=0.9),
        torch.from_numpy(x[:8]), torch.from_numpy(y[:8]))
    other.load(tmp_path / "cnn.ckpt")
    for name, value in trainer.state_dict().items():
        torch.testing.assert_close(other.state_dict()[name], value,
                                   rtol=0, atol=0, msg=name)
    assert int(other_model.bn.num_batches_tracked) == 18
    other.eval()
    torch.testing.assert_close(other(torch.from_numpy(xt)), got, rtol=1e-6,
                               atol=1e-7)


def test_transformer_block_matches_torch():
    x, y = data(24, (6, 16), 5, seed=2)
    trainer, model, reference = train_twins(
        Block, x, y, batch=4, epochs=2,
        make_opt=lambda p: torch.optim.Adam(p, lr=0.01))
    xt, yt = data(4, (6, 16), 5, seed=9)
    check_eval_equivalence(trainer, model, reference, xt, yt)
