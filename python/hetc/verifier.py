"""hetc.verify (this module is hetc.verifier): find the first step, then
the first op, where two runs of the same model differ
(docs/reproducibility.md, "The verifier").

Two artifacts of one model (two targets, or one compiled twice) start from
the same checkpoint and run the same batches one train step at a time; the
sessions' state fingerprints are compared after every step. At the first
step whose fingerprints differ, both sessions go back to the state before
it and run the artifacts' debug entry (`train_step_debug`, compiled with
`--debug-intermediates`), which returns every hetc op's result in program
order; the first result whose bits differ names the op. Two training logs
(`hetc-train --fingerprint-every N`) are compared by their fingerprints
alone.

Nothing here knows what an op computes: the artifacts compute, this module
compares bits."""
import dataclasses
import json
import pathlib
import re

import numpy as np

from ._hetc import Artifact, Device, Error, Session

DEBUG_ENTRY = "train_step_debug"

_LOG_LINE = re.compile(r"^step (\d+) fingerprint ([0-9a-f]{64})$")
# Unsigned integers of each float dtype's width, to compare bits.
_BITS = {"f32": np.uint32, "f16": np.uint16, "bf16": np.uint16}


class VerifyError(Exception):
    """The inputs cannot be verified: a missing or corrupt file, artifacts
    of different models, batches that do not fit."""


@dataclasses.dataclass
class Divergence:
    """The first op whose result differs at the divergent step."""
    index: int            # its place among the debug entry's results
    count: int            # how many results the debug entry has
    op: str               # the op's name, "hetc.matmul"
    op_result: int        # which of the op's results
    location: str         # file:line:col in the model
    scope: str            # module path from the frontend, or ""
    tensor: str           # the debug entry's output, "debug12"
    dtype: str
    shape: list
    element: tuple        # the first differing element's index
    value_a: object
    value_b: object
    bits_a: int
    bits_b: int
    ulps: object          # float distance in ULPs, integer difference, or
                          # None when a value is NaN


@dataclasses.dataclass
class Result:
    """What verify() found. `step` is None when the runs are identical."""
    steps: int                      # steps compared
    step: object = None             # the first step whose fingerprints differ
    log_step: object = None         # the first differing step in the logs
    fingerprints: tuple = ()        # the fingerprints after `step` (a, b)
    divergence: object = None       # a Divergence, when located
    note: str = ""                  # why no op was located
    devices: tuple = ()

    @property
    def identical(self):
        return self.step is None and self.log_step is None

    def report(self):
        """The text hetc-verify prints."""
        if self.identical:
            what = (f"{self.steps} steps" if self.steps
                    else "every logged step")
            return (f"identical: {what}, every fingerprint equal"
                    + (f" (last {self.fingerprints[0]})"
                       if self.fingerprints else ""))
        lines = []
        if self.log_step is not None:
            lines.append(f"logs diverge at step {self.log_step} (the first "
                         "logged step whose fingerprints differ)")
        if self.step is not None:
            lines.append(f"divergence at step {self.step} (the first step "
                         "whose fingerprints differ)")
            lines.append(f"  fingerprints: A {self.fingerprints[0]}")
            lines.append(f"                B {self.fingerprints[1]}")
        elif self.steps:
            lines.append(f"  replaying {self.steps} steps from the "
                         "checkpoint found no divergence: the logs' runs "
                         "saw other batches or another start")
        d = self.divergence
        if d is None:
            if self.note:
                lines.append(f"  {self.note}")
            return "\n".join(lines)
        dev_a, dev_b = self.devices or ("A", "B")
        lines += [
            f"  op:       {d.op} (result {d.op_result}; op result "
            f"{d.index + 1} of {d.count} in {DEBUG_ENTRY}, program order)",
            f"  location: {d.location}",
            f"  module:   {d.scope or '-'}",
            f"  tensor:   {d.tensor} {d.dtype}{list(d.shape)}",
            f"  element:  {list(d.element)}",
            f"  A ({dev_a}): {_show(d.value_a, d.bits_a, d.dtype)}",
            f"  B ({dev_b}): {_show(d.value_b, d.bits_b, d.dtype)}",
            f"  distance: {_distance(d)}",
        ]
        return "\n".join(lines)


