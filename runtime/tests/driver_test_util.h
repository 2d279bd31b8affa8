//===- driver_test_util.h - kernels and artifacts for the drivers' tests --===//
//
// add_one (out[i] = in[i] + 1 for i < 1000) as PTX text; its SPIR-V is
// assembled from add_one.spvasm at build time (HETC_ADD_ONE_SPV_PATH).
// FakeArtifact holds just the sections a driver's load_module reads;
// openSigned builds a whole artifact whose manifest the executor accepts.
//
//===----------------------------------------------------------------------===//

#ifndef HETC_RUNTIME_TESTS_DRIVER_TEST_UTIL_H
#define HETC_RUNTIME_TESTS_DRIVER_TEST_UTIL_H

extern "C" {
#include "../src/internal.h"
}
#include "runtime_test_util.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace hetc_test {

// out[i] = in[i] + 1 for i < 1000. Deliberately old (PTX 7.0, sm_52) so any
// CUDA 11+ driver JIT-compiles it for its device.
inline constexpr char kAddOnePtx[] = R"(.version 7.0
.target sm_52
.address_size 64

.visible .entry add_one(
    .param .u64 in,
    .param .u64 out
)
{
    .reg .pred  %p<2>;
    .reg .b32   %r<5>;
    .reg .f32   %f<3>;
    .reg .b64   %rd<8>;

    ld.param.u64        %rd1, [in];
    ld.param.u64        %rd2, [out];
    mov.u32             %r1, %ctaid.x;
    mov.u32             %r2, %ntid.x;
    mov.u32             %r3, %tid.x;
    mad.lo.s32          %r4, %r1, %r2, %r3;
    setp.ge.s32         %p1, %r4, 1000;
    @%p1 bra            DONE;
    cvta.to.global.u64  %rd3, %rd1;
    cvta.to.global.u64  %rd4, %rd2;
    mul.wide.s32        %rd5, %r4, 4;
    add.s64             %rd6, %rd3, %rd5;
    add.s64             %rd7, %rd4, %rd5;
    ld.global.f32       %f1, [%rd6];
    add.f32             %f2, %f1, 0f3F800000;
    st.global.f32       [%rd7], %f2;
DONE:
    ret;
}
)";

inline std::vector<uint8_t> bytesOf(const std::string &text) {
  return std::vector<uint8_t>(text.begin(), text.end()); // no NUL
}

/// A minimal artifact: the chip and the sections load_module reads.
struct FakeArtifact {
  std::string chip;
  std::vector<std::string> names;
  std::vector<std::vector<uint8_t>> data;
  std::vector<hetc_section_t> sections;
  hetc_artifact_t artifact{};

  explicit FakeArtifact(std::string chipName) : chip(std::move(chipName)) {}

  FakeArtifact &add(const char *name, std::vector<uint8_t> bytes) {
    names.push_back(name);
    data.push_back(std::move(bytes));
    return *this;
  }

  const hetc_artifact_t *get() {
    sections.assign(names.size(), hetc_section_t{});
    for (size_t i = 0; i < names.size(); ++i) {
      snprintf(sections[i].name, sizeof(sections[i].name), "%s",
               names[i].c_str());
      sections[i].data = data[i].data();
      sections[i].size = data[i].size();
    }
    artifact.sections = sections.data();
    artifact.num_sections = sections.size();
    artifact.chip = chip.data();
    return &artifact;
  }
};

/// Opens an artifact of `manifestText` and `code` (section name, bytes),
/// with the signature the compiler would embed for the manifest.
inline hetc_status_t
openSigned(const std::string &manifestText,
           const std::vector<std::pair<std::string, std::string>> &code,
           hetc_artifact_t **out) {
  std::string signature = signatureOf(manifestText);
  std::vector<hetc_section_input_t> sections = {
      {"manifest", manifestText.data(), manifestText.size()},
      {HETC_SIGNATURE_SECTION, signature.c_str(), signature.size() + 1}};
  for (const auto &[name, bytes] : code)
    sections.push_back({name.c_str(), bytes.data(), bytes.size()});
  uint8_t *bytes = nullptr;
  size_t size = 0;
  const char *error = nullptr;
  EXPECT_EQ(hetc_artifact_encode(sections.data(), sections.size(), &bytes,
                                 &size, &error),
            0);
  hetc_status_t status = hetc_artifact_open_memory(bytes, size, out);
  free(bytes);
  return status;
}

} // namespace hetc_test

#endif // HETC_RUNTIME_TESTS_DRIVER_TEST_UTIL_H
