"""The ATen op table of hetc.torch: one mapping function per ATen op.

Each function takes the lowering `c` (hetc.torch._Lowering: the graph `c.g`,
the node being mapped `c.node`, helpers) and the node's arguments with fx
nodes replaced by what they were mapped to (hetc Values, folded torch
constants, Python scalars, lists), and returns the node's value. Shapes come
from the builder (Value.shape) or from torch's own record of the node
(c.out_shape()), never from shape arithmetic here; attribute arithmetic
(normalizing a negative dim, clamping a slice end) is all there is.

In-place ops (add_, sigmoid_, copy_...) map through their functional form;
the lowering rebinds the mutated tensor and refuses mutations it cannot
express (see _Lowering.mutate).
"""
import math

import numpy as np

from .graph import Value

# ATen op (overload packet name, in-place ops without their "_") -> function.
TABLE = {}

# Nearest supported alternative, shown when an op is refused.
HINTS = {
    "index": "index with one integer tensor (x[:, idx]) or slice",
    "gather": "torch.index_select or x[:, idx] (hetc.gather takes whole "
              "slices, not torch.gather's elementwise form)",
    "var": "compute (x - x.mean()).pow(2).mean() explicitly",
    "std": "compute (x - x.mean()).pow(2).mean().sqrt() explicitly",
    "upsample_bicubic2d": "nn.Upsample(mode='nearest' or 'bilinear')",
    "upsample_nearest1d": "nn.Upsample on 4-d inputs",
    "upsample_linear1d": "nn.Upsample on 4-d inputs",
    "max": "use torch.amax (values only); the indices are not supported",
    "min": "use -torch.amax(-x) (values only)",
    "argmax": "argmax has no gradient: compute it on the outputs in torch",
    "sort": "not supported",
    "topk": "not supported",
    "native_group_norm": "use LayerNorm or BatchNorm2d",
}


def op(*names):
    def register(fn):
        for name in names:
            TABLE[name] = fn
        return fn
    return register


# --- helpers -----------------------------------------------------------------

def _dim(d, rank):
    return d + rank if d < 0 else d


def _dims(dims, rank):
    if isinstance(dims, int):
        dims = [dims]
    return sorted(_dim(d, rank) for d in dims)


class Unsupported:
    """A result torch computes but hetc does not (max's indices, batch
    norm's saved statistics): an error if anything reads it."""

    def __init__(self, what, hint=""):
        self.what, self.hint = what, hint


class DropoutMask:
    """torch 1.13's decomposed dropout: empty_like(x), bernoulli_(keep),
    div_(keep); the mask then multiplies x."""

    def __init__(self, like, keep=None, scaled=False):
        self.like, self.keep, self.scaled = like, keep, scaled


# --- identity and views --------------------------------------------------------

@op("detach", "clone", "contiguous", "alias", "lift_fresh", "lift_fresh_copy",
    "dropout_identity")
def _identity(c, x, *args, **kwargs):
    return x


@op("view", "_unsafe_view", "_reshape_alias", "reshape", "unsqueeze",
    "squeeze", "flatten", "view_as", "_view_of", "unflatten")
def _reshape(c, x, *args, **kwargs):
    return c.g.reshape(c.value(x), list(c.out_shape()))


@op("expand", "expand_as", "broadcast_to")
def _expand(c, x, *args, **kwargs):
    return c.g.broadcast_to(c.value(x), list(c.out_shape()))


@op("t", "numpy_T")
def _t(c, x):
    x = c.value(x)
    if x.rank < 2:
        return x
    out = c.g.transpose(x, [1, 0])
    c.transposed[out.id] = x
    return out


@op("transpose")
def _transpose(c, x, a, b):
    x = c.value(x)
    perm = list(range(x.rank))
    a, b = _dim(a, x.rank), _dim(b, x.rank)
    perm[a], perm[b] = perm[b], perm[a]
    if a == b:
        return x
    out = c.g.transpose(x, perm)
    if x.rank == 2:
        c.transposed[out.id] = x
    return out


