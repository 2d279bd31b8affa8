#!/usr/bin/env python3
"""The cost of the reproducible mode (docs/reproducibility.md): the train
step compiled with reproducible=True against the default compilation of the
same model, on the cpu target (2 OpenMP threads) and on vulkan (lavapipe
here) where a device exists. Both trainers of a pair are stepped in turn on
the same batch, so load from elsewhere on the machine hits both alike; each
figure is the median step time.

Prints one `NAME: VALUE` line per figure, for each target and model:
  <target>_<model>_default_ms / <target>_<model>_reproducible_ms
                  milliseconds per train step (Trainer.step: batch in, loss
                  out)
  <target>_<model>_ratio
                  reproducible / default (the issue's aim: at most 1.3)

Models (the test models of test_reproducible.py, larger):
  mlp          bench/run.py's 784-1024-1024-10 ReLU MLP, B = 256, SGD
  cnn          the digits CNN (conv, BatchNorm, pooling, dropout) with 16
               and 32 channels on 1x16x16 images, B = 64, Adam
  transformer  the transformer block (d = 64, 4 heads, 32 tokens) of
               test_reproducible.py through hetc.torch, B = 8, AdamW

--smoke runs tiny versions with few steps (a check that the script works,
not a measurement).
"""
import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

import pathlib  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "test" / "python"))
import reproducible_models as models  # noqa: E402
import runtime  # noqa: E402
from reproducible_models import hetc, optim  # noqa: E402
from run import mlp_source  # noqa: E402

SIZES = {
    # name: (full, smoke)
    "mlp": ({"batch": 256, "sizes": [784, 1024, 1024, 10]},
            {"batch": 16, "sizes": [64, 32, 10]}),
    "cnn": ({"batch": 64, "channels": (16, 32), "size": 16},
            {"batch": 8, "channels": (4, 8), "size": 8}),
    "transformer": ({"batch": 8, "d": 64, "heads": 4, "seq": 32,
                     "classes": 10},
                    {"batch": 2, "d": 8, "heads": 2, "seq": 4, "classes": 3}),
}


def mlp(target, reproducible, batch, sizes):
    trainer = hetc.Trainer.from_mlir(mlp_source(batch, sizes),
                                     optim.SGD(lr=0.01), target=target,
                                     reproducible=reproducible)
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((batch, sizes[0])).astype(np.float32),
            rng.integers(0, sizes[-1], batch).astype(np.int32))
    return trainer, data


def cnn(target, reproducible, batch, channels, size):
    trainer = models.cnn_trainer(target, reproducible, batch=batch,
                                 channels=channels, size=size)
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((batch, 1, size, size)).astype(np.float32),
            rng.integers(0, 10, batch).astype(np.int32))
    return trainer, data


def transformer(target, reproducible, **sizes):
    trainer = models.transformer_trainer(target, reproducible, **sizes)
    data = next(models.transformer_batches(
        sizes["batch"], sizes["d"], sizes["seq"], sizes["classes"]))
    return trainer, data


BUILDERS = {"mlp": mlp, "cnn": cnn, "transformer": transformer}


def compare(target, name, smoke, repeats):
    """Median step times (default, reproducible) in seconds."""
    sizes = SIZES[name][1 if smoke else 0]
    pair = [BUILDERS[name](target, mode, **sizes) for mode in (False, True)]
    for (trainer, _), mode in zip(pair, (False, True)):
        if trainer.artifact.reproducible is not mode:
            raise SystemExit(f"{target} {name}: the artifact compiled with "
                             f"reproducible={mode} reports "
                             f"{trainer.artifact.reproducible}")
    samples = ([], [])
    for i in range(repeats + 2):        # the first two are warm-up
        for k, (trainer, (x, y)) in enumerate(pair):
            start = time.perf_counter()
            trainer.step(x, y)
            if i >= 2:
                samples[k].append(time.perf_counter() - start)
    return statistics.median(samples[0]), statistics.median(samples[1])


def cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--targets", default="cpu,vulkan")
    parser.add_argument("--models", default=",".join(BUILDERS))
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed steps per trainer (default 20 on cpu, "
                             "8 on a GPU; 2 with --smoke)")
    args = parser.parse_args()
    print(f"omp_num_threads: {os.environ['OMP_NUM_THREADS']}")
    print(f"cpu_model: {cpu_model()}")
    for target in args.targets.split(","):
        missing = target != "cpu" and runtime.device_unavailable(target)
        if missing:
            print(f"{target}: skipped ({missing})")
            continue
        print(f"{target}_device: {hetc.Device(target).description}")
        repeats = args.repeats or (2 if args.smoke else
                                   20 if target == "cpu" else 8)
        for name in args.models.split(","):
            default, exact = compare(target, name, args.smoke, repeats)
            key = f"{target}_{name}"
            print(f"{key}_default_ms: {default * 1e3:.2f}")
            print(f"{key}_reproducible_ms: {exact * 1e3:.2f}")
            print(f"{key}_ratio: {exact / default:.3f}", flush=True)


if __name__ == "__main__":
    main()
