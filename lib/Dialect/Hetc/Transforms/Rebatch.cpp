//===- Rebatch.cpp - re-specialize a model to another batch size ----------===//
//
// Follows the batch dimension from the inputs and labels through the body:
// ops with shape-bearing attributes rewrite them (RebatchOpInterface), then
// every op's result types are re-inferred. What cannot be followed is a
// located error, never a silently wrong shape.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/Rebatch.h"
#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCREBATCH
#include "hetc/Dialect/Hetc/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// Inputs and labels of rank >= 1 carry the batch on their leading axis.
bool isBatchedArgument(func::FuncOp fn, unsigned i) {
  StringRef role = getArgumentRole(fn, i);
  auto type = dyn_cast<RankedTensorType>(fn.getArgumentTypes()[i]);
  return (role == HetcDialect::kInputAttrName ||
          role == HetcDialect::kLabelAttrName) &&
         type && type.getRank() >= 1;
}

/// The batch axis of each value that depends on the batch.
using BatchAxes = llvm::DenseMap<Value, int64_t>;

/// The batch axis of `result` from its type before and after: the one
/// dimension that went from the old batch size to the new one.
FailureOr<std::optional<int64_t>>
resultAxis(Operation *op, unsigned index, RankedTensorType before,
           RankedTensorType after, int64_t oldBatch, int64_t newBatch) {
  if (before.getRank() != after.getRank())
    return op->emitOpError()
           << "cannot rebatch: result #" << index << " changes rank from "
           << before << " to " << after;
  std::optional<int64_t> axis;
  for (int64_t d = 0, e = before.getRank(); d < e; ++d) {
    if (before.getDimSize(d) == after.getDimSize(d))
      continue;
    if (axis || before.getDimSize(d) != oldBatch ||
        after.getDimSize(d) != newBatch)
      return op->emitOpError()
             << "cannot rebatch: result #" << index << " would change from "
             << before << " to " << after
             << ", not only in one dimension of the batch's size " << oldBatch;
    axis = d;
  }
  return axis;
}

/// Re-infers the result types of `op`, whose operands have their new types.
LogicalResult inferResults(Operation *op, SmallVectorImpl<Type> &types) {
  if (auto infer = dyn_cast<InferTypeOpInterface>(op))
    return infer.inferReturnTypes(op->getContext(), op->getLoc(),
                                  op->getOperands(), op->getAttrDictionary(),
                                  op->getPropertiesStorage(), op->getRegions(),
                                  types);
  if (op->hasTrait<OpTrait::SameOperandsAndResultType>() &&
      op->getNumOperands() > 0) {
    types.assign(op->getNumResults(), op->getOperand(0).getType());
    return success();
  }
  return op->emitOpError() << "cannot rebatch: the op has batch-dependent "
                              "operands but infers no result type";
}

/// Moves one op to the new batch size; records its results' batch axes.
LogicalResult rebatchOp(Operation *op, BatchAxes &axes, int64_t oldBatch,
                        int64_t newBatch) {
  SmallVector<std::optional<int64_t>> operandAxes;
  bool batched = false;
  for (Value operand : op->getOperands()) {
    auto it = axes.find(operand);
    operandAxes.push_back(it == axes.end() ? std::nullopt
                                           : std::optional(it->second));
    batched |= it != axes.end();
  }
  // Nothing of the batch reaches it: parameters, constants, their uses.
  if (!batched)
    return success();
  if (isa<func::ReturnOp>(op))
    return success();
  if (op->getNumRegions() != 0)
    return op->emitOpError() << "cannot rebatch an op with regions";
  if (auto rule = dyn_cast<RebatchOpInterface>(op))
    if (failed(rule.rebatch(operandAxes, oldBatch, newBatch)))
      return failure();
  SmallVector<Type> types;
  if (failed(inferResults(op, types))) {
    op->emitError() << "cannot rebatch '" << op->getName() << "' from "
                    << oldBatch << " to " << newBatch
                    << " rows: its operands no longer fit (see above)";
    return failure();
  }
  for (auto [i, result] : llvm::enumerate(op->getResults())) {
    auto before = dyn_cast<RankedTensorType>(result.getType());
    auto after = dyn_cast<RankedTensorType>(types[i]);
    if (!before || !after)
      return op->emitOpError()
             << "cannot rebatch: result #" << i << " is not a ranked tensor";
    FailureOr<std::optional<int64_t>> axis =
        resultAxis(op, i, before, after, oldBatch, newBatch);
    if (failed(axis))
      return failure();
    result.setType(after);
    if (*axis)
      axes[result] = **axis;
  }
  return success();
}

} // namespace