@op("permute")
def _permute(c, x, dims):
    x = c.value(x)
    return c.g.transpose(x, [_dim(d, x.rank) for d in dims])


def _slice(c, x, dim, start, end, step=1):
    rank = x.rank
    dim = _dim(dim, rank)
    n = x.shape[dim]
    start = 0 if start is None else start
    end = n if end is None else end
    start = max(0, min(n, start + n if start < 0 else start))
    end = max(start, min(n, end + n if end < 0 else end))
    if step <= 0:
        raise c.unsupported("a non-positive slice step")
    size = (end - start + step - 1) // step
    offsets, sizes, strides = [0] * rank, list(x.shape), [1] * rank
    offsets[dim], sizes[dim], strides[dim] = start, size, step
    if size == n and step == 1:
        return x
    return c.g.slice(x, offsets, sizes, strides)


@op("slice")
def _slice_op(c, x, dim=0, start=None, end=None, step=1):
    return _slice(c, c.value(x), dim, start, end, step)


@op("select")
def _select(c, x, dim, index):
    x = c.value(x)
    dim = _dim(dim, x.rank)
    index = index + x.shape[dim] if index < 0 else index
    part = _slice(c, x, dim, index, index + 1)
    return c.g.reshape(part, list(c.out_shape()))


@op("split", "unsafe_split")
def _split(c, x, split_size, dim=0):
    x = c.value(x)
    dim = _dim(dim, x.rank)
    n = x.shape[dim]
    return [_slice(c, x, dim, s, min(n, s + split_size))
            for s in range(0, n, split_size)]


@op("split_with_sizes", "unsafe_split_with_sizes")
def _split_with_sizes(c, x, sizes, dim=0):
    x = c.value(x)
    dim = _dim(dim, x.rank)
    parts, start = [], 0
    for s in sizes:
        parts.append(_slice(c, x, dim, start, start + s))
        start += s
    return parts


@op("unbind")
def _unbind(c, x, dim=0):
    x = c.value(x)
    dim = _dim(dim, x.rank)
    shape = [s for i, s in enumerate(x.shape) if i != dim]
    return [c.g.reshape(_slice(c, x, dim, i, i + 1), shape)
            for i in range(x.shape[dim])]


@op("cat", "concat")
def _cat(c, xs, dim=0):
    xs = [c.value(x) for x in xs]
    if len(xs) == 1:
        return xs[0]
    return c.g.concat(xs, _dim(dim, xs[0].rank))


@op("stack")
def _stack(c, xs, dim=0):
    xs = [c.value(x) for x in xs]
    dim = _dim(dim, xs[0].rank + 1)
    parts = []
    for x in xs:
        shape = list(x.shape)
        shape.insert(dim, 1)
        parts.append(c.g.reshape(x, shape))
    return parts[0] if len(parts) == 1 else c.g.concat(parts, dim)


@op("repeat")
def _repeat(c, x, repeats):
    x = c.value(x)
    lead = len(repeats) - x.rank
    shape = [1] * lead + list(x.shape)
    interleaved, broadcast = [], []
    for r, s in zip(repeats, shape):
        interleaved += [1, s]
        broadcast += [r, s]
    y = c.g.broadcast_to(c.g.reshape(x, interleaved), broadcast)
    return c.g.reshape(y, list(c.out_shape()))


# --- elementwise ------------------------------------------------------------------

def _binary(method):
    def fn(c, a, b, *rest, alpha=1):
        if rest:
            alpha = rest[0]
        a, b = c.operands(a, b)
        if alpha != 1:
            b = c.g.mul(b, c.scalar(alpha, b))
        return getattr(c.g, method)(a, b)
    return fn


TABLE["add"] = _binary("add")
TABLE["sub"] = _binary("sub")


@op("mul")
def _mul(c, a, b):
    if isinstance(b, DropoutMask) or isinstance(a, DropoutMask):
        mask, x = (b, a) if isinstance(b, DropoutMask) else (a, b)
        return c.dropout(c.value(x), mask)
    a, b = c.operands(a, b)
    return c.g.mul(a, b)


