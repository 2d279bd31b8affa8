//===- Artifact.h - artifact file encoding ----------------------*- C++ -*-===//

#ifndef HETC_LIB_PIPELINE_ARTIFACT_H
#define HETC_LIB_PIPELINE_ARTIFACT_H

#include "hetc/Target/TargetBackend.h"

namespace mlir::hetc {

/// Encodes an artifact (format version 1, see docs/runtime.md): the header,
/// the section table, the "manifest" section holding `manifestJson`, then
/// `sections`.
FailureOr<std::string> writeArtifact(Location loc, llvm::StringRef manifestJson,
                                     llvm::ArrayRef<ArtifactSection> sections);

} // namespace mlir::hetc

#endif // HETC_LIB_PIPELINE_ARTIFACT_H
