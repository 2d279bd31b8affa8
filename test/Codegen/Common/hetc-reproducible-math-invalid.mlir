// RUN: hetc-opt %s --split-input-file --verify-diagnostics --hetc-reproducible-math

// An op without a reproducible expansion stops the pass at its location,
// so no future op silently escapes the mode.
func.func @sin(%x: f32) -> f32 {
  // expected-error @+1 {{hetc-reproducible-math: 'math.sin' has no reproducible expansion}}
  %0 = math.sin %x : f32
  return %0 : f32
}

// -----

// Fusion is not part of the mode: an fma would round once on one target and
// twice on another.
func.func @fma(%x: f32, %y: f32, %z: f32) -> f32 {
  // expected-error @+1 {{hetc-reproducible-math: 'math.fma' has no reproducible expansion}}
  %0 = math.fma %x, %y, %z : f32
  return %0 : f32
}

// -----

func.func @remf(%x: f32, %y: f32) -> f32 {
  // expected-error @+1 {{hetc-reproducible-math: 'arith.remf' has no reproducible expansion}}
  %0 = arith.remf %x, %y : f32
  return %0 : f32
}

// -----

// f64 is not expanded (hetc models compute in f32 / f16 / bf16).
func.func @f64(%x: f64) -> f64 {
  // expected-error @+1 {{hetc-reproducible-math: 'math.exp' has no reproducible expansion}}
  %0 = math.exp %x : f64
  return %0 : f64
}
