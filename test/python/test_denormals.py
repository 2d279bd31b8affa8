"""Subnormal float32 numbers are kept (IEEE 754 gradual underflow) on every
target, so a step that produces or consumes them gives the same bits
everywhere (docs/reproducibility.md, "Reproducible mode: denormals and
rounding").

- A model that makes subnormals (x * 2^-130) and computes with them
  (t + t, then * 2^100) gives numpy's IEEE result, bit for bit, on the CPU
  and on every GPU target present (vulkan: lavapipe here).
- A caller whose thread flushes subnormals (MXCSR FTZ and DAZ set, as a
  library built with -ffast-math does on load) still gets the IEEE result
  from the CPU driver, with 2 OpenMP threads, and from vulkan on lavapipe,
  whose threads would inherit the caller's mode; and it gets its own mode
  back.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import runtime

N = 256


def ty(shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


def subnormal_model(shape):
    t = ty(shape)
    axes = ", ".join(str(d) for d in range(len(shape)))
    return (f'func.func @m(%x: {t} {{hetc.param = #hetc.init<zeros>, '
            f'hetc.name = "x"}}, %s: {t} {{hetc.input, hetc.name = "s"}}, '
            f'%r: {t} {{hetc.input, hetc.name = "r"}}) -> '
            f'(tensor<f32>, {t}, {t}) {{\n'
            f'  %t = hetc.mul %x, %s : ({t}, {t}) -> {t}\n'
            f'  %u = hetc.add %t, %t : ({t}, {t}) -> {t}\n'
            f'  %w = hetc.mul %u, %r : ({t}, {t}) -> {t}\n'
            f'  %l = hetc.reduce_sum %w [{axes}] : {t} -> tensor<f32>\n'
            f'  return %l, %t, %w : tensor<f32>, {t}, {t}\n}}\n')


def inputs(shape):
    """x in [1, 2) * 2^e with small e, scaled by 2^-130 into subnormals
    (and by 2^-100 for one column, staying normal); r scales back up."""
    rng = np.random.default_rng(0)
    x = (rng.random(shape, np.float32) + 1) * np.exp2(
        rng.integers(-8, 8, shape)).astype(np.float32)
    s = np.full(shape, 2.0**-130, np.float32)
    s[..., 0] = 2.0**-100
    r = np.full(shape, 2.0**100, np.float32)
    return x, s, r


def expected(x, s, r):
    with np.errstate(under="ignore"):
        t = x * s
        return t, (t + t) * r


def test_numpy_reference_keeps_subnormals():
    # Otherwise the comparisons below would not test subnormals at all.
    x, s, r = inputs((4, 4))
    t, w = expected(x, s, r)
    tiny = np.finfo(np.float32).tiny
    assert ((t != 0) & (np.abs(t) < tiny)).sum() >= 8
    assert (w[:, 1:] != 0).all()


MODES = {"default": [], "reproducible": ["--reproducible"]}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("target", ["cpu", "vulkan", "cuda", "rocm",
                                    "level-zero"])
def test_subnormals_are_kept_bit_for_bit(target, mode, tmp_path):
    missing = runtime.device_unavailable(target)
    if missing:
        pytest.skip(f"{target}: {missing}")
    shape = (N, 33)
    x, s, r = inputs(shape)
    t, w = expected(x, s, r)
    artifact = runtime.compile_model(subnormal_model(shape),
                                     tmp_path / "m.hetc", f"--target={target}",
                                     *MODES[mode])
    session = runtime.Session(artifact, device=target)
    session.set("x", x)
    _, out = session.run("eval", s=s, r=r)
    assert out["output0"].tobytes() == t.tobytes()
    assert out["output1"].tobytes() == w.tobytes()


CHILD = """
import ctypes, sys
import numpy as np
sys.path.insert(0, {test_dir!r})
import runtime
import test_denormals as m

libm = ctypes.CDLL("libm.so.6")
env = (ctypes.c_uint32 * 8)()  # glibc's x86-64 fenv_t: x87 state, then MXCSR
def mxcsr():
    libm.fegetenv(env)
    return env[7]
FTZ_DAZ = (1 << 15) | (1 << 6)
x, s, r = m.inputs({shape!r})
libm.fegetenv(env)
env[7] |= FTZ_DAZ
assert libm.fesetenv(env) == 0 and mxcsr() & FTZ_DAZ == FTZ_DAZ
# The caller's own arithmetic now flushes.
assert (x * s)[0, 1] == 0
# The device opens, and its threads (lavapipe's) start, under the flushing
# mode.
session = runtime.Session({artifact!r}, device={target!r})
session.set("x", x)
_, out = session.run("eval", s=s, r=r)
t, w = out["output0"], out["output1"]
print(mxcsr() & FTZ_DAZ == FTZ_DAZ)
print(t.tobytes().hex())
print(w.tobytes().hex())
"""


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("target", ["cpu", "vulkan"])
def test_subnormals_are_kept_when_the_caller_flushes(target, mode, tmp_path):
    if os.uname().machine != "x86_64":
        pytest.skip(f"sets MXCSR through glibc's x86-64 fenv_t; this is "
                    f"{os.uname().machine}")
    missing = runtime.device_unavailable(target)
    if missing:
        pytest.skip(f"{target}: {missing}")
    shape = (N, 33)
    artifact = runtime.compile_model(subnormal_model(shape),
                                     tmp_path / "m.hetc", f"--target={target}",
                                     *MODES[mode])
    code = CHILD.format(test_dir=os.path.dirname(os.path.abspath(__file__)),
                        artifact=str(artifact), shape=shape, target=target)
    # Two OpenMP threads: the CPU's workers must keep subnormals too.
    env = dict(os.environ, OMP_NUM_THREADS="2")
    result = subprocess.run([sys.executable, "-c", code], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    restored, t_hex, w_hex = result.stdout.split()
    t, w = expected(*inputs(shape))
    assert restored == "True"  # the caller's FTZ and DAZ are back
    assert t_hex == t.tobytes().hex()
    assert w_hex == w.tobytes().hex()


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("target", ["cuda", "rocm"])
def test_gpu_kernels_are_compiled_to_keep_subnormals(target, mode, tmp_path):
    # Needs the toolchain only, not the device.
    src = tmp_path / "m.mlir"
    src.write_text(subnormal_model((8,)))
    result = subprocess.run(
        [str(runtime.build_dir() / "bin" / "hetc-compile"), str(src),
         f"--target={target}", "--emit=asm", "--print-ir-after-all",
         *MODES[mode]],
        capture_output=True, text=True)
    if result.returncode and "which is missing" in result.stderr:
        pytest.skip(f"{target} toolchain: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    dumps = result.stderr.split("// -----// IR Dump After ")
    after = [i for i, d in enumerate(dumps)
             if d.startswith("HetcGPUIEEEDenormals")]
    assert after, "hetc-gpu-ieee-denormals did not run"
    kernels = [line for d in dumps[after[0]:] for line in d.splitlines()
               if "llvm.func" in line and "gpu.kernel" in line]
    assert kernels
    for line in kernels:
        assert 'denormal_fp_math = "ieee,ieee"' in line, line
        assert 'denormal_fp_math_f32 = "ieee,ieee"' in line, line
    if target == "cuda":
        assert "mul.rn.f32" in result.stdout and ".ftz" not in result.stdout
    else:
        modes = [line.split()[-1] for line in result.stdout.splitlines()
                 if ".amdhsa_float_denorm_mode_32" in line]
        assert modes and set(modes) == {"3"}, modes
