/*===- rocm.c - AMD GPUs through the HIP runtime --------------------------===*
 *
 * libamdhip64 is opened with dlopen when a device is opened and never
 * linked; no HIP header is needed (dynamic_symbols.h spells HIP's types as
 * plain C types). Device properties come from calls with stable signatures
 * (hipDeviceGetName, hipDeviceComputeCapability, hipDeviceTotalMem) rather
 * than hipDeviceProp_t, whose layout changes between ROCm releases.
 *
 * Every entry point makes the device current with hipSetDevice and restores
 * the thread's previous device afterwards. Each device has one stream,
 * which (like every stream from hipStreamCreate) orders after the
 * synchronous uploads and downloads. Kernels come from the artifact's
 * "hsaco" section.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L /* strdup */
#include "../internal.h"
#include "dylib.h"
#include "dynamic_symbols.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

HETC_DECLARE_TABLE(hip_symbols_t, HETC_HIP_SYMBOLS)

enum {
  HIP_SUCCESS = 0,
  HIP_ERROR_OUT_OF_MEMORY = 2,
  HIP_ERROR_NOT_FOUND = 500,
};

typedef struct hip_device {
  void *library;
  hip_symbols_t hip;
  int ordinal;
  void *stream;
  int major, minor;
  char name[128];
} hip_device_t;

typedef struct hip_kernel {
  void *function;
  hetc_kernel_desc_t desc;
} hip_kernel_t;

typedef struct hip_module {
  void *module;
  size_t num_kernels;
  hip_kernel_t *kernels;
} hip_module_t;

/* "<what>: hipErrorX (its description)" */
__attribute__((format(printf, 3, 4))) static hetc_status_t
hip_status(const hip_device_t *d, int error, const char *format, ...) {
  char what[512];
  va_list args;
  va_start(args, format);
  vsnprintf(what, sizeof(what), format, args);
  va_end(args);
  const char *name = d->hip.hipGetErrorName(error);
  const char *message = d->hip.hipGetErrorString(error);
  return hetc_make_status(error == HIP_ERROR_OUT_OF_MEMORY
                              ? HETC_STATUS_RESOURCE_EXHAUSTED
                              : HETC_STATUS_INTERNAL,
                          "%s: %s (%s)", what, name ? name : "hipErrorUnknown",
                          message ? message : "unrecognized error code");
}

/* Makes the device current on this thread until leave(), which restores the
 * thread's `previous` device. */
static hetc_status_t enter(const hip_device_t *d, int *previous) {
  if (d->hip.hipGetDevice(previous) != HIP_SUCCESS)
    *previous = -1;
  int error = d->hip.hipSetDevice(d->ordinal);
  if (error != HIP_SUCCESS)
    return hip_status(d, error, "cannot make AMD GPU %d current", d->ordinal);
  return NULL;
}

static void leave(const hip_device_t *d, int previous) {
  if (previous >= 0 && previous != d->ordinal)
    d->hip.hipSetDevice(previous);
}

/*--- Devices and buffers --------------------------------------------------*/

static void hip_close(void *impl) {
  hip_device_t *d = impl;
  int previous;
  if (!d)
    return;
  if (d->stream) {
    hetc_status_t status = enter(d, &previous);
    d->hip.hipStreamDestroy(d->stream);
    if (status)
      hetc_status_free(status);
    else
      leave(d, previous);
  }
  /* libamdhip64 stays loaded: the runtime keeps threads and exit handlers
   * that must not outlive its code. */
  free(d);
}

/* The HIP runtime's names, most generic first; ROCm installs into
 * /opt/rocm/lib, which is often not on the loader's path. */
static const char *const hip_libraries[] = {
    "libamdhip64.so",
    "libamdhip64.so.6",
    "libamdhip64.so.5",
    "/opt/rocm/lib/libamdhip64.so",
};

