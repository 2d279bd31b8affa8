/*===- gpu.c - vendor GPU drivers opened with dlopen ----------------------===*
 *
 * Each driver loads its vendor library and symbols at device-open time, so
 * one runtime build runs wherever a driver exists and names the missing
 * library where it does not. Device enumeration is real; executing
 * artifacts on these devices is not implemented yet and says so.
 *
 *===----------------------------------------------------------------------===*/

#include "../internal.h"
#include "dynamic_symbols.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* Opens `library` and resolves `count` symbols into `table`. */
static hetc_status_t load_library(const char *driver, const char *library,
                                  const char *how_to_get,
                                  const char *const *names, void **table,
                                  size_t count, void **handle) {
  *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (!*handle)
    return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                            "the %s driver library %s is not installed (%s); "
                            "%s",
                            driver, library, dlerror(), how_to_get);
  for (size_t i = 0; i < count; ++i) {
    table[i] = dlsym(*handle, names[i]);
    if (!table[i]) {
      dlclose(*handle);
      *handle = NULL;
      return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                              "%s lacks the symbol %s; the installed %s "
                              "driver is too old",
                              library, names[i], driver);
    }
  }
  return NULL;
}

#define HETC_DECLARE_TABLE(NAME, LIST)                                         \
  typedef struct NAME {                                                        \
    LIST(HETC_FIELD)                                                           \
  } NAME;                                                                      \
  static const char *const NAME##_names[] = {LIST(HETC_NAME)};
#define HETC_FIELD(ret, name, params) ret(*name) params;
#define HETC_NAME(ret, name, params) #name,

HETC_DECLARE_TABLE(cuda_symbols_t, HETC_CUDA_SYMBOLS)
HETC_DECLARE_TABLE(hip_symbols_t, HETC_HIP_SYMBOLS)
HETC_DECLARE_TABLE(ze_symbols_t, HETC_ZE_SYMBOLS)
HETC_DECLARE_TABLE(vulkan_symbols_t, HETC_VULKAN_SYMBOLS)

#define LOAD(driver, library, how, type, handle, symbols)                      \
  load_library(driver, library, how, type##_names, (void **)&symbols,          \
               sizeof(type##_names) / sizeof(char *), &handle)

static hetc_status_t not_yet(const char *driver, const char *found) {
  return hetc_make_status(HETC_STATUS_UNIMPLEMENTED,
                          "%s; executing artifacts on %s devices is not "
                          "implemented yet",
                          found, driver);
}

static hetc_status_t cuda_open(int ordinal, void **impl, char *description,
                               size_t size) {
  (void)impl;
  (void)description;
  (void)size;
  cuda_symbols_t cu;
  void *handle;
  hetc_status_t status =
      LOAD("cuda", "libcuda.so.1",
           "install the NVIDIA driver (it provides libcuda.so.1)",
           cuda_symbols_t, handle, cu);
  if (status)
    return status;
  int count = 0;
  int err = cu.cuInit(0);
  if (!err)
    err = cu.cuDeviceGetCount(&count);
  char found[160];
  if (err || ordinal >= count) {
    const char *message = "unknown error";
    if (err)
      cu.cuGetErrorString(err, &message);
    status = hetc_make_status(HETC_STATUS_UNAVAILABLE,
                              "no CUDA device %d (%d found%s%s)", ordinal,
                              count, err ? ": " : "", err ? message : "");
    dlclose(handle);
    return status;
  }
  snprintf(found, sizeof(found), "found %d CUDA device(s)", count);
  dlclose(handle);
  return not_yet("cuda", found);
}

static hetc_status_t rocm_open(int ordinal, void **impl, char *description,
                               size_t size) {
  (void)impl;
  (void)description;
  (void)size;
  hip_symbols_t hip;
  void *handle;
  hetc_status_t status =
      LOAD("rocm", "libamdhip64.so",
           "install ROCm's HIP runtime (it provides libamdhip64.so)",
           hip_symbols_t, handle, hip);
  if (status)
    return status;
  int count = 0;
  if (hip.hipInit(0) || hip.hipGetDeviceCount(&count) || ordinal >= count) {
    dlclose(handle);
    return hetc_make_status(HETC_STATUS_UNAVAILABLE, "no AMD GPU %d (%d found)",
                            ordinal, count);
  }
  dlclose(handle);
  return not_yet("rocm", "found an AMD GPU");
}

static hetc_status_t level_zero_open(int ordinal, void **impl,
                                     char *description, size_t size) {
  (void)impl;
  (void)description;
  (void)size;
  ze_symbols_t ze;
  void *handle;
  hetc_status_t status =
      LOAD("level-zero", "libze_loader.so.1",
           "install the Level Zero loader and an Intel GPU driver",
           ze_symbols_t, handle, ze);
  if (status)
    return status;
  uint32_t count = 0;
  int err = ze.zeInit(0);
  if (!err)
    err = ze.zeDriverGet(&count, NULL);
  dlclose(handle);
  if (err || count == 0 || ordinal < 0)
    return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                            "libze_loader.so.1 is installed but reports no "
                            "Level Zero driver or device (zeInit/zeDriverGet "
                            "returned 0x%x, %u drivers); install an Intel GPU "
                            "driver such as intel-level-zero-gpu",
                            (unsigned)err, count);
  return not_yet("level-zero", "found a Level Zero driver");
}

static hetc_status_t vulkan_open(int ordinal, void **impl, char *description,
                                 size_t size) {
  (void)impl;
  (void)description;
  (void)size;
  (void)ordinal;
  vulkan_symbols_t vk;
  void *handle;
  hetc_status_t status =
      LOAD("vulkan", "libvulkan.so.1",
           "install a Vulkan loader and driver (Debian: libvulkan1 and "
           "mesa-vulkan-drivers)",
           vulkan_symbols_t, handle, vk);
  if (status)
    return status;
  uint32_t version = 0;
  vk.vkEnumerateInstanceVersion(&version);
  dlclose(handle);
  char found[96];
  snprintf(found, sizeof(found), "found the Vulkan loader (API %u.%u)",
           version >> 22, (version >> 12) & 0x3FF);
  return not_yet("vulkan", found);
}

/* Devices never open, so the remaining operations are unreachable. */
static void gpu_close(void *impl) { (void)impl; }

#define HETC_GPU_DRIVER(VAR, NAME, OPEN)                                       \
  const hetc_driver_t VAR = {NAME, NAME, OPEN, gpu_close, NULL, NULL,          \
                             NULL, NULL, NULL, NULL,      NULL};

HETC_GPU_DRIVER(hetc_cuda_driver, "cuda", cuda_open)
HETC_GPU_DRIVER(hetc_rocm_driver, "rocm", rocm_open)
HETC_GPU_DRIVER(hetc_level_zero_driver, "level-zero", level_zero_open)
HETC_GPU_DRIVER(hetc_vulkan_driver, "vulkan", vulkan_open)
