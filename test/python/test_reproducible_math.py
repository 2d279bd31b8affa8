"""hetc's own math in the reproducible mode (docs/reproducibility.md, "hetc's
own math"): each elementwise op that lowers to a math function, division or
min/max, compiled with reproducible=True and run over 2^18 inputs (random
bit patterns, so subnormals, infinities and NaNs too, plus each function's
interesting range and edge cases):

- cpu and vulkan give the same bits;
- division and sqrt are the correctly rounded IEEE results (numpy float32),
  rsqrt is 1 / sqrt with both steps correctly rounded, sqrt exhaustively
  over every mantissa of both exponent parities;
- exp, log, tanh, erf, sigmoid, gelu and pow stay within the documented
  ULP bounds of a float64 reference, with libm's special values;
- every NaN result is the canonical quiet NaN 0x7fc00000.
"""
import sys

import numpy as np
import pytest
import torch

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402

N = 1 << 18
QNAN = 0x7FC00000
rng = np.random.default_rng(15)

# Max error in ULPs of the float32 result against float64, as measured over
# these samples and documented in docs/reproducibility.md, rounded up.
ULP_BOUND = {"exp": 1.0, "log": 1.0, "tanh": 1.5, "erf": 2.5,
             "sigmoid": 2.0, "rsqrt": 1.0}

EDGES = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, 2.0,
                  1e-45, -1e-45, 1.17549435e-38, 1.1754942e-38, 3.4028235e38,
                  -3.4028235e38, 88.72283, 88.72284, -87.33655, -103.97208,
                  -103.97209, 9.1, 9.0, 0.625, 3.92, 1e-30, -1e-30],
                 np.float32)


def bits(a):
    return np.asarray(a, np.float32).view(np.uint32)


def random_bits(n):
    return rng.integers(0, 1 << 32, n, dtype=np.uint64).astype(
        np.uint32).view(np.float32)


