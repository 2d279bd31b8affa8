#!/usr/bin/python3
"""Imports a PyTorch model through ONNX and trains it with hetc, next to
PyTorch training the same model from the same weights.

    PYTHONPATH=build/python_packages /usr/bin/python3 examples/onnx_train.py
"""
import argparse
import tempfile

import numpy as np
import torch

import hetc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32),
        torch.nn.Tanh(), torch.nn.Linear(32, 4))
    with tempfile.NamedTemporaryFile(suffix=".onnx") as f:
        torch.onnx.export(model, torch.zeros(8, 16), f.name,
                          input_names=["features"],
                          training=torch.onnx.TrainingMode.TRAINING,
                          do_constant_folding=False)
        source, params = hetc.import_onnx(f.name, loss="cross_entropy")
    print(f"imported {len(params)} parameters from ONNX")
    trainer = hetc.Trainer.from_mlir(source, hetc.optim.Adam(lr=0.01),
                                     params=params)
    reference = torch.optim.Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((4, 16)).astype(np.float32) * 2
    for step in range(1, args.steps + 1):
        y = rng.integers(0, 4, 8).astype(np.int32)
        x = (centers[y] + rng.standard_normal((8, 16))).astype(np.float32)
        loss = trainer.step(x, y)
        reference.zero_grad()
        torch_loss = torch.nn.functional.cross_entropy(
            model(torch.tensor(x)), torch.tensor(y).long())
        torch_loss.backward()
        reference.step()
        if step % 5 == 0 or step == 1:
            print(f"step {step:3d}  hetc loss {loss:.6f}  "
                  f"torch loss {torch_loss.item():.6f}")
    diff = abs(loss - torch_loss.item())
    print(f"final loss difference: {diff:.2e}")
    if diff > 1e-3 * max(1.0, abs(loss)):
        raise SystemExit("hetc and PyTorch diverged")


if __name__ == "__main__":
    main()