@op("div")
def _div(c, a, b, rounding_mode=None):
    if isinstance(a, DropoutMask):
        if a.keep is None or a.scaled or not math.isclose(b, a.keep):
            raise c.unsupported("a dropout mask scaled otherwise than by "
                                "1 / (1 - p)")
        return DropoutMask(a.like, a.keep, scaled=True)
    if rounding_mode is not None:
        raise c.unsupported(f"division with rounding_mode={rounding_mode!r}")
    a, b = c.operands(a, b)
    return c.g.div(a, b)


@op("rsub")
def _rsub(c, a, b, alpha=1):
    a, b = c.operands(a, b)
    if alpha != 1:
        a = c.g.mul(a, c.scalar(alpha, a))
    return c.g.sub(b, a)


@op("maximum")
def _maximum(c, a, b):
    return c.g.maximum(*c.operands(a, b))


@op("minimum")
def _minimum(c, a, b):
    return c.g.minimum(*c.operands(a, b))


def _unary(method):
    def fn(c, x):
        return getattr(c.g, method)(c.value(x))
    return fn


for _name in ("neg", "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid",
              "relu"):
    TABLE[_name] = _unary(_name)


@op("reciprocal")
def _reciprocal(c, x):
    x = c.value(x)
    return c.g.div(c.scalar(1.0, x), x)


@op("square")
def _square(c, x):
    x = c.value(x)
    return c.g.mul(x, x)


@op("silu")
def _silu(c, x):
    x = c.value(x)
    return c.g.mul(x, c.g.sigmoid(x))


@op("gelu")
def _gelu(c, x, approximate="none"):
    return c.g.gelu(c.value(x), tanh_approximation=approximate == "tanh")


@op("pow")
def _pow(c, x, exponent):
    if not isinstance(exponent, (int, float)):
        raise c.unsupported("pow with a tensor exponent",
                            "use a Python number exponent")
    return c.g.pow(c.value(x), float(exponent))


for _name in ("abs", "erf", "sign"):
    TABLE[_name] = _unary(_name)


def _clamp_values(c, x, lo, hi):
    return c.g.clamp(c.value(x), min=None if lo is None else float(lo),
                     max=None if hi is None else float(hi))


@op("clamp", "clip")
def _clamp(c, x, min=None, max=None):
    if not all(v is None or isinstance(v, (int, float)) for v in (min, max)):
        raise c.unsupported("clamp with tensor bounds",
                            "use torch.maximum / torch.minimum")
    return _clamp_values(c, x, min, max)


@op("clamp_min")
def _clamp_min(c, x, lo):
    return _clamp_values(c, x, lo, None)


@op("clamp_max")
def _clamp_max(c, x, hi):
    return _clamp_values(c, x, None, hi)


@op("hardtanh")
def _hardtanh(c, x, lo=-1.0, hi=1.0):
    return _clamp_values(c, x, lo, hi)


@op("relu6")
def _relu6(c, x):
    return _clamp_values(c, x, 0.0, 6.0)


@op("leaky_relu")
def _leaky_relu(c, x, slope=0.01):
    x = c.value(x)
    if not 0.0 <= slope <= 1.0:
        raise c.unsupported(f"leaky_relu with slope {slope} outside [0, 1]")
    return c.g.maximum(x, c.g.mul(x, c.scalar(slope, x)))


# --- comparisons, selection, indexing -------------------------------------------

@op("index_select")
def _index_select(c, x, dim, index):
    x = c.value(x)
    return c.g.gather(x, c.value(index), _dim(dim, x.rank))


@op("index")
def _index(c, x, indices):
    x = c.value(x)
    used = [(axis, i) for axis, i in enumerate(indices) if i is not None]
    if len(used) != 1:
        raise c.unsupported("indexing with several index tensors")
    axis, index = used[0]
    index = c.value(index)
    if index.dtype not in ("i32", "i64") or index.id in c.masks:
        raise c.unsupported("boolean-mask indexing (its result shape "
                            "depends on the data)", "torch.where")
    return c.g.gather(x, index, axis)


