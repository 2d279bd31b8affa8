//===- gpu_drivers_test.cpp - the cuda, rocm and level-zero drivers -------===//
//
// Where a vendor driver is missing (CI), opening its device must say what
// is missing and how to get it. Where a CUDA device exists, a hand-written
// PTX kernel runs through hetc_cuda_driver's GPU ops: from an artifact whose
// cubin does not load, so the driver JIT-compiles the PTX instead, and (with
// ptxas) from cubins built here for this device and for another one.
//
//===----------------------------------------------------------------------===//

extern "C" {
#include "../src/drivers/dylib.h"
#include "../src/drivers/gpu_drivers.h"
#include "../src/internal.h"
}
#include "driver_test_util.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using hetc_test::bytesOf;
using hetc_test::FakeArtifact;
using hetc_test::kAddOnePtx;

constexpr size_t kCount = 1000;      // add_one's bound
const uint32_t kGrid[3] = {4, 1, 1}; // 4 blocks of 256 >= 1000
const uint32_t kBlock[3] = {256, 1, 1};

// An ELF64 header for a CUDA image with no sections: well-formed enough to
// reach the driver, with no code in it.
std::vector<uint8_t> emptyCudaElf() {
  std::vector<uint8_t> elf(64, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0x33};
  memcpy(elf.data(), ident, sizeof(ident));
  elf[16] = 2;   // e_type: ET_EXEC
  elf[18] = 190; // e_machine: EM_CUDA
  elf[20] = 1;   // e_version
  elf[52] = 64;  // e_ehsize
  return elf;
}

