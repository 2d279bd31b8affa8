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
from .graph import Graph

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
    def __init__(self, model, batch, source_name):
        self.model, self.batch, self.source_name = model, batch, source_name
        self.g = Graph("model")
        self.values, self.consts, self.params = {}, {}, {}

    def value(self, name, node):
        if name in self.values:
            return self.values[name]
        if name in self.consts:
            return self.g.constant(self.consts[name])
        raise ImportError_(f"node '{node.name}' ({node.op_type}) reads "
                           f"'{name}', which is neither an input, an "
                           "initializer nor an earlier output")

    def const(self, name, node):
        if name not in self.consts:
            raise ImportError_(f"node '{node.name}' ({node.op_type}) needs "
                               f"'{name}' to be a constant initializer")
        return self.consts[name]

    def run(self, loss):
        from onnx import numpy_helper
        graph, g = self.model.graph, self.g
        initializers = {i.name for i in graph.initializer}
        with g.location(self.source_name, 0, "initializers"):
            for init in graph.initializer:
                array = numpy_helper.to_array(init)
                if array.dtype == np.float32:
                    self.values[init.name] = g.param(init.name,
                                                     list(array.shape))
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
                self.values[inp.name] = g.input(
                    inp.name, list(_shape_of(inp, self.batch)),
                    _DTYPES[elem][0])
        for index, node in enumerate(graph.node):
            handler = getattr(self, "op_" + node.op_type, None)
            if handler is None:
                raise ImportError_(f"unsupported ONNX op '{node.op_type}' in "
                                   f"node '{node.name}'")
            with g.location(self.source_name, index + 1,
                            node.name or node.op_type):
                outputs = handler(node, _attrs(node))
            for name, value in zip(node.output, outputs):
                self.values[name] = value
        output = self.values[graph.output[0].name]
        with g.location(self.source_name, 0, "loss"):
            labels = loss.label(g, output)
            g.end_function([loss.emit(g, output, labels), output])
        return g.mlir(), self.params

    # --- ops -------------------------------------------------------------
    def _binary(self, op, node):
        x, y = (self.value(n, node) for n in node.input)
        return [getattr(self.g, op)(x, y)]

    def op_Add(self, node, a):
        return self._binary("add", node)

    def op_Sub(self, node, a):
        return self._binary("sub", node)

    def op_Mul(self, node, a):
        return self._binary("mul", node)

    def op_Div(self, node, a):
        return self._binary("div", node)

    def _unary(self, op, node):
        return [getattr(self.g, op)(self.value(node.input[0], node))]

    def op_Relu(self, node, a):
        return self._unary("relu", node)

    def op_Tanh(self, node, a):
        return self._unary("tanh", node)

    def op_Sigmoid(self, node, a):
        return self._unary("sigmoid", node)

    def op_Identity(self, node, a):
        return [self.value(node.input[0], node)]

    def _scale(self, v, factor):
        if factor == 1.0:
            return v
        return self.g.mul(v, self.g.scalar(factor))

    def op_Gemm(self, node, a):
        x, w = self.value(node.input[0], node), self.value(node.input[1], node)
        y = self._scale(self.g.matmul(x, w, bool(a.get("transA", 0)),
                                      bool(a.get("transB", 0))),
                        a.get("alpha", 1.0))
        if len(node.input) > 2 and node.input[2]:
            c = self._scale(self.value(node.input[2], node), a.get("beta", 1.0))
            y = self.g.add(y, c)
        return [y]

    def op_MatMul(self, node, a):
        x, w = (self.value(n, node) for n in node.input)
        if x.rank < 2 or w.rank < 2:
            raise ImportError_(f"node '{node.name}' (MatMul) on rank-1 "
                               "operands is not supported")
        return [self.g.matmul(x, w)]

    def op_Conv(self, node, a):
        x, w = self.value(node.input[0], node), self.value(node.input[1], node)
        if w.rank != 4:
            raise ImportError_(f"node '{node.name}' (Conv): only 2-D "
                               "convolutions are supported")
        if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            raise ImportError_(f"node '{node.name}' (Conv): auto_pad is not "
                               "supported; export with explicit pads")
        bias = (self.value(node.input[2], node)
                if len(node.input) > 2 and node.input[2] else None)
        # ONNX pads are [top, left, bottom, right], as hetc's.
        return [self.g.conv2d(x, w, bias,
                              strides=list(a.get("strides", [1, 1])),
                              padding=list(a.get("pads", [0, 0, 0, 0])),
                              dilation=list(a.get("dilations", [1, 1])),
                              groups=a.get("group", 1))]

    def _pool(self, node, a):
        if a.get("ceil_mode", 0):
            raise ImportError_(f"node '{node.name}' ({node.op_type}): "
                               "ceil_mode is not supported")
        if any(d != 1 for d in a.get("dilations", [1, 1])):
            raise ImportError_(f"node '{node.name}' ({node.op_type}): "
                               "dilated pooling is not supported")
        k = list(a["kernel_shape"])
        return (self.value(node.input[0], node), k,
                list(a.get("strides", k)), list(a.get("pads", [0, 0, 0, 0])))

    def op_MaxPool(self, node, a):
        if len(node.output) > 1 and node.output[1]:
            raise ImportError_(f"node '{node.name}' (MaxPool): the indices "
                               "output is not supported")
        return [self.g.max_pool2d(*self._pool(node, a))]

    def op_AveragePool(self, node, a):
        return [self.g.avg_pool2d(*self._pool(node, a),
                                  bool(a.get("count_include_pad", 0)))]

    def op_GlobalAveragePool(self, node, a):
        return [self.g.reduce("mean", self.value(node.input[0], node), [2, 3],
                              keepdims=True)]

    def op_BatchNormalization(self, node, a):
        x = self.value(node.input[0], node)
        scale, bias = (self.value(n, node) for n in node.input[1:3])
        for name in node.input[3:5]:  # running statistics are not trained
            self.params.pop(name, None)
        return [self.g.batch_norm(x, scale, bias, a.get("epsilon", 1e-5))]

    def op_Flatten(self, node, a):
        x = self.value(node.input[0], node)
        axis = a.get("axis", 1) % max(x.rank, 1)
        return [self.g.reshape(x, [math.prod(x.shape[:axis]), -1])]

    def op_Reshape(self, node, a):
        x = self.value(node.input[0], node)
        target = [int(d) for d in self.const(node.input[1], node)]
        # ONNX's 0 copies the input's dimension (unless allowzero).
        target = [x.shape[i] if d == 0 else d for i, d in enumerate(target)]
        return [self.g.reshape(x, target)]

    def op_Transpose(self, node, a):
        x = self.value(node.input[0], node)
        perm = a.get("perm", list(reversed(range(x.rank))))
        return [self.g.transpose(x, list(perm))]

    def op_Concat(self, node, a):
        xs = [self.value(n, node) for n in node.input]
        return [self.g.concat(xs, a["axis"])]

    def op_Softmax(self, node, a):
        return [self.g.softmax(self.value(node.input[0], node),
                               a.get("axis", -1))]

    def op_LogSoftmax(self, node, a):
        return [self.g.log_softmax(self.value(node.input[0], node),
                                   a.get("axis", -1))]

    def op_Gather(self, node, a):
        table = self.value(node.input[0], node)
        indices = self.value(node.input[1], node)
        if a.get("axis", 0) != 0 or table.rank != 2:
            raise ImportError_(f"node '{node.name}' (Gather) is supported as "
                               "an embedding lookup: axis 0 of a 2-D table")
        return [self.g.embedding(table, indices)]

    def op_Dropout(self, node, a):
        x = self.value(node.input[0], node)
        ratio = a.get("ratio", 0.5)
        if len(node.input) > 1 and node.input[1]:
            ratio = float(self.const(node.input[1], node))
        return [self.g.dropout(x, self.g.seed(), ratio)]


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
    name = ("<bytes>" if isinstance(path_or_bytes, (bytes, bytearray))
            else str(path_or_bytes))
    return _Importer(model, batch, name).run(losses[loss])