@op("cumsum")
def _cumsum(c, x, dim, dtype=None):
    x = c.value(x)
    return c.g.cumsum(x, _dim(dim, x.rank))


def _compare(predicate):
    def fn(c, a, b):
        a, b = c.operands(a, b)
        out = c.g.compare(predicate, a, b)
        c.masks.add(out.id)
        return out
    return fn


for _name, _pred in (("eq", "eq"), ("ne", "ne"), ("lt", "lt"), ("le", "le"),
                     ("gt", "gt"), ("ge", "ge")):
    TABLE[_name] = _compare(_pred)


@op("logical_not", "bitwise_not")
def _not(c, x):
    x = c.mask(x)
    out = c.g.sub(c.scalar(1.0, x), x)
    c.masks.add(out.id)
    return out


@op("logical_and", "bitwise_and")
def _and(c, a, b):
    out = c.g.mul(c.mask(a), c.mask(b))
    c.masks.add(out.id)
    return out


@op("logical_or", "bitwise_or")
def _or(c, a, b):
    out = c.g.maximum(c.mask(a), c.mask(b))
    c.masks.add(out.id)
    return out


@op("where")
def _where(c, cond, a, b):
    m = c.mask(cond)
    a, b = c.operands(a, b)
    return c.g.where(m, a, b)


@op("masked_fill")
def _masked_fill(c, x, cond, value):
    x = c.value(x)
    m = c.mask(cond)
    if isinstance(value, Value) or hasattr(value, "dim"):
        value = float(np.asarray(c.constant_array(value)))
    return c.g.where(m, c.scalar(float(value), x), x)


# --- reductions and normalizations ------------------------------------------------

def _reduction(kind):
    def fn(c, x, dims=None, keepdim=False, dtype=None):
        x = c.value(x)
        if dtype is not None and c.dtype_name(dtype) != x.dtype:
            raise c.unsupported(f"a {kind} with dtype={dtype}")
        axes = list(range(x.rank)) if dims in (None, []) else \
            _dims(dims, x.rank)
        if not axes:
            return x
        return c.g.reduce(kind, x, axes, keepdims=bool(keepdim))
    return fn


TABLE["sum"] = _reduction("sum")
TABLE["mean"] = _reduction("mean")
TABLE["amax"] = _reduction("max")


@op("amin")
def _amin(c, x, dims=None, keepdim=False):
    x = c.value(x)
    axes = list(range(x.rank)) if dims in (None, []) else _dims(dims, x.rank)
    return c.g.neg(c.g.reduce("max", c.g.neg(x), axes, keepdims=keepdim))


@op("max")
def _max(c, x, dim=None, keepdim=False):
    x = c.value(x)
    if isinstance(dim, Value):
        return c.g.maximum(*c.operands(x, dim))
    if dim is None:
        return c.g.reduce("max", x, list(range(x.rank)))
    values = c.g.reduce("max", x, [_dim(dim, x.rank)], keepdims=keepdim)
    return [values, Unsupported("the indices of torch.max",
                                "use torch.amax for the values")]


@op("_softmax", "softmax")
def _softmax(c, x, dim, half_to_float=False):
    x = c.value(x)
    return c.g.softmax(x, _dim(dim, x.rank))


@op("_log_softmax", "log_softmax")
def _log_softmax(c, x, dim, half_to_float=False):
    x = c.value(x)
    out = c.g.log_softmax(x, _dim(dim, x.rank))
    c.log_softmax_of[out.id] = (x, _dim(dim, x.rank))
    return out


def _affine(c, weight, like, channels, fill):
    if weight is not None:
        return c.value(weight)
    return c.g.constant(np.full(channels, fill, np.float32))


@op("native_batch_norm", "_native_batch_norm_legit",
    "_native_batch_norm_legit_functional")
