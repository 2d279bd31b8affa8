/*===- level_zero.c - Intel GPUs through Level Zero -----------------------===*
 *
 * libze_loader.so.1 is opened with dlopen when a device is opened and never
 * linked; <level_zero/ze_api.h> (libze-dev) supplies types only.
 *
 * Device `ordinal` is the ordinal-th GPU across every Level Zero driver.
 * Uploads, downloads and the zeroing of new buffers go through a synchronous
 * immediate command list; the executor's work between begin and end is
 * recorded into a regular command list, with a barrier after every command
 * so each one sees the previous ones' results, then executed on a compute
 * queue and waited for; one thread at a time records, from begin to end.
 * Kernels come from the artifact's "spirv" section.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L /* strdup */
#include "../internal.h"
#include "dylib.h"
#include "dynamic_symbols.h"

#if !__has_include(<level_zero/ze_api.h>)
#error "the level-zero driver needs <level_zero/ze_api.h>: install libze-dev"
#endif
#include <level_zero/ze_api.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

HETC_DECLARE_TABLE(ze_symbols_t, HETC_ZE_SYMBOLS)

typedef struct ze_device {
  void *library;
  ze_symbols_t ze;
  int ordinal;
  ze_driver_handle_t driver;
  ze_device_handle_t device;
  ze_context_handle_t context;
  ze_command_queue_handle_t queue;
  ze_command_list_handle_t list;      /* begin..end, executed on `queue` */
  ze_command_list_handle_t immediate; /* synchronous */
  /* Command lists are not thread-safe: `recording` is held from a
   * successful begin to end, `copying` around each use of `immediate`. */
  pthread_mutex_t recording, copying;
  char name[ZE_MAX_DEVICE_NAME];
} ze_device_t;

typedef struct ze_kernel {
  ze_kernel_handle_t kernel;
  char *name;
  uint32_t num_bindings;
} ze_kernel_t;

typedef struct ze_program {
  ze_module_handle_t module;
  size_t num_kernels;
  ze_kernel_t *kernels;
} ze_program_t;

/*--- Errors ---------------------------------------------------------------*/

static const char *result_name(ze_result_t result) {
  switch (result) {
#define NAME(x)                                                                \
  case x:                                                                      \
    return #x;
    NAME(ZE_RESULT_SUCCESS)
    NAME(ZE_RESULT_NOT_READY)
    NAME(ZE_RESULT_ERROR_DEVICE_LOST)
    NAME(ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY)
    NAME(ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY)
    NAME(ZE_RESULT_ERROR_MODULE_BUILD_FAILURE)
    NAME(ZE_RESULT_ERROR_MODULE_LINK_FAILURE)
    NAME(ZE_RESULT_ERROR_DEVICE_REQUIRES_RESET)
    NAME(ZE_RESULT_ERROR_DEVICE_IN_LOW_POWER_STATE)
    NAME(ZE_RESULT_ERROR_UNINITIALIZED)
    NAME(ZE_RESULT_ERROR_UNSUPPORTED_VERSION)
    NAME(ZE_RESULT_ERROR_UNSUPPORTED_FEATURE)
    NAME(ZE_RESULT_ERROR_INVALID_ARGUMENT)
    NAME(ZE_RESULT_ERROR_INVALID_NULL_HANDLE)
    NAME(ZE_RESULT_ERROR_INVALID_NULL_POINTER)
    NAME(ZE_RESULT_ERROR_INVALID_SIZE)
    NAME(ZE_RESULT_ERROR_UNSUPPORTED_SIZE)
    NAME(ZE_RESULT_ERROR_UNSUPPORTED_ALIGNMENT)
    NAME(ZE_RESULT_ERROR_INVALID_ENUMERATION)
    NAME(ZE_RESULT_ERROR_INVALID_NATIVE_BINARY)
    NAME(ZE_RESULT_ERROR_INVALID_KERNEL_NAME)
    NAME(ZE_RESULT_ERROR_INVALID_GROUP_SIZE_DIMENSION)
    NAME(ZE_RESULT_ERROR_INVALID_GLOBAL_WIDTH_DIMENSION)
    NAME(ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_INDEX)
    NAME(ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE)
    NAME(ZE_RESULT_ERROR_INVALID_MODULE_UNLINKED)
    NAME(ZE_RESULT_ERROR_INVALID_COMMAND_LIST_TYPE)
    NAME(ZE_RESULT_ERROR_OVERLAPPING_REGIONS)
    NAME(ZE_RESULT_ERROR_UNKNOWN)
#undef NAME
  default:
    return "an unrecognized ze_result_t";
  }
}

