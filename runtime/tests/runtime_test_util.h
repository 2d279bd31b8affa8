//===- runtime_test_util.h - artifacts and checks shared by runtime tests -===//

#ifndef HETC_RUNTIME_TESTS_RUNTIME_TEST_UTIL_H
#define HETC_RUNTIME_TESTS_RUNTIME_TEST_UTIL_H

#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/hetc_runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace hetc_test {

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

inline std::string encode(const std::string &manifestText,
                          const char *hostPath = HETC_FAKE_MODEL_PATH) {
  std::string host = readFile(hostPath);
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
