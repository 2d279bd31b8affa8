"""ONNX import: what torch.onnx.export emits becomes a hetc model.

    model = hetc.import_onnx("net.onnx", loss="cross_entropy")
    source, params = model            # still unpacks as before
    trainer = hetc.Trainer.from_mlir(source, optimizer, params=model.state)

Every op goes through hetc.graph.Graph (the C++ builder infers each result
type); the importer only chooses ops and attributes.

* Import-time constants: initializers that are never trained, Constant
  nodes and every op whose operands are all constants (the Shape -> Gather
  -> Unsqueeze -> Concat -> Reshape chains torch emits) are evaluated with
  numpy and never reach the graph; what they feed takes them as attributes
  (shapes, axes, pads) or as constant tensors.
* Parameters: float initializers the loss differentiates through, found by
  walking from the loss back through differentiable operands only. Other
  float initializers (masks, normalization constants) stay constants;
  BatchNormalization running statistics and `frozen` initializers become
  buffers (session state that is never trained).
* BatchNormalization in training mode (training_mode=1, or the running
  statistics outputs before opset 14) normalizes with batch statistics and
  updates its running statistics as torch does; an eval-mode twin function
  (`model_eval`: running statistics, no dropout) becomes the artifact's
  eval entry. In inference mode it normalizes with the running statistics.
* LSTM and GRU are unrolled over their static sequence length.
* Unsupported ops, attributes or modes raise OnnxImportError naming the op,
  the node and the nearest supported alternative.
"""
import math
import re
import warnings

import numpy as np

from . import nn
from .graph import Graph

__all__ = ["ImportError_", "ConstantRequired", "ImportedModel",
           "import_onnx"]


class ImportError_(ValueError):
    """The model cannot be imported: malformed, or an unsupported op."""


class ConstantRequired(ImportError_):
    """An operand that must be known at import time (a shape, axes, pads,
    scales) is a graph input; `name` is that input."""

    def __init__(self, message, name):
        super().__init__(message)
        self.name = name


class ImportedModel(tuple):
    """(MLIR text, {param name: initial value}), plus:
    buffers: {buffer name: initial value}; state: params and buffers;
    eval_function: the eval-mode function's name, or None; inputs: the data
    input names; seeds: the dropout seed input names."""

    def __new__(cls, source, params, **extra):
        self = super().__new__(cls, (source, params))
        self.source, self.params = source, params
        self.buffers = extra.get("buffers", {})
        self.state = {**params, **self.buffers}
        self.eval_function = extra.get("eval_function")
        self.inputs = extra.get("inputs", [])
        self.seeds = extra.get("seeds", [])
        return self


# ONNX TensorProto element types.
FLOAT, UINT8, INT8, INT16, INT32, INT64, BOOL, FLOAT16, DOUBLE = (
    1, 2, 3, 5, 6, 7, 9, 10, 11)
_INPUT_TYPES = {FLOAT: "f32", INT32: "i32", INT64: "i64", BOOL: "f32"}
_NUMPY = {FLOAT: np.float32, UINT8: np.uint8, INT8: np.int8,
          INT16: np.int16, INT32: np.int32, INT64: np.int64, BOOL: np.bool_,
          FLOAT16: np.float16, DOUBLE: np.float64}
_INT_MAX = 2**62

# Operands the loss does not differentiate through, by op (input indices);
# None: none of the op's operands.
_NON_DIFFERENTIABLE = {
    "Reshape": {1}, "Slice": {1, 2, 3, 4}, "Gather": {1}, "Unsqueeze": {1},
    "Squeeze": {1}, "Expand": {1}, "Tile": {1}, "Pad": {1, 2, 3},
    "Resize": {1, 2, 3}, "Clip": {1, 2}, "Split": {1}, "ReduceMean": {1},
    "ReduceSum": {1}, "ReduceMax": {1}, "ReduceMin": {1}, "Where": {0},
    "Dropout": {1, 2}, "BatchNormalization": {3, 4}, "Pow": {1},
    "LSTM": {4}, "GRU": {4}, "Shape": None, "Size": None,
    "ConstantOfShape": None, "Range": None, "Equal": None, "Greater": None,
    "Less": None, "GreaterOrEqual": None, "LessOrEqual": None, "Not": None,
    "And": None, "Or": None, "Xor": None, "Sign": None, "ArgMax": None,
    "ArgMin": None,
}


def _attrs(node):
    import onnx
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _text(v):
    return v.decode() if isinstance(v, bytes) else v


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


def _trained_values(graph, outputs):
    """Names the given outputs differentiate through."""
    needed = set(outputs)
    for node in reversed(graph.node):
        if not any(o in needed for o in node.output):
            continue
        skip = _NON_DIFFERENTIABLE.get(node.op_type, set())
        if skip is None:
            continue
        if node.op_type == "Cast" and _attrs(node).get("to") != FLOAT:
            continue
        for i, name in enumerate(node.input):
            if name and i not in skip:
                needed.add(name)
    return needed


class _Node:
    """The node being converted, for messages."""

    def __init__(self, node):
        self.op, self.name = node.op_type, node.name or node.op_type

    def error(self, message, alternative=None):
        text = f"node '{self.name}' ({self.op}): {message}"
        if alternative:
            text += f"; {alternative}"
        return ImportError_(text)


