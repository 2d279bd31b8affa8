"""hetc-verify and hetc.verify (docs/reproducibility.md, "The verifier"):
the debug entry leaves the normal entries unchanged, a planted one-ULP
divergence is found at its exact op and location, logs are bisected to
their first differing step, and bad inputs are clear errors."""
import json
import re
import subprocess
import sys

import numpy as np
import pytest

import runtime
from conftest import MLP_MODEL, mlp_batch

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
from hetc import manifest as manifest_schema  # noqa: E402
from hetc.verifier import compare_logs  # noqa: E402

SGD = {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9}
# The digits MLP's first bias add (examples/mlp_digits.mlir:17).
PLANTED = "hetc.add@mlp_digits.mlir:17"


def compile_mlp(**options):
    return hetc.compile_file(MLP_MODEL, optimizer=SGD, **options)


def manifest(artifact):
    return json.loads(artifact.manifest)


def batches(n=3):
    return [dict(zip(("x", "labels"), mlp_batch(seed))) for seed in range(n)]


def entry(man, name):
    return next((e for e in man["entries"] if e["name"] == name), None)


def hetc_compile(tool, *args):
    result = subprocess.run([tool("hetc-compile"), *map(str, args)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def functions(text):
    """{name: text} of each func.func of a printed module."""
    found = {}
    for match in re.finditer(r"^  func\.func (?:public )?@(\w+)\(.*?^  }$",
                             text, re.MULTILINE | re.DOTALL):
        found[match.group(1)] = match.group(0)
    return found


def llvm_functions(text):
    """{name: text} of each LLVM IR function definition, metadata ids
    replaced by !N."""
    return {m.group(1): re.sub(r"!\d+", "!N", m.group(0))
            for m in re.finditer(r"^define [^@]*@([\w.]+)\(.*?^}$", text,
                                 re.MULTILINE | re.DOTALL)}


# ------------------------------------------------- the debug entry


def test_debug_entry_leaves_the_normal_entries_unchanged(tool):
    plain, debug = manifest(compile_mlp()), \
        manifest(compile_mlp(debug_intermediates=True))
    assert entry(plain, "train_step_debug") is None
    added = entry(debug, "train_step_debug")
    assert added["debug_of"] == "train_step"
    # The manifest is the same but for the added (last) entry.
    assert debug["entries"][-1] is added
    debug["entries"].pop()
    assert json.dumps(debug, sort_keys=True) == json.dumps(plain,
                                                          sort_keys=True)
    # So is every normal entry's IR, in hetc, lowered to linalg, and as the
    # CPU's LLVM IR (each function; metadata is numbered module-wide, so
    # its ids are left out).
    for stage in ("hetc", "linalg", "llvm"):
        args = [MLP_MODEL, "--optimizer=sgd", "--lr=0.1", f"--emit={stage}"]
        split = functions if stage != "llvm" else llvm_functions
        plain_ir = split(hetc_compile(tool, *args))
        debug_ir = split(hetc_compile(tool, *args, "--debug-intermediates"))
        added = set(debug_ir) - set(plain_ir)
        assert set(plain_ir) <= set(debug_ir) and added, stage
        assert all("train_step_debug" in name for name in added), added
        for name, text in plain_ir.items():
            assert debug_ir[name] == text, (stage, name)


def test_debug_entry_leaves_the_gpu_program_unchanged():
    """vulkan: the normal entries' programs are the same, and their
    kernels and constants come first, as they were."""
    plain = manifest(compile_mlp(target="vulkan"))
    debug = manifest(compile_mlp(target="vulkan", debug_intermediates=True))
    assert debug["entries"].pop()["name"] == "train_step_debug"
    device, debug_device = plain.pop("device"), debug.pop("device")
    assert debug == plain
    assert set(debug_device["programs"]) == \
        set(device["programs"]) | {"train_step_debug"}
    for name, program in device["programs"].items():
        assert debug_device["programs"][name] == program, name
    for key in ("kernels", "constants"):
        n = len(device[key])
        assert debug_device[key][:n] == device[key], key


def test_debug_entry_describes_every_op_result():
    artifact = compile_mlp(debug_intermediates=True)
    man = manifest(artifact)
    assert manifest_schema.check(man) == []
    results = [r for r in entry(man, "train_step_debug")["results"]
               if "op" in r]
    # Forward, backward and update, in program order; the first two are the
    # model's first matmul and bias add, at their lines.
    assert [r["name"] for r in results] == [f"debug{i}"
                                            for i in range(len(results))]
    assert results[0]["op"] == "hetc.matmul"
    assert results[0]["location"].endswith("mlp_digits.mlir:15:9")
    assert results[1]["op"] == "hetc.add"
    assert results[1]["location"].endswith("mlp_digits.mlir:17:9")
    assert results[0]["shape"] == [32, 128]
    ops = [r["op"] for r in results]
    assert "hetc.cross_entropy" in ops
    # The backward pass follows the forward one.
    assert ops.index("hetc.cross_entropy") < len(ops) - 1
    # It computes train_step's loss and new state but updates nothing; its
    # first result is x @ w1^T.
    x, labels = mlp_batch()
    plain = hetc.Session(artifact, hetc.Device("cpu"), seed=3)
    debug = hetc.Session(artifact, hetc.Device("cpu"), seed=3)
    before = {name: debug.get(name) for name in debug.state_names}
    loss, _ = plain.train_step(x=x, labels=labels)
    _, outputs = debug.run("train_step_debug", x=x, labels=labels)
    first_loss = next(r["name"] for r in results
                      if r["op"] == "hetc.cross_entropy")
    assert outputs[first_loss] == np.float32(loss)
    for name in debug.state_names:
        np.testing.assert_array_equal(debug.get(name), before[name])
    new_values = [outputs[r["name"]] for r in results]
    for name in ("w1", "b1", "w2", "b2"):
        assert any(v.shape == plain.get(name).shape
                   and np.array_equal(v, plain.get(name))
                   for v in new_values), name
    np.testing.assert_allclose(outputs["debug0"], x @ before["w1"].T,
                               rtol=1e-5, atol=1e-6)


def test_debug_entry_needs_train_step(tool, tmp_path):
    result = subprocess.run(
        [tool("hetc-compile"), MLP_MODEL, "--eval-only",
         "--debug-intermediates", "-o", tmp_path / "a.hetc"],
        capture_output=True, text=True)
    assert result.returncode != 0
    assert "--debug-intermediates needs the train_step entry" in result.stderr


# ------------------------------------------------ planted divergence


def test_planted_divergence_is_named_exactly():
    normal = compile_mlp(debug_intermediates=True)
    planted = compile_mlp(debug_intermediates=True, test_perturb_op=PLANTED)
    result = hetc.verify(normal, planted, batches=batches())
    assert not result.identical
    assert result.step == 1
    d = result.divergence
    assert d.op == "hetc.add"
    assert d.location.endswith("mlp_digits.mlir:17:9")
    assert d.index == 1 and d.tensor == "debug1"
    assert d.ulps == 1
    assert d.element == (0, 0)
    assert abs(d.bits_a - d.bits_b) == 1
    report = result.report()
    assert "hetc.add" in report and "1 ULP" in report
    assert "mlp_digits.mlir:17:9" in report


def test_same_artifacts_are_identical():
    a, b = (compile_mlp(debug_intermediates=True) for _ in range(2))
    result = hetc.verify(a, b, batches=batches(4))
    assert result.identical and result.steps == 4
    assert "identical: 4 steps" in result.report()


def test_without_debug_entry_only_the_step_is_found():
    result = hetc.verify(compile_mlp(), compile_mlp(test_perturb_op=PLANTED),
                         batches=batches())
    assert result.step == 1 and result.divergence is None
    assert "--debug-intermediates" in result.note


def test_perturbed_op_later_in_the_step():
    # The second matmul of the forward pass: everything before it agrees.
    planted = compile_mlp(debug_intermediates=True,
                          test_perturb_op="hetc.matmul@mlp_digits.mlir:19")
    result = hetc.verify(compile_mlp(debug_intermediates=True), planted,
                         batches=batches())
    d = result.divergence
    assert (d.op, d.ulps) == ("hetc.matmul", 1)
    assert d.location.endswith("mlp_digits.mlir:19:9")
    assert d.index == 3  # matmul, add, relu, then this one


def test_torch_module_path_is_reported(tmp_path):
    torch = pytest.importorskip("torch")
    import hetc.torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Linear(6, 8),
                                            torch.nn.ReLU())
            self.head = torch.nn.Linear(8, 3)

        def forward(self, x):
            return self.head(self.body(x))

    torch.manual_seed(0)
    model = Net()
    trainer = hetc.torch.compile(
        model, torch.nn.functional.cross_entropy,
        torch.optim.SGD(model.parameters(), lr=0.1), torch.rand(4, 6),
        torch.randint(0, 3, (4,)))
    source = trainer.source
    options = {"optimizer": {"optimizer": "sgd", "lr": 0.1},
               "debug_intermediates": True}
    a = hetc.compile(source, **options)
    b = hetc.compile(source, test_perturb_op="hetc.relu", **options)
    args = entry(manifest(a), "train_step")["args"]
    inputs = [t["name"] for t in args if t["role"] in ("input", "label")]
    rng = np.random.default_rng(0)
    feed = [{inputs[0]: rng.random((4, 6), dtype=np.float32),
             inputs[1]: rng.integers(0, 3, 4).astype(np.int64
                                                     if args[-1]["dtype"]
                                                     == "i64" else
                                                     np.int32)}]
    # The source's initializers are zeros (the trainer copies torch's
    # values): start from random parameters instead.
    session = hetc.Session(a, hetc.Device("cpu"))
    for t in args:
        if t["role"] == "param":
            session.set(t["name"], rng.standard_normal(t["shape"]).astype(
                np.float32))
    session.save_checkpoint(str(tmp_path / "start.ckpt"))
    result = hetc.verify(a, b, checkpoint=tmp_path / "start.ckpt",
                         batches=feed)
    d = result.divergence
    assert d.op == "hetc.relu" and d.ulps == 1
    assert d.scope == "body.1"
    # hetc.torch locates an op at its module's forward: ReLU's.
    assert "torch/nn/modules/activation.py:" in d.location
    assert "module:   body.1" in result.report()


def test_cnn_with_batch_norm_dropout_and_adam():
    """Buffers, a dropout seed input and Adam's state: the debug entry
    compiles (Adam's per-parameter bias corrections are one value after CSE
    and returned several times: hetc-distinct-results copies them) and the
    planted batch_norm is named."""
    from hetc import nn, optim
    model = nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.Flatten(), nn.Dropout(0.5), nn.Linear(64, 3))
    source = hetc.Trainer(model, (4, 2, 6, 6), nn.CrossEntropyLoss(),
                          optim.Adam(lr=0.01)).source
    options = {"optimizer": {"optimizer": "adam", "lr": 0.01},
               "debug_intermediates": True}
    a = hetc.compile(source, **options)
    b = hetc.compile(source, test_perturb_op="hetc.batch_norm", **options)
    rng = np.random.default_rng(4)
    feed = [{"x": rng.standard_normal((4, 2, 6, 6)).astype(np.float32),
             "dropout_seed0": np.array(k, np.int64),
             "labels": rng.integers(0, 3, 4).astype(np.int32)}
            for k in range(3)]
    assert hetc.verify(a, a, batches=feed).identical
    result = hetc.verify(a, b, batches=feed)
    d = result.divergence
    assert result.step == 1 and (d.op, d.ulps) == ("hetc.batch_norm", 1)
    assert "test_verify.py" in d.location


