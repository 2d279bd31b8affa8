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
  reproducible/cases/         every op case of test_reproducible_ops.py
                              compiled with --reproducible, and the CPU
                              target's reproducible results, which the
                              runner requires bit for bit
  reproducible/models/        the four models of test_reproducible.py (MLP
                              with SGD and Adam, CNN, transformer block),
                              compiled with --reproducible: the state the
                              CPU run started from, every step's inputs,
                              losses, fingerprints, eval output and final
                              state, all required bit for bit
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

REPRODUCIBLE_FLAGS = ["--optimizer=sgd", "--lr=1.0", "--momentum=0.5",
                      "--reproducible"]

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


def reproducible_case_results(session, feed, grads):
    """What the runner compares for one op case: eval's output and loss,
    then the train step's loss and every state tensor (the momentum buffers
    hold the exact gradients)."""
    loss, outputs = session.run("eval", **feed)
    want = {"forward": outputs["output0"], "eval_loss": np.float32(loss)}
    if grads:
        want["train_loss"] = np.float32(session.train_step(**feed)[0])
        want.update({f"state:{n}": session.get(n)
                     for n in session.state_names()})
    return want


def build_reproducible_cases(folder, target, chip):
    import test_reproducible_ops
    folder.mkdir(parents=True)
    index = []
    for case in test_reproducible_ops.CASES:
        src = test_ops.model_source(case.inputs, case.op, case.out_shape)
        cpu = runtime.compile_model(src, folder / f"{case.name}.cpu.hetc",
                                    "--target=cpu", *REPRODUCIBLE_FLAGS)
        runtime.compile_model(src, folder / f"{case.name}.hetc",
                              *target_flags(target, chip),
                              *REPRODUCIBLE_FLAGS)
        r = test_reproducible_ops.cotangent(case)
        session = runtime.Session(cpu)
        feed = test_ops.feed(session, case, r)
        sets = {f"set:a{i}": a for i, a in enumerate(case.inputs)
                if a.dtype == np.float32}
        want = reproducible_case_results(session, feed, case.grads)
        session.close()
        np.savez(folder / f"{case.name}.npz", **sets,
                 **{f"feed:{k}": v for k, v in feed.items()},
                 **{f"want:{k}": v for k, v in want.items()})
        for path in (cpu, cpu.with_suffix(".mlir"),
                     folder / f"{case.name}.mlir"):
            path.unlink(missing_ok=True)
        index.append({"name": case.name, "grads": case.grads})
    (folder / "index.json").write_text(json.dumps(index, indent=1))
    return len(index)


class RecordingSession:
    """Stands in for a trainer's session and records what the runner
    replays: the state before the first step, each step's inputs and loss,
    the fingerprints asked for and the eval runs."""

    def __init__(self, session):
        self._session = session
        self.initial, self.steps, self.fingerprints, self.evals = (
            None, [], [], [])

    def train_step(self, **inputs):
        if self.initial is None:
            self.initial = {n: self._session.get(n)
                            for n in self._session.state_names}
        loss, outputs = self._session.train_step(**inputs)
        self.steps.append(({k: np.array(v) for k, v in inputs.items()},
                           np.float32(loss)))
        return loss, outputs

    def fingerprint(self, seed=0, counter=0):
        digest = self._session.fingerprint(seed, counter)
        self.fingerprints.append([len(self.steps), seed, counter, digest])
        return digest

    def run(self, entry, **inputs):
        loss, outputs = self._session.run(entry, **inputs)
        self.evals.append((entry, {k: np.array(v) for k, v in inputs.items()},
                           np.float32(loss),
                           {k: np.array(v) for k, v in outputs.items()}))
        return loss, outputs

    def __getattr__(self, name):
        return getattr(self._session, name)


def record_model(name, steps=20, mid=10):
    """Trains model `name` of reproducible_models.py on the cpu in
    reproducible mode; returns its compile calls and its recording."""
    import reproducible_models as models
    hetc = models.hetc
    compiled, original = [], hetc.compile

    def compile_and_record(source, **options):
        compiled.append((source, options))
        return original(source, **options)

    hetc.compile = compile_and_record
    try:
        trainer, batches = models.build(name, "cpu", True)
    finally:
        hetc.compile = original
    recording = RecordingSession(trainer.session)
    trainer.session = recording
    first = None
    for step in range(1, steps + 1):
        x, y = next(batches)
        first = first or (x, y)
        trainer.step(x, y)
        if step in (mid, steps):
            trainer.fingerprint()
    trainer.evaluate(*first)
    final = {n: recording.get(n) for n in recording.state_names}
    return compiled, recording, final


def build_reproducible_models(folder, target, chip):
    from hetc import _hetc
    import reproducible_models as models
    folder.mkdir(parents=True)
    for name in models.MODELS:
        compiled, rec, final = record_model(name)
        if len(compiled) != 1:
            raise SystemExit(f"{name}: expected one compilation, got "
                             f"{len(compiled)}")
        source, options = compiled[0]
        if options.get("reproducible") is not True:
            raise SystemExit(f"{name}: the trainer compiled without "
                             "reproducible=True")
        # The trainer's compilation, for the bundle's target.
        (folder / f"{name}.hetc").write_bytes(_hetc.compile(
            source, target=target, chip=chip if target == "cuda" else "",
            optimizer=dict(options.get("optimizer") or {}),
            batch_sizes=list(options.get("batch_sizes") or []),
            reproducible=True))
        arrays = {f"initial:{k}": v for k, v in rec.initial.items()}
        for i, (inputs, loss) in enumerate(rec.steps):
            arrays.update({f"step{i}:{k}": v for k, v in inputs.items()})
        arrays["losses"] = np.array([loss for _, loss in rec.steps])
        entry, inputs, _, outputs = rec.evals[-1]
        arrays.update({f"eval:{k}": v for k, v in inputs.items()})
        arrays.update({f"eval_out:{k}": v for k, v in outputs.items()})
        arrays.update({f"final:{k}": v for k, v in final.items()})
        np.savez(folder / f"{name}.npz", **arrays)
        (folder / f"{name}.json").write_text(json.dumps(
            {"steps": len(rec.steps), "eval_entry": entry,
             "fingerprints": rec.fingerprints}, indent=1))
    return len(models.MODELS)


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
    shutil.copy(REPO / "test" / "python" / "bitcompare.py", out)
    count = build_cases(out, args.target, args.chip)
    build_mlp(out, args.target, args.chip)
    exact = build_reproducible_cases(out / "reproducible" / "cases",
                                     args.target, args.chip)
    exact_models = build_reproducible_models(out / "reproducible" / "models",
                                             args.target, args.chip)
    (out / "target").write_text(args.target)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"bundle: {out} ({count} op cases, {exact} reproducible op cases, "
          f"{exact_models} reproducible models, {size / 2**20:.1f} MiB) for "
          f"{args.target} {args.chip}; run: cd {out} && python3 gpu_runner.py")


if __name__ == "__main__":
    main()
