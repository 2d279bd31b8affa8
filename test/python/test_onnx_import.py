"""ONNX importer behaviour beyond single ops: eval-mode exports (the
warning, and inference equal to torch's eval()), import-time folding of
shape subgraphs, parameter/constant/buffer decisions, and the errors for
attributes and modes hetc does not import."""
import io
import sys
import warnings

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper

import runtime
import zoo

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402


def _export_eval(model, x, **kwargs):
    f = io.BytesIO()
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.tensor(x), f, input_names=["x"],
                          opset_version=14, **kwargs)
    return f.getvalue()


@pytest.mark.parametrize("folding", [True, False])
def test_eval_export_warns_and_infers_like_torch_eval(folding):
    torch.manual_seed(0)
    model = zoo.ResNet()
    # Non-trivial running statistics, as after training.
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, 3, 8, 8))
    x = np.random.default_rng(0).standard_normal((4, 3, 8, 8)).astype(
        np.float32)
    data = _export_eval(model, x, do_constant_folding=folding)
    with pytest.warns(UserWarning, match="looks exported in eval mode.*"
                      "TrainingMode.TRAINING.*do_constant_folding=False"):
        imported = hetc.import_onnx(data, loss=None)
    artifact = hetc.compile(imported.source, eval_only=True)
    session = hetc.Session(artifact, hetc.Device("cpu"), 0)
    for name, value in imported.state.items():
        session.set(name, value)
    _, outputs = session.run("eval", x=x)
    with torch.no_grad():
        expected = model(torch.tensor(x)).numpy()
    np.testing.assert_allclose(outputs["output0"], expected, rtol=1e-4,
                               atol=1e-5)


def test_training_export_does_not_warn():
    torch.manual_seed(0)
    model = zoo.MobileNet()
    model.train()
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(4, 3, 8, 8), f,
                          training=torch.onnx.TrainingMode.TRAINING,
                          do_constant_folding=False, opset_version=14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        imported = hetc.import_onnx(f.getvalue())
    # Running statistics are buffers, updated by train_step; the weights
    # are parameters; the eval twin exists.
    assert "stem.1.running_mean" in imported.buffers
    assert "stem.0.weight" in imported.params
    assert "stem.1.running_mean" not in imported.params
    assert imported.eval_function == "model_eval"
    assert "hetc.eval_of" in imported.source


def test_shape_subgraphs_fold_at_import():
    """x.view(n, -1) after x.shape[0]: Shape -> Gather -> Unsqueeze ->
    Concat -> Reshape never reaches the graph; masks and constants that the
    loss does not differentiate through stay constants."""
    torch.manual_seed(0)
    entry = zoo.BY_NAME["gpt"]
    model = entry.make()
    model.train()
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(2, 8, dtype=torch.long), f,
                          training=torch.onnx.TrainingMode.TRAINING,
                          do_constant_folding=False, opset_version=13)
    ops = {n.op_type for n in onnx.load_from_string(f.getvalue()).graph.node}
    assert {"Constant", "Unsqueeze", "Concat", "Reshape"} <= ops
    imported = hetc.import_onnx(f.getvalue())
    source = imported.source
    for op in ("shape", "unsqueeze", "gather", "cast"):
        assert f"hetc.{op} " not in source
    assert "blocks.0.attn.mask" not in imported.params
    assert "blocks.0.attn.mask" not in imported.buffers
    assert "tok.weight" in imported.params and "pos" in imported.params
    assert "hetc.gelu" in source  # fused from x * 0.5 * (1 + erf(x/sqrt2))


def _model(nodes, inputs, outputs, initializers=(), opset=14):
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", opset)]).SerializeToString()


def _x(shape, name="x"):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _y():
    return helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])