def _show(value, bits, dtype):
    if dtype in _BITS:
        width = np.dtype(_BITS[dtype]).itemsize * 2
        return f"{value!r} (0x{bits:0{width}x})"
    return repr(value)


def _distance(d):
    if d.ulps is None:
        return "undefined (NaN)"
    if d.dtype in _BITS:
        return f"{d.ulps} ULP" + ("" if d.ulps == 1 else "s")
    return f"{d.ulps} (integer difference)"


# ----------------------------------------------------------------- logs


def read_log(path):
    """{step: fingerprint} from a hetc-train log's 'step K fingerprint HEX'
    lines; other lines are ignored."""
    try:
        text = pathlib.Path(path).read_text()
    except OSError as error:
        raise VerifyError(f"log '{path}': {error.strerror}") from None
    prints = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("step ") or " fingerprint " not in line:
            continue
        match = _LOG_LINE.match(line.strip())
        if not match:
            raise VerifyError(f"log '{path}', line {number}: malformed "
                              f"fingerprint line '{line.strip()}' (expected "
                              "'step K fingerprint <64 hex digits>')")
        step = int(match.group(1))
        if prints.get(step, match.group(2)) != match.group(2):
            raise VerifyError(f"log '{path}', line {number}: step {step} "
                              "has two different fingerprints")
        prints[step] = match.group(2)
    if not prints:
        raise VerifyError(f"log '{path}' has no 'step K fingerprint HEX' "
                          "line (train with hetc-train --fingerprint-every N)")
    return prints


def compare_logs(log_a, log_b):
    """The first step both logs fingerprint whose fingerprints differ, or
    None; an error when they fingerprint no step in common."""
    a, b = read_log(log_a), read_log(log_b)
    common = sorted(set(a) & set(b))
    if not common:
        raise VerifyError(f"logs '{log_a}' and '{log_b}' fingerprint no step "
                          "in common")
    return next((step for step in common if a[step] != b[step]), None)


# ------------------------------------------------------------ artifacts


def _load(artifact, which):
    if isinstance(artifact, Artifact):
        return artifact
    path = pathlib.Path(artifact)
    if not path.is_file():
        raise VerifyError(f"artifact {which} '{path}': no such file")
    try:
        return Artifact.load(str(path))
    except Error as error:
        raise VerifyError(f"artifact {which} '{path}': {error}") from None


def _manifest(artifact):
    return json.loads(artifact.manifest)


def _entry(manifest, name):
    return next((e for e in manifest["entries"] if e["name"] == name), None)


def _tensor_key(tensor):
    return (tensor["name"], tensor["role"], tensor["dtype"],
            tuple(tensor["shape"]))


def _debug_key(tensor):
    return (tensor.get("op"), tensor.get("op_result"), tensor.get("location"),
            tensor.get("scope"), tensor["dtype"], tuple(tensor["shape"]))


def _debug_results(entry):
    return [t for t in entry["results"] if "op" in t]


def _first_mismatch(keys_a, keys_b):
    """The first index where two lists differ, or None."""
    if keys_a == keys_b:
        return None
    return next((i for i, (x, y) in enumerate(zip(keys_a, keys_b)) if x != y),
                min(len(keys_a), len(keys_b)))


def _show_key(keys, index):
    return " ".join(map(str, keys[index])) if index < len(keys) else \
        "nothing"


def check_same_model(man_a, man_b):
    """Refuses two artifacts that are not the same model: another model
    name, train_step signature or debug entry."""
    if man_a["model"] != man_b["model"]:
        raise VerifyError(f"the artifacts are of different models: "
                          f"'{man_a['model']}' and '{man_b['model']}'")
    step_a, step_b = (_entry(m, "train_step") for m in (man_a, man_b))
    for which, step in (("A", step_a), ("B", step_b)):
        if step is None:
            raise VerifyError(f"artifact {which} has no train_step entry "
                              "(compiled with --eval-only)")
    for what in ("args", "results"):
        keys_a = [_tensor_key(t) for t in step_a[what]]
        keys_b = [_tensor_key(t) for t in step_b[what]]
        first = _first_mismatch(keys_a, keys_b)
        if first is not None:
            raise VerifyError(
                f"the artifacts' train_step {what} differ at #{first}: A has "
                f"{_show_key(keys_a, first)}, B has "
                f"{_show_key(keys_b, first)}; they are not the same model")
    debug_a, debug_b = (_entry(m, DEBUG_ENTRY) for m in (man_a, man_b))
    if debug_a and debug_b:
        keys_a = [_debug_key(t) for t in _debug_results(debug_a)]
        keys_b = [_debug_key(t) for t in _debug_results(debug_b)]
        first = _first_mismatch(keys_a, keys_b)
        if first is not None:
            raise VerifyError(
                f"the artifacts' {DEBUG_ENTRY} entries differ at op result "
                f"#{first} ({len(keys_a)} and {len(keys_b)} results); they "
                "are not the same model")


