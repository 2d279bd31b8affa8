#!/usr/bin/env python3
"""Runs a bundle made by bench/gpu_bundle.py on a machine with a GPU and no
LLVM/MLIR: every op's forward output and gradients and 10 MLP train steps
against the CPU target's results shipped with the bundle, then the train
steps of a 784-1024-1024-10 MLP (B = 256, launch-bound) and a
784-4096-4096-10 MLP (B = 2048, compute-bound), SGD, timed against PyTorch
CUDA (f32 matmuls, no TF32, as PyTorch defaults to).

With a reproducible/ folder in the bundle it then requires bit equality
with the CPU target's reproducible results: every op case (forward, losses,
gradients, updated state) and 20 train steps of four models (losses,
fingerprints after steps 10 and 20, eval output, final state).

Prints `NAME: VALUE` lines and writes results.json (into $OUT when set).
With --profile it prints each timed MLP's device time per kernel instead.
"""
import ctypes
import json
import os
import pathlib
import statistics
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
os.environ.setdefault("HETC_BUILD_DIR", str(HERE))
sys.path.insert(0, str(HERE))
import runtime  # noqa: E402
from bitcompare import first_difference  # noqa: E402

DEVICE = (HERE / "target").read_text().strip()
EXACT = HERE / "reproducible"


def check_case(entry):
    name = entry["name"]
    data = np.load(HERE / "cases" / f"{name}.npz")
    session = runtime.Session(HERE / "cases" / f"{name}.hetc", device=DEVICE)
    feed = {"r": data["r"]}
    floats = []
    for key in sorted(k for k in data.files if k.startswith("a")):
        if data[key].dtype == np.float32:
            session.set(key, data[key])
            floats.append(key)
        else:
            feed[key] = data[key]
    tol = entry["tol"]
    _, outputs = session.run("eval", **feed)
    np.testing.assert_allclose(outputs["output0"], data["forward"], rtol=tol,
                               atol=tol / 10, err_msg=f"{name}: forward")
    if entry["grads"]:
        session.train_step(**feed)
        for key in floats:
            grad = data[key] - session.get(key)
            np.testing.assert_allclose(
                grad, data["grad" + key[1:]], rtol=tol,
                atol=tol / 10 + 2e-7 * np.abs(data[key]).max(),
                err_msg=f"{name}: gradient of {key}")
    session.close()


def check_mlp():
    data = np.load(HERE / "mlp.npz")
    session = runtime.Session(HERE / "mlp.hetc", device=DEVICE, seed=5)
    losses = [session.train_step(x=x, labels=y)[0]
              for x, y in zip(data["xs"], data["ys"])]
    rel = np.max(np.abs(np.array(losses) - data["losses"]) /
                 np.abs(data["losses"]))
    param_err = max(float(np.max(np.abs(session.get(n) - data[n])))
                    for n in ["w1", "b1", "w2", "b2"])
    return rel, param_err, losses


def with_prefix(data, prefix):
    return {k[len(prefix):]: data[k] for k in data.files
            if k.startswith(prefix)}


def check_exact_case(entry):
    """The differences of one reproducible op case from the CPU's results
    (empty when bit-equal)."""
    name = entry["name"]
    data = np.load(EXACT / "cases" / f"{name}.npz")
    session = runtime.Session(EXACT / "cases" / f"{name}.hetc", device=DEVICE)
    for key, value in with_prefix(data, "set:").items():
        session.set(key, value)
    feed = with_prefix(data, "feed:")
    loss, outputs = session.run("eval", **feed)
    got = {"forward": outputs["output0"], "eval_loss": np.float32(loss)}
    if entry["grads"]:
        got["train_loss"] = np.float32(session.train_step(**feed)[0])
        got.update({f"state:{n}": session.get(n)
                    for n in session.state_names()})
    session.close()
    want = with_prefix(data, "want:")
    return [line for key in want for line in
            [first_difference(f"{name} {key}", np.asarray(got.get(key)),
                              want[key])] if line]


class RngState(ctypes.Structure):
    _fields_ = [("seed", ctypes.c_uint64), ("counter", ctypes.c_uint64)]


def fingerprint(session, seed, counter):
    digest = (ctypes.c_uint8 * 32)()
    runtime._call(runtime.lib().hetc_session_fingerprint, session._session,
                  ctypes.byref(RngState(seed, counter)), digest)
    return bytes(digest).hex()


def check_exact_model(name):
    """Replays the CPU run of one model from its starting state on the
    device; returns the differences (empty when bit-equal)."""
    data = np.load(EXACT / "models" / f"{name}.npz")
    facts = json.loads((EXACT / "models" / f"{name}.json").read_text())
    session = runtime.Session(EXACT / "models" / f"{name}.hetc",
                              device=DEVICE)
    for key, value in with_prefix(data, "initial:").items():
        session.set(key, value)
    found, losses = [], []
    checkpoints = {step: rest for step, *rest in facts["fingerprints"]}
    for step in range(facts["steps"]):
        losses.append(session.train_step(**with_prefix(
            data, f"step{step}:"))[0])
        if step + 1 in checkpoints:
            seed, counter, want = checkpoints[step + 1]
            got = fingerprint(session, seed, counter)
            if got != want:
                found.append(f"fingerprint after step {step + 1}: {got} "
                             f"against {want}")
    line = first_difference("losses", np.array(losses, np.float32),
                            data["losses"])
    found += [line] if line else []
    _, outputs = session.run(facts["eval_entry"], **with_prefix(data, "eval:"))
    for key, want in with_prefix(data, "eval_out:").items():
        line = first_difference(f"eval {key}", outputs[key], want)
        found += [line] if line else []
    for key, want in with_prefix(data, "final:").items():
        line = first_difference(key, session.get(key), want)
        found += [line] if line else []
    session.close()
    return [f"{name}: {line}" for line in found]


