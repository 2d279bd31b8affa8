# hetc: `make demo` and `make test` do everything on a fresh Debian 12
# machine, as root: install packages, configure, build, then run.

BUILD_DIR ?= build
PYTHON ?= /usr/bin/python3
JOBS ?= $(shell nproc)
LLVM_DIR ?= /usr/lib/llvm-22
# The demo's target: cpu, vulkan (runs on lavapipe here), cuda, rocm or
# level-zero where such a device exists.
TARGET ?= cpu

.PHONY: all setup configure build test check-lit check-unit check-python \
        demo bench clean

all: build

setup:
	@bash scripts/setup.sh

# Configure only when the build tree is missing; setup runs first
# (order-only, so it never forces a reconfigure).
# ccache, when installed, makes rebuilds of other clones nearly free: paths
# under the clone are hashed relative to it.
CCACHE := $(shell command -v ccache 2>/dev/null)
export CCACHE_BASEDIR := $(abspath .)
LAUNCHER := $(if $(CCACHE),-DCMAKE_C_COMPILER_LAUNCHER=ccache \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

$(BUILD_DIR)/build.ninja: | setup
	cmake -G Ninja -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(LAUNCHER) \
	  -DLLVM_EXTERNAL_LIT=$(LLVM_DIR)/bin/lit \
	  -DLLVM_LIT_ARGS="-sv" \
	  -DPython3_EXECUTABLE=$(PYTHON)

configure: setup $(BUILD_DIR)/build.ninja

build: configure
	ninja -C $(BUILD_DIR) -j $(JOBS) all hetc-doc

check-lit: build
	ninja -C $(BUILD_DIR) check-hetc

check-unit: build
	@if [ -n "$$(ctest --test-dir $(BUILD_DIR) -N | grep -E '^ *Test +#')" ]; then \
	  ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS); \
	else \
	  echo "check-unit: no C++ unit tests registered"; \
	fi

check-python: build
	HETC_BUILD_DIR=$(abspath $(BUILD_DIR)) $(PYTHON) -m pytest -q test/python

test: check-lit check-unit check-python

demo: build
	BUILD_DIR=$(abspath $(BUILD_DIR)) PYTHON=$(PYTHON) TARGET=$(TARGET) \
	  bash scripts/demo.sh

bench: build
	@if [ -f bench/run.py ]; then \
	  HETC_BUILD_DIR=$(abspath $(BUILD_DIR)) $(PYTHON) bench/run.py; \
	else \
	  echo "bench: no bench/run.py yet; the benchmarks against PyTorch" \
	    "arrive with training on the CPU backend (issue [cpu])" >&2; \
	  exit 1; \
	fi

clean:
	rm -rf $(BUILD_DIR)