/* "<what>: ZE_RESULT_X (0x...)" */
__attribute__((format(printf, 2, 3))) static hetc_status_t
ze_status(ze_result_t result, const char *format, ...) {
  char what[512];
  va_list args;
  va_start(args, format);
  vsnprintf(what, sizeof(what), format, args);
  va_end(args);
  hetc_status_code_t code = result == ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY ||
                                    result == ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY
                                ? HETC_STATUS_RESOURCE_EXHAUSTED
                                : HETC_STATUS_INTERNAL;
  return hetc_make_status(code, "%s: %s (0x%x)", what, result_name(result),
                          (unsigned)result);
}

/*--- Devices and buffers --------------------------------------------------*/

static void ze_close(void *impl) {
  ze_device_t *d = impl;
  if (!d)
    return;
  if (d->immediate)
    d->ze.zeCommandListDestroy(d->immediate);
  if (d->list)
    d->ze.zeCommandListDestroy(d->list);
  if (d->queue)
    d->ze.zeCommandQueueDestroy(d->queue);
  if (d->context)
    d->ze.zeContextDestroy(d->context);
  if (d->library)
    dlclose(d->library);
  pthread_mutex_destroy(&d->recording);
  pthread_mutex_destroy(&d->copying);
  free(d);
}

static hetc_status_t no_driver(ze_result_t result, uint32_t drivers) {
  return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                          "libze_loader.so.1 is installed but reports no "
                          "Level Zero driver or device (zeInit/zeDriverGet "
                          "returned 0x%x, %u drivers); install an Intel GPU "
                          "driver such as intel-level-zero-gpu",
                          (unsigned)result, drivers);
}

/* Finds the ordinal-th GPU across all drivers; *found counts the GPUs. */
static ze_result_t find_device(ze_device_t *d, int ordinal, uint32_t *found) {
  *found = 0;
  uint32_t num_drivers = 0;
  ze_result_t result = d->ze.zeDriverGet(&num_drivers, NULL);
  if (result != ZE_RESULT_SUCCESS || !num_drivers)
    return result;
  ze_driver_handle_t *drivers = calloc(num_drivers, sizeof(*drivers));
  if (!drivers)
    return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
  result = d->ze.zeDriverGet(&num_drivers, drivers);
  for (uint32_t i = 0; result == ZE_RESULT_SUCCESS && i < num_drivers; ++i) {
    uint32_t num_devices = 0;
    result = d->ze.zeDeviceGet(drivers[i], &num_devices, NULL);
    if (result != ZE_RESULT_SUCCESS || !num_devices)
      continue;
    ze_device_handle_t *devices = calloc(num_devices, sizeof(*devices));
    if (!devices) {
      result = ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
      break;
    }
    result = d->ze.zeDeviceGet(drivers[i], &num_devices, devices);
    for (uint32_t j = 0; result == ZE_RESULT_SUCCESS && j < num_devices; ++j) {
      ze_device_properties_t properties = {
          .stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES};
      result = d->ze.zeDeviceGetProperties(devices[j], &properties);
      if (result != ZE_RESULT_SUCCESS || properties.type != ZE_DEVICE_TYPE_GPU)
        continue;
      if ((int)*found == ordinal) {
        d->driver = drivers[i];
        d->device = devices[j];
        snprintf(d->name, sizeof(d->name), "%s", properties.name);
      }
      ++*found;
    }
    free(devices);
  }
  free(drivers);
  return result;
}

