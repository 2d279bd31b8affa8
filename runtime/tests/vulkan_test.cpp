//===- vulkan_test.cpp - the Vulkan driver on a real device (lavapipe) ----===//
//
// Drives hetc_vulkan_driver through the internal driver API with a
// hand-written SPIR-V kernel (add_one.spvasm: out[i] = in[i] + 1 for
// i < 1000). Every test skips when no Vulkan device opens; CI has Mesa's
// lavapipe, a CPU Vulkan device.
//
//===----------------------------------------------------------------------===//

extern "C" {
#include "../src/internal.h"
}

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr size_t kCount = 1000;       // add_one's bound
const uint32_t kGrid[3] = {16, 1, 1}; // 16 groups of 64 >= 1000

std::vector<uint8_t> readSpirv() {
  std::ifstream in(HETC_ADD_ONE_SPV_PATH, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A minimal artifact: just the sections load_kernels reads.
struct Artifact {
  std::vector<uint8_t> spirv;
  hetc_section_t section{};
  hetc_artifact_t artifact{};

  explicit Artifact(const char *sectionName, std::vector<uint8_t> bytes)
      : spirv(std::move(bytes)) {
    std::strncpy(section.name, sectionName, sizeof(section.name) - 1);
    section.data = spirv.data();
    section.size = spirv.size();
    artifact.sections = &section;
    artifact.num_sections = 1;
  }
};

hetc_kernel_desc_t kernelDesc(const char *name) {
  return {const_cast<char *>(name), {64, 1, 1}, 2};
}

// Takes ownership of `status`; expects `code` and a message containing
// `fragment`.
void expectError(hetc_status_t status, hetc_status_code_t code,
                 const std::string &fragment) {
  ASSERT_NE(status, nullptr);
  std::string message = hetc_status_message(status);
  EXPECT_EQ(hetc_status_code(status), code) << message;
  EXPECT_NE(message.find(fragment), std::string::npos) << message;
  hetc_status_free(status);
}

class Vulkan : public ::testing::Test {
protected:
  const hetc_driver_t &driver = hetc_vulkan_driver;
  void *impl = nullptr;
  char description[256] = {};

  void SetUp() override {
    hetc_status_t status =
        driver.open(0, &impl, description, sizeof(description));
    if (status && hetc_status_code(status) == HETC_STATUS_UNAVAILABLE) {
      std::string message = hetc_status_message(status);
      hetc_status_free(status);
      GTEST_SKIP() << "no Vulkan device: " << message;
    }
    ASSERT_EQ(status, nullptr) << hetc_status_message(status);
  }
  void TearDown() override {
    if (impl)
      driver.close(impl);
  }

  void *alloc(size_t bytes) {
    void *buffer = nullptr;
    hetc_status_t status = driver.alloc(impl, bytes, &buffer);
    EXPECT_EQ(status, nullptr) << hetc_status_message(status);
    return buffer;
  }
  std::vector<float> download(void *buffer, size_t count) {
    std::vector<float> values(count, -1.0f);
    hetc_status_t status =
        driver.download(impl, buffer, values.data(), count * sizeof(float));
    EXPECT_EQ(status, nullptr) << hetc_status_message(status);
    return values;
  }

  // Uploads 0..999 to one buffer, then in one step: b = a + 1, c = b + 1,
  // d = copy of c. The second dispatch and the copy read what the step
  // wrote earlier, so wrong barriers show up as stale values.
  void runChain() {
    Artifact artifact("spirv", readSpirv());
    ASSERT_FALSE(artifact.spirv.empty()) << HETC_ADD_ONE_SPV_PATH;
    hetc_kernel_desc_t kernels[] = {kernelDesc("add_one")};
    hetc_gpu_module_t *module = nullptr;
    hetc_status_t status =
        hetc_gpu_load_kernels(impl, &artifact.artifact, kernels, 1, &module);
    ASSERT_EQ(status, nullptr) << hetc_status_message(status);

    const size_t bytes = kCount * sizeof(float);
    void *a = alloc(bytes), *b = alloc(bytes), *c = alloc(bytes),
         *d = alloc(bytes);
    EXPECT_EQ(download(d, kCount), std::vector<float>(kCount, 0.0f))
        << "allocations start zeroed";
    std::vector<float> input(kCount);
    for (size_t i = 0; i < kCount; ++i)
      input[i] = float(i);
    ASSERT_EQ(driver.upload(impl, a, input.data(), bytes), nullptr);

    // Twice, so the second step reuses the command buffer and pools.
    for (int step = 0; step < 2; ++step) {
      ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
      void *first[] = {a, b}, *second[] = {b, c};
      ASSERT_EQ(hetc_gpu_dispatch(impl, module, 0, kGrid, first), nullptr);
      ASSERT_EQ(hetc_gpu_dispatch(impl, module, 0, kGrid, second), nullptr);
      ASSERT_EQ(hetc_gpu_copy(impl, c, 0, d, 0, bytes), nullptr);
      status = hetc_gpu_sync(impl);
      ASSERT_EQ(status, nullptr) << hetc_status_message(status);
    }
    std::vector<float> bValues = download(b, kCount);
    std::vector<float> cValues = download(c, kCount);
    std::vector<float> dValues = download(d, kCount);
    for (size_t i = 0; i < kCount; ++i) {
      ASSERT_EQ(bValues[i], input[i] + 1) << i;
      ASSERT_EQ(cValues[i], input[i] + 2) << i;
      ASSERT_EQ(dValues[i], input[i] + 2) << i;
    }
    for (void *buffer : {a, b, c, d})
      driver.free(impl, buffer);
    hetc_gpu_unload_kernels(impl, module);
  }
};

TEST_F(Vulkan, StagingPathWhenMemoryIsNotMapped) {
  // Reopen with device buffers unmapped: uploads, downloads and the zero
  // fill go through a staging buffer and vkCmdCopyBuffer as on a discrete
  // GPU.
  driver.close(impl);
  impl = nullptr;
  setenv("HETC_VULKAN_FORCE_STAGING", "1", 1);
  hetc_status_t status =
      driver.open(0, &impl, description, sizeof(description));
  unsetenv("HETC_VULKAN_FORCE_STAGING");
  ASSERT_EQ(status, nullptr) << hetc_status_message(status);
  runChain();
}

TEST_F(Vulkan, StagedTransfersOverOneChunk) {
  // Over the 16 MiB staging buffer, so uploads and downloads take chunks.
  driver.close(impl);
  impl = nullptr;
  setenv("HETC_VULKAN_FORCE_STAGING", "1", 1);
  hetc_status_t status =
      driver.open(0, &impl, description, sizeof(description));
  unsetenv("HETC_VULKAN_FORCE_STAGING");
  ASSERT_EQ(status, nullptr) << hetc_status_message(status);
  const size_t count = (20u << 20) / sizeof(float) + 3;
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i)
    values[i] = float(i % 100003);
  void *x = alloc(count * sizeof(float));
  ASSERT_EQ(driver.upload(impl, x, values.data(), count * sizeof(float)),
            nullptr);
  EXPECT_EQ(download(x, count), values);
  driver.free(impl, x);
}

TEST_F(Vulkan, ManyDispatchesInOneStep) {
  // More descriptor sets than one pool holds: the step adds pools, and the
  // next step reuses them.
  Artifact artifact("spirv", readSpirv());
  hetc_kernel_desc_t kernels[] = {kernelDesc("add_one")};
  hetc_gpu_module_t *module = nullptr;
  ASSERT_EQ(
      hetc_gpu_load_kernels(impl, &artifact.artifact, kernels, 1, &module),
      nullptr);
  const size_t bytes = kCount * sizeof(float);
  void *x = alloc(bytes), *y = alloc(bytes);
  const int kDispatches = 2500;
  for (int step = 1; step <= 2; ++step) {
    ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
    for (int i = 0; i < kDispatches; ++i) {
      void *args[] = {i % 2 ? y : x, i % 2 ? x : y};
      ASSERT_EQ(hetc_gpu_dispatch(impl, module, 0, kGrid, args), nullptr) << i;
    }
    hetc_status_t status = hetc_gpu_sync(impl);
    ASSERT_EQ(status, nullptr) << hetc_status_message(status);
    // kDispatches is even, so the last one wrote x.
    EXPECT_EQ(download(x, kCount),
              std::vector<float>(kCount, float(step * kDispatches)));
  }
  driver.free(impl, x);
  driver.free(impl, y);
  hetc_gpu_unload_kernels(impl, module);
}

TEST_F(Vulkan, TransferWhileRecordingFails) {
  void *x = alloc(16);
  float value = 1;
  ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
  expectError(driver.upload(impl, x, &value, sizeof(value)),
              HETC_STATUS_FAILED_PRECONDITION, "records a step");
  ASSERT_EQ(hetc_gpu_sync(impl), nullptr);
  EXPECT_EQ(driver.upload(impl, x, &value, sizeof(value)), nullptr);
  driver.free(impl, x);
}

TEST_F(Vulkan, ThreadsShareOneDevice) {
  // Steps and transfers from several threads take turns on the one queue.
  Artifact artifact("spirv", readSpirv());
  hetc_kernel_desc_t kernels[] = {kernelDesc("add_one")};
  hetc_gpu_module_t *module = nullptr;
  ASSERT_EQ(
      hetc_gpu_load_kernels(impl, &artifact.artifact, kernels, 1, &module),
      nullptr);
  const size_t bytes = kCount * sizeof(float);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      void *x = alloc(bytes), *y = alloc(bytes);
      std::vector<float> in(kCount, float(t)), out(kCount);
      for (int i = 0; i < 20; ++i) {
        void *args[] = {x, y};
        bool ok = !driver.upload(impl, x, in.data(), bytes) &&
                  !hetc_gpu_begin(impl) &&
                  !hetc_gpu_dispatch(impl, module, 0, kGrid, args) &&
                  !hetc_gpu_sync(impl) &&
                  !driver.download(impl, y, out.data(), bytes);
        if (!ok || out != std::vector<float>(kCount, float(t + 1)))
          ++failures[t];
      }
      driver.free(impl, x);
      driver.free(impl, y);
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
  hetc_gpu_unload_kernels(impl, module);
}

TEST_F(Vulkan, MissingSpirvSectionIsDataLoss) {
  Artifact artifact("host", readSpirv());
  hetc_kernel_desc_t kernels[] = {kernelDesc("add_one")};
  hetc_gpu_module_t *module = nullptr;
  expectError(
      hetc_gpu_load_kernels(impl, &artifact.artifact, kernels, 1, &module),
      HETC_STATUS_DATA_LOSS, "vulkan artifact has no 'spirv' section");
  EXPECT_EQ(module, nullptr);
}

TEST_F(Vulkan, CorruptSpirvIsDataLoss) {
  std::vector<uint8_t> bytes = readSpirv();
  bytes.resize(bytes.size() - 2);
  Artifact artifact("spirv", bytes);
  hetc_kernel_desc_t kernels[] = {kernelDesc("add_one")};
  hetc_gpu_module_t *module = nullptr;
  expectError(
      hetc_gpu_load_kernels(impl, &artifact.artifact, kernels, 1, &module),
      HETC_STATUS_DATA_LOSS, "is not a SPIR-V module");
}

TEST_F(Vulkan, BadEntryPointNamesTheKernel) {
  Artifact artifact("spirv", readSpirv());
  hetc_kernel_desc_t kernels[] = {kernelDesc("add_one"),
                                  kernelDesc("train_step_kernel_3")};
  hetc_gpu_module_t *module = nullptr;
  expectError(
      hetc_gpu_load_kernels(impl, &artifact.artifact, kernels, 2, &module),
      HETC_STATUS_NOT_FOUND, "kernel 'train_step_kernel_3'");
  EXPECT_EQ(module, nullptr);
}

TEST_F(Vulkan, OversizedGridNamesTheKernel) {
  Artifact artifact("spirv", readSpirv());
  hetc_kernel_desc_t kernels[] = {kernelDesc("add_one")};
  hetc_gpu_module_t *module = nullptr;
  ASSERT_EQ(
      hetc_gpu_load_kernels(impl, &artifact.artifact, kernels, 1, &module),
      nullptr);
  void *x = alloc(16), *y = alloc(16);
  ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
  const uint32_t grid[3] = {UINT32_MAX, 1, 1};
  void *args[] = {x, y};
  expectError(hetc_gpu_dispatch(impl, module, 0, grid, args),
              HETC_STATUS_INVALID_ARGUMENT, "kernel 'add_one' needs a grid");
  // The step still ends cleanly, and the next one works.
  EXPECT_EQ(hetc_gpu_sync(impl), nullptr);
  ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
  EXPECT_EQ(hetc_gpu_sync(impl), nullptr);
  driver.free(impl, x);
  driver.free(impl, y);
  hetc_gpu_unload_kernels(impl, module);
}

} // namespace
