//===- ReverseMode.cpp - reverse-mode autodiff over hetc ops --------------===//
//
// Walks a function body backwards from its loss, asking each op's
// DifferentiableOpInterface for the vector-Jacobian product and summing
// gradients where a value fans out. Values that do not depend on a
// parameter, or that the loss does not depend on, get no gradient at all.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/Autodiff.h"
#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/TensorMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace mlir::hetc;

namespace {
/// Recomputes cheap forward values right before their first backward user.
/// Chains of cheap ops are recomputed back to the nearest value that is not
/// cheap (an argument, a constant, a matmul...), so only those stay alive
/// from the forward pass; each forward value is recomputed at most once.
class Rematerializer {
public:
  explicit Rematerializer(llvm::DenseSet<Operation *> backward)
      : backward(std::move(backward)) {}

  /// Returns `value` or its recomputation, emitted at `b`'s insertion point.
  Value recompute(OpBuilder &b, Value value) {
    Operation *producer = value.getDefiningOp();
    if (!producer || backward.contains(producer) ||
        !producer->hasTrait<CheapToRecompute>())
      return value;
    if (Value copy = recomputed.lookup(value))
      return copy;
    IRMapping mapping;
    for (Value operand : producer->getOperands())
      mapping.map(operand, recompute(b, operand));
    Operation *clone = b.clone(*producer, mapping);
    for (auto [original, copy] :
         llvm::zip(producer->getResults(), clone->getResults()))
      recomputed[original] = copy;
    return recomputed.lookup(value);
  }

private:
  llvm::DenseSet<Operation *> backward;
  DenseMap<Value, Value> recomputed;
};
} // namespace

/// Makes the backward ops from `firstBackward` on read recomputed copies of
/// cheap forward values instead of the forward values themselves.
static void rematerialize(Operation *firstBackward) {
  SmallVector<Operation *> backward;
  for (Operation *op = firstBackward;
       op && !op->hasTrait<OpTrait::IsTerminator>(); op = op->getNextNode())
    backward.push_back(op);
  Rematerializer remat(
      llvm::DenseSet<Operation *>(backward.begin(), backward.end()));
  for (Operation *user : backward) {
    OpBuilder b(user);
    for (OpOperand &operand : user->getOpOperands())
      operand.set(remat.recompute(b, operand.get()));
  }
}

FailureOr<SmallVector<Value>>
mlir::hetc::buildGradients(func::FuncOp fn, ArrayRef<Value> wrt,
                           const AutodiffOptions &options) {
  Block &body = fn.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  if (ret.getNumOperands() == 0)
    return fn.emitOpError() << "has no loss result to differentiate";
  Value loss = ret.getOperand(0);
  auto lossType = dyn_cast<RankedTensorType>(loss.getType());
  if (!lossType || lossType.getRank() != 0)
    return fn.emitOpError() << "first result must be a 0-d loss tensor";

  // Varied: depends differentiably on a wrt value. Useful: the loss depends
  // differentiably on it. Gradients flow only through operands the op calls
  // differentiable (not labels, indices, seeds or comparison operands); an
  // op without a rule is assumed to pass them so that it gets reported.
  auto flowsThrough = [](Operation &op, unsigned index) {
    auto differentiable = dyn_cast<DifferentiableOpInterface>(op);
    return !differentiable || differentiable.isDifferentiableOperand(index);
  };
  llvm::DenseSet<Value> varied(wrt.begin(), wrt.end());
  for (Operation &op : body.without_terminator())
    for (OpOperand &operand : op.getOpOperands())
      if (varied.contains(operand.get()) &&
          flowsThrough(op, operand.getOperandNumber())) {
        varied.insert(op.result_begin(), op.result_end());
        break;
      }
  llvm::DenseSet<Value> useful = {loss};
  for (Operation &op : llvm::reverse(body.without_terminator())) {
    if (llvm::none_of(op.getResults(),
                      [&](Value v) { return useful.contains(v); }))
      continue;
    for (OpOperand &operand : op.getOpOperands())
      if (flowsThrough(op, operand.getOperandNumber()))
        useful.insert(operand.get());
  }
  auto active = [&](Value v) {
    return varied.contains(v) && useful.contains(v);
  };

  Operation *lastForward = ret->getPrevNode();
  OpBuilder b(ret);
  DenseMap<Value, Value> grads;
  grads[loss] = TensorMath{b, ret.getLoc()}.splat(lossType, 1.0);

  SmallVector<Operation *> forward;
  for (Operation &op : body.without_terminator())
    forward.push_back(&op);
  for (Operation *op : llvm::reverse(forward)) {
    if (llvm::none_of(op->getResults(),
                      [&](Value r) { return grads.count(r); }))
      continue;
    if (llvm::none_of(op->getOperands(), active))
      continue;
    auto differentiable = dyn_cast<DifferentiableOpInterface>(op);
    if (!differentiable)
      return op->emitOpError()
             << "has no gradient rule; hetc cannot differentiate through it";
    SmallVector<Value> resultGrads;
    for (Value result : op->getResults()) {
      Value grad = grads.lookup(result);
      resultGrads.push_back(
          grad ? grad : TensorMath{b, op->getLoc()}.zerosLike(result));
    }
    SmallVector<bool> needed;
    for (auto [i, operand] : llvm::enumerate(op->getOperands()))
      needed.push_back(active(operand) &&
                       differentiable.isDifferentiableOperand(i));
    if (!llvm::is_contained(needed, true))
      continue;
    SmallVector<Value> operandGrads;
    if (failed(differentiable.emitVjp(b, resultGrads, needed, operandGrads)))
      return op->emitOpError() << "failed to build its gradient";
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      if (i >= operandGrads.size() || !operandGrads[i] || !needed[i])
        continue;
      if (operandGrads[i].getType() != operand.getType())
        return op->emitOpError()
               << "gradient rule produced " << operandGrads[i].getType()
               << " for operand #" << i << " of type " << operand.getType();
      Value &slot = grads[operand];
      slot = slot ? AddOp::create(b, op->getLoc(), slot, operandGrads[i])
                        .getResult()
                  : operandGrads[i];
    }
  }

  SmallVector<Value> results;
  for (Value v : wrt) {
    Value grad = grads.lookup(v);
    results.push_back(grad ? grad : TensorMath{b, ret.getLoc()}.zerosLike(v));
  }
  if (options.rematerialize && lastForward && lastForward->getNextNode() != ret)
    rematerialize(lastForward->getNextNode());
  return results;
}