/* The ordinal of a command queue group that runs compute work. */
static ze_result_t compute_group(const ze_device_t *d, uint32_t *ordinal) {
  uint32_t count = 0;
  ze_result_t result =
      d->ze.zeDeviceGetCommandQueueGroupProperties(d->device, &count, NULL);
  if (result != ZE_RESULT_SUCCESS)
    return result;
  ze_command_queue_group_properties_t *groups =
      calloc(count ? count : 1, sizeof(*groups));
  if (!groups)
    return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
  for (uint32_t i = 0; i < count; ++i)
    groups[i].stype = ZE_STRUCTURE_TYPE_COMMAND_QUEUE_GROUP_PROPERTIES;
  result =
      d->ze.zeDeviceGetCommandQueueGroupProperties(d->device, &count, groups);
  *ordinal = 0;
  for (uint32_t i = count; i-- > 0;)
    if (groups[i].flags & ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE)
      *ordinal = i;
  free(groups);
  return result;
}

static uint64_t device_memory(const ze_device_t *d) {
  uint32_t count = 0;
  if (d->ze.zeDeviceGetMemoryProperties(d->device, &count, NULL) !=
          ZE_RESULT_SUCCESS ||
      !count)
    return 0;
  ze_device_memory_properties_t *memories = calloc(count, sizeof(*memories));
  if (!memories)
    return 0;
  for (uint32_t i = 0; i < count; ++i)
    memories[i].stype = ZE_STRUCTURE_TYPE_DEVICE_MEMORY_PROPERTIES;
  uint64_t total = 0;
  if (d->ze.zeDeviceGetMemoryProperties(d->device, &count, memories) ==
      ZE_RESULT_SUCCESS)
    for (uint32_t i = 0; i < count; ++i)
      total += memories[i].totalSize;
  free(memories);
  return total;
}

static hetc_status_t ze_open(int ordinal, void **impl, char *description,
                             size_t description_size) {
  *impl = NULL;
  ze_device_t *d = calloc(1, sizeof(*d));
  if (!d)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  d->ordinal = ordinal;
  pthread_mutex_init(&d->recording, NULL);
  pthread_mutex_init(&d->copying, NULL);
  hetc_status_t status = HETC_LOAD_TABLE(
      "level-zero", "libze_loader.so.1",
      "install the Level Zero loader (libze1) and an Intel GPU driver such "
      "as intel-level-zero-gpu",
      ze_symbols_t, d->ze, d->library);
  if (status) {
    ze_close(d);
    return status;
  }
  uint32_t found = 0;
  ze_result_t result = d->ze.zeInit(ZE_INIT_FLAG_GPU_ONLY);
  if (result == ZE_RESULT_SUCCESS)
    result = find_device(d, ordinal, &found);
  if (result != ZE_RESULT_SUCCESS || !found) {
    uint32_t drivers = 0;
    if (result == ZE_RESULT_SUCCESS)
      d->ze.zeDriverGet(&drivers, NULL);
    ze_close(d);
    return no_driver(result, drivers);
  }
  if (!d->device) {
    ze_close(d);
    return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                            "no Level Zero GPU %d (%u found)", ordinal, found);
  }
  uint32_t group = 0;
  result = compute_group(d, &group);
  ze_context_desc_t context_desc = {.stype = ZE_STRUCTURE_TYPE_CONTEXT_DESC};
  if (result == ZE_RESULT_SUCCESS)
    result = d->ze.zeContextCreate(d->driver, &context_desc, &d->context);
  ze_command_queue_desc_t queue_desc = {
      .stype = ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC,
      .ordinal = group,
      .mode = ZE_COMMAND_QUEUE_MODE_ASYNCHRONOUS,
      .priority = ZE_COMMAND_QUEUE_PRIORITY_NORMAL};
  if (result == ZE_RESULT_SUCCESS)
    result = d->ze.zeCommandQueueCreate(d->context, d->device, &queue_desc,
                                        &d->queue);
  ze_command_list_desc_t list_desc = {.stype =
                                          ZE_STRUCTURE_TYPE_COMMAND_LIST_DESC,
                                      .commandQueueGroupOrdinal = group};
  if (result == ZE_RESULT_SUCCESS)
    result =
        d->ze.zeCommandListCreate(d->context, d->device, &list_desc, &d->list);
  queue_desc.mode = ZE_COMMAND_QUEUE_MODE_SYNCHRONOUS;
  if (result == ZE_RESULT_SUCCESS)
    result = d->ze.zeCommandListCreateImmediate(d->context, d->device,
                                                &queue_desc, &d->immediate);
  if (result != ZE_RESULT_SUCCESS) {
    status = ze_status(result, "cannot open Level Zero GPU %d (%s)", ordinal,
                       d->name);
    ze_close(d);
    return status;
  }
  snprintf(description, description_size, "Level Zero: %s (%.0f GiB)", d->name,
           (double)device_memory(d) / (1u << 30));
  *impl = d;
  return NULL;
}

