//===- TargetBackend.h - one compilation target ----------------*- C++ -*-===//
//
// A target backend lowers a module of linalg-on-tensors entry functions to
// its code and serializes that code into artifact sections. Backends are
// registered by name ("cpu", "cuda", "rocm", "level-zero", "vulkan"), so the
// compiler driver, hetc-compile and the Python bindings share one list.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_TARGET_TARGETBACKEND_H
#define HETC_TARGET_TARGETBACKEND_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::hetc {

/// Options shared by every backend.
struct TargetOptions {
  /// Target processor: "native", "x86-64", "x86-64-v3", "sm_90", "gfx90a"...
  std::string chip;
  /// Folder for temporary files (object files, linker outputs).
  std::string tempDir;
  /// Reproducible mode (CompileOptions::reproducible): fixed reduction
  /// order and no contraction in the code and in the device toolchain.
  bool reproducible = false;
};

/// One artifact section produced by a backend.
struct ArtifactSection {
  std::string name;
  std::string bytes;
};

/// The code a backend produced, plus what the manifest must record.
struct SerializedTarget {
  std::vector<ArtifactSection> sections;
  /// The resolved chip, e.g. the host CPU name for "native".
  std::string chip;
  /// Processor features the code uses, which the runtime checks on load.
  std::vector<std::string> requiredFeatures;
  /// GPU targets: the manifest's "device" object, the kernels and the
  /// recorded launches of each entry (see GPUCommon.h).
  std::optional<llvm::json::Object> deviceProgram;
};

/// Where to stop lowering, for debugging.
enum class EmitStage { Linalg, LLVM, Asm, Object, Artifact };

class TargetBackend {
public:
  virtual ~TargetBackend() = default;

  /// The name users pass to --target.
  virtual llvm::StringRef getName() const = 0;
  virtual llvm::StringRef getDescription() const = 0;

  /// Checks that every external toolchain piece the backend needs exists;
  /// the error names the missing piece and how to get it.
  virtual LogicalResult checkToolchain(Location loc,
                                       const TargetOptions &options) const = 0;

  /// Adds the passes that lower entry functions on linalg tensors to the
  /// dialects `serialize` consumes.
  virtual LogicalResult buildPipeline(OpPassManager &pm,
                                      const TargetOptions &options) const = 0;

  /// Serializes the lowered module. For EmitStage::LLVM and Asm the textual
  /// form is written to `debugOut` and no sections are produced.
  virtual FailureOr<SerializedTarget>
  serialize(ModuleOp module, const TargetOptions &options, EmitStage stage,
            llvm::raw_ostream &debugOut) const = 0;
};

/// Registers every backend built into hetc. Idempotent.
void registerAllTargetBackends();

/// Registers one backend; its name must be new.
void registerTargetBackend(std::unique_ptr<TargetBackend> backend);

/// Returns the backend named `name`, or null.
const TargetBackend *lookupTargetBackend(llvm::StringRef name);

/// The names of every registered backend, sorted.
std::vector<std::string> getRegisteredTargetBackendNames();

} // namespace mlir::hetc

#endif // HETC_TARGET_TARGETBACKEND_H
