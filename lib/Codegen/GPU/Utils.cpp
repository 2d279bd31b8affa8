//===- Utils.cpp - buffer and cloning helpers for the GPU passes ----------===//

#include "Utils.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

Value mlir::hetc::gpu_lowering::rootBuffer(Value memref) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
    memref = view.getViewSource();
  return memref;
}

bool mlir::hetc::gpu_lowering::touchesBuffer(Operation *op, Value buffer,
                                             bool ignoreLoads) {
  return op
      ->walk([&](Operation *nested) {
        if (ignoreLoads && isa<memref::LoadOp>(nested))
          return WalkResult::advance();
        for (Value operand : nested->getOperands())
          if (isa<MemRefType>(operand.getType()) &&
              rootBuffer(operand) == buffer)
            return WalkResult::interrupt();
        return WalkResult::advance();
      })
      .wasInterrupted();
}

Value mlir::hetc::gpu_lowering::cloneProducers(
    Value value, OpBuilder &builder, IRMapping &mapping,
    function_ref<bool(Operation *)> shouldClone) {
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  Operation *producer = value.getDefiningOp();
  if (!producer || !shouldClone(producer))
    return value;
  for (Value operand : producer->getOperands())
    cloneProducers(operand, builder, mapping, shouldClone);
  return builder.clone(*producer, mapping)->getResult(0);
}
