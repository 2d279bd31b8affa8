//===- runtime_test_util.h - artifacts and checks shared by runtime tests -===//

#ifndef HETC_RUNTIME_TESTS_RUNTIME_TEST_UTIL_H
#define HETC_RUNTIME_TESTS_RUNTIME_TEST_UTIL_H

#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/hetc_runtime.h"

#include "fake_signature.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hetc_test {

/// The `n` values of the 1-d f32 state tensor `name` of `session`.
inline std::vector<float> getVector(hetc_session_t *session, const char *name,
                                    int64_t n) {
  std::vector<float> v(n);
  int64_t shape[1] = {n};
  hetc_tensor_t t = {name, HETC_DTYPE_F32, 1, shape, v.data()};
  EXPECT_EQ(hetc_session_get_tensor(session, &t), nullptr);
  return v;
}

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string
manifest(const std::string &target = "cpu",
         const std::string &trainSymbol = "hetc_entry_train_step") {
  const char *params =
      R"({"name": "w", "role": "param", "dtype": "f32", "shape": [2],
          "init": {"kind": "uniform", "value": 0.5}},
         {"name": "b", "role": "param", "dtype": "f32", "shape": [1],
          "init": {"kind": "zeros"}},
         {"name": "x", "role": "input", "dtype": "f32", "shape": [4, 2]},
         {"name": "y", "role": "label", "dtype": "f32", "shape": [4]})";
  return std::string(R"({"format_version": 1, "compiler_version": "0.1.0",
    "target": ")") +
         target + R"(", "chip": "x86-64", "entries": [
    {"name": "train_step", "kind": "train_step", "symbol": ")" +
         trainSymbol + R"(", "args": [)" + params + R"(],
     "results": [{"name": "loss", "role": "loss", "dtype": "f32", "shape": []}]},
    {"name": "eval", "kind": "eval", "symbol": "hetc_entry_eval",
     "args": [)" +
         params + R"(],
     "results": [{"name": "loss", "role": "loss", "dtype": "f32", "shape": []},
                 {"name": "output0", "role": "output", "dtype": "f32",
                  "shape": [4]}]}]})";
}

/// The signature `manifestText` describes (what the compiler embeds in the
/// code), or "" when the manifest does not open.
inline std::string signatureOf(const std::string &manifestText) {
  hetc_section_input_t sections[] = {
      {"manifest", manifestText.data(), manifestText.size()}};
  uint8_t *bytes = nullptr;
  size_t size = 0;
  const char *error = nullptr;
  if (hetc_artifact_encode(sections, 1, &bytes, &size, &error) != 0)
    return "";
  hetc_artifact_t *artifact = nullptr;
  hetc_status_t status = hetc_artifact_open_memory(bytes, size, &artifact);
  free(bytes);
  char *text = nullptr;
  if (!status)
    status = hetc_artifact_signature(artifact, &text);
  hetc_status_free(status);
  hetc_artifact_free(artifact);
  std::string result = text ? text : "";
  free(text);
  return result;
}

/// A hand-written model's code signed with `signature`, as the compiler
/// signs the code it emits for a manifest.
inline std::string signHost(std::string host, const std::string &signature) {
  if (!signature.empty()) {
    EXPECT_EQ(hetc_fake_sign_host(reinterpret_cast<uint8_t *>(host.data()),
                                  host.size(), signature.c_str()),
              0);
  }
  return host;
}

/// An artifact of `manifestText` and the host code `host`, as given.
inline std::string encodeWithHost(const std::string &manifestText,
                                  const std::string &host) {
  hetc_section_input_t sections[] = {
      {"manifest", manifestText.data(), manifestText.size()},
      {"host", host.data(), host.size()}};
  uint8_t *bytes = nullptr;
  size_t size = 0;
  const char *error = nullptr;
  EXPECT_EQ(hetc_artifact_encode(sections, 2, &bytes, &size, &error), 0);
  std::string result(reinterpret_cast<char *>(bytes), size);
  free(bytes);
  return result;
}

/// An artifact of `manifestText` and a hand-written model, signed for that
/// manifest, or for `signedFor` when given (a manifest edited afterwards).
inline std::string encode(const std::string &manifestText,
                          const char *hostPath = HETC_FAKE_MODEL_PATH,
                          const std::string &signedFor = "") {
  return encodeWithHost(
      manifestText,
      signHost(readFile(hostPath),
               signatureOf(signedFor.empty() ? manifestText : signedFor)));
}

/// Expects `status` to fail with `code` and a message containing `text`.
inline void expectError(hetc_status_t status, hetc_status_code_t code,
                        const std::string &text) {
  ASSERT_NE(status, nullptr) << "expected an error containing: " << text;
  EXPECT_EQ(hetc_status_code(status), code) << hetc_status_message(status);
  EXPECT_NE(std::string(hetc_status_message(status)).find(text),
            std::string::npos)
      << hetc_status_message(status);
  hetc_status_free(status);
}

inline hetc_status_t openBytes(const std::string &bytes,
                               hetc_artifact_t **out) {
  return hetc_artifact_open_memory(bytes.data(), bytes.size(), out);
}

} // namespace hetc_test

#endif // HETC_RUNTIME_TESTS_RUNTIME_TEST_UTIL_H
