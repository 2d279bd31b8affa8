//===- fuzz_mlir.cpp - libFuzzer target: model parsing and verification ---===//
//
// Parses arbitrary text as a module in the dialects a hetc model uses (hetc,
// func, arith, tensor) and runs hetc-verify-model over it: the first things
// hetc-compile does with a user's file. Other upstream dialects stay
// unregistered, so upstream parsers outside hetc's surface are not fuzzed
// here (see docs/runtime.md for the linalg.reduce parser crash).
//
//===----------------------------------------------------------------------===//

#include "hetc/Dialect/Hetc/HetcDialect.h"
#include "hetc/Dialect/Hetc/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <cstdint>
#include <memory>
#include <string>

using namespace mlir;

namespace {

std::unique_ptr<MLIRContext> makeContext() {
  DialectRegistry registry;
  registry.insert<hetc::HetcDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect>();
  auto context =
      std::make_unique<MLIRContext>(registry, MLIRContext::Threading::DISABLED);
  context->loadAllAvailableDialects();
  return context;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  hetc::registerHetcPasses();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A context interns every type and attribute it sees: start afresh now
  // and then so that a long run's memory stays bounded.
  static std::unique_ptr<MLIRContext> context;
  static unsigned uses = 0;
  if (!context || ++uses % 512 == 0)
    context = makeContext();
  ScopedDiagnosticHandler quiet(context.get(),
                                [](Diagnostic &) { return success(); });
  // MLIR's lexer reads up to a terminating NUL, as files and
  // hetc-compile's in-memory sources have; libFuzzer's input has none.
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, ParserConfig(context.get()));
  if (!module)
    return 0;
  PassManager pm(context.get());
  if (failed(parsePassPipeline("builtin.module(hetc-verify-model)", pm)))
    __builtin_trap();
  (void)pm.run(*module);
  return 0;
}
