/*===- cuda.c - NVIDIA GPUs through the CUDA driver API -------------------===*
 *
 * libcuda.so.1 is opened with dlopen when a device is opened and never
 * linked, so the runtime builds and runs without the NVIDIA driver and says
 * what is missing. <cuda.h> supplies types only, when it is there.
 *
 * Each device uses its primary context, pushed (cuda_enter) around every
 * executor call and popped again, so several devices (and the caller's own
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

HETC_DECLARE_TABLE(cuda_symbols_t, HETC_CUDA_SYMBOLS)

typedef struct cuda_device {
  hetc_gpu_device_t base; /* first: the executor's view */
  void *library;
  cuda_symbols_t cu;
  CUdevice device;
  CUcontext context; /* the retained primary context, or NULL */
  CUstream stream;
  int major, minor; /* compute capability */
  char name[128];
} cuda_device_t;

typedef struct cuda_module {
  CUmodule module;
  bool used_ptx;
} cuda_module_t;

_Static_assert(sizeof(CUdeviceptr) == sizeof(void *),
               "launch parameters pass each buffer's handle as a CUdeviceptr");

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

/* "CUDA_ERROR_X (its description)" */
static void cuda_describe_result(const void *impl, int result, char *out,
                                 size_t size) {
  const cuda_device_t *d = impl;
  snprintf(out, size, "%s (%s)%s", error_name(d, result),
           error_string(d, result),
           is_sticky(result) ? "; the CUDA context is now unusable, so the "
                               "device must be reopened"
                             : "");
}

static hetc_status_code_t cuda_result_code(int result) {
  return result == CUDA_ERROR_OUT_OF_MEMORY ? HETC_STATUS_RESOURCE_EXHAUSTED
                                            : HETC_STATUS_INTERNAL;
}

/* Makes the device's context current on this thread until cuda_leave(). */
static hetc_status_t cuda_enter(void *impl, int *saved) {
  cuda_device_t *d = impl;
  (void)saved;
  CUresult error = d->cu.cuCtxPushCurrent_v2(d->context);
  if (error != CUDA_SUCCESS)
    return hetc_gpu_error(d, error,
                          "cannot make CUDA device %d's context current",
                          d->base.ordinal);
  return NULL;
}

static void cuda_leave(void *impl, int saved) {
  const cuda_device_t *d = impl;
  CUcontext previous;
  (void)saved;
  d->cu.cuCtxPopCurrent_v2(&previous);
}

static CUdeviceptr device_pointer(const void *buffer) {
  return (CUdeviceptr)(uintptr_t)buffer;
}

/*--- Devices --------------------------------------------------------------*/

static const hetc_gpu_ops_t cuda_ops;

static void cuda_close(void *impl) {
  cuda_device_t *d = impl;
  int saved;
  if (!d)
    return;
  if (d->context) {
    hetc_status_t status = d->stream ? cuda_enter(d, &saved) : NULL;
    if (d->stream && !status) {
      d->cu.cuStreamDestroy_v2(d->stream);
      cuda_leave(d, saved);
    }
    hetc_status_free(status);
    d->cu.cuDevicePrimaryCtxRelease_v2(d->device);
  }
  /* libcuda.so.1 stays loaded: the driver keeps threads and exit handlers
   * that must not outlive its code. */
  free(d);
}

/* Reads the device's name, compute capability and memory, and retains its
 * primary context. */
static CUresult query_device(cuda_device_t *d, int ordinal, size_t *memory) {
  CUresult error = d->cu.cuDeviceGet(&d->device, ordinal);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDeviceGetName(d->name, (int)sizeof(d->name), d->device);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDeviceGetAttribute(
        &d->major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d->device);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDeviceGetAttribute(
        &d->minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d->device);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDeviceTotalMem_v2(memory, d->device);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDevicePrimaryCtxRetain(&d->context, d->device);
  return error;
}

/* Finds device `ordinal`, retains its context and creates its stream. */
static hetc_status_t open_device(cuda_device_t *d, int ordinal,
                                 size_t *memory) {
  int count = 0;
  CUresult error = d->cu.cuInit(0);
  if (error == CUDA_SUCCESS)
    error = d->cu.cuDeviceGetCount(&count);
  if (error != CUDA_SUCCESS)
    return hetc_make_status(
        HETC_STATUS_UNAVAILABLE,
        "libcuda.so.1 is installed but finds no usable CUDA device: %s (%s); "
        "check that the NVIDIA driver is loaded and the GPU is visible "
        "(nvidia-smi)",
        error_name(d, error), error_string(d, error));
  if (ordinal < 0 || ordinal >= count)
    return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                            "no CUDA device %d (%d found)", ordinal, count);
  if ((error = query_device(d, ordinal, memory)) != CUDA_SUCCESS)
    return hetc_gpu_error(d, error, "cannot open CUDA device %d", ordinal);
  int saved;
  hetc_status_t status = cuda_enter(d, &saved);
  if (status)
    return status;
  error = d->cu.cuStreamCreate(&d->stream, CU_STREAM_DEFAULT);
  cuda_leave(d, saved);
  if (error == CUDA_SUCCESS)
    return NULL;
  d->stream = NULL;
  return hetc_gpu_error(d, error, "cannot create a stream on CUDA device %d",
                        ordinal);
}

