#!/usr/bin/env bash
# The main job: compile examples/mlp_digits.mlir for the CPU and train it on
# scikit-learn's digits set. BUILD_DIR and PYTHON come from the Makefile;
# TARGET picks the target: cpu (default), vulkan (lavapipe runs it on the
# CPU), cuda, rocm or level-zero where such a device exists.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
TARGET=${TARGET:-cpu}
EPOCHS=${EPOCHS:-20}
bin="$BUILD_DIR/bin"
model=examples/mlp_digits.mlir
work="$BUILD_DIR/demo"
data="$BUILD_DIR/data"
mkdir -p "$work"

echo "== model: $model"
"$bin/hetc-opt" "$model" > "$work/roundtrip.mlir"
"$bin/hetc-opt" "$work/roundtrip.mlir" > "$work/roundtrip2.mlir"
if ! cmp -s "$work/roundtrip.mlir" "$work/roundtrip2.mlir"; then
  echo "demo: printing $model is not stable; compare $work/roundtrip*.mlir" >&2
  exit 1
fi
"$bin/hetc-opt" --hetc-verify-model "$model" > /dev/null
echo "   parses, prints stably and the model contract holds"
# A summary of the model's interface, read from the printed IR.
"$PYTHON" - "$work/roundtrip.mlir" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
start = text.index("func.func")
header = text[start:text.index(" {\n", start)]
args = re.findall(r"%arg(\d+): (tensor<[^>]*>) \{([^}]*)\}", header)
if not args:
    sys.exit("demo: cannot read the model's arguments")
for number, ty, attrs in args:
    name = re.search(r'hetc\.name = "([^"]*)"', attrs)
    name = name.group(1) if name else f"arg{number}"
    init = re.search(r"hetc\.param = #hetc\.init<([^>]*)>", attrs)
    if init:
        kind, _, value = init.group(1).partition(",")
        init = kind + (f"({float(value):.4g})" if value else "")
        print(f"   param  {name:7s} {ty:24s} init {init}")
    elif "hetc.input" in attrs:
        print(f"   input  {name:7s} {ty}")
    elif "hetc.label" in attrs:
        print(f"   label  {name:7s} {ty}")
results = header.split("->")[-1].strip().strip("()").split(", ")
print(f"   loss   {results[0]}" + (f", outputs {', '.join(results[1:])}"
                                    if len(results) > 1 else ""))
PY

if [[ ! -f "$data/digits_test_y.npy" ]]; then
  "$PYTHON" scripts/prepare_digits.py "$data"
fi

echo "== compile train_step and eval for $TARGET (SGD, lr 0.1, momentum 0.9)"
# 1437 training rows = 44 batches of 32 + 29: the 29-row variant trains the
# last batch of each epoch, so every row is used.
start=$(date +%s%N)
"$bin/hetc-compile" "$model" --target="$TARGET" --optimizer=sgd --lr=0.1 \
  --momentum=0.9 --batch-sizes=32,29 -o "$work/mlp_digits.hetc"
end=$(date +%s%N)
echo "   hetc-compile: $(((end - start) / 1000000)) ms," \
  "artifact $(stat -c %s "$work/mlp_digits.hetc") bytes"

echo "== train"
start=$(date +%s%N)
"$bin/hetc-train" "$work/mlp_digits.hetc" --device "$TARGET" \
  --train-x "$data/digits_train_x.npy" --train-y "$data/digits_train_y.npy" \
  --test-x "$data/digits_test_x.npy" --test-y "$data/digits_test_y.npy" \
  --epochs "$EPOCHS" --seed 1 --loss-log "$work/losses.csv" \
  --save "$work/mlp_digits.ckpt" | tee "$work/train.log" | grep -v '^test accuracy'
end=$(date +%s%N)

"$PYTHON" - "$work/losses.csv" "$work/loss_curve.png" "$TARGET" <<'PY'
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rows = list(csv.DictReader(open(sys.argv[1])))
epochs = [int(r["epoch"]) for r in rows]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(epochs, [float(r["train_loss"]) for r in rows], label="train loss")
ax.plot(epochs, [float(r["test_loss"]) for r in rows], label="test loss")
ax.set_xlabel("epoch"); ax.set_ylabel("cross-entropy"); ax.set_yscale("log")
ax.set_title(f"hetc: 64-128-10 MLP on digits ({sys.argv[3]})"); ax.legend()
fig.tight_layout(); fig.savefig(sys.argv[2], dpi=100)
print(f"   loss curve: {sys.argv[2]}")
PY
echo "   total time: $(((end - start) / 1000000)) ms, checkpoint" \
  "$work/mlp_digits.ckpt"
tail -n 1 "$work/train.log"
