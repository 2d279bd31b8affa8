//===- TestPerturbOp.cpp - plant a one-ULP divergence (test only) ---------===//
//
// Adds one ULP to one hetc op's result, so that a test can check that the
// verifier names exactly that op. Never part of a real compilation.
//
//===----------------------------------------------------------------------===//

#include "hetc/Conversion/Passes.h"

#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Locations.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCTESTPERTURBOP
#include "hetc/Conversion/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// The first f32 tensor result of `op`, or null.
Value firstF32Result(Operation *op) {
  for (Value result : op->getResults())
    if (auto type = dyn_cast<RankedTensorType>(result.getType()))
      if (type.getElementType().isF32() && type.hasStaticShape())
        return result;
  return nullptr;
}

/// Whether `op` is what `name` and `location` (NAME@LOCATION) select.
bool matches(Operation *op, StringRef name, StringRef location) {
  if (op->getName().getStringRef() != name)
    return false;
  if (location.empty())
    return true;
  // A suffix of file:line:col, or of file:line.
  std::string text = getFileLocationText(op->getLoc());
  StringRef full(text);
  return full.ends_with(location) || full.rsplit(':').first.ends_with(location);
}

/// Replaces every later use of `value` with its bits plus one.
void perturb(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  OpBuilder b(value.getContext());
  b.setInsertionPointAfterValue(value);
  Location loc = value.getLoc();
  int64_t rank = type.getRank();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), b.getF32Type());
  auto generic = linalg::GenericOp::create(
      b, loc, type, value, empty, SmallVector<AffineMap>{identity, identity},
      iterators, [](OpBuilder &nb, Location l, ValueRange args) {
        Value bits = arith::BitcastOp::create(nb, l, nb.getI32Type(), args[0]);
        Value one = arith::ConstantIntOp::create(nb, l, nb.getI32Type(), 1);
        Value next = arith::AddIOp::create(nb, l, bits, one);
        linalg::YieldOp::create(
            nb, l,
            arith::BitcastOp::create(nb, l, nb.getF32Type(), next).getResult());
      });
  value.replaceAllUsesExcept(generic.getResult(0), generic);
}

struct HetcTestPerturbOpPass
    : mlir::hetc::impl::HetcTestPerturbOpBase<HetcTestPerturbOpPass> {
  using Base::Base;

  void runOnOperation() override {
    auto [name, location] = StringRef(match).split('@');
    if (name.empty()) {
      getOperation().emitError()
          << "hetc-test-perturb-op: 'match' must be NAME or NAME@LOCATION, "
             "got '"
          << match << "'";
      return signalPassFailure();
    }
    bool found = false;
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      Value target;
      fn.walk([&](Operation *op) {
        if (!isa<HetcDialect>(op->getDialect()) ||
            !matches(op, name, location) || !(target = firstF32Result(op)))
          return WalkResult::advance();
        return WalkResult::interrupt();
      });
      if (target)
        perturb(target);
      found |= static_cast<bool>(target);
    }
    if (!found) {
      getOperation().emitError()
          << "hetc-test-perturb-op: no hetc op with an f32 result matches '"
          << match << "'";
      return signalPassFailure();
    }
  }
};

} // namespace
