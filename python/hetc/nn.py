"""Model building blocks named like torch.nn, built through hetc.graph.

A model built here has parameters named as torch's state_dict names them
("0.weight", "3.bias"...), initialized with torch's default distributions,
so weights move between the two by name. Layers only choose ops, names and
initializers: every shape is inferred by the C++ builder, and a shape error
names the line that built the layer.
"""
import math

import numpy as np

__all__ = ["Module", "Sequential", "Residual", "Linear", "Conv2d",
           "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
           "Upsample", "BatchNorm2d", "LayerNorm", "Embedding", "Dropout",
           "MultiheadAttention", "LSTM", "GRU", "ReLU", "ReLU6", "Hardtanh",
           "LeakyReLU", "GELU", "Tanh", "Sigmoid", "Flatten",
           "CrossEntropyLoss", "NLLLoss", "MSELoss", "BCEWithLogitsLoss",
           "SmoothL1Loss", "HuberLoss"]


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


class Residual(Module):
    """body(x) + shortcut(x), the skip connection of residual networks; the
    shortcut is the identity unless given (its parameters are named
    `shortcut.*`)."""

    def __init__(self, body, shortcut=None):
        self.body, self.shortcut = body, shortcut

    def emit(self, g, x, prefix):
        y = self.body(g, x, prefix)
        skip = (x if self.shortcut is None
                else self.shortcut(g, x, prefix + "shortcut."))
        return g.add(y, skip)


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
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False):
        self.k = _pair(kernel_size)
        self.s = _pair(stride) if stride is not None else self.k
        self.p = _pair(padding)
        self.ceil_mode = bool(ceil_mode)

    def _padding(self):
        return [self.p[0], self.p[1], self.p[0], self.p[1]]


class MaxPool2d(_Pool):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 ceil_mode=False):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.d = _pair(dilation)

    def emit(self, g, x, prefix):
        return g.max_pool2d(x, list(self.k), list(self.s), self._padding(),
                            list(self.d), self.ceil_mode)


class AvgPool2d(_Pool):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = count_include_pad

    def emit(self, g, x, prefix):
        return g.avg_pool2d(x, list(self.k), list(self.s), self._padding(),
                            self.count_include_pad, self.ceil_mode)


class BatchNorm2d(Module):
    """torch.nn.BatchNorm2d: in training, normalizes with the batch's
    statistics and updates the running statistics (buffers) with `momentum`
    and the unbiased batch variance; in eval, normalizes with them."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.c, self.eps, self.momentum = num_features, eps, momentum

    def emit(self, g, x, prefix):
        gamma = g.param(prefix + "weight", (self.c,), init="ones")
        beta = g.param(prefix + "bias", (self.c,), init="zeros")
        mean = g.buffer(prefix + "running_mean", (self.c,), init="zeros")
        var = g.buffer(prefix + "running_var", (self.c,), init="ones")
        if not getattr(g, "training", True):
            return g.batch_norm_inference(x, gamma, beta, mean, var, self.eps)
        new_mean, new_var = g.batch_norm_running_stats(x, mean, var,
                                                       self.momentum)
        g.update_buffer(mean, new_mean)
        g.update_buffer(var, new_var)
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
        if not getattr(g, "training", True) or self.p == 0.0:
            return x
        return g.dropout(x, g.seed(), self.p)


class ConvTranspose2d(Module):
    """torch.nn.ConvTranspose2d, weight [in, out / groups, kh, kw]."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1):
        self.c_in, self.c_out = in_channels, out_channels
        self.k, self.s = _pair(kernel_size), _pair(stride)
        self.p, self.op = _pair(padding), _pair(output_padding)
        self.d, self.groups, self.bias = _pair(dilation), groups, bias

    def emit(self, g, x, prefix):
        # torch computes fan_in from the weight's dimension 1.
        bound = _uniform_bound(self.c_out // self.groups * self.k[0] *
                               self.k[1])
        weight = g.param(prefix + "weight",
                         (self.c_in, self.c_out // self.groups) + self.k,
                         init="uniform", value=bound)
        bias = (g.param(prefix + "bias", (self.c_out,), init="uniform",
                        value=bound) if self.bias else None)
        return g.conv_transpose2d(
            x, weight, bias, strides=list(self.s),
            padding=[self.p[0], self.p[1], self.p[0], self.p[1]],
            output_padding=list(self.op), dilation=list(self.d),
            groups=self.groups)


class AdaptiveAvgPool2d(Module):
    def __init__(self, output_size):
        self.size = _pair(output_size)

    def emit(self, g, x, prefix):
        if self.size == (1, 1):
            return g.reduce("mean", x, [2, 3], keepdims=True)
        return g.adaptive_avg_pool2d(x, list(self.size))


class Upsample(Module):
    """torch.nn.Upsample with `size` or an integer `scale_factor`."""

    def __init__(self, size=None, scale_factor=None, mode="nearest",
                 align_corners=None):
        if (size is None) == (scale_factor is None):
            raise ValueError("Upsample takes exactly one of size and "
                             "scale_factor")
        if mode not in ("nearest", "bilinear"):
            raise ValueError(f"Upsample mode '{mode}' is not supported "
                             "(nearest, bilinear)")
        self.size = None if size is None else _pair(size)
        self.scale = None if scale_factor is None else _pair(scale_factor)
        if self.scale and any(float(f) != int(f) for f in self.scale):
            raise ValueError("Upsample takes integer scale factors; give "
                             "size= for other ratios")
        self.mode, self.align_corners = mode, bool(align_corners)

    def emit(self, g, x, prefix):
        size = (list(self.size) if self.size else
                [x.shape[2] * int(self.scale[0]),
                 x.shape[3] * int(self.scale[1])])
        return g.upsample(x, size, self.mode, self.align_corners)


class MultiheadAttention(Module):
    """torch.nn.MultiheadAttention as self-attention on [N, T, E]
    (batch_first), with torch's parameter names and initialization;
    `causal` masks future positions."""

    def __init__(self, embed_dim, num_heads, bias=True, causal=False):
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim {embed_dim} is not divisible by "
                             f"num_heads {num_heads}")
        self.e, self.h, self.bias, self.causal = (embed_dim, num_heads, bias,
                                                  causal)

    def emit(self, g, x, prefix):
        n, t, e = x.shape
        h, d = self.h, self.e // self.h
        # xavier_uniform_ over [3E, E]; the output projection keeps Linear's.
        w = g.param(prefix + "in_proj_weight", (3 * e, e), init="uniform",
                    value=math.sqrt(6.0 / (4 * e)))
        qkv = g.matmul(x, w, transpose_rhs=True)
        if self.bias:
            qkv = g.add(qkv, g.param(prefix + "in_proj_bias", (3 * e,),
                                     init="zeros"))

        def heads(i):
            part = g.slice(qkv, [0, 0, i * e], [n, t, e], [1, 1, 1])
            return g.transpose(g.reshape(part, [n, t, h, d]), [0, 2, 1, 3])

        q, k, v = heads(0), heads(1), heads(2)
        q = g.mul(q, g.scalar(1.0 / math.sqrt(d)))
        scores = g.matmul(q, k, transpose_rhs=True)
        if self.causal:
            mask = [[0.0 if j <= i else float("-inf") for j in range(t)]
                    for i in range(t)]
            scores = g.add(scores, g.constant(np.array(mask, np.float32)))
        y = g.matmul(g.softmax(scores, -1), v)
        y = g.reshape(g.transpose(y, [0, 2, 1, 3]), [n, t, e])
        out = g.param(prefix + "out_proj.weight", (e, e), init="uniform",
                      value=_uniform_bound(e))
        y = g.matmul(y, out, transpose_rhs=True)
        if self.bias:
            y = g.add(y, g.param(prefix + "out_proj.bias", (e,),
                                 init="zeros"))
        return y


