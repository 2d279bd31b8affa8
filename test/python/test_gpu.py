"""The GPU targets end to end: the MLP of examples/mlp_digits.mlir trained
on each GPU target whose device exists here (Vulkan on lavapipe in CI),
step for step against the CPU target, plus the device-side contract
(parameters resident, read back only when asked) and the errors a user
meets without a device.

Tolerances: the GPU kernels sum in another order than the CPU's GEMM
ukernel (tiled, split reductions), so losses agree to 1e-5 relative,
parameters to 1e-5 absolute after 10 steps, and the logits computed from
them (sums of 128 products of those parameters) to 5e-5.
"""
import json
import sys

import numpy as np
import pytest

import runtime
from conftest import REPO

MODEL = REPO / "examples" / "mlp_digits.mlir"
PARAMS = ["w1", "b1", "w2", "b2"]
GPU_TARGETS = ["vulkan", "level-zero", "cuda", "rocm"]
OPTIMIZERS = {
    "sgd_momentum": ["--optimizer=sgd", "--lr=0.05", "--momentum=0.9"],
    "adam": ["--optimizer=adam", "--lr=0.01", "--weight-decay=0.01"],
}


@pytest.fixture(params=GPU_TARGETS)
def gpu(request):
    missing = runtime.device_unavailable(request.param)
    if missing:
        pytest.skip(f"{request.param}: {missing}")
    return request.param


def batches(steps, seed=3):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        yield (rng.standard_normal((32, 64)).astype(np.float32),
               rng.integers(0, 10, 32).astype(np.int32))


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_mlp_train_step_matches_the_cpu_target(gpu, optimizer, tmp_path):
    flags = OPTIMIZERS[optimizer]
    cpu = runtime.Session(runtime.compile_model(
        MODEL, tmp_path / "cpu.hetc", "--target=cpu", *flags), seed=5)
    dev = runtime.Session(runtime.compile_model(
        MODEL, tmp_path / f"{gpu}.hetc", f"--target={gpu}", *flags),
        device=gpu, seed=5)
    for name in PARAMS:  # the same seed initializes the same values
        np.testing.assert_array_equal(dev.get(name), cpu.get(name))
    for step, (x, y) in enumerate(batches(10)):
        cpu_loss, _ = cpu.train_step(x=x, labels=y)
        dev_loss, _ = dev.train_step(x=x, labels=y)
        assert dev_loss == pytest.approx(cpu_loss, rel=1e-5), step
    for name in dev.state_names():
        np.testing.assert_allclose(dev.get(name), cpu.get(name), atol=1e-5,
                                   err_msg=f"{name} after 10 steps")
    x, y = next(batches(1, seed=9))
    cpu_loss, cpu_out = cpu.run("eval", x=x, labels=y)
    dev_loss, dev_out = dev.run("eval", x=x, labels=y)
    assert dev_loss == pytest.approx(cpu_loss, rel=1e-5)
    np.testing.assert_allclose(dev_out["output0"], cpu_out["output0"],
                               atol=5e-5, rtol=1e-4)


def test_parameters_stay_resident_between_steps(gpu, tmp_path):
    artifact = runtime.compile_model(MODEL, tmp_path / "m.hetc",
                                     f"--target={gpu}", "--optimizer=sgd",
                                     "--lr=0.1")
    session = runtime.Session(artifact, device=gpu, seed=1)
    losses = [session.train_step(x=x, labels=y)[0]
              for x, y in [next(batches(1))] * 5]
    # The same batch five times: the resident parameters keep improving.
    assert all(b < a for a, b in zip(losses, losses[1:])), losses
    # A parameter written from the host is what the next step reads.
    session.set("w2", np.zeros((10, 128), np.float32))
    session.set("b2", np.zeros(10, np.float32))
    x, y = next(batches(1))
    loss, _ = session.run("eval", x=x, labels=y)
    assert loss == pytest.approx(np.log(10.0), rel=1e-6)


