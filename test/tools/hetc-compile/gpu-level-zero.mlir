// The level-zero target: one OpenCL-flavoured SPIR-V module (Kernel
// capability, physical 64-bit addressing), buffers passed as pointers.
// RUN: hetc-compile %s --target=level-zero --emit=asm | FileCheck %s

// CHECK: spirv.module @__spv__hetc_kernels Physical64 OpenCL requires #spirv.vce<{{[^,]+}}, [{{.*}}Kernel{{.*}}], []>
// CHECK-NOT: Shader
// CHECK: spirv.GlobalVariable @{{__workgroup_mem__[0-9]+}} : !spirv.ptr<!spirv.array<256 x f32>, Workgroup>
// The forward matmul (its output's zero fill folded in) takes x, w and its
// output as CrossWorkgroup pointers.
// CHECK: spirv.func @[[MATMUL:train_step_kernel]](%{{.+}}: !spirv.ptr<!spirv.array<4096 x f32>, CrossWorkgroup>, %{{.+}}: !spirv.ptr<!spirv.array<64 x f32>, CrossWorkgroup>, %{{.+}}: !spirv.ptr<!spirv.array<1024 x f32>, CrossWorkgroup>) "None"
// CHECK: spirv.Store "Workgroup"
// CHECK: spirv.ControlBarrier <Workgroup>, <Workgroup>, <AcquireRelease|WorkgroupMemory>
// CHECK: spirv.Load "Workgroup"
// CHECK: spirv.ControlBarrier <Workgroup>, <Workgroup>, <AcquireRelease|WorkgroupMemory>
// CHECK: spirv.EntryPoint "Kernel" @[[MATMUL]],
// CHECK-NEXT: spirv.ExecutionMode @[[MATMUL]] "LocalSize", 16, 16, 1
// CHECK-NEXT: spirv.EntryPoint "Kernel" @train_step_kernel_0,
// CHECK-NEXT: spirv.ExecutionMode @train_step_kernel_0 "LocalSize", 256, 1, 1
// CHECK: spirv.EntryPoint "Kernel" @eval_kernel,
// CHECK-NOT: "GLCompute"

// RUN: rm -f %t.hetc
// RUN: hetc-compile %s --target=level-zero --chip=generic -o %t.hetc
// RUN: test -s %t.hetc
// RUN: llvm-strings -n 3 %t.hetc | FileCheck %s --check-prefix=ARTIFACT
// ARTIFACT: HETCART
// ARTIFACT: manifest
// ARTIFACT: spirv
// ARTIFACT: {"chip":"generic",
// ARTIFACT-SAME: "kernels":[{"bindings":3,"block":[16,16,1],"name":"train_step_kernel","source":"gpu-level-zero.mlir:{{[0-9]+}}:9"},{"bindings":3,"block":[256,1,1],"name":"train_step_kernel_0","source":"gpu-level-zero.mlir:{{[0-9]+}}:9"},
// ARTIFACT-SAME: "target":"level-zero"

func.func @mlp(%x: tensor<256x16xf32> {hetc.input, hetc.name = "x"},
               %labels: tensor<256xi32> {hetc.label, hetc.name = "labels"},
               %w: tensor<4x16xf32> {hetc.param = #hetc.init<uniform, 0.25>, hetc.name = "w"},
               %b: tensor<4xf32> {hetc.param = #hetc.init<zeros>, hetc.name = "b"})
    -> tensor<f32> {
  %h0 = hetc.matmul %x, %w transpose_rhs : (tensor<256x16xf32>, tensor<4x16xf32>) -> tensor<256x4xf32>
  %h1 = hetc.add %h0, %b : (tensor<256x4xf32>, tensor<4xf32>) -> tensor<256x4xf32>
  %h = hetc.relu %h1 : tensor<256x4xf32>
  %loss = hetc.cross_entropy %h, %labels : (tensor<256x4xf32>, tensor<256xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
