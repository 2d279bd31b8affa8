"""hetc.nn layers against their torch.nn twins: ten training steps from
identical weights (losses within rtol 1e-4), then eval-mode outputs, with
BatchNorm running statistics and Dropout following torch's train/eval
semantics. Parameter names and shapes must equal torch's state_dict."""
import sys

import numpy as np
import pytest
import torch
import torch.nn as tnn

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
from hetc import nn, optim  # noqa: E402


class Last(tnn.Module):
    """torch twin of taking the last step of a recurrent output."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)[0][:, -1]


class HLast(nn.Module):
    def __init__(self, rnn):
        self.rnn = rnn

    def emit(self, g, x, prefix):
        y = self.rnn(g, x, prefix + "rnn.")
        n, t, h = y.shape
        return g.reshape(g.slice(y, [0, t - 1, 0], [n, 1, h], [1, 1, 1]),
                         [n, h])


class SelfAttention(tnn.Module):
    def __init__(self, e, heads, causal):
        super().__init__()
        self.attn = tnn.MultiheadAttention(e, heads, batch_first=True)
        self.causal = causal

    def forward(self, x):
        t = x.shape[1]
        mask = (torch.triu(torch.full((t, t), float("-inf")), 1)
                if self.causal else None)
        return self.attn(x, x, x, attn_mask=mask, need_weights=False)[0]


class HSelfAttention(nn.Module):
    def __init__(self, e, heads, causal):
        self.attn = nn.MultiheadAttention(e, heads, causal=causal)

    def emit(self, g, x, prefix):
        return self.attn(g, x, prefix + "attn.")


def seq(*pairs):
    return (nn.Sequential(*[h for h, _ in pairs]),
            tnn.Sequential(*[t for _, t in pairs]))


def flat_head(features, classes):
    return [(nn.Flatten(), tnn.Flatten()),
            (nn.Linear(features, classes), tnn.Linear(features, classes))]


CASES = {
    "residual_bn_adaptive_pool": lambda: (
        nn.Sequential(
            nn.Conv2d(2, 4, 3, padding=1),
            nn.Residual(nn.Sequential(nn.BatchNorm2d(4), nn.ReLU(),
                                      nn.Conv2d(4, 4, 3, padding=1))),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)),
        None, (4, 2, 6, 6), "ce"),
    "relu6_hardtanh_leaky_dropout": lambda: seq(
        (nn.Linear(6, 16), tnn.Linear(6, 16)), (nn.ReLU6(), tnn.ReLU6()),
        (nn.Dropout(0.0), tnn.Dropout(0.0)),
        (nn.Linear(16, 16), tnn.Linear(16, 16)),
        (nn.Hardtanh(-0.5, 0.5), tnn.Hardtanh(-0.5, 0.5)),
        (nn.Linear(16, 8), tnn.Linear(16, 8)),
        (nn.LeakyReLU(0.2), tnn.LeakyReLU(0.2)),
        (nn.Linear(8, 3), tnn.Linear(8, 3))) + ((5, 6), "ce"),
    "batchnorm_eval": lambda: seq(
        (nn.Conv2d(1, 3, 3), tnn.Conv2d(1, 3, 3)),
        (nn.BatchNorm2d(3, momentum=0.3), tnn.BatchNorm2d(3, momentum=0.3)),
        (nn.Tanh(), tnn.Tanh()), *flat_head(3 * 4 * 4, 3)) +
    ((4, 1, 6, 6), "ce"),
    "lstm": lambda: (nn.Sequential(HLast(nn.LSTM(5, 7)), nn.Linear(7, 3)),
                     tnn.Sequential(Last(tnn.LSTM(5, 7, batch_first=True)),
                                    tnn.Linear(7, 3)), (3, 4, 5), "ce"),
    "gru_two_layers": lambda: (
        nn.Sequential(HLast(nn.GRU(5, 6, num_layers=2)), nn.Linear(6, 3)),
        tnn.Sequential(Last(tnn.GRU(5, 6, num_layers=2, batch_first=True)),
                       tnn.Linear(6, 3)), (3, 4, 5), "ce"),
    "multihead_attention_causal": lambda: (
        nn.Sequential(HSelfAttention(8, 2, True), nn.Flatten(),
                      nn.Linear(8 * 5, 3)),
        tnn.Sequential(SelfAttention(8, 2, True), tnn.Flatten(),
                       tnn.Linear(8 * 5, 3)), (2, 5, 8), "ce"),
    "conv_transpose_upsample": lambda: seq(
        (nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1),
         tnn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1)),
        (nn.ReLU(), tnn.ReLU()),
        (nn.Upsample(scale_factor=2, mode="bilinear"),
         tnn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)),
        (nn.Conv2d(3, 1, 3, padding=1), tnn.Conv2d(3, 1, 3, padding=1)),
        (nn.Upsample(size=(20, 20)), tnn.Upsample(size=(20, 20)))) +
    ((2, 2, 5, 5), "mse"),
    "pools_dilated_ceil_mode": lambda: seq(
        (nn.Conv2d(2, 3, 3, padding=1), tnn.Conv2d(2, 3, 3, padding=1)),
        (nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True),
         tnn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True)),
        (nn.AvgPool2d(2, 2, 1, ceil_mode=True, count_include_pad=False),
         tnn.AvgPool2d(2, 2, 1, ceil_mode=True, count_include_pad=False)),
        *flat_head(3 * 3 * 3, 3)) + ((2, 2, 11, 11), "ce"),
}

LOSSES = {"ce": (nn.CrossEntropyLoss, tnn.functional.cross_entropy),
          "mse": (nn.MSELoss, tnn.functional.mse_loss)}


def torch_twin(name):
    """The torch twin of the residual case (built here: torch has no
    Residual container)."""
    class Block(tnn.Module):
        def __init__(self):
            super().__init__()
            self.body = tnn.Sequential(tnn.BatchNorm2d(4), tnn.ReLU(),
                                       tnn.Conv2d(4, 4, 3, padding=1))

        def forward(self, x):
            return self.body(x) + x

    net = tnn.Sequential(tnn.Conv2d(2, 4, 3, padding=1), Block(),
                         tnn.AdaptiveAvgPool2d(1), tnn.Flatten(),
                         tnn.Linear(4, 3))
    # hetc's Residual names its body's parameters without a "body." level.
    return net, {k.replace("1.body.", "1."): k for k in net.state_dict()}


def labels_for(kind, out_shape, rng):
    if kind == "ce":
        return rng.integers(0, out_shape[-1], out_shape[0]).astype(np.int32)
    return rng.standard_normal(out_shape).astype(np.float32)


@pytest.mark.parametrize("name", CASES)
def test_layer_trains_and_evaluates_like_torch(name):
    torch.manual_seed(0)
    model, twin, shape, kind = CASES[name]()
    names = None
    if twin is None:
        twin, names = torch_twin(name)
    names = names or {k: k for k in twin.state_dict()}
    make_loss, torch_loss = LOSSES[kind]
    trainer = hetc.Trainer(model, shape, make_loss(),
                           optim.SGD(lr=0.05, momentum=0.9))
    state = twin.state_dict()
    hetc_names = set(trainer.param_names + trainer.buffer_names)
    torch_names = {h for h, t in names.items()
                   if not t.endswith("num_batches_tracked")}
    assert hetc_names == torch_names
    trainer.load_state_dict({h: state[t].numpy() for h, t in names.items()
                             if h in hetc_names})
    opt = torch.optim.SGD(twin.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(3)
    twin.eval()  # a shape probe that leaves the running statistics alone
    with torch.no_grad():
        out_shape = twin(torch.zeros(shape)).shape
    twin.train()
    for step in range(10):
        x = rng.standard_normal(shape).astype(np.float32)
        y = labels_for(kind, out_shape, rng)
        loss = trainer.step(x, y)
        opt.zero_grad()
        target = torch.tensor(y).long() if kind == "ce" else torch.tensor(y)
        expected = torch_loss(twin(torch.tensor(x)), target)
        expected.backward()
        opt.step()
        assert loss == pytest.approx(expected.item(), rel=1e-4, abs=1e-6), \
            f"step {step}"
    # Running statistics and weights after training, then eval mode.
    state = twin.state_dict()
    for h, value in trainer.state_dict().items():
        np.testing.assert_allclose(value, state[names[h]].numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=h)
    twin.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    with torch.no_grad():
        expected = twin(torch.tensor(x)).numpy()
    y = labels_for(kind, expected.shape, rng)
    _, got = trainer.evaluate(x, y)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_eval_mode_disables_dropout_and_keeps_state():
    model = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.5), nn.Linear(16, 3))
    trainer = hetc.Trainer(model, (4, 8), nn.CrossEntropyLoss(),
                           optim.SGD(lr=0.1))
    x = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    y = np.array([0, 1, 2, 0], np.int32)
    first = trainer.evaluate(x, y)
    assert trainer.evaluate(x, y)[0] == first[0]
    # No dropout in eval: the output is the plain two-layer product.
    sd = trainer.state_dict()
    h = x @ sd["0.weight"].T + sd["0.bias"]
    expected = h @ sd["2.weight"].T + sd["2.bias"]
    np.testing.assert_allclose(first[1], expected, rtol=1e-5, atol=1e-6)


LOSS_CASES = [
    ("nll", nn.NLLLoss, lambda o, y: tnn.functional.nll_loss(
        tnn.functional.log_softmax(o, 1), y.long()), "label"),
    ("bce_with_logits", nn.BCEWithLogitsLoss,
     tnn.functional.binary_cross_entropy_with_logits, "target01"),
    ("smooth_l1", lambda: nn.SmoothL1Loss(0.5),
     lambda o, y: tnn.functional.smooth_l1_loss(o, y, beta=0.5), "target"),
    ("huber", lambda: nn.HuberLoss(0.7),
     lambda o, y: tnn.functional.huber_loss(o, y, delta=0.7), "target"),
]


class LogSoftmax(nn.Module):
    def emit(self, g, x, prefix):
        return g.log_softmax(x, 1)


@pytest.mark.parametrize("case", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_losses_match_torch(case):
    name, make, reference, target = case
    torch.manual_seed(1)
    lin = tnn.Linear(6, 4)
    layers = [nn.Linear(6, 4)] + ([LogSoftmax()] if name == "nll" else [])
    trainer = hetc.Trainer(nn.Sequential(*layers), (5, 6), make(),
                           optim.SGD(lr=0.1))
    trainer.load_state_dict({"0." + k: v.numpy()
                             for k, v in lin.state_dict().items()})
    opt = torch.optim.SGD(lin.parameters(), lr=0.1)
    rng = np.random.default_rng(2)
    for step in range(5):
        x = rng.standard_normal((5, 6)).astype(np.float32)
        if target == "label":
            y = rng.integers(0, 4, 5).astype(np.int32)
        elif target == "target01":
            y = rng.integers(0, 2, (5, 4)).astype(np.float32)
        else:
            y = rng.standard_normal((5, 4)).astype(np.float32)
        loss = trainer.step(x, y)
        opt.zero_grad()
        expected = reference(lin(torch.tensor(x)), torch.tensor(y))
        expected.backward()
        opt.step()
        assert loss == pytest.approx(expected.item(), rel=1e-4, abs=1e-6), \
            f"step {step}"
