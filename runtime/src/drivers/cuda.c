/*===- cuda.c - NVIDIA GPUs through the CUDA driver API -------------------===*
 *
 * libcuda.so.1 is opened with dlopen when a device is opened and never
 * linked, so the runtime builds and runs without the NVIDIA driver and says
 * what is missing. <cuda.h> supplies types only, when it is there.
 *
 * Each device uses its primary context, pushed for the duration of every
 * entry point and popped again, so several devices (and the caller's own
 * CUDA code) coexist in one process, and one stream, created blocking so it
 * orders after the synchronous uploads and downloads. Kernels come from the
 * artifact's "cubin" section, or are JIT-compiled from its "ptx" section
 * when the cubin does not load on this device.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L /* strdup */
#include "../internal.h"
#include "dylib.h"
#include "dynamic_symbols.h"
#include "gpu_drivers.h"

#undef CUDA_API_PER_THREAD_DEFAULT_STREAM
#if __has_include(<cuda.h>) && !defined(HETC_CUDA_WITHOUT_HEADER)
#include <cuda.h>
#else
/* The subset of <cuda.h> used here, with its values. */
typedef int CUresult;
typedef int CUdevice;
typedef int CUdevice_attribute;
typedef int CUjit_option;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_ILLEGAL_ADDRESS = 700,
  CUDA_ERROR_LAUNCH_TIMEOUT = 702,
  CUDA_ERROR_HARDWARE_STACK_ERROR = 714,
  CUDA_ERROR_LAUNCH_FAILED = 719,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  CU_STREAM_DEFAULT = 0,
};
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

HETC_DECLARE_TABLE(cuda_symbols_t, HETC_CUDA_SYMBOLS)

typedef struct cuda_device {
  void *library;
  cuda_symbols_t cu;
  int ordinal;
  CUdevice device;
  CUcontext context; /* the retained primary context, or NULL */
  CUstream stream;
  int major, minor; /* compute capability */
  char name[128];
} cuda_device_t;

typedef struct cuda_kernel {
  CUfunction function;
  hetc_kernel_desc_t desc;
} cuda_kernel_t;

typedef struct cuda_module {
  CUmodule module;
  bool used_ptx;
  size_t num_kernels;
  cuda_kernel_t *kernels;
} cuda_module_t;

/*--- Errors ---------------------------------------------------------------*/

static const char *error_name(const cuda_device_t *d, CUresult error) {
  const char *name = NULL;
  if (d->cu.cuGetErrorName(error, &name) != CUDA_SUCCESS || !name)
    return "CUDA_ERROR_UNKNOWN";
  return name;
}

static const char *error_string(const cuda_device_t *d, CUresult error) {
  const char *message = NULL;
  if (d->cu.cuGetErrorString(error, &message) != CUDA_SUCCESS || !message)
    return "unrecognized error code";
  return message;
}

/* Errors after which the context is unusable. */
static bool is_sticky(CUresult error) {
  return error == CUDA_ERROR_ILLEGAL_ADDRESS ||
         error == CUDA_ERROR_LAUNCH_TIMEOUT ||
         ((int)error >= CUDA_ERROR_HARDWARE_STACK_ERROR &&
          (int)error <= CUDA_ERROR_LAUNCH_FAILED);
}

/* "<what>: CUDA_ERROR_X (its description)" */
__attribute__((format(printf, 3, 4))) static hetc_status_t
cuda_status(const cuda_device_t *d, CUresult error, const char *format, ...) {
  char what[512];
  va_list args;
  va_start(args, format);
  vsnprintf(what, sizeof(what), format, args);
  va_end(args);
  hetc_status_code_t code = error == CUDA_ERROR_OUT_OF_MEMORY
                                ? HETC_STATUS_RESOURCE_EXHAUSTED
                                : HETC_STATUS_INTERNAL;
  return hetc_make_status(
      code, "%s: %s (%s)%s", what, error_name(d, error), error_string(d, error),
      is_sticky(error) ? "; the CUDA context is now unusable, so the "
                         "device must be reopened"
                       : "");
}

