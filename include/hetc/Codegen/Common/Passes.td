//===- Passes.td - passes every target pipeline shares -----*- tablegen -*-===//

#ifndef HETC_CODEGEN_COMMON_PASSES_TD
#define HETC_CODEGEN_COMMON_PASSES_TD

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

def HetcLowerCopies : Pass<"hetc-lower-copies", "::mlir::func::FuncOp"> {
  let summary = "Turns memref.copy into linalg.copy";
  let description = [{
    `memref.copy` between contiguous buffers becomes a memcpy in LLVM, but
    between strided views it becomes a call into MLIR's C runner utilities,
    which artifacts do not link. This pass rewrites those copies into
    `linalg.copy`, which the loop lowering turns into plain loops. The CPU
    pipeline lowers only strided copies; the GPU pipeline (`all=true`)
    lowers every copy, since on a GPU a copy is a kernel like any other.

    Example: `memref.copy %a, %b : memref<4x1xf32> to memref<4x1xf32,
    strided<[9, 1], offset: 8>>` becomes `linalg.copy ins(%a) outs(%b)`.
  }];
  let options = [
    Option<"all", "all", "bool", /*default=*/"false",
           "Also lower contiguous copies (GPU pipelines: a copy is a kernel)">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def HetcReproducibleMath : Pass<"hetc-reproducible-math"> {
  let summary = "Expands float math into IEEE-exact basic operations";
  let description = [{
    The reproducible mode's own math. Every `math` op and every `arith` float
    op whose result is not a correctly rounded basic operation becomes a
    sequence of only `arith.addf`, `subf`, `mulf` (never fused), `negf`,
    `cmpf`, `select`, `bitcast`, exact integer <-> float conversions and
    integer arithmetic, so every target computes the same bits:

    - `arith.divf` and `math.sqrt` are correctly rounded (round to nearest
      even, subnormals included): a float estimate of the quotient or root
      is corrected by an exact integer remainder.
    - `math.rsqrt` is `1 / sqrt(x)`, each step correctly rounded.
    - `math.exp`, `log`, `tanh`, `erf` and `powf` use exact range reduction
      and polynomials evaluated with separate multiplies and adds.
    - `arith.maximumf`, `minimumf`, `maxnumf` and `minnumf` get explicit
      signed-zero and NaN rules.
    - A NaN result is always the canonical quiet NaN `0x7fc00000`.

    f16 and bf16 operands are extended to f32, computed and truncated (for
    division and sqrt, f32 is wide enough that the double rounding is
    harmless). Named linalg ops whose body holds such an op are generalized
    first. The pass fails, naming the op and its location, on any float
    `math` or `arith` op it cannot expand, so no op escapes the mode.
    docs/reproducibility.md gives the algorithms and measured errors.

    Example:

    ```mlir
    %q = arith.divf %a, %b : f32
    ```

    becomes about a hundred `arith` integer and float ops ending in
    `arith.bitcast %bits : i32 to f32`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def HetcDistinctResults : Pass<"hetc-distinct-results",
                               "::mlir::func::FuncOp"> {
  let summary = "Returns a copy where a function returns a tensor twice";
  let description = [{
    Replaces each repeated operand of a `func.return` on tensors with a
    fresh copy (`bufferization.alloc_tensor() copy(%v)`), so that every
    result gets a buffer of its own. Two results become one value when CSE
    merges two equal computations (a debug entry returning Adam's bias
    corrections, one per parameter) or when a model returns a value twice;
    buffer-results-to-out-params with hoisted allocations cannot return one
    buffer through two out-parameters. Functions without repeated results
    are left unchanged.

    Example:

    ```mlir
    return %a, %a : tensor<4xf32>, tensor<4xf32>
    ```

    becomes

    ```mlir
    %c = bufferization.alloc_tensor() copy(%a) : tensor<4xf32>
    return %a, %c : tensor<4xf32>, tensor<4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

#endif // HETC_CODEGEN_COMMON_PASSES_TD
