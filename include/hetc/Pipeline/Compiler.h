//===- Compiler.h - model to artifact ---------------------------*- C++ -*-===//
//
// The compiler driver shared by hetc-compile and the Python bindings: it
// checks the model contract, derives train_step with the autodiff and
// optimizer passes, lowers every entry for one target backend and packs the
// result and its manifest into an artifact.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_PIPELINE_COMPILER_H
#define HETC_PIPELINE_COMPILER_H

#include "hetc/Pipeline/CompileOptions.h"
#include "hetc/Target/TargetBackend.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::hetc {

/// Compiles `module` in place. For CompileStage::Artifact returns the
/// artifact bytes; for earlier stages writes the stage's text to `out` and
/// returns an empty string. Errors are emitted as diagnostics.
FailureOr<std::string> compileModule(ModuleOp module,
                                     const CompileOptions &options,
                                     llvm::raw_ostream &out);

/// "unknown target 'x' (known targets: ...)".
std::string unknownTargetMessage(llvm::StringRef target);

/// The compiler version recorded in manifests.
llvm::StringRef getCompilerVersion();

/// Registers the dialects the compiler needs into `registry`.
void registerCompilerDialects(DialectRegistry &registry);

} // namespace mlir::hetc

#endif // HETC_PIPELINE_COMPILER_H
