//===- Artifact.h - artifact file encoding ----------------------*- C++ -*-===//

#ifndef HETC_TARGET_ARTIFACT_H
#define HETC_TARGET_ARTIFACT_H

#include "hetc/Target/TargetBackend.h"

#include "llvm/Support/JSON.h"

namespace mlir::hetc {

/// Encodes an artifact (format version 1, see docs/runtime.md): the header,
/// the section table, the "manifest" section holding `manifestJson`, then
/// `sections`.
FailureOr<std::string> writeArtifact(Location loc, llvm::StringRef manifestJson,
                                     llvm::ArrayRef<ArtifactSection> sections);

/// Appends the signature line (artifact_format.h) that binds the manifest
/// member `key` to `value`, hashed as the manifest's JSON text spells it:
/// the runtime refuses a manifest whose member was edited after compiling.
void appendManifestBinding(std::string &signature, llvm::StringRef key,
                           const llvm::json::Value &value);

} // namespace mlir::hetc

#endif // HETC_TARGET_ARTIFACT_H
