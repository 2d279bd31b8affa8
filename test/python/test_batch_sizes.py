"""Any batch size: entries compiled for several batch sizes share one
session's state (hetc-compile --batch-sizes, Session.add_artifact), and the
frontends compile a variant for each batch size they meet. Losses of the
partial batch equal torch's, BatchNorm included."""
import copy
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import runtime
from conftest import MLP_MODEL, session_state

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
import hetc.torch  # noqa: E402
from hetc import nn, optim  # noqa: E402

SGD = {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9}


def rows(n, seed, shape=(64,), classes=10):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n,) + shape).astype(np.float32),
            rng.integers(0, classes, n).astype(np.int32))


def cross_entropy(logits, labels):
    shifted = logits - logits.max(1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    return float(-logp[np.arange(len(labels)), labels].mean())


def test_one_artifact_holds_a_variant_per_batch_size():
    artifact = hetc.compile_file(MLP_MODEL, optimizer=SGD,
                                 batch_sizes=[32, 29])
    entries = {e["name"]: e for e in
               __import__("json").loads(artifact.manifest)["entries"]}
    assert entries["train_step_b29"]["variant_of"] == "train_step"
    assert entries["eval_b29"]["variant_of"] == "eval"
    assert "variant_of" not in entries["train_step"]
    x29 = next(a for a in entries["eval_b29"]["args"] if a["name"] == "x")
    assert x29["shape"] == [29, 64]
    session = hetc.Session(artifact, hetc.Device("cpu"), seed=1)
    x, y = rows(32, 0)
    # Eval is per row: the variant's logits are the first 29 rows of the
    # full batch's, and its loss is the mean over its own 29 rows.
    _, full = session.run("eval", x=x, labels=y)
    loss29, out29 = session.run("eval", x=x[:29], labels=y[:29])
    np.testing.assert_allclose(out29["output0"], full["output0"][:29],
                               rtol=1e-5, atol=1e-6)
    assert loss29 == pytest.approx(cross_entropy(out29["output0"], y[:29]),
                                   rel=1e-5)
    session.train_step(x=x, labels=y)
    session.train_step(x=x[:29], labels=y[:29])
    assert session.step == 2
    with pytest.raises(hetc.Error, match=r"input 'x' has shape \[17, 64\] "
                       r"but entry 'train_step' was compiled for \[32, 64\], "
                       r"\[29, 64\] of 'x'; compile this batch size too"):
        session.train_step(x=x[:17], labels=y[:17])
    assert session.step == 2


def test_added_artifact_continues_from_the_session_state():
    source = MLP_MODEL.read_text()
    session = hetc.Session(hetc.compile(source, optimizer=SGD),
                           hetc.Device("cpu"), seed=3)
    x, y = rows(32, 1)
    session.train_step(x=x, labels=y)
    before = session_state(session)
    session.add_artifact(hetc.compile(source, optimizer=SGD,
                                      batch_sizes=[29]))
    # Attaching re-initializes and copies nothing.
    after = session_state(session)
    assert before.keys() == after.keys()
    for name in before:
        np.testing.assert_array_equal(before[name], after[name], name)
    # The 29-row step runs on those values: the same step on a fresh
    # session loaded with them gives the same loss and parameters.
    fresh = hetc.Session(hetc.compile(source, optimizer=SGD,
                                      batch_sizes=[29]),
                         hetc.Device("cpu"), seed=9)
    for name, value in before.items():
        fresh.set(name, value)
    loss, _ = session.train_step(x=x[:29], labels=y[:29])
    expected, _ = fresh.train_step(x=x[:29], labels=y[:29])
    assert loss == expected
    np.testing.assert_array_equal(session.get("w1"), fresh.get("w1"))
    assert session.step == 2


def test_add_artifact_refuses_another_model():
    session = hetc.Session(hetc.compile_file(MLP_MODEL, optimizer=SGD),
                           hetc.Device("cpu"))
    other = hetc.compile(MLP_MODEL.read_text().replace("128", "96"),
                         optimizer=SGD)
    with pytest.raises(hetc.Error, match=r"cannot add the artifact: its param "
                       r"'w1' is f32 \[96, 64\] but the session's param 'w1' "
                       r"is f32 \[128, 64\]"):
        session.add_artifact(other)
    adam = hetc.compile_file(MLP_MODEL, optimizer={"optimizer": "adam"},
                             batch_sizes=[29])
    with pytest.raises(hetc.Error, match="cannot add the artifact"):
        session.add_artifact(adam)


@pytest.mark.parametrize("sizes, message", [
    ([0], r"batch_sizes \[0\] must be positive integers"),
    ([32, 32], "batch size 32 is listed twice"),
])
def test_bad_batch_sizes_are_refused(sizes, message):
    with pytest.raises((ValueError, hetc.Error), match=message):
        hetc.compile_file(MLP_MODEL, optimizer=SGD, batch_sizes=sizes)


def test_rebatch_refusal_is_located():
    source = MLP_MODEL.read_text().replace(
        "  %loss = hetc.cross_entropy",
        "  %flat = hetc.reshape %logits [320] : tensor<32x10xf32> -> "
        "tensor<320xf32>\n  %loss = hetc.cross_entropy")
    with pytest.raises(hetc.Error, match=r"<string>:\d+:\d+: error: "
                       r"'hetc.reshape' op cannot rebatch: it folds the batch "
                       r"dimension \(axis 0 of \[32, 10\]\) into \[320\]"):
        hetc.compile(source, optimizer=SGD, batch_sizes=[32, 29])


class BatchNormNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        return self.fc(torch.flatten(torch.relu(self.bn(self.conv(x))), 1))


def test_torch_dataloader_loop_trains_every_row_like_torch():
    """drop_last=False over 1437 rows at batch 64: 22 batches of 64 and one
    of 29, each loss equal to torch's; then eval on 397 rows."""
    torch.manual_seed(0)
    model = BatchNormNet()
    twin = copy.deepcopy(model)
    x, y = rows(1437, 2, (1, 8, 8))
    data = torch.utils.data.TensorDataset(torch.tensor(x),
                                          torch.tensor(y).long())
    loader = torch.utils.data.DataLoader(
        data, batch_size=64, shuffle=True, drop_last=False,
        generator=torch.Generator().manual_seed(5))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    twin_opt = torch.optim.SGD(twin.parameters(), lr=0.05, momentum=0.9)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt,
                                 example_inputs=data[:64][0],
                                 example_labels=data[:64][1])
    session = trainer.session
    sizes, losses, expected = [], [], []
    for xb, yb in loader:
        sizes.append(len(xb))
        losses.append(trainer.step(xb, yb))
        twin_opt.zero_grad()
        loss = F.cross_entropy(twin(xb), yb)
        loss.backward()
        twin_opt.step()
        expected.append(loss.item())
    assert sizes == [64] * 22 + [29]
    np.testing.assert_allclose(losses, expected, rtol=1e-4)
    # One session throughout: the variant ran on the trained state.
    assert trainer.session is session and session.step == 23
    state = twin.state_dict()
    for name, value in trainer.state_dict().items():
        np.testing.assert_allclose(value.numpy(), state[name].numpy(),
                                   rtol=1e-4, atol=1e-5, err_msg=name)
    xt, yt = rows(397, 3, (1, 8, 8))
    loss, logits = trainer.evaluate(xt, yt.astype(np.int64))
    twin.eval()
    with torch.no_grad():
        out = twin(torch.tensor(xt))
    assert loss == pytest.approx(
        F.cross_entropy(out, torch.tensor(yt).long()).item(), rel=1e-4)
    np.testing.assert_allclose(logits.numpy(), out.numpy(), rtol=1e-4,
                               atol=1e-5)


