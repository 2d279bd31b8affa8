"""ONNX importer behaviour beyond single ops: eval-mode exports (the
warning, and inference equal to torch's eval()), import-time folding of
shape subgraphs, parameter/constant/buffer decisions, and the errors for
attributes and modes hetc does not import."""
import io
import sys
import warnings

import numpy as np
import onnx
import onnx.numpy_helper
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


class DilatedCeilPools(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(2, 3, 3, padding=1)
        self.pool1 = torch.nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True)
        self.pool2 = torch.nn.AvgPool2d(2, 2, 1, ceil_mode=True,
                                        count_include_pad=False)
        self.fc = torch.nn.Linear(27, 4)

    def forward(self, x):
        x = self.pool2(self.pool1(torch.relu(self.conv(x))))
        return self.fc(torch.flatten(x, 1))


def test_dilated_and_ceil_mode_pools_import_exactly():
    # MaxPool dilations and ceil_mode used to be refused (a dilated pool
    # imported undilated would have been silently wrong); now they map to
    # hetc's own attributes and train like torch.
    torch.manual_seed(0)
    model = DilatedCeilPools()
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(2, 2, 11, 11), f,
                          training=torch.onnx.TrainingMode.TRAINING,
                          do_constant_folding=False, opset_version=14)
    imported = hetc.import_onnx(f.getvalue(), loss="cross_entropy")
    assert "dilation = array<i64: 2, 2>" in imported.source
    assert "ceil_mode" in imported.source
    trainer = hetc.Trainer.from_mlir(imported.source, hetc.optim.SGD(lr=0.1),
                                     params=imported.state)
    reference = torch.optim.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    for step in range(3):
        x = rng.standard_normal((2, 2, 11, 11)).astype(np.float32)
        y = rng.integers(0, 4, 2).astype(np.int32)
        loss = trainer.step(x, y)
        reference.zero_grad()
        expected = torch.nn.functional.cross_entropy(
            model(torch.tensor(x)), torch.tensor(y).long())
        expected.backward()
        reference.step()
        assert loss == pytest.approx(expected.item(), rel=1e-4), step