/* Makes the device's context current on this thread until pop(). */
static hetc_status_t push(const cuda_device_t *d) {
  CUresult error = d->cu.cuCtxPushCurrent_v2(d->context);
  if (error != CUDA_SUCCESS)
    return cuda_status(d, error, "cannot make CUDA device %d's context current",
                       d->ordinal);
  return NULL;
}

static void pop(const cuda_device_t *d) {
  CUcontext previous;
  d->cu.cuCtxPopCurrent_v2(&previous);
}

/* push() for entry points that cannot report: whether it worked. */
static bool entered(const cuda_device_t *d) {
  hetc_status_t status = push(d);
  bool ok = !status;
  hetc_status_free(status);
  return ok;
}

static CUdeviceptr device_pointer(const void *buffer) {
  return (CUdeviceptr)(uintptr_t)buffer;
}

/*--- Devices and buffers --------------------------------------------------*/

static void cuda_close(void *impl) {
  cuda_device_t *d = impl;
  if (!d)
    return;
  if (d->context) {
    if (d->stream && entered(d)) {
      d->cu.cuStreamDestroy_v2(d->stream);
      pop(d);
    }
    d->cu.cuDevicePrimaryCtxRelease_v2(d->device);
  }
  /* libcuda.so.1 stays loaded: the driver keeps threads and exit handlers
   * that must not outlive its code. */
  free(d);
}

static hetc_status_t cuda_open(int ordinal, void **impl, char *description,
                               size_t description_size) {
  *impl = NULL;
  cuda_device_t *d = calloc(1, sizeof(*d));
  if (!d)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  d->ordinal = ordinal;
  hetc_status_t status =
      HETC_LOAD_TABLE("cuda", "libcuda.so.1",
                      "install the NVIDIA driver (it provides libcuda.so.1)",
                      cuda_symbols_t, d->cu, d->library);
  if (status) {
    free(d);
    return status;
  }
  int count = 0;
  CUresult error = d->cu.cuInit(0);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDeviceGetCount(&count);
  if (error != CUDA_SUCCESS) {
    status = hetc_make_status(
        HETC_STATUS_UNAVAILABLE,
        "libcuda.so.1 is installed but finds no usable CUDA device: %s (%s); "
        "check that the NVIDIA driver is loaded and the GPU is visible "
        "(nvidia-smi)",
        error_name(d, error), error_string(d, error));
    cuda_close(d);
    return status;
  }
  if (ordinal < 0 || ordinal >= count) {
    cuda_close(d);
    return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                            "no CUDA device %d (%d found)", ordinal, count);
  }
  size_t memory = 0;
  error = d->cu.cuDeviceGet(&d->device, ordinal);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDeviceGetName(d->name, (int)sizeof(d->name), d->device);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDeviceGetAttribute(
        &d->major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d->device);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDeviceGetAttribute(
        &d->minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d->device);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDeviceTotalMem_v2(&memory, d->device);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDevicePrimaryCtxRetain(&d->context, d->device);
  if (error != CUDA_SUCCESS) {
    status = cuda_status(d, error, "cannot open CUDA device %d", ordinal);
    cuda_close(d);
    return status;
  }
  if ((status = push(d))) {
    cuda_close(d);
    return status;
  }
  error = d->cu.cuStreamCreate(&d->stream, CU_STREAM_DEFAULT);
  pop(d);
  if (error != CUDA_SUCCESS) {
    d->stream = NULL;
    status = cuda_status(d, error, "cannot create a stream on CUDA device %d",
                         ordinal);
    cuda_close(d);
    return status;
  }
  snprintf(description, description_size, "CUDA: %s (sm_%d%d, %.0f GiB)",
           d->name, d->major, d->minor, (double)memory / (1u << 30));
  *impl = d;
  return NULL;
}

