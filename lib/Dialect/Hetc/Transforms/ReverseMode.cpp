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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace mlir::hetc;

static Value splat(OpBuilder &b, Location loc, Type type, double value) {
  auto tensor = cast<RankedTensorType>(type);
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(tensor,
                             b.getFloatAttr(tensor.getElementType(), value)));
}

/// Ops cheap enough to recompute in the backward pass.
static bool isCheapToRecompute(Operation *op) {
  return isa<AddOp, SubOp, MulOp, DivOp, MaximumOp, MinimumOp, NegOp, ExpOp,
             LogOp, SqrtOp, RsqrtOp, TanhOp, SigmoidOp, ReluOp, GeluOp, PowOp,
             CompareOp, BroadcastToOp, ReshapeOp, TransposeOp>(op);
}

/// Clones cheap forward producers of backward operands right before their
/// first backward user, so the forward value can die early.
static void rematerialize(Block &block, Operation *firstBackward) {
  SmallVector<Operation *> backward;
  for (Operation *op = firstBackward; op && !op->hasTrait<OpTrait::IsTerminator>();
       op = op->getNextNode())
    backward.push_back(op);
  llvm::DenseSet<Operation *> backwardSet(backward.begin(), backward.end());
  DenseMap<Value, Value> recomputed;
  for (Operation *user : backward) {
    for (OpOperand &operand : user->getOpOperands()) {
      Operation *producer = operand.get().getDefiningOp();
      if (!producer || backwardSet.contains(producer) ||
          !isCheapToRecompute(producer))
        continue;
      Value &copy = recomputed[operand.get()];
      if (!copy) {
        OpBuilder b(user);
        Operation *clone = b.clone(*producer);
        copy = clone->getResult(
            cast<OpResult>(operand.get()).getResultNumber());
      }
      operand.set(copy);
    }
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

  // Varied: depends on a wrt value. Useful: the loss depends on it.
  llvm::DenseSet<Value> varied(wrt.begin(), wrt.end());
  for (Operation &op : body.without_terminator())
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return varied.contains(v); }))
      varied.insert(op.result_begin(), op.result_end());
  llvm::DenseSet<Value> useful = {loss};
  for (Operation &op : llvm::reverse(body.without_terminator()))
    if (llvm::any_of(op.getResults(),
                     [&](Value v) { return useful.contains(v); }))
      useful.insert(op.operand_begin(), op.operand_end());
  auto active = [&](Value v) {
    return varied.contains(v) && useful.contains(v);
  };

  Operation *lastForward = ret->getPrevNode();
  OpBuilder b(ret);
  DenseMap<Value, Value> grads;
  grads[loss] = splat(b, ret.getLoc(), lossType, 1.0);

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
      resultGrads.push_back(grad ? grad
                                 : splat(b, op->getLoc(), result.getType(),
                                         0.0));
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
    results.push_back(grad ? grad : splat(b, ret.getLoc(), v.getType(), 0.0));
  }
  if (options.rematerialize && lastForward && lastForward->getNextNode() != ret)
    rematerialize(body, lastForward->getNextNode());
  return results;
}
