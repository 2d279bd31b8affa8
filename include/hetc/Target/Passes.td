//===- Passes.td - passes shared by the target pipelines ---*- tablegen -*-===//

#ifndef HETC_TARGET_PASSES_TD
#define HETC_TARGET_PASSES_TD

include "mlir/Pass/PassBase.td"

def HetcTieUpdatedResults : Pass<"hetc-tie-updated-results",
                                 "::mlir::func::FuncOp"> {
  let summary = "Writes updated parameters and optimizer state in place";
  let description = [{
    Applies the train-step aliasing contract before bufferization. A result
    carrying `hetc.updates = i` becomes
    `bufferization.materialize_in_destination %new in %argi`, so one-shot
    bufferization (after empty-tensor elimination) computes the update
    directly in argument i's buffer. Such arguments are marked
    `bufferization.writable = true`; inputs and labels are marked read-only.
    The tied result indices are recorded in `hetc.tied_results` for
    `hetc-drop-tied-results`. The hetc argument and result role attributes
    are dropped: they describe tensors, and the manifest now carries them.

    Example:

    ```mlir
    func.func @train_step(%w: tensor<4xf32> {hetc.param = #hetc.init<zeros>}, ...)
        -> (tensor<4xf32> {hetc.updates = 0 : i64}, tensor<f32> {hetc.loss})
    ```
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def HetcDropTiedResults : Pass<"hetc-drop-tied-results",
                               "::mlir::func::FuncOp"> {
  let summary = "Removes bufferized results that alias their argument";
  let description = [{
    After one-shot bufferization, a result recorded in `hetc.tied_results`
    returns the buffer of the argument it updates. The result is dropped; if
    bufferization had to compute it elsewhere, a copy into the argument's
    buffer is placed just before the return, after every read of the old
    value. Callers then pass each parameter and state buffer once.

    Example: `return %arg0, %loss` with result 0 tied to argument 0 becomes
    `return %loss`.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

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
           "Columns per parallel piece (a multiple of the microkernel width)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def HetcCPULowerCopies : Pass<"hetc-cpu-lower-copies", "::mlir::func::FuncOp"> {
  let summary = "Turns strided memref.copy into linalg.copy";
  let description = [{
    `memref.copy` between contiguous buffers becomes a memcpy in LLVM, but
    between strided views it becomes a call into MLIR's C runner utilities,
    which artifacts do not link. This pass rewrites those copies into
    `linalg.copy`, which the loop lowering turns into plain loops.

    Example: `memref.copy %a, %b : memref<4x1xf32> to memref<4x1xf32,
    strided<[9, 1], offset: 8>>` becomes `linalg.copy ins(%a) outs(%b)`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
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

#endif // HETC_TARGET_PASSES_TD