FailureOr<int64_t> mlir::hetc::getModelBatchSize(func::FuncOp fn) {
  std::optional<int64_t> batch;
  std::string first;
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i) {
    if (!isBatchedArgument(fn, i))
      continue;
    int64_t size =
        cast<RankedTensorType>(fn.getArgumentTypes()[i]).getDimSize(0);
    std::string name = getArgumentName(fn, i);
    if (batch && *batch != size)
      return emitError(fn.getArgument(i).getLoc())
             << "cannot rebatch '" << fn.getSymName() << "': '" << name
             << "' has " << size << " rows but '" << first << "' has " << *batch
             << " (every input and label leads with the batch)";
    if (size <= 0)
      return emitError(fn.getArgument(i).getLoc())
             << "cannot rebatch '" << fn.getSymName() << "': '" << name
             << "' has no static leading dimension";
    batch = size;
    first = name;
  }
  if (!batch)
    return fn.emitOpError() << "cannot rebatch: '" << fn.getSymName()
                            << "' has no input or label with a batch "
                               "dimension";
  return *batch;
}

LogicalResult mlir::hetc::rebatchFunction(func::FuncOp fn, int64_t newBatch) {
  FailureOr<int64_t> oldBatch = getModelBatchSize(fn);
  if (failed(oldBatch))
    return failure();
  if (*oldBatch == newBatch)
    return success();
  BatchAxes axes;
  SmallVector<Type> argTypes(fn.getArgumentTypes());
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i) {
    if (!isBatchedArgument(fn, i))
      continue;
    auto type = cast<RankedTensorType>(argTypes[i]);
    SmallVector<int64_t> shape(type.getShape());
    shape[0] = newBatch;
    argTypes[i] = type.clone(shape);
    fn.getArgument(i).setType(argTypes[i]);
    axes[fn.getArgument(i)] = 0;
  }
  WalkResult walk = fn.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op == fn.getOperation())
      return WalkResult::advance();
    return failed(rebatchOp(op, axes, *oldBatch, newBatch))
               ? WalkResult::interrupt()
               : WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  Operation *ret = fn.getBody().front().getTerminator();
  fn.setFunctionType(
      FunctionType::get(fn.getContext(), argTypes, ret->getOperandTypes()));
  // The op verifiers (inference among them) check the whole body again:
  // a batch-sized constant meeting a rebatched value fails here.
  return verify(fn);
}

LogicalResult mlir::hetc::rebatchModel(func::FuncOp model, int64_t newBatch) {
  if (newBatch <= 0)
    return model.emitOpError() << "cannot rebatch to " << newBatch
                               << " rows: a batch size is a positive integer";
  FailureOr<func::FuncOp> eval = findEvalFunction(model);
  if (failed(eval) || failed(rebatchFunction(model, newBatch)))
    return failure();
  return *eval ? rebatchFunction(*eval, newBatch) : success();
}

namespace {

struct RebatchPass : public hetc::impl::HetcRebatchBase<RebatchPass> {
  using HetcRebatchBase::HetcRebatchBase;

  void runOnOperation() override {
    FailureOr<SmallVector<func::FuncOp>> models =
        collectModels(getOperation(), entry, /*allowNone=*/false);
    if (failed(models))
      return signalPassFailure();
    if (models->size() != 1) {
      (*models)[1].emitOpError() << "is a second model; choose one with entry=";
      return signalPassFailure();
    }
    if (batchSize <= 0) {
      emitError(UnknownLoc::get(&getContext()))
          << "hetc-rebatch needs batch-size=N with N a positive integer, got "
          << batchSize;
      return signalPassFailure();
    }
    if (failed(rebatchModel(models->front(), batchSize)))
      signalPassFailure();
  }
};

} // namespace
