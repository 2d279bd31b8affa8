"""Every hetc op, forward and gradient, bit-equal between the cpu target and
each GPU target with a device here, in reproducible mode (issue 15).

The cases are those of the per-op tests against PyTorch (test_ops.py,
test_ops_elementwise.py, test_ops_conv.py), so a new op case is covered
here too, plus dropout. Each case's one-op model (loss = sum(op(...) * r))
is compiled with reproducible=True and SGD with momentum; the eval entry
gives the forward result, and one train_step leaves the exact gradient in
each momentum buffer (0 * m + g = g), next to the updated parameters. All
of them, and both losses, must be equal bit for bit.

test_cases_cover_the_whole_dialect checks that the cases use every op of
the dialect: each forward op directly, each `*_backward` op (which only
autodiff emits) through a case that differentiates its forward op.
"""
import pathlib
import re
import sys

import numpy as np
import pytest

import runtime
import test_ops
import test_ops_conv
import test_ops_elementwise
from test_ops import Case, ty

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402

from bitcompare import first_difference  # noqa: E402

DIALECT = (pathlib.Path(__file__).resolve().parents[2] / "include" / "hetc" /
           "Dialect" / "Hetc")
OPTIMIZER = {"optimizer": "sgd", "lr": 1.0, "momentum": 0.5}


def dropout_case():
    x = test_ops.R(64, 64)
    seed = np.array(7, np.int64)
    return Case("dropout", [x, seed],
                "%out = hetc.dropout %a0, %a1 {p = 0.25 : f64} : "
                f"({ty((64, 64))}, tensor<i64>) -> {ty((64, 64))}", (64, 64),
                ref=None)


CASES = (test_ops.CASES + test_ops_elementwise.CASES + test_ops_conv.CASES +
         [dropout_case()])
GPU_TARGETS = ["vulkan", "cuda", "rocm", "level-zero"]


def dialect_ops():
    """The mnemonic of every op the dialect's TableGen files define."""
    ops = set()
    for td in DIALECT.glob("*.td"):
        ops |= set(re.findall(r'^def Hetc_\w+Op\s*:\s*Hetc_\w+<"(\w+)"',
                              td.read_text(), re.MULTILINE))
    return ops


def test_cases_cover_the_whole_dialect():
    ops = dialect_ops()
    assert len(ops) > 40, f"found only {sorted(ops)} in {DIALECT}"
    used, differentiated = set(), set()
    for case in CASES:
        names = set(re.findall(r"hetc\.(\w+)", case.op))
        used |= names
        if case.grads:
            differentiated |= names
    backward = {op for op in ops if "_backward" in op}
    missing = sorted(op for op in ops - backward if op not in used)
    assert not missing, f"no reproducibility case uses the ops {missing}"
    untested = sorted(op for op in backward
                      if op.split("_backward")[0] not in differentiated)
    assert not untested, (f"no case differentiates the forward op of "
                          f"{untested}")


def run(case, target, r):
    """Every result of the case on `target`: eval's output and loss, the
    train step's loss and the session state after it."""
    source = test_ops.model_source(case.inputs, case.op, case.out_shape)
    artifact = hetc.compile(source, target=target, optimizer=OPTIMIZER,
                            reproducible=True)
    assert artifact.reproducible, "compiled without the reproducible mode"
    session = hetc.Session(artifact, hetc.Device(target), 0)
    data = test_ops.feed(session, case, r)
    loss, outputs = session.run("eval", **data)
    results = {"forward": np.asarray(outputs["output0"]),
               "eval loss": np.float32(loss)}
    if case.grads:
        loss, _ = session.train_step(**data)
        results["train_step loss"] = np.float32(loss)
        for name in session.state_names:
            results[name] = session.get(name)
    session.close()
    return results


def cotangent(case):
    rng = np.random.default_rng(len(case.name))
    shape = case.out_shape
    return (rng.standard_normal(shape).astype(np.float32) if shape
            else np.array(rng.standard_normal(), np.float32))


_cpu_results = {}


@pytest.mark.parametrize("gpu", GPU_TARGETS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_op_is_bit_equal_to_the_cpu(case, gpu):
    missing = runtime.device_unavailable(gpu)
    if missing:
        pytest.skip(f"{gpu}: {missing}")
    r = cotangent(case)
    if case.name not in _cpu_results:
        _cpu_results[case.name] = run(case, "cpu", r)
    want, got = _cpu_results[case.name], run(case, gpu, r)
    assert sorted(got) == sorted(want)
    found = [line for name in want
             for line in [first_difference(
                 f"{case.name} {name}", np.asarray(got[name]),
                 np.asarray(want[name]))] if line]
    assert not found, (f"{gpu} differs from cpu (name[index]: {gpu} "
                       "against cpu):\n  " + "\n  ".join(found))
