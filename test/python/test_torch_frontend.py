"""hetc.torch: the "silent wrong number" cases, state sync, optimizer
mapping, capture details and the errors, each checked against torch."""
import copy
import sys

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
import hetc.torch  # noqa: E402

from test_zoo_torch import ReplayDropout, dropout_keep  # noqa: E402

RTOL = 1e-4


def rand(*shape, seed=0):
    return torch.from_numpy(
        np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def classes(n, k, seed=0):
    return torch.from_numpy(
        np.random.default_rng(seed).integers(0, k, n).astype(np.int64))


def train_both(model, loss_fn, make_opt, batches, **kwargs):
    """Trains `model` through hetc.torch and a copy in torch; returns
    (trainer, reference, hetc losses, torch losses)."""
    reference = copy.deepcopy(model)
    trainer = hetc.torch.compile(model, loss_fn, make_opt(model.parameters()),
                                 batches[0][0], batches[0][1], **kwargs)
    ref_opt = make_opt(reference.parameters())
    replay = ReplayDropout(reference)
    got, want = [], []
    for inputs, labels in batches:
        inputs, labels = hetc.torch._as_tuple(inputs), \
            hetc.torch._as_tuple(labels)
        got.append(trainer.step(*inputs, *labels))
        replay.use(trainer)
        ref_opt.zero_grad()
        loss = loss_fn(reference(*inputs), *labels)
        loss.backward()
        ref_opt.step()
        want.append(loss.item())
    return trainer, reference, got, want


def sgd(ps):
    return torch.optim.SGD(ps, lr=0.1, momentum=0.9)


def batches(shape, k, n=4):
    return [(rand(*shape, seed=i), classes(shape[0], k, seed=i))
            for i in range(n)]


# --- silent wrong numbers ---------------------------------------------------------

class WithBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 3)
        self.register_buffer("scale", torch.linspace(0.5, 2.0, 6))

    def forward(self, x):
        return self.fc(x * self.scale)


def test_register_buffer_is_not_trained():
    model = WithBuffer()
    before = model.scale.clone()
    trainer, ref, got, want = train_both(model, F.cross_entropy, sgd,
                                         batches((5, 6), 3))
    np.testing.assert_allclose(got, want, rtol=RTOL)
    assert torch.equal(model.scale, before)
    assert torch.equal(trainer.state_dict()["scale"], before)
    # Training did move the weights (the loss is not constant).
    assert not torch.equal(model.fc.weight, WithBuffer().fc.weight)


class Frozen(nn.Module):
    def __init__(self):
        super().__init__()
        self.frozen = nn.Linear(6, 6)
        self.frozen.requires_grad_(False)
        self.head = nn.Linear(6, 3)

    def forward(self, x):
        return self.head(torch.tanh(self.frozen(x)))


@pytest.mark.parametrize("make_opt", [
    sgd, lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1)],
    ids=["sgd", "adamw"])
def test_frozen_parameter_is_not_trained_and_has_no_optimizer_state(
        make_opt):
    model = Frozen()
    frozen = model.frozen.weight.clone()
    trainer, ref, got, want = train_both(model, F.cross_entropy, make_opt,
                                         batches((5, 6), 3))
    np.testing.assert_allclose(got, want, rtol=RTOL)
    assert torch.equal(model.frozen.weight, frozen)
    assert torch.equal(trainer.state_dict()["frozen.weight"], frozen)
    manifest = trainer.artifact.manifest
    assert "frozen.weight" in manifest
    # No optimizer state belongs to the frozen parameter.
    import json
    for entry in json.loads(manifest)["entries"]:
        for arg in entry["args"]:
            if arg["role"] == "opt_state":
                assert "frozen" not in arg["name"], arg
            if arg["name"].startswith("frozen."):
                assert arg["role"] == "buffer", arg
    np.testing.assert_allclose(model.head.weight.detach().numpy(),
                               ref.head.weight.detach().numpy(), rtol=1e-4,
                               atol=1e-6)


class BNNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4, momentum=0.3)
        self.bn1d = nn.BatchNorm1d(4)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        h = F.relu(self.bn(self.conv(x))).mean([2, 3])
        return self.fc(self.drop(self.bn1d(h)))


