//===- MergeKernelModules.cpp - one gpu.module per artifact ---------------===//

#include "hetc/Target/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace mlir::hetc {
#define GEN_PASS_DEF_HETCGPUMERGEKERNELMODULES
#include "hetc/Target/Passes.h.inc"
} // namespace mlir::hetc

using namespace mlir;
using namespace mlir::hetc;

namespace {
constexpr llvm::StringLiteral kMergedModuleName = "hetc_kernels";

struct HetcGPUMergeKernelModulesPass
    : mlir::hetc::impl::HetcGPUMergeKernelModulesBase<
          HetcGPUMergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernelModules(
        module.getOps<gpu::GPUModuleOp>());
    if (kernelModules.empty())
      return;
    if (module.lookupSymbol(kMergedModuleName)) {
      module.emitError() << "the symbol '" << kMergedModuleName
                         << "' is reserved for the merged kernel module";
      return signalPassFailure();
    }
    OpBuilder builder(kernelModules.front());
    auto merged =
        gpu::GPUModuleOp::create(builder, module.getLoc(), kMergedModuleName);
    SymbolTable mergedSymbols(merged);
    llvm::StringMap<std::string> renamed; // "module::kernel" -> new name
    for (gpu::GPUModuleOp kernelModule : kernelModules) {
      for (Operation &op : llvm::make_early_inc_range(
               kernelModule.getBody()->without_terminator())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol) {
          op.emitOpError("is not a symbol; cannot merge it into the kernel "
                         "module");
          return signalPassFailure();
        }
        std::string key =
            (kernelModule.getName() + "::" + symbol.getName()).str();
        op.remove();
        // insert() renames on collision and returns the final name.
        renamed[key] = mergedSymbols.insert(&op).getValue().str();
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
