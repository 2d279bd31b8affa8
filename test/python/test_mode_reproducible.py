"""The reproducible compilation mode's plumbing (issue 15): hetc-compile
--reproducible, the Python options, the manifest flag and its binding to the
code by the artifact signature."""
import json
import sys

import numpy as np
import pytest

import runtime
from conftest import MLP_MODEL
from conftest import mlp_batch as batch
from test_hardening import decode_artifact, with_manifest

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
from hetc import manifest as manifest_schema  # noqa: E402

SGD = {"optimizer": "sgd", "lr": 0.1}


def manifest_of(data):
    return json.loads(dict(decode_artifact(data))[b"manifest"])


@pytest.fixture(scope="module")
def compiled():
    """The digits MLP's artifact bytes: (default, reproducible)."""
    paths = {}
    for name, flags in [("default", []), ("reproducible", ["--reproducible"])]:
        out = runtime.build_dir() / f"test_mode_{name}.hetc"
        paths[name] = runtime.compile_model(MLP_MODEL, out, "--lr=0.1", *flags)
    return (paths["default"].read_bytes(), paths["reproducible"].read_bytes())


def test_hetc_compile_flag_writes_the_manifest_flag(compiled):
    default, reproducible = compiled
    assert "reproducible" not in manifest_of(default)
    manifest = manifest_of(reproducible)
    assert manifest["reproducible"] is True
    assert manifest_schema.check(manifest) == []


def test_artifact_reports_the_mode(compiled):
    default, reproducible = compiled
    assert hetc.Artifact(default).reproducible is False
    assert hetc.Artifact(reproducible).reproducible is True


def test_python_compile_option():
    assert hetc.compile_file(MLP_MODEL, optimizer=SGD,
                             reproducible=True).reproducible
    assert not hetc.compile_file(MLP_MODEL, optimizer=SGD).reproducible
    source = MLP_MODEL.read_text()
    assert hetc.compile(source, optimizer=SGD, reproducible=True).reproducible


def test_reproducible_artifact_trains(compiled):
    _, reproducible = compiled
    session = hetc.Session(hetc.Artifact(reproducible), hetc.Device("cpu"),
                           seed=3)
    x, y = batch()
    losses = [float(session.train_step(x=x, labels=y)[0]) for _ in range(5)]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]


def test_the_flag_is_bound_by_the_signature(compiled):
    """Removing the flag from a reproducible artifact, setting it false, or
    adding it to a default one is refused naming the member."""
    default, reproducible = compiled
    manifest = manifest_of(reproducible)
    removed = {k: v for k, v in manifest.items() if k != "reproducible"}
    cleared = dict(manifest, reproducible=False)
    added = dict(manifest_of(default), reproducible=True)
    cases = [
        (reproducible, removed,
         "the manifest lacks 'reproducible', which the code was compiled "
         "with"),
        (reproducible, cleared,
         "the manifest's 'reproducible' differs from the one the code was "
         "compiled with"),
        (default, added,
         "the manifest's 'reproducible' is not bound by the compiled code"),
    ]
    for data, changed, error in cases:
        artifact = hetc.Artifact(with_manifest(data, changed))
        with pytest.raises(hetc.Error, match=error):
            hetc.Session(artifact, hetc.Device("cpu"), seed=1)
    # Re-encoded unchanged, it loads.
    hetc.Session(hetc.Artifact(with_manifest(reproducible, manifest)),
                 hetc.Device("cpu"), seed=1)


def test_trainer_option():
    trainer = hetc.Trainer(
        hetc.nn.Sequential(hetc.nn.Linear(8, 4)), (16, 8),
        hetc.nn.CrossEntropyLoss(), hetc.optim.SGD(lr=0.1),
        reproducible=True)
    assert trainer.artifact.reproducible
    # A further batch size compiles in the same mode (a variant artifact).
    rng = np.random.default_rng(0)
    trainer.step(rng.random((8, 8), dtype=np.float32),
                 rng.integers(0, 4, 8).astype(np.int32))
    assert not hetc.Trainer(
        hetc.nn.Sequential(hetc.nn.Linear(8, 4)), (16, 8),
        hetc.nn.CrossEntropyLoss(),
        hetc.optim.SGD(lr=0.1)).artifact.reproducible
    source = trainer.source
    assert hetc.Trainer.from_mlir(source, hetc.optim.SGD(lr=0.1),
                                  reproducible=True).artifact.reproducible


