//===- CompileSource.cpp - compile MLIR text, no MLIR types ---------------===//

#include "hetc/Pipeline/CompileSource.h"

#include "hetc/Pipeline/Compiler.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::hetc;

SourceCompileResult mlir::hetc::compileSource(const std::string &source,
                                              const std::string &sourceName,
                                              const CompileOptions &options) {
  SourceCompileResult result;
  DialectRegistry registry;
  registerCompilerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, sourceName), llvm::SMLoc());
  llvm::raw_string_ostream diagnostics(result.diagnostics);
  SourceMgrDiagnosticHandler handler(sourceMgr, &context, diagnostics);

  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return result;
  CompileOptions compileOptions = options;
  compileOptions.stage = CompileStage::Artifact;
  std::string unused;
  llvm::raw_string_ostream out(unused);
  FailureOr<std::string> artifact = compileModule(*module, compileOptions, out);
  if (failed(artifact))
    return result;
  result.ok = true;
  result.artifact = std::move(*artifact);
  return result;
}
