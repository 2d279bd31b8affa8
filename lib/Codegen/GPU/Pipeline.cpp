//===- Pipeline.cpp - linalg on tensors to kernels and launches -----------===//

#include "hetc/Codegen/Common/Passes.h"
#include "hetc/Codegen/GPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::hetc;

/// Every computation on buffers becomes a gpu.launch. Nothing canonicalizes
/// between hetc-gpu-map-parallel-loops and convert-parallel-loops-to-gpu:
/// the scf.parallel canonicalizations would merge the block and thread
/// loops the mapping tiled apart.
static void addLaunchPasses(OpPassManager &pm,
                            const GPUCodegenOptions &options) {
  OpPassManager &fn = pm.nest<func::FuncOp>();
  // One thread sums each output: long sums are run as consecutive kernels.
  if (options.reproducible)
    fn.addPass(createHetcGPUChunkReductions());
  // A copy is a kernel like any other on a GPU.
  HetcLowerCopiesOptions copies;
  copies.all = true;
  fn.addPass(createHetcLowerCopies(copies));
  HetcGPUTileContractionsOptions tiling;
  tiling.nvidiaMma = options.nvidiaTensorCores;
  tiling.sequential = options.reproducible;
  fn.addPass(createHetcGPUTileContractions(tiling));
  fn.addPass(createHetcGPUMapParallelLoops());
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addPass(createCanonicalizerPass());
}

/// The launches' bodies become kernels of one gpu.module.
static void addOutliningPasses(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createHetcGPUSinkIntoLaunches());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createHetcGPUMergeKernelModules());
  pm.addNestedPass<gpu::GPUModuleOp>(memref::createFoldMemRefAliasOpsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::hetc::buildGPUCodegenPipeline(OpPassManager &pm,
                                         const GPUCodegenOptions &options) {
  pm.addPass(createLinalgElementwiseOpFusionPass());
  // Splitting a reduction changes its order: reproducible mode keeps each
  // output's sequential accumulation.
  if (!options.reproducible)
    pm.addNestedPass<func::FuncOp>(createHetcGPUSplitReductions());
  addBufferizationPasses(pm);
  addLaunchPasses(pm, options);
  addOutliningPasses(pm);
}
