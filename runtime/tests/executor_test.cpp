//===- executor_test.cpp - the GPU executor on the recording null driver --===//
//
// Runs recorded device programs (program.c) through the executor's device
// API (executor.c) on the null driver, which logs every vendor call, so
// these tests check what the executor itself does: the order of
// allocations, launches, copies and syncs; argument marshalling; temporaries
// allocated once; new buffers zeroed; empty grids not launched; and the
// clean-up and messages of every failing call.
//
//===----------------------------------------------------------------------===//

extern "C" {
#include "../src/drivers/gpu_drivers.h"
#include "../src/internal.h"
}
#include "driver_test_util.h"
#include "manifest_check.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

/// An eval entry x -> (loss, output0) over 1000 floats, with `device` as
/// its device program.
std::string manifest(const std::string &device) {
  return R"({"format_version": 1, "compiler_version": "0.1.0",
    "target": "null", "chip": "generic", "cpu_features": [], "model": "m",
    "optimizer": {}, "entries": [
    {"name": "eval", "kind": "eval", "symbol": "",
     "args": [{"name": "x", "role": "input", "dtype": "f32", "shape": [1000]}],
     "results": [{"name": "loss", "role": "loss", "dtype": "f32", "shape": []},
                 {"name": "output0", "role": "output", "dtype": "f32",
                  "shape": [1000]}]}], "device": )" +
         device + "}";
}

/// add_one into a temporary, a copy of it into output0, and `scale`
/// binding the temporary, the input and the constant.
const char kProgram[] = R"({
  "kernels": [
    {"name": "add_one", "block": [64, 1, 1], "bindings": 2,
     "source": "m.mlir:3:7"},
    {"name": "scale", "block": [32, 2, 1], "bindings": 3}],
  "constants": [{"offset": 0, "bytes": 8}],
  "programs": {"eval": {"temporaries": [4000], "commands": [
    {"dispatch": 0, "grid": [16, 1, 1], "bindings": ["a0", "t0"]},
    {"copy": {"src": "t0", "dst": "a2", "src_offset": 4, "dst_offset": 0,
              "bytes": 3996}},
    {"dispatch": 1, "grid": [2, 3, 4], "bindings": ["t0", "a0", "c0"]}]}}})";

struct Executor : ::testing::Test {
  void *impl = nullptr;
  hetc_artifact_t *artifact = nullptr;
  hetc_executable_t *exe = nullptr;
  void *buffers[3] = {};

  void SetUp() override {
    char description[128];
    ASSERT_EQ(hetc_null_driver.open(0, &impl, description, sizeof(description)),
              nullptr);
    for (int i = 0; i < 3; ++i)
      ASSERT_EQ(hetc_gpu_alloc(impl, i == 1 ? 4 : 4000, &buffers[i]), nullptr);
    free(hetc_null_take_log(impl));
  }
  void TearDown() override {
    hetc_program_unload(&hetc_null_driver, impl, exe);
    for (void *buffer : buffers)
      hetc_gpu_free(impl, buffer);
    hetc_artifact_free(artifact);
    hetc_null_driver.close(impl);
  }

  /// Opens an artifact of `device` whose null code defines `kernels`, and
  /// loads it.
  hetc_status_t load(const std::string &device = kProgram,
                     const std::string &kernels = "add_one\nscale\n") {
    std::string constants(8, '\x01');
    hetc_status_t status = hetc_test::openSigned(
        manifest(device), {{"null", kernels}, {"constants", constants}},
        &artifact);
    if (!status)
      status = hetc_program_load(&hetc_null_driver, impl, artifact, &exe);
    return status;
  }

  hetc_status_t invoke() {
    return hetc_program_invoke(&hetc_null_driver, impl, exe,
                               &artifact->entries[0], buffers);
  }

  std::string log() {
    char *text = hetc_null_take_log(impl);
    std::string result = text ? text : "";
    free(text);
    return result;
  }
};

TEST(ExecutorManifest, FollowsTheSchema) {
  EXPECT_EQ(hetc_test::checkManifest(manifest(kProgram)),
            std::vector<std::string>{});
}

