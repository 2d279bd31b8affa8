"""Every hetc op, forward and gradient, compiled for the CPU and run through
the runtime, against PyTorch 1.13.

Each case builds a one-op model whose float operands are parameters and
whose loss is sum(op(...) * r) for a random cotangent r. The eval entry
gives the forward result; one train_step with SGD at lr = 1 leaves
param - grad in the parameters, which gives the vector-Jacobian product.

Tolerances: 1e-5 absolute + 1e-4 relative for elementwise ops, 1e-4 + 1e-3
where long f32 accumulations are compared (matmul, convolution, pooling,
normalizations); the update p - g itself rounds to about 1e-7 |p|.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import gpu_artifact
import runtime

rng = np.random.default_rng(1234)


def R(*shape, low=None):
    a = rng.standard_normal(shape).astype(np.float32)
    return np.abs(a) + low if low is not None else a


def ty(shape, dtype="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + dtype + ">"


MLIR_DTYPE = {np.float32: "f32", np.int32: "i32", np.int64: "i64"}


class Case:
    def __init__(self, name, inputs, op, out_shape, ref, tol=1e-4,
                 grads=True):
        self.name, self.inputs, self.op = name, inputs, op
        self.out_shape, self.ref, self.tol, self.grads = (
            name, inputs, op, out_shape, ref, tol, grads)[3:]


def model_source(inputs, op, out_shape):
    args = []
    for i, a in enumerate(inputs):
        dt = MLIR_DTYPE[a.dtype.type]
        role = ('hetc.param = #hetc.init<zeros>' if dt == "f32"
                else "hetc.input")
        args.append(f'%a{i}: {ty(a.shape, dt)} {{{role}, hetc.name = "a{i}"}}')
    args.append(f'%r: {ty(out_shape)} {{hetc.input, hetc.name = "r"}}')
    axes = ", ".join(str(d) for d in range(len(out_shape)))
    weighted = (f"%w = hetc.mul %out, %r : ({ty(out_shape)}, {ty(out_shape)})"
                f" -> {ty(out_shape)}")
    loss = (f"%loss = hetc.reduce_sum %w [{axes}] : {ty(out_shape)} -> "
            "tensor<f32>" if out_shape else "%loss = hetc.neg %w : tensor<f32>")
    if not out_shape:
        loss = "%n = hetc.neg %w : tensor<f32>\n  %loss = hetc.neg %n : tensor<f32>"
    return (f"func.func @m({', '.join(args)}) -> (tensor<f32>, "
            f"{ty(out_shape)}) {{\n  {op}\n  {weighted}\n  {loss}\n"
            f"  return %loss, %out : tensor<f32>, {ty(out_shape)}\n}}\n")


# Every target; those whose device is absent here are reported as skipped
# (the reason comes from the runtime's own device probe).
TARGETS = ["cpu", "vulkan", "level-zero", "cuda", "rocm"]


@pytest.fixture(params=TARGETS)
def target(request):
    missing = runtime.device_unavailable(request.param)
    if missing:
        pytest.skip(f"{request.param}: {missing}")
    return request.param


def feed(session, case, r):
    """Sets the case's float operands as the session's parameters; returns
    the other inputs (integer operands and the cotangent r) by name."""
    data = {"r": r}
    for i, a in enumerate(case.inputs):
        if a.dtype == np.float32:
            session.set(f"a{i}", a)
        else:
            data[f"a{i}"] = a
    return data


# Each case's model, compiled once per target: the GPU compile tests compare
# their artifacts with the CPU artifact the forward test compiled.
_artifacts = {}


def compile_case(case, tmp_path, target):
    src = model_source(case.inputs, case.op, case.out_shape)
    if (src, target) not in _artifacts:
        _artifacts[src, target] = runtime.compile_model(
            src, tmp_path / f"{case.name}.{target}.hetc", f"--target={target}",
            "--optimizer=sgd", "--lr=1.0")
    return _artifacts[src, target]


def run_case(case, tmp_path, target="cpu"):
    shape = case.out_shape
    artifact = compile_case(case, tmp_path, target)
    session = runtime.Session(artifact, device=target)
    r = R(*shape) if shape else np.array(R(1)[0], np.float32)
    data = feed(session, case, r)
    _, outputs = session.run("eval", **data)
    got = outputs["output0"]

    torch_inputs = [torch.tensor(a, requires_grad=a.dtype == np.float32)
                    for a in case.inputs]
    expected = case.ref(*torch_inputs)
    np.testing.assert_allclose(got, expected.detach().numpy(), rtol=case.tol,
                               atol=case.tol / 10, err_msg="forward")
    if not case.grads:
        return
    (expected * torch.tensor(r)).sum().backward()
    session.train_step(**data)
    for i, (a, t) in enumerate(zip(case.inputs, torch_inputs)):
        if a.dtype != np.float32:
            continue
        grad = a - session.get(f"a{i}")
        np.testing.assert_allclose(grad, t.grad.numpy(), rtol=case.tol,
                                   atol=case.tol / 10 + 2e-7 * np.abs(a).max(),
                                   err_msg=f"gradient of operand {i}")
    session.close()


def binary(name, op, ref, a, b):
    out = np.broadcast_shapes(a.shape, b.shape)
    return Case(name, [a, b],
                f"%out = hetc.{op} %a0, %a1 : ({ty(a.shape)}, {ty(b.shape)})"
                f" -> {ty(out)}", out, ref)


def unary(name, op, ref, a, attrs="", tol=1e-4):
    return Case(name, [a], f"%out = hetc.{op} %a0{attrs} : {ty(a.shape)}",
                a.shape, ref, tol)


x48 = R(4, 8)
labels = rng.integers(0, 8, 4).astype(np.int32)
img = R(2, 4, 9, 9)
CASES = [
    binary("add_broadcast_row", "add", torch.add, x48, R(8)),
    binary("add_broadcast_both", "add", torch.add, R(4, 1), R(1, 8)),
    binary("add_rank_extension_scalar", "add", torch.add, x48, R()),
    binary("sub_broadcast_column", "sub", torch.sub, x48, R(4, 1)),
    binary("mul_broadcast", "mul", torch.mul, R(2, 1, 3), R(4, 1)),
    binary("div", "div", torch.div, x48, R(8, low=0.5)),
    binary("maximum", "maximum", torch.maximum, x48, R(8)),
    binary("minimum_broadcast", "minimum", torch.minimum, x48, R(4, 1)),
    unary("neg", "neg", torch.neg, x48),
    unary("exp", "exp", torch.exp, x48),
    unary("log", "log", torch.log, R(4, 8, low=0.1)),
    unary("sqrt", "sqrt", torch.sqrt, R(4, 8, low=0.1)),
    unary("rsqrt", "rsqrt", torch.rsqrt, R(4, 8, low=0.5)),
    unary("tanh", "tanh", torch.tanh, x48),
    unary("sigmoid", "sigmoid", torch.sigmoid, x48),
    unary("relu", "relu", torch.relu, x48),
    unary("gelu", "gelu", F.gelu, x48),
    unary("gelu_tanh", "gelu", lambda a: F.gelu(a, approximate="tanh"), x48,
          " approximate tanh"),
    Case("pow3", [x48], f"%out = hetc.pow %a0, 3.0 : {ty((4, 8))}", (4, 8),
         lambda a: a ** 3),
    Case("pow_fractional", [R(4, 8, low=0.2)],
         f"%out = hetc.pow %a0, 1.5 : {ty((4, 8))}", (4, 8),
         lambda a: a ** 1.5),
    Case("reduce_sum", [R(3, 4, 5)],
         f"%out = hetc.reduce_sum %a0 [0, 2] : {ty((3, 4, 5))} -> {ty((4,))}",
         (4,), lambda a: a.sum((0, 2))),
    Case("reduce_mean_keepdims", [R(3, 4, 5)],
         f"%out = hetc.reduce_mean %a0 [-1] keepdims : {ty((3, 4, 5))} -> "
         f"{ty((3, 4, 1))}", (3, 4, 1), lambda a: a.mean(-1, keepdim=True)),
    Case("reduce_max", [R(3, 4, 5)],
         f"%out = hetc.reduce_max %a0 [1] : {ty((3, 4, 5))} -> {ty((3, 5))}",
         (3, 5), lambda a: a.amax(1)),
    Case("softmax", [x48], f"%out = hetc.softmax %a0 axis -1 : {ty((4, 8))}",
         (4, 8), lambda a: torch.softmax(a, -1)),
    Case("log_softmax", [x48],
         f"%out = hetc.log_softmax %a0 axis 0 : {ty((4, 8))}", (4, 8),
         lambda a: torch.log_softmax(a, 0)),
    Case("reshape", [R(2, 3, 4)],
         f"%out = hetc.reshape %a0 [4, -1] : {ty((2, 3, 4))} -> {ty((4, 6))}",
         (4, 6), lambda a: a.reshape(4, 6)),
    Case("transpose", [R(2, 3, 4)],
         f"%out = hetc.transpose %a0 [2, 0, 1] : {ty((2, 3, 4))} -> "
         f"{ty((4, 2, 3))}", (4, 2, 3), lambda a: a.permute(2, 0, 1)),
    Case("broadcast_to", [R(3, 1)],
         f"%out = hetc.broadcast_to %a0 [2, 3, 5] : {ty((3, 1))} -> "
         f"{ty((2, 3, 5))}", (2, 3, 5), lambda a: a.expand(2, 3, 5)),
    Case("concat", [R(4, 3), R(4, 5)],
         f"%out = hetc.concat %a0, %a1 axis -1 : ({ty((4, 3))}, {ty((4, 5))})"
         f" -> {ty((4, 8))}", (4, 8), lambda a, b: torch.cat([a, b], -1)),
    Case("slice_strided", [x48],
         f"%out = hetc.slice %a0 offsets [1, 1] sizes [2, 3] strides [2, 2] :"
         f" {ty((4, 8))} -> {ty((2, 3))}", (2, 3),
         lambda a: a[1:4:2, 1:7:2]),
    Case("matmul", [R(5, 7), R(7, 6)],
         f"%out = hetc.matmul %a0, %a1 : ({ty((5, 7))}, {ty((7, 6))}) -> "
         f"{ty((5, 6))}", (5, 6), torch.matmul, tol=1e-3),
    Case("matmul_transposed", [R(7, 5), R(6, 7)],
         f"%out = hetc.matmul %a0, %a1 transpose_lhs transpose_rhs : "
         f"({ty((7, 5))}, {ty((6, 7))}) -> {ty((5, 6))}", (5, 6),
         lambda a, b: a.T @ b.T, tol=1e-3),
    Case("matmul_batch_broadcast", [R(2, 1, 5, 7), R(3, 7, 6)],
         f"%out = hetc.matmul %a0, %a1 : ({ty((2, 1, 5, 7))}, "
         f"{ty((3, 7, 6))}) -> {ty((2, 3, 5, 6))}", (2, 3, 5, 6),
         torch.matmul, tol=1e-3),
    Case("conv2d", [img, R(6, 4, 3, 3), R(6)],
         "%out = hetc.conv2d %a0, %a1, %a2 {padding = array<i64: 1, 2, 1, 0>,"
         " strides = array<i64: 2, 1>, dilation = array<i64: 1, 2>} : "
         f"({ty(img.shape)}, {ty((6, 4, 3, 3))}, {ty((6,))}) -> "
         f"{ty((2, 6, 5, 7))}", (2, 6, 5, 7),
         lambda a, w, b: F.conv2d(F.pad(a, (2, 0, 1, 1)), w, b, stride=(2, 1),
                                  dilation=(1, 2)), tol=1e-3),
    Case("conv2d_groups", [img, R(6, 2, 3, 3)],
         "%out = hetc.conv2d %a0, %a1 {groups = 2 : i64} : "
         f"({ty(img.shape)}, {ty((6, 2, 3, 3))}) -> {ty((2, 6, 7, 7))}",
         (2, 6, 7, 7), lambda a, w: F.conv2d(a, w, groups=2), tol=1e-3),
    Case("max_pool2d", [img],
         "%out = hetc.max_pool2d %a0 {kernel_size = array<i64: 3, 3>, "
         "strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : "
         f"{ty(img.shape)} -> {ty((2, 4, 5, 5))}", (2, 4, 5, 5),
         lambda a: F.max_pool2d(a, 3, 2, 1)),
    Case("avg_pool2d", [img],
         "%out = hetc.avg_pool2d %a0 {kernel_size = array<i64: 3, 3>, "
         "strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : "
         f"{ty(img.shape)} -> {ty((2, 4, 5, 5))}", (2, 4, 5, 5),
         lambda a: F.avg_pool2d(a, 3, 2, 1)),
    Case("avg_pool2d_exclude_pad", [img],
         "%out = hetc.avg_pool2d %a0 {kernel_size = array<i64: 3, 3>, "
         "strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, "
         f"count_include_pad = false}} : {ty(img.shape)} -> "
         f"{ty((2, 4, 5, 5))}", (2, 4, 5, 5),
         lambda a: F.avg_pool2d(a, 3, 2, 1, count_include_pad=False)),
    Case("batch_norm", [img, R(4), R(4)],
         f"%out = hetc.batch_norm %a0, %a1, %a2 : ({ty(img.shape)}, "
         f"{ty((4,))}, {ty((4,))}) -> {ty(img.shape)}", img.shape,
         lambda a, w, b: F.batch_norm(a, None, None, w, b, training=True),
         tol=1e-3),
    Case("layer_norm", [R(2, 5, 6), R(6), R(6)],
         f"%out = hetc.layer_norm %a0, %a1, %a2 : ({ty((2, 5, 6))}, "
         f"{ty((6,))}, {ty((6,))}) -> {ty((2, 5, 6))}", (2, 5, 6),
         lambda a, w, b: F.layer_norm(a, (6,), w, b), tol=1e-3),
    Case("embedding", [R(10, 3), rng.integers(0, 10, (2, 5)).astype(np.int64)],
         f"%out = hetc.embedding %a0, %a1 : ({ty((10, 3))}, "
         f"{ty((2, 5), 'i64')}) -> {ty((2, 5, 3))}", (2, 5, 3),
         lambda t, i: F.embedding(i, t)),
    Case("cross_entropy", [x48, labels],
         f"%out = hetc.cross_entropy %a0, %a1 : ({ty((4, 8))}, "
         f"{ty((4,), 'i32')}) -> tensor<f32>", (),
         lambda a, l: F.cross_entropy(a, l.long())),
    Case("mse", [x48, R(4, 8)],
         f"%out = hetc.mse %a0, %a1 : ({ty((4, 8))}, {ty((4, 8))}) -> "
         "tensor<f32>", (), F.mse_loss),
    # Shapes large enough for the GPU lowering's structure: several ragged
    # 16x16 workgroup tiles, reductions long enough to be split into
    # parallel partials (one reduced dimension, and batch-norm's three).
    Case("matmul_tiles", [R(40, 70), R(70, 33)],
         f"%out = hetc.matmul %a0, %a1 : ({ty((40, 70))}, {ty((70, 33))}) -> "
         f"{ty((40, 33))}", (40, 33), torch.matmul, tol=1e-3),
    Case("conv2d_tiles", [R(2, 8, 12, 12), R(16, 8, 3, 3)],
         "%out = hetc.conv2d %a0, %a1 : "
         f"({ty((2, 8, 12, 12))}, {ty((16, 8, 3, 3))}) -> "
         f"{ty((2, 16, 10, 10))}", (2, 16, 10, 10), F.conv2d, tol=1e-3),
    # Outputs of at least 512x512 (forward and both gradients): 8x8 per
    # thread, and the tensor-core (3xTF32) kernels on NVIDIA. Outputs are
    # sums of 520 products (magnitude ~23); 3xTF32 keeps ~21 bits of each
    # product, so near-cancelling sums differ by up to ~2e-4 absolute.
    Case("matmul_large", [R(544, 520), R(520, 530)],
         f"%out = hetc.matmul %a0, %a1 : ({ty((544, 520))}, "
         f"{ty((520, 530))}) -> {ty((544, 530))}", (544, 530), torch.matmul,
         tol=3e-3),
    Case("reduce_sum_long", [R(4096)],
         f"%out = hetc.reduce_sum %a0 [0] : {ty((4096,))} -> tensor<f32>", (),
         lambda a: a.sum(), tol=1e-3),
    Case("batch_norm_large", [R(8, 4, 16, 16), R(4), R(4)],
         f"%out = hetc.batch_norm %a0, %a1, %a2 : ({ty((8, 4, 16, 16))}, "
         f"{ty((4,))}, {ty((4,))}) -> {ty((8, 4, 16, 16))}", (8, 4, 16, 16),
         lambda a, w, b: F.batch_norm(a, None, None, w, b, training=True),
         tol=1e-3),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_op_forward_and_gradient_match_torch(case, target, tmp_path):
    run_case(case, tmp_path, target)


@pytest.mark.parametrize("gpu", ["cuda", "rocm", "level-zero"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_op_compiles_for_targets_without_a_device_here(case, gpu, tmp_path):
    """Every op's train step compiles to a cubin and PTX, an HSACO and Level
    Zero SPIR-V that validate, with the CPU artifact's manifest, even where
    no such device exists to run it (the Vulkan build of the same lowering
    runs above)."""
    check_gpu_artifact(case, gpu, tmp_path)


def check_gpu_artifact(case, gpu, tmp_path):
    """Compiles `case` for `gpu` and checks the artifact without a device
    (gpu_artifact.check): the runtime reads it, its kernels validate, and its
    manifest is the CPU artifact's. Skips, after every other check, when a
    validator's tool is missing."""
    artifact = compile_case(case, tmp_path, gpu)
    cpu = compile_case(case, tmp_path, "cpu")
    not_run = gpu_artifact.check(artifact, cpu, tmp_path)
    if not_run:
        pytest.skip(f"{gpu}: not validated: {'; '.join(not_run)}")


