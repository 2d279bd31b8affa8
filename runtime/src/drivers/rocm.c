/*===- rocm.c - AMD GPUs through the HIP runtime --------------------------===*
 *
 * libamdhip64 is opened with dlopen when a device is opened and never
 * linked; no HIP header is needed (dynamic_symbols.h spells HIP's types as
 * plain C types). Device properties come from calls with stable signatures
 * (hipDeviceGetName, hipDeviceComputeCapability, hipDeviceTotalMem) rather
 * than hipDeviceProp_t, whose layout changes between ROCm releases.
 *
 * Around every executor call, rocm_enter makes the device current with
 * hipSetDevice and rocm_leave restores the thread's previous device. Each
 * device has one stream, which (like every stream from hipStreamCreate)
 * orders after the synchronous uploads and downloads. Kernels come from
 * the artifact's "hsaco" section. The driver mirrors cuda.c call for call,
 * so the executor's checks and marshalling that ran on NVIDIA GPUs are the
 * ones it runs.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L /* strdup */
#include "../internal.h"
#include "dylib.h"
#include "dynamic_symbols.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

HETC_DECLARE_TABLE(rocm_symbols_t, HETC_ROCM_SYMBOLS)

enum {
  HIP_SUCCESS = 0,
  HIP_ERROR_OUT_OF_MEMORY = 2,
  HIP_ERROR_NOT_FOUND = 500,
};

typedef struct rocm_device {
  hetc_gpu_device_t base; /* first: the executor's view */
  void *library;
  rocm_symbols_t hip;
  void *stream;
  int major, minor;
  char name[128];
} rocm_device_t;

/* "hipErrorX (its description)" */
static void rocm_describe_result(const void *impl, int result, char *out,
                                 size_t size) {
  const rocm_device_t *d = impl;
  const char *name = d->hip.hipGetErrorName(result);
  const char *message = d->hip.hipGetErrorString(result);
  snprintf(out, size, "%s (%s)", name ? name : "hipErrorUnknown",
           message ? message : "unrecognized error code");
}

static hetc_status_code_t rocm_result_code(int result) {
  return result == HIP_ERROR_OUT_OF_MEMORY ? HETC_STATUS_RESOURCE_EXHAUSTED
                                           : HETC_STATUS_INTERNAL;
}

/* Makes the device current on this thread until rocm_leave(), which
 * restores the thread's previous device. */
static hetc_status_t rocm_enter(void *impl, int *previous) {
  rocm_device_t *d = impl;
  if (d->hip.hipGetDevice(previous) != HIP_SUCCESS)
    *previous = -1;
  int error = d->hip.hipSetDevice(d->base.ordinal);
  if (error != HIP_SUCCESS)
    return hetc_gpu_error(d, error, "cannot make AMD GPU %d current",
                          d->base.ordinal);
  return NULL;
}

static void rocm_leave(void *impl, int previous) {
  rocm_device_t *d = impl;
  if (previous >= 0 && previous != d->base.ordinal)
    d->hip.hipSetDevice(previous);
}

/*--- Devices --------------------------------------------------------------*/

static const hetc_gpu_ops_t rocm_ops;

static void rocm_close(void *impl) {
  rocm_device_t *d = impl;
  int previous;
  if (!d)
    return;
  if (d->stream) {
    hetc_status_t status = rocm_enter(d, &previous);
    d->hip.hipStreamDestroy(d->stream);
    if (status)
      hetc_status_free(status);
    else
      rocm_leave(d, previous);
  }
  /* libamdhip64 stays loaded: the runtime keeps threads and exit handlers
   * that must not outlive its code. */
  free(d);
}

/* The HIP runtime's names, most generic first; ROCm installs into
 * /opt/rocm/lib, which is often not on the loader's path. */
static const char *const rocm_libraries[] = {
    "libamdhip64.so",
    "libamdhip64.so.6",
    "libamdhip64.so.5",
    "/opt/rocm/lib/libamdhip64.so",
};

