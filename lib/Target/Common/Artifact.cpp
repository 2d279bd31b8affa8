//===- Artifact.cpp - artifact file encoding ------------------------------===//
//
// The byte layout is shared with the runtime's reader through
// runtime/include/hetc/runtime/artifact_format.h; the encoder itself is the
// runtime's dependency-free C writer, so both sides agree by construction.
//
//===----------------------------------------------------------------------===//

#include "Artifact.h"

// TODO(lead): link the runtime writer.

using namespace mlir;
using namespace mlir::hetc;

FailureOr<std::string>
mlir::hetc::writeArtifact(Location loc, llvm::StringRef manifestJson,
                          llvm::ArrayRef<ArtifactSection> sections) {
  return emitError(loc) << "artifact writer not linked yet";
}