class _Importer:
    def __init__(self, model, batch, source_name, frozen, buffers):
        self.model, self.batch, self.source_name = model, batch, source_name
        self.graph = model.graph
        self.opset = next((o.version for o in model.opset_import
                           if o.domain in ("", "ai.onnx")), 13)
        self.frozen, self.use_buffers = set(frozen), buffers
        self.g = Graph("model")
        self.params, self.buffers = {}, {}
        self.initial = {}        # initializer name -> numpy value
        self.arguments = {}      # name -> ("param"|"buffer"|"input", ...)
        self.seeds = []

    # --- values ------------------------------------------------------------
    def _reset(self):
        # name -> numpy array (import-time constant) or Value
        self.env, self.masks, self.materialized = {}, set(), {}
        self.seed_index = 0

    def has(self, node, i):
        return i < len(node.input) and node.input[i] != ""

    def is_const(self, name):
        return isinstance(self.env.get(name), np.ndarray)

    def lookup(self, name):
        if name not in self.env:
            raise ImportError_(f"'{name}' is read before it is produced (or "
                               "is an output hetc does not compute)")
        return self.env[name]

    def const(self, node, i, what):
        """Input i as a numpy array; it must be an import-time constant."""
        name = node.input[i]
        v = self.lookup(name)
        if isinstance(v, np.ndarray):
            return v
        is_input = any(inp.name == name for inp in self.graph.input)
        message = (f"node '{node.name or node.op_type}' ({node.op_type}) "
                   f"needs its {what} ('{name}') known at import time, but "
                   "it is computed at run time")
        if is_input:
            raise ConstantRequired(message + "; make it an initializer or "
                                   "a Constant", name)
        raise ImportError_(message)

    def opt_const(self, node, i, what, default=None):
        return self.const(node, i, what) if self.has(node, i) else default

    def value(self, node, i, like=None):
        """Input i as a graph Value (constants are materialized)."""
        name = node.input[i]
        v = self.lookup(name)
        if not isinstance(v, np.ndarray):
            return v
        return self.materialize(name, v)

    def materialize(self, key, array):
        if key in self.materialized:
            return self.materialized[key]
        if array.dtype in (np.float64, np.float16, np.bool_):
            array = array.astype(np.float32)
        elif array.dtype.kind in "iu" and array.dtype not in (np.int32,
                                                               np.int64):
            array = array.astype(np.int64)
        v = self.g.constant(array)
        self.materialized[key] = v
        return v

    def float_value(self, node, i):
        v = self.value(node, i)
        if v.dtype != "f32":
            raise _Node(node).error(f"operand {i} is {v.dtype}; hetc "
                                    "computes this op on float32 values",
                                    "cast it to float first")
        return v

    def scalar(self, x):
        return self.g.scalar(float(x))

    def builder_has(self, op, keyword=None):
        method = getattr(self.g._b, op, None)
        if method is None:
            return False
        return keyword is None or keyword in (method.__doc__ or "")

    def need(self, node, op, keyword=None, alternative=None):
        if not self.builder_has(op, keyword):
            what = f"'{op}'" + (f" with {keyword}" if keyword else "")
            raise _Node(node).error(f"needs hetc's {what}, which this build "
                                    "does not have", alternative)

    # --- import ------------------------------------------------------------
    def declare(self):
        from onnx import numpy_helper
        graph, g = self.graph, self.g
        # The loss reads the first output; an inference model (no loss)
        # keeps as parameters the weights of every output.
        outputs = [o.name for o in graph.output]
        trained = _trained_values(graph, outputs if self.inference
                                  else outputs[:1])
        running = set()
        for node in graph.node:
            if node.op_type == "BatchNormalization":
                running.update(node.input[3:5])
        initializers = set()
        with g.location(self.source_name, 0, "initializers"):
            for init in graph.initializer:
                initializers.add(init.name)
                array = numpy_helper.to_array(init)
                self.initial[init.name] = array
                floating = array.dtype in (np.float32, np.float64, np.float16)
                if not floating:
                    continue
                array = array.astype(np.float32)
                if init.name in trained and init.name not in self.frozen \
                        and init.name not in running:
                    self.arguments[init.name] = ("param", array)
                    self.params[init.name] = array
                elif self.use_buffers and (init.name in running or
                                           (init.name in self.frozen and
                                            init.name in trained)):
                    self.arguments[init.name] = ("buffer", array)
                    self.buffers[init.name] = array
            self.inputs = []
            for inp in graph.input:
                if inp.name in initializers:
                    continue
                elem = inp.type.tensor_type.elem_type
                if elem not in _INPUT_TYPES:
                    raise ImportError_(
                        f"input '{inp.name}' has ONNX element type {elem}; "
                        "hetc imports float32, int32, int64 and bool (as a "
                        "0/1 float mask) inputs")
                self.arguments[inp.name] = ("input", _INPUT_TYPES[elem],
                                            list(_shape_of(inp, self.batch)),
                                            elem == BOOL)
                self.inputs.append(inp.name)

    def bind_arguments(self):
        g = self.g
        with g.location(self.source_name, 0, "arguments"):
            for name, arg in self.arguments.items():
                if arg[0] == "param":
                    self.env[name] = g.param(name, list(arg[1].shape))
                elif arg[0] == "buffer":
                    self.env[name] = g.buffer(name, list(arg[1].shape))
                else:
                    self.env[name] = g.input(name, arg[2], arg[1])
                    if arg[3]:
                        self.masks.add(name)
            for name, array in self.initial.items():
                if name not in self.env:
                    self.env[name] = array

    def convert(self, training):
        """Converts every node; training selects BatchNormalization's batch
        statistics and Dropout (the eval twin uses neither)."""
        self.training = training
        fused, skipped = _find_gelu(self.graph)
        for index, node in enumerate(self.graph.node):
            if index in skipped:
                continue
            with self.g.location(self.source_name, index + 1,
                                 node.name or node.op_type):
                if index in fused:
                    x = self.lookup(fused[index])
                    outputs = [self.g.gelu(x)]
                else:
                    outputs = self.convert_node(node)
            for name, value in zip(node.output, outputs):
                if name and value is not None:
                    self.env[name] = value
                    if isinstance(value, _Mask):
                        self.env[name] = value.value
                        self.masks.add(name)

    def convert_node(self, node):
        a = _attrs(node)
        fold = _FOLD.get(node.op_type)
        present = [n for n in node.input if n]
        if fold is not None and present and all(self.is_const(n)
                                                for n in present):
            inputs = [self.env[n] if n else None for n in node.input]
            try:
                return [np.asarray(r) for r in fold(self, node, a, inputs)]
            except _NoFold:
                pass
        handler = getattr(self, "op_" + node.op_type, None)
        if handler is None:
            raise ImportError_(
                f"unsupported ONNX op '{node.op_type}' in node "
                f"'{node.name}'" + _ALTERNATIVES.get(node.op_type, ""))
        return handler(node, a)

    def finish(self, loss, outputs):
        g = self.g
        with g.location(self.source_name, 0, "loss"):
            if loss is None:
                value = self.scalar(0.0)
            else:
                labels = loss.label(g, outputs[0])
                value = loss.emit(g, outputs[0], labels)
            g.end_function([value] + outputs)

    def outputs(self):
        results = []
        for out in self.graph.output:
            v = self.lookup(out.name)
            if isinstance(v, np.ndarray):
                v = self.materialize(out.name, v)
            results.append(v)
        return results

    def run(self, loss):
        self.inference = loss is None
        self.declare()
        self._reset()
        self.bind_arguments()
        self.convert(training=True)
        outputs = self.outputs()
        has_eval = self.needs_eval
        self.finish(loss, outputs)
        self.seeds = [f"dropout_seed{i}" for i in range(self.g.seeds)]
        eval_function = None
        if has_eval and self.use_buffers:
            eval_function = "model_eval"
            self.g.begin_function(eval_function, eval_of="model")
            self._reset()
            self.bind_arguments()
            self.convert(training=False)
            self.finish(loss, self.outputs())
        imported = ImportedModel(self.g.mlir(), self.params,
                                 buffers=self.buffers,
                                 eval_function=eval_function,
                                 inputs=self.inputs, seeds=self.seeds)
        imported.untracked = self.untracked
        return imported

    needs_eval = untracked = False

    # --- elementwise -------------------------------------------------------
    def _binary(self, op, node):
        x, y = self.value(node, 0), self.value(node, 1)
        if x.dtype != y.dtype:
            raise _Node(node).error(f"operands are {x.dtype} and {y.dtype}")
        return [getattr(self.g, op)(x, y)]

    def op_Add(self, node, a):
        return self._binary("add", node)

    def op_Sub(self, node, a):
        return self._binary("sub", node)

    def op_Mul(self, node, a):
        return self._binary("mul", node)

    def op_Div(self, node, a):
        return self._binary("div", node)

    def _variadic(self, op, node):
        result = self.value(node, 0)
        for i in range(1, len(node.input)):
            result = getattr(self.g, op)(result, self.value(node, i))
        return result

    def op_Sum(self, node, a):
        return [self._variadic("add", node)]

    def op_Mean(self, node, a):
        total = self._variadic("add", node)
        return [self.g.div(total, self.scalar(len(node.input)))]

    def op_Max(self, node, a):
        return [self._variadic("maximum", node)]

    def op_Min(self, node, a):
        return [self._variadic("minimum", node)]

    def _unary(self, op, node):
        return [getattr(self.g, op)(self.float_value(node, 0))]

    def op_Relu(self, node, a):
        return self._unary("relu", node)

    def op_Tanh(self, node, a):
        return self._unary("tanh", node)

    def op_Sigmoid(self, node, a):
        return self._unary("sigmoid", node)

    def op_Exp(self, node, a):
        return self._unary("exp", node)

    def op_Log(self, node, a):
        return self._unary("log", node)

    def op_Sqrt(self, node, a):
        return self._unary("sqrt", node)

    def op_Neg(self, node, a):
        return [self.g.neg(self.value(node, 0))]

    def op_Reciprocal(self, node, a):
        return [self.g.div(self.scalar(1.0), self.float_value(node, 0))]

    def op_Identity(self, node, a):
        return [self._keep_mask(node, self.value(node, 0))]

    def _keep_mask(self, node, v):
        return _Mask(v) if node.input[0] in self.masks else v

    def _abs(self, x):
        if self.builder_has("abs"):
            return self.g.abs(x)
        # relu(x) + relu(-x): |x| with torch's zero gradient at 0.
        negated = self.g.neg(x)
        positive = self.g.relu(x)
        negative = self.g.relu(negated)
        return self.g.add(positive, negative)

    def op_Abs(self, node, a):
        return [self._abs(self.float_value(node, 0))]

    def op_Erf(self, node, a):
        self.need(node, "erf", alternative="GELU exports at opset 20 as Gelu")
        return self._unary("erf", node)

    def op_Sign(self, node, a):
        self.need(node, "sign")
        return self._unary("sign", node)

    def op_Gelu(self, node, a):
        approximate = _text(a.get("approximate", "none"))
        return [self.g.gelu(self.float_value(node, 0), approximate == "tanh")]

    def op_Pow(self, node, a):
        x = self.float_value(node, 0)
        exponent = self.const(node, 1, "exponent")
        if exponent.size != 1:
            raise _Node(node).error("only a scalar exponent is supported")
        return [self.g.pow(x, float(exponent.reshape(())))]

    def _clamp(self, x, low, high):
        g = self.g
        if self.builder_has("clamp"):
            # Only the bounds given: Graph turns a None argument into -1.
            bounds = {k: v for k, v in (("min", low), ("max", high))
                      if v is not None}
            return g.clamp(x, **bounds)
        if low is not None:
            x = g.maximum(x, self.scalar(low))
        if high is not None:
            x = g.minimum(x, self.scalar(high))
        return x

    def op_Clip(self, node, a):
        x = self.float_value(node, 0)
        if self.opset < 11:
            low, high = a.get("min"), a.get("max")
        else:
            low = self.opt_const(node, 1, "min")
            high = self.opt_const(node, 2, "max")
        low = None if low is None else float(np.asarray(low).reshape(()))
        high = None if high is None else float(np.asarray(high).reshape(()))
        if low is None and high is None:
            return [x]
        return [self._clamp(x, low, high)]

    def op_LeakyRelu(self, node, a):
        alpha = a.get("alpha", 0.01)
        x = self.float_value(node, 0)
        # relu(x) - alpha * relu(-x)
        negated = self.g.neg(x)
        negative = self.g.relu(negated)
        scaled = self.g.mul(negative, self.scalar(alpha))
        positive = self.g.relu(x)
        return [self.g.sub(positive, scaled)]

    def op_PRelu(self, node, a):
        x, slope = self.float_value(node, 0), self.float_value(node, 1)
        negated = self.g.neg(x)
        negative = self.g.relu(negated)
        scaled = self.g.mul(negative, slope)
        positive = self.g.relu(x)
        return [self.g.sub(positive, scaled)]

    def _elu(self, x, alpha):
        # relu(x) + alpha * (exp(min(x, 0)) - 1)
        low = self.g.minimum(x, self.scalar(0.0))
        e = self.g.exp(low)
        em1 = self.g.sub(e, self.scalar(1.0))
        scaled = self.g.mul(em1, self.scalar(alpha))
        positive = self.g.relu(x)
        return self.g.add(positive, scaled)

    def op_Elu(self, node, a):
        return [self._elu(self.float_value(node, 0), a.get("alpha", 1.0))]

    def op_Selu(self, node, a):
        alpha = a.get("alpha", 1.67326319217681884765625)
        gamma = a.get("gamma", 1.05070102214813232421875)
        y = self._elu(self.float_value(node, 0), alpha)
        return [self.g.mul(y, self.scalar(gamma))]

    def op_Softplus(self, node, a):
        x = self.float_value(node, 0)
        e = self.g.exp(x)
        shifted = self.g.add(e, self.scalar(1.0))
        return [self.g.log(shifted)]

    def op_Softsign(self, node, a):
        x = self.float_value(node, 0)
        magnitude = self._abs(x)
        shifted = self.g.add(magnitude, self.scalar(1.0))
        return [self.g.div(x, shifted)]

    def _hard_sigmoid(self, x, alpha, beta):
        scaled = self.g.mul(x, self.scalar(alpha))
        shifted = self.g.add(scaled, self.scalar(beta))
        return self._clamp(shifted, 0.0, 1.0)

    def op_HardSigmoid(self, node, a):
        return [self._hard_sigmoid(self.float_value(node, 0),
                                   a.get("alpha", 0.2), a.get("beta", 0.5))]

    def op_HardSwish(self, node, a):
        x = self.float_value(node, 0)
        gate = self._hard_sigmoid(x, 1.0 / 6.0, 0.5)
        return [self.g.mul(x, gate)]

    # --- comparisons and masks (bool tensors are 0/1 float masks) ----------
    def _compare(self, predicate, node):
        x, y = self.value(node, 0), self.value(node, 1)
        return [_Mask(self.g.compare(predicate, x, y))]

    def op_Equal(self, node, a):
        return self._compare("eq", node)

    def op_Greater(self, node, a):
        return self._compare("gt", node)

    def op_Less(self, node, a):
        return self._compare("lt", node)

    def op_GreaterOrEqual(self, node, a):
        return self._compare("ge", node)

    def op_LessOrEqual(self, node, a):
        return self._compare("le", node)

    def _mask(self, node, i):
        if node.input[i] not in self.masks and not self.is_const(
                node.input[i]):
            raise _Node(node).error(f"operand {i} is not a boolean")
        return self.value(node, i)

    def op_Not(self, node, a):
        m = self._mask(node, 0)
        return [_Mask(self.g.sub(self.scalar(1.0), m))]

    def op_And(self, node, a):
        return [_Mask(self.g.mul(self._mask(node, 0), self._mask(node, 1)))]

    def op_Or(self, node, a):
        return [_Mask(self.g.maximum(self._mask(node, 0),
                                     self._mask(node, 1)))]

    def op_Xor(self, node, a):
        difference = self.g.sub(self._mask(node, 0), self._mask(node, 1))
        return [_Mask(self._abs(difference))]

    def op_Where(self, node, a):
        if self.builder_has("where"):
            cond = self._mask(node, 0)
            return [self.g.where(cond, self.value(node, 1),
                                 self.value(node, 2))]
        # Without hetc.where: exact when the mask and one branch are
        # import-time constants (masked_fill with a constant).
        names = node.input
        if self.is_const(names[0]) and (self.is_const(names[1]) or
                                        self.is_const(names[2])):
            m = self.env[names[0]].astype(bool)
            if self.is_const(names[1]):
                keep, other = self.value(node, 2), ~m
                fill = np.where(m, self.env[names[1]], 0.0)
            else:
                keep, other = self.value(node, 1), m
                fill = np.where(m, 0.0, self.env[names[2]])
            mask = self.g.constant(other.astype(np.float32))
            kept = self.g.mul(keep, mask)
            filled = self.g.constant(fill.astype(np.float32))
            return [self.g.add(kept, filled)]
        # A run-time mask: a * m + b * (1 - m), exact for finite branches
        # (a constant non-finite branch would give NaN, so it is refused).
        for i in (1, 2):
            if self.is_const(names[i]) and not np.isfinite(
                    self.env[names[i]]).all():
                self.need(node, "where", alternative="masked_fill with a "
                          "constant mask imports without it")
        m = self._mask(node, 0)
        x, y = self.value(node, 1), self.value(node, 2)
        inverse = self.g.sub(self.scalar(1.0), m)
        kept = self.g.mul(x, m)
        other = self.g.mul(y, inverse)
        return [self.g.add(kept, other)]

    def op_Cast(self, node, a):
        to = a["to"]
        name = node.input[0]
        x = self.value(node, 0)
        source_bool = name in self.masks
        if to == BOOL:
            if source_bool:
                return [_Mask(x)]
            return [_Mask(self.g.compare("ne", x, self.scalar(0.0)))]
        if to == FLOAT:
            if x.dtype == "f32":
                return [x]
        elif to in (INT32, INT64):
            target = "i32" if to == INT32 else "i64"
            if x.dtype == target:
                return [x]
        else:
            raise _Node(node).error(f"casting to ONNX type {to} is not "
                                    "supported", "hetc computes on float32, "
                                    "int32 and int64")
        self.need(node, "cast")
        return [self.g.cast(x, "f32" if to == FLOAT else target)]

    # --- linear algebra and convolution ------------------------------------
    def _scale(self, v, factor):
        if factor == 1.0:
            return v
        return self.g.mul(v, self.scalar(factor))

    def op_Gemm(self, node, a):
        x, w = self.value(node, 0), self.value(node, 1)
        product = self.g.matmul(x, w, bool(a.get("transA", 0)),
                                bool(a.get("transB", 0)))
        y = self._scale(product, a.get("alpha", 1.0))
        if self.has(node, 2):
            c = self._scale(self.value(node, 2), a.get("beta", 1.0))
            y = self.g.add(y, c)
        return [y]

    def op_MatMul(self, node, a):
        x, w = self.value(node, 0), self.value(node, 1)
        vector_lhs, vector_rhs = x.rank == 1, w.rank == 1
        if vector_lhs:
            x = self.g.reshape(x, [1, x.shape[0]])
        if vector_rhs:
            w = self.g.reshape(w, [w.shape[0], 1])
        y = self.g.matmul(x, w)
        if vector_lhs or vector_rhs:
            shape = list(y.shape)
            if vector_rhs:
                shape.pop(-1)
            if vector_lhs:
                shape.pop(-1 if vector_rhs else -2)
            y = self.g.reshape(y, shape)
        return [y]

    def _spatial(self, node, a, x_rank, kernel, strides, dilations, inputs):
        """ONNX pads as hetc's [top, left, bottom, right], resolving
        auto_pad; `inputs` are the spatial input sizes."""
        auto = _text(a.get("auto_pad", "NOTSET"))
        n = len(kernel)
        if auto == "NOTSET":
            return list(a.get("pads", [0] * (2 * n)))
        if auto == "VALID":
            return [0] * (2 * n)
        if auto not in ("SAME_UPPER", "SAME_LOWER"):
            raise _Node(node).error(f"auto_pad '{auto}' is not supported")
        begins, ends = [], []
        for size, k, s, d in zip(inputs, kernel, strides, dilations):
            out = -(-size // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
            small, large = total // 2, total - total // 2
            begins.append(small if auto == "SAME_UPPER" else large)
            ends.append(large if auto == "SAME_UPPER" else small)
        return begins + ends

    def _as_2d(self, node, x, rank):
        """1-D convolutions and pools run as 2-D ones over a unit height."""
        if x.rank == rank + 1:
            return self.g.reshape(x, list(x.shape[:2]) + [1, x.shape[2]])
        if x.rank != rank + 2:
            raise _Node(node).error(f"{x.rank - 2}-D operands are not "
                                    "supported", "hetc has 1-D and 2-D forms")
        return x

    def op_Conv(self, node, a):
        x, w = self.float_value(node, 0), self.float_value(node, 1)
        one_d = w.rank == 3
        k = list(w.shape[2:])
        strides = list(a.get("strides", [1] * len(k)))
        dilations = list(a.get("dilations", [1] * len(k)))
        pads = self._spatial(node, a, x.rank, k, strides, dilations,
                             x.shape[2:])
        if one_d:
            x = self._as_2d(node, x, 2)
            w = self.g.reshape(w, list(w.shape[:2]) + [1, k[0]])
            strides, dilations = [1] + strides, [1] + dilations
            pads = [0, pads[0], 0, pads[1]]
        elif w.rank != 4:
            raise _Node(node).error("only 1-D and 2-D convolutions are "
                                    "supported")
        bias = self.value(node, 2) if self.has(node, 2) else None
        y = self.g.conv2d(x, w, bias, strides=strides, padding=pads,
                          dilation=dilations, groups=a.get("group", 1))
        if one_d:
            y = self.g.reshape(y, [y.shape[0], y.shape[1], y.shape[3]])
        return [y]

    def op_ConvTranspose(self, node, a):
        self.need(node, "conv_transpose2d")
        x, w = self.float_value(node, 0), self.float_value(node, 1)
        if w.rank != 4:
            raise _Node(node).error("only 2-D transposed convolutions are "
                                    "supported")
        if "output_shape" in a:
            raise _Node(node).error("output_shape is not supported",
                                    "export with explicit pads and "
                                    "output_padding")
        if _text(a.get("auto_pad", "NOTSET")) not in ("NOTSET", "VALID"):
            raise _Node(node).error("auto_pad SAME is not supported",
                                    "export with explicit pads")
        bias = self.value(node, 2) if self.has(node, 2) else None
        return [self.g.conv_transpose2d(
            x, w, bias, strides=list(a.get("strides", [1, 1])),
            padding=list(a.get("pads", [0, 0, 0, 0])),
            output_padding=list(a.get("output_padding", [0, 0])),
            dilation=list(a.get("dilations", [1, 1])),
            groups=a.get("group", 1))]

    def _pool(self, node, a, op):
        x = self.float_value(node, 0)
        if "storage_order" in a and a["storage_order"] != 0:
            raise _Node(node).error("storage_order=1 is not supported")
        k = list(a["kernel_shape"])
        strides = list(a.get("strides", [1] * len(k)))
        dilations = list(a.get("dilations", [1] * len(k)))
        pads = self._spatial(node, a, x.rank, k, strides, dilations,
                             x.shape[2:])
        for p, size in zip(pads, k + k):
            if p > size // 2:
                raise _Node(node).error(
                    f"pads {pads} exceed half the kernel {k}",
                    "torch's limit, which hetc shares")
        one_d = len(k) == 1
        if one_d:
            x = self._as_2d(node, x, 2)
            k, strides, dilations = [1] + k, [1] + strides, [1] + dilations
            pads = [0, pads[0], 0, pads[1]]
        elif len(k) != 2:
            raise _Node(node).error("only 1-D and 2-D pooling is supported")
        extra = {}
        if any(d != 1 for d in dilations):
            if op == "avg_pool2d":
                raise _Node(node).error("dilations are not supported")
            self.need(node, op, "dilation")
            extra["dilation"] = dilations
        if a.get("ceil_mode", 0):
            self.need(node, op, "ceil_mode", "export with ceil_mode=False")
            extra["ceil_mode"] = True
        if op == "avg_pool2d":
            extra["count_include_pad"] = bool(a.get("count_include_pad", 0))
        y = getattr(self.g, op)(x, k, strides, pads, **extra)
        if one_d:
            y = self.g.reshape(y, [y.shape[0], y.shape[1], y.shape[3]])
        return [y]

    def op_MaxPool(self, node, a):
        if len(node.output) > 1 and node.output[1]:
            raise _Node(node).error("the indices output is not supported")
        return self._pool(node, a, "max_pool2d")

    def op_AveragePool(self, node, a):
        return self._pool(node, a, "avg_pool2d")

    def op_GlobalAveragePool(self, node, a):
        x = self.float_value(node, 0)
        return [self.g.reduce("mean", x, list(range(2, x.rank)),
                              keepdims=True)]

    def op_GlobalMaxPool(self, node, a):
        x = self.float_value(node, 0)
        return [self.g.reduce("max", x, list(range(2, x.rank)),
                              keepdims=True)]

    # --- normalization and dropout -----------------------------------------
    def op_BatchNormalization(self, node, a):
        x = self.float_value(node, 0)
        scale, bias = self.value(node, 1), self.value(node, 2)
        eps = a.get("epsilon", 1e-5)
        if self.opset >= 14:
            train = bool(a.get("training_mode", 0))
        else:
            train = any(node.output[1:])
        if not train:
            mean, var = self.value(node, 3), self.value(node, 4)
            return [self.g.batch_norm_inference(x, scale, bias, mean, var,
                                                eps)]
        self.needs_eval = True
        if not self.training:
            mean, var = self.value(node, 3), self.value(node, 4)
            return [self.g.batch_norm_inference(x, scale, bias, mean, var,
                                                eps)]
        y = self.g.batch_norm(x, scale, bias, eps)
        running = [self.lookup(n) for n in node.input[3:5]]
        if isinstance(running[0], np.ndarray) or isinstance(running[1],
                                                            np.ndarray):
            # Without buffers the running statistics are not tracked.
            self.untracked = True
            return [y]
        # ONNX's momentum weighs the running value; torch's the batch's.
        momentum = float(f"{1.0 - a.get('momentum', 0.9):.7g}")
        mean, var = self.g.batch_norm_running_stats(x, running[0],
                                                    running[1], momentum)
        for name, value in zip(node.input[3:5], (mean, var)):
            if self.arguments.get(name, ("",))[0] == "buffer":
                self.g.update_buffer(running[node.input[3:5].index(name)],
                                     value)
        return [y, mean, var]

    def op_LayerNormalization(self, node, a):
        x = self.float_value(node, 0)
        scale = self.float_value(node, 1)
        axis = a.get("axis", -1) % x.rank
        extra = []
        if any(node.output[1:]):
            # Mean and InvStdDev over the normalized axes (kept as 1s).
            axes = list(range(axis, x.rank))
            mean = self.g.reduce("mean", x, axes, keepdims=True)
            centered = self.g.sub(x, mean)
            squared = self.g.mul(centered, centered)
            var = self.g.reduce("mean", squared, axes, keepdims=True)
            shifted = self.g.add(var, self.scalar(a.get("epsilon", 1e-5)))
            extra = [mean, self.g.rsqrt(shifted)]
        if scale.rank != x.rank - axis:
            scale = self.g.broadcast_to(scale, list(x.shape[axis:]))
        if self.has(node, 2):
            bias = self.float_value(node, 2)
            if bias.rank != scale.rank:
                bias = self.g.broadcast_to(bias, list(x.shape[axis:]))
        else:
            bias = self.g.constant(np.zeros(x.shape[axis:], np.float32))
        return [self.g.layer_norm(x, scale, bias, a.get("epsilon", 1e-5))
                ] + extra

    def op_Dropout(self, node, a):
        x = self.float_value(node, 0)
        ratio = a.get("ratio", 0.5)
        if self.has(node, 1):
            ratio = float(self.const(node, 1, "ratio"))
        # Before opset 12 Dropout has no training flag: inference.
        train = (self.opset >= 12 and
                 bool(self.opt_const(node, 2, "training_mode", False)))
        mask_used = len(node.output) > 1 and node.output[1] and (
            any(node.output[1] in n.input for n in self.graph.node) or
            any(node.output[1] == o.name for o in self.graph.output))
        # Without dropping, the mask keeps everything.
        keep_all = np.ones(x.shape, np.bool_)
        if not train or ratio == 0.0:
            return [x, keep_all]
        self.needs_eval = True
        if not self.training:
            return [x, keep_all]
        if mask_used:
            raise _Node(node).error("the mask output of a training-mode "
                                    "Dropout is not supported")
        return [self.g.dropout(x, self.g.seed(), ratio)]

    # --- reductions and softmax --------------------------------------------
    def _axes(self, node, a, input_index):
        if "axes" in a:
            return list(a["axes"])
        return (None if not self.has(node, input_index) else
                [int(v) for v in self.const(node, input_index, "axes")])

    def _reduce(self, node, a, kind):
        x = self.float_value(node, 0)
        axes = self._axes(node, a, 1)
        if not axes:
            if a.get("noop_with_empty_axes", 0):
                return x
            axes = list(range(x.rank))
        axes = sorted(d % x.rank for d in axes)
        keep = bool(a.get("keepdims", 1))
        if kind == "min" and not _reduce_min_supported():
            negated = self.g.neg(x)
            top = self.g.reduce("max", negated, axes, keepdims=keep)
            return self.g.neg(top)
        return self.g.reduce(kind, x, axes, keepdims=keep)

    def op_ReduceMean(self, node, a):
        return [self._reduce(node, a, "mean")]

    def op_ReduceSum(self, node, a):
        return [self._reduce(node, a, "sum")]

    def op_ReduceMax(self, node, a):
        return [self._reduce(node, a, "max")]

    def op_ReduceMin(self, node, a):
        return [self._reduce(node, a, "min")]

    def _reduce_of(self, node, a, kind, before):
        inner = type(node)()
        inner.CopyFrom(node)
        x = self.float_value(node, 0)
        key = "__" + node.output[0] + "_inner"
        self.env[key] = before(x)
        inner.input[0] = key
        return self._reduce(inner, a, kind)

    def op_ReduceSumSquare(self, node, a):
        return [self._reduce_of(node, a, "sum", lambda x: self.g.mul(x, x))]

    def op_ReduceL1(self, node, a):
        return [self._reduce_of(node, a, "sum", self._abs)]

    def op_ReduceL2(self, node, a):
        s = self._reduce_of(node, a, "sum", lambda x: self.g.mul(x, x))
        return [self.g.sqrt(s)]

    def op_ReduceLogSum(self, node, a):
        return [self.g.log(self._reduce_of(node, a, "sum", lambda x: x))]

    def op_ReduceLogSumExp(self, node, a):
        s = self._reduce_of(node, a, "sum", self.g.exp)
        return [self.g.log(s)]

    def _softmax(self, node, a, op):
        x = self.float_value(node, 0)
        if self.opset >= 13:
            return [getattr(self.g, op)(x, a.get("axis", -1) % x.rank)]
        # Before opset 13 the input is coerced to 2-D at `axis`.
        axis = a.get("axis", 1) % x.rank
        flat = self.g.reshape(x, [math.prod(x.shape[:axis]), -1])
        y = getattr(self.g, op)(flat, 1)
        return [self.g.reshape(y, list(x.shape))]

    def op_Softmax(self, node, a):
        return self._softmax(node, a, "softmax")

    def op_LogSoftmax(self, node, a):
        return self._softmax(node, a, "log_softmax")

    # --- shapes and data movement ------------------------------------------
    def op_Shape(self, node, a):
        shape = np.array(self.lookup(node.input[0]).shape, np.int64)
        start, end = a.get("start", 0), a.get("end", None)
        return [shape[start:end]]

    def op_Size(self, node, a):
        return [np.array(math.prod(self.lookup(node.input[0]).shape),
                         np.int64)]

    def op_Constant(self, node, a):
        return [_constant_value(node, a)]

    def op_Flatten(self, node, a):
        x = self.value(node, 0)
        axis = a.get("axis", 1) % max(x.rank, 1) if x.rank else 0
        return [self.g.reshape(x, [math.prod(x.shape[:axis]), -1])]

    def op_Reshape(self, node, a):
        x = self.value(node, 0)
        target = [int(d) for d in self.const(node, 1, "shape")]
        if not a.get("allowzero", 0):
            target = [x.shape[i] if d == 0 else d
                      for i, d in enumerate(target)]
        return [self._keep_mask(node, self.g.reshape(x, target))]

    def op_Transpose(self, node, a):
        x = self.value(node, 0)
        perm = a.get("perm", list(reversed(range(x.rank))))
        return [self._keep_mask(node, self.g.transpose(x, list(perm)))]

    def op_Concat(self, node, a):
        xs = [self.value(node, i) for i in range(len(node.input))
              if self.has(node, i)]
        axis = a["axis"] % xs[0].rank
        y = self.g.concat(xs, axis)
        if all(n in self.masks or self.is_const(n) for n in node.input
               if n):
            return [_Mask(y)]
        return [y]

    def op_Squeeze(self, node, a):
        x = self.value(node, 0)
        axes = self._axes(node, a, 1)
        axes = ({d % x.rank for d in axes} if axes else
                {i for i, d in enumerate(x.shape) if d == 1})
        for d in axes:
            if x.shape[d] != 1:
                raise _Node(node).error(f"axis {d} has size {x.shape[d]}, "
                                        "not 1")
        shape = [d for i, d in enumerate(x.shape) if i not in axes]
        return [self._keep_mask(node, self.g.reshape(x, shape))]

    def op_Unsqueeze(self, node, a):
        x = self.value(node, 0)
        axes = self._axes(node, a, 1)
        rank = x.rank + len(axes)
        axes = sorted(d % rank for d in axes)
        shape = list(x.shape)
        for d in axes:
            shape.insert(d, 1)
        return [self._keep_mask(node, self.g.reshape(x, shape))]

    def op_Expand(self, node, a):
        x = self.value(node, 0)
        target = [int(d) for d in self.const(node, 1, "shape")]
        shape = list(np.broadcast_shapes(tuple(x.shape), tuple(target)))
        if shape == list(x.shape):
            return [self._keep_mask(node, x)]
        return [self._keep_mask(node, self.g.broadcast_to(x, shape))]

    def _take(self, x, axis, indices):
        """x at `indices` (a 1-D list) along axis: one slice for a strided
        run, a gather when the build has it, else concatenated slices."""
        indices = [int(i) for i in indices]
        n = len(indices)
        rank = x.rank
        step = indices[1] - indices[0] if n > 1 else 1
        if step > 0 and indices == list(range(indices[0],
                                              indices[0] + step * n, step)):
            offsets = [0] * rank
            offsets[axis] = indices[0]
            sizes = list(x.shape)
            sizes[axis] = n
            strides = [1] * rank
            strides[axis] = step
            return self.g.slice(x, offsets, sizes, strides)
        if self.builder_has("gather"):
            index = self.g.constant(np.array(indices, np.int64))
            return self.g.gather(x, index, axis)
        pieces = [self._take(x, axis, [i]) for i in indices]
        return self.g.concat(pieces, axis)

    def op_Gather(self, node, a):
        x = self.value(node, 0)
        axis = a.get("axis", 0) % x.rank
        if self.is_const(node.input[1]):
            idx = self.env[node.input[1]].astype(np.int64)
            idx = np.where(idx < 0, idx + x.shape[axis], idx)
            if idx.ndim <= 1:
                taken = self._take(x, axis, idx.reshape(-1).tolist())
                if idx.ndim == 0:
                    shape = list(x.shape)
                    shape.pop(axis)
                    taken = self.g.reshape(taken, shape)
                return [self._keep_mask(node, taken)]
        indices = self.value(node, 1)
        if axis == 0 and x.rank == 2 and x.dtype == "f32":
            return [self.g.embedding(x, indices)]
        self.need(node, "gather", alternative="an embedding lookup (axis 0 "
                  "of a 2-D table) imports without it")
        return [self.g.gather(x, indices, axis)]

    def op_Slice(self, node, a):
        x = self.value(node, 0)
        if self.opset < 10:
            starts, ends = a["starts"], a["ends"]
            axes, steps = a.get("axes"), None
        else:
            starts = self.const(node, 1, "starts").tolist()
            ends = self.const(node, 2, "ends").tolist()
            axes = self.opt_const(node, 3, "axes")
            steps = self.opt_const(node, 4, "steps")
        axes = (list(range(len(starts))) if axes is None else
                [int(d) % x.rank for d in np.asarray(axes).tolist()])
        steps = [1] * len(starts) if steps is None else np.asarray(
            steps).tolist()
        offsets, sizes, strides = [0] * x.rank, list(x.shape), [1] * x.rank
        reversed_axes = []
        for axis, start, end, step in zip(axes, starts, ends, steps):
            dim = x.shape[axis]
            # ONNX clamps like Python's slice(), INT_MAX ends included.
            start = max(min(int(start), _INT_MAX), -_INT_MAX)
            end = max(min(int(end), _INT_MAX), -_INT_MAX)
            picked = range(*slice(start, end, int(step)).indices(dim))
            if len(picked) == 0:
                raise _Node(node).error("the slice is empty; hetc has no "
                                        "empty tensors")
            if step < 0:
                reversed_axes.append((axis, list(picked)))
                continue
            offsets[axis], sizes[axis] = picked.start, len(picked)
            strides[axis] = int(step)
        y = x
        if offsets != [0] * x.rank or sizes != list(x.shape) or \
                strides != [1] * x.rank:
            y = self.g.slice(x, offsets, sizes, strides)
        for axis, picked in reversed_axes:
            y = self._take(y, axis, picked)
        return [self._keep_mask(node, y)]

    def op_Split(self, node, a):
        x = self.value(node, 0)
        axis = a.get("axis", 0) % x.rank
        if "split" in a:
            sizes = list(a["split"])
        elif self.has(node, 1):
            sizes = [int(s) for s in self.const(node, 1, "split")]
        else:
            n = len(node.output)
            dim = x.shape[axis]
            chunk = -(-dim // n)
            sizes = [chunk] * (dim // chunk) + ([dim % chunk]
                                                if dim % chunk else [])
        if sum(sizes) != x.shape[axis] or len(sizes) != len(node.output):
            raise _Node(node).error(f"split sizes {sizes} do not divide "
                                    f"dimension {x.shape[axis]} into "
                                    f"{len(node.output)} outputs")
        outputs, offset = [], 0
        for size in sizes:
            offsets = [0] * x.rank
            offsets[axis] = offset
            shape = list(x.shape)
            shape[axis] = size
            outputs.append(self.g.slice(x, offsets, shape, [1] * x.rank))
            offset += size
        return outputs

    def op_Pad(self, node, a):
        x = self.float_value(node, 0)
        mode = _text(a.get("mode", "constant"))
        if self.opset < 11:
            pads, value = list(a["pads"]), a.get("value", 0.0)
        else:
            pads = [int(p) for p in self.const(node, 1, "pads")]
            value = self.opt_const(node, 2, "constant_value", 0.0)
            axes = self.opt_const(node, 3, "axes")
            if axes is not None:
                full = [0] * (2 * x.rank)
                for i, d in enumerate(int(v) % x.rank for v in axes):
                    full[d], full[x.rank + d] = pads[i], pads[len(axes) + i]
                pads = full
        if mode not in ("constant", "reflect", "edge"):
            raise _Node(node).error(f"mode '{mode}' is not supported",
                                    "constant, reflect and edge are")
        if any(p < 0 for p in pads):
            raise _Node(node).error("negative pads are not supported",
                                    "use Slice")
        if not any(pads):
            return [x]
        self.need(node, "pad")
        return [self.g.pad(x, padding=pads, mode=mode,
                           value=float(np.asarray(value).reshape(())))]

    def op_Resize(self, node, a):
        self.need(node, "upsample")
        x = self.float_value(node, 0)
        mode = _text(a.get("mode", "nearest"))
        coords = _text(a.get("coordinate_transformation_mode", "half_pixel"))
        nearest = _text(a.get("nearest_mode", "round_prefer_floor"))
        for unsupported in ("antialias", "axes", "keep_aspect_ratio_policy"):
            if a.get(unsupported) not in (None, 0, "stretch", b"stretch"):
                raise _Node(node).error(f"{unsupported} is not supported")
        if x.rank != 4:
            raise _Node(node).error("only 4-D (N, C, H, W) inputs are "
                                    "supported")
        scales = self.opt_const(node, 2, "scales")
        sizes = self.opt_const(node, 3, "sizes")
        if sizes is not None and sizes.size:
            out = [int(s) for s in sizes]
        elif scales is not None and scales.size:
            out = []
            for dim, s in zip(x.shape, scales.tolist()):
                size = dim * s
                if abs(size - round(size)) > 1e-6:
                    raise _Node(node).error(
                        f"scale {s} does not give a whole size from {dim}",
                        "pass sizes instead of scales")
                out.append(int(round(size)))
        else:
            raise _Node(node).error("neither scales nor sizes is given")
        if out[:2] != list(x.shape[:2]):
            raise _Node(node).error("only the spatial dimensions may be "
                                    "resized")
        if mode == "nearest":
            if coords != "asymmetric" or nearest != "floor":
                raise _Node(node).error(
                    f"nearest with coordinate_transformation_mode '{coords}'"
                    f" and nearest_mode '{nearest}' is not supported",
                    "torch's nearest (asymmetric, floor) is")
            return [self.g.upsample(x, size=out[2:], mode="nearest")]
        if mode == "linear":
            if coords == "align_corners":
                corners = True
            elif coords == "half_pixel" or (coords == "pytorch_half_pixel"
                                            and min(out[2:]) > 1):
                corners = False
            else:
                raise _Node(node).error(
                    f"linear with coordinate_transformation_mode '{coords}' "
                    "is not supported", "half_pixel and align_corners are")
            return [self.g.upsample(x, size=out[2:], mode="bilinear",
                                    align_corners=corners)]
        raise _Node(node).error(f"mode '{mode}' is not supported",
                                "nearest and linear are")

    # --- recurrent layers --------------------------------------------------
    def _rnn_inputs(self, node, a, gates):
        for name in ("clip", "activation_alpha", "activation_beta"):
            if name in a:
                raise _Node(node).error(f"{name} is not supported")
        if self.has(node, 4):
            raise _Node(node).error("sequence_lens is not supported",
                                    "pad sequences to the same length")
        x = self.float_value(node, 0)
        if a.get("layout", 0):
            x = self.g.transpose(x, [1, 0, 2])
        w, r = self.float_value(node, 1), self.float_value(node, 2)
        hidden = a.get("hidden_size", r.shape[-1])
        directions = w.shape[0]
        bias = self.float_value(node, 3) if self.has(node, 3) else None
        return x, w, r, bias, hidden, directions

    def _direction(self, node, t, i):
        """Slice [i] of a [num_directions, ...] tensor, squeezed."""
        sliced = self._take(t, 0, [i])
        return self.g.reshape(sliced, list(t.shape[1:]))

    def _time_step(self, xw, t):
        """Row t of the [seq, batch, k] input projection."""
        step = self._take(xw, 0, [t])
        return self.g.reshape(step, list(xw.shape[1:]))

    def _gate(self, v, index, hidden):
        return self._take(v, v.rank - 1, list(range(index * hidden,
                                                    (index + 1) * hidden)))

    def _initial(self, node, i, direction, batch, hidden):
        if self.has(node, i):
            return self._direction(node, self.float_value(node, i), direction)
        return self.g.constant(np.zeros((batch, hidden), np.float32))

    def _rnn_outputs(self, node, a, per_direction):
        """Y [seq, dirs, batch, hidden] and the final states."""
        g = self.g
        ys, finals = [], []
        for hs, last in per_direction:
            steps = [g.reshape(h, [1, 1] + list(h.shape)) for h in hs]
            ys.append(g.concat(steps, 0) if len(steps) > 1 else steps[0])
            finals.append([g.reshape(s, [1] + list(s.shape)) for s in last])
        y = ys[0] if len(ys) == 1 else g.concat(ys, 1)
        if a.get("layout", 0):
            y = g.transpose(y, [2, 0, 1, 3])
        outs = [y]
        for k in range(len(finals[0])):
            state = [f[k] for f in finals]
            s = state[0] if len(state) == 1 else g.concat(state, 0)
            if a.get("layout", 0):
                s = g.transpose(s, [1, 0, 2])
            outs.append(s)
        return outs

    def _activations(self, node, a, defaults):
        names = [_text(n) for n in a.get("activations", [])] or defaults
        table = {"Sigmoid": self.g.sigmoid, "Tanh": self.g.tanh,
                 "Relu": self.g.relu}
        for n in names:
            if n not in table:
                raise _Node(node).error(f"activation '{n}' is not supported",
                                        "Sigmoid, Tanh and Relu are")
        return [table[n] for n in names]

    def _directions(self, a, directions):
        kind = _text(a.get("direction", "forward"))
        return ["reverse"] if kind == "reverse" else (
            ["forward", "reverse"][:directions])

    def op_LSTM(self, node, a):
        if self.has(node, 7):
            raise _Node(node).error("peephole weights (P) are not supported")
        if a.get("input_forget", 0):
            raise _Node(node).error("input_forget is not supported")
        x, w, r, bias, hidden, dirs = self._rnn_inputs(node, a, 4)
        acts = self._activations(node, a, ["Sigmoid", "Tanh", "Tanh"] * dirs)
        g = self.g
        seq, batch = x.shape[0], x.shape[1]
        per_direction = []
        for d, kind in enumerate(self._directions(a, dirs)):
            f, gact, hact = acts[3 * d:3 * d + 3]
            wd, rd = self._direction(node, w, d), self._direction(node, r, d)
            xw = g.matmul(x, wd, transpose_rhs=True)     # [seq, batch, 4H]
            if bias is not None:
                bd = self._direction(node, bias, d)
                wb = self._take(bd, 0, list(range(4 * hidden)))
                rb = self._take(bd, 0, list(range(4 * hidden, 8 * hidden)))
                b = g.add(wb, rb)
                xw = g.add(xw, b)
            h = self._initial(node, 5, d, batch, hidden)
            c = self._initial(node, 6, d, batch, hidden)
            order = range(seq) if kind == "forward" else reversed(range(seq))
            hs = {}
            for t in order:
                xt = self._time_step(xw, t)
                hr = g.matmul(h, rd, transpose_rhs=True)
                gates = g.add(xt, hr)
                # ONNX gate order: input, output, forget, cell.
                i_gate = f(self._gate(gates, 0, hidden))
                o_gate = f(self._gate(gates, 1, hidden))
                f_gate = f(self._gate(gates, 2, hidden))
                c_new = gact(self._gate(gates, 3, hidden))
                kept = g.mul(f_gate, c)
                added = g.mul(i_gate, c_new)
                c = g.add(kept, added)
                hc = hact(c)
                h = g.mul(o_gate, hc)
                hs[t] = h
            per_direction.append(([hs[t] for t in range(seq)], [h, c]))
        return self._rnn_outputs(node, a, per_direction)

    def op_GRU(self, node, a):
        x, w, r, bias, hidden, dirs = self._rnn_inputs(node, a, 3)
        acts = self._activations(node, a, ["Sigmoid", "Tanh"] * dirs)
        before_reset = a.get("linear_before_reset", 0)
        g = self.g
        seq, batch = x.shape[0], x.shape[1]
        per_direction = []
        for d, kind in enumerate(self._directions(a, dirs)):
            f, gact = acts[2 * d:2 * d + 2]
            wd, rd = self._direction(node, w, d), self._direction(node, r, d)
            xw = g.matmul(x, wd, transpose_rhs=True)     # [seq, batch, 3H]
            rb = None
            if bias is not None:
                bd = self._direction(node, bias, d)
                wb = self._take(bd, 0, list(range(3 * hidden)))
                rb = self._take(bd, 0, list(range(3 * hidden, 6 * hidden)))
                xw = g.add(xw, wb)
            h = self._initial(node, 5, d, batch, hidden)
            order = range(seq) if kind == "forward" else reversed(range(seq))
            hs = {}
            # ONNX gate order: update (z), reset (r), hidden (h).
            r_zr = self._take(rd, 0, list(range(2 * hidden)))
            r_h = self._take(rd, 0, list(range(2 * hidden, 3 * hidden)))
            rb_zr = rb_h = None
            if rb is not None:
                rb_zr = self._take(rb, 0, list(range(2 * hidden)))
                rb_h = self._take(rb, 0, list(range(2 * hidden, 3 * hidden)))
            for t in order:
                xt = self._time_step(xw, t)
                hr = g.matmul(h, r_zr, transpose_rhs=True)
                if rb_zr is not None:
                    hr = g.add(hr, rb_zr)
                x_zr = self._gate(xt, 0, 2 * hidden)
                zr = g.add(x_zr, hr)
                z = f(self._gate(zr, 0, hidden))
                reset = f(self._gate(zr, 1, hidden))
                x_h = self._gate(xt, 2, hidden)
                if before_reset:
                    hh = g.matmul(h, r_h, transpose_rhs=True)
                    if rb_h is not None:
                        hh = g.add(hh, rb_h)
                    gated = g.mul(reset, hh)
                else:
                    rh = g.mul(reset, h)
                    gated = g.matmul(rh, r_h, transpose_rhs=True)
                    if rb_h is not None:
                        gated = g.add(gated, rb_h)
                candidate = gact(g.add(x_h, gated))
                # h = (1 - z) * candidate + z * h
                one_minus = g.sub(self.scalar(1.0), z)
                new = g.mul(one_minus, candidate)
                old = g.mul(z, h)
                h = g.add(new, old)
                hs[t] = h
            per_direction.append(([hs[t] for t in range(seq)], [h]))
        return self._rnn_outputs(node, a, per_direction)


def _find_gelu(graph):
    """torch exports exact GELU as x * 0.5 * (1 + erf(x / sqrt(2))) (in
    either operand order): {index of the last Mul: x}, and the indices of
    the nodes it replaces, so that it imports as one hetc.gelu."""
    from onnx import numpy_helper
    producers, consumers, constants = {}, {}, {}
    for init in graph.initializer:
        constants[init.name] = init
    for i, node in enumerate(graph.node):
        for o in node.output:
            producers[o] = i
        for n in node.input:
            consumers.setdefault(n, []).append(i)
        if node.op_type == "Constant" and node.attribute and \
                node.attribute[0].name == "value":
            constants[node.output[0]] = node.attribute[0].t
    outputs = {o.name for o in graph.output}

    def scalar(name):
        if name not in constants:
            return None
        v = numpy_helper.to_array(constants[name])
        return float(v.reshape(-1)[0]) if v.size == 1 else None

    def only_use(name):
        uses = consumers.get(name, [])
        return uses[0] if len(uses) == 1 and name not in outputs else None

    def other(node, name):
        return node.input[1] if node.input[0] == name else node.input[0]

    fused, skipped = {}, set()
    nodes = graph.node
    for i, erf in enumerate(nodes):
        if erf.op_type != "Erf" or erf.input[0] not in producers:
            continue
        div = nodes[producers[erf.input[0]]]
        if div.op_type != "Div" or abs((scalar(div.input[1]) or 0) -
                                       math.sqrt(2)) > 1e-6:
            continue
        x = div.input[0]
        add = only_use(erf.output[0])
        if add is None or nodes[add].op_type != "Add" or \
                scalar(other(nodes[add], erf.output[0])) != 1.0:
            continue
        first = only_use(nodes[add].output[0])
        if first is None or nodes[first].op_type != "Mul" or \
                other(nodes[first], nodes[add].output[0]) != x:
            continue
        last = only_use(nodes[first].output[0])
        if last is None or nodes[last].op_type != "Mul" or \
                scalar(other(nodes[last], nodes[first].output[0])) != 0.5:
            continue
        fused[last] = x
        skipped.update({i, add, first})
        if only_use(div.output[0]) == i:
            skipped.add(producers[erf.input[0]])
    return fused, skipped


class _Mask:
    """A handler's result that is an ONNX bool tensor (a 0/1 float mask)."""

    def __init__(self, value):
        self.value = value


class _NoFold(Exception):
    """The numpy evaluation does not apply; convert the node instead."""


def _constant_value(node, a):
    from onnx import numpy_helper
    if "value" in a:
        return numpy_helper.to_array(a["value"])
    if "value_float" in a:
        return np.array(a["value_float"], np.float32)
    if "value_floats" in a:
        return np.array(a["value_floats"], np.float32)
    if "value_int" in a:
        return np.array(a["value_int"], np.int64)
    if "value_ints" in a:
        return np.array(a["value_ints"], np.int64)
    raise _Node(node).error(f"attribute {sorted(a)} is not supported",
                            "tensors, floats and ints are")


def _fold_slice(imp, node, a, x):
    if imp.opset < 10:
        starts, ends, axes, steps = a["starts"], a["ends"], a.get("axes"), None
    else:
        starts, ends = x[1].tolist(), x[2].tolist()
        axes = x[3].tolist() if len(x) > 3 and x[3] is not None else None
        steps = x[4].tolist() if len(x) > 4 and x[4] is not None else None
    data = x[0]
    axes = list(range(len(starts))) if axes is None else axes
    steps = steps or [1] * len(starts)
    index = [slice(None)] * data.ndim
    for axis, s, e, st in zip(axes, starts, ends, steps):
        s = max(min(int(s), _INT_MAX), -_INT_MAX)
        e = max(min(int(e), _INT_MAX), -_INT_MAX)
        index[axis] = slice(s, e, int(st))
    return [data[tuple(index)]]


def _fold_axes(imp, a, x, i):
    if "axes" in a:
        return list(a["axes"])
    return x[i].tolist() if len(x) > i and x[i] is not None else None


def _fold_unsqueeze(imp, node, a, x):
    axes = _fold_axes(imp, a, x, 1)
    rank = x[0].ndim + len(axes)
    out = x[0]
    for d in sorted(d % rank for d in axes):
        out = np.expand_dims(out, d)
    return [out]


def _fold_squeeze(imp, node, a, x):
    axes = _fold_axes(imp, a, x, 1)
    return [np.squeeze(x[0], axis=None if not axes else tuple(axes))]


def _fold_reshape(imp, node, a, x):
    shape = [int(d) for d in x[1]]
    if not a.get("allowzero", 0):
        shape = [x[0].shape[i] if d == 0 else d for i, d in enumerate(shape)]
    return [x[0].reshape(shape)]


def _fold_cast(imp, node, a, x):
    if a["to"] not in _NUMPY:
        raise _NoFold()
    return [x[0].astype(_NUMPY[a["to"]])]


def _fold_gather(imp, node, a, x):
    return [np.take(x[0], x[1].astype(np.int64), axis=a.get("axis", 0))]


def _fold_constant_of_shape(imp, node, a, x):
    from onnx import numpy_helper
    value = (numpy_helper.to_array(a["value"]) if "value" in a else
             np.zeros(1, np.float32))
    return [np.full([int(d) for d in x[0]], value.reshape(-1)[0],
                    value.dtype)]


def _fold_reduce(fn):
    def fold(imp, node, a, x):
        axes = _fold_axes(imp, a, x, 1)
        if not axes and a.get("noop_with_empty_axes", 0):
            return [x[0]]
        axes = None if not axes else tuple(axes)
        return [fn(x[0], axis=axes, keepdims=bool(a.get("keepdims", 1)))]
    return fold


def _same_type(fn):
    """Elementwise numpy arithmetic that keeps the operands' ONNX type
    (numpy would promote int32 with a 0-d int64, say)."""
    def fold(imp, node, a, x):
        result = fn(*x)
        return [np.asarray(result).astype(x[0].dtype)]
    return fold


def _int_div(a, b):
    if a.dtype.kind in "iu":
        return np.trunc(a / b)
    return a / b


def _fold_split(imp, node, a, x):
    axis = a.get("axis", 0)
    if "split" in a:
        sizes = list(a["split"])
    elif len(x) > 1 and x[1] is not None:
        sizes = x[1].tolist()
    else:
        n = len(node.output)
        sizes = [x[0].shape[axis] // n] * n
    return np.split(x[0], np.cumsum(sizes)[:-1], axis=axis)


_FOLD = {
    "Constant": lambda imp, node, a, x: [_constant_value(node, a)],
    "Identity": lambda imp, node, a, x: [x[0]],
    "Add": _same_type(np.add), "Sub": _same_type(np.subtract),
    "Mul": _same_type(np.multiply), "Div": _same_type(_int_div),
    "Neg": _same_type(np.negative), "Abs": _same_type(np.abs),
    "Sqrt": _same_type(np.sqrt), "Exp": _same_type(np.exp),
    "Log": _same_type(np.log), "Floor": _same_type(np.floor),
    "Ceil": _same_type(np.ceil), "Reciprocal": _same_type(np.reciprocal),
    "Max": _same_type(lambda *v: np.maximum.reduce(np.broadcast_arrays(*v))),
    "Min": _same_type(lambda *v: np.minimum.reduce(np.broadcast_arrays(*v))),
    "Pow": lambda imp, node, a, x: [np.power(x[0], x[1]).astype(x[0].dtype)],
    "Equal": lambda imp, node, a, x: [np.equal(x[0], x[1])],
    "Greater": lambda imp, node, a, x: [np.greater(x[0], x[1])],
    "Less": lambda imp, node, a, x: [np.less(x[0], x[1])],
    "GreaterOrEqual": lambda imp, node, a, x: [np.greater_equal(x[0], x[1])],
    "LessOrEqual": lambda imp, node, a, x: [np.less_equal(x[0], x[1])],
    "Not": lambda imp, node, a, x: [np.logical_not(x[0])],
    "And": lambda imp, node, a, x: [np.logical_and(x[0], x[1])],
    "Or": lambda imp, node, a, x: [np.logical_or(x[0], x[1])],
    "Where": lambda imp, node, a, x: [np.where(x[0], x[1], x[2])],
    "Cast": _fold_cast,
    "Shape": lambda imp, node, a, x: [np.array(x[0].shape, np.int64)[
        a.get("start", 0):a.get("end", None)]],
    "Size": lambda imp, node, a, x: [np.array(x[0].size, np.int64)],
    "Gather": _fold_gather,
    "Unsqueeze": _fold_unsqueeze, "Squeeze": _fold_squeeze,
    "Reshape": _fold_reshape,
    "Concat": lambda imp, node, a, x: [np.concatenate(
        [v for v in x if v is not None], axis=a["axis"])],
    "Slice": _fold_slice, "Split": _fold_split,
    "Transpose": lambda imp, node, a, x: [np.transpose(x[0], a.get("perm"))],
    "Expand": lambda imp, node, a, x: [x[0] * np.ones(
        [int(d) for d in x[1]], x[0].dtype)],
    "ConstantOfShape": _fold_constant_of_shape,
    "Range": lambda imp, node, a, x: [np.arange(
        x[0].reshape(()), x[1].reshape(()), x[2].reshape(())).astype(
        x[0].dtype)],
    "ReduceSum": _fold_reduce(np.sum), "ReduceMean": _fold_reduce(np.mean),
    "ReduceMax": _fold_reduce(np.max), "ReduceMin": _fold_reduce(np.min),
    "ReduceProd": _fold_reduce(np.prod),
}

# Extra advice for ops hetc does not import.
_ALTERNATIVES = {
    "Einsum": "; rewrite the einsum as matmul/transpose",
    "Tile": "; use expand (broadcast) instead of repeat where possible",
    "Upsample": "; export at opset >= 11 (Resize)",
    "InstanceNormalization": "; use GroupNorm/LayerNorm or BatchNorm",
    "Loop": "; unroll the loop in the model (static trip count)",
    "If": "; remove data-dependent control flow from the model",
}


def _looks_eval_exported(model):
    graph = model.graph
    reasons = []
    opset = next((o.version for o in model.opset_import
                  if o.domain in ("", "ai.onnx")), 13)
    for node in graph.node:
        if node.op_type != "BatchNormalization":
            continue
        a = _attrs(node)
        train = (a.get("training_mode", 0) if opset >= 14
                 else any(node.output[1:]))
        if not train:
            reasons.append("BatchNormalization in inference mode")
            break
    if any(re.fullmatch(r"onnx::Conv_\d+", i.name)
           for i in graph.initializer):
        reasons.append("convolution weights named onnx::Conv_NN (BatchNorm "
                       "folded into them by constant folding)")
    return reasons


_BUFFERS = []


def _buffers_supported():
    """Whether this build's dialect accepts buffer arguments (session state
    that is not trained); asked once, by building a one-buffer model."""
    if not _BUFFERS:
        from ._hetc import BuildError
        g = Graph("probe")
        with g.location("<probe>", 0):
            try:
                g.buffer("b", [1])
                g.end_function([g.scalar(0.0)])
                _BUFFERS.append(True)
            except BuildError:
                _BUFFERS.append(False)
    return _BUFFERS[0]


def _reduce_min_supported():
    """Whether this build's reduce takes "min" (else min is -max(-x))."""
    if not _REDUCE_MIN:
        from ._hetc import BuildError
        g = Graph("probe")
        with g.location("<probe>", 0):
            try:
                g.reduce("min", g.constant(np.zeros(2, np.float32)), [0])
                _REDUCE_MIN.append(True)
            except BuildError:
                _REDUCE_MIN.append(False)
    return _REDUCE_MIN[0]


_REDUCE_MIN = []


def import_onnx(path_or_bytes, loss="cross_entropy", batch=None, frozen=(),
                buffers=None):
    """Imports an ONNX model; returns an ImportedModel, which unpacks as
    (hetc MLIR text, {parameter name: initial value}).

    loss: "cross_entropy", "mse", or None (an inference model, loss 0).
    batch: fixes a symbolic leading dimension.
    frozen: initializer names that are not trained (torch parameters with
    requires_grad=False); they become buffers.
    buffers: False keeps BatchNorm running statistics and frozen weights
    out of the session (running statistics are then not tracked, frozen
    weights are constants, and no eval-mode function is built); None (the
    default) uses buffers where this build supports them.
    """
    import onnx
    try:
        if isinstance(path_or_bytes, (bytes, bytearray)):
            model = onnx.load_from_string(bytes(path_or_bytes))
        elif isinstance(path_or_bytes, onnx.ModelProto):
            model = path_or_bytes
        else:
            model = onnx.load(str(path_or_bytes))
        onnx.checker.check_model(model)
    except Exception as error:  # onnx raises several unrelated types
        raise ImportError_(f"malformed ONNX model: {error}") from None
    losses = {"cross_entropy": nn.CrossEntropyLoss(), "mse": nn.MSELoss(),
              None: None}
    if loss not in losses:
        raise ImportError_(f"unknown loss '{loss}' (cross_entropy, mse or "
                           "None)")
    reasons = _looks_eval_exported(model)
    if reasons:
        warnings.warn(
            "this ONNX model looks exported in eval mode ("
            + "; ".join(reasons) + "): it imports for inference, but "
            "training it keeps BatchNorm statistics fixed and has no "
            "dropout. To train, export with torch.onnx.export(..., "
            "training=torch.onnx.TrainingMode.TRAINING, "
            "do_constant_folding=False).", stacklevel=2)
    name = ("<bytes>" if isinstance(path_or_bytes, (bytes, bytearray))
            else "<model>" if isinstance(path_or_bytes, onnx.ModelProto)
            else str(path_or_bytes))
    if buffers is None:
        buffers = _buffers_supported()
    imported = _Importer(model, batch, name, frozen, buffers).run(
        losses[loss])
    if imported.untracked:
        warnings.warn(
            "BatchNormalization running statistics are not tracked (this "
            "hetc build has no buffers): training normalizes with batch "
            "statistics as torch does, but the running statistics keep "
            "their initial values and there is no eval-mode function.",
            stacklevel=2)
    return imported
