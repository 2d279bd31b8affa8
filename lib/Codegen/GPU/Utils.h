//===- Utils.h - buffer and cloning helpers for the GPU passes --*- C++ -*-===//

#ifndef HETC_LIB_TARGET_GPU_UTILS_H
#define HETC_LIB_TARGET_GPU_UTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::hetc::gpu_lowering {

/// The buffer a memref value views (through subviews, reshapes, casts).
Value rootBuffer(Value memref);

/// Whether `op` or an op nested in it uses `buffer` or a view of it;
/// `ignoreLoads` leaves out memref.load, which only reads.
bool touchesBuffer(Operation *op, Value buffer, bool ignoreLoads);

/// Clones the producers of `value` for which `shouldClone` holds, operands
/// first, at `builder`'s insertion point (each once, through `mapping`),
/// and returns the value to use there; other values are used as they are.
Value cloneProducers(Value value, OpBuilder &builder, IRMapping &mapping,
                     function_ref<bool(Operation *)> shouldClone);

} // namespace mlir::hetc::gpu_lowering

#endif // HETC_LIB_TARGET_GPU_UTILS_H