def test_onnx_node_name_is_reported(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(2)
    weights = {"w1": rng.standard_normal((6, 8)).astype(np.float32),
               "w2": rng.standard_normal((8, 3)).astype(np.float32)}
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"], name="fc1"),
             helper.make_node("Relu", ["h"], ["a"], name="act"),
             helper.make_node("MatMul", ["a", "w2"], ["y"], name="fc2")]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                   [4, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 3])],
        initializer=[numpy_helper.from_array(v, k)
                     for k, v in weights.items()])
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 14)]).SerializeToString()
    source, params = hetc.import_onnx(model)
    options = {"optimizer": {"optimizer": "sgd", "lr": 0.1},
               "debug_intermediates": True}
    a = hetc.compile(source, **options)
    b = hetc.compile(source, test_perturb_op="hetc.relu", **options)
    session = hetc.Session(a, hetc.Device("cpu"))
    for name, value in params.items():
        session.set(name, np.asarray(value, np.float32))
    session.save_checkpoint(str(tmp_path / "start.ckpt"))
    args = entry(manifest(a), "train_step")["args"]
    feed = {t["name"]: (rng.random(t["shape"], dtype=np.float32)
                        if t["role"] == "input" else
                        rng.integers(0, 3, t["shape"]).astype(
                            np.int32 if t["dtype"] == "i32" else np.int64))
            for t in args if t["role"] in ("input", "label")}
    result = hetc.verify(a, b, checkpoint=tmp_path / "start.ckpt",
                         batches=[feed])
    d = result.divergence
    assert (d.op, d.ulps, d.scope) == ("hetc.relu", 1, "act")
    assert "module:   act" in result.report()