def test_torch_compile_option():
    torch = pytest.importorskip("torch")
    import hetc.torch as htorch
    model = torch.nn.Linear(8, 4)
    x = torch.rand(16, 8)
    y = torch.randint(0, 4, (16,))
    for flag in (True, False):
        trainer = htorch.compile(
            model, torch.nn.functional.cross_entropy,
            torch.optim.SGD(model.parameters(), lr=0.1), x, y,
            reproducible=flag)
        assert trainer.artifact.reproducible is flag


# --- Reduction order and contraction ----------------------------------------

GEMM = """
func.func @gemm(%x: tensor<37x300xf32> {hetc.input, hetc.name = "x"},
                %labels: tensor<37xi32> {hetc.label, hetc.name = "labels"},
                %w: tensor<300x45xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "w"})
    -> (tensor<f32>, tensor<37x45xf32>) {
  %y = hetc.matmul %x, %w : (tensor<37x300xf32>, tensor<300x45xf32>) -> tensor<37x45xf32>
  %loss = hetc.cross_entropy %y, %labels : (tensor<37x45xf32>, tensor<37xi32>) -> tensor<f32>
  return %loss, %y : tensor<f32>, tensor<37x45xf32>
}
"""


def sequential_matmul(x, w):
    """x @ w with each output summed from 0 in k order, every product and
    sum rounded to f32: the reproducible mode's definition."""
    acc = np.zeros((x.shape[0], w.shape[1]), np.float32)
    for k in range(x.shape[1]):
        acc = acc + np.outer(x[:, k], w[k]).astype(np.float32)
    return acc


def cpu_chips():
    """The CPU flavours this machine runs: generic, AVX2, AVX-512."""
    flags = open("/proc/cpuinfo").read()
    chips = ["x86-64"]
    if " avx2 " in flags and " fma " in flags:
        chips.append("x86-64-v3")
    if " avx512f " in flags and " avx512vl " in flags:
        chips.append("x86-64-v4")
    return chips


@pytest.mark.parametrize("target", ["cpu", "vulkan"])
def test_gemm_sums_in_k_order_without_fma(target):
    """A 37x300 by 300x45 GEMM (edge tiles, more than one 256-deep ukernel
    block) equals, bit for bit, the sequential sum of rounded products on
    every CPU flavour here and on vulkan; with fma or a blocked sum order
    the last bits differ."""
    missing = runtime.device_unavailable(target)
    if missing:
        pytest.skip(f"{target}: {missing}")
    rng = np.random.default_rng(4)
    # Values of mixed sign and magnitude, so order and rounding show.
    x = (rng.standard_normal((37, 300)) * 3).astype(np.float32)
    w = rng.standard_normal((300, 45)).astype(np.float32)
    labels = rng.integers(0, 45, 37).astype(np.int32)
    want = sequential_matmul(x, w)
    chips = cpu_chips() if target == "cpu" else [""]
    for chip in chips:
        artifact = hetc.compile(GEMM, target=target, chip=chip,
                                eval_only=True, reproducible=True)
        session = hetc.Session(artifact, hetc.Device(target), seed=0)
        session.set("w", w)
        _, outputs = session.run(x=x, labels=labels)
        np.testing.assert_array_equal(outputs["output0"].view(np.uint32),
                                      want.view(np.uint32), err_msg=chip)


def test_ptxas_runs_without_fmad(tmp_path):
    """ptxas gets --fmad=false in reproducible mode (a wrapper in a copy of
    the toolkit records its arguments) and not otherwise."""
    import os
    import pathlib
    import subprocess
    home = pathlib.Path(os.environ.get("CUDA_HOME", "/usr/local/cuda"))
    if not (home / "bin" / "ptxas").exists() or not (
            home / "nvvm" / "libdevice" / "libdevice.10.bc").exists():
        pytest.skip(f"no CUDA toolkit at {home}")
    toolkit = tmp_path / "cuda"
    (toolkit / "bin").mkdir(parents=True)
    (toolkit / "nvvm").symlink_to(home / "nvvm")
    log = tmp_path / "args"
    wrapper = toolkit / "bin" / "ptxas"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\n'
                       f'exec {home / "bin" / "ptxas"} "$@"\n')
    wrapper.chmod(0o755)
    env = dict(os.environ, CUDA_HOME=str(toolkit))
    for flags, fmad in [(["--reproducible"], True), ([], False)]:
        log.write_text("")
        subprocess.run([str(runtime.build_dir() / "bin" / "hetc-compile"),
                        str(MLP_MODEL), "--target=cuda", "--emit=obj", "-o",
                        str(tmp_path / "out.cubin"), *flags], env=env,
                       check=True, capture_output=True)
        args = log.read_text()
        assert args, "ptxas was not run"
        assert ("--fmad=false" in args) == fmad, args