static hetc_status_t ze_alloc(void *impl, size_t bytes, void **buffer) {
  ze_device_t *d = impl;
  *buffer = NULL;
  ze_device_mem_alloc_desc_t desc = {
      .stype = ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC};
  void *pointer = NULL;
  ze_result_t result = d->ze.zeMemAllocDevice(
      d->context, &desc, bytes ? bytes : 1, 64, d->device, &pointer);
  /* Buffers start zeroed, as on the cpu driver. */
  static const uint8_t zero = 0;
  if (result == ZE_RESULT_SUCCESS && bytes) {
    pthread_mutex_lock(&d->copying);
    result = d->ze.zeCommandListAppendMemoryFill(d->immediate, pointer, &zero,
                                                 1, bytes, NULL, 0, NULL);
    pthread_mutex_unlock(&d->copying);
    if (result != ZE_RESULT_SUCCESS)
      d->ze.zeMemFree(d->context, pointer);
  }
  if (result != ZE_RESULT_SUCCESS)
    return ze_status(result, "cannot allocate %zu bytes on Level Zero GPU %d",
                     bytes, d->ordinal);
  *buffer = pointer;
  return NULL;
}

static void ze_free(void *impl, void *buffer) {
  ze_device_t *d = impl;
  if (buffer)
    d->ze.zeMemFree(d->context, buffer);
}

static hetc_status_t ze_upload(void *impl, void *buffer, const void *src,
                               size_t bytes) {
  ze_device_t *d = impl;
  if (!bytes)
    return NULL;
  pthread_mutex_lock(&d->copying);
  ze_result_t result = d->ze.zeCommandListAppendMemoryCopy(
      d->immediate, buffer, src, bytes, NULL, 0, NULL);
  pthread_mutex_unlock(&d->copying);
  if (result != ZE_RESULT_SUCCESS)
    return ze_status(result, "copying %zu bytes to Level Zero GPU %d failed",
                     bytes, d->ordinal);
  return NULL;
}

static hetc_status_t ze_download(void *impl, const void *buffer, void *dst,
                                 size_t bytes) {
  ze_device_t *d = impl;
  if (!bytes)
    return NULL;
  pthread_mutex_lock(&d->copying);
  ze_result_t result = d->ze.zeCommandListAppendMemoryCopy(
      d->immediate, dst, buffer, bytes, NULL, 0, NULL);
  pthread_mutex_unlock(&d->copying);
  if (result != ZE_RESULT_SUCCESS)
    return ze_status(result, "copying %zu bytes from Level Zero GPU %d failed",
                     bytes, d->ordinal);
  return NULL;
}

/*--- Kernels --------------------------------------------------------------*/

static void free_program(const ze_device_t *d, ze_program_t *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->num_kernels; ++i) {
    if (p->kernels[i].kernel)
      d->ze.zeKernelDestroy(p->kernels[i].kernel);
    free(p->kernels[i].name);
  }
  if (p->module)
    d->ze.zeModuleDestroy(p->module);
  free(p->kernels);
  free(p);
}

/* The build log's text (the caller frees it), or NULL. */
static char *build_log(const ze_device_t *d, ze_module_build_log_handle_t log) {
  size_t size = 0;
  char *text = NULL;
  if (d->ze.zeModuleBuildLogGetString(log, &size, NULL) == ZE_RESULT_SUCCESS &&
      size && (text = calloc(size + 1, 1)) &&
      d->ze.zeModuleBuildLogGetString(log, &size, text) != ZE_RESULT_SUCCESS) {
    free(text);
    text = NULL;
  }
  return text;
}