def test_gpu_artifacts_carry_a_device_program(tmp_path):
    sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
    import hetc
    artifact = runtime.compile_model(MODEL, tmp_path / "v.hetc",
                                     "--target=vulkan")
    manifest = json.loads(hetc.Artifact.load(str(artifact)).manifest)
    device = manifest["device"]
    names = {k["name"] for k in device["kernels"]}
    assert len(names) == len(device["kernels"]) > 5
    for entry in ("train_step", "eval"):
        commands = device["programs"][entry]["commands"]
        # The host only launches kernels.
        assert commands and all("dispatch" in c for c in commands)
    # The tiled matmul kernels use 16x16 workgroups.
    assert any(k["block"] == [16, 16, 1] for k in device["kernels"])


@pytest.mark.parametrize("target,library", [
    ("cuda", "libcuda.so.1"), ("rocm", "libamdhip64.so"),
    ("level-zero", "Level Zero")])
def test_missing_drivers_are_named(target, library, tmp_path):
    if not runtime.device_unavailable(target):
        pytest.skip(f"a {target} device exists here")
    artifact = runtime.compile_model(MODEL, tmp_path / f"{target}.hetc",
                                     f"--target={target}")
    with pytest.raises(runtime.HetcError) as error:
        runtime.Session(artifact, device=target)
    assert library in str(error.value)
    assert "install" in str(error.value)


def test_an_artifact_runs_only_on_its_target(tmp_path):
    artifact = runtime.compile_model(MODEL, tmp_path / "v.hetc",
                                     "--target=vulkan")
    with pytest.raises(runtime.HetcError,
                       match="compiled for target 'vulkan' but the device "
                             "uses the 'cpu' driver"):
        runtime.Session(artifact, device="cpu")


def test_cnn_example_trains_like_the_cpu_target(gpu):
    """examples/train_cnn_digits.py (conv, batch norm, max and average
    pooling, through the Python bindings) gives the CPU target's losses."""
    import re
    from test_examples import run_example

    def losses(target):
        result = run_example("train_cnn_digits.py", "--epochs", "2",
                             "--target", target)
        assert result.returncode == 0, result.stderr
        return [float(v) for v in re.findall(r"loss ([0-9.]+)",
                                             result.stdout)]

    cpu, dev = losses("cpu"), losses(gpu)
    assert len(dev) == len(cpu) == 2
    np.testing.assert_allclose(dev, cpu, rtol=2e-3)


def test_one_process_holds_several_devices(gpu, tmp_path):
    """A CPU session and two sessions on two opened GPU devices train at
    the same time in threads, each keeping its own parameters."""
    import threading
    flags = OPTIMIZERS["sgd_momentum"]
    cpu_artifact = runtime.compile_model(MODEL, tmp_path / "cpu.hetc",
                                         "--target=cpu", *flags)
    gpu_artifact = runtime.compile_model(MODEL, tmp_path / "gpu.hetc",
                                         f"--target={gpu}", *flags)
    sessions = [runtime.Session(cpu_artifact, seed=5),
                runtime.Session(gpu_artifact, device=gpu, seed=5),
                runtime.Session(gpu_artifact, device=gpu, seed=5)]
    losses = [[] for _ in sessions]
    data = list(batches(20))

    def train(index):
        for x, y in data:
            losses[index].append(sessions[index].train_step(x=x, labels=y)[0])

    threads = [threading.Thread(target=train, args=(i,))
               for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert losses[1] == losses[2]  # the same device code, bit for bit
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)


def test_vulkan_staging_path_trains_the_same(tmp_path, monkeypatch):
    """Discrete GPUs keep buffers in device-local memory the host cannot
    map; HETC_VULKAN_FORCE_STAGING takes that path (staging copies) on
    lavapipe too, and training is bit for bit the same."""
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    artifact = runtime.compile_model(MODEL, tmp_path / "v.hetc",
                                     "--target=vulkan",
                                     *OPTIMIZERS["adam"])
    mapped = runtime.Session(artifact, device="vulkan", seed=2)
    monkeypatch.setenv("HETC_VULKAN_FORCE_STAGING", "1")
    staged = runtime.Session(artifact, device="vulkan", seed=2)
    for x, y in batches(5):
        assert (staged.train_step(x=x, labels=y)[0] ==
                mapped.train_step(x=x, labels=y)[0])
    for name in staged.state_names():
        np.testing.assert_array_equal(staged.get(name), mapped.get(name))