static hetc_status_t hip_open(int ordinal, void **impl, char *description,
                              size_t description_size) {
  *impl = NULL;
  hip_device_t *d = calloc(1, sizeof(*d));
  if (!d)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  d->ordinal = ordinal;
  const char *library = hip_libraries[0];
  for (size_t i = 0; i < sizeof(hip_libraries) / sizeof(*hip_libraries); ++i) {
    /* Never closed: unloading libamdhip64 (and the LLVM in its code object
     * manager) and loading it again can abort the process. */
    if (dlopen(hip_libraries[i], RTLD_NOW | RTLD_LOCAL)) {
      library = hip_libraries[i];
      break;
    }
  }
  hetc_status_t status = HETC_LOAD_TABLE(
      "rocm", library,
      "install ROCm's HIP runtime (it provides libamdhip64.so; also looked "
      "for libamdhip64.so.6, libamdhip64.so.5 and /opt/rocm/lib)",
      hip_symbols_t, d->hip, d->library);
  if (status) {
    free(d);
    return status;
  }
  int count = 0;
  int error = d->hip.hipInit(0);
  if (error == HIP_SUCCESS)
    error = d->hip.hipGetDeviceCount(&count);
  if (error != HIP_SUCCESS) {
    const char *name = d->hip.hipGetErrorName(error);
    status = hetc_make_status(
        HETC_STATUS_UNAVAILABLE,
        "%s is installed but finds no usable AMD GPU: %s; check that the "
        "amdgpu kernel driver is loaded and /dev/kfd is accessible",
        library, name ? name : "hipErrorUnknown");
    hip_close(d);
    return status;
  }
  if (ordinal < 0 || ordinal >= count) {
    hip_close(d);
    return hetc_make_status(HETC_STATUS_UNAVAILABLE, "no AMD GPU %d (%d found)",
                            ordinal, count);
  }
  int device = 0, previous;
  size_t memory = 0;
  if ((status = enter(d, &previous))) {
    hip_close(d);
    return status;
  }
  error = d->hip.hipDeviceGet(&device, ordinal);
  if (error == HIP_SUCCESS)
    error = d->hip.hipDeviceGetName(d->name, (int)sizeof(d->name), device);
  if (error == HIP_SUCCESS)
    error = d->hip.hipDeviceComputeCapability(&d->major, &d->minor, device);
  if (error == HIP_SUCCESS)
    error = d->hip.hipDeviceTotalMem(&memory, device);
  if (error == HIP_SUCCESS)
    error = d->hip.hipStreamCreate(&d->stream);
  leave(d, previous);
  if (error != HIP_SUCCESS) {
    d->stream = NULL;
    status = hip_status(d, error, "cannot open AMD GPU %d", ordinal);
    hip_close(d);
    return status;
  }
  snprintf(description, description_size, "HIP: %s (gfx%d%d family, %.0f GiB)",
           d->name, d->major, d->minor, (double)memory / (1u << 30));
  *impl = d;
  return NULL;
}

static hetc_status_t hip_alloc(void *impl, size_t bytes, void **buffer) {
  hip_device_t *d = impl;
  int previous;
  *buffer = NULL;
  hetc_status_t status = enter(d, &previous);
  if (status)
    return status;
  /* Buffers start zeroed, as on the cpu driver. */
  void *pointer = NULL;
  int error = d->hip.hipMalloc(&pointer, bytes ? bytes : 1);
  if (error == HIP_SUCCESS) {
    error = d->hip.hipMemset(pointer, 0, bytes);
    if (error != HIP_SUCCESS)
      d->hip.hipFree(pointer);
  }
  leave(d, previous);
  if (error != HIP_SUCCESS)
    return hip_status(d, error, "cannot allocate %zu bytes on AMD GPU %d",
                      bytes, d->ordinal);
  *buffer = pointer;
  return NULL;
}

static void hip_free(void *impl, void *buffer) {
  hip_device_t *d = impl;
  int previous;
  if (!buffer)
    return;
  hetc_status_t status = enter(d, &previous);
  d->hip.hipFree(buffer);
  if (status)
    hetc_status_free(status);
  else
    leave(d, previous);
}

