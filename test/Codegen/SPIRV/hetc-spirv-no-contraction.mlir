// RUN: hetc-opt %s --split-input-file --pass-pipeline='builtin.module(spirv.module(hetc-spirv-no-contraction))' | FileCheck %s

// Every float arithmetic op is decorated; integer ops are left alone.
// CHECK-LABEL: spirv.func @ops
// CHECK: spirv.FMul %{{.+}}, %{{.+}} {no_contraction} : f32
// CHECK: spirv.FAdd %{{.+}}, %{{.+}} {no_contraction} : f32
// CHECK: spirv.FSub %{{.+}}, %{{.+}} {no_contraction} : f32
// CHECK: spirv.FDiv %{{.+}}, %{{.+}} {no_contraction} : f32
// CHECK: spirv.FNegate %{{.+}} {no_contraction} : f32
// CHECK: spirv.FMul %{{.+}}, %{{.+}} {no_contraction} : vector<4xf32>
// CHECK: spirv.IAdd %{{.+}}, %{{.+}} : i32
// CHECK-NOT: no_contraction
spirv.module Logical GLSL450 requires #spirv.vce<v1.0, [Shader], []> {
  spirv.func @ops(%a: f32, %b: f32, %v: vector<4xf32>, %i: i32) -> f32 "None" {
    %0 = spirv.FMul %a, %b : f32
    %1 = spirv.FAdd %0, %a : f32
    %2 = spirv.FSub %1, %b : f32
    %3 = spirv.FDiv %2, %a : f32
    %4 = spirv.FNegate %3 : f32
    %5 = spirv.FMul %v, %v : vector<4xf32>
    %6 = spirv.IAdd %i, %i : i32
    spirv.ReturnValue %4 : f32
  }
}

// -----

// OpenCL modules take ContractionOff on each kernel instead: NoContraction
// needs the Shader capability.
// CHECK-LABEL: spirv.module Physical64 OpenCL
// CHECK: spirv.EntryPoint "Kernel" @k
// CHECK-NEXT: spirv.ExecutionMode @k "ContractionOff"
// CHECK-NOT: no_contraction
spirv.module Physical64 OpenCL requires #spirv.vce<v1.0, [Kernel, Addresses], []> {
  spirv.func @k(%a: f32, %b: f32) "None" {
    %0 = spirv.FMul %a, %b : f32
    %1 = spirv.FAdd %0, %a : f32
    spirv.Return
  }
  spirv.EntryPoint "Kernel" @k
}
