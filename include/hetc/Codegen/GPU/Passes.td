//===- Passes.td - the GPU code generation passes ----------*- tablegen -*-===//

#ifndef HETC_CODEGEN_GPU_PASSES_TD
#define HETC_CODEGEN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

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

def HetcGPUChunkReductions : Pass<"hetc-gpu-chunk-reductions",
                                  "::mlir::func::FuncOp"> {
  let summary = "Splits long reductions into consecutive launches";
  let description = [{
    In the reproducible mode one GPU thread sums each output in index
    order, so a long reduction (a loss over a large tensor) is one long
    loop. GPU drivers bound how long a kernel may run, and lavapipe stops
    every loop of a shader invocation after 65535 iterations in all,
    silently. This pass splits each `linalg` op on buffers whose reduction
    has more than `max-iterations` iterations per output into consecutive
    ops over subviews, each reducing one consecutive range of the
    reduction's index order (reduction loops are cut by 1 from the
    outermost until the inner ones fit, then by as much as fits). Each
    chunk continues from the output the previous one wrote, so the order
    of every sum is unchanged. Each chunk becomes a kernel of its own: a
    chunk without parallel loops (a sum into a 0-d buffer) is wrapped in a
    one-iteration `scf.parallel`, which `hetc-gpu-map-parallel-loops`
    launches by itself instead of merging it into one single-thread kernel
    with its neighbours. Ops whose operands are not indexed by projected
    permutations (convolutions) are left alone.

    Example: a `linalg.generic` summing `memref<100000xf32>` into
    `memref<f32>` becomes four such generics, each in a one-iteration
    `scf.parallel`, over `memref.subview`s of 32768, 32768, 32768 and 1696
    elements.
  }];
  let options = [
    Option<"maxIterations", "max-iterations", "int64_t",
           /*default=*/"32768",
           "Most reduction iterations per output in one kernel">
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
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

    Each accumulator starts from zero and the output's initial value is
    added at the end; with `sequential` (the reproducible mode) it starts
    from the initial value instead, so each output is
    `acc = init; for k in order: acc = acc + a * b`, the naive loop nest's
    order and rounding, and tensor cores are not used.

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
           "TF32 parts (3xTF32), as accurate as f32">,
    Option<"sequential", "sequential", "bool", /*default=*/"false",
           "Start each output's sum from its initial value and add the "
           "products in k order (no tensor cores)">
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

#endif // HETC_CODEGEN_GPU_PASSES_TD
