"""Model building blocks that emit the hetc dialect, named like torch.nn.

A model built here has parameters named as torch's state_dict names them
("0.weight", "3.bias"...), initialized with torch's default distributions,
so weights move between the two by name.
"""
import math

__all__ = ["Module", "Sequential", "Linear", "Conv2d", "MaxPool2d",
           "AvgPool2d", "BatchNorm2d", "LayerNorm", "Embedding", "Dropout",
           "ReLU", "GELU", "Tanh", "Sigmoid", "Flatten", "CrossEntropyLoss",
           "MSELoss"]


def _type(shape, dtype="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + dtype + ">"


def _float(v):
    """An MLIR float literal: always with a mantissa point and exponent."""
    return format(float(v), ".17e")


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


class Value:
    """An SSA value of the function being built, with its static shape."""

    def __init__(self, name, shape, dtype="f32"):
        self.name, self.shape, self.dtype = name, tuple(shape), dtype

    @property
    def type(self):
        return _type(self.shape, self.dtype)


class Builder:
    """Accumulates a func.func in the hetc dialect."""

    def __init__(self):
        self.args, self.lines, self.counter = [], [], 0
        self.seeds = 0

    def fresh(self):
        self.counter += 1
        return f"%v{self.counter}"

    def arg(self, name, shape, attrs, dtype="f32"):
        value = Value(f"%arg{len(self.args)}", shape, dtype)
        self.args.append(f'{value.name}: {value.type} {{{attrs}, '
                         f'hetc.name = "{name}"}}')
        return value

    def param(self, name, shape, init):
        return self.arg(name, shape, f"hetc.param = #hetc.init<{init}>")

    def op(self, text, shape, dtype="f32"):
        value = Value(self.fresh(), shape, dtype)
        self.lines.append(f"{value.name} = " + text.replace("{out}", value.type))
        return value

    def seed(self):
        """A fresh dropout seed input; the trainer feeds a new one per step."""
        name = f"dropout_seed{self.seeds}"
        self.seeds += 1
        return self.arg(name, (), "hetc.input", "i64")

    def function(self, name, results):
        types = ", ".join(r.type for r in results)
        names = ", ".join(r.name for r in results)
        return (f"func.func @{name}(" + ",\n    ".join(self.args) +
                f") -> ({types}) {{\n  " + "\n  ".join(self.lines) +
                f"\n  return {names} : {types}\n}}\n")


class Module:
    """Base class: `emit` lowers the layer, `params` lists its parameters."""

    def emit(self, b, x, prefix):
        raise NotImplementedError

    def __call__(self, b, x, prefix=""):
        return self.emit(b, x, prefix)


class Sequential(Module):
    def __init__(self, *layers):
        self.layers = layers

    def emit(self, b, x, prefix):
        for i, layer in enumerate(self.layers):
            x = layer(b, x, f"{prefix}{i}.")
        return x


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True):
        self.n_in, self.n_out, self.bias = in_features, out_features, bias

    def emit(self, b, x, prefix):
        if x.shape[-1] != self.n_in:
            raise ValueError(f"{prefix}Linear expects {self.n_in} input "
                             f"features, got shape {x.shape}")
        bound = 1.0 / math.sqrt(self.n_in)
        w = b.param(prefix + "weight", (self.n_out, self.n_in),
                    f"uniform, {_float(bound)}")
        shape = x.shape[:-1] + (self.n_out,)
        y = b.op(f"hetc.matmul {x.name}, {w.name} transpose_rhs : "
                 f"({x.type}, {w.type}) -> {{out}}", shape)
        if not self.bias:
            return y
        bias = b.param(prefix + "bias", (self.n_out,), f"uniform, {_float(bound)}")
        return b.op(f"hetc.add {y.name}, {bias.name} : ({y.type}, "
                    f"{bias.type}) -> {{out}}", shape)