def test_torch_trainer_refuses_other_row_shapes():
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    trainer = hetc.torch.compile(model, F.cross_entropy, opt,
                                 example_inputs=torch.zeros(4, 8),
                                 example_labels=torch.zeros(4).long())
    with pytest.raises(ValueError, match=r"'input' has shape \(4, 9\); the "
                       r"trainer was compiled for \(4, 8\) \(only the "
                       "leading, batch dimension may differ\\)"):
        trainer.step(torch.zeros(4, 9), torch.zeros(4).long())
    with pytest.raises(ValueError, match="batch_size"):
        trainer.step(torch.zeros(5, 8), torch.zeros(4).long())
    # eval_forward makes labels for the inputs' rows.
    assert trainer.eval_forward(torch.zeros(7, 8)).shape == (7, 3)


def hetc_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4),
                         nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


@pytest.mark.parametrize("input_shape", [(None, 1, 4, 4), (64, 1, 4, 4)])
def test_trainer_any_batch_size_matches_torch(input_shape):
    torch.manual_seed(0)
    twin = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1),
                               torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                               torch.nn.Flatten(), torch.nn.Linear(64, 3))
    trainer = hetc.Trainer(hetc_cnn(), input_shape, nn.CrossEntropyLoss(),
                           optim.SGD(lr=0.05, momentum=0.9))
    trainer.load_state_dict({k: v.numpy() for k, v in
                             twin.state_dict().items()
                             if not k.endswith("num_batches_tracked")})
    opt = torch.optim.SGD(twin.parameters(), lr=0.05, momentum=0.9)
    x, y = rows(203, 4, (1, 4, 4), classes=3)
    for start in range(0, 203, 64):  # 64, 64, 64, 11
        xb, yb = x[start:start + 64], y[start:start + 64]
        loss = trainer.step(xb, yb)
        opt.zero_grad()
        expected = F.cross_entropy(twin(torch.tensor(xb)),
                                   torch.tensor(yb).long())
        expected.backward()
        opt.step()
        assert loss == pytest.approx(expected.item(), rel=1e-4), start
    assert trainer.session.step == 4
    state = twin.state_dict()
    for name, value in trainer.state_dict().items():
        np.testing.assert_allclose(value, state[name].numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=name)
    xt, yt = rows(397, 5, (1, 4, 4), classes=3)
    loss, _ = trainer.evaluate(xt, yt)
    twin.eval()
    with torch.no_grad():
        expected = F.cross_entropy(twin(torch.tensor(xt)),
                                   torch.tensor(yt).long())
    assert loss == pytest.approx(expected.item(), rel=1e-4)


