// The vulkan target: one SPIR-V shader module with a GLCompute entry point
// per kernel, its workgroup size fixed in the module.
// RUN: hetc-compile %s --target=vulkan --emit=asm | FileCheck %s
// RUN: hetc-compile %s --target=vulkan --chip=generic --emit=asm | FileCheck %s

// CHECK: spirv.module @__spv__hetc_kernels Logical GLSL450 requires #spirv.vce<{{[^,]+}}, [Shader
// CHECK-SAME: [SPV_KHR_storage_buffer_storage_class]>
// The matmul tiles are Workgroup variables (16x16 f32).
// CHECK: spirv.GlobalVariable @{{__workgroup_mem__[0-9]+}} : !spirv.ptr<!spirv.struct<(!spirv.array<256 x f32>)>, Workgroup>
// Buffers are bound through descriptor set 0, one binding per kernel
// argument. The forward matmul (x: 256x16, w: 4x16, y: 256x4; its output's
// zero fill folded in) binds three buffers, stages its tiles in workgroup
// memory and synchronizes on them.
// CHECK: spirv.GlobalVariable @[[MATMUL:train_step_kernel]]_arg_0 bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.array<4096 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-NEXT: spirv.GlobalVariable @[[MATMUL]]_arg_1 bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.array<64 x f32, stride=4> [0])>, StorageBuffer>
// CHECK-NEXT: spirv.GlobalVariable @[[MATMUL]]_arg_2 bind(0, 2) : !spirv.ptr<!spirv.struct<(!spirv.array<1024 x f32, stride=4> [0])>, StorageBuffer>
// CHECK: spirv.func @[[MATMUL]]() "None"
// CHECK: spirv.mlir.addressof @{{__workgroup_mem__[0-9]+}} : !spirv.ptr<!spirv.struct<(!spirv.array<256 x f32>)>, Workgroup>
// CHECK: spirv.Store "Workgroup"
// CHECK: spirv.ControlBarrier <Workgroup>, <Workgroup>, <AcquireRelease|WorkgroupMemory>
// CHECK: spirv.Load "Workgroup"
// CHECK: spirv.ControlBarrier <Workgroup>, <Workgroup>, <AcquireRelease|WorkgroupMemory>
// CHECK: spirv.Return
// The matmul runs 16x16 workgroups; the 1024 elements of an elementwise
// kernel run as 4 workgroups of 256.
// CHECK: spirv.EntryPoint "GLCompute" @[[MATMUL]], {{.*}}@__builtin__LocalInvocationId__
// CHECK-NEXT: spirv.ExecutionMode @[[MATMUL]] "LocalSize", 16, 16, 1
// CHECK-NEXT: spirv.EntryPoint "GLCompute" @train_step_kernel_0,
// CHECK-NEXT: spirv.ExecutionMode @train_step_kernel_0 "LocalSize", 256, 1, 1
// The eval entry's kernels are in the same module.
// CHECK: spirv.EntryPoint "GLCompute" @eval_kernel,
// CHECK-NOT: spirv.EntryPoint "Kernel"

// The artifact carries the module and the device program.
// RUN: rm -f %t.hetc
// RUN: hetc-compile %s --target=vulkan -o %t.hetc
// RUN: test -s %t.hetc
// RUN: llvm-strings -n 3 %t.hetc | FileCheck %s --check-prefix=ARTIFACT
// ARTIFACT: HETCART
// ARTIFACT: manifest
// ARTIFACT: spirv
// ARTIFACT: {"chip":"generic",
// ARTIFACT-SAME: "device":{"constants":[],"kernels":[{"bindings":3,"block":[16,16,1],"name":"train_step_kernel","source":"gpu-vulkan.mlir:{{[0-9]+}}:9"},{"bindings":3,"block":[256,1,1],"name":"train_step_kernel_0","source":"gpu-vulkan.mlir:{{[0-9]+}}:9"},
// ARTIFACT-SAME: "programs":{"eval":{"commands":[{
// ARTIFACT-SAME: "train_step":{"commands":[{"bindings":["a4","a0","t0"],"dispatch":0,"grid":[1,16,1]},{"bindings":["t0","a1","t1"],"dispatch":1,"grid":[4,1,1]},
// ARTIFACT-SAME: "target":"vulkan"

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