static hetc_status_t cuda_alloc(void *impl, size_t bytes, void **buffer) {
  cuda_device_t *d = impl;
  *buffer = NULL;
  hetc_status_t status = push(d);
  if (status)
    return status;
  /* Buffers start zeroed, as on the cpu driver. */
  CUdeviceptr pointer = 0;
  CUresult error = d->cu.cuMemAlloc_v2(&pointer, bytes ? bytes : 1);
  if (error == CUDA_SUCCESS) {
    error = d->cu.cuMemsetD8_v2(pointer, 0, bytes);
    if (error != CUDA_SUCCESS)
      d->cu.cuMemFree_v2(pointer);
  }
  pop(d);
  if (error != CUDA_SUCCESS)
    return cuda_status(d, error, "cannot allocate %zu bytes on CUDA device %d",
                       bytes, d->ordinal);
  *buffer = (void *)(uintptr_t)pointer;
  return NULL;
}

static void cuda_free(void *impl, void *buffer) {
  cuda_device_t *d = impl;
  if (!buffer || !entered(d))
    return;
  d->cu.cuMemFree_v2(device_pointer(buffer));
  pop(d);
}

static hetc_status_t cuda_upload(void *impl, void *buffer, const void *src,
                                 size_t bytes) {
  cuda_device_t *d = impl;
  if (!bytes)
    return NULL;
  hetc_status_t status = push(d);
  if (status)
    return status;
  CUresult error = d->cu.cuMemcpyHtoD_v2(device_pointer(buffer), src, bytes);
  pop(d);
  if (error != CUDA_SUCCESS)
    return cuda_status(d, error, "copying %zu bytes to CUDA device %d failed",
                       bytes, d->ordinal);
  return NULL;
}

static hetc_status_t cuda_download(void *impl, const void *buffer, void *dst,
                                   size_t bytes) {
  cuda_device_t *d = impl;
  if (!bytes)
    return NULL;
  hetc_status_t status = push(d);
  if (status)
    return status;
  CUresult error = d->cu.cuMemcpyDtoH_v2(dst, device_pointer(buffer), bytes);
  pop(d);
  if (error != CUDA_SUCCESS)
    return cuda_status(d, error, "copying %zu bytes from CUDA device %d failed",
                       bytes, d->ordinal);
  return NULL;
}

/*--- Kernels --------------------------------------------------------------*/

static void free_module(const cuda_device_t *d, cuda_module_t *m) {
  if (!m)
    return;
  if (m->module)
    d->cu.cuModuleUnload(m->module);
  for (size_t i = 0; i < m->num_kernels; ++i)
    hetc_kernel_desc_free(&m->kernels[i].desc);
  free(m->kernels);
  free(m);
}

bool hetc_cuda_module_used_ptx(const void *module) {
  return module && ((const cuda_module_t *)module)->used_ptx;
}