/* The first of rocm_libraries that loads (else the first, to name it). */
static const char *find_library(void) {
  for (size_t i = 0; i < sizeof(rocm_libraries) / sizeof(*rocm_libraries); ++i)
    /* Never closed: unloading libamdhip64 (and the LLVM in its code object
     * manager) and loading it again can abort the process. */
    if (dlopen(rocm_libraries[i], RTLD_NOW | RTLD_LOCAL))
      return rocm_libraries[i];
  return rocm_libraries[0];
}

/* Reads the device's name, architecture and memory and creates its
 * stream, with the device current. */
static int query_device(rocm_device_t *d, int ordinal, size_t *memory) {
  int device = 0;
  int error = d->hip.hipDeviceGet(&device, ordinal);
  if (error == HIP_SUCCESS)
    error = d->hip.hipDeviceGetName(d->name, (int)sizeof(d->name), device);
  if (error == HIP_SUCCESS)
    error = d->hip.hipDeviceComputeCapability(&d->major, &d->minor, device);
  if (error == HIP_SUCCESS)
    error = d->hip.hipDeviceTotalMem(memory, device);
  if (error == HIP_SUCCESS)
    error = d->hip.hipStreamCreate(&d->stream);
  if (error != HIP_SUCCESS)
    d->stream = NULL;
  return error;
}

static hetc_status_t open_device(rocm_device_t *d, const char *library,
                                 int ordinal, size_t *memory) {
  int count = 0;
  int error = d->hip.hipInit(0);
  if (error == HIP_SUCCESS)
    error = d->hip.hipGetDeviceCount(&count);
  if (error != HIP_SUCCESS) {
    const char *name = d->hip.hipGetErrorName(error);
    return hetc_make_status(
        HETC_STATUS_UNAVAILABLE,
        "%s is installed but finds no usable AMD GPU: %s; check that the "
        "amdgpu kernel driver is loaded and /dev/kfd is accessible",
        library, name ? name : "hipErrorUnknown");
  }
  if (ordinal < 0 || ordinal >= count)
    return hetc_make_status(HETC_STATUS_UNAVAILABLE, "no AMD GPU %d (%d found)",
                            ordinal, count);
  int previous;
  hetc_status_t status = rocm_enter(d, &previous);
  if (status)
    return status;
  error = query_device(d, ordinal, memory);
  rocm_leave(d, previous);
  if (error != HIP_SUCCESS)
    return hetc_gpu_error(d, error, "cannot open AMD GPU %d", ordinal);
  return NULL;
}

static hetc_status_t rocm_open(int ordinal, void **impl, char *description,
                               size_t description_size) {
  *impl = NULL;
  rocm_device_t *d = calloc(1, sizeof(*d));
  if (!d)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  d->base = (hetc_gpu_device_t){.ops = &rocm_ops, .ordinal = ordinal};
  const char *library = find_library();
  hetc_status_t status = HETC_LOAD_TABLE(
      "rocm", library,
      "install ROCm's HIP runtime (it provides libamdhip64.so; also looked "
      "for libamdhip64.so.6, libamdhip64.so.5 and /opt/rocm/lib)",
      rocm_symbols_t, d->hip, d->library);
  if (status) {
    free(d);
    return status;
  }
  size_t memory = 0;
  if ((status = open_device(d, library, ordinal, &memory))) {
    rocm_close(d);
    return status;
  }
  snprintf(description, description_size, "HIP: %s (gfx%d%d family, %.0f GiB)",
           d->name, d->major, d->minor, (double)memory / (1u << 30));
  *impl = d;
  return NULL;
}

/*--- Memory ---------------------------------------------------------------*/

static hetc_status_t rocm_alloc(void *impl, size_t bytes, void **buffer) {
  rocm_device_t *d = impl;
  int error = d->hip.hipMalloc(buffer, bytes ? bytes : 1);
  return error == HIP_SUCCESS ? NULL : hetc_gpu_alloc_error(d, error, bytes);
}

static void rocm_free(void *impl, void *buffer) {
  rocm_device_t *d = impl;
  d->hip.hipFree(buffer);
}

static hetc_status_t rocm_zero(void *impl, void *buffer, size_t bytes) {
  rocm_device_t *d = impl;
  int error = d->hip.hipMemset(buffer, 0, bytes);
  return error == HIP_SUCCESS ? NULL : hetc_gpu_alloc_error(d, error, bytes);
}