static hetc_status_t cuda_open(int ordinal, void **impl, char *description,
                               size_t description_size) {
  *impl = NULL;
  cuda_device_t *d = calloc(1, sizeof(*d));
  if (!d)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  d->base = (hetc_gpu_device_t){.ops = &cuda_ops, .ordinal = ordinal};
  hetc_status_t status =
      HETC_LOAD_TABLE("cuda", "libcuda.so.1",
                      "install the NVIDIA driver (it provides libcuda.so.1)",
                      cuda_symbols_t, d->cu, d->library);
  if (status) {
    free(d);
    return status;
  }
  size_t memory = 0;
  if ((status = open_device(d, ordinal, &memory))) {
    cuda_close(d);
    return status;
  }
  snprintf(description, description_size, "CUDA: %s (sm_%d%d, %.0f GiB)",
           d->name, d->major, d->minor, (double)memory / (1u << 30));
  *impl = d;
  return NULL;
}

/*--- Memory ---------------------------------------------------------------*/

static hetc_status_t cuda_alloc(void *impl, size_t bytes, void **buffer) {
  cuda_device_t *d = impl;
  CUdeviceptr pointer = 0;
  CUresult error = d->cu.cuMemAlloc_v2(&pointer, bytes ? bytes : 1);
  if (error != CUDA_SUCCESS)
    return hetc_gpu_alloc_error(d, error, bytes);
  *buffer = (void *)(uintptr_t)pointer;
  return NULL;
}

static void cuda_free(void *impl, void *buffer) {
  cuda_device_t *d = impl;
  d->cu.cuMemFree_v2(device_pointer(buffer));
}

static hetc_status_t cuda_zero(void *impl, void *buffer, size_t bytes) {
  cuda_device_t *d = impl;
  CUresult error = d->cu.cuMemsetD8_v2(device_pointer(buffer), 0, bytes);
  return error == CUDA_SUCCESS ? NULL : hetc_gpu_alloc_error(d, error, bytes);
}

static hetc_status_t cuda_copy(void *impl, hetc_copy_kind_t kind, void *dst,
                               uint64_t dst_offset, const void *src,
                               uint64_t src_offset, uint64_t bytes) {
  cuda_device_t *d = impl;
  CUresult error;
  if (kind == HETC_COPY_HOST_TO_DEVICE)
    error = d->cu.cuMemcpyHtoD_v2(device_pointer(dst), src, bytes);
  else if (kind == HETC_COPY_DEVICE_TO_HOST)
    error = d->cu.cuMemcpyDtoH_v2(dst, device_pointer(src), bytes);
  else
    error = d->cu.cuMemcpyDtoDAsync_v2(device_pointer(dst) + dst_offset,
                                       device_pointer(src) + src_offset,
                                       (size_t)bytes, d->stream);
  return error == CUDA_SUCCESS ? NULL
                               : hetc_gpu_copy_error(d, error, kind, bytes);
}

/*--- Kernels --------------------------------------------------------------*/

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
  void *image = hetc_section_copy(cubin);
  if (!image) {
    snprintf(why, why_size, "out of memory");
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
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
  char *text = hetc_section_copy(ptx);
  if (!text) {
    snprintf(log, log_size, "out of memory");
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
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

/* Loads the cubin, or JIT-compiles the PTX when the cubin does not load. */
static hetc_status_t load_code(const cuda_device_t *d,
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
    return hetc_gpu_error(d, error, "cannot load the cubin on CUDA device %d",
                          d->base.ordinal);
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

static hetc_status_t
cuda_load_module(void *impl, const hetc_artifact_t *artifact, void **module) {
  cuda_module_t *m = calloc(1, sizeof(*m));
  if (!m)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  hetc_status_t status = load_code(impl, artifact, m);
  if (status) {
    free(m);
    return status;
  }
  *module = m;
  return NULL;
}

static void cuda_unload_module(void *impl, void *module) {
  cuda_device_t *d = impl;
  cuda_module_t *m = module;
  d->cu.cuModuleUnload(m->module);
  free(m);
}

static hetc_status_t cuda_get_function(void *impl, void *module,
                                       const hetc_kernel_desc_t *kernel,
                                       void **function) {
  cuda_device_t *d = impl;
  cuda_module_t *m = module;
  CUfunction found = NULL;
  CUresult error = d->cu.cuModuleGetFunction(&found, m->module, kernel->name);
  if (error == CUDA_ERROR_NOT_FOUND)
    return hetc_make_status(
        HETC_STATUS_NOT_FOUND, "the CUDA device code has no kernel '%s'%s",
        kernel->name,
        m->used_ptx ? " (in the PTX it was JIT-compiled from)" : "");
  if (error != CUDA_SUCCESS)
    return hetc_gpu_error(d, error, "cannot find kernel '%s'", kernel->name);
  *function = found;
  return NULL;
}

/*--- Steps ----------------------------------------------------------------*/

static hetc_status_t cuda_launch(void *impl, const hetc_gpu_launch_t *launch) {
  cuda_device_t *d = impl;
  const uint32_t *grid = launch->grid, *block = launch->kernel->block;
  CUresult error = d->cu.cuLaunchKernel(launch->function, grid[0], grid[1],
                                        grid[2], block[0], block[1], block[2],
                                        0, d->stream, launch->params, NULL);
  return error == CUDA_SUCCESS ? NULL : hetc_gpu_launch_error(d, error, launch);
}

static hetc_status_t cuda_sync(void *impl) {
  cuda_device_t *d = impl;
  CUresult error = d->cu.cuStreamSynchronize(d->stream);
  return error == CUDA_SUCCESS ? NULL : hetc_gpu_sync_error(d, error);
}

HETC_DEFINE_GPU_DRIVER("cuda", cuda, "CUDA device", .enter = cuda_enter,
                       .leave = cuda_leave);
