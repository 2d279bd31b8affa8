//===- DebugIntermediates.cpp - an entry returning every op's result ------===//
//
// Builds `<source>_debug`, a clone of an entry that updates no state and
// returns the results of every hetc op in program order, each described by
// a hetc.debug attribute. A verifier
// runs it on two targets and names the first op whose result differs. The
// source entry is not changed.
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcOps.h"
#include "hetc/Dialect/Hetc/Locations.h"
#include "hetc/Dialect/Hetc/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCDEBUGINTERMEDIATES
#include "hetc/Dialect/Hetc/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

/// Element types an artifact carries (the manifest's dtypes).
bool isCarriable(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return false;
  Type element = tensor.getElementType();
  return element.isF32() || element.isF16() || element.isBF16() ||
         element.isSignlessInteger(32) || element.isSignlessInteger(64);
}

/// The hetc.debug description of result `result` of `op`, the `index`-th
/// exposed value.
DictionaryAttr describe(Builder &b, Operation *op, unsigned result,
                        int64_t index) {
  Location loc = op->getLoc();
  return b.getDictionaryAttr({
      b.getNamedAttr("index", b.getI64IntegerAttr(index)),
      b.getNamedAttr("op", b.getStringAttr(op->getName().getStringRef())),
      b.getNamedAttr("result", b.getI64IntegerAttr(result)),
      b.getNamedAttr("location", b.getStringAttr(getFileLocationText(loc))),
      b.getNamedAttr("scope", b.getStringAttr(getScopeText(loc))),
  });
}

/// Drops every result of `fn`. The twin then changes no state (its new
/// values are op results it exposes), no value it returns outlives an
/// in-place update of its buffer, and none is returned twice (the loss is
/// an op result too).
LogicalResult dropResults(func::FuncOp fn) {
  llvm::BitVector all(fn.getNumResults(), true);
  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  ret->eraseOperands(all);
  return fn.eraseResults(all);
}

/// Returns every carriable hetc op result of `fn`'s body.
void exposeIntermediates(func::FuncOp fn) {
  Builder b(fn.getContext());
  SmallVector<Value> values;
  SmallVector<DictionaryAttr> attrs;
  fn.walk([&](Operation *op) {
    if (!isa<HetcDialect>(op->getDialect()))
      return;
    for (OpResult result : op->getResults()) {
      if (!isCarriable(result.getType()))
        continue;
      attrs.push_back(b.getDictionaryAttr(b.getNamedAttr(
          kDebugAttrName,
          describe(b, op, result.getResultNumber(), values.size()))));
      values.push_back(result);
    }
  });
  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  SmallVector<unsigned> indices(values.size(), 0);
  SmallVector<Type> types =
      llvm::map_to_vector(values, [](Value value) { return value.getType(); });
  fn.insertResults(indices, types, attrs);
  ret->insertOperands(ret.getNumOperands(), values);
}

struct HetcDebugIntermediatesPass
    : mlir::hetc::impl::HetcDebugIntermediatesBase<HetcDebugIntermediatesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fn = module.lookupSymbol<func::FuncOp>(source);
    if (!fn || fn.isExternal()) {
      module.emitError() << "hetc-debug-intermediates: the module has no "
                            "entry '"
                         << source << "' with a body to build a debug entry of";
      return signalPassFailure();
    }
    std::string name = source + "_debug";
    if (Operation *taken = module.lookupSymbol(name)) {
      taken->emitError() << "the entry name '" << name
                         << "' is reserved for the generated debug entry";
      return signalPassFailure();
    }
    // Last in the module, so the functions before it (and their kernels,
    // numbered in module order) stay where they are.
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto debug = cast<func::FuncOp>(builder.clone(*fn.getOperation()));
    debug.setSymName(name);
    debug->setAttr(kDebugOfAttrName, builder.getStringAttr(source));
    if (failed(dropResults(debug))) {
      debug.emitError() << "cannot drop the results of '" << name << "'";
      return signalPassFailure();
    }
    exposeIntermediates(debug);
  }
};

} // namespace
