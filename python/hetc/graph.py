"""Graph: builds a hetc model through the C++ graph builder.

Every op is created in C++ by the dialect's own builders; result shapes and
attribute checks come from the ops' type inference, never from Python. A
shape error raises hetc.BuildError naming the user's call site (the first
frame outside this package) or the location a frontend set (an ONNX node, a
torch module path).

    g = Graph()
    x = g.input("x", (32, 64))
    w = g.param("w", (10, 64), init="uniform", value=0.125)
    y = g.matmul(x, w, transpose_rhs=True)        # y.shape == (32, 10)
"""
import contextlib
import os
import sys

import numpy as np

from ._hetc import BuildError, GraphBuilder

__all__ = ["Graph", "Value"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

_DTYPES = {"f32": np.float32, "f16": np.float16, "i1": np.bool_,
           "i32": np.int32, "i64": np.int64}


class Value:
    """A value of the function being built: a handle plus its static type."""

    __slots__ = ("graph", "id", "shape", "dtype")

    def __init__(self, graph, id_):
        self.graph, self.id = graph, id_
        self.shape = tuple(graph._b.shape(id_))
        self.dtype = graph._b.element_type(id_)

    @property
    def rank(self):
        return len(self.shape)

    def __repr__(self):
        return f"Value({self.shape}, {self.dtype})"


def _unwrap(graph, v):
    if isinstance(v, Value):
        if v.graph is not graph:
            raise BuildError(f"{v!r} is not a value of this graph")
        return v.id
    if isinstance(v, (list, tuple)) and v and isinstance(v[0], Value):
        return [_unwrap(graph, x) for x in v]
    return v


def _user_frame():
    """(file, line) of the innermost caller outside the hetc package."""
    frame = sys._getframe(2)
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if not path.startswith(_PACKAGE_DIR + os.sep):
            return path, frame.f_lineno
        frame = frame.f_back
    return "<unknown>", 0


class Graph:
    """A module of hetc functions under construction.

    The op methods are the C++ builder's (hetc._hetc.GraphBuilder): pass
    Values and plain Python attributes, get Values back. A first function
    `name` is begun at construction.
    """

    def __init__(self, name="model"):
        self._b = GraphBuilder()
        self._pinned = None
        self.name = name
        self.seeds = 0
        self._b.begin_function(name)

    def seed(self):
        """A fresh dropout seed input; the trainer feeds a new one per step."""
        name = f"dropout_seed{self.seeds}"
        self.seeds += 1
        self._locate()
        return Value(self, self._b.input(name, [], "i64"))

    # --- locations -------------------------------------------------------
    @contextlib.contextmanager
    def location(self, file, line=0, scope=""):
        """Ops built inside carry this location instead of the call site."""
        previous = self._pinned
        self._pinned = (str(file), int(line), scope)
        try:
            yield
        finally:
            self._pinned = previous

    def _locate(self):
        if self._pinned is not None:
            file, line, scope = self._pinned
        else:
            (file, line), scope = _user_frame(), ""
        self._b.set_location(file, line, 0, scope)

    # --- functions -------------------------------------------------------
    def begin_function(self, name, eval_of=""):
        self._locate()
        self._b.begin_function(name, eval_of)

    def end_function(self, results):
        self._locate()
        self._b.end_function([_unwrap(self, r) for r in results])

    def update_buffer(self, buffer, value):
        self._locate()
        self._b.update_buffer(_unwrap(self, buffer), _unwrap(self, value))

    def constant(self, array):
        self._locate()
        return Value(self, self._b.constant(np.ascontiguousarray(array)))

    def mlir(self, locations=True):
        """The module's text in the hetc dialect (printed by C++)."""
        return self._b.print(locations)

    def __getattr__(self, op):
        if op.startswith("_") or op in ("shape", "element_type", "print",
                                        "set_location"):
            raise AttributeError(op)
        method = getattr(self._b, op)

        def call(*args, **kwargs):
            self._locate()
            result = method(*[_unwrap(self, a) for a in args],
                            **{k: _unwrap(self, v)
                               for k, v in kwargs.items()})
            if isinstance(result, list):
                return [Value(self, r) for r in result]
            return Value(self, result) if isinstance(result, int) else result

        call.__name__ = op
        return call
