#!/usr/bin/env python3
"""Builds a self-contained bundle for running hetc on a CUDA machine that
has no LLVM/MLIR: the compiled cuda artifacts, the C runtime, its ctypes
wrapper, the runner (gpu_runner.py) and the expected results, computed here
by the CPU target.

    /usr/bin/python3 bench/gpu_bundle.py [--chip sm_90] [--out gpu-bundle]

then on the GPU machine:  cd gpu-bundle && python3 gpu_runner.py

Contents:
  cases/<op>.hetc, <op>.npz   every op of test/python/test_ops.py: inputs,
                              the CPU target's forward output and gradients
  mlp.hetc, mlp.npz           examples/mlp_digits.mlir with SGD momentum:
                              10 batches and the CPU target's losses and
                              final parameters
  mlp_big.hetc, mlp_large.hetc
                              784-1024-1024-10 (B = 256) and 784-4096-4096-10
                              (B = 2048) MLPs, timed against PyTorch CUDA
"""
import argparse
import json
import pathlib
import shutil
import sys

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test" / "python"))
sys.path.insert(0, str(REPO / "bench"))
import runtime  # noqa: E402
import test_ops  # noqa: E402
from run import mlp_source  # noqa: E402

MLP_FLAGS = ["--optimizer=sgd", "--lr=0.05", "--momentum=0.9"]
BIG_FLAGS = ["--optimizer=sgd", "--lr=0.01"]
# Timed against PyTorch: a launch-bound MLP and a compute-bound one.
TIMED_MLPS = [("mlp_big", 256, [784, 1024, 1024, 10]),
              ("mlp_large", 2048, [784, 4096, 4096, 10])]


def cpu_reference(case, cpu_artifact, r):
    """The CPU target's forward output and gradients for one op case."""
    session = runtime.Session(cpu_artifact)
    data = test_ops.feed(session, case, r)
    _, outputs = session.run("eval", **data)
    expected = {"forward": outputs["output0"]}
    if case.grads:
        session.train_step(**data)
        for i, a in enumerate(case.inputs):
            if a.dtype == np.float32:
                expected[f"grad{i}"] = a - session.get(f"a{i}")
    session.close()
    return expected


def target_flags(target, chip):
    return [f"--target={target}"] + ([f"--chip={chip}"] if target == "cuda"
                                     else [])


def build_cases(out, target, chip):
    cases = out / "cases"
    cases.mkdir()
    index = []
    rng = np.random.default_rng(7)
    for case in test_ops.CASES:
        src = test_ops.model_source(case.inputs, case.op, case.out_shape)
        flags = ["--optimizer=sgd", "--lr=1.0"]
        cpu = runtime.compile_model(src, cases / f"{case.name}.cpu.hetc",
                                    "--target=cpu", *flags)
        runtime.compile_model(src, cases / f"{case.name}.hetc",
                              *target_flags(target, chip), *flags)
        shape = case.out_shape
        r = (rng.standard_normal(shape).astype(np.float32) if shape
             else np.array(rng.standard_normal(), np.float32))
        expected = cpu_reference(case, cpu, r)
        arrays = {f"a{i}": a for i, a in enumerate(case.inputs)}
        np.savez(cases / f"{case.name}.npz", r=r, **arrays, **expected)
        cpu.unlink()
        cpu.with_suffix(".mlir").unlink()
        (cases / f"{case.name}.mlir").unlink(missing_ok=True)
        index.append({"name": case.name, "tol": case.tol,
                      "grads": case.grads})
    (cases / "index.json").write_text(json.dumps(index, indent=1))
    return len(index)


def build_mlp(out, target, chip):
    model = REPO / "examples" / "mlp_digits.mlir"
    cpu = runtime.compile_model(model, out / "mlp.cpu.hetc", "--target=cpu",
                                *MLP_FLAGS)
    runtime.compile_model(model, out / "mlp.hetc",
                          *target_flags(target, chip), *MLP_FLAGS)
    session = runtime.Session(cpu, seed=5)
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((10, 32, 64)).astype(np.float32)
    ys = rng.integers(0, 10, (10, 32)).astype(np.int32)
    losses = [session.train_step(x=x, labels=y)[0] for x, y in zip(xs, ys)]
    params = {name: session.get(name) for name in ["w1", "b1", "w2", "b2"]}
    np.savez(out / "mlp.npz", xs=xs, ys=ys, losses=np.array(losses), **params)
    cpu.unlink()

    for name, batch, sizes in TIMED_MLPS:
        source = out / f"{name}.mlir"
        source.write_text(mlp_source(batch, sizes))
        runtime.compile_model(source, out / f"{name}.hetc",
                              *target_flags(target, chip), *BIG_FLAGS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chip", default="sm_90")
    parser.add_argument("--target", default="cuda",
                        help="cuda, or vulkan to try the runner on lavapipe")
    parser.add_argument("--out", default=str(REPO / "gpu-bundle"))
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    (out / "lib").mkdir(parents=True)
    shutil.copy(runtime.build_dir() / "lib" / "libhetc_runtime.so",
                out / "lib")
    shutil.copy(REPO / "test" / "python" / "runtime.py", out)
    shutil.copy(REPO / "bench" / "gpu_runner.py", out)
    count = build_cases(out, args.target, args.chip)
    build_mlp(out, args.target, args.chip)
    (out / "target").write_text(args.target)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"bundle: {out} ({count} op cases, {size / 2**20:.1f} MiB) for "
          f"{args.target} {args.chip}; run: cd {out} && python3 gpu_runner.py")


if __name__ == "__main__":
    main()