static hetc_status_t load_module(const ze_device_t *d,
                                 const hetc_artifact_t *artifact,
                                 ze_program_t *p) {
  const hetc_section_t *spirv = hetc_artifact_section(artifact, "spirv");
  if (!spirv)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "the artifact has no 'spirv' section, so it holds "
                            "no Level Zero device code");
  if (!spirv->size || spirv->size % 4)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "the artifact's spirv section (%llu bytes) is not "
                            "a whole number of SPIR-V words",
                            (unsigned long long)spirv->size);
  /* A private, word-aligned copy: section data may sit at any offset. */
  uint8_t *code = malloc(spirv->size);
  if (!code)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  memcpy(code, spirv->data, spirv->size);
  ze_module_desc_t desc = {.stype = ZE_STRUCTURE_TYPE_MODULE_DESC,
                           .format = ZE_MODULE_FORMAT_IL_SPIRV,
                           .inputSize = (size_t)spirv->size,
                           .pInputModule = code,
                           .pBuildFlags = ""};
  ze_module_build_log_handle_t log = NULL;
  ze_result_t result =
      d->ze.zeModuleCreate(d->context, d->device, &desc, &p->module, &log);
  free(code);
  hetc_status_t status = NULL;
  if (result != ZE_RESULT_SUCCESS) {
    p->module = NULL;
    char *text = log ? build_log(d, log) : NULL;
    status = hetc_make_status(
        result == ZE_RESULT_ERROR_MODULE_BUILD_FAILURE
            ? HETC_STATUS_FAILED_PRECONDITION
            : HETC_STATUS_INTERNAL,
        "building the SPIR-V (for %s) on Level Zero GPU %d (%s) failed: %s%s%s",
        artifact->chip ? artifact->chip : "an unrecorded chip", d->ordinal,
        d->name, result_name(result), text && *text ? "; build log: " : "",
        text ? text : "");
    free(text);
  }
  if (log)
    d->ze.zeModuleBuildLogDestroy(log);
  return status;
}

