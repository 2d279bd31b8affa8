"""Hostile and broken input through Python and hetc-train (issue 13).

The binding refuses None where it needs an object; sessions used from several
threads give the serial result and close() waits for a call in flight;
hetc-train's npy reader refuses what it cannot convert exactly, naming the
file and the element.
"""
import ctypes
import json
import re
import struct
import subprocess
import sys
import threading
import time
import zlib

import numpy as np
import pytest

import runtime
from conftest import MLP_MODEL as MODEL
from conftest import mlp_batch as batch
from conftest import session_state as state

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402


# --- None arguments -------------------------------------------------------

def test_session_refuses_none(artifact):
    device = hetc.Device("cpu")
    for args in [(None, device), (artifact, None), (None, None)]:
        with pytest.raises(TypeError, match="needs an? (Artifact|Device), "
                                            "not None"):
            hetc.Session(*args)


# --- Threads --------------------------------------------------------------

def test_four_threads_on_one_session_give_the_serial_result(artifact):
    x, y = batch()
    serial = hetc.Session(artifact, hetc.Device("cpu"), seed=5)
    for _ in range(100):
        serial.train_step(x=x, labels=y)
    shared = hetc.Session(artifact, hetc.Device("cpu"), seed=5)
    errors = []

    def work():
        try:
            for _ in range(25):
                shared.train_step(x=x, labels=y)
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert shared.step == 100
    # Every step sees the same batch, so any order gives the same result;
    # it must be exactly the serial one.
    expected, got = state(serial), state(shared)
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


def test_concurrent_evals_return_their_own_outputs(artifact):
    session = hetc.Session(artifact, hetc.Device("cpu"), seed=2)
    batches = [batch(seed) for seed in range(4)]
    expected = [session.run("eval", x=x, labels=y)[1]["output0"]
                for x, y in batches]
    mismatches = []

    def work(i):
        x, y = batches[i]
        for _ in range(50):
            out = session.run("eval", x=x, labels=y)[1]["output0"]
            if not np.array_equal(out, expected[i]):
                mismatches.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not mismatches


