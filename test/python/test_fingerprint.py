"""State fingerprints (docs/reproducibility.md): the runtime's SHA-256
against hashlib, the documented encoding rebuilt here with hashlib, and
fingerprints equal for equal states (two sessions trained alike, a
checkpoint round trip, another device) and different for any other."""
import ctypes
import hashlib
import json
import struct
import sys

import numpy as np
import pytest
import torch

import runtime
from conftest import mlp_batch as batch

sys.path.insert(0, str(runtime.build_dir() / "python_packages"))
import hetc  # noqa: E402
import hetc.torch  # noqa: E402
from hetc import nn, optim  # noqa: E402

ROLES = {"param": 0, "opt_state": 1, "buffer": 6, "hyper": 7}
DTYPES = {"f32": 0, "f16": 1, "bf16": 2, "i32": 3, "i64": 4}


def runtime_sha256(data):
    fn = runtime.lib().hetc_sha256
    fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
    fn.restype = None
    digest = ctypes.create_string_buffer(32)
    fn(data, len(data), digest)
    return digest.raw.hex()


def test_sha256_matches_hashlib():
    # FIPS 180-2's examples, then every length across the padding's block
    # boundaries and a few large random inputs.
    vectors = [b"", b"abc",
               b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
               b"a" * 1000000]
    rng = np.random.default_rng(0)
    vectors += [rng.bytes(n) for n in range(0, 200)]
    vectors += [rng.bytes(n) for n in (1 << 16, 1000003, 4 << 20)]
    for data in vectors:
        assert runtime_sha256(data) == hashlib.sha256(data).hexdigest(), \
            len(data)
    assert runtime_sha256(b"abc") == ("ba7816bf8f01cfea414140de5dae2223"
                                      "b00361a396177a9cb410ff61f20015ad")


def documented_fingerprint(session, manifest, rng_seed=0, rng_counter=0):
    """docs/reproducibility.md's encoding, built from the manifest and the
    tensors' values, hashed with hashlib."""
    infos = {}
    for entry in manifest["entries"]:
        for arg in entry["args"]:
            if arg["role"] in ROLES:
                infos.setdefault(arg["name"], arg)
    names = session.state_names
    out = b"HETC-FP1" + struct.pack("<qQQI", session.step, rng_seed,
                                    rng_counter, len(names))
    for name in names:
        info = infos[name]
        value = session.get(name)
        data = value.astype(value.dtype.newbyteorder("<")).tobytes()
        encoded = name.encode()
        out += struct.pack("<I", len(encoded)) + encoded
        out += struct.pack("<III", ROLES[info["role"]], DTYPES[info["dtype"]],
                           len(info["shape"]))
        out += struct.pack(f"<{len(info['shape'])}q", *info["shape"])
        out += struct.pack("<Q", len(data)) + data
    return hashlib.sha256(out).hexdigest()


def cnn_trainer(seed=0, optimizer=None):
    """Conv, BatchNorm (buffers), Dropout (RNG state) and Adam (optimizer
    state, several hyper-parameters)."""
    model = nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.Flatten(), nn.Dropout(0.5), nn.Linear(64, 3))
    return hetc.Trainer(model, (4, 2, 6, 6), nn.CrossEntropyLoss(),
                        optimizer or optim.Adam(lr=0.01), seed=seed)


def cnn_batch(seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((4, 2, 6, 6)).astype(np.float32),
            rng.integers(0, 3, 4).astype(np.int32))


def test_the_documented_encoding_is_the_fingerprint():
    trainer = cnn_trainer(seed=7)
    for i in range(3):
        trainer.step(*cnn_batch(i))
    manifest = json.loads(trainer.artifact.manifest)
    roles = {a["role"] for e in manifest["entries"] for a in e["args"]}
    assert {"param", "opt_state", "buffer", "hyper"} <= roles
    assert trainer.seed_names, "the model draws dropout seeds"
    session = trainer.session
    assert session.fingerprint(5, 9) == documented_fingerprint(
        session, manifest, 5, 9)
    assert session.fingerprint() == documented_fingerprint(session, manifest)
    # The trainer's RNG state: its seed and the dropout seeds drawn.
    assert trainer.fingerprint() == documented_fingerprint(
        session, manifest, 7, 3 * len(trainer.seed_names))


def test_equal_for_sessions_trained_alike_and_changed_by_a_step(artifact):
    a = hetc.Session(artifact, hetc.Device(), seed=3)
    b = hetc.Session(artifact, hetc.Device(), seed=3)
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != hetc.Session(artifact, hetc.Device(),
                                           seed=4).fingerprint()
    for i in range(3):
        x, y = batch(i)
        a.train_step(x=x, labels=y)
        assert a.fingerprint() != b.fingerprint()
        b.train_step(x=x, labels=y)
        assert a.fingerprint() == b.fingerprint()
    fingerprint = a.fingerprint()
    assert len(fingerprint) == 64 and int(fingerprint, 16) >= 0