def random_shape_cases(seed, count):
    """Elementwise, broadcasting and reduction cases on random shapes."""
    r = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        rank = int(r.integers(1, 5))
        full = tuple(int(d) for d in r.integers(1, 6, rank))
        # Drop leading dims and set random dims to 1 on the second operand.
        keep = int(r.integers(0, rank + 1))
        other = tuple(1 if r.random() < 0.4 else d for d in full[rank - keep:])
        op, ref = [("add", torch.add), ("mul", torch.mul), ("sub", torch.sub),
                   ("maximum", torch.maximum)][i % 4]
        a = rng.standard_normal(full).astype(np.float32)
        b = rng.standard_normal(other).astype(np.float32)
        cases.append(binary(f"random_{op}_{full}_{other}", op, ref, a, b))
        axis = int(r.integers(0, rank))
        out = full[:axis] + full[axis + 1:]
        cases.append(Case(
            f"random_reduce_sum_{full}_axis{axis}", [a],
            f"%out = hetc.reduce_sum %a0 [{axis}] : {ty(full)} -> {ty(out)}",
            out, lambda t, axis=axis: t.sum(axis)))
    return cases


@pytest.mark.parametrize("case", random_shape_cases(99, 6),
                         ids=lambda c: c.name)
def test_random_shapes_match_torch(case, tmp_path):
    run_case(case, tmp_path)