def test_four_sessions_in_four_threads(artifact):
    x, y = batch(1)
    serial = hetc.Session(artifact, hetc.Device("cpu"), seed=9)
    for _ in range(30):
        serial.train_step(x=x, labels=y)
    expected = state(serial)
    sessions = [hetc.Session(artifact, hetc.Device("cpu"), seed=9)
                for _ in range(4)]

    def work(s):
        for _ in range(30):
            s.train_step(x=x, labels=y)

    threads = [threading.Thread(target=work, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in sessions:
        got = state(s)
        for name in expected:
            np.testing.assert_array_equal(got[name], expected[name])


def encode_artifact(manifest, host=None, sections=None):
    """The artifact container (runtime/include/hetc/runtime/
    artifact_format.h), written here so a test can pair any manifest with
    any shared object or other sections."""
    sections = [(b"manifest", manifest.encode())] + (
        [(b"host", host)] if host is not None else []) + (sections or [])
    align = lambda n: (n + 63) // 64 * 64  # noqa: E731
    cursor = align(64 + 56 * len(sections))
    table, body = b"", b""
    for name, data in sections:
        table += struct.pack("<32sQQII", name, cursor, len(data),
                             zlib.crc32(data), 64)
        body += data + b"\0" * (align(len(data)) - len(data))
        cursor += align(len(data))
    pad = b"\0" * (align(64 + len(table)) - 64 - len(table))
    size = 64 + len(table) + len(pad) + len(body)
    header = struct.pack("<8sIIQIIQI", b"HETCART\0", 1, 0, 64, len(sections),
                         0, size, zlib.crc32(table))
    return header + b"\0" * (64 - len(header)) + table + pad + body


def decode_artifact(data):
    """The sections of an artifact, in order: [(name, bytes)]."""
    table, count = struct.unpack_from("<QI", data, 16)
    sections = []
    for i in range(count):
        name, offset, size = struct.unpack_from("<32sQQ", data, table + 56 * i)
        sections.append((name.rstrip(b"\0"), data[offset:offset + size]))
    return sections


def signature_of(manifest):
    """The signature the runtime derives from `manifest` (what the compiler
    embeds in the code it emits)."""
    handle, text = ctypes.c_void_p(), ctypes.c_char_p()
    data = encode_artifact(manifest)
    runtime._call(runtime.lib().hetc_artifact_open_memory, data,
                  ctypes.c_size_t(len(data)), ctypes.byref(handle))
    try:
        runtime._call(runtime.lib().hetc_artifact_signature, handle,
                      ctypes.byref(text))
        return text.value
    finally:
        runtime.lib().free(text)
        runtime.lib().hetc_artifact_free(handle)


def sign_host(host, manifest):
    """A hand-written model (runtime/tests/fake_signature.h) signed for
    `manifest` in its reserved .hetc_signature section, as the compiler
    signs the code it emits."""
    host = bytearray(host)
    shoff, = struct.unpack_from("<Q", host, 40)
    shnum, shstrndx = struct.unpack_from("<HH", host, 60)
    names, = struct.unpack_from("<Q", host, shoff + 64 * shstrndx + 24)
    text = signature_of(manifest) + b"\0"
    for i in range(shnum):
        name, = struct.unpack_from("<I", host, shoff + 64 * i)
        end = host.index(b"\0", names + name)
        if host[names + name:end] == b".hetc_signature":
            offset, size = struct.unpack_from("<QQ", host, shoff + 64 * i + 24)
            assert len(text) <= size
            host[offset:offset + len(text)] = text
            return bytes(host)
    raise AssertionError("no .hetc_signature section")


def slow_artifact():
    """runtime/tests/fake_model.c: entry `slow` is eval after 300 ms."""
    tensor = '{{"name": "{}", "role": "{}", "dtype": "f32", "shape": {}}}'
    args = ", ".join([tensor.format("w", "param", [2]),
                      tensor.format("b", "param", [1]),
                      tensor.format("x", "input", [4, 2]),
                      tensor.format("y", "label", [4])])
    results = ", ".join([tensor.format("loss", "loss", []),
                         tensor.format("output0", "output", [4])])
    manifest = ('{"format_version": 1, "compiler_version": "0.1.0", '
                '"target": "cpu", "chip": "x86-64", "entries": [' +
                ", ".join('{{"name": "{0}", "kind": "eval", "symbol": '
                          '"hetc_entry_{0}", "args": [{1}], "results": '
                          '[{2}]}}'.format(name, args, results)
                          for name in ["eval", "slow"]) + "]}")
    host = (runtime.build_dir() / "runtime" / "tests" /
            "libhetc_fake_model.so").read_bytes()
    return hetc.Artifact(encode_artifact(manifest, sign_host(host, manifest)))


def test_close_waits_for_a_call_in_flight():
    session = hetc.Session(slow_artifact(), hetc.Device("cpu"), seed=1)
    x = np.arange(8, dtype=np.float32).reshape(4, 2)
    y = np.zeros(4, np.float32)
    expected = session.run("eval", x=x, y=y)[1]["output0"]
    result = {}

    def call():
        result["out"] = session.run("slow", x=x, y=y)[1]["output0"]

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.1)  # the slow entry is running now
    start = time.monotonic()
    session.close()
    waited = time.monotonic() - start
    thread.join()
    np.testing.assert_array_equal(result["out"], expected)
    assert waited > 0.1, "close() returned while the entry was running"
    with pytest.raises(hetc.Error, match="the session is closed"):
        session.run("eval", x=x, y=y)
    with pytest.raises(hetc.Error, match="the session is closed"):
        session.get("w")


# --- hetc-train's npy reader ----------------------------------------------

@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    return runtime.compile_model(
        MODEL, tmp_path_factory.mktemp("model") / "mlp.hetc",
        "--optimizer=sgd", "--lr=0.1")


def evaluate(tool, model, x, y):
    # The files are read (and refused) before any step runs. 100 rows are
    # 3 batches of 32 and 4 more, which the artifact has no variant for.
    return subprocess.run([tool("hetc-train"), str(model), "--epochs", "1",
                           "--train-x", str(x), "--train-y", str(y),
                           "--drop-last"],
                          capture_output=True, text=True, timeout=120)


def raw_npy(path, descr, shape, data=b"", fortran=False):
    header = ("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }"
              % (descr, fortran, shape)).encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
                     header + data)
    return path


# Float label files are refused whatever they hold (2.7, NaN and 1e10 used
# to reach an undefined float-to-int conversion); int64 labels are checked
# against the class range, row by row, before any step.
FLOAT_LABELS = "holds float64 labels but the model's label 'labels' is i32"


@pytest.mark.parametrize("labels, error", [
    (np.array([1.0, 2.7] * 50), FLOAT_LABELS),
    (np.array([1.0] * 7 + [np.nan] * 93), FLOAT_LABELS),
    (np.array([3.0, 1e10] * 50), FLOAT_LABELS),
    (np.array([2**32 + 3] * 100, np.int64),
     "row 0 has label 4294967299, outside [0, 10)"),
    (np.array([0] * 99 + [-2**40], np.int64),
     "row 99 has label -1099511627776, outside [0, 10)"),
])
def test_labels_without_an_exact_int32_are_refused(tool, compiled, tmp_path,
                                                   labels, error):
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((100, 64), np.float32))
    y = tmp_path / "y.npy"
    np.save(y, labels)
    result = evaluate(tool, compiled, x, y)
    assert result.returncode == 1
    assert f"'{y}'" in result.stderr and error in result.stderr