static hetc_status_t rocm_copy(void *impl, hetc_copy_kind_t kind, void *dst,
                               uint64_t dst_offset, const void *src,
                               uint64_t src_offset, uint64_t bytes) {
  rocm_device_t *d = impl;
  int error;
  if (kind == HETC_COPY_HOST_TO_DEVICE)
    error = d->hip.hipMemcpyHtoD(dst, src, bytes);
  else if (kind == HETC_COPY_DEVICE_TO_HOST)
    error = d->hip.hipMemcpyDtoH(dst, src, bytes);
  else
    error = d->hip.hipMemcpyDtoDAsync((char *)dst + dst_offset,
                                      (char *)(uintptr_t)src + src_offset,
                                      (size_t)bytes, d->stream);
  return error == HIP_SUCCESS ? NULL
                              : hetc_gpu_copy_error(d, error, kind, bytes);
}

/*--- Kernels --------------------------------------------------------------*/

static hetc_status_t
rocm_load_module(void *impl, const hetc_artifact_t *artifact, void **module) {
  rocm_device_t *d = impl;
  const hetc_section_t *hsaco = hetc_artifact_section(artifact, "hsaco");
  const char *chip = artifact->chip ? artifact->chip : "an unrecorded chip";
  if (!hsaco)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "the artifact has no 'hsaco' section, so it holds "
                            "no AMD GPU code");
  /* hipModuleLoadData takes no size and trusts the image's offsets. */
  if (!hetc_elf_image_is_whole(hsaco->data, hsaco->size))
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "the artifact's hsaco section (%llu bytes) is not "
                            "a whole ELF code object",
                            (unsigned long long)hsaco->size);
  void *image = hetc_section_copy(hsaco);
  if (!image)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  int error = d->hip.hipModuleLoadData(module, image);
  free(image);
  if (error == HIP_SUCCESS)
    return NULL;
  if (error == HIP_ERROR_OUT_OF_MEMORY)
    return hetc_gpu_error(d, error, "cannot load the hsaco on AMD GPU %d",
                          d->base.ordinal);
  const char *name = d->hip.hipGetErrorName(error);
  return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                          "the hsaco was built for %s but does not load on "
                          "AMD GPU %d (%s, gfx%d%d family): %s; compile the "
                          "model for this device's gfx chip",
                          chip, d->base.ordinal, d->name, d->major, d->minor,
                          name ? name : "hipErrorUnknown");
}

static void rocm_unload_module(void *impl, void *module) {
  rocm_device_t *d = impl;
  d->hip.hipModuleUnload(module);
}

static hetc_status_t rocm_get_function(void *impl, void *module,
                                       const hetc_kernel_desc_t *kernel,
                                       void **function) {
  rocm_device_t *d = impl;
  int error = d->hip.hipModuleGetFunction(function, module, kernel->name);
  if (error == HIP_ERROR_NOT_FOUND)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "the hsaco has no kernel '%s'", kernel->name);
  if (error != HIP_SUCCESS)
    return hetc_gpu_error(d, error, "cannot find kernel '%s'", kernel->name);
  return NULL;
}

/*--- Steps ----------------------------------------------------------------*/

static hetc_status_t rocm_launch(void *impl, const hetc_gpu_launch_t *launch) {
  rocm_device_t *d = impl;
  const uint32_t *grid = launch->grid, *block = launch->kernel->block;
  int error = d->hip.hipModuleLaunchKernel(
      launch->function, grid[0], grid[1], grid[2], block[0], block[1], block[2],
      0, d->stream, launch->params, NULL);
  return error == HIP_SUCCESS ? NULL : hetc_gpu_launch_error(d, error, launch);
}

static hetc_status_t rocm_sync(void *impl) {
  rocm_device_t *d = impl;
  int error = d->hip.hipStreamSynchronize(d->stream);
  return error == HIP_SUCCESS ? NULL : hetc_gpu_sync_error(d, error);
}

HETC_DEFINE_GPU_DRIVER("rocm", rocm, "AMD GPU", .enter = rocm_enter,
                       .leave = rocm_leave);
