"""ONNX import: an ONNX graph becomes a hetc model ready for training.

Float initializers become trainable parameters (their values are returned
separately, to load into a session); integer initializers (shapes, indices)
become constants. The loss is chosen by the caller and applied to the
graph's first output. Shapes must be static: a symbolic batch dimension is
fixed with `batch`.

BatchNormalization always normalizes with the batch's statistics (training
mode); its running mean and variance are ignored.
"""
import math

import numpy as np

from . import nn

__all__ = ["ImportError_", "import_onnx"]


class ImportError_(ValueError):
    """The model cannot be imported: malformed, or an unsupported op."""


_DTYPES = {1: ("f32", np.float32), 6: ("i32", np.int32), 7: ("i64", np.int64)}


def _attrs(node):
    import onnx
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _shape_of(value_info, batch):
    dims = []
    for d in value_info.type.tensor_type.shape.dim:
        if d.HasField("dim_value") and d.dim_value > 0:
            dims.append(d.dim_value)
        elif batch is not None and not dims:
            dims.append(batch)
        else:
            raise ImportError_(f"input '{value_info.name}' has a symbolic "
                               "dimension; pass batch= to fix it")
    return tuple(dims)


class _Importer:
    def __init__(self, model, batch):
        self.model, self.batch = model, batch
        self.b = nn.Builder()
        self.values, self.consts, self.params = {}, {}, {}

    def value(self, name, node):
        if name in self.values:
            return self.values[name]
        raise ImportError_(f"node '{node.name}' ({node.op_type}) reads "
                           f"'{name}', which is neither an input, an "
                           "initializer nor an earlier output")

    def const(self, name, node):
        if name not in self.consts:
            raise ImportError_(f"node '{node.name}' ({node.op_type}) needs "
                               f"'{name}' to be a constant initializer")
        return self.consts[name]

    def run(self, loss):
        import onnx
        from onnx import numpy_helper
        graph = self.model.graph
        initializers = {i.name for i in graph.initializer}
        for init in graph.initializer:
            array = numpy_helper.to_array(init)
            if array.dtype == np.float32:
                param = self.b.param(init.name, array.shape, "zeros")
                self.values[init.name] = param
                self.params[init.name] = array
            else:
                self.consts[init.name] = array
        for inp in graph.input:
            if inp.name in initializers:
                continue
            elem = inp.type.tensor_type.elem_type
            if elem not in _DTYPES:
                raise ImportError_(f"input '{inp.name}' has ONNX element "
                                   f"type {elem}; hetc imports float32, "
                                   "int32 and int64 inputs")
            self.values[inp.name] = self.b.arg(inp.name,
                                               _shape_of(inp, self.batch),
                                               "hetc.input",
                                               _DTYPES[elem][0])
        for node in graph.node:
            handler = getattr(self, "op_" + node.op_type, None)
            if handler is None:
                raise ImportError_(f"unsupported ONNX op '{node.op_type}' in "
                                   f"node '{node.name}'")
            outputs = handler(node, _attrs(node))
            for name, value in zip(node.output, outputs):
                self.values[name] = value
        output = self.values[graph.output[0].name]
        labels = loss.label(self.b, output)
        return (self.b.function("model", [loss.emit(self.b, output, labels),
                                          output]),
                self.params)

    # --- ops -------------------------------------------------------------
    def _binary(self, op, node):
        x, y = (self.value(n, node) for n in node.input)
        shape = np.broadcast_shapes(x.shape, y.shape)
        return [self.b.op(f"hetc.{op} {x.name}, {y.name} : ({x.type}, "
                          f"{y.type}) -> {{out}}", shape)]

    def op_Add(self, node, a):
        return self._binary("add", node)

    def op_Sub(self, node, a):
        return self._binary("sub", node)

    def op_Mul(self, node, a):
        return self._binary("mul", node)

    def op_Div(self, node, a):
        return self._binary("div", node)

    def _unary(self, op, node):
        x = self.value(node.input[0], node)
        return [self.b.op(f"hetc.{op} {x.name} : {x.type}", x.shape)]

    def op_Relu(self, node, a):
        return self._unary("relu", node)

    def op_Tanh(self, node, a):
        return self._unary("tanh", node)

    def op_Sigmoid(self, node, a):
        return self._unary("sigmoid", node)

    def op_Identity(self, node, a):
        return [self.value(node.input[0], node)]

    def _matmul(self, x, w, ta, tb):
        m = x.shape[-1] if ta else x.shape[-2]
        n = w.shape[-2] if tb else w.shape[-1]
        batch = np.broadcast_shapes(x.shape[:-2], w.shape[:-2])
        flags = (" transpose_lhs" if ta else "") + (" transpose_rhs" if tb
                                                    else "")
        return self.b.op(f"hetc.matmul {x.name}, {w.name}{flags} : "
                         f"({x.type}, {w.type}) -> {{out}}",
                         tuple(batch) + (m, n))

    def _scale(self, v, factor):
        if factor == 1.0:
            return v
        c = self.b.op(f"arith.constant dense<{nn._float(factor)}> : "
                      "tensor<f32>", ())
        return self.b.op(f"hetc.mul {v.name}, {c.name} : ({v.type}, "
                         f"{c.type}) -> {{out}}", v.shape)

    def op_Gemm(self, node, a):
        x, w = self.value(node.input[0], node), self.value(node.input[1], node)
        y = self._scale(self._matmul(x, w, a.get("transA", 0),
                                     a.get("transB", 0)), a.get("alpha", 1.0))
        if len(node.input) > 2 and node.input[2]:
            c = self._scale(self.value(node.input[2], node), a.get("beta", 1.0))
            y = self.b.op(f"hetc.add {y.name}, {c.name} : ({y.type}, "
                          f"{c.type}) -> {{out}}", y.shape)
        return [y]

    def op_MatMul(self, node, a):
        x, w = (self.value(n, node) for n in node.input)
        if len(x.shape) < 2 or len(w.shape) < 2:
            raise ImportError_(f"node '{node.name}' (MatMul) on rank-1 "
                               "operands is not supported")
        return [self._matmul(x, w, False, False)]

    def op_Conv(self, node, a):
        x, w = self.value(node.input[0], node), self.value(node.input[1], node)
        if len(w.shape) != 4:
            raise ImportError_(f"node '{node.name}' (Conv): only 2-D "
                               "convolutions are supported")
        s = a.get("strides", [1, 1])
        p = a.get("pads", [0, 0, 0, 0])
        d = a.get("dilations", [1, 1])
        if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            raise ImportError_(f"node '{node.name}' (Conv): auto_pad is not "
                               "supported; export with explicit pads")
        operands = [x, w]
        if len(node.input) > 2 and node.input[2]:
            operands.append(self.value(node.input[2], node))
        n, _, h, wd = x.shape
        kh, kw = w.shape[2:]
        shape = (n, w.shape[0],
                 (h + p[0] + p[2] - d[0] * (kh - 1) - 1) // s[0] + 1,
                 (wd + p[1] + p[3] - d[1] * (kw - 1) - 1) // s[1] + 1)
        attrs = (f"strides = array<i64: {s[0]}, {s[1]}>, padding = "
                 f"array<i64: {p[0]}, {p[1]}, {p[2]}, {p[3]}>, dilation = "
                 f"array<i64: {d[0]}, {d[1]}>, groups = {a.get('group', 1)}"
                 " : i64")
        return [self.b.op(f"hetc.conv2d {', '.join(o.name for o in operands)}"
                          f" {{{attrs}}} : ({', '.join(o.type for o in operands)}"
                          ") -> {out}", shape)]

    def _pool(self, op, node, a, extra=""):
        x = self.value(node.input[0], node)
        k = a["kernel_shape"]
        s = a.get("strides", k)
        p = a.get("pads", [0, 0, 0, 0])
        if a.get("ceil_mode", 0):
            raise ImportError_(f"node '{node.name}' ({node.op_type}): "
                               "ceil_mode is not supported")
        n, c, h, w = x.shape
        shape = (n, c, (h + p[0] + p[2] - k[0]) // s[0] + 1,
                 (w + p[1] + p[3] - k[1]) // s[1] + 1)
        attrs = (f"kernel_size = array<i64: {k[0]}, {k[1]}>, strides = "
                 f"array<i64: {s[0]}, {s[1]}>, padding = array<i64: {p[0]}, "
                 f"{p[1]}, {p[2]}, {p[3]}>{extra}")
        return [self.b.op(f"hetc.{op} {x.name} {{{attrs}}} : {x.type} -> "
                          "{out}", shape)]

    def op_MaxPool(self, node, a):
        return self._pool("max_pool2d", node, a)

    def op_AveragePool(self, node, a):
        include = a.get("count_include_pad", 0)
        return self._pool("avg_pool2d", node, a,
                          "" if include else ", count_include_pad = false")

    def op_GlobalAveragePool(self, node, a):
        x = self.value(node.input[0], node)
        return [self.b.op(f"hetc.reduce_mean {x.name} [2, 3] keepdims : "
                          f"{x.type} -> {{out}}", x.shape[:2] + (1, 1))]

    def op_BatchNormalization(self, node, a):
        x = self.value(node.input[0], node)
        scale, bias = (self.value(n, node) for n in node.input[1:3])
        for name in node.input[3:5]:  # running statistics are not trained
            self.params.pop(name, None)
        eps = nn._float(a.get("epsilon", 1e-5))
        return [self.b.op(f"hetc.batch_norm {x.name}, {scale.name}, "
                          f"{bias.name} {{epsilon = {eps} : f64}} : "
                          f"({x.type}, {scale.type}, {bias.type}) -> {{out}}",
                          x.shape)]

    def _reshape(self, x, shape):
        dims = ", ".join(str(d) for d in shape)
        return self.b.op(f"hetc.reshape {x.name} [{dims}] : {x.type} -> "
                         "{out}", shape)

    def op_Flatten(self, node, a):
        x = self.value(node.input[0], node)
        axis = a.get("axis", 1) % max(len(x.shape), 1)
        return [self._reshape(x, (math.prod(x.shape[:axis]),
                                  math.prod(x.shape[axis:])))]

    def op_Reshape(self, node, a):
        x = self.value(node.input[0], node)
        target = [int(d) for d in self.const(node.input[1], node)]
        target = [x.shape[i] if d == 0 else d for i, d in enumerate(target)]
        if -1 in target:
            known = math.prod(d for d in target if d != -1)
            target[target.index(-1)] = math.prod(x.shape) // known
        return [self._reshape(x, tuple(target))]

    def op_Transpose(self, node, a):
        x = self.value(node.input[0], node)
        perm = a.get("perm", list(reversed(range(len(x.shape)))))
        shape = tuple(x.shape[p] for p in perm)
        return [self.b.op(f"hetc.transpose {x.name} [{', '.join(map(str, perm))}]"
                          f" : {x.type} -> {{out}}", shape)]

    def op_Concat(self, node, a):
        xs = [self.value(n, node) for n in node.input]
        axis = a["axis"] % len(xs[0].shape)
        shape = list(xs[0].shape)
        shape[axis] = sum(x.shape[axis] for x in xs)
        return [self.b.op(f"hetc.concat {', '.join(x.name for x in xs)} axis "
                          f"{axis} : ({', '.join(x.type for x in xs)}) -> "
                          "{out}", tuple(shape))]

    def op_Softmax(self, node, a):
        x = self.value(node.input[0], node)
        return [self.b.op(f"hetc.softmax {x.name} axis {a.get('axis', -1)} : "
                          f"{x.type}", x.shape)]

    def op_LogSoftmax(self, node, a):
        x = self.value(node.input[0], node)
        return [self.b.op(f"hetc.log_softmax {x.name} axis "
                          f"{a.get('axis', -1)} : {x.type}", x.shape)]

    def op_Gather(self, node, a):
        table = self.value(node.input[0], node)
        indices = self.value(node.input[1], node)
        if a.get("axis", 0) != 0 or len(table.shape) != 2:
            raise ImportError_(f"node '{node.name}' (Gather) is supported as "
                               "an embedding lookup: axis 0 of a 2-D table")
        return [self.b.op(f"hetc.embedding {table.name}, {indices.name} : "
                          f"({table.type}, {indices.type}) -> {{out}}",
                          indices.shape + (table.shape[1],))]

    def op_Dropout(self, node, a):
        x = self.value(node.input[0], node)
        ratio = a.get("ratio", 0.5)
        if len(node.input) > 1 and node.input[1]:
            ratio = float(self.const(node.input[1], node))
        seed = self.b.seed()
        return [self.b.op(f"hetc.dropout {x.name}, {seed.name} {{p = "
                          f"{nn._float(ratio)} : f64}} : ({x.type}, "
                          "tensor<i64>) -> {out}", x.shape)]


def import_onnx(path_or_bytes, loss="cross_entropy", batch=None):
    """Returns (hetc MLIR text, {parameter name: initial value})."""
    import onnx
    try:
        if isinstance(path_or_bytes, (bytes, bytearray)):
            model = onnx.load_from_string(bytes(path_or_bytes))
        else:
            model = onnx.load(str(path_or_bytes))
        onnx.checker.check_model(model)
    except Exception as error:  # onnx raises several unrelated types
        raise ImportError_(f"malformed ONNX model: {error}") from None
    losses = {"cross_entropy": nn.CrossEntropyLoss(), "mse": nn.MSELoss()}
    if loss not in losses:
        raise ImportError_(f"unknown loss '{loss}' (cross_entropy or mse)")
    return _Importer(model, batch).run(losses[loss])
