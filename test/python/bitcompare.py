"""Bit-level comparison of two runs' arrays, for the reproducible-mode tests
and bench/gpu_runner.py (numpy only: it runs where hetc's compiler is
absent)."""
import numpy as np


def ulps(a, b):
    """Distance of two float32 values in units in the last place."""
    def ordered(v):
        i = int(np.float32(v).view(np.int32))
        return i if i >= 0 else -(i & 0x7FFFFFFF)
    return abs(ordered(a) - ordered(b))


def first_difference(name, got, want):
    """None when `got` and `want` are equal bit for bit, else a line naming
    the first differing element, both values and their distance."""
    if got.shape != want.shape or got.dtype != want.dtype:
        return (f"{name}: {got.dtype}{list(got.shape)} against "
                f"{want.dtype}{list(want.shape)}")
    if got.dtype == np.float32:
        differs = got.view(np.uint32) != want.view(np.uint32)
    else:
        differs = got != want
    if not differs.any():
        return None
    index = np.unravel_index(int(np.argmax(differs.reshape(-1))), got.shape)
    g, w = got[index], want[index]
    where = list(int(i) for i in index) if got.ndim else ""
    distance = f", {ulps(g, w)} ulp" if got.dtype == np.float32 else ""
    return (f"{name}{where}: {g!r} against {w!r}{distance} "
            f"({int(differs.sum())} of {differs.size} elements differ)")
