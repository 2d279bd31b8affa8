// RUN: hetc-opt %s --split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(hetc-gpu-map-parallel-loops))'

// A scalar loaded at the top level is recomputed in the loop nests that
// read it, unless its buffer is written in between: then it would have to
// cross from one kernel into another.
func.func @escapes(%s: memref<f32>, %y: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{'memref.load' op defines a value used outside its kernel; the GPU lowering cannot offload it}}
  %v = memref.load %s[] : memref<f32>
  memref.store %zero, %s[] : memref<f32>
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    memref.store %v, %y[%i] : memref<16xf32>
    scf.reduce
  }
  return
}

// -----

// A scalar the function returns cannot come back from a kernel either.
func.func @returned(%s: memref<f32>) -> f32 {
  // expected-error @+1 {{'memref.load' op defines a value used outside its kernel}}
  %v = memref.load %s[] : memref<f32>
  return %v : f32
}

// -----

func.func @parallel_reduction(%y: memref<16xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{'scf.parallel' op has reductions, which the GPU lowering does not map}}
  %r = scf.parallel (%i) = (%c0) to (%c16) step (%c1) init (%zero) -> f32 {
    %v = memref.load %y[%i] : memref<16xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %r : f32
}

// -----

func.func @dynamic_bounds(%y: memref<?xf32>, %n: index, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'scf.parallel' op has dynamic bounds, which the GPU lowering does not map}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %v, %y[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

func.func @nested_reduction(%y: memref<4x8xf32>, %o: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    // expected-error @+1 {{'scf.parallel' op is a nested parallel reduction, which the GPU lowering does not map}}
    %r = scf.parallel (%j) = (%c0) to (%c8) step (%c1) init (%zero) -> f32 {
      %v = memref.load %y[%i, %j] : memref<4x8xf32>
      scf.reduce(%v : f32) {
      ^bb0(%a: f32, %b: f32):
        %s = arith.addf %a, %b : f32
        scf.reduce.return %s : f32
      }
    }
    memref.store %r, %o[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

// The pass runs after bufferization.
func.func @tensors(%x: tensor<16xf32>, %y: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'linalg.copy' op still works on tensors after bufferization}}
  %r = linalg.copy ins(%x : tensor<16xf32>) outs(%y : tensor<16xf32>) -> tensor<16xf32>
  return %r : tensor<16xf32>
}
