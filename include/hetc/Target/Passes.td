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
  let options = [
    Option<"all", "all", "bool", /*default=*/"false",
           "Also lower contiguous copies (GPU pipelines: a copy is a kernel)">
  ];
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

//===----------------------------------------------------------------------===//
// The GPU lowering shared by the cuda, rocm, level-zero and vulkan targets.
//===----------------------------------------------------------------------===//

def HetcGPUSplitReductions : Pass<"hetc-gpu-split-reductions",
                                  "::mlir::func::FuncOp"> {
  let summary = "Splits long reductions into a parallel and a final stage";
  let description = [{
    On a GPU one thread computes each output element of a reduction, so a
    reduction with few outputs and a long reduced dimension (a loss summed
    over the batch, batch-norm statistics, a bias gradient) would run on a
    handful of threads. This pass splits such a `linalg` reduction on
    tensors (one reduction dimension, a recognizable combiner) into partial
    reductions over `ratio` chunks, computed in parallel, and a short final
    reduction of the partials. The ratio is a divisor of the reduced size
    chosen so each partial covers about `chunk` elements. A final stage
    that is itself long is split again, up to three levels. Reductions over
    several dimensions (batch-norm statistics over N, H and W) are split
    into partials over their longest reduced dimension.

    Example: a sum of `tensor<4096xf32>` into `tensor<f32>` becomes a
    reduction of `tensor<128x32xf32>` into `tensor<128xf32>` (128 threads)
    followed by a sum of the 128 partials.
  }];
  let options = [
    Option<"minSize", "min-size", "int64_t", /*default=*/"256",
           "Only reductions over at least this many elements are split">,
    Option<"maxOutputs", "max-outputs", "int64_t", /*default=*/"8192",
           "Only reductions with at most this many outputs are split">,
    Option<"chunk", "chunk", "int64_t", /*default=*/"32",
           "Elements each partial reduction should cover">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def HetcGPUTileContractions : Pass<"hetc-gpu-tile-contractions",
                                   "::mlir::func::FuncOp"> {
  let summary = "Lowers matmuls and convolutions to workgroup-tiled kernels";
  let description = [{
    Rewrites each f32 `linalg` contraction on buffers whose body is a
    multiply-accumulate (`linalg.matmul`, `linalg.batch_matmul` with any
    operand transposition, `linalg.conv_2d_nchw_fchw` and the generics
    that express them) into a `gpu.launch` of `tile`x`tile` threads. The
    iteration dimensions are grouped into the rows (dimensions only the
    first input uses), the columns (only the second input), batches (both)
    and the reduction. Each thread accumulates a 4x4 block of outputs in
    registers (8x8 when the output has at least 32*`tile` rows and
    columns; 1x1 when it has fewer than 4*`tile`, so small outputs leave no
    thread idle), owning rows ty + `tile` i and columns tx + `tile` j so
    neighbouring threads touch neighbouring elements; the workgroup walks the
    reduction in `tile`-wide steps, staging one piece of each input in
    workgroup memory between barriers, so every staged value feeds several
    products. Convolutions are computed as implicit GEMMs: the tiles gather
    their elements through the operands' indexing maps.

    Example: `linalg.matmul ins(%a, %b : memref<64x32xf32>,
    memref<32x128xf32>) outs(%c : memref<64x128xf32>)` becomes a
    `gpu.launch` of 2x1 workgroups of 16x16 threads, each computing 64x64
    outputs, with two `memref<16x64xf32, #gpu.address_space<workgroup>>`
    attributions.
  }];
  let options = [
    Option<"tile", "tile", "int64_t", /*default=*/"16",
           "Threads per side of a workgroup (and the reduction step)">,
    Option<"nvidiaMma", "nvidia-mma", "bool", /*default=*/"false",
           "Compute the 8x8-per-thread case on NVIDIA tensor cores (sm_80 "
           "and newer): m16n8k8 TF32 MMAs with operands split in two "
           "TF32 parts (3xTF32), as accurate as f32">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def HetcGPUMapParallelLoops : Pass<"hetc-gpu-map-parallel-loops",
                                   "::mlir::func::FuncOp"> {
  let summary = "Maps every loop nest of an entry onto GPU blocks and threads";
  let description = [{
    Lowers the linalg ops of an entry function on buffers to loops and
    prepares them for `convert-parallel-loops-to-gpu`, so that the host
    does nothing but launch kernels:

    - each linalg op becomes an `scf.parallel` over its parallel dimensions
      holding `scf.for` loops over its reduction dimensions (interchanged
      innermost), so each thread owns an output element;
    - each top-level `scf.parallel` is collapsed to one dimension (so
      consecutive threads touch consecutive elements of row-major buffers)
      and tiled into `block-size`-thread blocks, mapped to `block_x` and
      `thread_x`; past `max-blocks` blocks each thread loops over several
      elements;
    - `scf.parallel` loops nested inside another loop run sequentially in
      their thread;
    - every run of remaining computation at the top level (loads, stores,
      scalar arithmetic, `scf.for` reductions into a 0-d buffer) is wrapped
      in a one-iteration loop, so it runs on the device in a single thread;
    - a scalar read at the top level (a dropout seed, Adam's step count)
      and used in a later loop nest is read again inside that nest, when
      nothing writes its buffer in between, since kernels cannot pass
      registers to each other.

    Example: `scf.parallel (%i, %j) = (0, 0) to (32, 128)` becomes a loop
    over 16 blocks holding a loop over 256 threads, and the element indices
    are recovered with `divsi`/`remsi`.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
    Option<"maxBlocks", "max-blocks", "int64_t", /*default=*/"65535",
           "Most blocks in a launch (the smallest grid limit of the APIs)">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def HetcGPUSinkIntoLaunches : Pass<"hetc-gpu-sink-into-launches",
                                   "::mlir::func::FuncOp"> {
  let summary = "Moves constants and buffer views into the kernels using them";
  let description = [{
    After this pass a `gpu.launch` uses, from outside its body, only whole
    buffers: function arguments, allocations and global constants. Views
    (`memref.subview`, `memref.expand_shape`, `memref.collapse_shape`,
    `memref.cast`, `memref.reinterpret_cast`) and constants are cloned into
    the body. Kernels then take one plain buffer per argument, which every
    GPU API binds the same way, and `fold-memref-alias-ops` folds the views
    into the kernels' loads and stores.

    Example: a launch using `%v = memref.expand_shape %a [[0, 1]] ...` gets
    its own copy of the `expand_shape`, and takes `%a`.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def HetcGPUMergeKernelModules : Pass<"hetc-gpu-merge-kernel-modules",
                                     "::mlir::ModuleOp"> {
  let summary = "Moves every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` creates one `gpu.module` per kernel. This pass
    moves all kernels into a single module named `hetc_kernels` and
    retargets the `gpu.launch_func` ops, so each artifact carries one
    device binary (one cubin, one HSACO, one SPIR-V module with an entry
    point per kernel).

    Example: `gpu.launch_func @train_step_kernel::@train_step_kernel`
    becomes `gpu.launch_func @hetc_kernels::@train_step_kernel`.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

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

def HetcGPUExpandMath : Pass<"hetc-gpu-expand-math",
                             "::mlir::gpu::GPUModuleOp"> {
  let summary = "Replaces math ops a device ISA lacks with polynomials";
  let description = [{
    Vulkan's GLSL extended instructions have no `erf` (GELU needs it), so
    with `erf=true` each `math.erf` on f32 becomes the polynomial
    approximation MLIR provides (about 1 ulp on f32). OpenCL SPIR-V has
    `erf` and leaves it alone.

    Example: `%y = math.erf %x : f32` becomes a rational polynomial in `%x`
    built from `arith` ops and `math.fma`.
  }];
  let options = [
    Option<"erf", "erf", "bool", /*default=*/"true",
           "Expand math.erf">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // HETC_TARGET_PASSES_TD
