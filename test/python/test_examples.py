"""The Python examples run, on small settings, and do what they claim."""
import os
import subprocess
import sys

import runtime
from conftest import REPO


def run_example(name, *args):
    env = dict(os.environ,
               PYTHONPATH=str(runtime.build_dir() / "python_packages"))
    return subprocess.run([sys.executable, str(REPO / "examples" / name),
                           *args], capture_output=True, text=True, env=env,
                          timeout=600)


def test_cnn_on_digits_learns():
    result = run_example("train_cnn_digits.py", "--epochs", "3")
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("test accuracy: ")
    assert float(last.split()[-1].rstrip("%")) > 85.0


def test_onnx_model_trains_like_pytorch():
    result = run_example("onnx_train.py", "--steps", "10")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "imported 6 parameters from ONNX" in result.stdout
    assert "final loss difference" in result.stdout