def test_one_flipped_bit_changes_it(artifact):
    session = hetc.Session(artifact, hetc.Device(), seed=1)
    x, y = batch()
    session.train_step(x=x, labels=y)
    before = session.fingerprint()
    for name in session.state_names:
        original = session.get(name)
        flipped = original.copy()
        bits = flipped.reshape(-1).view(np.uint32)
        bits[len(bits) // 2] ^= 1 << (len(bits) % 23)
        session.set(name, flipped)
        assert session.fingerprint() != before, name
        session.set(name, original)
        assert session.fingerprint() == before, name


def test_hyper_parameters_and_rng_state_count(artifact):
    session = hetc.Session(artifact, hetc.Device(), seed=1)
    before = session.fingerprint()
    assert session.fingerprint(0, 0) == before
    assert session.fingerprint(1, 0) != before
    assert session.fingerprint(0, 1) != before
    session.set_hyperparameter("lr", 0.05)
    assert session.fingerprint() != before
    session.set_hyperparameter("lr", 0.1)
    assert session.fingerprint() == before


def devices():
    """The cpu and every GPU target whose device exists here."""
    return ["cpu"] + [t for t in ("vulkan", "cuda", "rocm", "level-zero")
                      if not runtime.device_unavailable(t)]


@pytest.mark.parametrize("target", devices())
def test_a_checkpoint_round_trip_keeps_it_on_any_device(target, tmp_path):
    """State trained on the cpu, loaded into a fresh session on `target`
    (vulkan: downloaded from the device), fingerprints alike."""
    from conftest import MLP_MODEL
    options = {"optimizer": "adam", "lr": 0.01}
    cpu = hetc.Session(hetc.compile_file(MLP_MODEL, optimizer=options),
                       hetc.Device(), seed=2)
    for i in range(4):
        x, y = batch(i)
        cpu.train_step(x=x, labels=y)
    path = str(tmp_path / "state.ckpt")
    cpu.save_checkpoint(path)
    other = hetc.Session(hetc.compile_file(MLP_MODEL, target=target,
                                           optimizer=options),
                         hetc.Device(target), seed=9)
    assert other.fingerprint() != cpu.fingerprint()
    other.load_checkpoint(path)
    assert other.step == 4
    assert other.fingerprint() == cpu.fingerprint()


def test_trainers_compare_by_fingerprint(tmp_path):
    a, b = cnn_trainer(seed=3), cnn_trainer(seed=3)
    assert a.fingerprint() == b.fingerprint()
    for i in range(2):
        a.step(*cnn_batch(i))
        b.step(*cnn_batch(i))
    assert a.fingerprint() == b.fingerprint()
    # Another seed: other parameters and other dropout masks.
    c = cnn_trainer(seed=4)
    for i in range(2):
        c.step(*cnn_batch(i))
    assert c.fingerprint() != a.fingerprint()
    # A checkpoint restores the session and, inside the same file, the
    # trainer's dropout-seed sequence: a loaded trainer (built with any
    # seed) fingerprints as the saved one and steps as it would.
    path = str(tmp_path / "cnn.ckpt")
    a.save(path)
    fresh = cnn_trainer(seed=9)
    fresh.load(path)
    assert fresh.fingerprint() == a.fingerprint()
    for i in range(2, 4):
        assert fresh.step(*cnn_batch(i)) == a.step(*cnn_batch(i))
    assert fresh.fingerprint() == a.fingerprint()


def test_a_checkpoint_without_trainer_state_warns_for_dropout(tmp_path):
    a = cnn_trainer(seed=3)
    a.step(*cnn_batch(0))
    path = str(tmp_path / "session-only.ckpt")
    a.session.save_checkpoint(path)  # as hetc-train writes: no trainer blob
    fresh = cnn_trainer(seed=3)
    with pytest.warns(UserWarning, match="holds no trainer state: the "
                                         "dropout masks restart"):
        fresh.load(path)
    assert fresh.session.fingerprint() == a.session.fingerprint()
    # A malformed trainer state is refused, naming the checkpoint.
    fresh.session.set_checkpoint_blob("hetc.trainer", b"{not json")
    fresh.session.save_checkpoint(path)
    with pytest.raises(ValueError, match="session-only.ckpt.*hetc.trainer "
                                         "state is malformed"):
        fresh.load(path)


def small_torch_trainer(seed, batch_norm=False):
    """A torch MLP with Dropout (and BatchNorm1d) compiled by hetc.torch:
    (trainer, model, optimizer, x, y)."""
    torch.manual_seed(0)
    norm = [torch.nn.BatchNorm1d(8)] if batch_norm else []
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), *norm, torch.nn.ReLU(),
                                torch.nn.Dropout(0.25), torch.nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.randn(5, 6)
    y = torch.tensor([0, 1, 1, 0, 1])
    trainer = hetc.torch.compile(model, torch.nn.functional.cross_entropy,
                                 opt, (x,), (y,), seed=seed)
    return trainer, model, opt, x, y


