#!/usr/bin/python3
"""train_torch.py ported to hetc: the same model, data, DataLoader,
optimizer, OneCycleLR and clipping; the step runs compiled by hetc, on any
target. Compare with `diff -u train_torch.py train_hetc.py`.

    PYTHONPATH=build/python_packages /usr/bin/python3 \
        examples/port/train_hetc.py [--epochs N] [--dropout P] [--target T]
"""
import argparse
import json

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import hetc.torch


def make_model(dropout):
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(dropout),
        nn.Linear(8 * 4 * 4, 10))


def make_data():
    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32)[:, None]
    y = torch.tensor(digits.target, dtype=torch.int64)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    train, test = order[:1437], order[1437:]
    loader = DataLoader(TensorDataset(x[train], y[train]), batch_size=64,
                        shuffle=True,
                        generator=torch.Generator().manual_seed(1))
    val_loader = DataLoader(TensorDataset(x[test], y[test]), batch_size=128)
    return loader, val_loader


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--log", help="write the losses as JSON here")
    parser.add_argument("--target", default="cpu")
    args = parser.parse_args()
    loader, val_loader = make_data()
    model = make_model(args.dropout)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9,
                                weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.2, total_steps=args.epochs * len(loader))
    example_x, example_y = loader.dataset[:64]
    trainer = hetc.torch.compile(model, F.cross_entropy, optimizer,
                                 example_x, example_y, target=args.target,
                                 clip_grad_norm=1.0)
    log = {"train": [], "val": []}
    for epoch in range(args.epochs):
        trainer.train()
        for xb, yb in loader:
            loss = trainer.step(xb, yb)
            scheduler.step()
            log["train"].append(loss)
        trainer.eval()
        total, correct, count = 0.0, 0, 0
        with torch.no_grad():
            for xb, yb in val_loader:
                logits = trainer(xb)
                total += F.cross_entropy(logits, yb, reduction="sum").item()
                correct += (logits.argmax(1) == yb).sum().item()
                count += len(yb)
        log["val"].append([total / count, correct / count])
        print(f"epoch {epoch + 1}: train loss {np.mean(log['train'][-len(loader):]):.4f}"
              f"  val loss {total / count:.4f}  val accuracy {100 * correct / count:.1f}%")
    if args.log:
        with open(args.log, "w") as f:
            json.dump(log, f)


if __name__ == "__main__":
    main()