def test_bad_npy_files_are_refused(tool, compiled, tmp_path):
    good_y = tmp_path / "y.npy"
    np.save(good_y, np.zeros(100, np.int32))
    fortran = tmp_path / "fortran.npy"
    np.save(fortran, np.asfortranarray(np.zeros((100, 64), np.float32)))
    huge = tmp_path / "huge.npy"
    np.save(huge, np.full((100, 64), 1e300))
    cases = {
        fortran: "is in Fortran order; save it in C order",
        huge: "element #0 (1e+300) is outside the f32 range",
        raw_npy(tmp_path / "overflow.npy", "<f4", (2**40, 2**40, 64)):
            "has an unsupported shape",
        raw_npy(tmp_path / "bytes.npy", "<f4", (2**61, 4)):
            "its byte size overflows 64 bits",
        raw_npy(tmp_path / "big.npy", "<f4", (2**70,)):
            "has an unsupported shape",
        raw_npy(tmp_path / "short.npy", "<f4", (100, 64), b"\0" * 100):
            "is truncated: its shape needs 6400 elements of 4 bytes",
        raw_npy(tmp_path / "long.npy", "<f4", (100, 64), b"\0" * 25608):
            "has 8 bytes after the data its shape describes",
        raw_npy(tmp_path / "order.npy", "<f4", (100, 64), b"\0" * 25600,
                fortran="1"): "has a malformed fortran_order",
        tmp_path: "is a directory, not a regular file",
    }
    for x, error in cases.items():
        result = evaluate(tool, compiled, x, good_y)
        assert result.returncode == 1, x
        assert error in result.stderr, (x, result.stderr)
    # The same reader accepts a well-formed file.
    ok = tmp_path / "ok.npy"
    np.save(ok, np.zeros((100, 64), np.float32))
    result = evaluate(tool, compiled, ok, good_y)
    assert result.returncode == 0, result.stderr


# --- The manifest bound to the compiled code ------------------------------

@pytest.fixture(scope="module", params=["cpu", "vulkan"])
def compiled_for(request, tmp_path_factory):
    """The digits MLP compiled for a target, and a smaller MLP's manifest
    (another model) for the same target."""
    target = request.param
    if runtime.device_unavailable(target):
        pytest.skip(f"no {target} device: "
                    f"{runtime.device_unavailable(target)}")
    folder = tmp_path_factory.mktemp(target)
    main = runtime.compile_model(MODEL, folder / "mlp.hetc",
                                 f"--target={target}")
    small = MODEL.read_text().replace("128", "32")
    other = runtime.compile_model(small, folder / "small.hetc",
                                  f"--target={target}")
    other_manifest = dict(decode_artifact(other.read_bytes()))[b"manifest"]
    return target, main.read_bytes(), json.loads(other_manifest)


def with_manifest(data, manifest):
    """The artifact `data` with its manifest replaced and every CRC
    recomputed: only the binding to the code can tell."""
    sections = decode_artifact(data)
    return encode_artifact(json.dumps(manifest),
                           sections=[s for s in sections
                                     if s[0] != b"manifest"])


def edits(manifest, other):
    """(edit, error) pairs: each edit of the manifest that the code's
    signature must catch, with the field the runtime must name."""
    def entry(m, name="train_step"):
        return next(e for e in m["entries"] if e["name"] == name)

    def arg(m, name):
        return next(a for a in entry(m)["args"] if a["name"] == name)

    def wrong_shape(m):
        arg(m, "w1")["shape"] = [1, 64]

    def dropped(m):
        entry(m)["args"].remove(arg(m, "b2"))

    def duplicated(m):
        copy = dict(arg(m, "w2"), name="w2_again")
        entry(m)["args"].insert(entry(m)["args"].index(arg(m, "w2")) + 1,
                                copy)

    def swapped_symbol(m):
        entry(m)["symbol"] = entry(m, "eval")["symbol"]

    def no_results(m):
        entry(m)["results"] = []

    def another_model(m):
        m["entries"] = other["entries"]

    count = len(entry(manifest)["args"])
    return [
        (wrong_shape, r"entry 'train_step' argument #\d+ \('w1'\) has shape "
                      r"1x64 in the manifest but 128x64 in the compiled code"),
        (dropped, f"entry 'train_step' declares {count - 1} arguments in the "
                  f"manifest but the compiled code has {count}"),
        (duplicated, f"entry 'train_step' declares {count + 1} arguments in "
                     f"the manifest but the compiled code has {count}"),
        (swapped_symbol, "entry 'train_step' has symbol 'hetc_entry_eval' in "
                         "the manifest but 'hetc_entry_train_step' in the "
                         "compiled code"),
        (no_results, "entry 'train_step' declares 0 results in the manifest "
                     "but the compiled code has"),
        (another_model, r"entry 'train_step' argument #\d+ \('w1'\) has "
                        r"shape 32x64 in the manifest but 128x64"),
    ]