def test_a_loaded_torch_trainer_continues_the_saved_run(tmp_path):
    """The dropout-seed sequence and BatchNorm's num_batches_tracked travel
    inside the checkpoint (no file beside it): a trainer compiled with
    another seed, loaded, takes the same next steps bit for bit."""
    a, _, _, x, y = small_torch_trainer(1, batch_norm=True)
    for _ in range(2):
        a.step(x, y)
    path = tmp_path / "torch.ckpt"
    a.save(path)
    assert not (tmp_path / "torch.ckpt.counters.npz").exists()
    b, other, *_ = small_torch_trainer(2, batch_norm=True)
    b.load(path)
    assert int(other[1].num_batches_tracked) == 2
    assert b.fingerprint() == a.fingerprint()
    for _ in range(2):
        assert float(b.step(x, y)) == float(a.step(x, y))
    assert b.fingerprint() == a.fingerprint()


def test_the_torch_trainer_fingerprints_what_the_next_step_reads():
    (a, model, opt, x, y), (b, *_) = (small_torch_trainer(1),
                                      small_torch_trainer(1))
    assert a.fingerprint() == b.fingerprint()
    a.step(x, y)
    b.step(x, y)
    assert a.fingerprint() == b.fingerprint()
    # An edit of the torch module, and a new lr in the torch optimizer,
    # count before the next step pushes them.
    before = a.fingerprint()
    with torch.no_grad():
        model[0].weight[0, 0] += 1.0
    assert a.fingerprint() != before
    edited = a.fingerprint()
    opt.param_groups[0]["lr"] = 0.05
    assert a.fingerprint() != edited


@pytest.fixture(scope="module")
def mlp_file(tmp_path_factory):
    from conftest import MLP_MODEL
    return runtime.compile_model(
        MLP_MODEL, tmp_path_factory.mktemp("model") / "mlp.hetc",
        "--optimizer=adam", "--lr=0.01", "--batch-sizes=32,29")


def train_log(tool, digits, mlp_file, *args):
    import subprocess
    result = subprocess.run(
        [tool("hetc-train"), str(mlp_file),
         "--train-x", str(digits / "digits_train_x.npy"),
         "--train-y", str(digits / "digits_train_y.npy"), "--quiet",
         *map(str, args)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines()
            if line.startswith("step ")]


def test_two_hetc_train_runs_compare_by_their_logs(tool, digits, mlp_file,
                                                   tmp_path):
    # 1437 rows: 44 batches of 32 and one of 29, 45 steps an epoch.
    log = train_log(tool, digits, mlp_file, "--epochs", 2,
                    "--fingerprint-every", 20, "--seed", 3)
    steps = [int(line.split()[1]) for line in log]
    assert steps == [20, 40, 60, 80, 90]
    assert all(len(line.split()[3]) == 64 for line in log)
    assert len({line.split()[3] for line in log}) == len(log)
    assert train_log(tool, digits, mlp_file, "--epochs", 2,
                     "--fingerprint-every", 20, "--seed", 3) == log
    other = train_log(tool, digits, mlp_file, "--epochs", 2,
                      "--fingerprint-every", 20, "--seed", 4)
    assert [line.split()[1] for line in other] == [str(s) for s in steps]
    assert not set(other) & set(log)
    # A run resumed from a checkpoint replays the shuffles: its log goes on
    # with the uninterrupted run's fingerprints.
    ckpt = tmp_path / "epoch1.ckpt"
    first = train_log(tool, digits, mlp_file, "--epochs", 1, "--seed", 3,
                      "--fingerprint-every", 20, "--save", ckpt)
    assert first == log[:2] + [first[-1]] and first[-1].startswith("step 45 ")
    resumed = train_log(tool, digits, mlp_file, "--epochs", 1, "--seed", 3,
                        "--fingerprint-every", 20, "--resume", ckpt)
    assert resumed == log[2:]


def test_hetc_train_refuses_bad_fingerprint_options(tool, mlp_file, digits):
    import subprocess
    for args, message in [
            (["--fingerprint-every", "0"], "needs a positive number"),
            (["--fingerprint-every", "-2"], "non-negative integer"),
            (["--fingerprint-every", "x"], "non-negative integer"),
            (["--eval-only", "--resume", "c.ckpt", "--test-x", "x.npy",
              "--test-y", "y.npy", "--fingerprint-every", "5"],
             "--eval-only trains none")]:
        result = subprocess.run([tool("hetc-train"), str(mlp_file), *args],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert message in result.stderr, result.stderr
