//===- Artifact.cpp - artifact file encoding ------------------------------===//
//
// The byte layout lives in runtime/include/hetc/runtime/artifact_format.h and
// the encoder is the runtime's dependency-free C one, so the compiler and
// the runtime agree by construction.
//
//===----------------------------------------------------------------------===//

#include "Artifact.h"

#include "hetc/runtime/artifact_format.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::hetc;

FailureOr<std::string>
mlir::hetc::writeArtifact(Location loc, llvm::StringRef manifestJson,
                          llvm::ArrayRef<ArtifactSection> sections) {
  std::vector<hetc_section_input_t> inputs;
  inputs.push_back({"manifest", manifestJson.data(), manifestJson.size()});
  for (const ArtifactSection &section : sections)
    inputs.push_back(
        {section.name.c_str(), section.bytes.data(), section.bytes.size()});
  uint8_t *bytes = nullptr;
  size_t size = 0;
  const char *error = nullptr;
  if (hetc_artifact_encode(inputs.data(), inputs.size(), &bytes, &size,
                           &error) != 0)
    return emitError(loc) << "cannot encode the artifact: " << error;
  std::string result(reinterpret_cast<char *>(bytes), size);
  std::free(bytes);
  return result;
}