def _batch_norm(c, x, weight, bias, running_mean, running_var, training,
                momentum, eps):
    x = c.value(x)
    channels = (x.shape[1],)
    w = _affine(c, weight, x, channels, 1.0)
    b = _affine(c, bias, x, channels, 0.0)
    saved = [Unsupported("batch norm's saved mean"),
             Unsupported("batch norm's saved inverse deviation")]
    if not training:
        if running_mean is None:
            raise c.unsupported("eval-mode batch norm without running stats")
        out = c.g.batch_norm_inference(x, w, b, c.value(running_mean),
                                       c.value(running_var), epsilon=eps)
        return [out] + saved
    out = c.g.batch_norm(x, w, b, epsilon=eps)
    if running_mean is not None:
        mean, var = c.g.batch_norm_running_stats(
            x, c.value(running_mean), c.value(running_var), momentum)
        c.mutate(c.node.args[3], mean)
        c.mutate(c.node.args[4], var)
    return [out] + saved


@op("_native_batch_norm_legit_no_training")
def _batch_norm_eval(c, x, weight, bias, running_mean, running_var, momentum,
                     eps):
    return _batch_norm(c, x, weight, bias, running_mean, running_var, False,
                       momentum, eps)


@op("native_layer_norm")
def _layer_norm(c, x, normalized_shape, weight, bias, eps):
    x = c.value(x)
    shape = tuple(normalized_shape)
    w = _affine(c, weight, x, shape, 1.0)
    b = _affine(c, bias, x, shape, 0.0)
    return [c.g.layer_norm(x, w, b, epsilon=eps),
            Unsupported("layer norm's saved mean"),
            Unsupported("layer norm's saved inverse deviation")]


# --- contractions, convolutions, pooling ---------------------------------------

def _matmul(c, a, b):
    a, b = c.value(a), c.value(b)
    src = c.transposed.get(b.id)
    if src is not None:
        return c.g.matmul(a, src, transpose_rhs=True)
    return c.g.matmul(a, b)


@op("mm", "bmm", "matmul")
def _mm(c, a, b):
    return _matmul(c, a, b)


@op("addmm", "baddbmm")
def _addmm(c, bias, a, b, beta=1, alpha=1):
    y = _matmul(c, a, b)
    if alpha != 1:
        y = c.g.mul(y, c.scalar(alpha, y))
    if beta == 0:
        return y
    bias = c.value(bias)
    if beta != 1:
        bias = c.g.mul(bias, c.scalar(beta, bias))
    return c.g.add(y, bias)


@op("convolution", "_convolution")
def _convolution(c, x, w, bias, stride, padding, dilation, transposed,
                 output_padding, groups, *rest):
    x, w = c.value(x), c.value(w)
    bias = None if bias is None else c.value(bias)
    one_d = x.rank == 3
    if x.rank not in (3, 4):
        raise c.unsupported(f"a {x.rank - 2}-d convolution",
                            "use Conv2d (or Conv1d)")
    if one_d:
        # Conv1d is Conv2d over a height of 1.
        x = c.g.reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]])
        w = c.g.reshape(w, [w.shape[0], w.shape[1], 1, w.shape[2]])
        stride, padding = [1] + list(stride), [0] + list(padding)
        dilation, output_padding = [1] + list(dilation), \
            [0] + list(output_padding)
    pad = [padding[0], padding[1], padding[0], padding[1]]
    if transposed:
        y = c.g.conv_transpose2d(x, w, bias, strides=list(stride),
                                 padding=pad,
                                 output_padding=list(output_padding),
                                 dilation=list(dilation), groups=groups)
    else:
        y = c.g.conv2d(x, w, bias, strides=list(stride), padding=pad,
                       dilation=list(dilation), groups=groups)
    if one_d:
        y = c.g.reshape(y, list(c.out_shape()))
    return y


def _pool_args(kernel, stride, padding):
    kernel = [kernel] * 2 if isinstance(kernel, int) else list(kernel)
    stride = kernel if not stride else (
        [stride] * 2 if isinstance(stride, int) else list(stride))
    padding = [padding] * 2 if isinstance(padding, int) else list(padding)
    if len(padding) == 1:
        padding = padding * 2
    return kernel, stride, [padding[0], padding[1], padding[0], padding[1]]


