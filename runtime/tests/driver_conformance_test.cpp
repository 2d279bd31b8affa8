//===- driver_conformance_test.cpp - one suite every GPU driver passes ----===//
//
// Every GPU driver is registered below with its add_one kernel (if one
// exists here) and the cases it cannot run, and runs the same cases through
// the executor's device API (executor.c): devices and ordinals, memory,
// copies, kernel loading, dispatch and errors. A case skips, saying why,
// where the driver's device is missing or the case is listed unsupported
// for it; null and vulkan (lavapipe) run everywhere, cuda where an NVIDIA
// GPU is.
//
//===----------------------------------------------------------------------===//

extern "C" {
#include "../src/drivers/gpu_drivers.h"
#include "../src/internal.h"
}
#include "driver_test_util.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr size_t kCount = 1000; // add_one's bound
constexpr size_t kBytes = kCount * sizeof(float);

std::vector<uint8_t> readFile(const char *path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

using hetc_test::bytesOf;
using hetc_test::FakeArtifact;

/// How one driver takes part in the suite.
struct DriverCase {
  const char *name;
  const hetc_driver_t *driver;
  /// The section holding add_one, its contents (empty: no kernel here),
  /// and the block and grid that cover kCount elements.
  const char *section;
  std::vector<uint8_t> (*code)();
  uint32_t block, grid;
  /// Cases this driver cannot run, with the reason.
  std::map<std::string, std::string> unsupported;
};

/// ctest lists a case by its driver's name.
void PrintTo(const DriverCase &c, std::ostream *os) { *os << c.name; }

std::vector<uint8_t> noCode() { return {}; }
std::vector<uint8_t> nullCode() { return bytesOf("add_one\nother\n"); }
std::vector<uint8_t> ptxCode() { return bytesOf(hetc_test::kAddOnePtx); }
std::vector<uint8_t> spirvCode() {
#ifdef HETC_ADD_ONE_SPV_PATH
  return readFile(HETC_ADD_ONE_SPV_PATH);
#else
  return {};
#endif
}

const std::string kRecordsOnly =
    "the null driver records launches and runs no kernel";

const std::vector<DriverCase> &drivers() {
  static const std::vector<DriverCase> all = {
      {"null",
       &hetc_null_driver,
       "null",
       nullCode,
       64,
       16,
       {{"DispatchComputes", kRecordsOnly},
        {"DispatchesSeeEarlierWrites", kRecordsOnly}}},
      {"vulkan", &hetc_vulkan_driver, "spirv", spirvCode, 64, 16, {}},
      {"cuda", &hetc_cuda_driver, "ptx", ptxCode, 256, 4, {}},
      {"rocm", &hetc_rocm_driver, "hsaco", noCode, 256, 4, {}},
      {"level_zero", &hetc_level_zero_driver, "spirv", noCode, 256, 4, {}},
  };
  return all;
}

std::string messageOf(hetc_status_t status) {
  std::string message = status ? hetc_status_message(status) : "";
  hetc_status_free(status);
  return message;
}

std::vector<float> iota() {
  std::vector<float> values(kCount);
  for (size_t i = 0; i < kCount; ++i)
    values[i] = 0.5f * float(i);
  return values;
}

class Conformance : public ::testing::TestWithParam<DriverCase> {
protected:
  const DriverCase &c = GetParam();
  const hetc_driver_t &driver = *GetParam().driver;
  void *impl = nullptr;
  std::string unavailable; // why device 0 does not open
  char description[256] = {};
  std::vector<void *> buffers;
  hetc_gpu_module_t *module = nullptr; // unloaded at the end

  void SetUp() override {
    hetc_status_t status =
        driver.open(0, &impl, description, sizeof(description));
    if (status) {
      unavailable = hetc_status_message(status);
      EXPECT_EQ(hetc_status_code(status), HETC_STATUS_UNAVAILABLE)
          << unavailable;
      hetc_status_free(status);
      impl = nullptr;
    }
  }
  void TearDown() override {
    if (module)
      hetc_gpu_unload_kernels(impl, module);
    for (void *buffer : buffers)
      driver.free(impl, buffer);
    if (impl)
      driver.close(impl);
  }

  /// Why this case cannot run here, or "".
  std::string skipReason(bool needsKernel) const {
    if (!impl)
      return "no " + std::string(c.name) + " device here: " + unavailable;
    std::string test =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::string base = test.substr(0, test.find('/'));
    auto it = c.unsupported.find(base);
    if (it != c.unsupported.end())
      return "unsupported on " + std::string(c.name) + ": " + it->second;
    if (needsKernel && c.code().empty())
      return "no add_one kernel for " + std::string(c.name) + " here";
    return "";
  }

  void *alloc(size_t bytes) {
    void *buffer = nullptr;
    hetc_status_t status = driver.alloc(impl, bytes, &buffer);
    EXPECT_EQ(status, nullptr) << messageOf(status);
    buffers.push_back(buffer);
    return buffer;
  }
  std::vector<float> download(void *buffer, size_t count = kCount) {
    std::vector<float> values(count, -1.0f);
    hetc_status_t status =
        driver.download(impl, buffer, values.data(), count * sizeof(float));
    EXPECT_EQ(status, nullptr) << messageOf(status);
    return values;
  }
  void upload(void *buffer, const std::vector<float> &values) {
    hetc_status_t status = driver.upload(impl, buffer, values.data(),
                                         values.size() * sizeof(float));
    ASSERT_EQ(status, nullptr) << messageOf(status);
  }

  /// Loads the driver's add_one code into `module`, as a module whose
  /// one kernel is named `kernel`.
  hetc_status_t load(const char *kernel = "add_one") {
    FakeArtifact artifact("generic");
    artifact.add(c.section, c.code());
    hetc_kernel_desc_t desc{
        const_cast<char *>(kernel), {c.block, 1, 1}, 2, nullptr};
    return hetc_gpu_load_kernels(impl, artifact.get(), &desc, 1, &module);
  }

  /// Loads add_one and allocates a (holding iota) and b.
  void prepareAddOne(void **a, void **b) {
    ASSERT_EQ(messageOf(load()), "");
    *a = alloc(kBytes);
    *b = alloc(kBytes);
    upload(*a, iota());
  }
};

#define SKIP_UNLESS_RUNS(needsKernel)                                          \
  do {                                                                         \
    std::string reason = skipReason(needsKernel);                              \
    if (!reason.empty())                                                       \
      GTEST_SKIP() << reason;                                                  \
  } while (0)

//--- Devices and ordinals ---------------------------------------------------

TEST_P(Conformance, OrdinalsPastTheLastDeviceAreUnavailable) {
  // Holds with or without the vendor library: either it or the device is
  // missing.
  for (int ordinal : {-1, 1000}) {
    void *other = nullptr;
    char text[256];
    hetc_status_t status = driver.open(ordinal, &other, text, sizeof(text));
    ASSERT_NE(status, nullptr) << ordinal;
    EXPECT_EQ(hetc_status_code(status), HETC_STATUS_UNAVAILABLE)
        << messageOf(status);
    EXPECT_EQ(other, nullptr);
    if (impl) { // the library is there: the message counts the devices
      std::string message = hetc_status_message(status);
      EXPECT_NE(message.find(" found"), std::string::npos) << message;
    }
    hetc_status_free(status);
  }
}

TEST_P(Conformance, DescribesTheDevice) {
  SKIP_UNLESS_RUNS(false);
  EXPECT_GT(std::strlen(description), 4u);
  std::printf("%s 0: %s\n", c.name, description);
}

TEST_P(Conformance, EveryOrdinalOpensIndependently) {
  SKIP_UNLESS_RUNS(false);
  // Device 0 opened twice, then every further ordinal: each has its own
  // memory.
  for (int ordinal = 0; ordinal < 16; ++ordinal) {
    void *other = nullptr;
    char text[256];
    hetc_status_t status = driver.open(ordinal, &other, text, sizeof(text));
    if (status) {
      EXPECT_GT(ordinal, 0);
      EXPECT_EQ(hetc_status_code(status), HETC_STATUS_UNAVAILABLE);
      hetc_status_free(status);
      break;
    }
    void *mine = alloc(kBytes), *theirs = nullptr;
    ASSERT_EQ(driver.alloc(other, kBytes, &theirs), nullptr);
    std::vector<float> values(kCount, float(ordinal + 1));
    upload(mine, values);
    ASSERT_EQ(driver.upload(other, theirs, values.data(), kBytes), nullptr);
    std::vector<float> back(kCount, 0.0f);
    ASSERT_EQ(driver.download(other, theirs, back.data(), kBytes), nullptr);
    EXPECT_EQ(back, values) << "ordinal " << ordinal;
    EXPECT_EQ(download(mine), values);
    driver.free(other, theirs);
    driver.close(other);
  }
}

//--- Memory and copies ------------------------------------------------------

TEST_P(Conformance, AllocationsStartZeroed) {
  SKIP_UNLESS_RUNS(false);
  for (size_t bytes : {size_t(4), kBytes, size_t(3 << 20)})
    EXPECT_EQ(download(alloc(bytes), bytes / sizeof(float)),
              std::vector<float>(bytes / sizeof(float), 0.0f))
        << bytes << " bytes";
}

TEST_P(Conformance, ZeroByteBuffers) {
  SKIP_UNLESS_RUNS(false);
  void *empty = alloc(0);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(driver.upload(impl, empty, nullptr, 0), nullptr);
  EXPECT_EQ(driver.download(impl, empty, nullptr, 0), nullptr);
}

TEST_P(Conformance, UploadsAndDownloadsRoundTrip) {
  SKIP_UNLESS_RUNS(false);
  void *x = alloc(kBytes);
  upload(x, iota());
  EXPECT_EQ(download(x), iota());
  // A shorter upload leaves the rest.
  std::vector<float> head(10, 7.0f);
  upload(x, head);
  std::vector<float> expected = iota();
  std::fill(expected.begin(), expected.begin() + 10, 7.0f);
  EXPECT_EQ(download(x), expected);
}

TEST_P(Conformance, DeviceCopiesHonourOffsets) {
  SKIP_UNLESS_RUNS(false);
  void *a = alloc(kBytes), *b = alloc(kBytes);
  upload(a, iota());
  ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
  // b[2..] = a[1..], then b[0] = b[3] (a copy after a copy it reads).
  ASSERT_EQ(hetc_gpu_copy(impl, a, 4, b, 8, kBytes - 8), nullptr);
  ASSERT_EQ(hetc_gpu_copy(impl, b, 12, b, 0, 4), nullptr);
  ASSERT_EQ(hetc_gpu_sync(impl), nullptr);
  std::vector<float> x = iota(), got = download(b);
  EXPECT_EQ(got[0], x[2]);
  EXPECT_EQ(got[1], 0.0f);
  for (size_t i = 2; i < kCount; ++i)
    ASSERT_EQ(got[i], x[i - 1]) << i;
}

//--- Kernels ----------------------------------------------------------------

TEST_P(Conformance, LoadsAndUnloadsTheKernel) {
  SKIP_UNLESS_RUNS(true);
  for (int repeat = 0; repeat < 2; ++repeat) {
    ASSERT_EQ(messageOf(load()), "");
    ASSERT_NE(module, nullptr);
    EXPECT_EQ(module->num_kernels, 1u);
    EXPECT_STREQ(module->kernels[0].desc.name, "add_one");
    hetc_gpu_unload_kernels(impl, module);
    module = nullptr;
  }
}

TEST_P(Conformance, MissingKernelIsNotFound) {
  SKIP_UNLESS_RUNS(true);
  hetc_status_t status = load("no_such_kernel");
  EXPECT_EQ(module, nullptr);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(hetc_status_code(status), HETC_STATUS_NOT_FOUND);
  EXPECT_NE(messageOf(status).find("'no_such_kernel'"), std::string::npos);
}

TEST_P(Conformance, MissingDeviceCodeIsAnError) {
  SKIP_UNLESS_RUNS(false);
  FakeArtifact artifact("generic");
  artifact.add("manifest", bytesOf("{}"));
  hetc_kernel_desc_t desc{
      const_cast<char *>("add_one"), {64, 1, 1}, 2, nullptr};
  hetc_status_t status =
      hetc_gpu_load_kernels(impl, artifact.get(), &desc, 1, &module);
  EXPECT_EQ(module, nullptr);
  ASSERT_NE(status, nullptr);
  hetc_status_code_t code = hetc_status_code(status);
  EXPECT_TRUE(code == HETC_STATUS_FAILED_PRECONDITION ||
              code == HETC_STATUS_DATA_LOSS)
      << hetc_status_message(status);
  // The message names the section the driver looked for.
  std::string message = messageOf(status);
  EXPECT_NE(message.find(std::string("'") + c.section + "'"), std::string::npos)
      << message;
}

//--- Dispatch ---------------------------------------------------------------

TEST_P(Conformance, DispatchComputes) {
  SKIP_UNLESS_RUNS(true);
  void *a, *b;
  prepareAddOne(&a, &b);
  const uint32_t grid[3] = {c.grid, 1, 1};
  void *const args[] = {a, b};
  ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
  ASSERT_EQ(hetc_gpu_dispatch(impl, module, 0, grid, args), nullptr);
  ASSERT_EQ(hetc_gpu_sync(impl), nullptr);
  std::vector<float> x = iota(), got = download(b);
  for (size_t i = 0; i < kCount; ++i)
    ASSERT_EQ(got[i], x[i] + 1.0f) << i;
}

TEST_P(Conformance, DispatchesSeeEarlierWrites) {
  SKIP_UNLESS_RUNS(true);
  void *a, *b;
  prepareAddOne(&a, &b);
  void *d = alloc(kBytes);
  const uint32_t grid[3] = {c.grid, 1, 1};
  // Two steps of b = a + 1, a = b + 1, d = a shifted by one: each command
  // reads what the one before it wrote.
  for (int step = 0; step < 2; ++step) {
    void *const forward[] = {a, b}, *const backward[] = {b, a};
    ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
    ASSERT_EQ(hetc_gpu_dispatch(impl, module, 0, grid, forward), nullptr);
    ASSERT_EQ(hetc_gpu_dispatch(impl, module, 0, grid, backward), nullptr);
    ASSERT_EQ(hetc_gpu_copy(impl, a, 0, d, 4, kBytes - 4), nullptr);
    ASSERT_EQ(hetc_gpu_sync(impl), nullptr);
  }
  std::vector<float> x = iota(), ra = download(a), rb = download(b),
                     rd = download(d);
  for (size_t i = 0; i < kCount; ++i) {
    ASSERT_EQ(rb[i], x[i] + 3.0f) << i;
    ASSERT_EQ(ra[i], x[i] + 4.0f) << i;
    if (i) {
      ASSERT_EQ(rd[i], x[i - 1] + 4.0f) << i;
    }
  }
}

TEST_P(Conformance, AnEmptyGridRunsNothing) {
  SKIP_UNLESS_RUNS(true);
  void *a, *b;
  prepareAddOne(&a, &b);
  void *const args[] = {a, b};
  ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
  for (int axis = 0; axis < 3; ++axis) {
    uint32_t grid[3] = {c.grid, 1, 1};
    grid[axis] = 0;
    EXPECT_EQ(messageOf(hetc_gpu_dispatch(impl, module, 0, grid, args)), "");
  }
  ASSERT_EQ(hetc_gpu_sync(impl), nullptr);
  EXPECT_EQ(download(b), std::vector<float>(kCount, 0.0f));
}

TEST_P(Conformance, AnUnknownKernelIndexIsInvalid) {
  SKIP_UNLESS_RUNS(true);
  void *a, *b;
  prepareAddOne(&a, &b);
  void *const args[] = {a, b};
  const uint32_t grid[3] = {c.grid, 1, 1};
  ASSERT_EQ(hetc_gpu_begin(impl), nullptr);
  hetc_status_t status = hetc_gpu_dispatch(impl, module, 1, grid, args);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(hetc_status_code(status), HETC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(messageOf(status), "no kernel 1 (the module has 1)");
  // The step still ends cleanly.
  EXPECT_EQ(hetc_gpu_sync(impl), nullptr);
}

std::string driverName(const ::testing::TestParamInfo<DriverCase> &info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Drivers, Conformance, ::testing::ValuesIn(drivers()),
                         driverName);

} // namespace
