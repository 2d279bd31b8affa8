#!/usr/bin/env bash
# The main job: check and compile examples/mlp_digits.mlir for the CPU.
# BUILD_DIR and PYTHON come from the Makefile.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
bin="$BUILD_DIR/bin"
model=examples/mlp_digits.mlir
work="$BUILD_DIR/demo"
mkdir -p "$work"

echo "== round trip: $model"
"$bin/hetc-opt" "$model" > "$work/roundtrip.mlir"
"$bin/hetc-opt" "$work/roundtrip.mlir" > "$work/roundtrip2.mlir"
cmp -s "$work/roundtrip.mlir" "$work/roundtrip2.mlir"
echo "   printed form is stable"

echo "== model contract"
"$bin/hetc-opt" --hetc-verify-model "$model" > /dev/null
"$PYTHON" - "$work/roundtrip.mlir" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
start = text.index("func.func")
header = text[start:text.index("{\n", start)]
for name, ty, attrs in re.findall(r"(%arg\d+): (tensor<[^>]*>) \{([^}]*)\}", header):
    print(f"   {name:7s} {ty:22s} {attrs}")
print("   results:", header.split("->")[-1].strip())
PY

echo "== compile the eval entry for the CPU"
start=$(date +%s%N)
"$bin/hetc-compile" "$model" --eval-only --emit=obj -o "$work/mlp_eval.o"
end=$(date +%s%N)
echo "   hetc-compile: $(((end - start) / 1000000)) ms," \
  "object $(stat -c %s "$work/mlp_eval.o") bytes"
echo "training arrives with the runtime and autodiff (issues [cpu], [autodiff])"
