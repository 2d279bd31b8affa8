//===- MergeKernelModules.cpp - one gpu.module per artifact ---------------===//

#include "hetc/Codegen/GPU/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUMERGEKERNELMODULES
#include "hetc/Codegen/GPU/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {

struct HetcGPUMergeKernelModulesPass
    : mlir::hetc::impl::HetcGPUMergeKernelModulesBase<
          HetcGPUMergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernelModules(
        module.getOps<gpu::GPUModuleOp>());
    if (kernelModules.empty())
      return;
    // A previous run's module is the destination, so the pass is idempotent.
    Operation *existing = module.lookupSymbol(kKernelModuleName);
    auto merged = dyn_cast_or_null<gpu::GPUModuleOp>(existing);
    if (existing && !merged) {
      existing->emitError() << "the symbol '" << kKernelModuleName
                            << "' is reserved for the merged kernel module";
      return signalPassFailure();
    }
    if (!merged) {
      OpBuilder builder(kernelModules.front());
      merged =
          gpu::GPUModuleOp::create(builder, module.getLoc(), kKernelModuleName);
    }
    SymbolTable mergedSymbols(merged);
    llvm::StringMap<std::string> renamed; // "module::symbol" -> new name
    for (gpu::GPUModuleOp kernelModule : kernelModules) {
      if (kernelModule == merged)
        continue;
      SmallVector<Operation *> symbols;
      for (Operation &op : kernelModule.getBody()->without_terminator()) {
        if (!isa<SymbolOpInterface>(op)) {
          op.emitOpError("is not a symbol; cannot merge it into the kernel "
                         "module");
          return signalPassFailure();
        }
        symbols.push_back(&op);
      }
      // Rename clashes inside their own module first, so the references
      // from that module's kernels follow the symbol they meant.
      for (Operation *op : symbols) {
        auto symbol = cast<SymbolOpInterface>(op);
        StringRef name = symbol.getName();
        std::string key = (kernelModule.getName() + "::" + name).str();
        std::string unique = name.str();
        for (unsigned suffix = 0;
             mergedSymbols.lookup(unique) ||
             (unique != name && kernelModule.lookupSymbol(unique));
             ++suffix)
          unique = (name + "_" + Twine(suffix)).str();
        if (unique != name) {
          auto newName = StringAttr::get(&getContext(), unique);
          if (failed(SymbolTable::replaceAllSymbolUses(op, newName,
                                                       kernelModule))) {
            op->emitOpError("cannot be renamed to merge it");
            return signalPassFailure();
          }
          symbol.setName(newName);
        }
        renamed[key] = unique;
      }
      for (Operation *op : symbols) {
        op->remove();
        mergedSymbols.insert(op);
      }
      kernelModule.erase();
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      std::string key = (launch.getKernelModuleName().getValue() +
                         "::" + launch.getKernelName().getValue())
                            .str();
      auto it = renamed.find(key);
      if (it == renamed.end())
        return;
      launch.setKernelAttr(SymbolRefAttr::get(
          merged.getNameAttr(),
          {FlatSymbolRefAttr::get(launch.getContext(), it->second)}));
    });
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(&getContext()));
  }
};
} // namespace
