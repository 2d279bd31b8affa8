#!/usr/bin/env python3
"""The cost of state fingerprints (docs/reproducibility.md).

Prints one `NAME: VALUE` line per figure:
  sha256_mb_s / hashlib_sha256_mb_s
                  the runtime's plain-C SHA-256 and Python's hashlib
                  (OpenSSL) on 64 MiB, one thread
  mlp_state_mb    the state of the 784-1024-1024-10 MLP of bench/run.py
                  with SGD and momentum (parameters, momentum buffers,
                  hyper-parameters)
  mlp_fingerprint_ms / mlp_step_ms / fingerprint_per_step
                  one fingerprint of that state against one train step,
                  B = 256, on the cpu target
"""
import ctypes
import hashlib
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "test" / "python"))
import runtime  # noqa: E402
from run import mlp_source, timed  # noqa: E402

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402


def sha256_rates():
    data = np.random.default_rng(0).bytes(64 << 20)
    fn = runtime.lib().hetc_sha256
    fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
    fn.restype = None
    digest = ctypes.create_string_buffer(32)
    ours = timed(lambda: fn(data, len(data), digest), 3, warmup=1)
    theirs = timed(lambda: hashlib.sha256(data).digest(), 3, warmup=1)
    assert digest.raw == hashlib.sha256(data).digest()
    return 64 / ours, 64 / theirs


def main():
    ours, theirs = sha256_rates()
    print(f"sha256_mb_s: {ours:.0f}")
    print(f"hashlib_sha256_mb_s: {theirs:.0f}")

    work = pathlib.Path(tempfile.mkdtemp(prefix="hetc-bench-"))
    source = work / "mlp.mlir"
    source.write_text(mlp_source(256, [784, 1024, 1024, 10]))
    subprocess.run([str(runtime.build_dir() / "bin" / "hetc-compile"),
                    str(source), "--optimizer=sgd", "--lr=0.01",
                    "--momentum=0.9", "-o", str(work / "mlp.hetc")],
                   check=True)
    session = hetc.Session(hetc.Artifact.load(str(work / "mlp.hetc")),
                           hetc.Device(), seed=0)
    state = sum(session.get(n).nbytes for n in session.state_names)
    print(f"mlp_state_mb: {state / 2**20:.1f}")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 784)).astype(np.float32)
    y = rng.integers(0, 10, 256).astype(np.int32)
    step = timed(lambda: session.train_step(x=x, y=y), 10)
    fingerprint = timed(session.fingerprint, 10)
    print(f"mlp_fingerprint_ms: {fingerprint * 1e3:.2f}")
    print(f"mlp_step_ms: {step * 1e3:.2f}")
    print(f"fingerprint_per_step: {fingerprint / step:.2f}")


if __name__ == "__main__":
    main()