def _session(artifact, device, checkpoint, which):
    try:
        session = Session(artifact, Device(device), 0)
    except Error as error:
        raise VerifyError(f"artifact {which} on device '{device}': "
                          f"{error}") from None
    if checkpoint is not None:
        try:
            session.load_checkpoint(str(checkpoint))
        except Error as error:
            raise VerifyError(f"checkpoint '{checkpoint}' (artifact "
                              f"{which}): {error}") from None
    return session


def _snapshot(session):
    return {name: session.get(name) for name in session.state_names}


def _restore(session, state):
    for name, value in state.items():
        session.set(name, value)


def _ordered(bits, width):
    """Float bit patterns as integers ordered like the floats (so that the
    difference of two is their distance in ULPs)."""
    sign = 1 << (width - 1)
    return bits if bits < sign else sign - bits


def _first_difference(index, count, info, a, b):
    dtype = info["dtype"]
    if dtype in _BITS:
        bits_a = np.ascontiguousarray(a).view(_BITS[dtype])
        bits_b = np.ascontiguousarray(b).view(_BITS[dtype])
    else:
        bits_a, bits_b = a, b
    differ = np.flatnonzero(bits_a.reshape(-1) != bits_b.reshape(-1))
    if differ.size == 0:
        return None
    flat = int(differ[0])
    element = tuple(int(i) for i in np.unravel_index(flat, a.shape)) \
        if a.ndim else ()
    x, y = a.reshape(-1)[flat], b.reshape(-1)[flat]
    bx, by = int(bits_a.reshape(-1)[flat]), int(bits_b.reshape(-1)[flat])
    if dtype in _BITS:
        width = 8 * np.dtype(_BITS[dtype]).itemsize
        ulps = (None if np.isnan(x) or np.isnan(y)
                else abs(_ordered(bx, width) - _ordered(by, width)))
        values = (float(x), float(y))
    else:
        ulps = abs(int(x) - int(y))
        values = (int(x), int(y))
    return Divergence(index=index, count=count, op=info["op"],
                      op_result=info.get("op_result", 0),
                      location=info.get("location", "unknown"),
                      scope=info.get("scope", ""), tensor=info["name"],
                      dtype=dtype, shape=list(info["shape"]), element=element,
                      value_a=values[0], value_b=values[1], bits_a=bx,
                      bits_b=by, ulps=ulps)


def locate_op(session_a, session_b, debug_entry, batch):
    """Runs the debug entry on both sessions (in the same state) with
    `batch`; the first op result whose bits differ, or None."""
    infos = _debug_results(debug_entry)
    # The debug entry updates no state: both sessions stay where they are.
    outputs = []
    for which, session in (("A", session_a), ("B", session_b)):
        try:
            outputs.append(session.run(DEBUG_ENTRY, **batch)[1])
        except Error as error:
            raise VerifyError(f"artifact {which}: {DEBUG_ENTRY}: "
                              f"{error}") from None
    for index, info in enumerate(infos):
        found = _first_difference(index, len(infos), info,
                                  outputs[0][info["name"]],
                                  outputs[1][info["name"]])
        if found:
            return found
    return None


def _step(session, batch, which, number):
    try:
        session.train_step(**batch)
    except Error as error:
        raise VerifyError(f"artifact {which}, step {number}: "
                          f"{error}") from None


