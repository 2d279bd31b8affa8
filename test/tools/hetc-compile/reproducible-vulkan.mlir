// The reproducible mode on vulkan: no split reductions, the contractions
// summed from the outputs' initial values, and every float multiply, add,
// subtract, divide and negation decorated NoContraction, so the driver
// (lavapipe fuses otherwise) cannot form an fma.
// RUN: hetc-compile %s --target=vulkan --reproducible --emit=asm | FileCheck %s
// RUN: hetc-compile %s --target=vulkan --reproducible --print-ir-after-all --emit=asm 2>&1 >/dev/null | FileCheck %s --check-prefix=PASSES
// RUN: hetc-compile %s --target=vulkan --print-ir-after-all --emit=asm 2>&1 >/dev/null | FileCheck %s --check-prefix=DEFAULT-PASSES
// RUN: hetc-compile %s --target=vulkan --emit=asm | FileCheck %s --check-prefix=DEFAULT

// CHECK-NOT: spirv.GL.Fma
// CHECK: spirv.FMul %{{[^ ]+}}, %{{[^ ]+}} {no_contraction} : f32
// CHECK-NEXT: spirv.FAdd %{{[^ ]+}}, %{{[^ ]+}} {no_contraction} : f32
// CHECK-NOT: spirv.FMul %{{[^ ]+}}, %{{[^ ]+}} : f32
// CHECK-NOT: spirv.FAdd %{{[^ ]+}}, %{{[^ ]+}} : f32
// CHECK-NOT: spirv.FSub %{{[^ ]+}}, %{{[^ ]+}} : f32
// CHECK-NOT: spirv.FDiv %{{[^ ]+}}, %{{[^ ]+}} : f32
// CHECK-NOT: spirv.GL.Fma

// PASSES-NOT: HetcGPUSplitReductions
// PASSES: IR Dump After HetcGPUTileContractions
// PASSES-NOT: HetcGPUSplitReductions
// PASSES: IR Dump After HetcSPIRVNoContraction
// DEFAULT-PASSES: IR Dump After HetcGPUSplitReductions
// DEFAULT-PASSES-NOT: HetcSPIRVNoContraction

// DEFAULT-NOT: no_contraction

func.func @mlp(%x: tensor<256x16xf32> {hetc.input, hetc.name = "x"},
               %labels: tensor<256xi32> {hetc.label, hetc.name = "labels"},
               %w: tensor<64x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w"},
               %b: tensor<64xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b"},
               %w2: tensor<4x64xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w2"})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<256x16xf32>, tensor<64x16xf32>) -> tensor<256x64xf32>
  %h1 = hetc.add %h0, %b : (tensor<256x64xf32>, tensor<64xf32>) -> tensor<256x64xf32>
  %h = hetc.relu %h1 : tensor<256x64xf32>
  %logits = hetc.matmul %h, %w2 transpose_rhs : (tensor<256x64xf32>, tensor<4x64xf32>) -> tensor<256x4xf32>
  %loss = hetc.cross_entropy %logits, %labels : (tensor<256x4xf32>, tensor<256xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
