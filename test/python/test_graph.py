"""hetc.graph: models are built by the C++ graph builder. Shapes come from
the ops' own type inference, errors name the user's call site (or the
location a frontend pins), and the Python package writes no MLIR text."""
import pathlib
import re
import sys

import numpy as np
import pytest

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
from hetc import nn, optim  # noqa: E402
from hetc.graph import Graph  # noqa: E402

THIS_FILE = pathlib.Path(__file__).resolve()


def line_of(marker):
    for number, text in enumerate(THIS_FILE.read_text().splitlines(), 1):
        if marker in text and "line_of" not in text:
            return number
    raise AssertionError(marker)


def test_shapes_come_from_inference():
    g = Graph()
    x = g.input("x", [4, 1, 8, 8])
    w = g.param("w", [6, 1, 3, 3], init="uniform", value=0.3)
    y = g.conv2d(x, w, padding=[1, 1, 1, 1], strides=[2, 2])
    assert y.shape == (4, 6, 4, 4) and y.dtype == "f32"
    z = g.reshape(y, [4, -1])
    assert z.shape == (4, 96)
    s = g.add(z, g.param("b", [96]))
    assert s.shape == (4, 96)
    assert g.reduce("max", s, [1], keepdims=True).shape == (4, 1)
    assert g.cast(g.input("ids", [3], "i64"), "i32").dtype == "i32"


def test_shape_error_names_the_call_site():
    g = Graph()
    x = g.input("x", [4, 8])
    w = g.param("w", [3, 7])
    with pytest.raises(hetc.BuildError) as error:
        g.matmul(x, w, transpose_rhs=True)  # bad-matmul
    message = str(error.value)
    assert message.startswith(f"{THIS_FILE}:{line_of('# bad-matmul')}:")
    assert "contraction dimensions differ" in message
    assert isinstance(error.value, ValueError)


def test_shape_error_inside_a_layer_names_the_model_line():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(),
                          nn.Linear(4 * 6 * 6, 3))
    with pytest.raises(ValueError):
        hetc.Trainer(model, (2, 2, 8, 8), nn.CrossEntropyLoss(),
                     optim.SGD(lr=0.1))
    g = Graph()
    x = g.input("x", [2, 3])
    with pytest.raises(hetc.BuildError) as error:
        nn.LayerNorm(4)(g, x)  # bad-layer-norm
    assert f":{line_of('# bad-layer-norm')}:" in str(error.value)


def test_pinned_location_and_scope():
    g = Graph()
    x = g.input("x", [5, 4])
    with g.location("model.onnx", 17, scope="layers.3.attn"):
        with pytest.raises(hetc.BuildError) as error:
            g.reshape(x, [3, -1])
    assert str(error.value).startswith("model.onnx:17:")
    assert "(in 'layers.3.attn')" in str(error.value)
    # The printed module keeps the locations for the compiler's errors.
    with g.location("model.onnx", 21, scope="head"):
        y = g.relu(x)
    g.end_function([g.reduce("sum", y, [0, 1]), y])
    text = g.mlir()
    assert '"model.onnx":21:0' in text and 'loc("head"' in text


def test_bad_values_are_errors_not_crashes():
    g = Graph()
    x = g.input("x", [2, 2])
    other = Graph()
    stranger = other.input("y", [2, 2])
    with pytest.raises(hetc.BuildError, match="not a value of this graph"):
        g.add(x, stranger)
    with pytest.raises(hetc.BuildError, match="negative dimension"):
        g.input("z", [2, -3])
    with pytest.raises(hetc.Error, match="unknown element type"):
        g.input("w", [2], "f64")
    with pytest.raises(hetc.BuildError, match="unknown comparison"):
        g.compare("bigger", x, x)
    with pytest.raises(hetc.BuildError, match="not a buffer"):
        g.update_buffer(x, x)
    with pytest.raises(hetc.Error, match="float32, float16, bool"):
        g.constant(np.zeros((2,), np.float64))
    assert g.constant(np.arange(6, dtype=np.int64).reshape(2, 3)).shape == \
        (2, 3)


def test_the_python_package_writes_no_mlir():
    package = runtime.build_dir() / "python_packages" / "hetc"
    mlir_text = re.compile(r"\bfunc\.func\b|tensor<|hetc\.[a-z_]+ %|"
                           r"#hetc\.init<|arith\.constant")
    offenders = [f"{p.name}:{n}" for p in sorted(package.glob("*.py"))
                 for n, line in enumerate(p.read_text().splitlines(), 1)
                 if mlir_text.search(line)]
    assert not offenders, offenders