/* Loads the cubin into m->module; on failure says why in `why`. */
static CUresult load_cubin(const cuda_device_t *d, const hetc_section_t *cubin,
                           cuda_module_t *m, char *why, size_t why_size) {
  if (!cubin) {
    snprintf(why, why_size, "the artifact has no cubin");
    return CUDA_ERROR_NOT_FOUND;
  }
  /* cuModuleLoadDataEx takes no size and trusts the image's offsets. */
  if (!hetc_elf_image_is_whole(cubin->data, cubin->size)) {
    snprintf(why, why_size,
             "its %llu bytes are not a whole ELF image, so it was not "
             "loaded",
             (unsigned long long)cubin->size);
    return CUDA_ERROR_NOT_FOUND;
  }
  /* A private, aligned copy: section data may sit at any offset. */
  void *image = malloc(cubin->size);
  if (!image) {
    snprintf(why, why_size, "out of memory");
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  memcpy(image, cubin->data, cubin->size);
  CUresult error = d->cu.cuModuleLoadDataEx(&m->module, image, 0, NULL, NULL);
  free(image);
  if (error != CUDA_SUCCESS) {
    m->module = NULL;
    snprintf(why, why_size, "loading it returned %s", error_name(d, error));
  }
  return error;
}

/* JIT-compiles the PTX into m->module; on failure the driver's log (or the
 * error) goes to `log`. */
static CUresult load_ptx(const cuda_device_t *d, const hetc_section_t *ptx,
                         cuda_module_t *m, char *log, size_t log_size) {
  /* The section need not end in a NUL; the driver reads a C string. */
  char *text = malloc(ptx->size + 1);
  if (!text) {
    snprintf(log, log_size, "out of memory");
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  memcpy(text, ptx->data, ptx->size);
  text[ptx->size] = '\0';
  log[0] = '\0';
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log, (void *)(uintptr_t)log_size};
  CUresult error =
      d->cu.cuModuleLoadDataEx(&m->module, text, 2, options, values);
  free(text);
  log[log_size - 1] = '\0';
  if (error != CUDA_SUCCESS) {
    m->module = NULL;
    size_t n = strlen(log);
    while (n && (log[n - 1] == '\n' || log[n - 1] == ' '))
      log[--n] = '\0';
    char detail[256];
    snprintf(detail, sizeof(detail), "%s (%s)", error_name(d, error),
             error_string(d, error));
    if (n)
      snprintf(log + n, log_size - n, "; %s", detail);
    else
      snprintf(log, log_size, "%s", detail);
  }
  return error;
}

static hetc_status_t load_module(const cuda_device_t *d,
                                 const hetc_artifact_t *artifact,
                                 cuda_module_t *m) {
  const hetc_section_t *cubin = hetc_artifact_section(artifact, "cubin");
  const hetc_section_t *ptx = hetc_artifact_section(artifact, "ptx");
  const char *chip = artifact->chip ? artifact->chip : "an unrecorded chip";
  if (!cubin && !ptx)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "the artifact has neither a 'cubin' nor a 'ptx' "
                            "section, so it holds no CUDA device code");
  char why[160];
  CUresult error = load_cubin(d, cubin, m, why, sizeof(why));
  if (error == CUDA_SUCCESS)
    return NULL;
  if (error == CUDA_ERROR_OUT_OF_MEMORY)
    return cuda_status(d, error, "cannot load the cubin on CUDA device %d",
                       d->ordinal);
  if (!ptx)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "the cubin was built for %s but this device is "
                            "sm_%d%d (%s), and the artifact has no PTX to JIT "
                            "from",
                            chip, d->major, d->minor, why);
  char log[8192];
  error = load_ptx(d, ptx, m, log, sizeof(log));
  if (error != CUDA_SUCCESS)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "the cubin was built for %s but this device is "
                            "sm_%d%d (%s), and JIT from the PTX failed: %s",
                            chip, d->major, d->minor, why, log);
  m->used_ptx = true;
  return NULL;
}