def test_manifest_edits_are_refused_naming_the_field(compiled_for):
    target, data, other = compiled_for
    manifest = json.loads(dict(decode_artifact(data))[b"manifest"])
    # Untouched, re-encoded, it loads and steps.
    session = hetc.Session(hetc.Artifact(with_manifest(data, manifest)),
                           hetc.Device(target), seed=1)
    x, y = batch()
    session.train_step(x=x, labels=y)
    for edit, error in edits(manifest, other):
        changed = json.loads(json.dumps(manifest))
        edit(changed)
        artifact = hetc.Artifact(with_manifest(data, changed))
        with pytest.raises(hetc.Error, match=error):
            hetc.Session(artifact, hetc.Device(target), seed=1)


def bound_member_edits(target):
    """(edit, member) pairs: edits outside the tensor signature, each of a
    value the code was compiled with, and the member the runtime names."""
    def arg(m, name):
        entry = next(e for e in m["entries"] if e["name"] == "train_step")
        return next(a for a in entry["args"] if a["name"] == name)

    def init_value(m):
        arg(m, "w1")["init"]["value"] = 0.5

    def init_kind(m):
        arg(m, "b1")["init"]["kind"] = "zeros"

    def default_lr(m):
        arg(m, "hyper:lr")["init"]["value"] = 0.1

    def label_classes(m):
        arg(m, "labels")["classes"] = 100

    def optimizer(m):
        m["optimizer"]["momentum"] = 0.9

    def model(m):
        m["model"] = "other"

    def chip(m):
        m["chip"] = m["chip"] + "x"

    def cpu_features(m):
        m["cpu_features"] = ([] if m["cpu_features"] else ["avx"])

    def device_block(m):
        m["device"]["kernels"][0]["block"] = [1, 1, 1]

    edits = [(init_value, "entries"), (init_kind, "entries"),
             (default_lr, "entries"), (label_classes, "entries"),
             (optimizer, "optimizer"), (model, "model"), (chip, "chip"),
             (cpu_features, "cpu_features")]
    if target != "cpu":
        edits.append((device_block, "device"))
    return edits


def test_edits_outside_the_tensor_signature_are_refused(compiled_for):
    """Initializers, class counts, the optimizer, the chip, the processor
    features and the device program are bound to the code too, by hash:
    changing one with every CRC recomputed is refused naming the member,
    while reformatting the JSON (indentation, key order) is not an edit."""
    target, data, _ = compiled_for
    manifest = json.loads(dict(decode_artifact(data))[b"manifest"])
    reordered = dict(reversed(list(manifest.items())))
    sections = [s for s in decode_artifact(data) if s[0] != b"manifest"]
    session = hetc.Session(
        hetc.Artifact(encode_artifact(json.dumps(reordered, indent=2),
                                      sections=sections)),
        hetc.Device(target), seed=1)
    x, y = batch()
    session.train_step(x=x, labels=y)
    for edit, member in bound_member_edits(target):
        changed = json.loads(json.dumps(manifest))
        edit(changed)
        artifact = hetc.Artifact(with_manifest(data, changed))
        with pytest.raises(hetc.Error, match=re.escape(
                f"the manifest's '{member}' differs from the one the code "
                "was compiled with")):
            hetc.Session(artifact, hetc.Device(target), seed=1)
    # A member the code does not bind is refused as well.
    extra = dict(manifest, note="added")
    with pytest.raises(hetc.Error, match=re.escape(
            "the manifest's 'note' is not bound by the compiled code")):
        hetc.Session(hetc.Artifact(with_manifest(data, extra)),
                     hetc.Device(target), seed=1)


def test_code_without_a_signature_is_refused(compiled_for):
    target, data, _ = compiled_for
    sections = decode_artifact(data)
    manifest = dict(sections)[b"manifest"].decode()
    if target == "cpu":
        # The host object with its signature section renamed.
        host = bytearray(dict(sections)[b"host"])
        at = host.index(b".hetc_signature\0")
        host[at:at + 15] = b".hetc_unsigned_"
        stripped = [(b"host", bytes(host))] + [
            s for s in sections if s[0] not in (b"manifest", b"host")]
        where = "the host code's ELF section .hetc_signature"
    else:
        stripped = [s for s in sections
                    if s[0] not in (b"manifest", b"signature")]
        where = "the artifact section 'signature'"
    artifact = hetc.Artifact(encode_artifact(manifest, sections=stripped))
    with pytest.raises(hetc.Error, match=re.escape(
            f"the artifact's compiled code carries no signature ({where})")):
        hetc.Session(artifact, hetc.Device(target), seed=1)