def test_batch_norm_running_stats_match_torch():
    model = BNNet()
    trainer, ref, got, want = train_both(model, F.cross_entropy, sgd,
                                         batches((6, 2, 5, 5), 3, n=5))
    np.testing.assert_allclose(got, want, rtol=RTOL)
    sd = trainer.state_dict()
    for name, buf in ref.named_buffers():
        assert sd[name].dtype == buf.dtype, name
        np.testing.assert_allclose(sd[name].numpy(), buf.numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=name)
        assert torch.equal(getattr(model, name.split(".")[0])
                           .get_buffer(name.split(".")[1]), sd[name])
    assert sd["bn.num_batches_tracked"].item() == 5
    assert sd["bn.num_batches_tracked"].dtype == torch.int64
    assert not torch.equal(sd["bn.running_mean"], torch.zeros(4))
    assert not torch.equal(sd["bn.running_var"], torch.ones(4))


def test_eval_uses_running_stats_and_no_dropout():
    model = BNNet()
    trainer, ref, _, _ = train_both(model, F.cross_entropy, sgd,
                                    batches((6, 2, 5, 5), 3, n=3))
    x = rand(6, 2, 5, 5, seed=9)
    ref.eval()
    with torch.no_grad():
        expected = ref(x)
    got = trainer.eval_forward(x)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-4,
                               atol=1e-5)
    # Deterministic (no dropout) and state-preserving (no stat update).
    before = trainer.state_dict()
    again = trainer.eval_forward(x)
    assert torch.equal(got, again)
    for k, v in trainer.state_dict().items():
        assert torch.equal(v, before[k]), k
    # The module's mode is restored after compiling.
    assert model.training


def test_dropout_uses_hetc_mask_in_train_only():
    keep = dropout_keep(7, (3, 4), 0.5)
    assert 0 < keep.sum() < 12
    model = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.3), nn.ReLU(),
                          nn.Dropout(0.2), nn.Linear(16, 3))
    trainer, ref, got, want = train_both(model, F.cross_entropy, sgd,
                                         batches((10, 8), 3))
    np.testing.assert_allclose(got, want, rtol=RTOL)
    assert trainer.seed_count == 2


# --- state sync ------------------------------------------------------------------

def test_state_sync_both_ways():
    model = WithBuffer()
    data = batches((5, 6), 3, n=3)
    trainer, ref, _, _ = train_both(model, F.cross_entropy, sgd, data[:2])
    # After steps the module holds the trained values.
    for k, v in trainer.state_dict().items():
        assert torch.equal(model.state_dict()[k], v), k
    # A user's in-place change reaches the next step.
    with torch.no_grad():
        model.fc.bias.fill_(0.5)
        ref.fc.bias.fill_(0.5)
        model.scale.mul_(2.0)
        ref.scale.mul_(2.0)
    assert torch.equal(trainer.state_dict()["fc.bias"], torch.full((3,), 0.5))
    x, y = data[2]
    loss = trainer.step(x, y)
    # torch's reference (its momentum buffers are those of the same steps).
    ref_loss = F.cross_entropy(ref(x), y).item()
    assert loss == pytest.approx(ref_loss, rel=RTOL)


def test_state_dict_round_trip_and_initial_values():
    model = WithBuffer()
    other = WithBuffer()
    trainer = hetc.torch.compile(model, F.cross_entropy, sgd(
        model.parameters()), rand(5, 6), classes(5, 3))
    # Starts from the module's values, not hetc's initializers.
    for k, v in model.state_dict().items():
        assert torch.equal(trainer.state_dict()[k], v), k
    trainer.load_state_dict(other.state_dict())
    for k, v in other.state_dict().items():
        assert torch.equal(trainer.state_dict()[k], v), k
    fresh = WithBuffer()
    fresh.load_state_dict(trainer.state_dict())
    x = rand(5, 6, seed=3)
    np.testing.assert_allclose(trainer.eval_forward(x).numpy(),
                               other(x).detach().numpy(), rtol=1e-5,
                               atol=1e-6)


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(11, 8)
        self.head = nn.Linear(8, 11, bias=False)
        self.head.weight = self.emb.weight

    def forward(self, idx):
        return self.head(torch.tanh(self.emb(idx))).view(-1, 11)


def test_tied_weights_train_once_and_export_both_keys():
    model = Tied()
    data = [(torch.randint(0, 11, (3, 4)), torch.randint(0, 11, (12,)))
            for _ in range(3)]
    trainer, ref, got, want = train_both(model, F.cross_entropy, sgd, data)
    np.testing.assert_allclose(got, want, rtol=RTOL)
    sd = trainer.state_dict()
    assert set(sd) == set(model.state_dict())
    assert torch.equal(sd["emb.weight"], sd["head.weight"])