static hetc_status_t ze_load_kernels(void *impl,
                                     const hetc_artifact_t *artifact,
                                     const hetc_kernel_desc_t *kernels,
                                     size_t num_kernels, void **module) {
  ze_device_t *d = impl;
  *module = NULL;
  ze_program_t *p = calloc(1, sizeof(*p));
  if (p)
    p->kernels = calloc(num_kernels ? num_kernels : 1, sizeof(*p->kernels));
  if (!p || !p->kernels) {
    free(p);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  hetc_status_t status = load_module(d, artifact, p);
  for (size_t i = 0; !status && i < num_kernels; ++i) {
    const hetc_kernel_desc_t *desc = &kernels[i];
    ze_kernel_t *k = &p->kernels[i];
    p->num_kernels = i + 1;
    k->name = strdup(desc->name ? desc->name : "");
    if (!k->name) {
      status =
          hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
      break;
    }
    k->num_bindings = desc->num_bindings;
    ze_kernel_desc_t kernel_desc = {.stype = ZE_STRUCTURE_TYPE_KERNEL_DESC,
                                    .pKernelName = k->name};
    ze_result_t result =
        d->ze.zeKernelCreate(p->module, &kernel_desc, &k->kernel);
    if (result != ZE_RESULT_SUCCESS) {
      k->kernel = NULL;
      status = result == ZE_RESULT_ERROR_INVALID_KERNEL_NAME
                   ? hetc_make_status(HETC_STATUS_NOT_FOUND,
                                      "the SPIR-V has no kernel '%s'", k->name)
                   : ze_status(result, "cannot create kernel '%s'", k->name);
      break;
    }
    result = d->ze.zeKernelSetGroupSize(k->kernel, desc->block[0],
                                        desc->block[1], desc->block[2]);
    if (result != ZE_RESULT_SUCCESS)
      status =
          ze_status(result, "kernel '%s' cannot take the group size %ux%ux%u",
                    k->name, desc->block[0], desc->block[1], desc->block[2]);
  }
  if (status) {
    free_program(d, p);
    return status;
  }
  *module = p;
  return NULL;
}

static void ze_unload_kernels(void *impl, void *module) {
  free_program(impl, module);
}

static hetc_status_t ze_begin(void *impl) {
  ze_device_t *d = impl;
  pthread_mutex_lock(&d->recording);
  ze_result_t result = d->ze.zeCommandListReset(d->list);
  if (result != ZE_RESULT_SUCCESS) {
    pthread_mutex_unlock(&d->recording);
    return ze_status(result, "cannot reset Level Zero GPU %d's command list",
                     d->ordinal);
  }
  return NULL;
}

/* Orders the next command after everything appended so far. */
static ze_result_t barrier(const ze_device_t *d) {
  return d->ze.zeCommandListAppendBarrier(d->list, NULL, 0, NULL);
}

static hetc_status_t ze_dispatch(void *impl, void *module, size_t kernel,
                                 const uint32_t grid[3],
                                 void *const *bindings) {
  ze_device_t *d = impl;
  ze_program_t *p = module;
  if (kernel >= p->num_kernels)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "no kernel %zu (the module has %zu)", kernel,
                            p->num_kernels);
  const ze_kernel_t *k = &p->kernels[kernel];
  if (!grid[0] || !grid[1] || !grid[2])
    return NULL; /* no groups: nothing to run */
  ze_result_t result = ZE_RESULT_SUCCESS;
  /* Arguments are captured when the launch is appended. */
  for (uint32_t i = 0; result == ZE_RESULT_SUCCESS && i < k->num_bindings; ++i)
    result = d->ze.zeKernelSetArgumentValue(k->kernel, i, sizeof(void *),
                                            &bindings[i]);
  ze_group_count_t groups = {grid[0], grid[1], grid[2]};
  if (result == ZE_RESULT_SUCCESS)
    result = d->ze.zeCommandListAppendLaunchKernel(d->list, k->kernel, &groups,
                                                   NULL, 0, NULL);
  if (result == ZE_RESULT_SUCCESS)
    result = barrier(d);
  if (result != ZE_RESULT_SUCCESS)
    return ze_status(result, "queueing kernel '%s' (%ux%ux%u groups) failed",
                     k->name, grid[0], grid[1], grid[2]);
  return NULL;
}

static hetc_status_t ze_copy(void *impl, void *src, uint64_t src_offset,
                             void *dst, uint64_t dst_offset, uint64_t bytes) {
  ze_device_t *d = impl;
  if (!bytes)
    return NULL;
  ze_result_t result = d->ze.zeCommandListAppendMemoryCopy(
      d->list, (char *)dst + dst_offset, (const char *)src + src_offset,
      (size_t)bytes, NULL, 0, NULL);
  if (result == ZE_RESULT_SUCCESS)
    result = barrier(d);
  if (result != ZE_RESULT_SUCCESS)
    return ze_status(result, "queueing a %llu-byte device copy failed",
                     (unsigned long long)bytes);
  return NULL;
}

static hetc_status_t ze_end(void *impl) {
  ze_device_t *d = impl;
  ze_result_t result = d->ze.zeCommandListClose(d->list);
  if (result == ZE_RESULT_SUCCESS)
    result =
        d->ze.zeCommandQueueExecuteCommandLists(d->queue, 1, &d->list, NULL);
  if (result == ZE_RESULT_SUCCESS)
    result = d->ze.zeCommandQueueSynchronize(d->queue, UINT64_MAX);
  pthread_mutex_unlock(&d->recording);
  if (result != ZE_RESULT_SUCCESS)
    return ze_status(result,
                     "Level Zero GPU %d failed while running the queued "
                     "kernels and copies",
                     d->ordinal);
  return NULL;
}

static const hetc_gpu_ops_t ze_gpu_ops = {
    ze_load_kernels, ze_unload_kernels, ze_begin, ze_dispatch, ze_copy, ze_end,
};

const hetc_driver_t hetc_level_zero_driver = {
    "level-zero", "level-zero", ze_open, ze_close, ze_alloc, ze_free,
    ze_upload,    ze_download,  NULL,    NULL,     NULL,     &ze_gpu_ops,
};
