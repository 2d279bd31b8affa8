"""Buffers (non-trainable session state) and eval-mode functions, through
hetc.compile and hetc.Session, against PyTorch 1.13.

The model is BatchNorm1d(4) written out in hetc ops (batch statistics with
reduce_mean, the running statistics as hetc.buffer arguments updated through
hetc.buffer_update results, torch's momentum 0.1 and unbiased running
variance), then Linear(4, 3) and an MSE loss. Its eval-mode function
(hetc.eval_of) normalizes with the running statistics instead.
"""
import json
import sys

import numpy as np
import pytest
import torch

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402

N, C, K = 8, 4, 3
EPS = 1e-5
LR = 0.1


def ty(*shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


def const(value):
    return f"arith.constant dense<{value:.9e}> : tensor<f32>"


ARGS = (f'%x: {ty(N, C)} {{hetc.input, hetc.name = "x"}}, '
        f'%y: {ty(N, K)} {{hetc.label, hetc.name = "y"}}, '
        f'%g: {ty(C)} {{hetc.param = #hetc.init<ones>, hetc.name = "bn.weight"}}, '
        f'%be: {ty(C)} {{hetc.param = #hetc.init<zeros>, hetc.name = "bn.bias"}}, '
        f'%w: {ty(K, C)} {{hetc.param = #hetc.init<uniform, 0.5>, hetc.name = "fc.weight"}}, '
        f'%b: {ty(K)} {{hetc.param = #hetc.init<uniform, 0.5>, hetc.name = "fc.bias"}}, '
        f'%rm: {ty(C)} {{hetc.buffer = #hetc.init<zeros>, hetc.name = "bn.running_mean"}}, '
        f'%rv: {ty(C)} {{hetc.buffer = #hetc.init<ones>, hetc.name = "bn.running_var"}}')


def head(mean, var):
    """Normalization by (mean, var) [C], affine, linear, MSE: returns the
    lines and leaves %loss and %out."""
    return f"""
  %xc = hetc.sub %x, {mean} : ({ty(N, C)}, {ty(C)}) -> {ty(N, C)}
  %eps = {const(EPS)}
  %ve = hetc.add {var}, %eps : ({ty(C)}, tensor<f32>) -> {ty(C)}
  %inv = hetc.rsqrt %ve : {ty(C)}
  %xh = hetc.mul %xc, %inv : ({ty(N, C)}, {ty(C)}) -> {ty(N, C)}
  %xs = hetc.mul %xh, %g : ({ty(N, C)}, {ty(C)}) -> {ty(N, C)}
  %h = hetc.add %xs, %be : ({ty(N, C)}, {ty(C)}) -> {ty(N, C)}
  %mm = hetc.matmul %h, %w transpose_rhs : ({ty(N, C)}, {ty(K, C)}) -> {ty(N, K)}
  %out = hetc.add %mm, %b : ({ty(N, K)}, {ty(K)}) -> {ty(N, K)}
  %loss = hetc.mse %out, %y : ({ty(N, K)}, {ty(N, K)}) -> tensor<f32>"""


BN_MODEL = f"""
func.func @bn({ARGS})
    -> (tensor<f32>, {ty(N, K)}, {ty(C)} {{hetc.buffer_update = 6 : i64}},
        {ty(C)} {{hetc.buffer_update = 7 : i64}}) {{
  %mean = hetc.reduce_mean %x [0] : {ty(N, C)} -> {ty(C)}
  %d = hetc.sub %x, %mean : ({ty(N, C)}, {ty(C)}) -> {ty(N, C)}
  %d2 = hetc.mul %d, %d : ({ty(N, C)}, {ty(N, C)}) -> {ty(N, C)}
  %var = hetc.reduce_mean %d2 [0] : {ty(N, C)} -> {ty(C)}
  {head("%mean", "%var")}
  %keep = {const(0.9)}
  %mom = {const(0.1)}
  %unbias = {const(N / (N - 1))}
  %rm0 = hetc.mul %rm, %keep : ({ty(C)}, tensor<f32>) -> {ty(C)}
  %rm1 = hetc.mul %mean, %mom : ({ty(C)}, tensor<f32>) -> {ty(C)}
  %rmn = hetc.add %rm0, %rm1 : ({ty(C)}, {ty(C)}) -> {ty(C)}
  %uv = hetc.mul %var, %unbias : ({ty(C)}, tensor<f32>) -> {ty(C)}
  %rv0 = hetc.mul %rv, %keep : ({ty(C)}, tensor<f32>) -> {ty(C)}
  %rv1 = hetc.mul %uv, %mom : ({ty(C)}, tensor<f32>) -> {ty(C)}
  %rvn = hetc.add %rv0, %rv1 : ({ty(C)}, {ty(C)}) -> {ty(C)}
  return %loss, %out, %rmn, %rvn : tensor<f32>, {ty(N, K)}, {ty(C)}, {ty(C)}
}}

func.func @bn_eval({ARGS}) -> (tensor<f32>, {ty(N, K)})
    attributes {{hetc.eval_of = "bn"}} {{
  {head("%rm", "%rv")}
  return %loss, %out : tensor<f32>, {ty(N, K)}
}}
"""

# fc.weight is frozen: a buffer, read by the model and never updated.
FROZEN_MODEL = f"""
func.func @frozen(%x: {ty(N, C)} {{hetc.input, hetc.name = "x"}},
                  %y: {ty(N, K)} {{hetc.label, hetc.name = "y"}},
                  %w: {ty(K, C)} {{hetc.buffer = #hetc.init<uniform, 0.5>, hetc.name = "fc.weight"}},
                  %b: {ty(K)} {{hetc.param = #hetc.init<zeros>, hetc.name = "fc.bias"}})
    -> tensor<f32> {{
  %mm = hetc.matmul %x, %w transpose_rhs : ({ty(N, C)}, {ty(K, C)}) -> {ty(N, K)}
  %out = hetc.add %mm, %b : ({ty(N, K)}, {ty(K)}) -> {ty(N, K)}
  %loss = hetc.mse %out, %y : ({ty(N, K)}, {ty(N, K)}) -> tensor<f32>
  return %loss : tensor<f32>
}}
"""


@pytest.fixture(params=["cpu", "vulkan"])
def target(request):
    missing = runtime.device_unavailable(request.param)
    if missing:
        pytest.skip(f"{request.param}: {missing}")
    return request.param


def batches(steps, seed=7):
    rng = np.random.default_rng(seed)
    return [((rng.standard_normal((N, C)) * 2 + 1).astype(np.float32),
             rng.standard_normal((N, K)).astype(np.float32))
            for _ in range(steps)]


def bn_session(target, seed=3):
    artifact = hetc.compile(BN_MODEL, target=target,
                            optimizer={"optimizer": "sgd", "lr": LR})
    return artifact, hetc.Session(artifact, hetc.Device(target), seed=seed)


def torch_model(session):
    bn = torch.nn.BatchNorm1d(C, eps=EPS, momentum=0.1)
    fc = torch.nn.Linear(C, K)
    with torch.no_grad():
        for module, prefix in ((bn, "bn"), (fc, "fc")):
            for name, tensor in list(module.named_parameters()) + list(
                    module.named_buffers()):
                if name != "num_batches_tracked":
                    tensor.copy_(torch.from_numpy(
                        session.get(f"{prefix}.{name}")))
    return bn, fc


def test_manifest_lists_buffers(target):
    artifact, session = bn_session(target)
    entries = {e["name"]: e for e in json.loads(artifact.manifest)["entries"]}
    for entry in ("train_step", "eval"):
        buffers = {a["name"]: a for a in entries[entry]["args"]
                   if a["role"] == "buffer"}
        assert buffers["bn.running_mean"]["init"] == {"kind": "zeros"}
        assert buffers["bn.running_var"]["init"] == {"kind": "ones"}
        assert buffers["bn.running_mean"]["shape"] == [C]
    # The buffer updates are written in place, not returned; eval returns
    # the loss and the logits only.
    assert [r["role"] for r in entries["train_step"]["results"]] == [
        "loss", "output"]
    assert [r["role"] for r in entries["eval"]["results"]] == [
        "loss", "output"]
    assert set(session.state_names) >= {"bn.running_mean", "bn.running_var"}
    np.testing.assert_array_equal(session.get("bn.running_mean"),
                                  np.zeros(C, np.float32))
    np.testing.assert_array_equal(session.get("bn.running_var"),
                                  np.ones(C, np.float32))


def test_batch_norm_matches_torch(target):
    _, session = bn_session(target)
    bn, fc = torch_model(session)
    opt = torch.optim.SGD(list(bn.parameters()) + list(fc.parameters()),
                          lr=LR)
    bn.train()
    for x, y in batches(5):
        loss, outputs = session.train_step(x=x, y=y)
        opt.zero_grad()
        out = fc(bn(torch.from_numpy(x)))
        ref = torch.nn.functional.mse_loss(out, torch.from_numpy(y))
        ref.backward()
        opt.step()
        assert abs(loss - ref.item()) <= 1e-5
        np.testing.assert_allclose(outputs["output0"], out.detach().numpy(),
                                   atol=1e-5)
    for module, prefix in ((bn, "bn"), (fc, "fc")):
        for name, tensor in list(module.named_parameters()) + list(
                module.named_buffers()):
            if name == "num_batches_tracked":
                continue
            np.testing.assert_allclose(session.get(f"{prefix}.{name}"),
                                       tensor.detach().numpy(), atol=1e-5,
                                       err_msg=f"{prefix}.{name}")

    # Eval normalizes with the running statistics and changes no state.
    x, y = batches(1, seed=11)[0]
    before = {name: session.get(name) for name in session.state_names}
    loss, outputs = session.run("eval", x=x, y=y)
    bn.eval()
    with torch.no_grad():
        out = fc(bn(torch.from_numpy(x)))
        ref = torch.nn.functional.mse_loss(out, torch.from_numpy(y))
    assert abs(loss - ref.item()) <= 1e-5
    np.testing.assert_allclose(outputs["output0"], out.numpy(), atol=1e-5)
    for name, value in before.items():
        np.testing.assert_array_equal(session.get(name), value, err_msg=name)


def test_checkpoint_round_trips_buffers(target, tmp_path):
    artifact, session = bn_session(target)
    data = batches(4)
    for x, y in data[:2]:
        session.train_step(x=x, y=y)
    saved = {name: session.get(name) for name in session.state_names}
    assert not np.array_equal(saved["bn.running_mean"], np.zeros(C))
    path = str(tmp_path / "bn.ckpt")
    session.save_checkpoint(path)
    for x, y in data[2:]:
        session.train_step(x=x, y=y)
    assert not np.array_equal(session.get("bn.running_var"),
                              saved["bn.running_var"])
    session.load_checkpoint(path)
    for name, value in saved.items():
        np.testing.assert_array_equal(session.get(name), value, err_msg=name)
    # A fresh session resumes from the checkpoint with the same buffers.
    other = hetc.Session(artifact, hetc.Device(target), seed=99)
    other.load_checkpoint(path)
    for name, value in saved.items():
        np.testing.assert_array_equal(other.get(name), value, err_msg=name)
    x, y = data[2]
    assert session.train_step(x=x, y=y)[0] == other.train_step(x=x, y=y)[0]
    np.testing.assert_array_equal(session.get("bn.running_mean"),
                                  other.get("bn.running_mean"))


def test_buffers_can_be_set():
    _, session = bn_session("cpu")
    rm = np.arange(C, dtype=np.float32)
    rv = np.full(C, 4.0, np.float32)
    session.set("bn.running_mean", rm)
    session.set("bn.running_var", rv)
    x, y = batches(1)[0]
    loss, outputs = session.run("eval", x=x, y=y)
    bn, fc = torch_model(session)
    bn.eval()
    with torch.no_grad():
        out = fc(bn(torch.from_numpy(x)))
    np.testing.assert_allclose(outputs["output0"], out.numpy(), atol=1e-5)
    np.testing.assert_array_equal(bn.running_mean.numpy(), rm)
    with pytest.raises(hetc.Error, match="shape"):
        session.set("bn.running_var", np.ones(C + 1, np.float32))


def test_frozen_parameter_does_not_move(target):
    artifact = hetc.compile(FROZEN_MODEL, target=target,
                            optimizer={"optimizer": "sgd", "lr": LR,
                                       "momentum": 0.9})
    session = hetc.Session(artifact, hetc.Device(target), seed=5)
    # No optimizer state for the buffer; the parameter has its momentum.
    assert "fc.bias.momentum" in session.state_names
    assert not any(n.startswith("fc.weight.") for n in session.state_names)
    w = session.get("fc.weight")
    assert np.abs(w).max() > 0
    b = session.get("fc.bias")
    fc = torch.nn.Linear(C, K)
    with torch.no_grad():
        fc.weight.copy_(torch.from_numpy(w))
        fc.bias.copy_(torch.from_numpy(b))
    fc.weight.requires_grad_(False)
    opt = torch.optim.SGD([fc.bias], lr=LR, momentum=0.9)
    for x, y in batches(3):
        loss, _ = session.train_step(x=x, y=y)
        opt.zero_grad()
        ref = torch.nn.functional.mse_loss(fc(torch.from_numpy(x)),
                                           torch.from_numpy(y))
        ref.backward()
        opt.step()
        assert abs(loss - ref.item()) <= 1e-5
    np.testing.assert_array_equal(session.get("fc.weight"), w)
    np.testing.assert_allclose(session.get("fc.bias"),
                               fc.bias.detach().numpy(), atol=1e-5)
    assert not np.allclose(session.get("fc.bias"), b)


def test_constant_operand_of_a_gpu_contraction_is_uploaded(target):
    """A splat constant read by a tiled matmul (an RNN's zero initial state)
    is a device-program constant; the runtime used to check the programs'
    references to constants before loading them and refused the artifact
    ("names buffer c0, which does not exist")."""
    from hetc.graph import Graph
    g = Graph("model")
    x = g.input("x", [4, 6])
    w = g.param("w", [12, 6], init="uniform", value=0.3)
    u = g.param("u", [12, 12], init="uniform", value=0.3)
    h0 = g.constant(np.full((4, 12), 0.5, np.float32))
    h = g.tanh(g.add(g.matmul(x, w, transpose_rhs=True),
                     g.matmul(h0, u, transpose_rhs=True)))
    g.end_function([g.reduce("mean", h, [0, 1]), h])
    losses = {}
    for t in ("cpu", target):
        artifact = hetc.compile(g.mlir(), target=t,
                                optimizer={"optimizer": "sgd", "lr": 0.1})
        session = hetc.Session(artifact, hetc.Device(t), 0)
        session.set("w", np.full((12, 6), 0.1, np.float32))
        session.set("u", np.full((12, 12), -0.05, np.float32))
        losses[t] = [session.train_step(x=np.ones((4, 6), np.float32))[0]
                     for _ in range(2)]
    np.testing.assert_allclose(losses[target], losses["cpu"], rtol=1e-6)