ERRORS = [
    ("maxpool_dilations",
     lambda: _model([helper.make_node("MaxPool", ["x"], ["y"], name="mp",
                                      kernel_shape=[2, 2],
                                      dilations=[2, 2])],
                    [_x([1, 1, 6, 6])], [_y()]),
     r"node 'mp' \(MaxPool\): needs hetc's 'max_pool2d' with dilation"),
    ("maxpool_ceil_mode",
     lambda: _model([helper.make_node("MaxPool", ["x"], ["y"], name="mp",
                                      kernel_shape=[2, 2], strides=[2, 2],
                                      ceil_mode=1)],
                    [_x([1, 1, 5, 5])], [_y()]),
     r"node 'mp' \(MaxPool\): needs hetc's 'max_pool2d' with ceil_mode"),
    ("avgpool_ceil_mode",
     lambda: _model([helper.make_node("AveragePool", ["x"], ["y"],
                                      name="ap", kernel_shape=[2, 2],
                                      strides=[2, 2], ceil_mode=1)],
                    [_x([1, 1, 5, 5])], [_y()]),
     r"node 'ap' \(AveragePool\): needs hetc's 'avg_pool2d' with "
     "ceil_mode"),
    ("conv_auto_pad",
     lambda: _model([helper.make_node("Conv", ["x", "w"], ["y"], name="cv",
                                      auto_pad="SAME_EXPLICIT")],
                    [_x([1, 1, 5, 5])], [_y()],
                    [onnx.numpy_helper.from_array(
                        np.ones((1, 1, 3, 3), np.float32), "w")]),
     r"node 'cv' \(Conv\): auto_pad 'SAME_EXPLICIT' is not supported"),
    ("resize_cubic",
     lambda: _model([helper.make_node("Resize", ["x", "", "s"], ["y"],
                                      name="rs", mode="cubic")],
                    [_x([1, 1, 4, 4])], [_y()],
                    [onnx.numpy_helper.from_array(
                        np.array([1, 1, 2, 2], np.float32), "s")], 13),
     r"node 'rs' \(Resize\): (mode 'cubic' is not supported|needs hetc's "
     "'upsample')"),
    ("resize_nearest_half_pixel",
     lambda: _model([helper.make_node("Resize", ["x", "", "s"], ["y"],
                                      name="rs", mode="nearest")],
                    [_x([1, 1, 4, 4])], [_y()],
                    [onnx.numpy_helper.from_array(
                        np.array([1, 1, 2, 2], np.float32), "s")], 13),
     r"node 'rs' \(Resize\): (nearest with coordinate_transformation_mode "
     "'half_pixel'|needs hetc's 'upsample')"),
    ("pad_wrap",
     lambda: _model([helper.make_node("Pad", ["x", "p"], ["y"], name="pd",
                                      mode="wrap")],
                    [_x([1, 1, 4, 4])], [_y()],
                    [onnx.numpy_helper.from_array(
                        np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "p")],
                    13),
     r"node 'pd' \(Pad\): mode 'wrap' is not supported"),
    ("lstm_peepholes",
     lambda: _model([helper.make_node("LSTM", ["x", "w", "r", "", "", "",
                                               "", "p"], ["y"], name="ls",
                                      hidden_size=2)],
                    [_x([3, 1, 2])], [_y()],
                    [onnx.numpy_helper.from_array(
                        np.ones(s, np.float32), n) for n, s in
                     (("w", (1, 8, 2)), ("r", (1, 8, 2)), ("p", (1, 6)))]),
     r"node 'ls' \(LSTM\): peephole weights"),
    ("unsupported_op",
     lambda: _model([helper.make_node("Einsum", ["x", "x"], ["y"],
                                      name="es", equation="ij,ij->i")],
                    [_x([2, 2])], [_y()], opset=13),
     r"unsupported ONNX op 'Einsum' in node 'es'; rewrite the einsum"),
    ("runtime_reshape_target",
     lambda: _model([helper.make_node("Reshape", ["x", "s"], ["y"],
                                      name="rs")],
                    [_x([2, 2]), helper.make_tensor_value_info(
                        "s", TensorProto.INT64, [1])], [_y()]),
     r"node 'rs' \(Reshape\) needs its shape \('s'\) known at import "
     "time"),
]


@pytest.mark.parametrize("name,make,message", ERRORS,
                         ids=[e[0] for e in ERRORS])
def test_unsupported_attributes_are_errors(name, make, message):
    with pytest.raises(hetc.OnnxImportError, match=message):
        hetc.import_onnx(make(), loss="mse")
