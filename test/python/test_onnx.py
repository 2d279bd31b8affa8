"""ONNX import: a PyTorch model exported with torch.onnx.export is imported,
compiled and trained by hetc, and matches training the same model in
PyTorch; malformed files and unsupported ops are reported by name."""
import subprocess
import sys

import numpy as np
import onnx
import pytest
import torch

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1, bias=False)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc1 = torch.nn.Linear(4 * 4 * 4, 16)
        self.fc2 = torch.nn.Linear(16, 5)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)
        x = torch.flatten(x, 1)
        return self.fc2(torch.tanh(self.fc1(x)))


def export(model, shape, path):
    model.train()
    torch.onnx.export(model, torch.zeros(shape), str(path),
                      input_names=["image"], output_names=["logits"],
                      training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False, opset_version=14)


def test_exported_model_trains_like_pytorch(tmp_path):
    torch.manual_seed(0)
    model = Net()
    path = tmp_path / "net.onnx"
    export(model, (8, 1, 8, 8), path)
    source, params = hetc.import_onnx(path, loss="cross_entropy")
    assert "hetc.conv2d" in source and "hetc.batch_norm" in source
    trainer = hetc.Trainer.from_mlir(source, hetc.optim.SGD(lr=0.05,
                                                            momentum=0.9),
                                     params=params)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(1)
    for step in range(10):
        x = rng.standard_normal((8, 1, 8, 8)).astype(np.float32)
        y = rng.integers(0, 5, 8).astype(np.int32)
        loss = trainer.step(x, y)
        optimizer.zero_grad()
        expected = torch.nn.functional.cross_entropy(
            model(torch.tensor(x)), torch.tensor(y).long())
        expected.backward()
        optimizer.step()
        assert loss == pytest.approx(expected.item(), rel=1e-4), step


def test_command_line_tool(tmp_path, tool):
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(),
                              torch.nn.Linear(8, 3), torch.nn.LogSoftmax(1))
    path = tmp_path / "mlp.onnx"
    export(mlp, (4, 6), path)
    out = tmp_path / "mlp.mlir"
    result = subprocess.run([tool("hetc-import-onnx"), str(path), "-o",
                             str(out), "--loss", "mse"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    params = np.load(out.with_suffix(".params.npz"))
    assert len(params.files) == 4
    check = subprocess.run([tool("hetc-opt"), "--hetc-verify-model",
                            str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_malformed_and_unsupported(tmp_path, tool):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"this is not protobuf")
    with pytest.raises(hetc.OnnxImportError, match="malformed ONNX model"):
        hetc.import_onnx(bad)
    result = subprocess.run([tool("hetc-import-onnx"), str(bad), "-o",
                             str(tmp_path / "x.mlir")], capture_output=True,
                            text=True)
    assert result.returncode == 1
    assert "malformed ONNX model" in result.stderr

    node = onnx.helper.make_node("Hardmax", ["x"], ["y"], name="hm_node")
    graph = onnx.helper.make_graph(
        [node], "g",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT,
                                            [2, 3])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT,
                                            [2, 3])])
    model = onnx.helper.make_model(graph, opset_imports=[
        onnx.helper.make_opsetid("", 14)])
    with pytest.raises(hetc.OnnxImportError,
                       match="unsupported ONNX op 'Hardmax' in node 'hm_node'"):
        hetc.import_onnx(model.SerializeToString(), loss="mse")
