"""The device-less checks of GPU artifacts (gpu_artifact.py), which every
op's compile test for cuda, rocm and level-zero runs: they pass on the
digits MLP for every GPU target, and each one fails when what it checks
breaks (a corrupt kernel, a missing kernel, another chip, a manifest that
no longer matches the code or the CPU artifact, a damaged container)."""
import ctypes
import json
import pathlib

import pytest

import gpu_artifact
import runtime

REPO = pathlib.Path(__file__).resolve().parents[2]
MLP = REPO / "examples" / "mlp_digits.mlir"
GPUS = ["cuda", "rocm", "level-zero", "vulkan"]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("targets")
    return {target: runtime.compile_model(MLP, out / f"mlp.{target}.hetc",
                                          f"--target={target}")
            for target in ["cpu"] + GPUS}


def run_check(gpu_path, cpu_path, tmp_path):
    not_run = gpu_artifact.check(gpu_path, cpu_path, tmp_path)
    if not_run:
        pytest.skip("not validated: " + "; ".join(not_run))


@pytest.mark.parametrize("gpu", GPUS)
def test_mlp_artifact_passes_every_check(compiled, gpu, tmp_path):
    run_check(compiled[gpu], compiled["cpu"], tmp_path)


def kernel_section(compiled, target, kind):
    data = compiled[target].read_bytes()
    manifest = json.loads(gpu_artifact.sections(data)["manifest"])
    kernels = [k["name"] for k in manifest["device"]["kernels"]]
    chip = gpu_artifact.read_in_runtime(compiled[target])["chip"]
    return gpu_artifact.sections(data)[kind], chip, kernels


def validate(kind, data, chip, kernels, tmp_path, target):
    reason = gpu_artifact.validate_kernels(kind, data, chip, kernels, tmp_path,
                                           target)
    if reason:
        pytest.skip(reason)


def set_elf_machine(elf, machine):
    return elf[:18] + machine.to_bytes(2, "little") + elf[20:]


# Each corruption, and the message the check fails with.
CORRUPTIONS = [
    ("level-zero", "spirv", lambda b: b[:-8], "spirv-val"),
    ("vulkan", "spirv", lambda b: b"\0\0\0\0" + b[4:], "spirv-val"),
    ("cuda", "ptx", lambda b: b.replace(b"ret;", b"ret.bogus;", 1), "ptxas"),
    ("cuda", "cubin", lambda b: set_elf_machine(b, 62), "is not EM_CUDA code"),
    ("cuda", "cubin", lambda b: b[:200], "llvm-readobj"),
    ("rocm", "hsaco", lambda b: set_elf_machine(b, 62),
     "is not EM_AMDGPU code"),
    ("rocm", "hsaco", lambda b: b[:200], "llvm-readobj"),
]


@pytest.mark.parametrize("target, kind, corrupt, error", CORRUPTIONS,
                         ids=[f"{t}-{k}-{i}" for i, (t, k, _, _)
                              in enumerate(CORRUPTIONS)])
def test_corrupt_kernels_fail_validation(compiled, tmp_path, target, kind,
                                         corrupt, error):
    data, chip, kernels = kernel_section(compiled, target, kind)
    validate(kind, data, chip, kernels, tmp_path, target)  # intact: passes
    with pytest.raises(AssertionError, match=error):
        validate(kind, corrupt(data), chip, kernels, tmp_path, target)


@pytest.mark.parametrize("target, kind", [("cuda", "cubin"), ("cuda", "ptx"),
                                          ("rocm", "hsaco"),
                                          ("level-zero", "spirv")])
def test_a_kernel_the_binary_lacks_fails(compiled, tmp_path, target, kind):
    data, chip, kernels = kernel_section(compiled, target, kind)
    with pytest.raises(AssertionError, match=r"does not define the kernels "
                                             r"\['no_such_kernel'\]"):
        validate(kind, data, chip, kernels + ["no_such_kernel"], tmp_path,
                 target)


@pytest.mark.parametrize("target, kind, other", [("cuda", "cubin", "sm_90"),
                                                 ("rocm", "hsaco", "gfx942")])
def test_code_for_another_chip_fails(compiled, tmp_path, target, kind, other):
    data, _, kernels = kernel_section(compiled, target, kind)
    with pytest.raises(AssertionError, match=f"is not built for {other}"):
        validate(kind, data, other, kernels, tmp_path, target)


def reencode(path, replace, out):
    """Writes the artifact at `path` with some sections replaced, through the
    runtime's own encoder (so the container and its CRCs are valid)."""
    found = gpu_artifact.sections(path.read_bytes())
    found.update(replace)

    class Section(ctypes.Structure):
        _fields_ = [("name", ctypes.c_char_p), ("data", ctypes.c_char_p),
                    ("size", ctypes.c_size_t)]

    keep = [(name.encode(), bytes(data)) for name, data in found.items()]
    table = (Section * len(keep))(*[Section(n, d, len(d)) for n, d in keep])
    data, size = ctypes.c_void_p(), ctypes.c_size_t()
    error = ctypes.c_char_p()
    assert runtime.lib().hetc_artifact_encode(
        table, ctypes.c_size_t(len(keep)), ctypes.byref(data),
        ctypes.byref(size), ctypes.byref(error)) == 0, error.value
    out.write_bytes(ctypes.string_at(data, size.value))
    ctypes.CDLL(None).free(data)
    return out


def test_a_manifest_that_no_longer_describes_the_code_fails(compiled,
                                                            tmp_path):
    path = compiled["level-zero"]
    manifest = json.loads(gpu_artifact.sections(path.read_bytes())
                          ["manifest"])
    manifest["entries"][0]["args"][0]["shape"][0] += 1
    edited = reencode(path, {"manifest": json.dumps(manifest).encode()},
                      tmp_path / "edited.hetc")
    with pytest.raises(AssertionError,
                       match="the signature embedded with the kernels "
                             "differs"):
        gpu_artifact.check(edited, compiled["cpu"], tmp_path)


def test_a_manifest_other_than_the_cpu_artifacts_fails(compiled, tmp_path):
    # Another model: batches of 33 rows instead of 32.
    other = MLP.read_text().replace("tensor<32x", "tensor<33x").replace(
        "tensor<32xi32>", "tensor<33xi32>")
    assert other != MLP.read_text()
    cpu = runtime.compile_model(other, tmp_path / "other.cpu.hetc",
                                "--target=cpu")
    with pytest.raises(AssertionError,
                       match="the runtime reads other entries than the CPU "
                             "artifact's"):
        gpu_artifact.check(compiled["level-zero"], cpu, tmp_path)
    # The same model with another optimizer.
    adam = runtime.compile_model(MLP, tmp_path / "adam.cpu.hetc",
                                 "--target=cpu", "--optimizer=adam")
    with pytest.raises(AssertionError, match="other entries"):
        gpu_artifact.check(compiled["level-zero"], adam, tmp_path)


def test_a_damaged_container_is_refused_by_the_runtime(compiled, tmp_path):
    data = bytearray(compiled["rocm"].read_bytes())
    hsaco = gpu_artifact.sections(bytes(data))["hsaco"]
    data[bytes(data).index(hsaco) + 100] ^= 0xFF  # one bit of the kernels
    damaged = tmp_path / "damaged.hetc"
    damaged.write_bytes(bytes(data))
    with pytest.raises(runtime.HetcError, match="CRC"):
        gpu_artifact.check(damaged, compiled["cpu"], tmp_path)