def check_reproducible(results):
    """Runs the reproducible cases and models; returns the failures."""
    failures = []
    index = json.loads((EXACT / "cases" / "index.json").read_text())
    for entry in index:
        try:
            failures += check_exact_case(entry)[:3]
        except runtime.HetcError as error:
            failures.append(f"{entry['name']}: {str(error)[:400]}")
    failed_cases = {f.split(" ")[0].rstrip(":") for f in failures}
    print(f"reproducible_op_cases_bit_equal: {len(index) - len(failed_cases)}"
          f"/{len(index)}")
    models = sorted(p.stem for p in (EXACT / "models").glob("*.hetc"))
    equal = 0
    for name in models:
        try:
            found = check_exact_model(name)
        except runtime.HetcError as error:
            found = [f"{name}: {str(error)[:400]}"]
        equal += not found
        failures += found
    print(f"reproducible_models_bit_equal: {equal}/{len(models)}")
    for failure in failures:
        print(f"  DIFFERS {failure}")
    results.update(reproducible_op_cases=len(index),
                   reproducible_op_cases_failed=sorted(failed_cases),
                   reproducible_models=models,
                   reproducible_models_bit_equal=equal,
                   reproducible_failures=failures)
    return failures


def timed(fn, sync, repeats=50, warmup=5):
    for _ in range(warmup):
        fn()
    sync()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def time_mlp(name, batch, sizes):
    import torch
    if not torch.cuda.is_available():
        raise ImportError("PyTorch has no CUDA device here")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch).astype(np.int32)
    session = runtime.Session(HERE / f"{name}.hetc", device=DEVICE)
    # train_step returns after the loss is back on the host: synchronous.
    hetc_s = timed(lambda: session.train_step(x=x, y=y), lambda: None)
    dev = torch.device("cuda")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers).to(dev)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    def torch_step():
        # Same work as hetc's step: batch in, loss back to the host.
        tx = torch.from_numpy(x).to(dev)
        ty = torch.from_numpy(y).long().to(dev)
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(tx), ty)
        loss.backward()
        optimizer.step()
        return loss.item()

    # PyTorch's default: full f32 matmuls (no TF32), like hetc's kernels.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch_s = timed(torch_step, torch.cuda.synchronize)
    flops = 6.0 * batch * sum(a * b for a, b in zip(sizes, sizes[1:]))
    return hetc_s, torch_s, flops, torch.cuda.get_device_name()


TIMED = [("mlp_big", 256, [784, 1024, 1024, 10]),
         ("mlp_large", 2048, [784, 4096, 4096, 10])]


def profile(name, batch, sizes, steps=5):
    """Per-kernel device time of `steps` train steps (HETC_PROFILE waits for
    each kernel, so the totals exceed a normal step's time)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch).astype(np.int32)
    os.environ["HETC_PROFILE"] = "1"
    session = runtime.Session(HERE / f"{name}.hetc", device=DEVICE)
    del os.environ["HETC_PROFILE"]
    for _ in range(steps):
        session.train_step(x=x, y=y)
    sys.stderr.flush()
    session.close()  # prints the table to stderr


def main():
    if "--profile" in sys.argv:
        for name, batch, sizes in TIMED:
            print(f"profile of {name} (5 steps):", flush=True)
            profile(name, batch, sizes)
        return 0
    results = {"device": DEVICE}
    index = json.loads((HERE / "cases" / "index.json").read_text())
    failures = []
    for entry in index:
        try:
            check_case(entry)
        except (AssertionError, runtime.HetcError) as error:
            failures.append(f"{entry['name']}: {str(error)[:400]}")
    results["op_cases"] = len(index)
    results["op_failures"] = failures
    print(f"op_cases_passed: {len(index) - len(failures)}/{len(index)}")
    for failure in failures:
        print(f"  FAIL {failure}")
    rel, param_err, losses = check_mlp()
    results.update(mlp_loss_max_rel_diff=rel, mlp_param_max_abs_diff=param_err,
                   mlp_losses=[float(v) for v in losses])
    print(f"mlp_loss_max_rel_diff_vs_cpu: {rel:.2e}")
    print(f"mlp_param_max_abs_diff_vs_cpu: {param_err:.2e}")
    exact_failures = check_reproducible(results) if EXACT.exists() else []
    for name, batch, sizes in TIMED:
        if not (HERE / f"{name}.hetc").exists():
            continue
        try:
            hetc_s, torch_s, flops, gpu = time_mlp(name, batch, sizes)
        except ImportError as error:
            print(f"timing skipped: {error}")
            break
        results.update({"gpu": gpu, f"{name}_step_ms": hetc_s * 1e3,
                        f"torch_{name}_step_ms": torch_s * 1e3,
                        f"{name}_step_ratio": hetc_s / torch_s,
                        f"{name}_tflops": flops / hetc_s / 1e12,
                        f"torch_{name}_tflops": flops / torch_s / 1e12})
        print(f"gpu: {gpu}")
        print(f"{name}_step_ms: {hetc_s * 1e3:.3f} ({flops / hetc_s / 1e12:.2f}"
              " TFLOP/s)")
        print(f"torch_cuda_{name}_step_ms: {torch_s * 1e3:.3f} "
              f"({flops / torch_s / 1e12:.2f} TFLOP/s)")
        print(f"{name}_step_ratio: {hetc_s / torch_s:.3f}")
    out = pathlib.Path(os.environ.get("OUT", HERE))
    (out / "results.json").write_text(json.dumps(results, indent=1))
    return 1 if failures or exact_failures or rel > 1e-4 else 0


if __name__ == "__main__":
    sys.exit(main())