def verify(artifact_a=None, artifact_b=None, checkpoint=None, batches=(),
           logs=None, devices=None):
    """Compares two runs; returns a Result.

    artifact_a, artifact_b: paths or hetc.Artifact objects of one model
    (for two targets, or compiled with different options). checkpoint: the
    state both start from (a session checkpoint; None: both initialized
    from seed 0). batches: one {input name: array} dict per step. logs: two
    hetc-train logs with fingerprints, compared first. devices: the two
    devices' driver names (default, or None: each artifact's target)."""
    log_step = compare_logs(*logs) if logs else None
    if artifact_a is None and artifact_b is None:
        if not logs:
            raise VerifyError("nothing to verify: give two artifacts or two "
                              "logs")
        return Result(steps=0, log_step=log_step)
    if artifact_a is None or artifact_b is None:
        raise VerifyError("give two artifacts, A and B")
    if checkpoint is not None and not pathlib.Path(checkpoint).is_file():
        raise VerifyError(f"checkpoint '{checkpoint}': no such file")
    art_a, art_b = _load(artifact_a, "A"), _load(artifact_b, "B")
    man_a, man_b = _manifest(art_a), _manifest(art_b)
    check_same_model(man_a, man_b)
    devices = tuple(device or art.target
                    for device, art in zip(devices or (None, None),
                                           (art_a, art_b)))
    batches = list(batches)
    if not batches:
        raise VerifyError("no batches to run")
    session_a = _session(art_a, devices[0], checkpoint, "A")
    session_b = _session(art_b, devices[1], checkpoint, "B")
    if session_a.fingerprint() != session_b.fingerprint():
        raise VerifyError("the two sessions do not start from the same "
                          "state (their fingerprints differ before any step)")
    result = Result(steps=0, log_step=log_step, devices=devices)
    for batch in batches:
        before = _snapshot(session_a)
        number = session_a.step + 1
        _step(session_a, batch, "A", number)
        _step(session_b, batch, "B", number)
        result.steps += 1
        prints = (session_a.fingerprint(), session_b.fingerprint())
        result.fingerprints = prints
        if prints[0] == prints[1]:
            continue
        result.step = number
        debug_a, debug_b = (_entry(m, DEBUG_ENTRY) for m in (man_a, man_b))
        if not (debug_a and debug_b):
            result.note = ("the op is not located: compile both artifacts "
                           "with --debug-intermediates (hetc-compile) or "
                           "debug_intermediates=True")
            return result
        _restore(session_a, before)
        _restore(session_b, before)
        result.divergence = locate_op(session_a, session_b, debug_a, batch)
        if result.divergence is None:
            result.note = (f"every op result of {DEBUG_ENTRY} is equal: the "
                           "difference is in the state update's writes, "
                           "outside the hetc ops")
        return result
    return result


def npy_batches(artifact, x_path, y_path, steps=None):
    """hetc-train's data (X.npy rows, Y.npy labels) cut into the artifact's
    train_step batches in file order: one {input: rows, label: rows} per
    step, at most `steps`."""
    art = _load(artifact, "A")
    step = _entry(_manifest(art), "train_step")
    if step is None:
        raise VerifyError("the artifact has no train_step entry")
    inputs = [t for t in step["args"] if t["role"] == "input"]
    labels = [t for t in step["args"] if t["role"] == "label"]
    if len(inputs) != 1 or len(labels) != 1:
        raise VerifyError("--train-x/--train-y need a model with one input "
                          f"and one label; this one has {len(inputs)} inputs "
                          f"and {len(labels)} labels")
    arrays = []
    for path, info in ((x_path, inputs[0]), (y_path, labels[0])):
        try:
            array = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise VerifyError(f"'{path}': {error}") from None
        if list(array.shape[1:]) != list(info["shape"][1:]):
            raise VerifyError(
                f"'{path}' has rows of shape {list(array.shape[1:])}; the "
                f"{info['role']} '{info['name']}' takes "
                f"{list(info['shape'][1:])}")
        arrays.append(array.astype({"f32": np.float32, "f16": np.float16,
                                    "i32": np.int32,
                                    "i64": np.int64}[info["dtype"]]))
    if len(arrays[0]) != len(arrays[1]):
        raise VerifyError(f"'{x_path}' has {len(arrays[0])} rows, "
                          f"'{y_path}' {len(arrays[1])}")
    size = inputs[0]["shape"][0]
    count = len(arrays[0]) // size
    if steps is not None:
        count = min(count, steps)
    if count == 0:
        raise VerifyError(f"'{x_path}' has {len(arrays[0])} rows, fewer than "
                          f"one batch of {size}")
    return [{inputs[0]["name"]: arrays[0][k * size:(k + 1) * size],
             labels[0]["name"]: arrays[1][k * size:(k + 1) * size]}
            for k in range(count)]
