#!/usr/bin/env python3
"""Converts scikit-learn's bundled 8x8 digits set into .npy files.

Pixels are scaled to [0, 1]; a fixed-seed shuffle splits 80% for training
and 20% for testing. Writes digits_{train,test}_{x,y}.npy (x: float32
[N, 64], y: int32 [N]) into the given folder.
"""
import pathlib
import sys

import numpy as np
from sklearn.datasets import load_digits


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: prepare_digits.py OUTPUT_DIR")
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(0).permutation(len(x))
    split = int(0.8 * len(x))
    train, test = order[:split], order[split:]
    np.save(out / "digits_train_x.npy", x[train])
    np.save(out / "digits_train_y.npy", y[train])
    np.save(out / "digits_test_x.npy", x[test])
    np.save(out / "digits_test_y.npy", y[test])
    print(f"digits: {len(train)} training and {len(test)} test images in {out}")


if __name__ == "__main__":
    main()