# --- inputs, labels, losses, optimizers ----------------------------------------

class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 5)
        self.b = nn.Linear(3, 5)

    def forward(self, x, z):
        return self.a(x) * torch.sigmoid(self.b(z))


def test_several_inputs_labels_and_a_custom_loss():
    def loss_fn(out, y, w):
        return ((out - y) ** 2 * w).mean() + 0.1 * out.abs().mean()

    data = [((rand(6, 4, seed=i), rand(6, 3, seed=i + 10)),
             (rand(6, 5, seed=i + 20), rand(6, 5, seed=i + 30).abs()))
            for i in range(3)]
    trainer, _, got, want = train_both(
        TwoInputs(), loss_fn, lambda ps: torch.optim.Adam(ps, lr=0.01), data)
    np.testing.assert_allclose(got, want, rtol=RTOL)
    assert trainer.input_names == ["x", "z"]


@pytest.mark.parametrize("loss_fn", [
    nn.CrossEntropyLoss(), lambda o, y: F.cross_entropy(o, y,
                                                        reduction="sum"),
    lambda o, y: F.nll_loss(F.log_softmax(o, dim=1), y)],
    ids=["module", "sum", "nll"])
def test_cross_entropy_forms_and_numpy_inputs(loss_fn):
    model = nn.Sequential(nn.Linear(6, 8), nn.GELU(), nn.Linear(8, 4))
    data = [(rand(5, 6, seed=i).numpy(), classes(5, 4, seed=i).numpy())
            for i in range(3)]
    reference = copy.deepcopy(model)
    trainer = hetc.torch.compile(model, loss_fn, sgd(model.parameters()),
                                 data[0][0], data[0][1])
    ref_opt = sgd(reference.parameters())
    for x, y in data:
        got = trainer.step(x, y)
        ref_opt.zero_grad()
        loss = loss_fn(reference(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        ref_opt.step()
        assert got == pytest.approx(loss.item(), rel=RTOL)


def test_ignore_index_labels_are_refused():
    model = nn.Linear(6, 4)
    trainer = hetc.torch.compile(model, F.cross_entropy,
                                 sgd(model.parameters()), rand(5, 6),
                                 classes(5, 4))
    y = classes(5, 4)
    y[2] = -100
    with pytest.raises(ValueError, match="ignore_index"):
        trainer.step(rand(5, 6), y)


@pytest.mark.parametrize("make_opt", [
    lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True,
                               weight_decay=0.01),
    lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6,
                                weight_decay=0.01),
    lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.05)],
    ids=["sgd_nesterov", "adam_l2", "adamw"])
def test_optimizer_settings_are_honoured(make_opt):
    model = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 4))
    _, _, got, want = train_both(model, F.cross_entropy, make_opt,
                                 batches((5, 6), 4, n=5))
    np.testing.assert_allclose(got, want, rtol=RTOL)


@pytest.mark.parametrize("make_opt, option", [
    (lambda ps: torch.optim.Adam(ps, amsgrad=True), "amsgrad"),
    (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5),
     "dampening"),
    (lambda ps: torch.optim.SGD(ps, lr=0.1, maximize=True), "maximize"),
    (lambda ps: torch.optim.RMSprop(ps), "RMSprop"),
    # Groups may differ in runtime hyper-parameters (test_hyper.py), not in
    # what is compiled into the step.
    (lambda ps: torch.optim.SGD([{"params": list(ps)[:1], "lr": 0.1,
                                  "momentum": 0.9, "nesterov": True},
                                 {"params": [], "lr": 0.2,
                                  "momentum": 0.9}]),
     "param_groups\\[1\\] sets nesterov=False but param_groups\\[0\\] has "
     "True: hetc compiles nesterov once for every group"),
], ids=["amsgrad", "dampening", "maximize", "rmsprop", "groups"])
def test_optimizer_options_hetc_cannot_honour_are_refused(make_opt, option):
    model = nn.Linear(6, 4, bias=False)
    with pytest.raises(hetc.torch.UnsupportedError, match=option):
        hetc.torch.compile(model, F.cross_entropy,
                           make_opt(model.parameters()), rand(5, 6),
                           classes(5, 4))


def test_parameter_missing_from_the_optimizer_is_refused():
    model = nn.Sequential(nn.Linear(6, 4), nn.Linear(4, 3))
    with pytest.raises(hetc.torch.UnsupportedError, match="'1.weight'"):
        hetc.torch.compile(model, F.cross_entropy,
                           sgd(model[0].parameters()), rand(5, 6),
                           classes(5, 3))