class _Recurrent(Module):
    """Shared by LSTM and GRU: batch_first [N, T, I] -> [N, T, H], the
    sequence unrolled over its static length, torch's parameter names
    (weight_ih_l0, ...) and init U(-1/sqrt(H), 1/sqrt(H))."""

    gates = 1

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=True):
        self.i, self.hidden, self.layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first

    def _weights(self, g, prefix, layer, n_in):
        bound, gh = _uniform_bound(self.hidden), self.gates * self.hidden
        names = [f"weight_ih_l{layer}", f"weight_hh_l{layer}"]
        shapes = [(gh, n_in), (gh, self.hidden)]
        if self.bias:
            names += [f"bias_ih_l{layer}", f"bias_hh_l{layer}"]
            shapes += [(gh,), (gh,)]
        params = [g.param(prefix + nm, sh, init="uniform", value=bound)
                  for nm, sh in zip(names, shapes)]
        return params + [None] * (4 - len(params))

    def _affine(self, g, x, w, b):
        y = g.matmul(x, w, transpose_rhs=True)
        return y if b is None else g.add(y, b)

    def _gate(self, g, v, k):
        n = v.shape[0]
        return g.slice(v, [0, k * self.hidden], [n, self.hidden], [1, 1])

    def emit(self, g, x, prefix):
        if not self.batch_first:
            x = g.transpose(x, [1, 0, 2])
        n, t, _ = x.shape
        for layer in range(self.layers):
            w_ih, w_hh, b_ih, b_hh = self._weights(g, prefix, layer,
                                                   x.shape[2])
            state = self.initial(g, n)
            outputs = []
            for step in range(t):
                x_t = g.reshape(g.slice(x, [0, step, 0], [n, 1, x.shape[2]],
                                        [1, 1, 1]), [n, x.shape[2]])
                state = self.cell(g, self._affine(g, x_t, w_ih, b_ih),
                                  w_hh, b_hh, state)
                outputs.append(g.reshape(state[0], [n, 1, self.hidden]))
            x = g.concat(outputs, 1)
        return x if self.batch_first else g.transpose(x, [1, 0, 2])

    def initial(self, g, n):
        zeros = g.constant(np.zeros((n, self.hidden), np.float32))
        return (zeros,) * self.states


