"""Model building blocks named like torch.nn, built through hetc.graph.

A model built here has parameters named as torch's state_dict names them
("0.weight", "3.bias"...), initialized with torch's default distributions,
so weights move between the two by name. Layers only choose ops, names and
initializers: every shape is inferred by the C++ builder, and a shape error
names the line that built the layer.
"""
import math

__all__ = ["Module", "Sequential", "Linear", "Conv2d", "MaxPool2d",
           "AvgPool2d", "BatchNorm2d", "LayerNorm", "Embedding", "Dropout",
           "ReLU", "GELU", "Tanh", "Sigmoid", "Flatten", "CrossEntropyLoss",
           "MSELoss"]


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _uniform_bound(fan_in):
    """torch's default Linear/Conv init: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    return 1.0 / math.sqrt(fan_in)


class Module:
    """Base class: `emit(g, x, prefix)` adds the layer's ops to graph `g`
    and returns its output; parameters are named `prefix + name`."""

    def emit(self, g, x, prefix):
        raise NotImplementedError

    def __call__(self, g, x, prefix=""):
        return self.emit(g, x, prefix)


class Sequential(Module):
    def __init__(self, *layers):
        self.layers = layers

    def emit(self, g, x, prefix):
        for i, layer in enumerate(self.layers):
            x = layer(g, x, f"{prefix}{i}.")
        return x


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True):
        self.n_in, self.n_out, self.bias = in_features, out_features, bias

    def emit(self, g, x, prefix):
        if x.shape[-1:] != (self.n_in,):
            raise ValueError(f"{prefix}Linear expects {self.n_in} input "
                             f"features, got shape {x.shape}")
        bound = _uniform_bound(self.n_in)
        w = g.param(prefix + "weight", (self.n_out, self.n_in),
                    init="uniform", value=bound)
        y = g.matmul(x, w, transpose_rhs=True)
        if not self.bias:
            return y
        b = g.param(prefix + "bias", (self.n_out,), init="uniform", value=bound)
        return g.add(y, b)


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 padding=0, dilation=1, groups=1, bias=True):
        self.c_in, self.c_out = in_channels, out_channels
        self.k, self.s = _pair(kernel_size), _pair(stride)
        self.p, self.d = _pair(padding), _pair(dilation)
        self.groups, self.bias = groups, bias

    def emit(self, g, x, prefix):
        if x.rank != 4 or x.shape[1] != self.c_in:
            raise ValueError(f"{prefix}Conv2d expects {self.c_in} channels, "
                             f"got shape {x.shape}")
        bound = _uniform_bound(self.c_in // self.groups * self.k[0] *
                               self.k[1])
        weight = g.param(prefix + "weight",
                         (self.c_out, self.c_in // self.groups) + self.k,
                         init="uniform", value=bound)
        bias = (g.param(prefix + "bias", (self.c_out,), init="uniform",
                        value=bound) if self.bias else None)
        return g.conv2d(x, weight, bias, strides=list(self.s),
                        padding=[self.p[0], self.p[1], self.p[0], self.p[1]],
                        dilation=list(self.d), groups=self.groups)


class _Pool(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        self.k = _pair(kernel_size)
        self.s = _pair(stride) if stride is not None else self.k
        self.p = _pair(padding)

    def _padding(self):
        return [self.p[0], self.p[1], self.p[0], self.p[1]]


class MaxPool2d(_Pool):
    def emit(self, g, x, prefix):
        return g.max_pool2d(x, list(self.k), list(self.s), self._padding())


class AvgPool2d(_Pool):
    def __init__(self, kernel_size, stride=None, padding=0,
                 count_include_pad=True):
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = count_include_pad

    def emit(self, g, x, prefix):
        return g.avg_pool2d(x, list(self.k), list(self.s), self._padding(),
                            self.count_include_pad)


class BatchNorm2d(Module):
    """Normalizes with the batch's statistics (training mode)."""

    def __init__(self, num_features, eps=1e-5):
        self.c, self.eps = num_features, eps

    def emit(self, g, x, prefix):
        gamma = g.param(prefix + "weight", (self.c,), init="ones")
        beta = g.param(prefix + "bias", (self.c,), init="zeros")
        return g.batch_norm(x, gamma, beta, self.eps)


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5):
        self.shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                      else tuple(normalized_shape))
        self.eps = eps

    def emit(self, g, x, prefix):
        gamma = g.param(prefix + "weight", self.shape, init="ones")
        beta = g.param(prefix + "bias", self.shape, init="zeros")
        return g.layer_norm(x, gamma, beta, self.eps)


class Embedding(Module):
    def __init__(self, num_embeddings, embedding_dim):
        self.n, self.d = num_embeddings, embedding_dim

    def emit(self, g, x, prefix):
        table = g.param(prefix + "weight", (self.n, self.d), init="normal",
                        value=1.0)
        return g.embedding(table, x)


class Dropout(Module):
    def __init__(self, p=0.5):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p

    def emit(self, g, x, prefix):
        return g.dropout(x, g.seed(), self.p)


class ReLU(Module):
    def emit(self, g, x, prefix):
        return g.relu(x)


class Tanh(Module):
    def emit(self, g, x, prefix):
        return g.tanh(x)


class Sigmoid(Module):
    def emit(self, g, x, prefix):
        return g.sigmoid(x)


class GELU(Module):
    def __init__(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError("GELU approximate must be 'none' or 'tanh'")
        self.tanh = approximate == "tanh"

    def emit(self, g, x, prefix):
        return g.gelu(x, self.tanh)


class Flatten(Module):
    """Flattens every dimension after the batch, like torch.nn.Flatten."""

    def emit(self, g, x, prefix):
        return g.reshape(x, [x.shape[0], -1])


class CrossEntropyLoss:
    """Softmax cross-entropy over class logits with int32 labels [N]."""

    def label(self, g, output):
        return g.label("labels", output.shape[:1], "i32")

    def emit(self, g, output, labels):
        return g.cross_entropy(output, labels)


class MSELoss:
    def label(self, g, output):
        return g.label("target", output.shape)

    def emit(self, g, output, target):
        return g.mse(output, target)