def test_stepped_optimizer_is_refused():
    model = nn.Linear(6, 4)
    opt = sgd(model.parameters())
    F.cross_entropy(model(rand(5, 6)), classes(5, 4)).backward()
    opt.step()
    with pytest.raises(hetc.torch.UnsupportedError, match="already has state"):
        hetc.torch.compile(model, F.cross_entropy, opt, rand(5, 6),
                           classes(5, 4))


# --- recurrent layers ------------------------------------------------------------

class Recurrent(nn.Module):
    def __init__(self, cell, layers, batch_first):
        super().__init__()
        self.batch_first = batch_first
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = rnn(5, 7, num_layers=layers, batch_first=batch_first)
        self.fc = nn.Linear(7, 3)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1] if self.batch_first else out[-1])


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("layers, batch_first", [(1, False), (2, True)])
def test_recurrent_layers_train_like_torch(cell, layers, batch_first):
    shape = (4, 6, 5) if batch_first else (6, 4, 5)
    data = [(rand(*shape, seed=i), classes(4, 3, seed=i)) for i in range(3)]
    # SGD, not Adam: Adam divides each gradient by its own magnitude, so a
    # weight whose gradient is near zero takes a step of float32 noise and the
    # weights would differ by machine (vector width) without anything wrong.
    trainer, ref, got, want = train_both(
        Recurrent(cell, layers, batch_first), F.cross_entropy, sgd, data)
    np.testing.assert_allclose(got, want, rtol=RTOL)
    for k, v in ref.state_dict().items():
        np.testing.assert_allclose(trainer.state_dict()[k].numpy(),
                                   v.numpy(), rtol=1e-3, atol=1e-5,
                                   err_msg=k)


def test_bidirectional_recurrent_layer_is_refused():
    model = nn.Sequential()
    model.rnn = nn.GRU(5, 7, bidirectional=True)
    with pytest.raises(hetc.torch.UnsupportedError,
                       match="'rnn'.*bidirectional=False"):
        hetc.torch.compile(model, lambda o, y: o[0].mean(),
                           sgd(model.parameters()), rand(6, 4, 5), ())


# --- errors and locations ----------------------------------------------------------

class Sorting(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 4)
        self.inner = nn.Sequential(nn.Identity(), SortLayer())

    def forward(self, x):
        return self.inner(self.fc(x))


class SortLayer(nn.Module):
    def forward(self, x):
        return torch.sort(x, dim=1)[0]


def test_unsupported_op_names_op_module_path_and_alternative():
    model = Sorting()
    with pytest.raises(hetc.torch.UnsupportedError) as info:
        hetc.torch.compile(model, F.cross_entropy, sgd(model.parameters()),
                           rand(5, 6), classes(5, 4))
    message = str(info.value)
    assert "aten.sort" in message
    assert "'inner.1'" in message
    assert "test_torch_frontend.py" in message


class ViewUpdate(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 4)
        self.register_buffer("count", torch.zeros(4))

    def forward(self, x):
        self.count[:2] += 1.0
        return self.fc(x) + self.count


def test_in_place_update_of_a_buffer_view_is_refused():
    model = ViewUpdate()
    with pytest.raises(hetc.torch.UnsupportedError,
                       match="'ViewUpdate'.*in-place update"):
        hetc.torch.compile(model, F.cross_entropy, sgd(model.parameters()),
                           rand(5, 6), classes(5, 4))


class Accumulate(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 4)
        self.register_buffer("total", torch.zeros(4))

    def forward(self, x):
        y = self.fc(x)
        if self.training:
            self.total.add_(y.detach().mean(0))
        return y


def test_in_place_buffer_update_in_forward_is_written_back():
    trainer, ref, got, want = train_both(Accumulate(), F.cross_entropy, sgd,
                                         batches((5, 6), 4))
    np.testing.assert_allclose(got, want, rtol=RTOL)
    np.testing.assert_allclose(trainer.state_dict()["total"].numpy(),
                               ref.total.numpy(), rtol=1e-4, atol=1e-6)


def test_batch_norm_without_momentum_is_refused():
    model = nn.Sequential(nn.Linear(6, 4), nn.BatchNorm1d(4, momentum=None))
    with pytest.raises(hetc.torch.UnsupportedError, match="momentum=None"):
        hetc.torch.compile(model, F.cross_entropy, sgd(model.parameters()),
                           rand(5, 6), classes(5, 4))