def test_vulkan_planted_divergence(tmp_path):
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    a = compile_mlp(target="vulkan", debug_intermediates=True)
    b = compile_mlp(target="vulkan", debug_intermediates=True,
                    test_perturb_op=PLANTED)
    result = hetc.verify(a, b, batches=batches(2))
    d = result.divergence
    assert result.step == 1 and (d.op, d.ulps) == ("hetc.add", 1)
    assert d.location.endswith("mlp_digits.mlir:17:9")


def test_default_mode_cpu_and_vulkan_differ_at_the_first_matmul():
    """The verifier as a debugging tool: without the reproducible mode the
    CPU (fused multiply-adds, its own GEMM order) and vulkan part at the
    model's first matmul, which the report names."""
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    cpu = compile_mlp(debug_intermediates=True)
    vulkan = compile_mlp(target="vulkan", debug_intermediates=True)
    result = hetc.verify(cpu, vulkan, batches=batches(2))
    assert result.step == 1 and result.devices == ("cpu", "vulkan")
    d = result.divergence
    assert (d.op, d.index) == ("hetc.matmul", 0)
    assert d.location.endswith("mlp_digits.mlir:15:9")
    assert d.ulps >= 1


def reproducible_compile(**options):
    """compile_mlp in the reproducible mode; skips while the mode is not in
    this build (it comes from the reproducible-mode branch)."""
    import inspect
    if "reproducible" not in inspect.signature(hetc.compile_file).parameters:
        pytest.skip("hetc.compile_file has no reproducible option in this "
                    "build")
    return compile_mlp(reproducible=True, **options)


