//===- program_test.cpp - the GPU executor over recorded programs ---------===//
//
// Builds artifacts whose device program replays the hand-written add_one
// SPIR-V kernel, and runs them through the public session API on the
// Vulkan driver (lavapipe here): temporaries, chained dispatches, and the
// errors for malformed programs and failing kernels.
//
//===----------------------------------------------------------------------===//

#include "driver_test_util.h"
#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/hetc_runtime.h"
#include "manifest_check.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

constexpr int64_t kCount = 1000; // add_one's bound

std::string readSpirv() {
  std::ifstream in(HETC_ADD_ONE_SPV_PATH, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// An eval entry x -> (loss, output0); `device` is the manifest's device
/// object (empty: none).
std::string manifest(const std::string &device) {
  std::string text = R"({"format_version": 1, "compiler_version": "0.1.0",
    "target": "vulkan", "chip": "generic", "cpu_features": [],
    "model": "m", "optimizer": {}, "entries": [
    {"name": "eval", "kind": "eval", "symbol": "",
     "args": [{"name": "x", "role": "input", "dtype": "f32", "shape": [1000]}],
     "results": [{"name": "loss", "role": "loss", "dtype": "f32", "shape": []},
                 {"name": "output0", "role": "output", "dtype": "f32",
                  "shape": [1000]}]}])";
  if (!device.empty())
    text += R"(, "device": )" + device;
  return text + "}";
}

/// A device program: add_one from x into a temporary, then into output0
/// (entry buffers: a0 = x, a1 = loss, a2 = output0).
std::string program(const std::string &grid = "[16, 1, 1]",
                    const std::string &second = "\"t0\", \"a2\"",
                    const std::string &kernelIndex = "0") {
  return R"({"kernels": [{"name": "add_one", "block": [64, 1, 1],
                          "bindings": 2, "source": "m.mlir:3:7"}],
    "constants": [],
    "programs": {"eval": {"temporaries": [4000], "commands": [
      {"dispatch": )" +
         kernelIndex + R"(, "grid": )" + grid +
         R"(, "bindings": ["a0", "t0"]},
      {"dispatch": 0, "grid": [16, 1, 1], "bindings": [)" +
         second + R"(]}]}}})";
}

struct Program : ::testing::Test {
  hetc_device_t *device = nullptr;
  hetc_artifact_t *artifact = nullptr;
  hetc_session_t *session = nullptr;

  void SetUp() override {
    hetc_status_t status = hetc_device_open("vulkan", 0, &device);
    if (status) {
      std::string message = hetc_status_message(status);
      hetc_status_free(status);
      GTEST_SKIP() << "no Vulkan device: " << message;
    }
  }
  void TearDown() override {
    hetc_session_free(session);
    hetc_artifact_free(artifact);
    hetc_device_free(device);
  }

  /// Opens an artifact with `manifestText` and the add_one kernel, and
  /// creates a session; returns the session's status.
  hetc_status_t load(const std::string &manifestText) {
    hetc_status_t status = hetc_test::openSigned(
        manifestText, {{"spirv", readSpirv()}}, &artifact);
    if (status)
      return status;
    return hetc_session_create(artifact, device, &session);
  }

  hetc_status_t run(std::vector<float> &out) {
    std::vector<float> x(kCount);
    for (int64_t i = 0; i < kCount; ++i)
      x[i] = float(i) * 0.5f;
    int64_t shape[1] = {kCount};
    hetc_tensor_t input = {"x", HETC_DTYPE_F32, 1, shape, x.data()};
    out.assign(kCount, -1.0f);
    hetc_tensor_t output = {"output0", HETC_DTYPE_F32, 1, shape, out.data()};
    float loss = 0;
    return hetc_session_run(session, "eval", &input, 1, &loss, &output, 1);
  }
};

void expectError(hetc_status_t status, hetc_status_code_t code,
                 const std::string &text) {
  ASSERT_NE(status, nullptr) << "expected an error containing: " << text;
  std::string message = hetc_status_message(status);
  EXPECT_EQ(hetc_status_code(status), code) << message;
  EXPECT_NE(message.find(text), std::string::npos) << message;
  hetc_status_free(status);
}

TEST(ProgramManifest, FollowsTheSchema) {
  // As the compiler writes it (test_manifest_schema.py checks that).
  EXPECT_EQ(hetc_test::checkManifest(manifest(program())),
            std::vector<std::string>{});
}

TEST_F(Program, ChainsDispatchesThroughATemporary) {
  ASSERT_EQ(load(manifest(program())), nullptr);
  std::vector<float> out;
  for (int repeat = 0; repeat < 2; ++repeat) {
    ASSERT_EQ(run(out), nullptr);
    for (int64_t i = 0; i < kCount; ++i)
      ASSERT_EQ(out[i], float(i) * 0.5f + 2.0f) << "element " << i;
  }
}

TEST_F(Program, AFailingDispatchNamesTheEntryAndKernel) {
  ASSERT_EQ(load(manifest(program("[4000000000, 1, 1]"))), nullptr);
  std::vector<float> out;
  // The error names the kernel and the model op it computes.
  expectError(run(out), HETC_STATUS_INVALID_ARGUMENT,
              "entry 'eval' failed on the device in kernel 'add_one' (from "
              "m.mlir:3:7)");
  // The device stays usable.
  session = (hetc_session_free(session), nullptr);
  hetc_artifact_free(artifact);
  artifact = nullptr;
  ASSERT_EQ(load(manifest(program())), nullptr);
  ASSERT_EQ(run(out), nullptr);
}

TEST_F(Program, MissingDeviceProgramIsDataLoss) {
  expectError(load(manifest("")), HETC_STATUS_DATA_LOSS,
              "has no device program");
}

TEST_F(Program, UnknownKernelIsDataLoss) {
  expectError(load(manifest(program("[16, 1, 1]", "\"t0\", \"a2\"", "7"))),
              HETC_STATUS_DATA_LOSS, "a known kernel");
}

TEST_F(Program, MissingBufferIsNamed) {
  expectError(load(manifest(program("[16, 1, 1]", "\"t9\", \"a2\""))),
              HETC_STATUS_DATA_LOSS, "names buffer t9");
}

TEST_F(Program, CopiesOutsideTheirBuffersAreRefused) {
  // output0 and t0 hold 4000 bytes each: a copy may not pass their ends.
  auto withCopy = [](const std::string &copy) {
    return R"({"kernels": [{"name": "add_one", "block": [64, 1, 1],
                            "bindings": 2}],
      "programs": {"eval": {"temporaries": [4000], "commands": [
        {"dispatch": 0, "grid": [16, 1, 1], "bindings": ["a0", "t0"]},
        {"copy": )" +
           copy + "}]}}}";
  };
  expectError(load(manifest(withCopy(
                  R"({"src": "t0", "dst": "a2", "src_offset": 0,
                      "dst_offset": 8, "bytes": 4000})"))),
              HETC_STATUS_DATA_LOSS,
              "command 1 copies 4000 bytes outside its buffers (4000 and "
              "4000 bytes)");
  hetc_artifact_free(artifact);
  artifact = nullptr;
  expectError(load(manifest(withCopy(
                  R"({"src": "t0", "dst": "a2", "src_offset": 1e+30,
                      "dst_offset": 0, "bytes": 4})"))),
              HETC_STATUS_DATA_LOSS, "a copy lacks src, dst, offsets or bytes");
}

TEST_F(Program, WrongBindingCountNamesTheKernel) {
  expectError(load(manifest(program("[16, 1, 1]", "\"t0\""))),
              HETC_STATUS_DATA_LOSS, "kernel 'add_one' does not bind its 2");
}

} // namespace

namespace {

TEST_F(Program, ProfileReportsTimePerKernel) {
  setenv("HETC_PROFILE", "1", 1);
  hetc_status_t status = load(manifest(program()));
  unsetenv("HETC_PROFILE");
  ASSERT_EQ(status, nullptr);
  std::vector<float> out;
  ASSERT_EQ(run(out), nullptr);
  ASSERT_EQ(run(out), nullptr);
  ::testing::internal::CaptureStderr();
  hetc_session_free(session);
  session = nullptr;
  std::string report = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(report.find("hetc profile:"), std::string::npos) << report;
  // add_one ran twice per step, two steps.
  EXPECT_NE(report.find("4 x  add_one (m.mlir:3:7)"), std::string::npos)
      << report;
}

} // namespace
