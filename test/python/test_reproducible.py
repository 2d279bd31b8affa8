"""The reproducible mode on whole models (issue 15, docs/reproducibility.md):
the same model, seed and batches give bit-identical losses, state and
fingerprints on every target, thread count and CPU flavour.

Each setting trains reproducible_models.py's four models (the digits MLP
with SGD and with Adam, the CNN with BatchNorm, dropout and pooling, a
transformer block) for 20 steps in a subprocess of its own, so that the
OpenMP thread count and the chip are the only differences; each other
setting is compared with the reference, cpu on 2 threads with the host's
own code (AVX-512 here): every loss bit for bit, the state fingerprints
after step 10 and step 20, every state tensor and the eval output.
"""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import runtime

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402

from bitcompare import first_difference  # noqa: E402
from reproducible_models import MODELS  # noqa: E402

STEPS, MID = 20, 10
AVX2_CHIP = "x86-64-v3"   # AVX2 + FMA, no AVX-512


def host_flags():
    try:
        text = pathlib.Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((row for row in text.splitlines()
                 if row.startswith("flags")), "")
    return set(line.split(":", 1)[-1].split())


# name: (target, chip, OMP threads). "cpu" is the reference.
SETTINGS = {
    "cpu": ("cpu", "", "2"),
    "vulkan": ("vulkan", "", "2"),
    "cpu_1_thread": ("cpu", "", "1"),
    "cpu_avx2": ("cpu", AVX2_CHIP, "2"),
    "cuda": ("cuda", "", "2"),
    "rocm": ("rocm", "", "2"),
    "level-zero": ("level-zero", "", "2"),
}


def unavailable(setting):
    """Why `setting` cannot run here, or None."""
    target, chip, _ = SETTINGS[setting]
    if target != "cpu":
        missing = runtime.device_unavailable(target)
        return f"{target}: {missing}" if missing else None
    flags = host_flags()
    if chip == AVX2_CHIP:
        if not {"avx2", "fma"} <= flags:
            return "the host lacks AVX2/FMA, so AVX2 code cannot run here"
        if "avx512f" not in flags:
            return ("the host lacks AVX-512, so its own code is the AVX2 "
                    "flavour: there is no AVX-512 run to compare with")
    return None


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """setting -> folder of its run (trained once per module)."""
    done = {}

    def run(setting):
        if setting not in done:
            target, chip, threads = SETTINGS[setting]
            out = tmp_path_factory.mktemp(setting)
            cmd = [sys.executable, str(HERE / "reproducible_models.py"),
                   "--target", target, "--steps", str(STEPS), "--mid",
                   str(MID), "--out", str(out)]
            if chip:
                cmd += ["--chip", chip]
            env = dict(os.environ, OMP_NUM_THREADS=threads,
                       HETC_BUILD_DIR=str(runtime.build_dir()))
            result = subprocess.run(cmd, capture_output=True, text=True,
                                    env=env)
            done[setting] = (out, result)
        out, result = done[setting]
        assert result.returncode == 0, (
            f"training the models for '{setting}' failed:\n"
            f"{result.stderr[-3000:]}")
        return out
    return run


def differences(model, got_dir, want_dir):
    got = np.load(got_dir / f"{model}.npz")
    want = np.load(want_dir / f"{model}.npz")
    found = []
    losses = first_difference("loss", got["losses"], want["losses"])
    if losses:
        step = int(np.argmax(got["losses"].view(np.uint32) !=
                             want["losses"].view(np.uint32))) + 1
        found.append(f"first differing loss at step {step}: {losses}")
    names = sorted(set(got.files) | set(want.files))
    for name in names:
        if name == "losses":
            continue
        if name not in got.files or name not in want.files:
            found.append(f"{name}: only in one run")
            continue
        line = first_difference(name, got[name], want[name])
        if line:
            found.append(line)
    got_facts = json.loads((got_dir / "results.json").read_text())[model]
    want_facts = json.loads((want_dir / "results.json").read_text())[model]
    for step in (str(MID), str(STEPS)):
        a = got_facts["fingerprints"][step]
        b = want_facts["fingerprints"][step]
        if a != b:
            found.append(f"fingerprint after step {step}: {a} against {b}")
    return found


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s != "cpu"])
@pytest.mark.parametrize("model", MODELS)
def test_training_is_bit_identical_to_the_cpu_reference(model, setting, runs):
    reason = unavailable(setting)
    if reason:
        pytest.skip(reason)
    reference, other = runs("cpu"), runs(setting)
    found = differences(model, other, reference)
    shown = found[:12] + ([f"... and {len(found) - 12} more"]
                          if len(found) > 12 else [])
    assert not found, (f"{model} on {setting} differs from cpu (2 threads, "
                       "host code) after 20 steps:\n  " + "\n  ".join(shown))


def test_the_settings_really_differ(runs):
    """The runs compared above are what they claim: every model compiled in
    reproducible mode, the reference with AVX-512 code on this host and the
    AVX2 run without, and each run's thread count as asked."""
    reference = json.loads((runs("cpu") / "results.json").read_text())
    assert reference["omp_num_threads"] == "2"
    for model in MODELS:
        assert reference[model]["reproducible"] is True, model
    one = json.loads((runs("cpu_1_thread") / "results.json").read_text())
    assert one["omp_num_threads"] == "1"
    if unavailable("cpu_avx2"):
        pytest.skip(unavailable("cpu_avx2"))
    avx2 = json.loads((runs("cpu_avx2") / "results.json").read_text())
    for model in MODELS:
        assert "avx512f" in reference[model]["cpu_features"], model
        assert "avx512f" not in avx2[model]["cpu_features"], model
        assert "avx2" in avx2[model]["cpu_features"], model
        assert avx2[model]["chip"] == AVX2_CHIP, avx2[model]["chip"]


MLP = (HERE.parents[1] / "examples" / "mlp_digits.mlir")


def test_artifact_reports_the_mode(tmp_path, tool):
    sgd = {"optimizer": "sgd", "lr": 0.1}
    plain = hetc.compile_file(MLP, optimizer=sgd)
    exact = hetc.compile_file(MLP, optimizer=sgd, reproducible=True)
    assert plain.reproducible is False
    assert exact.reproducible is True
    # Absent means false (manifest_schema.h).
    assert json.loads(plain.manifest).get("reproducible", False) is False
    assert json.loads(exact.manifest)["reproducible"] is True
    source = MLP.read_text()
    assert hetc.compile(source, target="vulkan",
                        reproducible=True).reproducible is True
    path = tmp_path / "mlp.hetc"
    result = subprocess.run([tool("hetc-compile"), str(MLP), "-o", str(path),
                             "--reproducible"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert hetc.Artifact.load(str(path)).reproducible is True