class LSTM(_Recurrent):
    """torch.nn.LSTM (gates i, f, g, o); returns the output sequence."""

    gates, states = 4, 2

    def cell(self, g, xw, w_hh, b_hh, state):
        h, c = state
        z = g.add(xw, self._affine(g, h, w_hh, b_hh))
        i = g.sigmoid(self._gate(g, z, 0))
        f = g.sigmoid(self._gate(g, z, 1))
        cand = g.tanh(self._gate(g, z, 2))
        o = g.sigmoid(self._gate(g, z, 3))
        c = g.add(g.mul(f, c), g.mul(i, cand))
        return g.mul(o, g.tanh(c)), c


class GRU(_Recurrent):
    """torch.nn.GRU (gates r, z, n); returns the output sequence."""

    gates, states = 3, 1

    def cell(self, g, xw, w_hh, b_hh, state):
        (h,) = state
        hw = self._affine(g, h, w_hh, b_hh)
        r = g.sigmoid(g.add(self._gate(g, xw, 0), self._gate(g, hw, 0)))
        z = g.sigmoid(g.add(self._gate(g, xw, 1), self._gate(g, hw, 1)))
        cand = g.tanh(g.add(self._gate(g, xw, 2),
                            g.mul(r, self._gate(g, hw, 2))))
        # h' = (1 - z) * n + z * h, as torch writes it.
        one_minus = g.sub(g.scalar(1.0), z)
        return (g.add(g.mul(one_minus, cand), g.mul(z, h)),)


class ReLU(Module):
    def emit(self, g, x, prefix):
        return g.relu(x)


class Hardtanh(Module):
    def __init__(self, min_val=-1.0, max_val=1.0):
        if min_val >= max_val:
            raise ValueError(f"Hardtanh needs min_val < max_val, got "
                             f"{min_val} and {max_val}")
        self.low, self.high = float(min_val), float(max_val)

    def emit(self, g, x, prefix):
        return g.clamp(x, self.low, self.high)


class ReLU6(Hardtanh):
    def __init__(self):
        super().__init__(0.0, 6.0)


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01):
        self.slope = float(negative_slope)

    def emit(self, g, x, prefix):
        # torch routes x > 0 to the identity, the rest (0 included) to the
        # slope, in the value and in the gradient.
        positive = g.compare("gt", x, g.scalar(0.0))
        return g.where(positive, x, g.mul(x, g.scalar(self.slope)))


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


class NLLLoss:
    """Negative log-likelihood of log-probabilities [N, C] with int32 labels
    [N], mean over the batch."""

    def label(self, g, output):
        return g.label("labels", output.shape[:1], "i32")

    def emit(self, g, output, labels):
        n, c = output.shape
        classes = g.constant(np.arange(c, dtype=np.float32))
        column = g.reshape(g.cast(labels, "f32"), [n, 1])
        picked = g.mul(output, g.compare("eq", classes, column))
        total = g.reduce("sum", picked, [0, 1])
        return g.mul(total, g.scalar(-1.0 / n))


class MSELoss:
    def label(self, g, output):
        return g.label("target", output.shape)

    def emit(self, g, output, target):
        return g.mse(output, target)


class BCEWithLogitsLoss:
    """Binary cross-entropy on logits, mean over elements, in torch's stable
    form (1 - y) x + m + log(exp(-m) + exp(-x - m)) with m = max(-x, 0)."""

    def label(self, g, output):
        return g.label("target", output.shape)

    def emit(self, g, output, target):
        m = g.relu(g.neg(output))
        linear = g.mul(g.sub(g.scalar(1.0), target), output)
        log_term = g.log(g.add(g.exp(g.neg(m)),
                               g.exp(g.sub(g.neg(output), m))))
        loss = g.add(g.add(linear, m), log_term)
        return g.reduce("mean", loss, list(range(len(output.shape))))


class HuberLoss:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta); mean."""

    def __init__(self, delta=1.0):
        if not delta > 0:
            raise ValueError(f"HuberLoss delta must be positive, got {delta}")
        self.delta = float(delta)

    def label(self, g, output):
        return g.label("target", output.shape)

    def _terms(self, g, output, target, quadratic_scale, linear_scale,
               offset):
        d = g.sub(output, target)
        a = g.abs(d)
        inside = g.compare("lt", a, g.scalar(self.delta))
        quadratic = g.mul(g.mul(d, d), g.scalar(quadratic_scale))
        linear = g.mul(g.sub(a, g.scalar(offset)), g.scalar(linear_scale))
        loss = g.where(inside, quadratic, linear)
        return g.reduce("mean", loss, list(range(len(output.shape))))

    def emit(self, g, output, target):
        return self._terms(g, output, target, 0.5, self.delta,
                           0.5 * self.delta)


class SmoothL1Loss(HuberLoss):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta; mean."""

    def __init__(self, beta=1.0):
        super().__init__(beta)

    def emit(self, g, output, target):
        return self._terms(g, output, target, 0.5 / self.delta, 1.0,
                           0.5 * self.delta)
