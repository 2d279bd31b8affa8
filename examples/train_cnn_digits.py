#!/usr/bin/python3
"""Trains a small CNN on scikit-learn's 8x8 digits through the hetc Python
API: build the model with hetc.nn, compile its training step, train.

    PYTHONPATH=build/python_packages /usr/bin/python3 \
        examples/train_cnn_digits.py [--epochs N] [--target cpu]
"""
import argparse
import time

import numpy as np
from sklearn.datasets import load_digits

import hetc
from hetc import nn, optim

BATCH = 32


def batches(x, y, rng):
    order = rng.permutation(len(x))
    for start in range(0, len(x) - BATCH + 1, BATCH):
        rows = order[start:start + BATCH]
        yield x[rows], y[rows]


def accuracy(trainer, x, y):
    correct = 0
    # Pad the last batch with real rows and ignore the padding.
    for start in range(0, len(x), BATCH):
        rows = np.arange(start, start + BATCH) % len(x)
        _, logits = trainer.evaluate(x[rows], y[rows])
        n = min(BATCH, len(x) - start)
        correct += int((logits[:n].argmax(1) == y[rows][:n]).sum())
    return 100.0 * correct / len(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--target", default="cpu")
    args = parser.parse_args()

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(0).permutation(len(x))
    split = int(0.8 * len(x))
    train, test = order[:split], order[split:]

    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8),
        nn.ReLU(), nn.MaxPool2d(2),                       # 8 x 4 x 4
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
        nn.AvgPool2d(2),                                  # 16 x 2 x 2
        nn.Flatten(), nn.Linear(64, 10))
    start = time.perf_counter()
    trainer = hetc.Trainer(model, (BATCH, 1, 8, 8), nn.CrossEntropyLoss(),
                           optim.Adam(lr=0.01), target=args.target, seed=0)
    print(f"compiled for {args.target} in {time.perf_counter() - start:.2f} s")
    rng = np.random.default_rng(1)
    for epoch in range(1, args.epochs + 1):
        losses = [trainer.step(xb, yb)
                  for xb, yb in batches(x[train], y[train], rng)]
        print(f"epoch {epoch}/{args.epochs}  loss {np.mean(losses):.4f}  "
              f"test acc {accuracy(trainer, x[test], y[test]):.1f}%")
    print(f"test accuracy: {accuracy(trainer, x[test], y[test]):.1f}%")


if __name__ == "__main__":
    main()