def test_ops_are_located_at_their_module():
    model = BNNet()
    trainer = hetc.torch.compile(model, F.cross_entropy,
                                 sgd(model.parameters()), rand(6, 2, 5, 5),
                                 classes(6, 3))
    text = trainer.source
    assert '"bn"' in text and '"bn1d"' in text and '"fc"' in text
    assert "test_torch_frontend.py" in text


def test_trains_on_vulkan():
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    _, _, got, want = train_both(BNNet(), F.cross_entropy, sgd,
                                 batches((6, 2, 5, 5), 3, n=3),
                                 target="vulkan")
    np.testing.assert_allclose(got, want, rtol=RTOL)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("layers, batch_first", [(1, False), (2, True)])
def test_aten_recurrent_ops_unroll_like_torch(cell, layers, batch_first):
    """torch 2.x's make_fx may keep aten.lstm/gru/rnn_tanh whole (1.13
    decomposes them): an fx graph calling the ATen op directly, lowered by
    hetc.torch, gives torch's loss and gradients."""
    import operator
    from hetc.graph import Graph
    torch.manual_seed(0)
    module = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn_tanh": nn.RNN}[cell](
        5, 7, num_layers=layers, batch_first=batch_first)
    shape = (4, 6, 5) if batch_first else (6, 4, 5)
    x, h0, c0 = rand(*shape), rand(layers, 4, 7, seed=1), \
        rand(layers, 4, 7, seed=2)
    hx = (h0, c0) if cell == "lstm" else h0
    with torch.no_grad():
        y = module(x, hx)[0] * 0.5 + 0.1
    names, weights = module._flat_weights_names, module._flat_weights

    graph = torch.fx.Graph()
    xs = graph.placeholder("x")
    ws = [graph.placeholder(n) for n in names]
    states = [graph.placeholder("h0")] + (
        [graph.placeholder("c0")] if cell == "lstm" else [])
    ys = graph.placeholder("y")
    op = getattr(torch.ops.aten, cell).input
    call = graph.call_function(op, (xs, states if cell == "lstm" else
                                    states[0], ws, True, layers, 0.0, True,
                                    False, batch_first))
    out = graph.call_function(operator.getitem, (call, 0))
    loss = graph.call_function(torch.ops.aten.mse_loss.default, (out, ys))
    graph.output([loss, out])
    gm = torch.fx.GraphModule(nn.Module(), graph)

    g = Graph("model")
    bindings = [("input", "x", g.input("x", list(shape)))]
    bindings += [("param", n, g.param(n, list(w.shape)))
                 for n, w in zip(names, weights)]
    bindings += [("input", n, g.input(n, [layers, 4, 7]))
                 for n in (["h0", "c0"] if cell == "lstm" else ["h0"])]
    bindings.append(("label", "y", g.label("y", list(y.shape))))
    results = hetc.torch._Lowering(g, gm, bindings, [], ("test", 0)).run()
    g.end_function(results)
    session = hetc.Session(hetc.compile(g.mlir(), optimizer={
        "optimizer": "sgd", "lr": 1.0}), hetc.Device("cpu"))
    for n, w in zip(names, weights):
        session.set(n, w.detach().numpy())
    feed = {"x": x.numpy(), "h0": h0.numpy(), "y": y.numpy()}
    if cell == "lstm":
        feed["c0"] = c0.numpy()
    got, _ = session.train_step(**feed)

    expected = F.mse_loss(module(x, hx)[0], y)
    expected.backward()
    assert got == pytest.approx(expected.item(), rel=RTOL)
    for n, w in zip(names, weights):
        grad = w.detach().numpy() - session.get(n)
        np.testing.assert_allclose(grad, w.grad.numpy(), rtol=1e-3,
                                   atol=1e-6, err_msg=n)