def dropout_source(x, seed_from_input):
    if seed_from_input:
        return model_source([x, np.array(7, np.int64)],
                            "%out = hetc.dropout %a0, %a1 {p = 0.25 : f64} : "
                            f"({ty((64, 64))}, tensor<i64>) -> {ty((64, 64))}",
                            (64, 64))
    return model_source([x], "%s = arith.constant dense<7> : tensor<i64>\n"
                        "  %out = hetc.dropout %a0, %s {p = 0.25 : f64} : "
                        f"({ty((64, 64))}, tensor<i64>) -> {ty((64, 64))}",
                        (64, 64))


@pytest.mark.parametrize("seed_from_input", [False, True],
                         ids=["constant_seed", "input_seed"])
def test_dropout_is_deterministic_and_scaled(target, seed_from_input,
                                             tmp_path):
    # The mask is hetc's own hash, so compare its statistics and its
    # gradient (the same mask applied to the cotangent) rather than torch's;
    # every target computes the same mask.
    x = np.ones((64, 64), np.float32)
    src = dropout_source(x, seed_from_input)
    artifact = runtime.compile_model(src, tmp_path / "dropout.hetc",
                                     f"--target={target}", "--optimizer=sgd",
                                     "--lr=1.0")
    session = runtime.Session(artifact, device=target)
    session.set("a0", x)
    r = np.ones((64, 64), np.float32)
    feed = {"a1": np.array(7, np.int64)} if seed_from_input else {}
    _, first = session.run("eval", r=r, **feed)
    _, second = session.run("eval", r=r, **feed)
    out = first["output0"]
    np.testing.assert_array_equal(out, second["output0"])
    if target != "cpu":
        cpu = runtime.Session(runtime.compile_model(
            src, tmp_path / "dropout_cpu.hetc"))
        cpu.set("a0", x)
        np.testing.assert_array_equal(cpu.run("eval", r=r, **feed)[1]["output0"],
                                      out)
    kept = out != 0
    assert 0.70 < kept.mean() < 0.80
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)
    session.train_step(r=r, **feed)
    grad = x - session.get("a0")
    np.testing.assert_array_equal(grad != 0, kept)