REGRESSION = """
func.func @regression(%x: tensor<256x16xf32> {hetc.input, hetc.name = "x"},
                      %y: tensor<256x4xf32> {hetc.label, hetc.name = "y"},
                      %w: tensor<64x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w"},
                      %b: tensor<64xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b"},
                      %w2: tensor<4x64xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w2"})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<256x16xf32>, tensor<64x16xf32>) -> tensor<256x64xf32>
  %h1 = hetc.add %h0, %b : (tensor<256x64xf32>, tensor<64xf32>) -> tensor<256x64xf32>
  %h = hetc.relu %h1 : tensor<256x64xf32>
  %o = hetc.matmul %h, %w2 transpose_rhs : (tensor<256x64xf32>, tensor<4x64xf32>) -> tensor<256x4xf32>
  %loss = hetc.mse %o, %y : (tensor<256x4xf32>, tensor<256x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}
"""


def test_regression_trains_bit_identically_on_cpu_and_vulkan():
    """Without transcendental math (whose lowering is hetc's own math's
    business), fixed reduction order and no contraction are all it takes:
    20 steps of SGD with momentum give the same losses and state, bit for
    bit, on the cpu and on vulkan. (In the default mode most differ.)"""
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    trainers = {
        target: hetc.Trainer.from_mlir(
            REGRESSION, hetc.optim.SGD(lr=0.05, momentum=0.9), target=target,
            seed=3, reproducible=True)
        for target in ("cpu", "vulkan")}
    rng = np.random.default_rng(0)
    for step in range(20):
        x = rng.standard_normal((256, 16)).astype(np.float32)
        y = rng.standard_normal((256, 4)).astype(np.float32)
        losses = [np.float32(t.step(x, y)) for t in trainers.values()]
        assert losses[0].tobytes() == losses[1].tobytes(), (step, losses)
    states = [t.state_dict() for t in trainers.values()]
    for name, value in states[0].items():
        np.testing.assert_array_equal(
            np.asarray(value).view(np.uint32),
            np.asarray(states[1][name]).view(np.uint32), err_msg=name)
    assert trainers["cpu"].fingerprint() == trainers["vulkan"].fingerprint()


def test_long_sum_on_vulkan_equals_the_cpu():
    """A 200000-element sum, one thread per output in reproducible mode,
    runs as consecutive kernels of at most 32768 iterations (lavapipe stops
    a shader's loops after 65535 in all, silently): it equals the cpu's
    sequential sum bit for bit, and counts every element."""
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    n = 200000
    source = f"""
func.func @m(%a: tensor<{n}xf32> {{hetc.param = #hetc.init<zeros>, hetc.name = "a"}},
             %r: tensor<{n}xf32> {{hetc.input, hetc.name = "r"}}) -> tensor<f32> {{
  %w = hetc.mul %a, %r : (tensor<{n}xf32>, tensor<{n}xf32>) -> tensor<{n}xf32>
  %loss = hetc.reduce_sum %w [0] : tensor<{n}xf32> -> tensor<f32>
  return %loss : tensor<f32>
}}"""
    rng = np.random.default_rng(2)
    cases = [(np.ones(n, np.float32), np.ones(n, np.float32)),
             (rng.standard_normal(n).astype(np.float32),
              rng.standard_normal(n).astype(np.float32))]
    losses = {}
    for target in ("cpu", "vulkan"):
        session = hetc.Session(
            hetc.compile(source, target=target, eval_only=True,
                         reproducible=True), hetc.Device(target), seed=0)
        for i, (a, r) in enumerate(cases):
            session.set("a", a)
            losses[target, i] = np.float32(session.run(r=r)[0])
    assert losses["vulkan", 0] == n
    for i in range(len(cases)):
        assert losses["cpu", i].tobytes() == losses["vulkan", i].tobytes(), i


