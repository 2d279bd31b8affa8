//===- Bufferize.cpp - the bufferization every target shares --------------===//

#include "hetc/Codegen/Common/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::hetc::addBufferizationPasses(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // After CSE, which can make two results one value.
  pm.addNestedPass<func::FuncOp>(createHetcDistinctResults());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  // Whole functions, arguments included, with plain row-major buffers at
  // their boundaries: the runtime passes one contiguous buffer per tensor.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addNestedPass<func::FuncOp>(createHetcDropTiedResults());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
}
