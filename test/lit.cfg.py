# -*- Python -*-
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "HETC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.hetc_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%hetc_src_root", config.hetc_src_root))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
# make test-sanitize: the sanitizers' settings reach the tools.
llvm_config.with_system_environment(
    ["ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.hetc_tools_dir, config.llvm_tools_dir]
tools = ["hetc-opt", "hetc-compile", "hetc-train"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# GPU toolchains. Tests that need one say REQUIRES: <feature>, so a machine
# without it reports them UNSUPPORTED instead of passing them vacuously.

# hetc-compile reads these to find the CUDA and ROCm toolkits.
llvm_config.with_system_environment(["CUDA_HOME", "HETC_ROCM_TOOLKIT"])

# LLVM 22's tools, not older ones earlier on PATH (they lack the newest ELF
# flags, e.g. EF_AMDGPU_MACH_AMDGCN_GFX942).
llvm_config.add_tool_substitutions(["llvm-readobj", "llvm-strings"],
                                   [config.llvm_tools_dir])

spirv_val = shutil.which("spirv-val")
if spirv_val:
    config.available_features.add("spirv-val")
    llvm_config.add_tool_substitutions([ToolSubst("spirv-val", spirv_val)])

# The cuda target: hetc-compile runs ptxas and links libdevice from
# $CUDA_HOME (else /usr/local/cuda); the PTX tests run ptxas themselves.
cuda_home = os.environ.get("CUDA_HOME") or "/usr/local/cuda"
ptxas = next((p for p in [os.path.join(cuda_home, "bin", "ptxas"),
                          "/usr/local/cuda/bin/ptxas"] if os.path.exists(p)),
             None)
if ptxas:
    config.available_features.add("ptxas")
    llvm_config.add_tool_substitutions([ToolSubst("ptxas", ptxas)])
if all(os.path.exists(os.path.join(cuda_home, piece)) for piece in [
        "bin/ptxas", "nvvm/libdevice/libdevice.10.bc"]):
    config.available_features.add("cuda-toolkit")

# The rocm target: the toolkit folder the build assembles (or
# HETC_ROCM_TOOLKIT) with ld.lld and the device libraries, including the
# ISA-version libraries of the chips the tests use.
rocm_toolkit = os.environ.get("HETC_ROCM_TOOLKIT") or os.path.join(
    config.hetc_obj_root, "rocm-toolkit")
if all(os.path.exists(os.path.join(rocm_toolkit, piece)) for piece in [
        "llvm/bin/ld.lld", "amdgcn/bitcode/ocml.bc", "amdgcn/bitcode/ockl.bc",
        "amdgcn/bitcode/oclc_isa_version_90a.bc",
        "amdgcn/bitcode/oclc_isa_version_942.bc"]):
    config.available_features.add("rocm-toolkit")