TEST(ExecutorManifest, TheCheckNamesEachDeparture) {
  std::string bad = R"({"format_version": 1.5, "compiler_version": "0.1.0",
    "target": "null", "chip": "generic", "cpu_features": [], "model": "m",
    "optimizer": {"lr": 0.1}, "entries": [{"name": "eval", "kind": "eval",
    "args": [], "results": [{"name": "loss", "role": "loss", "dtype": "f32",
    "shape": [], "colour": "red"}]}], "device": {"kernels": [],
    "constants": [], "programs": {"eval": {"temporaries": [],
    "commands": [{"copy": {"src": "a0", "dst": "a1", "bytes": 4}}]}}}})";
  EXPECT_EQ(hetc_test::checkManifest(bad),
            (std::vector<std::string>{
                "manifest.format_version is not a INTEGER",
                "manifest.entries[0] lacks the required key 'symbol'",
                "manifest.entries[0].results[0] has the key 'colour', which "
                "the schema does not list for TENSOR",
                "manifest.device.programs.eval.commands[0].copy lacks the "
                "required key 'src_offset'",
                "manifest.device.programs.eval.commands[0].copy lacks the "
                "required key 'dst_offset'"}));
}

TEST_F(Executor, LoadsConstantsThenTheKernelTable) {
  ASSERT_EQ(load(), nullptr);
  EXPECT_EQ(log(), "alloc b4 8\n"
                   "zero b4 8\n"
                   "upload b4 8\n"
                   "load_module 14 bytes\n"
                   "get_function add_one\n"
                   "get_function scale\n");
}

TEST_F(Executor, RunsTheProgramInOrderWithItsArguments) {
  ASSERT_EQ(load(), nullptr);
  log();
  ASSERT_EQ(invoke(), nullptr);
  // Buffers: b1..b3 the entry's (x, loss, output0), b4 the constant, b5
  // the temporary, allocated (and zeroed) at the first run only.
  EXPECT_EQ(log(), "alloc b5 4000\n"
                   "zero b5 4000\n"
                   "begin\n"
                   "launch add_one grid 16x1x1 block 64x1x1 args b1 b5\n"
                   "copy b5+4 -> b3+0 3996\n"
                   "launch scale grid 2x3x4 block 32x2x1 args b5 b1 b4\n"
                   "sync\n");
  ASSERT_EQ(invoke(), nullptr);
  EXPECT_EQ(log(), "begin\n"
                   "launch add_one grid 16x1x1 block 64x1x1 args b1 b5\n"
                   "copy b5+4 -> b3+0 3996\n"
                   "launch scale grid 2x3x4 block 32x2x1 args b5 b1 b4\n"
                   "sync\n");
}

TEST_F(Executor, SyncEachDispatchEndsAStepPerCommand) {
  setenv("HETC_SYNC_EACH_DISPATCH", "1", 1);
  hetc_status_t status = load();
  unsetenv("HETC_SYNC_EACH_DISPATCH");
  ASSERT_EQ(status, nullptr);
  ASSERT_EQ(invoke(), nullptr);
  std::string text = log();
  EXPECT_NE(text.find("begin\nlaunch add_one grid 16x1x1 block 64x1x1 args "
                      "b1 b5\nsync\nbegin\ncopy b5+4 -> b3+0 3996\nsync\n"
                      "begin\nlaunch scale"),
            std::string::npos)
      << text;
}

TEST_F(Executor, UnloadReleasesEveryKernelThenTheModule) {
  ASSERT_EQ(load(), nullptr);
  ASSERT_EQ(invoke(), nullptr);
  log();
  hetc_program_unload(&hetc_null_driver, impl, exe);
  exe = nullptr;
  EXPECT_EQ(log(), "free b5\n"
                   "free b4\n"
                   "release_function add_one\n"
                   "release_function scale\n"
                   "unload_module\n");
}

