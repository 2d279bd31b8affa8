//===- Passes.td - the CPU code generation passes ----------*- tablegen -*-===//

#ifndef HETC_CODEGEN_CPU_PASSES_TD
#define HETC_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def HetcCPUMatmulToUkernel : Pass<"hetc-cpu-matmul-to-ukernel",
                                  "::mlir::ModuleOp"> {
  let summary = "Calls the packed GEMM ukernel for f32 matmuls on buffers";
  let description = [{
    Rewrites `linalg.matmul` and `linalg.batch_matmul` on f32 memrefs with
    unit inner strides (plain or with transposed operands, as given by
    their indexing maps) into calls of `hetc_uk_sgemm`, the register-blocked
    GEMM the CPU backend links into every artifact from bitcode. The
    columns are split into `chunk`-wide pieces (and batches into separate
    calls) under an `scf.parallel`, which the CPU pipeline maps to OpenMP
    threads. Other matmuls are left for the generic loop lowering.

    With `sequential`, the calls go to `hetc_uk_sgemm_seq` instead, which
    accumulates each output from C in k order with separately rounded
    multiplies and adds (the reproducible mode): the same bits as the
    naive loop nest, whatever the ISA flavour, blocking or thread count.

    Example:

    ```mlir
    linalg.matmul ins(%a, %b : memref<256x784xf32>, memref<784x1024xf32>)
                  outs(%c : memref<256x1024xf32>)
    ```

    becomes an `scf.parallel` over 4 column chunks, each calling
    `func.call @hetc_uk_sgemm(...)` with the buffers' addresses.
  }];
  let options = [
    Option<"chunk", "chunk", "int64_t", /*default=*/"256",
           "Columns per parallel piece (a multiple of the microkernel width)">,
    Option<"sequential", "sequential", "bool", /*default=*/"false",
           "Call hetc_uk_sgemm_seq, which sums each output in k order from "
           "C without fused multiply-adds">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def HetcCPUSerializeSmallLoops : Pass<"hetc-cpu-serialize-small-loops",
                                      "::mlir::func::FuncOp"> {
  let summary = "Runs small parallel loops sequentially";
  let description = [{
    The CPU pipeline turns every `scf.parallel` into an OpenMP parallel
    region. Starting one costs microseconds, more than a small loop's whole
    work, so parallel loops with fewer than `min-iterations` iterations
    (static bounds, no reductions) become plain `scf.for` nests first.
    Loops that call a function (the GEMM ukernel, one call per column
    chunk) stay parallel: each iteration is large.

    Example: `scf.parallel (%i) = (%c0) to (%c10) step (%c1)` becomes
    `scf.for %i = %c0 to %c10 step %c1`.
  }];
  let options = [
    Option<"minIterations", "min-iterations", "int64_t", /*default=*/"32768",
           "Parallel loops with fewer iterations run sequentially">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

#endif // HETC_CODEGEN_CPU_PASSES_TD
