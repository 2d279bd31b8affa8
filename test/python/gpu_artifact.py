"""Checks a GPU artifact where no device of its target exists: the
runtime's reader opens it and finds the signature the compiler embedded
equal to its manifest's, every kernel section passes the vendor's
validator and defines every kernel the manifest's device program names,
and the manifest describes the same training step as the model's CPU
artifact (entries, tensors, roles, dtypes, shapes, initializers, optimizer).

`check` raises AssertionError naming what is wrong, and returns the
validators it could not run (their tool is missing) so that the caller
skips with that reason instead of passing without them."""
import ctypes
import json
import pathlib
import re
import shutil
import struct
import subprocess

import runtime

LLVM_BIN = pathlib.Path("/usr/lib/llvm-22/bin")

# The device code each target's artifact carries (docs/architecture.md, 5).
KERNEL_SECTIONS = {"cuda": ["cubin", "ptx"], "rocm": ["hsaco"],
                   "level-zero": ["spirv"], "vulkan": ["spirv"]}
SPIRV_ENV = {"level-zero": "opencl1.2", "vulkan": "vulkan1.1"}


def sections(data):
    """The artifact's sections by name, read from the container layout of
    runtime/include/hetc/runtime/artifact_format.h (the runtime's reader
    validates it; this only locates the bytes)."""
    table, count = struct.unpack_from("<QI", data, 16)
    out = {}
    for i in range(count):
        entry = data[table + 56 * i:table + 56 * (i + 1)]
        offset, size = struct.unpack_from("<QQ", entry, 32)
        out[entry[:32].rstrip(b"\0").decode()] = data[offset:offset + size]
    return out


def read_in_runtime(path):
    """Opens `path` with the C runtime's artifact reader; returns its target,
    chip, the signature its manifest describes and every entry's tensors as
    the reader parsed them."""
    lib = runtime.lib()
    artifact = ctypes.c_void_p()
    runtime._call(lib.hetc_artifact_open, str(path).encode(),
                  ctypes.byref(artifact))
    try:
        text = ctypes.c_void_p()
        runtime._call(lib.hetc_artifact_signature, artifact,
                      ctypes.byref(text))
        signature = ctypes.string_at(text).decode()
        ctypes.CDLL(None).free(text)
        entries = {}
        for i in range(lib.hetc_artifact_entry_count(artifact)):
            name = lib.hetc_artifact_entry_name(artifact, ctypes.c_size_t(i))
            entries[name.decode()] = _entry_tensors(lib, artifact, name)
        return {"target": lib.hetc_artifact_target(artifact).decode(),
                "chip": _chip(lib, artifact), "signature": signature,
                "entries": entries}
    finally:
        lib.hetc_artifact_free(artifact)


def _chip(lib, artifact):
    lib.hetc_artifact_chip.restype = ctypes.c_char_p
    return lib.hetc_artifact_chip(artifact).decode()


def _entry_tensors(lib, artifact, name):
    na, nr = ctypes.c_size_t(), ctypes.c_size_t()
    args = ctypes.POINTER(runtime.TensorInfo)()
    results = ctypes.POINTER(runtime.TensorInfo)()
    runtime._call(lib.hetc_artifact_entry_signature, artifact, name,
                  ctypes.byref(na), ctypes.byref(args), ctypes.byref(nr),
                  ctypes.byref(results))
    describe = lambda t: (t.name.decode(), t.role, t.dtype,
                          tuple(t.shape[:t.rank]))
    return ([describe(args[k]) for k in range(na.value)],
            [describe(results[k]) for k in range(nr.value)])


def _tool(name, *candidates):
    for path in candidates:
        if pathlib.Path(path).exists():
            return str(path)
    return shutil.which(name)


def _run(cmd, what):
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, (
        f"{what}: {' '.join(map(str, cmd[:2]))} failed:\n{result.stderr}")
    return result.stdout


