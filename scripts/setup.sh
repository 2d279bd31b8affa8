#!/usr/bin/env bash
# Installs every Debian package hetc needs to build, test and run its demo.
# Idempotent: when everything is present it only says so.
set -euo pipefail

packages=(
  # Build tools.
  cmake ninja-build g++ make git ccache
  # LLVM/MLIR 22: libraries, mlir-tblgen, lit/FileCheck, clang (CPU
  # ukernel bitcode), ld.lld (CPU shared objects, HSACO), OpenMP runtime.
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  libomp-22-dev
  # Sanitizer and libFuzzer runtimes for `make test-sanitize` and `make fuzz`.
  libclang-rt-22-dev
  # Python: bindings, the numerical oracle (torch), data (sklearn), ONNX
  # import, plots and tests.
  pybind11-dev python3-pybind11 python3-dev python3-numpy python3-torch
  python3-sklearn python3-onnx python3-matplotlib python3-pytest
  python3-tqdm
  # C++ unit tests.
  libgtest-dev libgmock-dev
  # GPU targets: Vulkan loader, headers and lavapipe (a CPU Vulkan device),
  # SPIR-V tools, Level Zero headers and loader, ROCm device libraries.
  libvulkan-dev mesa-vulkan-drivers vulkan-tools spirv-tools libze-dev
  rocm-device-libs
  # Multi-process runs.
  libopenmpi-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
else
  echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
  sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null; then
      sudo=(sudo)
    else
      echo "setup: error: not root and sudo is not available; as root run:" >&2
      echo "  apt-get update && apt-get install -y --no-install-recommends" \
        "${missing[*]}" >&2
      exit 1
    fi
  fi
  # `env` inside sudo: sudo's env_reset would drop DEBIAN_FRONTEND.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
    --no-install-recommends "${missing[@]}"
  echo "setup: installed ${missing[*]}"
fi

# CUDA is not a Debian main package: the NVIDIA targets need the toolkit
# already installed at /usr/local/cuda.
if [[ -x /usr/local/cuda/bin/ptxas ]]; then
  echo "setup: CUDA toolkit found at /usr/local/cuda"
else
  echo "setup: note: no CUDA toolkit at /usr/local/cuda (ptxas); the cuda" \
    "target will report it missing"
fi