static hetc_status_t hip_upload(void *impl, void *buffer, const void *src,
                                size_t bytes) {
  hip_device_t *d = impl;
  int previous;
  if (!bytes)
    return NULL;
  hetc_status_t status = enter(d, &previous);
  if (status)
    return status;
  int error = d->hip.hipMemcpyHtoD(buffer, src, bytes);
  leave(d, previous);
  if (error != HIP_SUCCESS)
    return hip_status(d, error, "copying %zu bytes to AMD GPU %d failed", bytes,
                      d->ordinal);
  return NULL;
}

static hetc_status_t hip_download(void *impl, const void *buffer, void *dst,
                                  size_t bytes) {
  hip_device_t *d = impl;
  int previous;
  if (!bytes)
    return NULL;
  hetc_status_t status = enter(d, &previous);
  if (status)
    return status;
  int error = d->hip.hipMemcpyDtoH(dst, buffer, bytes);
  leave(d, previous);
  if (error != HIP_SUCCESS)
    return hip_status(d, error, "copying %zu bytes from AMD GPU %d failed",
                      bytes, d->ordinal);
  return NULL;
}

/*--- Kernels --------------------------------------------------------------*/

static void free_module(const hip_device_t *d, hip_module_t *m) {
  if (!m)
    return;
  if (m->module)
    d->hip.hipModuleUnload(m->module);
  for (size_t i = 0; i < m->num_kernels; ++i)
    hetc_kernel_desc_free(&m->kernels[i].desc);
  free(m->kernels);
  free(m);
}

static hetc_status_t
load_module(hip_device_t *d, const hetc_artifact_t *artifact, hip_module_t *m) {
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
  /* A private, aligned copy: section data may sit at any offset. */
  void *image = malloc(hsaco->size);
  if (!image)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  memcpy(image, hsaco->data, hsaco->size);
  int error = d->hip.hipModuleLoadData(&m->module, image);
  free(image);
  if (error == HIP_SUCCESS)
    return NULL;
  m->module = NULL;
  if (error == HIP_ERROR_OUT_OF_MEMORY)
    return hip_status(d, error, "cannot load the hsaco on AMD GPU %d",
                      d->ordinal);
  const char *name = d->hip.hipGetErrorName(error);
  return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                          "the hsaco was built for %s but does not load on "
                          "AMD GPU %d (%s, gfx%d%d family): %s; compile the "
                          "model for this device's gfx chip",
                          chip, d->ordinal, d->name, d->major, d->minor,
                          name ? name : "hipErrorUnknown");
}

