//===- TieUpdatedResults.cpp - in-place parameter updates -----------------===//

#include "hetc/Codegen/Common/Passes.h"
#include "hetc/Dialect/Hetc/HetcOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCTIEUPDATEDRESULTS
#include "hetc/Codegen/Common/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {
struct HetcTieUpdatedResultsPass
    : mlir::hetc::impl::HetcTieUpdatedResultsBase<HetcTieUpdatedResultsPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.isExternal())
      return;
    OpBuilder b(fn.getContext());
    SmallVector<int64_t> tied;
    bool anyTied = false;
    auto ret = cast<func::ReturnOp>(fn.getBody().back().getTerminator());
    for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i) {
      auto updates =
          fn.getResultAttrOfType<IntegerAttr>(i, HetcDialect::kUpdatesAttrName);
      if (!updates) {
        tied.push_back(-1);
        // A result that is, or views, an argument must not alias it: the
        // argument may be updated in place by the same step.
        Value value = ret.getOperand(i);
        if (isa<BlockArgument>(value) ||
            isa_and_nonnull<SliceOp, ReshapeOp>(value.getDefiningOp())) {
          // Copy right where the value appears, before any update.
          b.setInsertionPointAfterValue(value);
          auto copy = bufferization::AllocTensorOp::create(
              b, ret.getLoc(), cast<RankedTensorType>(value.getType()),
              ValueRange{}, value);
          ret.setOperand(i, copy.getResult());
        }
        continue;
      }
      int64_t arg = updates.getInt();
      if (arg < 0 || arg >= static_cast<int64_t>(fn.getNumArguments()) ||
          fn.getArgument(arg).getType() != fn.getResultTypes()[i]) {
        fn.emitOpError() << "result #" << i << " has hetc.updates = " << arg
                         << ", which is not an argument of the same type";
        return signalPassFailure();
      }
      b.setInsertionPoint(ret);
      Value dest = fn.getArgument(arg);
      auto materialize = bufferization::MaterializeInDestinationOp::create(
          b, ret.getLoc(), ret.getOperand(i), dest);
      ret.setOperand(i, materialize.getResult());
      fn.setArgAttr(arg, bufferization::BufferizationDialect::kWritableAttrName,
                    b.getBoolAttr(true));
      tied.push_back(arg);
      anyTied = true;
    }
    // Data the caller owns is never a scratch buffer, and neither is a
    // buffer this entry does not update (eval's running statistics, a frozen
    // parameter, a hyper-parameter).
    for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
      if (fn.getArgAttr(i, HetcDialect::kInputAttrName) ||
          fn.getArgAttr(i, HetcDialect::kLabelAttrName) ||
          fn.getArgAttr(i, HetcDialect::kHyperAttrName) ||
          (fn.getArgAttr(i, HetcDialect::kBufferAttrName) &&
           !llvm::is_contained(tied, static_cast<int64_t>(i))))
        fn.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                      b.getBoolAttr(false));
    if (anyTied)
      fn->setAttr(HetcDialect::kTiedResultsAttrName,
                  b.getDenseI64ArrayAttr(tied));

    // Roles describe tensors; the buffers and pointers they become are
    // described by the manifest instead.
    auto withoutRoles = [](DictionaryAttr dict) {
      SmallVector<NamedAttribute> kept;
      if (dict)
        for (NamedAttribute attr : dict)
          if (!attr.getName().getValue().starts_with("hetc."))
            kept.push_back(attr);
      return kept;
    };
    for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
      fn.setArgAttrs(i, withoutRoles(fn.getArgAttrDict(i)));
    for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i)
      fn.setResultAttrs(i, withoutRoles(fn.getResultAttrDict(i)));
  }
};
} // namespace
