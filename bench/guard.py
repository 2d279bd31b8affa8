#!/usr/bin/env python3
"""The cost of the optional step features, measured in one run on the same
2 threads: the train step of run.py's MLP (784-1024-1024-10, B = 256, SGD
with momentum) compiled plain, with --nan-guard and with --max-grad-norm.

Prints `NAME: VALUE` lines:
  plain_step_ms, guard_step_ms, clip_step_ms
  guard_ratio     guarded / plain step time
  clip_ratio      clipped / plain step time
"""
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run import mlp_source, runtime, timed  # noqa: E402


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="hetc-bench-guard-"))
    compile_bin = runtime.build_dir() / "bin" / "hetc-compile"
    source = work / "mlp.mlir"
    source.write_text(mlp_source(256, [784, 1024, 1024, 10]))
    variants = {"plain": [], "guard": ["--nan-guard"],
                "clip": ["--max-grad-norm=1.0"]}
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 784)).astype(np.float32)
    y = rng.integers(0, 10, 256).astype(np.int32)
    sessions = {}
    for name, flags in variants.items():
        out = work / f"{name}.hetc"
        subprocess.run([str(compile_bin), str(source), "--optimizer=sgd",
                        "--lr=0.01", "--momentum=0.9", *flags, "-o",
                        str(out)], check=True)
        sessions[name] = runtime.Session(out)
    # Interleaved rounds, so a load change hits every variant alike.
    samples = {name: [] for name in variants}
    for _ in range(5):
        for name, session in sessions.items():
            samples[name].append(
                timed(lambda: session.train_step(x=x, y=y), 5, warmup=1))
    step = {name: float(np.median(s)) for name, s in samples.items()}
    for name in variants:
        print(f"{name}_step_ms: {step[name] * 1e3:.2f}")
    print(f"guard_ratio: {step['guard'] / step['plain']:.3f}")
    print(f"clip_ratio: {step['clip'] / step['plain']:.3f}")


if __name__ == "__main__":
    main()