def test_reproducible_cpu_against_planted_vulkan():
    """In the reproducible mode cpu and vulkan agree bit for bit, so the
    only divergence is the planted one, on vulkan, named exactly."""
    missing = runtime.device_unavailable("vulkan")
    if missing:
        pytest.skip(f"vulkan: {missing}")
    cpu = reproducible_compile(debug_intermediates=True)
    vulkan = reproducible_compile(target="vulkan", debug_intermediates=True)
    planted = reproducible_compile(target="vulkan", debug_intermediates=True,
                                   test_perturb_op=PLANTED)
    same = hetc.verify(cpu, vulkan, batches=batches(3))
    assert same.identical, same.report()
    result = hetc.verify(cpu, planted, batches=batches(3))
    d = result.divergence
    assert result.step == 1 and (d.op, d.ulps) == ("hetc.add", 1)
    assert d.location.endswith("mlp_digits.mlir:17:9")
    assert d.index == 1


# ------------------------------------------------------ the tool


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(1)
    np.save(out / "x.npy", rng.random((100, 64), dtype=np.float32))
    np.save(out / "y.npy", rng.integers(0, 10, 100).astype(np.int32))
    return out


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    """The MLP compiled by hetc-compile normally (a) and with the planted
    divergence (b), both with the debug entry; a checkpoint to start from."""
    out = tmp_path_factory.mktemp("artifacts")
    flags = ["--optimizer=sgd", "--lr=0.1", "--momentum=0.9",
             "--debug-intermediates"]
    paths = {"a": runtime.compile_model(MLP_MODEL, out / "a.hetc", *flags),
             "b": runtime.compile_model(MLP_MODEL, out / "b.hetc", *flags,
                                        f"--test-perturb-op={PLANTED}")}
    session = hetc.Session(hetc.Artifact.load(str(paths["a"])),
                           hetc.Device("cpu"), seed=5)
    paths["ckpt"] = out / "start.ckpt"
    session.save_checkpoint(str(paths["ckpt"]))
    return paths


