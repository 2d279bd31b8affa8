//===- spirv_float_controls_test.cpp - DenormPreserve added at load ------===//
//
// The Vulkan driver adds the DenormPreserve execution mode to a module on
// devices that report shaderDenormPreserveFloat32 (lavapipe here does not,
// so the patch is checked on its own): the patched add_one kernel passes
// spirv-val for Vulkan 1.2 and declares the capability, the extension and
// the mode; a second patch changes nothing; malformed modules are refused.
//
//===----------------------------------------------------------------------===//

extern "C" {
#include "../src/drivers/spirv_float_controls.h"
}

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

std::vector<uint32_t> readWords(const char *path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  std::vector<uint32_t> words(bytes.size() / 4);
  memcpy(words.data(), bytes.data(), words.size() * 4);
  return words;
}

std::vector<uint32_t> patch(const std::vector<uint32_t> &words) {
  size_t count = 0;
  uint32_t *out =
      hetc_spirv_add_denorm_preserve(words.data(), words.size(), &count);
  std::vector<uint32_t> result(out, out + (out ? count : 0));
  free(out);
  return result;
}

/// Runs `command`; returns its exit status and stdout.
int run(const std::string &command, std::string *output) {
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    output->append(buffer, n);
  return pclose(pipe);
}

TEST(SpirvFloatControls, AddsDenormPreserveToEveryEntryPoint) {
#if !defined(HETC_SPIRV_VAL_PATH) || !defined(HETC_SPIRV_DIS_PATH)
  GTEST_SKIP() << "spirv-val or spirv-dis not found (Debian: spirv-tools)";
#else
  std::vector<uint32_t> original = readWords(HETC_ADD_ONE_SPV_PATH);
  ASSERT_GT(original.size(), 5u);
  std::vector<uint32_t> patched = patch(original);
  // A capability (2 words), the extension (7) and one mode (4).
  ASSERT_EQ(patched.size(), original.size() + 13);
  char path[] = "/tmp/hetc-float-controls-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, patched.data(), patched.size() * 4),
            (ssize_t)(patched.size() * 4));
  close(fd);
  std::string validation, text;
  int valid =
      run(std::string(HETC_SPIRV_VAL_PATH) + " --target-env vulkan1.2 " + path,
          &validation);
  int disassembled = run(std::string(HETC_SPIRV_DIS_PATH) + " " + path, &text);
  unlink(path);
  EXPECT_EQ(valid, 0) << validation;
  ASSERT_EQ(disassembled, 0) << text;
  EXPECT_NE(text.find("OpCapability DenormPreserve"), std::string::npos)
      << text;
  EXPECT_NE(text.find("OpExtension \"SPV_KHR_float_controls\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("OpExecutionMode %1 DenormPreserve 32"),
            std::string::npos)
      << text;
  // The kernel's own mode is still there (the assembler numbers %main 1).
  EXPECT_NE(text.find("OpExecutionMode %1 LocalSize 64 1 1"), std::string::npos)
      << text;
  // Patching again adds nothing.
  EXPECT_EQ(patch(patched), patched);
#endif
}

TEST(SpirvFloatControls, RefusesMalformedModules) {
  std::vector<uint32_t> original = readWords(HETC_ADD_ONE_SPV_PATH);
  // An instruction claiming more words than the module has.
  std::vector<uint32_t> truncated(original.begin(), original.begin() + 7);
  truncated[5] = (100u << 16) | 17;
  size_t count = 7;
  EXPECT_EQ(hetc_spirv_add_denorm_preserve(truncated.data(), truncated.size(),
                                           &count),
            nullptr);
  EXPECT_EQ(count, 0u);
  // A zero-length instruction.
  truncated[5] = 0;
  EXPECT_EQ(hetc_spirv_add_denorm_preserve(truncated.data(), truncated.size(),
                                           &count),
            nullptr);
  // Shorter than a header.
  EXPECT_EQ(hetc_spirv_add_denorm_preserve(original.data(), 3, &count),
            nullptr);
}

} // namespace
