//===- Passes.td - the SPIR-V code generation passes -------*- tablegen -*-===//

#ifndef HETC_CODEGEN_SPIRV_PASSES_TD
#define HETC_CODEGEN_SPIRV_PASSES_TD

include "mlir/Pass/PassBase.td"

def HetcSPIRVPrepareKernels : Pass<"hetc-spirv-prepare-kernels",
                                   "::mlir::gpu::GPUModuleOp"> {
  let summary = "Puts kernels in the form convert-gpu-to-spirv accepts";
  let description = [{
    SPIR-V fixes a compute shader's workgroup size in the module: each
    kernel's `known_block_size` (set by outlining from the launch's constant
    block size) becomes its `spirv.entry_point_abi`. And SPIR-V declares
    workgroup memory as module-level variables, which `convert-gpu-to-spirv`
    creates from `memref.alloc` in memory space 3 but not from `gpu.func`
    workgroup attributions; each attribution becomes such an allocation at
    the kernel's entry.

    Example: `gpu.func @k() workgroup(%w : memref<16x16xf32,
    #gpu.address_space<workgroup>>) kernel attributes {known_block_size =
    array<i32: 16, 16, 1>}` gets `spirv.entry_point_abi =
    #spirv.entry_point_abi<workgroup_size = [16, 16, 1]>` and starts with
    `%w = memref.alloc() : memref<16x16xf32, 3>`.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::spirv::SPIRVDialect"];
}

def HetcSPIRVNoContraction : Pass<"hetc-spirv-no-contraction",
                                  "::mlir::spirv::ModuleOp"> {
  let summary = "Forbids the consumer to fuse multiplies and adds";
  let description = [{
    A SPIR-V consumer may fuse a multiply and a dependent add into one
    fused multiply-add (lavapipe does). The reproducible mode wants every
    multiply and add rounded separately on every target. In a shader module
    (Vulkan) this pass decorates each `spirv.FMul`, `spirv.FAdd`,
    `spirv.FSub`, `spirv.FDiv`, `spirv.FRem`, `spirv.FMod` and
    `spirv.FNegate` `NoContraction`; in an OpenCL module (Level Zero),
    where that decoration needs the Shader capability, each kernel entry
    point gets the `ContractionOff` execution mode instead.

    Example: `%p = spirv.FMul %a, %b : f32` becomes
    `%p = spirv.FMul %a, %b {no_contraction} : f32`; in an OpenCL module,
    `spirv.EntryPoint "Kernel" @k` is followed by
    `spirv.ExecutionMode @k "ContractionOff"`.
  }];
  let dependentDialects = ["::mlir::spirv::SPIRVDialect"];
}

def HetcSPIRVRoundHalfTruncation : Pass<"hetc-spirv-round-half-truncation",
                                        "::mlir::gpu::GPUModuleOp"> {
  let summary = "Rounds f32 to f16 explicitly where f16 is emulated in f32";
  let description = [{
    Without the Float16 capability (Vulkan here) SPIR-V conversion computes
    f16 values in f32, so `arith.truncf` from f32 to f16 becomes a no-op
    and the value keeps its f32 bits, while every other target rounds it.
    In the reproducible mode this pass rounds the operand of each such
    truncation to the nearest f16 value first (ties to even, f16
    subnormals, overflow to infinity), with exact f32 and integer
    operations; the truncation is then exact everywhere.

    Example: `%h = arith.truncf %x : f32 to f16` becomes a short sequence
    of `arith` ops computing `%r`, then `%h = arith.truncf %r : f32 to f16`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // HETC_CODEGEN_SPIRV_PASSES_TD
