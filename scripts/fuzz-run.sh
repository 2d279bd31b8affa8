#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed number of executions:
#   fuzz-run.sh BUILD_DIR TARGET RUNS
# New inputs go to BUILD_DIR/fuzz/work/TARGET (the seed corpus in
# BUILD_DIR/fuzz/corpus/TARGET is only read); a crash is written to
# BUILD_DIR/fuzz/crashes/TARGET/ and makes this script fail.
set -euo pipefail
build=$1 target=$2 runs=$3
root="$(cd "$(dirname "$0")/.." && pwd)"
fuzzer="$build/bin/fuzz/hetc-fuzz-$target"
work="$build/fuzz/work/$target"
crashes="$build/fuzz/crashes/$target"
mkdir -p "$work" "$crashes"
# allow_user_poisoning=0: see SANITIZE_ASAN in the Makefile.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allow_user_poisoning=0}
# libFuzzer's link puts libstdc++ before the shared ASan runtime, which must
# come first: the fuzzer (only) preloads it.
asan_runtime=$(clang-22 -print-file-name=libclang_rt.asan-x86_64.so)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS="suppressions=$root/test/sanitize/lsan.supp:print_suppressions=0"
log="$build/fuzz/$target.$runs.log"
start=$(date +%s)
status=0
LD_PRELOAD="$asan_runtime" "$fuzzer" -runs="$runs" -seed=1 -timeout=20 -rss_limit_mb=4096 \
  -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" \
  "$work" "$build/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
elapsed=$(( $(date +%s) - start ))
execs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 |
  grep -o '[0-9]*$' || echo "?")
found=$(find "$crashes" -type f | wc -l)
echo "fuzz $target: $execs executions in ${elapsed} s, $found crashes" \
  "(log: $log)"
if ((status != 0 || found != 0)); then
  tail -n 40 "$log" >&2
  exit 1
fi
