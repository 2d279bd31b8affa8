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
        check-all \
        demo bench clean sanitize-build test-sanitize fuzz-build fuzz-corpus \
        fuzz-smoke fuzz bench-reproducible

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

# The pytest files run under lit, one lit test per file (test/python/
# lit_pytest.cfg.py); a failing file shows pytest's report.
check-python: build
	ninja -C $(BUILD_DIR) check-hetc-python

# The .mlir tests and the pytest files in one lit run, with one summary.
check-all: build
	ninja -C $(BUILD_DIR) check-hetc-all

test: check-unit check-all

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

# The reproducible mode's cost against the default compilation, on cpu and
# on vulkan where a device exists (docs/reproducibility.md).
bench-reproducible: build
	HETC_BUILD_DIR=$(abspath $(BUILD_DIR)) $(PYTHON) bench/reproducible.py

clean:
	rm -rf $(BUILD_DIR)

# --- Sanitizers and fuzzers (clang-22, compiler-rt from setup) ------------
# One build folder holds the ASan+UBSan build and the libFuzzer targets.
SANITIZE_DIR ?= build-sanitize
ASAN_RT := $(shell clang-22 -print-file-name=libclang_rt.asan-x86_64.so \
  2>/dev/null)
# LeakSanitizer on: the runtime must be leak-free; libMLIR's own leaks are
# named in the suppressions file. allow_user_poisoning=0: LLVM's inline
# allocators poison their slabs in hetc's instrumented copies, and
# uninstrumented libMLIR, sharing those slabs, never unpoisons them.
SANITIZE_ASAN := detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:allow_user_poisoning=0
SANITIZE_ENV := \
  ASAN_OPTIONS=$(SANITIZE_ASAN) \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$(abspath test/sanitize/lsan.supp):print_suppressions=0
# The runtime-facing Python tests; Python itself is not instrumented, so
# the ASan runtime is preloaded and leaks are not checked there (CPython and
# torch keep their allocations until exit).
SANITIZE_PYTESTS ?= test/python/test_hardening.py test/python/test_inputs.py \
  test/python/test_bindings.py test/python/test_buffers.py

$(SANITIZE_DIR)/build.ninja: | setup
	CCACHE_BASEDIR=$(abspath .) cmake -G Ninja -S . -B $(SANITIZE_DIR) \
	  -DCMAKE_BUILD_TYPE=Release $(LAUNCHER) \
	  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
	  -DHETC_SANITIZE=ON -DHETC_FUZZ=ON \
	  -DLLVM_EXTERNAL_LIT=$(LLVM_DIR)/bin/lit -DLLVM_LIT_ARGS="-sv" \
	  -DPython3_EXECUTABLE=$(PYTHON)

sanitize-build: $(SANITIZE_DIR)/build.ninja
	ninja -C $(SANITIZE_DIR) -j $(JOBS) all hetc-fuzzers

test-sanitize: sanitize-build
	$(SANITIZE_ENV) ninja -C $(SANITIZE_DIR) check-hetc
	$(SANITIZE_ENV) ctest --test-dir $(SANITIZE_DIR) --output-on-failure \
	  -j $(JOBS)
	$(SANITIZE_ENV) ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allow_user_poisoning=0 \
	  LD_PRELOAD=$(ASAN_RT) HETC_BUILD_DIR=$(abspath $(SANITIZE_DIR)) \
	  $(PYTHON) -m pytest -q -p no:cacheprovider $(SANITIZE_PYTESTS)
	$(MAKE) fuzz-smoke

FUZZ_DIR = $(SANITIZE_DIR)/fuzz
FUZZERS := artifact npy checkpoint mlir
# fuzz-smoke: a fixed number of executions per target from a fixed seed,
# sized for about 60 s in all from a fresh corpus (a grown corpus runs
# faster). fuzz: long runs, FUZZ_RUNS each.
FUZZ_SMOKE_RUNS ?= npy=150000 checkpoint=75000 artifact=5000 mlir=10000
FUZZ_RUNS ?= 1000000

fuzz-build: sanitize-build

fuzz-corpus: fuzz-build
	BUILD_DIR=$(abspath $(SANITIZE_DIR)) PYTHON=$(PYTHON) \
	  bash scripts/fuzz-corpus.sh $(abspath $(FUZZ_DIR))

fuzz-smoke: fuzz-corpus
	@set -e; for spec in $(FUZZ_SMOKE_RUNS); do \
	  t=$${spec%%=*}; n=$${spec#*=}; \
	  bash scripts/fuzz-run.sh $(abspath $(SANITIZE_DIR)) $$t $$n; \
	done

fuzz: fuzz-corpus
	@set -e; for t in $(FUZZERS); do \
	  bash scripts/fuzz-run.sh $(abspath $(SANITIZE_DIR)) $$t $(FUZZ_RUNS); \
	done