TEST_F(Executor, AnEmptyGridIsNeverLaunched) {
  ASSERT_EQ(load(), nullptr);
  hetc_kernel_desc_t desc{
      const_cast<char *>("add_one"), {64, 1, 1}, 2, nullptr};
  hetc_gpu_module_t *module = nullptr;
  ASSERT_EQ(hetc_gpu_load_kernels(impl, artifact, &desc, 1, &module), nullptr);
  log();
  void *const args[] = {buffers[0], buffers[2]};
  ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
  for (int axis = 0; axis < 3; ++axis) {
    uint32_t grid[3] = {4, 4, 4};
    grid[axis] = 0;
    EXPECT_EQ(hetc_gpu_dispatch(impl, module, 0, grid, args), nullptr);
  }
  const uint32_t grid[3] = {1, 1, 1};
  EXPECT_EQ(hetc_gpu_dispatch(impl, module, 0, grid, args), nullptr);
  ASSERT_EQ(hetc_gpu_sync(impl), nullptr);
  EXPECT_EQ(log(), "begin\n"
                   "launch add_one grid 1x1x1 block 64x1x1 args b1 b3\n"
                   "sync\n");
  hetc_gpu_unload_kernels(impl, module);
}

TEST_F(Executor, AFailingLaunchIsBlamedAndTheQueueDrained) {
  ASSERT_EQ(load(), nullptr);
  ASSERT_EQ(invoke(), nullptr);
  log();
  hetc_null_fail(impl, "launch");
  hetc_test::expectError(
      invoke(), HETC_STATUS_INTERNAL,
      "entry 'eval' failed on the device in kernel 'add_one' (from "
      "m.mlir:3:7): launching kernel 'add_one' (grid 16x1x1, block 64x1x1) "
      "failed: NULL_INJECTED_FAILURE (1)");
  EXPECT_EQ(log(), "begin\nlaunch fails\nsync\n");
  // The next run works.
  EXPECT_EQ(invoke(), nullptr);
}

TEST_F(Executor, AFailingSyncBlamesTheLastCommandAtOrBefore) {
  ASSERT_EQ(load(), nullptr);
  hetc_null_fail(impl, "sync");
  hetc_test::expectError(
      invoke(), HETC_STATUS_INTERNAL,
      "entry 'eval' failed on the device at or before kernel 'scale': null "
      "device 0 failed while running the queued kernels and copies: "
      "NULL_INJECTED_FAILURE (1) (set HETC_SYNC_EACH_DISPATCH=1 to find the "
      "exact kernel)");
}

TEST_F(Executor, AFailingCopyNamesIt) {
  ASSERT_EQ(load(), nullptr);
  hetc_null_fail(impl, "copy");
  hetc_test::expectError(invoke(), HETC_STATUS_INTERNAL,
                         "failed on the device in a buffer copy: queueing a "
                         "3996-byte device copy failed");
}

TEST_F(Executor, AllocationsThatCannotBeZeroedAreFreed) {
  hetc_null_fail(impl, "zero");
  void *buffer = nullptr;
  hetc_test::expectError(hetc_gpu_alloc(impl, 16, &buffer),
                         HETC_STATUS_INTERNAL,
                         "cannot allocate 16 bytes on null device 0: "
                         "NULL_INJECTED_FAILURE (1)");
  EXPECT_EQ(buffer, nullptr);
  EXPECT_EQ(log(), "alloc b4 16\nzero fails\nfree b4\n");
}

TEST_F(Executor, EmptyTransfersReachNoDriver) {
  EXPECT_EQ(hetc_gpu_upload(impl, buffers[0], nullptr, 0), nullptr);
  EXPECT_EQ(hetc_gpu_download(impl, buffers[0], nullptr, 0), nullptr);
  EXPECT_EQ(hetc_gpu_copy(impl, buffers[0], 0, buffers[2], 0, 0), nullptr);
  EXPECT_EQ(log(), "");
}

TEST_F(Executor, AMissingKernelReleasesWhatWasLoaded) {
  hetc_test::expectError(load(kProgram, "add_one\n"), HETC_STATUS_NOT_FOUND,
                         "the null device code has no kernel 'scale'");
  EXPECT_EQ(exe, nullptr);
  std::string text = log();
  EXPECT_NE(text.find("get_function add_one\nrelease_function add_one\n"
                      "unload_module\nfree b4\n"),
            std::string::npos)
      << text;
}

TEST_F(Executor, AFailingModuleLoadLeavesNothingBehind) {
  hetc_null_fail(impl, "load_module");
  hetc_test::expectError(load(), HETC_STATUS_INTERNAL,
                         "cannot load the module: NULL_INJECTED_FAILURE (1)");
  EXPECT_EQ(log(), "alloc b4 8\nzero b4 8\nupload b4 8\nload_module fails\n"
                   "free b4\n");
}

} // namespace