static hetc_status_t hip_load_kernels(void *impl,
                                      const hetc_artifact_t *artifact,
                                      const hetc_kernel_desc_t *kernels,
                                      size_t num_kernels, void **module) {
  hip_device_t *d = impl;
  int previous;
  *module = NULL;
  hip_module_t *m = calloc(1, sizeof(*m));
  if (m)
    m->kernels = calloc(num_kernels ? num_kernels : 1, sizeof(*m->kernels));
  if (!m || !m->kernels) {
    free(m);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  hetc_status_t status = enter(d, &previous);
  if (status) {
    free_module(d, m);
    return status;
  }
  status = load_module(d, artifact, m);
  for (size_t i = 0; !status && i < num_kernels; ++i) {
    const hetc_kernel_desc_t *desc = &kernels[i];
    hip_kernel_t *k = &m->kernels[i];
    m->num_kernels = i + 1;
    status = hetc_kernel_desc_copy(desc, &k->desc);
    if (status)
      break;
    int error =
        d->hip.hipModuleGetFunction(&k->function, m->module, k->desc.name);
    if (error == HIP_ERROR_NOT_FOUND)
      status = hetc_make_status(HETC_STATUS_NOT_FOUND,
                                "the hsaco has no kernel '%s'", k->desc.name);
    else if (error != HIP_SUCCESS)
      status = hip_status(d, error, "cannot find kernel '%s'", k->desc.name);
  }
  if (status)
    free_module(d, m);
  else
    *module = m;
  leave(d, previous);
  return status;
}

static void hip_unload_kernels(void *impl, void *module) {
  hip_device_t *d = impl;
  int previous;
  if (!module)
    return;
  hetc_status_t status = enter(d, &previous);
  free_module(d, module);
  if (status)
    hetc_status_free(status);
  else
    leave(d, previous);
}

static hetc_status_t hip_begin(void *impl) {
  (void)impl;
  return NULL;
}

static hetc_status_t hip_dispatch(void *impl, void *module, size_t kernel,
                                  const uint32_t grid[3],
                                  void *const *bindings) {
  hip_device_t *d = impl;
  int previous;
  hip_module_t *m = module;
  if (kernel >= m->num_kernels)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "no kernel %zu (the module has %zu)", kernel,
                            m->num_kernels);
  const hip_kernel_t *k = &m->kernels[kernel];
  if (!grid[0] || !grid[1] || !grid[2])
    return NULL; /* no blocks: nothing to run */
  /* Each argument is one device pointer, passed by address. */
  void *local_args[32];
  void *local_params[32];
  void **args = local_args;
  void **params = local_params;
  if (k->desc.num_bindings > 32) {
    args = malloc(k->desc.num_bindings * sizeof(*args));
    params = malloc(k->desc.num_bindings * sizeof(*params));
    if (!args || !params) {
      free(args);
      free(params);
      return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    }
  }
  for (uint32_t i = 0; i < k->desc.num_bindings; ++i) {
    args[i] = bindings[i];
    params[i] = &args[i];
  }
  hetc_status_t status = enter(d, &previous);
  if (!status) {
    int error = d->hip.hipModuleLaunchKernel(
        k->function, grid[0], grid[1], grid[2], k->desc.block[0],
        k->desc.block[1], k->desc.block[2], 0, d->stream, params, NULL);
    leave(d, previous);
    if (error != HIP_SUCCESS)
      status = hip_status(d, error,
                          "launching kernel '%s' (grid %ux%ux%u, block "
                          "%ux%ux%u) failed",
                          k->desc.name, grid[0], grid[1], grid[2],
                          k->desc.block[0], k->desc.block[1], k->desc.block[2]);
  }
  if (args != local_args) {
    free(args);
    free(params);
  }
  return status;
}

static hetc_status_t hip_copy(void *impl, void *src, uint64_t src_offset,
                              void *dst, uint64_t dst_offset, uint64_t bytes) {
  hip_device_t *d = impl;
  int previous;
  if (!bytes)
    return NULL;
  hetc_status_t status = enter(d, &previous);
  if (status)
    return status;
  int error = d->hip.hipMemcpyDtoDAsync((char *)dst + dst_offset,
                                        (char *)src + src_offset, (size_t)bytes,
                                        d->stream);
  leave(d, previous);
  if (error != HIP_SUCCESS)
    return hip_status(d, error, "queueing a %llu-byte device copy failed",
                      (unsigned long long)bytes);
  return NULL;
}

static hetc_status_t hip_end(void *impl) {
  hip_device_t *d = impl;
  int previous;
  hetc_status_t status = enter(d, &previous);
  if (status)
    return status;
  int error = d->hip.hipStreamSynchronize(d->stream);
  leave(d, previous);
  if (error != HIP_SUCCESS)
    return hip_status(d, error,
                      "AMD GPU %d failed while running the queued kernels "
                      "and copies",
                      d->ordinal);
  return NULL;
}

static const hetc_gpu_ops_t hip_gpu_ops = {
    hip_load_kernels, hip_unload_kernels, hip_begin,
    hip_dispatch,     hip_copy,           hip_end,
};

const hetc_driver_t hetc_rocm_driver = {
    "rocm",     "rocm",       hip_open, hip_close, hip_alloc, hip_free,
    hip_upload, hip_download, NULL,     NULL,      NULL,      &hip_gpu_ops,
};