def half_test_values():
    """f32 values over the whole f16 range and past it: random magnitudes,
    exact ties between f16 neighbours, subnormals, the overflow edge."""
    rng = np.random.default_rng(5)
    magnitudes = np.exp2(rng.uniform(-30, 18, 4000)).astype(np.float32)
    signs = rng.choice(np.array([-1, 1], np.float32), 4000)
    halves = rng.integers(0, 0x7bff, 2000).astype(np.uint16).view(np.float16)
    # Midpoints between neighbouring f16 values: the ties.
    ties = ((halves.astype(np.float64) +
             np.nextafter(halves, np.float16(np.inf)).astype(np.float64)) /
            2).astype(np.float32)
    edges = np.array([0.0, -0.0, 65504, 65519.996, 65520, 1e9, np.inf,
                      -np.inf, 2.0**-24, 2.0**-25, 3 * 2.0**-26, 2.0**-14,
                      2.0**-14 - 2.0**-25, 1e-30], np.float32)
    values = np.concatenate([magnitudes * signs, ties, -ties, edges])
    return values[:values.size // 64 * 64].reshape(-1, 64)


def test_f16_rounding_on_vulkan_equals_the_cpu():
    """Vulkan computes f16 in f32; in reproducible mode f32 -> f16 casts
    round explicitly, so they equal the cpu's (and numpy's) f16 rounding
    bit for bit: ties to even, subnormals, overflow to infinity."""
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    x = half_test_values()
    shape = "x".join(map(str, x.shape))
    source = f"""
func.func @m(%a: tensor<{shape}xf32> {{hetc.param = #hetc.init<zeros>, hetc.name = "a"}},
             %r: tensor<{shape}xf32> {{hetc.input, hetc.name = "r"}})
    -> (tensor<f32>, tensor<{shape}xf32>) {{
  %h = hetc.cast %a : tensor<{shape}xf32> -> tensor<{shape}xf16>
  %out = hetc.cast %h : tensor<{shape}xf16> -> tensor<{shape}xf32>
  %w = hetc.mul %out, %r : (tensor<{shape}xf32>, tensor<{shape}xf32>) -> tensor<{shape}xf32>
  %loss = hetc.reduce_sum %w [0, 1] : tensor<{shape}xf32> -> tensor<f32>
  return %loss, %out : tensor<f32>, tensor<{shape}xf32>
}}"""
    with np.errstate(over="ignore"):
        want = x.astype(np.float16).astype(np.float32)
    for target in ("cpu", "vulkan"):
        session = hetc.Session(
            hetc.compile(source, target=target, eval_only=True,
                         reproducible=True), hetc.Device(target), seed=0)
        session.set("a", x)
        _, outputs = session.run(r=np.zeros_like(x))
        np.testing.assert_array_equal(outputs["output0"].view(np.uint32),
                                      want.view(np.uint32), err_msg=target)


def test_f16_arithmetic_on_vulkan_equals_the_cpu():
    """f16 products and sums round to f16 after every op on both targets
    (vulkan holds halves in f32), equal to numpy's f16 arithmetic."""
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    rng = np.random.default_rng(9)
    x = rng.standard_normal((64, 64)).astype(np.float16).astype(np.float32)
    y = rng.standard_normal((64, 64)).astype(np.float16).astype(np.float32)
    t = "64x64"
    source = f"""
func.func @m(%a: tensor<{t}xf32> {{hetc.param = #hetc.init<zeros>, hetc.name = "a"}},
             %r: tensor<{t}xf32> {{hetc.input, hetc.name = "r"}})
    -> (tensor<f32>, tensor<{t}xf32>) {{
  %ha = hetc.cast %a : tensor<{t}xf32> -> tensor<{t}xf16>
  %hr = hetc.cast %r : tensor<{t}xf32> -> tensor<{t}xf16>
  %p = hetc.mul %ha, %hr : (tensor<{t}xf16>, tensor<{t}xf16>) -> tensor<{t}xf16>
  %s = hetc.add %p, %ha : (tensor<{t}xf16>, tensor<{t}xf16>) -> tensor<{t}xf16>
  %out = hetc.cast %s : tensor<{t}xf16> -> tensor<{t}xf32>
  %loss = hetc.reduce_sum %out [0, 1] : tensor<{t}xf32> -> tensor<f32>
  return %loss, %out : tensor<f32>, tensor<{t}xf32>
}}"""
    hx, hy = x.astype(np.float16), y.astype(np.float16)
    want = (hx * hy + hx).astype(np.float32)
    for target in ("cpu", "vulkan"):
        session = hetc.Session(
            hetc.compile(source, target=target, eval_only=True,
                         reproducible=True), hetc.Device(target), seed=0)
        session.set("a", x)
        _, outputs = session.run(r=y)
        np.testing.assert_array_equal(outputs["output0"].view(np.uint32),
                                      want.view(np.uint32), err_msg=target)