def inputs(low, high):
    """N floats: a quarter random bit patterns, the rest uniform in
    [low, high], with the edge cases first."""
    a = np.concatenate([
        EDGES, random_bits(N // 4),
        rng.uniform(low, high, N).astype(np.float32)])
    return a[:N]


def ulps(got, want):
    """|got - want| in units of the last place of float32(want)."""
    want32 = want.astype(np.float32)
    spacing = np.spacing(np.abs(want32)).astype(np.float64)
    spacing = np.where(np.isinf(want32), np.inf, spacing)
    with np.errstate(invalid="ignore"):
        err = np.abs(got.astype(np.float64) - want) / spacing
    # Past float32's range the right answer is the infinity itself.
    same = ((got.astype(np.float64) == want) | (np.isnan(got) & np.isnan(want))
            | (np.isinf(want32) & (got == want32)))
    return np.where(same, 0.0, err)


def devices():
    return ["cpu"] + [t for t in ("vulkan", "cuda", "rocm", "level-zero")
                      if not runtime.device_unavailable(t)]


_sessions = {}


def run(op_text, operands, target):
    """Runs `%out = <op_text>` on 1-d f32 operands %a0, %a1, ... on
    `target`, compiled in the reproducible mode."""
    ty = f"tensor<{N}xf32>"
    args = "".join(f'%a{i}: {ty} {{hetc.input, hetc.name = "a{i}"}}, '
                   for i in range(len(operands)))
    # A model needs a parameter and a loss; the output is %out.
    src = (f'func.func @m({args}%p: tensor<1xf32> {{hetc.param = '
           f'#hetc.init<zeros>, hetc.name = "p"}}) -> (tensor<f32>, {ty}) '
           f'{{\n  %out = {op_text}\n'
           f'  %loss = hetc.reduce_sum %p [0] : tensor<1xf32> -> tensor<f32>\n'
           f'  return %loss, %out : tensor<f32>, {ty}\n}}\n')
    key = (src, target)
    if key not in _sessions:
        artifact = hetc.compile(src, target=target, eval_only=True,
                                reproducible=True)
        assert artifact.reproducible
        _sessions[key] = hetc.Session(artifact, hetc.Device(target), 0)
    feeds = {f"a{i}": a for i, a in enumerate(operands)}
    _, outputs = _sessions[key].run("eval", **feeds)
    return np.asarray(outputs["output0"], np.float32)


def unary(op, a):
    return run(f"hetc.{op} %a0 : tensor<{N}xf32>", [a], "cpu")


def assert_canonical_nans(got):
    nan = np.isnan(got)
    assert (bits(got[nan]) == QNAN).all(), "a NaN result is not 0x7fc00000"


def assert_bit_equal(got, want, what):
    same = (bits(got) == bits(want)) | (np.isnan(got) & np.isnan(want))
    bad = np.flatnonzero(~same)
    assert bad.size == 0, (
        f"{what}: {bad.size} results differ, first at input index {bad[0]}: "
        f"got {got[bad[0]]!r} ({bits(got[bad[0]]):#010x}), want "
        f"{want[bad[0]]!r} ({bits(want[bad[0]]):#010x})")


# ---- correctly rounded: division, sqrt, rsqrt = 1 / sqrt ----

def test_div_is_correctly_rounded():
    a = np.concatenate([np.repeat(EDGES, EDGES.size), random_bits(N)])[:N]
    b = np.concatenate([np.tile(EDGES, EDGES.size), random_bits(N)])[:N]
    # Mantissas near 1 and 2, results near overflow and in the subnormals.
    b[-4096:] = rng.uniform(1, 2, 4096).astype(np.float32)
    a[-8192:-4096] = rng.uniform(1e-38, 4e-38, 4096).astype(np.float32)
    b[-8192:-4096] = rng.uniform(1, 1e8, 4096).astype(np.float32)
    got = run(f"hetc.div %a0, %a1 : (tensor<{N}xf32>, tensor<{N}xf32>) -> "
              f"tensor<{N}xf32>", [a, b], "cpu")
    with np.errstate(all="ignore"):
        want = a / b
    assert_bit_equal(got, want, "div")
    assert_canonical_nans(got)


def test_sqrt_is_correctly_rounded():
    a = inputs(0, 1e6)
    got = unary("sqrt", a)
    with np.errstate(invalid="ignore"):
        assert_bit_equal(got, np.sqrt(a), "sqrt")
    assert_canonical_nans(got)
    assert bits(unary("sqrt", EDGES)[1]) == bits(np.float32(-0.0))


def test_sqrt_every_mantissa():
    # Every float in [1, 4): each mantissa with each exponent parity; the
    # algorithm sees only these (and the exponent), subnormals included.
    for start in range(0x3F800000, 0x40800000, N):
        a = np.arange(start, start + N, dtype=np.uint32).view(np.float32)
        assert_bit_equal(unary("sqrt", a), np.sqrt(a), "sqrt")


def test_rsqrt_is_one_over_correctly_rounded_sqrt():
    a = inputs(0, 100)
    got = unary("rsqrt", a)
    with np.errstate(all="ignore"):
        assert_bit_equal(got, np.float32(1) / np.sqrt(a), "rsqrt")
        err = ulps(got, 1 / np.sqrt(a.astype(np.float64)))
    assert err[np.isfinite(a) & (a > 0)].max() <= ULP_BOUND["rsqrt"]


# ---- the transcendental functions: ULP bounds and special values ----

def reference(name, x):
    x64 = torch.tensor(x.astype(np.float64))
    return {"exp": torch.exp, "log": torch.log, "tanh": torch.tanh,
            "erf": torch.erf, "sigmoid": torch.sigmoid}[name](x64).numpy()


@pytest.mark.parametrize("name,low,high", [
    ("exp", -104, 89), ("log", 0, 1e4), ("tanh", -10, 10),
    ("sigmoid", -88, 20)])
def test_function_within_bound(name, low, high):
    a = inputs(low, high)
    got = unary(name, a)
    with np.errstate(all="ignore"):
        want = reference(name, a)
    err = ulps(got, want)
    worst = int(err.argmax())
    assert err.max() <= ULP_BOUND[name], (
        f"{name}({a[worst]!r}) = {got[worst]!r}, float64 says "
        f"{want[worst]!r}: {err.max():.2f} ulp")
    assert_canonical_nans(got)
    # NaN exactly where libm gives NaN, infinities and zeros alike.
    assert (np.isnan(got) == np.isnan(want)).all()


def test_erf_within_bound():
    # erf is also the building block of the exact gelu.
    a = inputs(-5, 5)
    got = unary("erf", a)
    want = reference("erf", a)
    assert ulps(got, want).max() <= ULP_BOUND["erf"]
    assert_canonical_nans(got)
    assert (np.isnan(got) == np.isnan(a)).all()


def test_special_values_like_libm():
    got = {name: unary(name, EDGES) for name in ("exp", "log", "tanh", "erf")}
    at = {float(v) if not np.isnan(v) else "nan": i
          for i, v in enumerate(EDGES) if not (v == 0 and np.signbit(v))}
    inf, neg_zero = np.float32(np.inf), 1
    assert got["exp"][at[np.inf]] == inf and got["exp"][at[-np.inf]] == 0
    assert got["exp"][at[0.0]] == 1 and got["exp"][neg_zero] == 1
    assert got["exp"][at[88.72284002685547]] == inf
    assert got["log"][at[0.0]] == -inf and got["log"][neg_zero] == -inf
    assert got["log"][at[np.inf]] == inf and np.isnan(got["log"][at[-1.0]])
    assert got["log"][at[1.0]] == 0
    for name in ("tanh", "erf"):
        assert got[name][at[np.inf]] == 1 and got[name][at[-np.inf]] == -1
        assert bits(got[name][neg_zero]) == 0x80000000  # -0 stays -0
    for name in got:
        assert bits(got[name][at["nan"]]) == QNAN


def test_pow_fractional_exponent():
    a = inputs(0, 100)
    got = run(f"hetc.pow %a0, 1.5 : tensor<{N}xf32>", [a], "cpu")
    with np.errstate(all="ignore"):
        want = np.power(a.astype(np.float64), 1.5)
    # exp(y log x): the error grows with |y log x| (docs/reproducibility.md).
    bound = 2 + np.abs(1.5 * np.log(np.abs(a.astype(np.float64)) + 1e-300))
    finite = np.isfinite(want) & (want < 3e38)
    assert (ulps(got, want)[finite] <= bound[finite]).all()
    assert (np.isnan(got) == np.isnan(want)).all()  # negative bases: NaN
    assert_canonical_nans(got)


def test_minimum_maximum_signed_zero_and_nan():
    a = np.array([0.0, -0.0, 1.0, np.nan, 2.0, -1.0] * 4, np.float32)
    b = np.array([-0.0, 0.0, np.nan, 1.0, 2.0, 3.0] * 4, np.float32)
    a = np.resize(a, N)
    b = np.resize(b, N)
    ty = f"(tensor<{N}xf32>, tensor<{N}xf32>) -> tensor<{N}xf32>"
    hi = run(f"hetc.maximum %a0, %a1 : {ty}", [a, b], "cpu")
    lo = run(f"hetc.minimum %a0, %a1 : {ty}", [a, b], "cpu")
    assert bits(hi[0]) == 0 and bits(hi[1]) == 0  # max(+-0, -+0) = +0
    assert bits(lo[0]) == 0x80000000 and bits(lo[1]) == 0x80000000
    assert_bit_equal(hi, np.maximum(a, b), "maximum")
    assert_bit_equal(lo, np.minimum(a, b), "minimum")
    assert_canonical_nans(hi)
    assert_canonical_nans(lo)


# ---- the same bits on every target ----

OPS = [
    ("div", "hetc.div %a0, %a1 : ({t}, {t}) -> {t}", 2, (-1e3, 1e3)),
    ("sqrt", "hetc.sqrt %a0 : {t}", 1, (0, 1e4)),
    ("rsqrt", "hetc.rsqrt %a0 : {t}", 1, (0, 1e4)),
    ("exp", "hetc.exp %a0 : {t}", 1, (-104, 89)),
    ("log", "hetc.log %a0 : {t}", 1, (0, 1e4)),
    ("tanh", "hetc.tanh %a0 : {t}", 1, (-10, 10)),
    ("erf", "hetc.erf %a0 : {t}", 1, (-5, 5)),
    ("sigmoid", "hetc.sigmoid %a0 : {t}", 1, (-90, 20)),
    ("gelu", "hetc.gelu %a0 : {t}", 1, (-10, 10)),
    ("gelu_tanh", "hetc.gelu %a0 approximate tanh : {t}", 1, (-10, 10)),
    ("pow", "hetc.pow %a0, 1.5 : {t}", 1, (0, 100)),
    ("maximum", "hetc.maximum %a0, %a1 : ({t}, {t}) -> {t}", 2, (-2, 2)),
    ("minimum", "hetc.minimum %a0, %a1 : ({t}, {t}) -> {t}", 2, (-2, 2)),
]


@pytest.mark.parametrize("target", [t for t in devices() if t != "cpu"] or
                         [pytest.param("vulkan", marks=pytest.mark.skip(
                             reason="no GPU device here: "
                             + str(runtime.device_unavailable("vulkan"))))])
@pytest.mark.parametrize("name,text,arity,interval", OPS,
                         ids=[op[0] for op in OPS])
def test_same_bits_as_cpu(target, name, text, arity, interval):
    operands = [inputs(*interval) for _ in range(arity)]
    if arity == 2:
        operands[1] = np.roll(operands[1], 7)
    text = text.format(t=f"tensor<{N}xf32>")
    cpu = run(text, operands, "cpu")
    assert_bit_equal(run(text, operands, target), cpu, f"{name} on {target}")
