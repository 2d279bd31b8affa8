// RUN: hetc-opt %s --pass-pipeline='builtin.module(gpu.module(hetc-spirv-prepare-kernels))' | FileCheck %s

// The kernel's known block size becomes its SPIR-V workgroup size, and its
// workgroup attribution an allocation in memory space 3 (Workgroup) at the
// entry, which every use now reads. The target environment attached to the
// module is also set as the attribute the math patterns look up.
// CHECK-LABEL: gpu.module @hetc_kernels
// CHECK-SAME: attributes {spirv.target_env = #spirv.target_env<#spirv.vce<v1.3, [Shader], []>, #spirv.resource_limits<>>}
// CHECK: gpu.func @transpose(%[[M:[^:]+]]: memref<16x16xf32>) kernel
// CHECK-NOT: workgroup(
// CHECK-SAME: spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [16, 16, 1]>
// CHECK-NEXT: %[[TILE:.+]] = memref.alloc() : memref<16x16xf32, 3>
// CHECK: %[[V:.+]] = memref.load %[[M]]
// CHECK: memref.store %[[V]], %[[TILE]][%{{.+}}, %{{.+}}] : memref<16x16xf32, 3>
// CHECK: gpu.barrier
// CHECK: %[[U:.+]] = memref.load %[[TILE]][%{{.+}}, %{{.+}}] : memref<16x16xf32, 3>
// CHECK: memref.store %[[U]], %[[M]]

// A kernel without attributions only gets its workgroup size.
// CHECK: gpu.func @fill(%{{.+}}: memref<64xf32>) kernel
// CHECK-SAME: spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [64, 1, 1]>
// CHECK-NOT: memref.alloc

// Device functions that are not kernels are left alone.
// CHECK: gpu.func @helper() {
// CHECK-NOT: spirv.entry_point_abi
module attributes {gpu.container_module} {
  gpu.module @hetc_kernels [#spirv.target_env<#spirv.vce<v1.3, [Shader], []>, #spirv.resource_limits<>>] {
    gpu.func @transpose(%m: memref<16x16xf32>)
        workgroup(%w : memref<16x16xf32, #gpu.address_space<workgroup>>)
        kernel attributes {known_block_size = array<i32: 16, 16, 1>} {
      %tx = gpu.thread_id x
      %ty = gpu.thread_id y
      %v = memref.load %m[%ty, %tx] : memref<16x16xf32>
      memref.store %v, %w[%ty, %tx] : memref<16x16xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %u = memref.load %w[%tx, %ty] : memref<16x16xf32, #gpu.address_space<workgroup>>
      memref.store %u, %m[%ty, %tx] : memref<16x16xf32>
      gpu.return
    }
    gpu.func @fill(%m: memref<64xf32>) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %tx = gpu.thread_id x
      %zero = arith.constant 0.0 : f32
      memref.store %zero, %m[%tx] : memref<64xf32>
      gpu.return
    }
    gpu.func @helper() {
      gpu.return
    }
  }
}
