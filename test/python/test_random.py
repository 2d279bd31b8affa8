"""hetc's randomness is a pure function of (seed, element index)
(docs/reproducibility.md, "Reproducible mode: randomness").

- hetc.dropout's mask is the same bits on every target, for any shape (so
  any launch geometry) and any OpenMP thread count, and equals the
  documented algorithm replayed here in numpy; its threshold comparison is
  exact (integer) where a float comparison would round.
- Parameter initialization (uniform, normal, constants) gives the same bits
  on every target, equals the documented algorithm replayed here in plain
  Python (IEEE doubles), and ignores the caller's rounding mode.
"""
import ctypes
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import runtime
from test_zoo_torch import dropout_keep

GPU_TARGETS = ["vulkan", "cuda", "rocm", "level-zero"]


def present(target):
    missing = runtime.device_unavailable(target)
    if missing:
        print(f"{target} skipped: {missing}")
    return not missing


def ty(shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


def dropout_model(shape, p):
    t = ty(shape)
    axes = ", ".join(str(d) for d in range(len(shape)))
    return (f'func.func @m(%x: {t} {{hetc.param = #hetc.init<ones>, '
            f'hetc.name = "x"}}, %s: tensor<i64> {{hetc.input, hetc.name = "s"}})'
            f' -> (tensor<f32>, {t}) {{\n'
            f'  %d = hetc.dropout %x, %s {{p = {p!r} : f64}} : ({t}, tensor<i64>)'
            f' -> {t}\n'
            f'  %l = hetc.reduce_sum %d [{axes}] : {t} -> tensor<f32>\n'
            f'  return %l, %d : tensor<f32>, {t}\n}}\n')


def run_dropout(artifact, target, seed):
    session = runtime.Session(artifact, device=target)
    return session.run("eval", s=np.array(seed, np.int64))[1]["output0"]


# Shapes that tile unevenly (odd sizes, one long row), seeds near the ends
# of the i64 range.
DROPOUT_CASES = [((64, 64), 0.25, 7), ((3, 5, 7), 0.5, -1),
                 ((4099,), 0.1, 2**63 - 1), ((2, 3, 4, 33), 0.7, 12345)]


MODES = {"default": [], "reproducible": ["--reproducible"]}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("shape,p,seed", DROPOUT_CASES,
                         ids=[str(c[0]) for c in DROPOUT_CASES])
def test_dropout_mask_is_the_documented_hash_on_every_target(
        shape, p, seed, mode, tmp_path):
    keep = dropout_keep(seed, shape, p)
    scale = np.float32(1.0 / (1.0 - p))
    expected = np.where(keep, scale, np.float32(0)).astype(np.float32)
    ran = []
    for target in ["cpu"] + GPU_TARGETS:
        if target != "cpu" and not present(target):
            continue
        artifact = runtime.compile_model(dropout_model(shape, p),
                                         tmp_path / f"d_{target}.hetc",
                                         f"--target={target}", *MODES[mode])
        out = run_dropout(artifact, target, seed)
        assert out.tobytes() == expected.tobytes(), target
        ran.append(target)
    assert "cpu" in ran


def test_dropout_threshold_is_exact(tmp_path):
    # Element 281 of seed 28801 hashes to t = 11744051: below
    # ceil(0.7 * 2^24) = 11744052, so dropped; a float comparison
    # t / 2^24 >= f32(0.7) would keep it, since f32(0.7) rounds down to
    # 11744051 / 2^24.
    seed, index, p = 28801, 281, 0.7
    with np.errstate(over="ignore"):
        z = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(index)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    t = int(z >> np.uint64(40))
    assert t == 11744051 and t / 2**24 >= np.float32(p)
    artifact = runtime.compile_model(dropout_model((1024,), p),
                                     tmp_path / "d.hetc")
    out = run_dropout(artifact, "cpu", seed)
    assert out[index] == 0
    assert out.tobytes() == np.where(dropout_keep(seed, (1024,), p),
                                     np.float32(1 / (1 - p)),
                                     np.float32(0)).astype(np.float32).tobytes()


RUN_IN_CHILD = """
import sys, numpy as np
sys.path.insert(0, {test_dir!r})
import runtime
s = runtime.Session({artifact!r}, device="cpu")
out = s.run("eval", s=np.array(99, np.int64))[1]["output0"]
sys.stdout.write(out.tobytes().hex())
"""


@pytest.mark.parametrize("mode", sorted(MODES))
def test_dropout_mask_is_independent_of_thread_count(mode, tmp_path):
    artifact = runtime.compile_model(dropout_model((512, 257), 0.3),
                                     tmp_path / "d.hetc", *MODES[mode])
    code = RUN_IN_CHILD.format(test_dir=os.path.dirname(__file__),
                               artifact=str(artifact))
    masks = {}
    for threads in (1, 2, 3):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        result = subprocess.run([sys.executable, "-c", code], env=env,
                                capture_output=True, text=True, check=True)
        masks[threads] = result.stdout
    expected = np.where(dropout_keep(99, (512, 257), 0.3),
                        np.float32(1 / 0.7), np.float32(0)).astype(np.float32)
    for threads, hex_bytes in masks.items():
        assert hex_bytes == expected.tobytes().hex(), f"{threads} threads"


# --- Initialization -------------------------------------------------------

MASK64 = 2**64 - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def uniform01(seed, stream, counter):
    bits = splitmix64(seed ^ splitmix64((stream * 0x100000001B3 + counter)
                                        & MASK64))
    return float(bits >> 11) * 2.0**-53


LN2_HI = float.fromhex("0x1.62e42fee00000p-1")
LN2_LO = float.fromhex("0x1.a39ef35793c76p-33")
HALF_PI = float.fromhex("0x1.921fb54442d18p+0")
SQRT_HALF = float.fromhex("0x1.6a09e667f3bcdp-1")


def exact_log(x):
    m, e = math.frexp(x)
    if m < SQRT_HALF:
        m, e = m * 2.0, e - 1
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    p = 1.0 / 23.0
    for k in range(10, -1, -1):
        p = 1.0 / float(2 * k + 1) + z * p
    return float(e) * LN2_HI + ((2.0 * s) * p + float(e) * LN2_LO)


def sin_small(a):
    a2, r = a * a, 1.0
    for k in range(9, 0, -1):
        r = 1.0 - a2 * r / float((2 * k) * (2 * k + 1))
    return a * r


def cos_small(a):
    a2, r = a * a, 1.0
    for k in range(10, 0, -1):
        r = 1.0 - a2 * r / float((2 * k - 1) * (2 * k))
    return r


def exact_cos_2pi(u):
    t = 4.0 * u
    q = int(t)
    f = t - float(q)
    if f <= 0.5:
        c, s = cos_small(f * HALF_PI), sin_small(f * HALF_PI)
    else:
        g = (1.0 - f) * HALF_PI
        c, s = sin_small(g), cos_small(g)
    return [c, -s, -c, s][q & 3]


def normal(seed, stream, counter):
    u1 = uniform01(seed, stream, 2 * counter)
    u2 = uniform01(seed, stream, 2 * counter + 1)
    return math.sqrt(-2.0 * exact_log(1.0 - u1)) * exact_cos_2pi(u2)


INITS = [("w_uniform", (33, 17), "uniform, 0.3"),
         ("w_normal", (40, 25), "normal, 0.02"),
         ("w_const", (5,), "constant, 0.1"),
         ("w_ones", (3,), "ones"),
         ("w_zeros", (4,), "zeros")]


def init_model():
    args, terms = [], []
    for i, (name, shape, init) in enumerate(INITS):
        args.append(f'%p{i}: {ty(shape)} {{hetc.param = #hetc.init<{init}>, '
                    f'hetc.name = "{name}"}}')
        axes = ", ".join(str(d) for d in range(len(shape)))
        terms.append(f"  %s{i} = hetc.reduce_sum %p{i} [{axes}] : "
                     f"{ty(shape)} -> tensor<f32>")
    body = "\n".join(terms)
    total = "%s0"
    for i in range(1, len(INITS)):
        body += (f"\n  %t{i} = hetc.add {total}, %s{i} : (tensor<f32>, "
                 "tensor<f32>) -> tensor<f32>")
        total = f"%t{i}"
    return (f"func.func @m({', '.join(args)}) -> tensor<f32> {{\n{body}\n"
            f"  return {total} : tensor<f32>\n}}\n")


def expected_init(seed):
    """The documented initialization, replayed in Python doubles; stream t
    is the tensor's index in the session's state order."""
    out = {}
    for t, (name, shape, init) in enumerate(INITS):
        n = int(np.prod(shape))
        kind, _, value = init.partition(", ")
        value = float(value) if value else None
        if kind == "uniform":
            vals = [(2.0 * uniform01(seed, t, i) - 1.0) * value
                    for i in range(n)]
        elif kind == "normal":
            vals = [normal(seed, t, i) * value for i in range(n)]
        else:
            vals = [{"constant": value, "ones": 1.0, "zeros": 0.0}[kind]] * n
        out[name] = np.array(vals, np.float64).astype(np.float32).reshape(shape)
    return out


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("seed", [0, 1234, 2**64 - 1])
def test_initial_parameters_are_the_documented_generator_on_every_target(
        seed, mode, tmp_path):
    expected = expected_init(seed)
    for target in ["cpu"] + GPU_TARGETS:
        if target != "cpu" and not present(target):
            continue
        artifact = runtime.compile_model(init_model(),
                                         tmp_path / f"i_{target}.hetc",
                                         f"--target={target}", *MODES[mode])
        session = runtime.Session(artifact, device=target, seed=seed)
        names = session.state_names()
        assert names[:len(INITS)] == [n for n, _, _ in INITS], names
        for name, values in expected.items():
            assert session.get(name).tobytes() == values.tobytes(), (
                target, name)


def test_normal_initializer_is_accurate():
    # hetc's own log and cos against libm's, over many draws: they agree to
    # about an ulp of a double, far below a float's.
    for counter in range(2000):
        u1 = uniform01(5, 1, 2 * counter)
        u2 = uniform01(5, 1, 2 * counter + 1)
        libm = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2 * math.pi * u2)
        assert abs(normal(5, 1, counter) - libm) <= 1e-14 * max(1, abs(libm))
    samples = np.array([normal(9, 0, i) for i in range(20000)])
    assert abs(samples.mean()) < 0.03 and abs(samples.std() - 1) < 0.03


def test_initialization_ignores_the_callers_rounding_mode(tmp_path):
    libm = ctypes.CDLL("libm.so.6")
    fe_upward = 0x800  # x86-64 glibc <fenv.h>
    if os.uname().machine != "x86_64":
        pytest.skip(f"FE_UPWARD's value is x86-64's; this is "
                    f"{os.uname().machine}")
    artifact = runtime.compile_model(init_model(), tmp_path / "i.hetc")
    expected = expected_init(3)
    old = libm.fegetround()
    assert libm.fesetround(fe_upward) == 0
    try:
        session = runtime.Session(artifact, seed=3)
        assert libm.fegetround() == fe_upward  # the caller's mode is back
    finally:
        libm.fesetround(old)
    for name, values in expected.items():
        assert session.get(name).tobytes() == values.tobytes(), name