def _window_out(size, kernel, stride, pad_total, dilation=1):
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 padding=0, dilation=1, groups=1, bias=True):
        self.c_in, self.c_out = in_channels, out_channels
        self.k, self.s = _pair(kernel_size), _pair(stride)
        self.p, self.d = _pair(padding), _pair(dilation)
        self.groups, self.bias = groups, bias

    def emit(self, b, x, prefix):
        n, c, h, w_ = x.shape
        if c != self.c_in:
            raise ValueError(f"{prefix}Conv2d expects {self.c_in} channels, "
                             f"got shape {x.shape}")
        fan_in = self.c_in // self.groups * self.k[0] * self.k[1]
        bound = 1.0 / math.sqrt(fan_in)
        weight = b.param(prefix + "weight",
                         (self.c_out, self.c_in // self.groups) + self.k,
                         f"uniform, {_float(bound)}")
        operands = [x, weight]
        if self.bias:
            operands.append(b.param(prefix + "bias", (self.c_out,),
                                    f"uniform, {_float(bound)}"))
        shape = (n, self.c_out,
                 _window_out(h, self.k[0], self.s[0], 2 * self.p[0], self.d[0]),
                 _window_out(w_, self.k[1], self.s[1], 2 * self.p[1],
                             self.d[1]))
        attrs = (f"strides = array<i64: {self.s[0]}, {self.s[1]}>, "
                 f"padding = array<i64: {self.p[0]}, {self.p[1]}, "
                 f"{self.p[0]}, {self.p[1]}>, dilation = array<i64: "
                 f"{self.d[0]}, {self.d[1]}>, groups = {self.groups} : i64")
        names = ", ".join(o.name for o in operands)
        types = ", ".join(o.type for o in operands)
        return b.op(f"hetc.conv2d {names} {{{attrs}}} : ({types}) -> {{out}}",
                    shape)


class _Pool(Module):
    op = ""

    def __init__(self, kernel_size, stride=None, padding=0):
        self.k = _pair(kernel_size)
        self.s = _pair(stride) if stride is not None else self.k
        self.p = _pair(padding)

    def extra(self):
        return ""

    def emit(self, b, x, prefix):
        n, c, h, w = x.shape
        shape = (n, c, _window_out(h, self.k[0], self.s[0], 2 * self.p[0]),
                 _window_out(w, self.k[1], self.s[1], 2 * self.p[1]))
        attrs = (f"kernel_size = array<i64: {self.k[0]}, {self.k[1]}>, "
                 f"strides = array<i64: {self.s[0]}, {self.s[1]}>, "
                 f"padding = array<i64: {self.p[0]}, {self.p[1]}, "
                 f"{self.p[0]}, {self.p[1]}>{self.extra()}")
        return b.op(f"hetc.{self.op} {x.name} {{{attrs}}} : {x.type} -> "
                    "{out}", shape)


class MaxPool2d(_Pool):
    op = "max_pool2d"


class AvgPool2d(_Pool):
    op = "avg_pool2d"

    def __init__(self, kernel_size, stride=None, padding=0,
                 count_include_pad=True):
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = count_include_pad

    def extra(self):
        return ("" if self.count_include_pad
                else ", count_include_pad = false")


class BatchNorm2d(Module):
    """Normalizes with the batch's statistics (training mode)."""

    def __init__(self, num_features, eps=1e-5):
        self.c, self.eps = num_features, eps

    def emit(self, b, x, prefix):
        gamma = b.param(prefix + "weight", (self.c,), "ones")
        beta = b.param(prefix + "bias", (self.c,), "zeros")
        return b.op(f"hetc.batch_norm {x.name}, {gamma.name}, {beta.name} "
                    f"{{epsilon = {_float(self.eps)} : f64}} : ({x.type}, "
                    f"{gamma.type}, {beta.type}) -> {{out}}", x.shape)


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5):
        self.shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                      else tuple(normalized_shape))
        self.eps = eps

    def emit(self, b, x, prefix):
        gamma = b.param(prefix + "weight", self.shape, "ones")
        beta = b.param(prefix + "bias", self.shape, "zeros")
        return b.op(f"hetc.layer_norm {x.name}, {gamma.name}, {beta.name} "
                    f"{{epsilon = {_float(self.eps)} : f64}} : ({x.type}, "
                    f"{gamma.type}, {beta.type}) -> {{out}}", x.shape)


class Embedding(Module):
    def __init__(self, num_embeddings, embedding_dim):
        self.n, self.d = num_embeddings, embedding_dim

    def emit(self, b, x, prefix):
        table = b.param(prefix + "weight", (self.n, self.d), "normal, 1.0")
        return b.op(f"hetc.embedding {table.name}, {x.name} : ({table.type}, "
                    f"{x.type}) -> {{out}}", x.shape + (self.d,))


class Dropout(Module):
    def __init__(self, p=0.5):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p

    def emit(self, b, x, prefix):
        seed = b.seed()
        return b.op(f"hetc.dropout {x.name}, {seed.name} {{p = {_float(self.p)} : "
                    f"f64}} : ({x.type}, tensor<i64>) -> {{out}}", x.shape)


class _Unary(Module):
    op, suffix = "", ""

    def emit(self, b, x, prefix):
        return b.op(f"hetc.{self.op} {x.name}{self.suffix} : {x.type}",
                    x.shape)


class ReLU(_Unary):
    op = "relu"


class Tanh(_Unary):
    op = "tanh"


class Sigmoid(_Unary):
    op = "sigmoid"


class GELU(_Unary):
    op = "gelu"

    def __init__(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError("GELU approximate must be 'none' or 'tanh'")
        self.suffix = " approximate tanh" if approximate == "tanh" else ""


class Flatten(Module):
    """Flattens every dimension after the batch, like torch.nn.Flatten."""

    def emit(self, b, x, prefix):
        rest = math.prod(x.shape[1:])
        return b.op(f"hetc.reshape {x.name} [{x.shape[0]}, -1] : {x.type} -> "
                    "{out}", (x.shape[0], rest))


class CrossEntropyLoss:
    """Softmax cross-entropy over class logits with int32 labels [N]."""

    def label(self, b, output):
        return b.arg("labels", output.shape[:1], "hetc.label", "i32")

    def emit(self, b, output, labels):
        return b.op(f"hetc.cross_entropy {output.name}, {labels.name} : "
                    f"({output.type}, {labels.type}) -> {{out}}", ())


class MSELoss:
    def label(self, b, output):
        return b.arg("target", output.shape, "hetc.label")

    def emit(self, b, output, target):
        return b.op(f"hetc.mse {output.name}, {target.name} : "
                    f"({output.type}, {target.type}) -> {{out}}", ())