def verify_tool(tool, *args):
    return subprocess.run([tool("hetc-verify"), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_tool_names_the_planted_op(tool, data, artifacts):
    result = verify_tool(tool, artifacts["a"], artifacts["b"],
                         "--checkpoint", artifacts["ckpt"],
                         "--train-x", data / "x.npy",
                         "--train-y", data / "y.npy")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "divergence at step 1 " in out
    assert re.search(r"op: +hetc\.add ", out)
    assert re.search(r"location: .*mlp_digits\.mlir:17:9", out)
    assert "distance: 1 ULP" in out
    assert re.search(r"element: +\[0, 0\]", out)


def test_tool_identical(tool, data, artifacts):
    result = verify_tool(tool, artifacts["a"], artifacts["a"],
                         "--checkpoint", artifacts["ckpt"],
                         "--train-x", data / "x.npy",
                         "--train-y", data / "y.npy", "--steps", 2)
    assert result.returncode == 0, result.stderr
    assert "identical: 2 steps" in result.stdout


def test_tool_starts_from_the_checkpoint(tool, data, artifacts, tmp_path):
    # A checkpoint after 2 steps: the step numbers continue from it.
    session = hetc.Session(hetc.Artifact.load(str(artifacts["a"])),
                           hetc.Device("cpu"), seed=5)
    x, y = np.load(data / "x.npy"), np.load(data / "y.npy")
    for k in range(2):
        rows = slice(32 * k, 32 * k + 32)
        session.train_step(x=x[rows], labels=y[rows])
    session.save_checkpoint(str(tmp_path / "two.ckpt"))
    result = verify_tool(tool, artifacts["a"], artifacts["b"],
                         "--checkpoint", tmp_path / "two.ckpt",
                         "--train-x", data / "x.npy",
                         "--train-y", data / "y.npy")
    assert result.returncode == 1, result.stderr
    assert "divergence at step 3 " in result.stdout


def write_log(path, prints):
    path.write_text("".join(f"epoch {k}\nstep {k} fingerprint {fp}\n"
                            for k, fp in prints))
    return path


def test_logs_are_bisected_to_the_first_differing_step(tool, tmp_path):
    same = [(k, f"{k:064x}") for k in (2, 4, 6, 8, 10)]
    other = [(k, fp if k < 6 else f"{k + 1:064x}") for k, fp in same]
    a = write_log(tmp_path / "a.log", same)
    b = write_log(tmp_path / "b.log", other)
    assert compare_logs(a, b) == 6
    assert compare_logs(a, a) is None
    result = verify_tool(tool, "--logs", a, b)
    assert result.returncode == 1, result.stderr
    assert "logs diverge at step 6 " in result.stdout
    result = verify_tool(tool, "--logs", a, a)
    assert result.returncode == 0 and "identical" in result.stdout


def test_logs_with_artifacts(tool, data, artifacts, tmp_path):
    """Logs and artifacts together: the logs' step, then the replay's step
    and op; a replay that agrees is said to."""
    a = write_log(tmp_path / "a.log", [(1, "0" * 64), (2, "1" * 64)])
    b = write_log(tmp_path / "b.log", [(1, "0" * 64), (2, "2" * 64)])
    common = ["--checkpoint", artifacts["ckpt"], "--train-x", data / "x.npy",
              "--train-y", data / "y.npy", "--logs", a, b]
    result = verify_tool(tool, artifacts["a"], artifacts["b"], *common)
    assert result.returncode == 1, result.stderr
    assert "logs diverge at step 2 " in result.stdout
    assert "divergence at step 1 " in result.stdout
    assert re.search(r"op: +hetc\.add ", result.stdout)
    result = verify_tool(tool, artifacts["a"], artifacts["a"], *common)
    assert result.returncode == 1, result.stderr
    assert "replaying 3 steps from the checkpoint found no divergence" in \
        result.stdout


def test_real_training_logs(tool, data, artifacts, tmp_path):
    """hetc-train's own logs of the normal and the planted artifact differ
    from the first step on."""
    logs = []
    for name in ("a", "b"):
        run = subprocess.run(
            [tool("hetc-train"), artifacts[name], "--train-x",
             data / "x.npy", "--train-y", data / "y.npy", "--epochs", "1",
             "--drop-last", "--fingerprint-every", "1"],
            capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        logs.append(tmp_path / f"{name}.log")
        logs[-1].write_text(run.stdout)
    assert compare_logs(logs[0], logs[0]) is None
    assert compare_logs(*logs) == 1


@pytest.mark.parametrize("case", ["missing artifact", "other model",
                                  "corrupt checkpoint", "missing checkpoint",
                                  "log without fingerprints", "one artifact",
                                  "short data"])
def test_bad_inputs_are_clear_errors(tool, data, artifacts, tmp_path, case):
    x, y = ["--train-x", data / "x.npy"], ["--train-y", data / "y.npy"]
    a, b, ckpt = artifacts["a"], artifacts["b"], artifacts["ckpt"]
    if case == "missing artifact":
        args, want = [a, tmp_path / "nope.hetc", *x, *y], \
            "artifact B '" + str(tmp_path / "nope.hetc") + "': no such file"
    elif case == "other model":
        other = tmp_path / "other.hetc"
        runtime.compile_model(
            MLP_MODEL.read_text().replace("128", "96"), other,
            "--optimizer=sgd", "--lr=0.1", "--momentum=0.9")
        args, want = [a, other, *x, *y], "they are not the same model"
    elif case == "corrupt checkpoint":
        bad = tmp_path / "bad.ckpt"
        bad.write_bytes(ckpt.read_bytes()[:40] + b"garbage")
        args, want = [a, b, "--checkpoint", bad, *x, *y], \
            f"checkpoint '{bad}'"
    elif case == "missing checkpoint":
        args, want = [a, b, "--checkpoint", tmp_path / "no.ckpt", *x, *y], \
            "no.ckpt': no such file"
    elif case == "log without fingerprints":
        log = tmp_path / "plain.log"
        log.write_text("epoch 1/1 loss 0.5\n")
        args, want = ["--logs", log, log], "has no 'step K fingerprint HEX'"
    elif case == "one artifact":
        args, want = [a, *x, *y], "give two artifacts"
    else:
        short = tmp_path / "short.npy"
        np.save(short, np.zeros((10, 64), np.float32))
        np.save(tmp_path / "shorty.npy", np.zeros(10, np.int32))
        args, want = [a, b, "--train-x", short, "--train-y",
                      tmp_path / "shorty.npy"], "fewer than one batch of 32"
    result = verify_tool(tool, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert want in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