static hetc_status_t cuda_load_kernels(void *impl,
                                       const hetc_artifact_t *artifact,
                                       const hetc_kernel_desc_t *kernels,
                                       size_t num_kernels, void **module) {
  cuda_device_t *d = impl;
  *module = NULL;
  cuda_module_t *m = calloc(1, sizeof(*m));
  if (m)
    m->kernels = calloc(num_kernels ? num_kernels : 1, sizeof(*m->kernels));
  if (!m || !m->kernels) {
    free(m);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  hetc_status_t status = push(d);
  if (status) {
    free_module(d, m);
    return status;
  }
  status = load_module(d, artifact, m);
  for (size_t i = 0; !status && i < num_kernels; ++i) {
    const hetc_kernel_desc_t *desc = &kernels[i];
    cuda_kernel_t *k = &m->kernels[i];
    m->num_kernels = i + 1;
    status = hetc_kernel_desc_copy(desc, &k->desc);
    if (status)
      break;
    CUresult error =
        d->cu.cuModuleGetFunction(&k->function, m->module, k->desc.name);
    if (error == CUDA_ERROR_NOT_FOUND)
      status = hetc_make_status(
          HETC_STATUS_NOT_FOUND, "the CUDA device code has no kernel '%s'%s",
          k->desc.name,
          m->used_ptx ? " (in the PTX it was JIT-compiled "
                        "from)"
                      : "");
    else if (error != CUDA_SUCCESS)
      status = cuda_status(d, error, "cannot find kernel '%s'", k->desc.name);
  }
  if (status) {
    free_module(d, m);
    pop(d);
    return status;
  }
  pop(d);
  *module = m;
  return NULL;
}

static void cuda_unload_kernels(void *impl, void *module) {
  cuda_device_t *d = impl;
  if (!module)
    return;
  if (!entered(d)) {
    /* Without the context the module cannot be unloaded; free the rest. */
    ((cuda_module_t *)module)->module = NULL;
    free_module(d, module);
    return;
  }
  free_module(d, module);
  pop(d);
}

static hetc_status_t cuda_begin(void *impl) {
  (void)impl;
  return NULL;
}

static hetc_status_t cuda_dispatch(void *impl, void *module, size_t kernel,
                                   const uint32_t grid[3],
                                   void *const *bindings) {
  cuda_device_t *d = impl;
  cuda_module_t *m = module;
  if (kernel >= m->num_kernels)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "no kernel %zu (the module has %zu)", kernel,
                            m->num_kernels);
  const cuda_kernel_t *k = &m->kernels[kernel];
  if (!grid[0] || !grid[1] || !grid[2])
    return NULL; /* no blocks: nothing to run */
  /* Each argument is one device pointer, passed by address. */
  CUdeviceptr local_args[32];
  void *local_params[32];
  CUdeviceptr *args = local_args;
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
    args[i] = device_pointer(bindings[i]);
    params[i] = &args[i];
  }
  hetc_status_t status = push(d);
  if (!status) {
    CUresult error = d->cu.cuLaunchKernel(
        k->function, grid[0], grid[1], grid[2], k->desc.block[0],
        k->desc.block[1], k->desc.block[2], 0, d->stream, params, NULL);
    pop(d);
    if (error != CUDA_SUCCESS)
      status =
          cuda_status(d, error,
                      "launching kernel '%s' (grid %ux%ux%u, block "
                      "%ux%ux%u) failed",
                      k->desc.name, grid[0], grid[1], grid[2], k->desc.block[0],
                      k->desc.block[1], k->desc.block[2]);
  }
  if (args != local_args) {
    free(args);
    free(params);
  }
  return status;
}

static hetc_status_t cuda_copy(void *impl, void *src, uint64_t src_offset,
                               void *dst, uint64_t dst_offset, uint64_t bytes) {
  cuda_device_t *d = impl;
  if (!bytes)
    return NULL;
  hetc_status_t status = push(d);
  if (status)
    return status;
  CUresult error = d->cu.cuMemcpyDtoDAsync_v2(device_pointer(dst) + dst_offset,
                                              device_pointer(src) + src_offset,
                                              (size_t)bytes, d->stream);
  pop(d);
  if (error != CUDA_SUCCESS)
    return cuda_status(d, error, "queueing a %llu-byte device copy failed",
                       (unsigned long long)bytes);
  return NULL;
}

static hetc_status_t cuda_end(void *impl) {
  cuda_device_t *d = impl;
  hetc_status_t status = push(d);
  if (status)
    return status;
  CUresult error = d->cu.cuStreamSynchronize(d->stream);
  pop(d);
  if (error != CUDA_SUCCESS)
    return cuda_status(d, error,
                       "CUDA device %d failed while running the "
                       "queued kernels and copies",
                       d->ordinal);
  return NULL;
}

static const hetc_gpu_ops_t cuda_gpu_ops = {
    cuda_load_kernels, cuda_unload_kernels, cuda_begin,
    cuda_dispatch,     cuda_copy,           cuda_end,
};

const hetc_driver_t hetc_cuda_driver = {
    "cuda",     "cuda",    cuda_open,   cuda_close,
    cuda_alloc, cuda_free, cuda_upload, cuda_download,
    NULL,       NULL,      NULL,        &cuda_gpu_ops,
};