@pytest.mark.parametrize("shape", [(8, 1, None, 4), (None, None, 4, 4),
                                   (0, 1, 4, 4), ("a", 1, 4, 4),
                                   (None, 1, 4.0, 4), ()])
def test_trainer_refuses_bad_input_shapes(shape):
    with pytest.raises(ValueError) as error:
        hetc.Trainer(hetc_cnn(), shape, nn.CrossEntropyLoss(),
                     optim.SGD(lr=0.1))
    assert "only the leading (batch) dimension may be None" in \
        str(error.value)
    assert "tensor<" not in str(error.value)


def test_partial_batch_on_vulkan():
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    losses = {}
    for target in ("cpu", "vulkan"):
        artifact = hetc.compile_file(MLP_MODEL, target=target, optimizer=SGD,
                                     batch_sizes=[32, 29])
        session = hetc.Session(artifact, hetc.Device(target), seed=4)
        x, y = rows(78, 6)
        losses[target] = [session.train_step(x=x[:32], labels=y[:32])[0],
                          session.train_step(x=x[32:61], labels=y[32:61])[0],
                          session.run("eval", x=x[32:61],
                                      labels=y[32:61])[0]]
        # An attached artifact's device program runs on the same buffers.
        session.add_artifact(hetc.compile_file(
            MLP_MODEL, target=target, optimizer=SGD, batch_sizes=[17]))
        losses[target] += [session.train_step(x=x[61:], labels=y[61:])[0],
                           session.run("eval", x=x[:29], labels=y[:29])[0]]
    np.testing.assert_allclose(losses["vulkan"], losses["cpu"], rtol=1e-4)


def test_onnx_model_trains_at_other_batch_sizes(tmp_path):
    """torch.onnx.export with a dynamic batch axis, and with a fixed one:
    the imported model trains at 64 and 29 rows like torch."""
    for dynamic in (True, False):
        torch.manual_seed(0)
        model = BatchNormNet()
        path = tmp_path / f"net{dynamic}.onnx"
        model.train()
        torch.onnx.export(
            model, torch.zeros(64, 1, 8, 8), str(path),
            input_names=["image"], output_names=["logits"],
            training=torch.onnx.TrainingMode.TRAINING,
            do_constant_folding=False, opset_version=14,
            dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}
            if dynamic else None)
        source, params = hetc.import_onnx(path, loss="cross_entropy",
                                          batch=64 if dynamic else None)
        trainer = hetc.Trainer.from_mlir(
            source, optim.SGD(lr=0.05, momentum=0.9), params=params)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        x, y = rows(93, 7, (1, 8, 8))
        for xb, yb in ((x[:64], y[:64]), (x[64:], y[64:])):
            loss = trainer.step(xb, yb)
            opt.zero_grad()
            expected = F.cross_entropy(model(torch.tensor(xb)),
                                       torch.tensor(yb).long())
            expected.backward()
            opt.step()
            assert loss == pytest.approx(expected.item(), rel=1e-4), \
                (dynamic, len(xb))