@op("max_pool2d_with_indices", "max_pool2d")
def _max_pool(c, x, kernel, stride=(), padding=0, dilation=1,
              ceil_mode=False):
    kernel, stride, pad = _pool_args(kernel, stride, padding)
    dilation = [dilation] * 2 if isinstance(dilation, int) else list(dilation)
    y = c.g.max_pool2d(c.value(x), kernel, stride, pad, dilation=dilation,
                       ceil_mode=bool(ceil_mode))
    if c.node_target_name() == "max_pool2d":
        return y
    return [y, Unsupported("max_pool2d's indices")]


@op("avg_pool2d")
def _avg_pool(c, x, kernel, stride=(), padding=0, ceil_mode=False,
              count_include_pad=True, divisor_override=None):
    if divisor_override is not None:
        raise c.unsupported("avg_pool2d with divisor_override")
    kernel, stride, pad = _pool_args(kernel, stride, padding)
    return c.g.avg_pool2d(c.value(x), kernel, stride, pad,
                          count_include_pad=bool(count_include_pad),
                          ceil_mode=bool(ceil_mode))


@op("_adaptive_avg_pool2d", "adaptive_avg_pool2d")
def _adaptive_avg_pool(c, x, output_size):
    x = c.value(x)
    out = [output_size] * 2 if isinstance(output_size, int) else \
        list(output_size)
    h, w = x.shape[-2:]
    if out == [1, 1]:
        return c.g.reduce("mean", x, [x.rank - 2, x.rank - 1], keepdims=True)
    if h % out[0] == 0 and w % out[1] == 0:
        k = [h // out[0], w // out[1]]
        return c.g.avg_pool2d(x, k, k, [0, 0, 0, 0])
    return c.g.adaptive_avg_pool2d(x, output_size=out)


def _upsample(mode):
    def fn(c, x, output_size=None, *args):
        align = False
        if mode == "bilinear":
            align = bool(args[0]) if args else False
        kwargs = {"align_corners": align} if mode == "bilinear" else {}
        return c.g.upsample(c.value(x), size=list(c.out_shape()[2:]),
                            mode=mode, **kwargs)
    return fn


TABLE["upsample_nearest2d"] = _upsample("nearest")
TABLE["upsample_bilinear2d"] = _upsample("bilinear")


@op("constant_pad_nd")
def _constant_pad(c, x, pad, value=0.0):
    return _pad(c, c.value(x), pad, "constant", value)


@op("reflection_pad2d", "reflection_pad1d")
def _reflect_pad(c, x, pad):
    return _pad(c, c.value(x), pad, "reflect", 0.0)


@op("replication_pad2d", "replication_pad1d")
def _edge_pad(c, x, pad):
    return _pad(c, c.value(x), pad, "edge", 0.0)


def _pad(c, x, pad, mode, value):
    begins, ends = [0] * x.rank, [0] * x.rank
    # torch lists (begin, end) pairs from the last dimension backwards.
    for i in range(len(pad) // 2):
        begins[x.rank - 1 - i] = pad[2 * i]
        ends[x.rank - 1 - i] = pad[2 * i + 1]
    return c.g.pad(x, padding=begins + ends, mode=mode, value=float(value))


# --- embedding, dropout, losses ----------------------------------------------------

@op("embedding")
def _embedding(c, weight, indices, padding_idx=-1, scale_grad_by_freq=False,
               sparse=False):
    if padding_idx is not None and padding_idx >= 0:
        raise c.unsupported("Embedding(padding_idx=...) (torch zeroes that "
                            "row's gradient)", "padding_idx=None")
    if scale_grad_by_freq:
        raise c.unsupported("Embedding(scale_grad_by_freq=True)")
    return c.g.embedding(c.value(weight), c.value(indices))


def _filled(fill):
    def fn(c, x, *args, **kwargs):
        # Depends on x only through its shape, which torch recorded.
        x = c.value(x)
        dtype = np.float32 if x.dtype not in ("i32", "i64") else np.int64
        value = fill if fill is not None else (args[0] if args else
                                               kwargs["fill_value"])
        if isinstance(value, Value):
            raise c.unsupported("a fill value computed from the inputs")
        return c.value(_torch_constant(np.full(c.out_shape(), value, dtype)),
                       like=x)
    return fn


def _torch_constant(array):
    import torch
    return torch.from_numpy(array)


TABLE["zeros_like"] = _filled(0.0)
TABLE["ones_like"] = _filled(1.0)
TABLE["full_like"] = _filled(None)
TABLE["new_zeros"] = _filled(0.0)
TABLE["new_ones"] = _filled(1.0)


@op("empty_like")
def _empty_like(c, x, *args, **kwargs):
    return DropoutMask(c.value(x))


@op("bernoulli")
def _bernoulli(c, x, p=0.5, *args, **kwargs):  # 0.5: the schema default
    if not isinstance(x, DropoutMask) or not isinstance(p, float):
        raise c.unsupported("random sampling (bernoulli) outside dropout",
                            "nn.Dropout")
    return DropoutMask(x.like, keep=p)


@op("native_dropout")
def _native_dropout(c, x, p, train):
    x = c.value(x)
    if not train or p == 0:
        return [x, Unsupported("dropout's mask")]
    return [c.dropout(x, DropoutMask(x, 1.0 - p, True)),
            Unsupported("dropout's mask")]


@op("nll_loss_forward", "nll_loss")
def _nll_loss(c, logp, target, weight=None, reduction=1, ignore_index=-100):
    logp = c.value(logp)
    source = c.log_softmax_of.get(logp.id)
    if source is None or source[0].rank != 2 or source[1] != 1:
        raise c.unsupported("nll_loss on anything but log_softmax(x, dim=1) "
                            "of [N, C] logits", "F.cross_entropy(logits, y)")
    if weight is not None:
        raise c.unsupported("cross-entropy class weights", "weight=None")
    if reduction == 0:
        raise c.unsupported("cross-entropy with reduction='none'",
                            "reduction='mean'")
    target = c.value(target)
    c.ignore_index[target.id] = ignore_index
    loss = c.g.cross_entropy(source[0], target)
    if reduction == 2:
        loss = c.g.mul(loss, c.scalar(float(target.shape[0]), loss))
    result = [loss, Unsupported("nll_loss's total weight")]
    return result if c.node_target_name() == "nll_loss_forward" else loss


@op("mse_loss")
def _mse_loss(c, x, target, reduction=1):
    x, target = c.operands(x, target)
    if reduction == 0:
        return c.g.pow(c.g.sub(x, target), 2.0)
    loss = c.g.mse(x, target)
    if reduction == 2:
        loss = c.g.mul(loss, c.scalar(float(np.prod(x.shape)), loss))
    return loss


@op("_to_copy", "to", "type_as")
def _to_copy(c, x, *args, dtype=None, **kwargs):
    x = c.value(x)
    want = c.dtype_name(dtype) if dtype is not None else x.dtype
    if want == x.dtype:
        return x
    if x.id in c.masks and want in ("f32", "f16", "bf16"):
        return x  # compare's masks are already 0/1 floats
    if want == "i1" and x.id in c.masks:
        return x
    return c.g.cast(x, want)


@op("copy")
def _copy(c, dst, src, non_blocking=False):
    dst = c.value(dst)
    src = c.value(src)
    return c.g.broadcast_to(src, list(dst.shape))


@op("fill")
def _fill(c, x, value):
    x = c.value(x)
    return c.g.broadcast_to(c.scalar(value, x), list(x.shape))


@op("zero")
def _zero(c, x):
    return _fill(c, x, 0.0)


# --- recurrent layers ---------------------------------------------------------------
# torch 1.13's make_fx decomposes nn.LSTM/GRU/RNN into matmuls and in-place
# gate math; later versions may keep aten.lstm / aten.gru / aten.rnn_*. These
# unroll them over the static sequence length with torch's gate order
# (LSTM i, f, g, o; GRU r, z, n) and both biases.

def _rnn_linear(c, x, w, b):
    y = c.g.matmul(x, w, transpose_rhs=True)
    return y if b is None else c.g.add(y, b)


def _gates(c, x, n):
    size = x.shape[1] // n
    return [_slice(c, x, 1, i * size, (i + 1) * size) for i in range(n)]


def _unroll(c, cell, x, states, params, has_biases, num_layers, dropout,
            train, bidirectional, batch_first):
    if bidirectional:
        raise c.unsupported(f"a bidirectional {cell}",
                            "bidirectional=False")
    if dropout and train and num_layers > 1:
        raise c.unsupported(f"dropout between {cell} layers", "dropout=0")
    x = c.value(x)
    states = [c.value(s) for s in states]
    params = [c.value(p) for p in params]
    per_layer = 4 if has_biases else 2
    if len(params) != per_layer * num_layers:
        raise c.unsupported(f"a {cell} with projections or an unexpected "
                            "weight list", "proj_size=0")
    time_axis = 1 if batch_first else 0
    steps = x.shape[time_axis]
    finals = [[] for _ in states]
    for layer in range(num_layers):
        w_ih, w_hh = params[per_layer * layer:per_layer * layer + 2]
        b_ih, b_hh = (params[per_layer * layer + 2:per_layer * layer + 4]
                      if has_biases else (None, None))
        carried = []
        for s in states:
            part = _slice(c, s, 0, layer, layer + 1)
            carried.append(c.g.reshape(part, list(s.shape[1:])))
        outputs = []
        for t in range(steps):
            xt = _slice(c, x, time_axis, t, t + 1)
            xt = c.g.reshape(xt, [xt.shape[1 - time_axis], xt.shape[2]])
            gi = _rnn_linear(c, xt, w_ih, b_ih)
            gh = _rnn_linear(c, carried[0], w_hh, b_hh)
            if cell == "lstm":
                i, f, g, o = _gates(c, c.g.add(gi, gh), 4)
                i, f, o = c.g.sigmoid(i), c.g.sigmoid(f), c.g.sigmoid(o)
                cell_state = c.g.add(c.g.mul(f, carried[1]),
                                     c.g.mul(i, c.g.tanh(g)))
                carried = [c.g.mul(o, c.g.tanh(cell_state)), cell_state]
            elif cell == "gru":
                ir, iz, in_ = _gates(c, gi, 3)
                hr, hz, hn = _gates(c, gh, 3)
                r = c.g.sigmoid(c.g.add(ir, hr))
                z = c.g.sigmoid(c.g.add(iz, hz))
                n = c.g.tanh(c.g.add(in_, c.g.mul(r, hn)))
                # h' = (1 - z) * n + z * h = n + z * (h - n)
                carried = [c.g.add(n, c.g.mul(z, c.g.sub(carried[0], n)))]
            else:
                pre = c.g.add(gi, gh)
                carried = [c.g.tanh(pre) if cell == "rnn_tanh"
                           else c.g.relu(pre)]
            h = carried[0]
            shape = [1, h.shape[0], h.shape[1]] if not batch_first else \
                [h.shape[0], 1, h.shape[1]]
            outputs.append(c.g.reshape(h, shape))
        x = outputs[0] if steps == 1 else c.g.concat(outputs, time_axis)
        for k, s in enumerate(carried):
            finals[k].append(c.g.reshape(s, [1] + list(s.shape)))
    finals = [f[0] if len(f) == 1 else c.g.concat(f, 0) for f in finals]
    return [x] + finals


@op("lstm")
def _lstm(c, x, hx, params, has_biases, num_layers, dropout, train,
          bidirectional, batch_first):
    if len(hx) != 2:
        raise c.unsupported("an LSTM without (h0, c0)")
    return _unroll(c, "lstm", x, hx, params, has_biases, num_layers, dropout,
                   train, bidirectional, batch_first)


def _single_state(cell):
    def fn(c, x, hx, params, has_biases, num_layers, dropout, train,
           bidirectional, batch_first):
        return _unroll(c, cell, x, [hx], params, has_biases, num_layers,
                       dropout, train, bidirectional, batch_first)
    return fn


TABLE["gru"] = _single_state("gru")
TABLE["rnn_tanh"] = _single_state("rnn_tanh")
TABLE["rnn_relu"] = _single_state("rnn_relu")
