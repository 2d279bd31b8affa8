"""ONNX's own node conformance cases (onnx.backend.test.case.node), run
forward through hetc for every op type the importer supports.

Each case's model is imported for inference (loss None) with its float
inputs as hetc inputs (plus a one-element parameter, as an extra output:
hetc compiles models that have one); integer inputs become initializers (import-time
constants: shapes, axes, pads, indices), and so does any float input the
importer needs at import time (Clip's bounds, Resize's scales), which it
reports with ConstantRequired. The eval entry is compiled for the CPU and
its outputs compared with the case's expected outputs at the case's rtol
(atol at least 1e-6: hetc computes in float32, the references in float64
then rounded). A case is skipped, with its reason listed, where the
importer refuses it with a clear error (an unsupported dtype, attribute or
mode), or where the case needs what hetc has no notion of (double tensors,
empty tensors). A case that imports but computes a wrong result fails.
"""
import collections
import sys
import warnings

import numpy as np
import pytest

import runtime

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
from hetc import onnx_import  # noqa: E402

# onnx 1.12's case generators use numpy aliases removed in numpy 1.24.
for _alias, _type in (("float", float), ("int", int), ("bool", bool),
                      ("object", object), ("complex", complex),
                      ("str", str)):
    if _alias not in np.__dict__:
        setattr(np, _alias, _type)

import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402

SUPPORTED = sorted(name[3:] for name in dir(onnx_import._Importer)
                   if name.startswith("op_"))

# Expected outputs hetc deliberately computes differently.
KNOWN = {
    # ONNX's reference updates the running variance with the biased batch
    # variance; hetc follows torch (unbiased), which torch.onnx exports.
    ("BatchNormalization", 2): "the running variance output follows torch "
                               "(unbiased), the ONNX reference is biased",
}


def _collect():
    import onnx.backend.test.case.node as node_cases
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = node_cases.collect_testcases("")  # "" collects every op
    by_op = collections.defaultdict(list)
    for case in cases:
        nodes = case.model.graph.node
        if len(nodes) == 1:  # the *_expanded cases test function bodies
            by_op[nodes[0].op_type].append(case)
    return by_op


CASES = _collect()
RESULTS = {}

_ALLOWED_DTYPES = (np.float32, np.int32, np.int64, np.bool_)


def _prepare(case, constant_names):
    """The case's model with `constant_names` (and every integer input)
    moved into initializers; returns (model, feeds)."""
    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    inputs, _ = case.data_sets[0]
    graph = model.graph
    names = [i.name for i in graph.input]
    feeds = {}
    keep = []
    for info, array in zip(list(graph.input), inputs):
        array = np.asarray(array)
        if array.dtype.kind in "iu" or info.name in constant_names:
            graph.initializer.append(numpy_helper.from_array(array,
                                                             info.name))
        else:
            feeds[info.name] = (array.astype(np.float32)
                                if array.dtype == np.bool_ else array)
        keep.append(info)
    del names
    # hetc compiles models that have a parameter; an identity output of a
    # one-element initializer gives the case one without touching its ops.
    graph.initializer.append(numpy_helper.from_array(
        np.zeros(1, np.float32), "__probe"))
    graph.input.append(onnx.helper.make_tensor_value_info(
        "__probe", onnx.TensorProto.FLOAT, [1]))
    graph.node.append(onnx.helper.make_node("Identity", ["__probe"],
                                            ["__probe_out"]))
    graph.output.append(onnx.helper.make_tensor_value_info(
        "__probe_out", onnx.TensorProto.FLOAT, [1]))
    return model, feeds


# Ops whose integer results the importer computes itself (static shapes).
_SHAPE_OPS = {"Shape", "Size"}


def _skip_reason(op, case):
    inputs, outputs = case.data_sets[0]
    for array in list(inputs) + list(outputs):
        array = np.asarray(array)
        if array.dtype.type not in _ALLOWED_DTYPES:
            return f"dtype {array.dtype} (hetc computes on float32)"
        if array.size == 0:
            return "an empty tensor (hetc has no empty tensors)"
    for out in outputs:
        if np.asarray(out).dtype.kind in "iu" and op not in _SHAPE_OPS:
            return ("an integer output: integer tensors are import-time "
                    "values (shapes, indices) in hetc")
    return None


def run_case(op, case):
    """'pass', or ('skip', reason); raises on a wrong result."""
    reason = _skip_reason(op, case)
    if reason:
        return "skip", reason
    constants = set()
    while True:
        model, feeds = _prepare(case, constants)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                imported = hetc.import_onnx(model, loss=None)
            break
        except onnx_import.ConstantRequired as error:
            if error.name in constants:
                raise
            constants.add(error.name)
        except hetc.OnnxImportError as error:
            return "skip", str(error)
    if not feeds and op not in _SHAPE_OPS:
        return "skip", ("every operand is an integer, so the importer folds "
                        "the node with numpy and hetc computes nothing")
    if imported.seeds:
        return "skip", ("a training-mode dropout draws a random mask; hetc's "
                        "is its own counter-based hash (test_ops and the "
                        "zoo check it)")
    artifact = hetc.compile(imported.source, eval_only=True)
    session = hetc.Session(artifact, hetc.Device("cpu"), 0)
    for name, value in imported.state.items():
        session.set(name, value)
    _, outputs = session.run("eval", **feeds)
    _, expected = case.data_sets[0]
    checked = 0
    for i, want in enumerate(expected):
        if (op, i) in KNOWN:
            continue
        got = outputs[f"output{i}"]
        want = np.asarray(want)
        if want.dtype == np.bool_:  # hetc booleans are 0/1 float masks
            want = want.astype(np.float32)
        np.testing.assert_allclose(
            got, want.astype(np.float32), rtol=case.rtol,
            atol=max(case.atol, 1e-6),
            err_msg=f"{case.name}: output {i}")
        checked += 1
    session.close()
    assert checked, f"{case.name}: no output was compared"
    return "pass"


@pytest.mark.parametrize("op", SUPPORTED)
def test_conformance(op, capsys):
    cases = CASES.get(op, [])
    passed, skipped, failed = [], [], []
    for case in cases:
        try:
            result = run_case(op, case)
        except Exception as error:  # a wrong result or a hetc build error
            failed.append((case.name, f"{type(error).__name__}: {error}"))
            continue
        if result == "pass":
            passed.append(case.name)
        else:
            skipped.append((case.name, result[1]))
    RESULTS[op] = (len(passed), len(skipped), len(failed))
    with capsys.disabled():
        print(f"\n[onnx conformance] {op}: {len(passed)} passed, "
              f"{len(skipped)} skipped, {len(failed)} failed "
              f"(of {len(cases)} cases)")
        for name, reason in skipped:
            print(f"    skipped {name}: {reason.splitlines()[0][:200]}")
        for name, reason in failed:
            print(f"    FAILED {name}: {reason.splitlines()[0][:300]}")
    assert not failed, "\n".join(f"{n}: {r}" for n, r in failed)


def test_summary(capsys):
    """Totals over the ops run before this test (run the whole file)."""
    if not RESULTS:
        pytest.skip("no conformance op ran in this session")
    totals = np.sum(list(RESULTS.values()), axis=0)
    without = sorted(op for op in SUPPORTED if not CASES.get(op))
    with capsys.disabled():
        print(f"\n[onnx conformance] total over {len(RESULTS)} ops: "
              f"{totals[0]} passed, {totals[1]} skipped, {totals[2]} failed;"
              f" ops without ONNX node cases: {', '.join(without)}")
    assert totals[0] > 0
