//===- Compiler.h - model to artifact ---------------------------*- C++ -*-===//
//
// The compiler driver shared by hetc-compile and the Python bindings: it
// checks the model contract, derives train_step with the autodiff and
// optimizer passes, lowers every entry for one target backend and packs the
// result and its manifest into an artifact.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_TARGET_COMPILER_H
#define HETC_TARGET_COMPILER_H

#include "hetc/Target/TargetBackend.h"

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>
#include <vector>

namespace mlir::hetc {

/// Where compilation stops. Every stage before Artifact prints text (or the
/// object file) instead of producing an artifact.
enum class CompileStage { Hetc, Linalg, LLVM, Asm, Object, Artifact };

struct CompileOptions {
  std::string target = "cpu";
  /// Backend-specific processor; empty means the backend's default.
  std::string chip;
  /// The model function; empty means the module's only model.
  std::string entry;
  /// Build the train_step entry (forward, backward and update).
  bool trainStep = true;
  /// hetc-train-step pass options: optimizer, lr, momentum, nesterov,
  /// weight-decay, beta1, beta2, eps.
  std::map<std::string, std::string> optimizerOptions;
  /// Batch sizes to compile: the first is the main entries' (the model's
  /// own when empty), each further one adds `<entry>_b<size>` variants of
  /// every entry (hetc-rebatch), with the manifest's "variant_of".
  std::vector<int64_t> batchSizes;
  CompileStage stage = CompileStage::Artifact;
  /// Print the IR after each pass to stderr.
  bool printIRAfterAll = false;
};

/// Compiles `module` in place. For CompileStage::Artifact returns the
/// artifact bytes; for earlier stages writes the stage's text to `out` and
/// returns an empty string. Errors are emitted as diagnostics.
FailureOr<std::string> compileModule(ModuleOp module,
                                     const CompileOptions &options,
                                     llvm::raw_ostream &out);

/// Checks hetc-train-step options as given (text): known keys, applicable to
/// the optimizer, numbers finite and in range. Returns the error, or "".
std::string
checkOptimizerOptions(const std::map<std::string, std::string> &options);

/// Checks a batch-size list: positive, none twice. Returns the error, or "".
std::string checkBatchSizes(llvm::ArrayRef<int64_t> sizes);

/// "unknown target 'x' (known targets: ...)".
std::string unknownTargetMessage(llvm::StringRef target);

/// The compiler version recorded in manifests.
llvm::StringRef getCompilerVersion();

/// Registers the dialects the compiler needs into `registry`.
void registerCompilerDialects(DialectRegistry &registry);

} // namespace mlir::hetc

#endif // HETC_TARGET_COMPILER_H
