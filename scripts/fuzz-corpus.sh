#!/usr/bin/env bash
# Builds the fuzzers' seed corpora from the project's own examples:
#   fuzz-corpus.sh FUZZ_DIR   (BUILD_DIR and PYTHON from the environment)
# artifact: examples/mlp_digits.mlir compiled for cpu and vulkan;
# checkpoint: valid checkpoints (with and without a blob) the checkpoint
#   fuzzer saves itself;
# npy: arrays numpy writes, plus the committed hand-made files;
# mlir: the examples and the dialect's lit tests.
set -euo pipefail
out=$1
root="$(cd "$(dirname "$0")/.." && pwd)"
build=${BUILD_DIR:?BUILD_DIR must name the sanitizer build}
python=${PYTHON:-/usr/bin/python3}
corpus="$out/corpus"
mkdir -p "$corpus"/{artifact,checkpoint,npy,mlir}
# Leaks are not the point here (the compiler is run, not fuzzed).
export ASAN_OPTIONS=detect_leaks=0
asan_runtime=$(clang-22 -print-file-name=libclang_rt.asan-x86_64.so)

# A one-layer model keeps the artifact seeds small (a few KiB), so each
# execution is fast; the example MLP adds a realistic one.
tiny="$out/tiny.mlir"
cat >"$tiny" <<'MLIR'
func.func @tiny(%x: tensor<2x3xf32> {hetc.input, hetc.name = "x"},
                %y: tensor<2x1xf32> {hetc.label, hetc.name = "y"},
                %w: tensor<1x3xf32> {hetc.param = #hetc.init<uniform, 0.5>, hetc.name = "w"})
    -> (tensor<f32>, tensor<2x1xf32>) {
  %p = hetc.matmul %x, %w transpose_rhs : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x1xf32>
  %l = hetc.mse %p, %y : (tensor<2x1xf32>, tensor<2x1xf32>) -> tensor<f32>
  return %l, %p : tensor<f32>, tensor<2x1xf32>
}
MLIR
for target in cpu vulkan; do
  seed="$corpus/artifact/tiny.$target.hetc"
  [[ -s $seed ]] || "$build/bin/hetc-compile" "$tiny" --target="$target" \
    -o "$seed"
done
seed="$corpus/artifact/mlp_digits.vulkan.hetc"
[[ -s $seed ]] || "$build/bin/hetc-compile" "$root/examples/mlp_digits.mlir" \
  --target=vulkan -o "$seed"

[[ -s $corpus/checkpoint/valid-blob.ckpt ]] ||
  HETC_FUZZ_SEED_DIR="$corpus/checkpoint" LD_PRELOAD="$asan_runtime" \
    "$build/bin/fuzz/hetc-fuzz-checkpoint" -runs=0 >/dev/null 2>&1

"$python" - "$corpus/npy" <<'PY'
import sys, numpy as np
out = sys.argv[1]
arrays = {
    "f4_2d": np.arange(12, dtype="<f4").reshape(3, 4),
    "f8_1d": np.linspace(-1, 1, 5).astype("<f8"),
    "i4_1d": np.array([0, 3, 9, 1], dtype="<i4"),
    "i8_1d": np.array([2, 7, 0], dtype="<i8"),
    "f4_scalar": np.array(1.5, dtype="<f4"),
    "f4_empty": np.zeros((0, 3), dtype="<f4"),
    "f4_fortran": np.asfortranarray(np.ones((2, 3), dtype="<f4")),
}
for name, a in arrays.items():
    np.save(f"{out}/{name}.npy", a)
PY
cp "$root"/test/fuzz/corpus/npy/* "$corpus/npy/" 2>/dev/null || true

cp "$root"/examples/*.mlir "$corpus/mlir/"
# Inputs that once crashed a target stay in its corpus as regressions.
cp "$root"/test/fuzz/corpus/mlir/* "$corpus/mlir/" 2>/dev/null || true
for f in "$root"/test/Dialect/Hetc/*.mlir; do
  cp "$f" "$corpus/mlir/dialect_$(basename "$f")"
done
for t in artifact checkpoint npy mlir; do
  echo "fuzz-corpus: $t: $(ls "$corpus/$t" | wc -l) seeds"
done