bool libraryLoads(const char *name) {
  // Never closed: unloading a vendor library can break its exit handlers.
  return dlopen(name, RTLD_NOW | RTLD_LOCAL) != nullptr;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

// Opens `driver`'s device `ordinal`; owns the device or the status.
struct Opened {
  hetc_device_t *device = nullptr;
  hetc_status_t status = nullptr;
  Opened(const char *driver, int ordinal) {
    status = hetc_device_open(driver, ordinal, &device);
  }
  ~Opened() {
    hetc_status_free(status);
    hetc_device_free(device);
  }
  std::string message() const { return hetc_status_message(status); }
};

//--- Missing drivers --------------------------------------------------------

TEST(GpuDrivers, CudaSaysWhatIsMissing) {
  Opened cuda("cuda", 0);
  if (!cuda.status)
    GTEST_SKIP() << "a CUDA device is present ("
                 << hetc_device_description(cuda.device)
                 << "); CudaDevice.* test it";
  EXPECT_EQ(hetc_status_code(cuda.status), HETC_STATUS_UNAVAILABLE)
      << cuda.message();
  if (!libraryLoads("libcuda.so.1")) {
    EXPECT_TRUE(contains(cuda.message(),
                         "the cuda driver library libcuda.so.1 is not "
                         "installed"))
        << cuda.message();
    EXPECT_TRUE(contains(cuda.message(), "install the NVIDIA driver"))
        << cuda.message();
  } else {
    EXPECT_TRUE(contains(cuda.message(), "CUDA device")) << cuda.message();
  }
}

TEST(GpuDrivers, RocmSaysWhatIsMissing) {
  Opened rocm("rocm", 0);
  if (!rocm.status)
    GTEST_SKIP() << "an AMD GPU is present ("
                 << hetc_device_description(rocm.device) << ")";
  EXPECT_EQ(hetc_status_code(rocm.status), HETC_STATUS_UNAVAILABLE)
      << rocm.message();
  if (!libraryLoads("libamdhip64.so") && !libraryLoads("libamdhip64.so.6") &&
      !libraryLoads("libamdhip64.so.5") &&
      !libraryLoads("/opt/rocm/lib/libamdhip64.so")) {
    EXPECT_TRUE(contains(rocm.message(),
                         "the rocm driver library libamdhip64.so is not "
                         "installed"))
        << rocm.message();
    EXPECT_TRUE(contains(rocm.message(), "install ROCm's HIP runtime"))
        << rocm.message();
  } else {
    EXPECT_TRUE(contains(rocm.message(), "AMD GPU")) << rocm.message();
  }
}

TEST(GpuDrivers, LevelZeroSaysWhatIsMissing) {
  Opened ze("level-zero", 0);
  if (!ze.status)
    GTEST_SKIP() << "a Level Zero GPU is present ("
                 << hetc_device_description(ze.device) << ")";
  EXPECT_EQ(hetc_status_code(ze.status), HETC_STATUS_UNAVAILABLE)
      << ze.message();
  if (libraryLoads("libze_loader.so.1")) {
    // CI installs the loader (libze1) but has no Intel GPU driver.
    EXPECT_TRUE(contains(ze.message(),
                         "libze_loader.so.1 is installed but reports no "
                         "Level Zero driver or device"))
        << ze.message();
    EXPECT_TRUE(contains(ze.message(), "intel-level-zero-gpu")) << ze.message();
  } else {
    EXPECT_TRUE(contains(ze.message(), "libze_loader.so.1 is not installed"))
        << ze.message();
  }
}

TEST(GpuDrivers, OnlyWholeElfImagesReachTheVendorLoader) {
  std::vector<uint8_t> elf = emptyCudaElf();
  EXPECT_TRUE(hetc_elf_image_is_whole(elf.data(), elf.size()));
  EXPECT_FALSE(hetc_elf_image_is_whole(elf.data(), elf.size() - 1));
  EXPECT_FALSE(hetc_elf_image_is_whole(nullptr, 0));
  std::vector<uint8_t> text =
      bytesOf("not an ELF image at all, just some bytes "
              "long enough to hold a header");
  EXPECT_FALSE(hetc_elf_image_is_whole(text.data(), text.size()));

  // One section header whose contents run past the end.
  std::vector<uint8_t> sectioned = elf;
  sectioned.resize(64 + 64, 0);
  sectioned[40] = 64;       // e_shoff
  sectioned[58] = 64;       // e_shentsize
  sectioned[60] = 1;        // e_shnum
  sectioned[64 + 4] = 1;    // sh_type: SHT_PROGBITS
  sectioned[64 + 24] = 124; // sh_offset
  sectioned[64 + 32] = 8;   // sh_size: 124 + 8 > 128
  EXPECT_FALSE(hetc_elf_image_is_whole(sectioned.data(), sectioned.size()));
  sectioned[64 + 24] = 64; // sh_offset: 64 + 8 <= 128
  EXPECT_TRUE(hetc_elf_image_is_whole(sectioned.data(), sectioned.size()));
  sectioned[60] = 2; // e_shnum: the second header runs past the end
  EXPECT_FALSE(hetc_elf_image_is_whole(sectioned.data(), sectioned.size()));

  // The sh_offset + sh_size sum must not wrap around.
  sectioned[60] = 1;
  memset(&sectioned[64 + 24], 0xff, 8);
  EXPECT_FALSE(hetc_elf_image_is_whole(sectioned.data(), sectioned.size()));
}

//--- A CUDA device ----------------------------------------------------------

class CudaDevice : public ::testing::Test {
protected:
  void SetUp() override {
    hetc_status_t status = hetc_device_open("cuda", 0, &device);
    if (status) {
      std::string message = hetc_status_message(status);
      hetc_status_free(status);
      device = nullptr;
      GTEST_SKIP() << "no CUDA device here: " << message;
    }
    description = hetc_device_description(device);
    size_t at = description.find("(sm_");
    ASSERT_NE(at, std::string::npos) << description;
    chip = description.substr(at + 1, description.find(',', at) - at - 1);
  }

  void TearDown() override {
    for (void *buffer : buffers)
      device->driver->free(device->impl, buffer);
    hetc_device_free(device);
  }

  void *alloc(size_t bytes) {
    void *buffer = nullptr;
    hetc_status_t status = device->driver->alloc(device->impl, bytes, &buffer);
    EXPECT_EQ(status, nullptr) << hetc_status_message(status);
    hetc_status_free(status);
    buffers.push_back(buffer);
    return buffer;
  }

  // Loads `kernel` (add_one's shape) from `artifact`; the status, if any.
  std::string load(const hetc_artifact_t *artifact, hetc_gpu_module_t **module,
                   const char *kernel = "add_one",
                   hetc_status_code_t *code = nullptr) {
    char name[64];
    snprintf(name, sizeof(name), "%s", kernel);
    hetc_kernel_desc_t desc{name, {kBlock[0], kBlock[1], kBlock[2]}, 2};
    *module = nullptr;
    hetc_status_t status =
        hetc_gpu_load_kernels(device->impl, artifact, &desc, 1, module);
    std::string message = status ? hetc_status_message(status) : "";
    if (code)
      *code = hetc_status_code(status);
    hetc_status_free(status);
    return message;
  }

  // Runs in -> out -> in twice through add_one, then copies `in` one float
  // along into a third buffer, and checks all three.
  void runAddOne(hetc_gpu_module_t *module) {
    std::vector<float> x(kCount);
    for (size_t i = 0; i < kCount; ++i)
      x[i] = 0.5f * static_cast<float>(i);
    const size_t bytes = kCount * sizeof(float);
    void *a = alloc(bytes), *b = alloc(bytes), *c = alloc(bytes);
    ASSERT_TRUE(a && b && c);

    std::vector<float> fresh(kCount, 1.0f);
    ASSERT_EQ(device->driver->download(device->impl, c, fresh.data(), bytes),
              nullptr);
    EXPECT_EQ(fresh, std::vector<float>(kCount, 0.0f))
        << "new buffers start zeroed";

    ASSERT_EQ(device->driver->upload(device->impl, a, x.data(), bytes),
              nullptr);
    ASSERT_EQ(hetc_gpu_begin(device->impl), nullptr);
    void *const forward[] = {a, b};  // b = a + 1
    void *const backward[] = {b, a}; // a = b + 1
    ASSERT_EQ(hetc_gpu_dispatch(device->impl, module, 0, kGrid, forward),
              nullptr);
    ASSERT_EQ(hetc_gpu_dispatch(device->impl, module, 0, kGrid, backward),
              nullptr);
    ASSERT_EQ(hetc_gpu_copy(device->impl, a, 0, c, sizeof(float),
                            bytes - sizeof(float)),
              nullptr);
    hetc_status_t status = hetc_gpu_sync(device->impl);
    ASSERT_EQ(status, nullptr) << hetc_status_message(status);

    std::vector<float> ra(kCount), rb(kCount), rc(kCount);
    ASSERT_EQ(device->driver->download(device->impl, a, ra.data(), bytes),
              nullptr);
    ASSERT_EQ(device->driver->download(device->impl, b, rb.data(), bytes),
              nullptr);
    ASSERT_EQ(device->driver->download(device->impl, c, rc.data(), bytes),
              nullptr);
    EXPECT_EQ(rc[0], 0.0f);
    for (size_t i = 0; i < kCount; ++i) {
      ASSERT_EQ(rb[i], x[i] + 1.0f) << "b[" << i << "]";
      ASSERT_EQ(ra[i], x[i] + 2.0f) << "a[" << i << "]";
      if (i) {
        ASSERT_EQ(rc[i], x[i - 1] + 2.0f) << "c[" << i << "]";
      }
    }
  }

  // Builds add_one for `arch` ("sm_90") with ptxas; empty if it cannot.
  std::vector<uint8_t> cubinFor(const std::string &arch) {
#ifdef HETC_PTXAS_PATH
    char dir[] = "/tmp/hetc-cubin-XXXXXX";
    if (!mkdtemp(dir))
      return {};
    std::string ptx = std::string(dir) + "/add_one.ptx";
    std::string cubin = std::string(dir) + "/add_one.cubin";
    std::ofstream(ptx) << kAddOnePtx;
    std::string command = std::string(HETC_PTXAS_PATH) + " --gpu-name " + arch +
                          " -o " + cubin + " " + ptx;
    std::vector<uint8_t> bytes;
    if (std::system(command.c_str()) == 0) {
      std::ifstream in(cubin, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::remove(cubin.c_str());
    std::remove(ptx.c_str());
    rmdir(dir);
    return bytes;
#else
    (void)arch;
    return {};
#endif
  }

  hetc_device_t *device = nullptr;
  std::string description, chip; // chip: "sm_90"
  std::vector<void *> buffers;
};

TEST_F(CudaDevice, RunsAddOneFromPtxWhenTheCubinDoesNotLoad) {
  // The driver itself rejects this cubin (no code in it)...
  FakeArtifact fake("sm_30");
  fake.add("cubin", emptyCudaElf()).add("ptx", bytesOf(kAddOnePtx));
  hetc_gpu_module_t *module = nullptr;
  std::string error = load(fake.get(), &module);
  ASSERT_EQ(error, "");
  EXPECT_TRUE(hetc_cuda_module_used_ptx(module->module));
  runAddOne(module);
  hetc_gpu_unload_kernels(device->impl, module);

  // ...and this one never reaches it (not an ELF image).
  FakeArtifact garbage("sm_30");
  garbage.add("cubin", bytesOf("\x13\x37 garbage, not a cubin"))
      .add("ptx", bytesOf(kAddOnePtx));
  error = load(garbage.get(), &module);
  ASSERT_EQ(error, "");
  EXPECT_TRUE(hetc_cuda_module_used_ptx(module->module));
  runAddOne(module);
  hetc_gpu_unload_kernels(device->impl, module);
}

TEST_F(CudaDevice, SaysWhyNeitherTheCubinNorThePtxLoads) {
  FakeArtifact fake("sm_30");
  fake.add("cubin", emptyCudaElf()).add("ptx", bytesOf("this is not PTX"));
  hetc_gpu_module_t *module = nullptr;
  hetc_status_code_t code;
  std::string error = load(fake.get(), &module, "add_one", &code);
  EXPECT_EQ(module, nullptr);
  EXPECT_EQ(code, HETC_STATUS_FAILED_PRECONDITION) << error;
  EXPECT_TRUE(contains(error, "the cubin was built for sm_30 but this device "
                              "is " +
                                  chip))
      << error;
  EXPECT_TRUE(contains(error, "JIT from the PTX failed: ")) << error;

  FakeArtifact nothing("sm_30");
  nothing.add("manifest", bytesOf("{}"));
  error = load(nothing.get(), &module, "add_one", &code);
  EXPECT_EQ(code, HETC_STATUS_FAILED_PRECONDITION) << error;
  EXPECT_TRUE(contains(error, "neither a 'cubin' nor a 'ptx'")) << error;
}

TEST_F(CudaDevice, NamesAKernelMissingFromTheCode) {
  FakeArtifact fake("sm_30");
  fake.add("ptx", bytesOf(kAddOnePtx));
  hetc_gpu_module_t *module = nullptr;
  hetc_status_code_t code;
  std::string error = load(fake.get(), &module, "add_two", &code);
  EXPECT_EQ(module, nullptr);
  EXPECT_EQ(code, HETC_STATUS_NOT_FOUND) << error;
  EXPECT_TRUE(contains(error, "'add_two'")) << error;
}

TEST_F(CudaDevice, RunsACubinBuiltForThisDevice) {
  std::vector<uint8_t> cubin = cubinFor(chip);
  if (cubin.empty())
    GTEST_SKIP() << "no ptxas that builds " << chip
                 << " (the CUDA toolkit's, at configure time)";
  FakeArtifact fake(chip);
  fake.add("cubin", cubin).add("ptx", bytesOf("this is not PTX"));
  hetc_gpu_module_t *module = nullptr;
  std::string error = load(fake.get(), &module);
  ASSERT_EQ(error, "");
  EXPECT_FALSE(hetc_cuda_module_used_ptx(module->module));
  runAddOne(module);
  hetc_gpu_unload_kernels(device->impl, module);
}

TEST_F(CudaDevice, FallsBackToPtxFromACubinForAnotherDevice) {
  // A different major version: cubins never run across major versions.
  int major = std::atoi(chip.c_str() + 3) / 10;
  std::string other = major >= 8 ? "sm_75" : "sm_90";
  std::vector<uint8_t> cubin = cubinFor(other);
  if (cubin.empty())
    GTEST_SKIP() << "no ptxas that builds " << other;
  FakeArtifact fake(other);
  fake.add("cubin", cubin).add("ptx", bytesOf(kAddOnePtx));
  hetc_gpu_module_t *module = nullptr;
  std::string error = load(fake.get(), &module);
  ASSERT_EQ(error, "");
  EXPECT_TRUE(hetc_cuda_module_used_ptx(module->module));
  runAddOne(module);
  hetc_gpu_unload_kernels(device->impl, module);

  FakeArtifact broken(other);
  broken.add("cubin", cubin).add("ptx", bytesOf("this is not PTX"));
  hetc_status_code_t code;
  error = load(broken.get(), &module, "add_one", &code);
  EXPECT_EQ(code, HETC_STATUS_FAILED_PRECONDITION) << error;
  EXPECT_TRUE(contains(error, "the cubin was built for " + other +
                                  " but this device is " + chip +
                                  " (loading it returned "
                                  "CUDA_ERROR_NO_BINARY_FOR_GPU)"))
      << error;
}

} // namespace
