//===- Pipeline.cpp - linalg on tensors to LLVM for the host CPU ----------===//

#include "hetc/Codegen/CPU/Passes.h"
#include "hetc/Codegen/Common/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::hetc;

/// Buffers, with the GEMMs calling the ukernel and the rest as loops, the
/// large ones parallel.
static void addLoopPasses(OpPassManager &pm, const CPUCodegenOptions &options) {
  pm.addPass(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  HetcCPUMatmulToUkernelOptions ukernel;
  ukernel.sequential = options.reproducible;
  pm.addPass(createHetcCPUMatmulToUkernel(ukernel));
  pm.addNestedPass<func::FuncOp>(createHetcLowerCopies());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createHetcCPUSerializeSmallLoops());
  pm.addPass(createConvertSCFToOpenMPPass());
  // Inlines the alloca scopes OpenMP conversion wraps loop bodies in (they
  // hold no allocas), before control flow splits their blocks.
  pm.addPass(createCanonicalizerPass());
}

/// Loops, OpenMP and arithmetic to the LLVM dialect; entries take one bare
/// pointer per buffer.
static void addLLVMPasses(OpPassManager &pm) {
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::hetc::buildCPUCodegenPipeline(OpPassManager &pm,
                                         const CPUCodegenOptions &options) {
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  addBufferizationPasses(pm);
  addLoopPasses(pm, options);
  addLLVMPasses(pm);
}