def _elf_symbols(path, what):
    """The ELF file's header lines and symbol names, from llvm-readobj."""
    tool = _tool("llvm-readobj", LLVM_BIN / "llvm-readobj")
    if not tool:
        return None
    out = _run([tool, "--file-headers", "--symbols", str(path)], what)
    names = set(re.findall(r"^\s*Name: (\S+) \(", out, re.MULTILINE))
    return out, names


def validate_kernels(kind, data, chip, kernels, tmp, target):
    """Validates one kernel section; returns None, or why it could not (a
    missing tool). Raises AssertionError when the code is invalid or lacks
    one of `kernels`."""
    path = pathlib.Path(tmp) / f"kernels.{kind}"
    path.write_bytes(data)
    what = f"the {kind} section"
    if kind == "spirv":
        val = _tool("spirv-val")
        dis = _tool("spirv-dis")
        if not val or not dis:
            return "spirv-val/spirv-dis (spirv-tools) not found"
        _run([val, "--target-env", SPIRV_ENV[target], str(path)], what)
        text = _run([dis, str(path)], what)
        defined = set(re.findall(r'OpEntryPoint \w+ %\S+ "([^"]+)"', text))
    elif kind == "ptx":
        ptxas = _tool("ptxas", "/usr/local/cuda/bin/ptxas")
        if not ptxas:
            return "ptxas (the CUDA toolkit) not found"
        _run([ptxas, f"-arch={chip}", str(path), "-o",
              str(path.with_suffix(".cubin"))], what)
        defined = set(re.findall(r"\.entry\s+(\w+)",
                                 data.decode(errors="replace")))
    else:
        elf = _elf_symbols(path, what)
        if elf is None:
            return "llvm-readobj-22 not found"
        header, defined = elf
        machine, flag = (("EM_CUDA", f"EF_CUDA_SM{chip[3:]}") if kind == "cubin"
                         else ("EM_AMDGPU",
                               f"EF_AMDGPU_MACH_AMDGCN_{chip.upper()}"))
        assert f"Machine: {machine}" in header, f"{what} is not {machine} code"
        assert flag in header, f"{what} is not built for {chip} ({flag})"
    missing = sorted(set(kernels) - defined)
    assert not missing, f"{what} does not define the kernels {missing}"
    return None


def _manifest(data):
    return json.loads(sections(data)["manifest"].rstrip(b"\0"))


def check(gpu_path, cpu_path, tmp):
    """Checks the GPU artifact `gpu_path` against the CPU artifact of the
    same model and flags; returns the reasons of validators not run."""
    gpu_bytes = pathlib.Path(gpu_path).read_bytes()
    gpu = read_in_runtime(gpu_path)
    cpu = read_in_runtime(cpu_path)
    found = sections(gpu_bytes)
    embedded = found.get("signature", b"").split(b"\0")[0].decode()
    assert embedded == gpu["signature"], (
        "the signature embedded with the kernels differs from the one the "
        f"manifest describes:\n{embedded}\n---\n{gpu['signature']}")
    assert gpu["entries"] == cpu["entries"], (
        f"the runtime reads other entries than the CPU artifact's:\n"
        f"{gpu['entries']}\n---\n{cpu['entries']}")
    manifest = _manifest(gpu_bytes)
    cpu_manifest = _manifest(pathlib.Path(cpu_path).read_bytes())
    for field in ["entries", "model", "optimizer", "format_version"]:
        assert manifest[field] == cpu_manifest[field], (
            f"manifest field '{field}' differs from the CPU artifact's:\n"
            f"{manifest[field]}\n---\n{cpu_manifest[field]}")
    kernels = [k["name"] for k in manifest["device"]["kernels"]]
    assert kernels, "the device program has no kernels"
    not_run = []
    for kind in KERNEL_SECTIONS[gpu["target"]]:
        assert kind in found, f"the artifact has no '{kind}' section"
        reason = validate_kernels(kind, found[kind], gpu["chip"], kernels, tmp,
                                  gpu["target"])
        if reason:
            not_run.append(f"{kind}: {reason}")
    return not_run
