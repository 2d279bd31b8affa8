//===- Artifact.cpp - artifact file encoding ------------------------------===//
//
// The byte layout lives in runtime/include/hetc/runtime/artifact_format.h and
// the encoder is the runtime's dependency-free C one, so the compiler and
// the runtime agree by construction.
//
//===----------------------------------------------------------------------===//

#include "hetc/Target/Artifact.h"

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

/// The canonical hash of `value` (artifact_format.h), as the runtime
/// computes it over the value it parses from the manifest.
static uint64_t hashJson(const llvm::json::Value &value, uint64_t hash) {
  switch (value.kind()) {
  case llvm::json::Value::Null:
    return hetc_json_hash_null(hash);
  case llvm::json::Value::Boolean:
    return hetc_json_hash_bool(hash, *value.getAsBoolean());
  case llvm::json::Value::Number:
    // The runtime reads every number as a double.
    return hetc_json_hash_number(hash, *value.getAsNumber());
  case llvm::json::Value::String: {
    llvm::StringRef text = *value.getAsString();
    return hetc_json_hash_string(hash, text.data(), text.size());
  }
  case llvm::json::Value::Array: {
    const llvm::json::Array &items = *value.getAsArray();
    hash = hetc_json_hash_open(hash, '[', items.size());
    for (const llvm::json::Value &item : items)
      hash = hashJson(item, hash);
    return hash;
  }
  case llvm::json::Value::Object:
    break;
  }
  const llvm::json::Object &object = *value.getAsObject();
  // Members in key-byte order, as the runtime sorts them.
  std::vector<llvm::StringRef> keys;
  for (const auto &member : object)
    keys.push_back(member.first);
  llvm::sort(keys);
  hash = hetc_json_hash_open(hash, '{', keys.size());
  for (llvm::StringRef key : keys) {
    hash = hetc_json_hash_string(hash, key.data(), key.size());
    hash = hashJson(*object.get(key), hash);
  }
  return hash;
}

/// The key of the binding line starting at `at` ("manifest <n>:<key> ...").
static llvm::StringRef bindingKey(llvm::StringRef signature, size_t at) {
  llvm::StringRef rest = signature.substr(at).drop_front(strlen("manifest "));
  auto [length, tail] = rest.split(':');
  size_t size = 0;
  (void)length.getAsInteger(10, size);
  return tail.take_front(size);
}

void mlir::hetc::appendManifestBinding(std::string &signature,
                                       llvm::StringRef key,
                                       const llvm::json::Value &value) {
  std::string keyText = key.str();
  uint64_t hash = hashJson(value, HETC_JSON_HASH_START);
  size_t size = hetc_signature_binding_line(nullptr, 0, keyText.c_str(), hash);
  std::string line(size + 1, '\0');
  hetc_signature_binding_line(line.data(), size + 1, keyText.c_str(), hash);
  line.resize(size);
  // Bindings stay in key order, as the runtime formats them, whichever
  // layer adds them.
  size_t at = signature.find("\nmanifest ");
  at = at == std::string::npos ? signature.size() : at + 1;
  while (at < signature.size() && bindingKey(signature, at) < key)
    at = signature.find('\n', at) + 1;
  signature.insert(at, line);
}
