"""Every ```python snippet of README.md runs, so that none can rot.

Each snippet runs in a fresh namespace, in a temporary directory, after a
prelude that defines what the README leaves to the reader (the data, the
torch model, an ONNX file) at a small size. A snippet without a prelude
fails the test: a new snippet needs one here.
"""
import re
import sys
import textwrap

import pytest

import runtime
from conftest import REPO

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))

TORCH_MODEL = """
import numpy as np, torch
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(),
                            torch.nn.Linear(32, 10))
x, y = torch.randn(32, 64), torch.randint(0, 10, (32,))
loader = [(torch.randn(32, 64), torch.randint(0, 10, (32,)))
          for _ in range(3)]
"""

CNN_DATA = """
import numpy as np, torch
rng = np.random.default_rng(0)
x = rng.standard_normal((32, 1, 8, 8)).astype(np.float32)
labels = rng.integers(0, 10, 32).astype(np.int32)
torch_model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.BatchNorm2d(8),
    torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
    torch.nn.Linear(128, 10))
onnx_model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
torch.onnx.export(onnx_model, torch.zeros(32, 1, 8, 8), "model.onnx",
                  input_names=["x"], output_names=["logits"],
                  training=torch.onnx.TrainingMode.TRAINING,
                  do_constant_folding=False, opset_version=14)
"""

FIT_DATA = """
import numpy as np
import hetc
from hetc import nn, optim
rng = np.random.default_rng(0)
x_train = rng.standard_normal((64, 1, 8, 8)).astype(np.float32)
y_train = rng.integers(0, 10, 64).astype(np.int32)
x_val = rng.standard_normal((64, 1, 8, 8)).astype(np.float32)
y_val = rng.integers(0, 10, 64).astype(np.int32)
model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8),
                      nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(128, 10))
trainer = hetc.Trainer(model, (32, 1, 8, 8), nn.CrossEntropyLoss(),
                       optim.Adam(lr=0.01), target="cpu")
"""

# The prelude of each snippet, by a line that identifies it, and what the
# snippet must leave behind.
PRELUDES = [
    ("hetc.torch.compile(model", TORCH_MODEL,
     "assert isinstance(loss, float)"),
    ("nn.Sequential(nn.Conv2d", CNN_DATA,
     "assert y.shape == (32, 10) and trainer is not None"),
    ("trainer.fit(", FIT_DATA,
     "assert logits.shape == (32, 10) and len(history['val_accuracy']) "
     ">= 1 and abs(history['lr'][0] - 0.05 / 25) < 1e-9"),
]


def snippets():
    text = (REPO / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_every_snippet_has_a_prelude():
    for i, code in enumerate(snippets()):
        matches = [p for p in PRELUDES if p[0] in code]
        assert len(matches) == 1, (
            f"README.md python snippet {i} has {len(matches)} preludes in "
            "test_readme.py:\n" + code)


@pytest.mark.parametrize("key, prelude, check", PRELUDES,
                         ids=[p[0] for p in PRELUDES])
def test_snippet_runs(key, prelude, check, tmp_path, monkeypatch):
    code = [c for c in snippets() if key in c]
    assert len(code) == 1, f"no README snippet contains {key!r}"
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "readme"}
    exec(compile(textwrap.dedent(prelude), "<prelude>", "exec"), namespace)
    exec(compile(code[0], "README.md", "exec"), namespace)
    exec(check, namespace)