class Indexing(nn.Module):
    """index / index_select / cumsum / erf / sign / where / masked_fill /
    clamp / casts, through the ops main gained."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 8)
        self.register_buffer("perm", torch.tensor([3, 1, 0, 2, 7, 5, 6, 4]))

    def forward(self, x):
        h = self.fc(x)[:, self.perm]
        h = torch.index_select(h, 1, torch.tensor([0, 2, 4, 6, 1, 3]))
        h = torch.cumsum(h, dim=1) * 0.3
        h = torch.erf(h) + torch.sign(h) * 0.1 + F.relu6(h * 4.0)
        h = torch.where(h > 0.2, h, h * 0.5).clamp(min=-1.5)
        h = h.masked_fill(h < -1.0, 0.25)
        return h * (x[:, :1] > 0).float() + h


def test_indexing_and_selection_ops_train_like_torch():
    trainer, ref, got, want = train_both(
        Indexing(), F.cross_entropy, lambda ps: torch.optim.Adam(ps, lr=0.02),
        batches((7, 6), 6))
    np.testing.assert_allclose(got, want, rtol=RTOL)


class CausalMask(nn.Module):
    def __init__(self):
        super().__init__()
        self.q = nn.Linear(4, 4)

    def forward(self, x):
        att = self.q(x) @ x.transpose(1, 2)
        mask = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        return (att @ x).flatten(0, 1)


def test_masked_fill_with_minus_infinity_and_a_folded_mask():
    data = [(rand(2, 5, 4, seed=i), classes(10, 4, seed=i)) for i in range(3)]
    _, _, got, want = train_both(CausalMask(), F.cross_entropy, sgd, data)
    np.testing.assert_allclose(got, want, rtol=RTOL)


class Spatial(nn.Module):
    """Pool ceil_mode and dilation, reflect/constant padding, adaptive
    pooling that does not divide, Conv1d and amax."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3)
        self.conv1d = nn.Conv1d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 2 * 3 + 4, 3)

    def forward(self, x, s):
        h = F.max_pool2d(self.conv(x), 3, 2, padding=1, ceil_mode=True)
        h = F.pad(h, (1, 2, 0, 1), mode="reflect")
        h = F.pad(h, (1, 1, 1, 1), value=0.5)
        h = F.max_pool2d(h, 2, 1, dilation=2)
        h = F.adaptive_avg_pool2d(h, (2, 3))
        t = self.conv1d(s).amax(dim=2)
        return self.fc(torch.cat([h.flatten(1), t], 1))


def test_spatial_ops_train_like_torch():
    data = [((rand(3, 2, 11, 11, seed=i), rand(3, 3, 7, seed=i + 5)),
             classes(3, 3, seed=i)) for i in range(3)]
    _, _, got, want = train_both(Spatial(), F.cross_entropy, sgd, data)
    np.testing.assert_allclose(got, want, rtol=RTOL)


class Detached(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        y = self.fc(x)
        return y - y.mean(1, keepdim=True).detach()


def test_detach_feeding_the_loss_is_refused():
    model = Detached()
    with pytest.raises(hetc.torch.UnsupportedError,
                       match="aten.detach in module 'Detached'.*gradient"):
        hetc.torch.compile(model, F.cross_entropy, sgd(model.parameters()),
                           rand(5, 6), classes(5, 4))


class Likes(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 4)
        self.norm = nn.GroupNorm(2, 4)

    def forward(self, x):
        y = self.fc(x)
        return y + torch.ones_like(y) * 0.5 - torch.full_like(y, 0.25) + \
            torch.zeros_like(y)


def test_shape_only_factories_fold():
    _, _, got, want = train_both(Likes(), F.cross_entropy, sgd,
                                 batches((5, 6), 4))
    np.testing.assert_allclose(got, want, rtol=RTOL)


class Grouped(Likes):
    def forward(self, x):
        return self.norm(self.fc(x)[:, :, None])[:, :, 0]


def test_unsupported_module_names_the_alternative():
    model = Grouped()
    with pytest.raises(hetc.torch.UnsupportedError,
                       match="native_group_norm in module 'norm'.*LayerNorm"):
        hetc.torch.compile(model, F.cross_entropy, sgd(model.parameters()),
                           rand(5, 6), classes(5, 4))


def test_non_tensor_model_outputs_are_refused():
    class Dict(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 4)

        def forward(self, x):
            return {"logits": self.fc(x)}

    model = Dict()
    with pytest.raises(hetc.torch.UnsupportedError, match="tuple of tensors"):
        hetc.torch.compile(model, lambda o, y: F.cross_entropy(o["logits"], y),
                           sgd(model.parameters()), rand(5, 6), classes(5, 4))


def test_unused_parameters_stay_untouched_as_in_torch():
    model = Likes()  # its GroupNorm is never called
    before = model.norm.weight.clone()
    _, ref, got, want = train_both(
        model, F.cross_entropy,
        lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.5),
        batches((5, 6), 4))
    np.testing.assert_allclose(got, want, rtol=RTOL)
    assert torch.equal(model.norm.weight, before)
    assert torch.equal(ref.norm.weight, before)
