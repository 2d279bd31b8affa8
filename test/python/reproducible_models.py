#!/usr/bin/python3
"""The models of the reproducible-mode tests (docs/reproducibility.md,
"Tests and measured overhead"), built through the frontends users use, a
command that trains them and writes what two runs compare.

    reproducible_models.py --target cpu --out DIR [--chip x86-64-v3]
                           [--models mlp_sgd,cnn] [--steps 20] [--mid 10]
                           [--default-mode]

Models (each compiled with reproducible=True unless --default-mode):
  mlp_sgd, mlp_adam  examples/mlp_digits.mlir through Trainer.from_mlir,
                     SGD with momentum / Adam with weight decay
  cnn                examples/train_cnn_digits.py's CNN (conv, BatchNorm,
                     max and average pooling) with a Dropout, hetc.nn
  transformer        a pre-norm transformer block (LayerNorm, causal
                     softmax attention, GELU MLP) and a linear head,
                     written in torch and compiled by hetc.torch, AdamW

For each model DIR/<model>.npz holds the losses of every step, the eval
entry's output after the last step and every state tensor; DIR/results.json
holds the state fingerprints after step `mid` and after the last step, the
artifact's chip and its reproducible flag. The thread count is the OpenMP
runtime's (OMP_NUM_THREADS), so a caller runs this in a subprocess per
setting. The frontends take no chip; --chip pins it on hetc.compile, which
every frontend calls to compile.
"""
import argparse
import functools
import json
import os
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
import runtime  # noqa: E402

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
from hetc import nn, optim  # noqa: E402

MODELS = ["mlp_sgd", "mlp_adam", "cnn", "transformer"]


def digits(batch, flat, seed=0):
    """Endless shuffled batches of scikit-learn's 8x8 digits, in [0, 1]."""
    from sklearn.datasets import load_digits
    data = load_digits()
    x = (data.images / 16.0).astype(np.float32)
    x = x.reshape(len(x), 64) if flat else x[:, None, :, :]
    y = data.target.astype(np.int32)
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch + 1, batch):
            rows = order[start:start + batch]
            yield x[rows], y[rows]


def mlp_trainer(target, reproducible, optimizer, seed=0):
    source = (REPO / "examples" / "mlp_digits.mlir").read_text()
    return hetc.Trainer.from_mlir(source, optimizer, target=target, seed=seed,
                                  reproducible=reproducible)


def cnn_model(channels=(8, 16), dropout=0.25, size=8):
    c1, c2 = channels
    flat = c2 * (size // 4) ** 2
    return nn.Sequential(
        nn.Conv2d(1, c1, 3, padding=1, bias=False), nn.BatchNorm2d(c1),
        nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(),
        nn.AvgPool2d(2), nn.Flatten(), nn.Dropout(dropout),
        nn.Linear(flat, 10))


def cnn_trainer(target, reproducible, batch=32, seed=0, **sizes):
    size = sizes.get("size", 8)
    return hetc.Trainer(cnn_model(**sizes), (batch, 1, size, size),
                        nn.CrossEntropyLoss(), optim.Adam(lr=0.01),
                        target=target, seed=seed, reproducible=reproducible)


def transformer_module(d=16, heads=2, seq=8, classes=5):
    """zoo.py's GPT block (hand-written causal attention with a mask
    buffer, LayerNorm, GELU MLP) and a per-token classifier."""
    import torch
    from zoo import GPTBlock

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.block = GPTBlock(d, heads, seq, torch_attention=False)
            self.head = torch.nn.Linear(d, classes)

        def forward(self, x):
            return self.head(self.block(x)).view(-1, classes)

    torch.manual_seed(0)
    return Block()


def transformer_batches(batch=4, d=16, seq=8, classes=5, seed=0):
    rng = np.random.default_rng(seed)
    while True:
        yield (rng.standard_normal((batch, seq, d)).astype(np.float32),
               rng.integers(0, classes, batch * seq).astype(np.int64))


def transformer_trainer(target, reproducible, batch=4, d=16, heads=2, seq=8,
                        classes=5):
    import torch
    import torch.nn.functional as F
    import hetc.torch
    module = transformer_module(d, heads, seq, classes)
    x, y = next(transformer_batches(batch, d, seq, classes))
    return hetc.torch.compile(
        module, F.cross_entropy,
        torch.optim.AdamW(module.parameters(), lr=0.01, weight_decay=0.01),
        example_inputs=torch.from_numpy(x), example_labels=torch.from_numpy(y),
        target=target, reproducible=reproducible)


def build(name, target, reproducible):
    """(trainer, batch iterator) of the named model."""
    if name == "mlp_sgd":
        return (mlp_trainer(target, reproducible,
                            optim.SGD(lr=0.05, momentum=0.9)),
                digits(32, flat=True))
    if name == "mlp_adam":
        return (mlp_trainer(target, reproducible,
                            optim.Adam(lr=0.01, weight_decay=0.01)),
                digits(32, flat=True))
    if name == "cnn":
        return cnn_trainer(target, reproducible), digits(32, flat=False)
    if name == "transformer":
        return transformer_trainer(target, reproducible), transformer_batches()
    raise ValueError(f"unknown model '{name}'; expected one of {MODELS}")


def train(name, target, steps, mid, reproducible=True):
    """Trains `steps` steps; returns (arrays, facts) as written to DIR."""
    trainer, batches = build(name, target, reproducible)
    losses, fingerprints = [], {}
    first = None
    for step in range(1, steps + 1):
        x, y = next(batches)
        first = first or (x, y)
        losses.append(trainer.step(x, y))
        if step in (mid, steps):
            fingerprints[str(step)] = trainer.fingerprint()
    _, output = trainer.evaluate(*first)
    session = trainer.session
    arrays = {"losses": np.array(losses, np.float32),
              "eval_output": np.asarray(output, np.float32)}
    arrays.update({f"state:{n}": session.get(n) for n in session.state_names})
    manifest = json.loads(trainer.artifact.manifest)
    facts = {"fingerprints": fingerprints, "chip": manifest.get("chip", ""),
             "cpu_features": manifest.get("cpu_features", []),
             "reproducible": getattr(trainer.artifact, "reproducible", None)}
    return arrays, facts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default="cpu")
    parser.add_argument("--chip", default="")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--mid", type=int, default=10)
    parser.add_argument("--default-mode", action="store_true")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.chip:
        hetc.compile = functools.partial(hetc.compile, chip=args.chip)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {"omp_num_threads": os.environ.get("OMP_NUM_THREADS")}
    for name in args.models.split(","):
        arrays, facts = train(name, args.target, args.steps, args.mid,
                              not args.default_mode)
        np.savez(out / f"{name}.npz", **arrays)
        results[name] = facts
    (out / "results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
