// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(hetc-gpu-merge-kernel-modules)' | FileCheck %s

// Outlining made one module per kernel; the kernels move into one
// @hetc_kernels module, in order, and every launch is retargeted. The
// second @step_kernel collides with the first and is renamed.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK-NOT: gpu.module @step_kernel
// CHECK: gpu.module @hetc_kernels {
// CHECK-NEXT: gpu.func @step_kernel(%{{.+}}: memref<8xf32>) kernel {
// CHECK: gpu.func @[[RENAMED:step_kernel_[0-9]+]](%{{.+}}: memref<8xf32>) kernel {
// CHECK: gpu.func @other(%{{.+}}: memref<8xf32>) kernel {
// CHECK-NOT: gpu.module
// CHECK-LABEL: func.func @step
// CHECK: gpu.launch_func @hetc_kernels::@step_kernel blocks
// CHECK: gpu.launch_func @hetc_kernels::@[[RENAMED]] blocks
// CHECK: gpu.launch_func @hetc_kernels::@other blocks
module attributes {gpu.container_module} {
  gpu.module @step_kernel {
    gpu.func @step_kernel(%a: memref<8xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @step_kernel_0 {
    gpu.func @step_kernel(%a: memref<8xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @other_module {
    gpu.func @other(%a: memref<8xf32>) kernel {
      gpu.return
    }
  }
  func.func @step(%a: memref<8xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @step_kernel::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<8xf32>)
    gpu.launch_func @step_kernel_0::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<8xf32>)
    gpu.launch_func @other_module::@other blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<8xf32>)
    return
  }
}

// -----

// Without kernels there is nothing to merge: no module is created.
// CHECK-LABEL: module {
// CHECK-NOT: gpu.module
// CHECK: func.func @host_only
module {
  func.func @host_only() {
    return
  }
}

// -----

// Two modules define a helper of the same name: the second is renamed
// together with the calls in its own module, so each kernel keeps calling
// its own helper.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.module @hetc_kernels {
// CHECK: func.func @helper() -> f32
// CHECK: arith.constant 1.0
// CHECK: gpu.func @first
// CHECK-NEXT: call @helper()
// CHECK: func.func @[[HELPER:helper_[0-9]+]]() -> f32
// CHECK: arith.constant 2.0
// CHECK: gpu.func @second
// CHECK-NEXT: call @[[HELPER]]()
module attributes {gpu.container_module} {
  gpu.module @a {
    func.func @helper() -> f32 {
      %c = arith.constant 1.0 : f32
      return %c : f32
    }
    gpu.func @first(%out: memref<f32>) kernel {
      %v = func.call @helper() : () -> f32
      memref.store %v, %out[] : memref<f32>
      gpu.return
    }
  }
  gpu.module @b {
    func.func @helper() -> f32 {
      %c = arith.constant 2.0 : f32
      return %c : f32
    }
    gpu.func @second(%out: memref<f32>) kernel {
      %v = func.call @helper() : () -> f32
      memref.store %v, %out[] : memref<f32>
      gpu.return
    }
  }
}

// -----

// Running the pass again merges new modules into the existing one.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.module @hetc_kernels {
// CHECK: gpu.func @old
// CHECK: gpu.func @new
// CHECK-NOT: gpu.module
// CHECK: gpu.launch_func @hetc_kernels::@new
module attributes {gpu.container_module} {
  gpu.module @hetc_kernels {
    gpu.func @old(%a: memref<8xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @new {
    gpu.func @new(%a: memref<8xf32>) kernel {
      gpu.return
    }
  }
  func.func @host(%a: memref<8xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @new::@new blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<8xf32>)
    return
  }
}
