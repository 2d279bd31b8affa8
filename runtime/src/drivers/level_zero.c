/*===- level_zero.c - Intel GPUs through Level Zero -----------------------===*
 *
 * libze_loader.so.1 is opened with dlopen when a device is opened and never
 * linked; <level_zero/ze_api.h> (libze-dev) supplies types only.
 *
 * Device `ordinal` is the ordinal-th GPU across every Level Zero driver.
 * Uploads, downloads and the zeroing of new buffers go through a synchronous
 * immediate command list; the executor's work between begin and sync is
 * recorded into a regular command list, with a barrier after every command
 * so each one sees the previous ones' results, then executed on a compute
 * queue and waited for; one thread at a time records, from begin to sync.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

HETC_DECLARE_TABLE(level_zero_symbols_t, HETC_LEVEL_ZERO_SYMBOLS)

typedef struct level_zero_device {
  hetc_gpu_device_t base; /* first: the executor's view */
  void *library;
  level_zero_symbols_t ze;
  ze_driver_handle_t driver;
  ze_device_handle_t device;
  ze_context_handle_t context;
  ze_command_queue_handle_t queue;
  ze_command_list_handle_t list;      /* begin..sync, executed on `queue` */
  ze_command_list_handle_t immediate; /* synchronous */
  /* Command lists are not thread-safe: `recording` is held from a
   * successful begin to sync, `copying` around each use of `immediate`. */
  pthread_mutex_t recording, copying;
  char name[ZE_MAX_DEVICE_NAME];
} level_zero_device_t;

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

/* "ZE_RESULT_X (0x...)" */
static void level_zero_describe_result(const void *impl, int result, char *out,
                                       size_t size) {
  (void)impl;
  snprintf(out, size, "%s (0x%x)", result_name((ze_result_t)result),
           (unsigned)result);
}

static hetc_status_code_t level_zero_result_code(int result) {
  return result == ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY ||
                 result == ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY
             ? HETC_STATUS_RESOURCE_EXHAUSTED
             : HETC_STATUS_INTERNAL;
}

/*--- Devices --------------------------------------------------------------*/

static const hetc_gpu_ops_t level_zero_ops;

static void level_zero_close(void *impl) {
  level_zero_device_t *d = impl;
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

/* Counts the GPUs among `driver`'s devices into *found, keeping the
 * ordinal-th one. */
static ze_result_t find_in_driver(level_zero_device_t *d,
                                  ze_driver_handle_t driver, int ordinal,
                                  uint32_t *found) {
  uint32_t num_devices = 0;
  ze_result_t result = d->ze.zeDeviceGet(driver, &num_devices, NULL);
  if (result != ZE_RESULT_SUCCESS || !num_devices)
    return result;
  ze_device_handle_t *devices = calloc(num_devices, sizeof(*devices));
  if (!devices)
    return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
  result = d->ze.zeDeviceGet(driver, &num_devices, devices);
  for (uint32_t j = 0; result == ZE_RESULT_SUCCESS && j < num_devices; ++j) {
    ze_device_properties_t properties = {
        .stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES};
    result = d->ze.zeDeviceGetProperties(devices[j], &properties);
    if (result != ZE_RESULT_SUCCESS || properties.type != ZE_DEVICE_TYPE_GPU)
      continue;
    if ((int)*found == ordinal) {
      d->driver = driver;
      d->device = devices[j];
      snprintf(d->name, sizeof(d->name), "%s", properties.name);
    }
    ++*found;
  }
  free(devices);
  return result;
}

/* Finds the ordinal-th GPU across all drivers; *found counts the GPUs. */
static ze_result_t find_device(level_zero_device_t *d, int ordinal,
                               uint32_t *found) {
  *found = 0;
  uint32_t num_drivers = 0;
  ze_result_t result = d->ze.zeDriverGet(&num_drivers, NULL);
  if (result != ZE_RESULT_SUCCESS || !num_drivers)
    return result;
  ze_driver_handle_t *drivers = calloc(num_drivers, sizeof(*drivers));
  if (!drivers)
    return ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
  result = d->ze.zeDriverGet(&num_drivers, drivers);
  for (uint32_t i = 0; result == ZE_RESULT_SUCCESS && i < num_drivers; ++i)
    result = find_in_driver(d, drivers[i], ordinal, found);
  free(drivers);
  return result;
}

/* The ordinal of a command queue group that runs compute work. */
static ze_result_t compute_group(const level_zero_device_t *d,
                                 uint32_t *ordinal) {
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

static uint64_t device_memory(const level_zero_device_t *d) {
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

/* Creates the context, the compute queue and both command lists. */
static ze_result_t create_queues(level_zero_device_t *d) {
  uint32_t group = 0;
  ze_result_t result = compute_group(d, &group);
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
  return result;
}

static hetc_status_t open_device(level_zero_device_t *d, int ordinal) {
  uint32_t found = 0;
  ze_result_t result = d->ze.zeInit(ZE_INIT_FLAG_GPU_ONLY);
  if (result == ZE_RESULT_SUCCESS)
    result = find_device(d, ordinal, &found);
  if (result != ZE_RESULT_SUCCESS || !found) {
    uint32_t drivers = 0;
    if (result == ZE_RESULT_SUCCESS)
      d->ze.zeDriverGet(&drivers, NULL);
    return no_driver(result, drivers);
  }
  if (!d->device)
    return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                            "no Level Zero GPU %d (%u found)", ordinal, found);
  result = create_queues(d);
  if (result != ZE_RESULT_SUCCESS)
    return hetc_gpu_error(d, result, "cannot open Level Zero GPU %d (%s)",
                          ordinal, d->name);
  return NULL;
}

static hetc_status_t level_zero_open(int ordinal, void **impl,
                                     char *description,
                                     size_t description_size) {
  *impl = NULL;
  level_zero_device_t *d = calloc(1, sizeof(*d));
  if (!d)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  d->base = (hetc_gpu_device_t){.ops = &level_zero_ops, .ordinal = ordinal};
  pthread_mutex_init(&d->recording, NULL);
  pthread_mutex_init(&d->copying, NULL);
  hetc_status_t status = HETC_LOAD_TABLE(
      "level-zero", "libze_loader.so.1",
      "install the Level Zero loader (libze1) and an Intel GPU driver such "
      "as intel-level-zero-gpu",
      level_zero_symbols_t, d->ze, d->library);
  if (!status)
    status = open_device(d, ordinal);
  if (status) {
    level_zero_close(d);
    return status;
  }
  snprintf(description, description_size, "Level Zero: %s (%.0f GiB)", d->name,
           (double)device_memory(d) / (1u << 30));
  *impl = d;
  return NULL;
}

/*--- Memory ---------------------------------------------------------------*/

static hetc_status_t level_zero_alloc(void *impl, size_t bytes, void **buffer) {
  level_zero_device_t *d = impl;
  ze_device_mem_alloc_desc_t desc = {
      .stype = ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC};
  ze_result_t result = d->ze.zeMemAllocDevice(
      d->context, &desc, bytes ? bytes : 1, 64, d->device, buffer);
  return result == ZE_RESULT_SUCCESS ? NULL
                                     : hetc_gpu_alloc_error(d, result, bytes);
}

static void level_zero_free(void *impl, void *buffer) {
  level_zero_device_t *d = impl;
  d->ze.zeMemFree(d->context, buffer);
}

static hetc_status_t level_zero_zero(void *impl, void *buffer, size_t bytes) {
  level_zero_device_t *d = impl;
  static const uint8_t zero = 0;
  pthread_mutex_lock(&d->copying);
  ze_result_t result = d->ze.zeCommandListAppendMemoryFill(
      d->immediate, buffer, &zero, 1, bytes, NULL, 0, NULL);
  pthread_mutex_unlock(&d->copying);
  return result == ZE_RESULT_SUCCESS ? NULL
                                     : hetc_gpu_alloc_error(d, result, bytes);
}

/* Orders the next command after everything appended so far. */
static ze_result_t barrier(const level_zero_device_t *d) {
  return d->ze.zeCommandListAppendBarrier(d->list, NULL, 0, NULL);
}

/* Host transfers go through the synchronous immediate list; device copies
 * are recorded into the step's list. */
static hetc_status_t level_zero_copy(void *impl, hetc_copy_kind_t kind,
                                     void *dst, uint64_t dst_offset,
                                     const void *src, uint64_t src_offset,
                                     uint64_t bytes) {
  level_zero_device_t *d = impl;
  ze_result_t result;
  if (kind != HETC_COPY_DEVICE_TO_DEVICE) {
    pthread_mutex_lock(&d->copying);
    result = d->ze.zeCommandListAppendMemoryCopy(d->immediate, dst, src, bytes,
                                                 NULL, 0, NULL);
    pthread_mutex_unlock(&d->copying);
  } else {
    result = d->ze.zeCommandListAppendMemoryCopy(
        d->list, (char *)dst + dst_offset, (const char *)src + src_offset,
        (size_t)bytes, NULL, 0, NULL);
    if (result == ZE_RESULT_SUCCESS)
      result = barrier(d);
  }
  return result == ZE_RESULT_SUCCESS
             ? NULL
             : hetc_gpu_copy_error(d, result, kind, bytes);
}

/*--- Kernels --------------------------------------------------------------*/

/* The build log's text (the caller frees it), or NULL. */
static char *build_log(const level_zero_device_t *d,
                       ze_module_build_log_handle_t log) {
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

/* The status of a failed zeModuleCreate, with its build log. */
static hetc_status_t build_failed(const level_zero_device_t *d,
                                  const hetc_artifact_t *artifact,
                                  ze_result_t result,
                                  ze_module_build_log_handle_t log) {
  char *text = log ? build_log(d, log) : NULL;
  hetc_status_t status = hetc_make_status(
      result == ZE_RESULT_ERROR_MODULE_BUILD_FAILURE
          ? HETC_STATUS_FAILED_PRECONDITION
          : HETC_STATUS_INTERNAL,
      "building the SPIR-V (for %s) on Level Zero GPU %d (%s) failed: %s%s%s",
      artifact->chip ? artifact->chip : "an unrecorded chip", d->base.ordinal,
      d->name, result_name(result), text && *text ? "; build log: " : "",
      text ? text : "");
  free(text);
  return status;
}

static hetc_status_t level_zero_load_module(void *impl,
                                            const hetc_artifact_t *artifact,
                                            void **module) {
  level_zero_device_t *d = impl;
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
  void *code = hetc_section_copy(spirv);
  if (!code)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  ze_module_desc_t desc = {.stype = ZE_STRUCTURE_TYPE_MODULE_DESC,
                           .format = ZE_MODULE_FORMAT_IL_SPIRV,
                           .inputSize = (size_t)spirv->size,
                           .pInputModule = code,
                           .pBuildFlags = ""};
  ze_module_build_log_handle_t log = NULL;
  ze_module_handle_t created = NULL;
  ze_result_t result =
      d->ze.zeModuleCreate(d->context, d->device, &desc, &created, &log);
  free(code);
  hetc_status_t status = result == ZE_RESULT_SUCCESS
                             ? NULL
                             : build_failed(d, artifact, result, log);
  if (log)
    d->ze.zeModuleBuildLogDestroy(log);
  if (!status)
    *module = created;
  return status;
}

static void level_zero_unload_module(void *impl, void *module) {
  level_zero_device_t *d = impl;
  d->ze.zeModuleDestroy(module);
}

static hetc_status_t level_zero_get_function(void *impl, void *module,
                                             const hetc_kernel_desc_t *kernel,
                                             void **function) {
  level_zero_device_t *d = impl;
  ze_kernel_desc_t desc = {.stype = ZE_STRUCTURE_TYPE_KERNEL_DESC,
                           .pKernelName = kernel->name};
  ze_kernel_handle_t created = NULL;
  ze_result_t result = d->ze.zeKernelCreate(module, &desc, &created);
  if (result == ZE_RESULT_ERROR_INVALID_KERNEL_NAME)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "the SPIR-V has no kernel '%s'", kernel->name);
  if (result != ZE_RESULT_SUCCESS)
    return hetc_gpu_error(d, result, "cannot create kernel '%s'", kernel->name);
  const uint32_t *block = kernel->block;
  result = d->ze.zeKernelSetGroupSize(created, block[0], block[1], block[2]);
  if (result != ZE_RESULT_SUCCESS) {
    d->ze.zeKernelDestroy(created);
    return hetc_gpu_error(d, result,
                          "kernel '%s' cannot take the group size %ux%ux%u",
                          kernel->name, block[0], block[1], block[2]);
  }
  *function = created;
  return NULL;
}

static void level_zero_release_function(void *impl, void *function) {
  level_zero_device_t *d = impl;
  d->ze.zeKernelDestroy(function);
}

/*--- Steps ----------------------------------------------------------------*/

static hetc_status_t level_zero_begin(void *impl) {
  level_zero_device_t *d = impl;
  pthread_mutex_lock(&d->recording);
  ze_result_t result = d->ze.zeCommandListReset(d->list);
  if (result != ZE_RESULT_SUCCESS) {
    pthread_mutex_unlock(&d->recording);
    return hetc_gpu_error(d, result,
                          "cannot reset Level Zero GPU %d's command list",
                          d->base.ordinal);
  }
  return NULL;
}

static hetc_status_t level_zero_launch(void *impl,
                                       const hetc_gpu_launch_t *launch) {
  level_zero_device_t *d = impl;
  ze_kernel_handle_t kernel = launch->function;
  ze_result_t result = ZE_RESULT_SUCCESS;
  /* Arguments are captured when the launch is appended. */
  for (uint32_t i = 0;
       result == ZE_RESULT_SUCCESS && i < launch->kernel->num_bindings; ++i)
    result = d->ze.zeKernelSetArgumentValue(kernel, i, sizeof(void *),
                                            launch->params[i]);
  const uint32_t *grid = launch->grid;
  ze_group_count_t groups = {grid[0], grid[1], grid[2]};
  if (result == ZE_RESULT_SUCCESS)
    result = d->ze.zeCommandListAppendLaunchKernel(d->list, kernel, &groups,
                                                   NULL, 0, NULL);
  if (result == ZE_RESULT_SUCCESS)
    result = barrier(d);
  return result == ZE_RESULT_SUCCESS ? NULL
                                     : hetc_gpu_launch_error(d, result, launch);
}

static hetc_status_t level_zero_sync(void *impl) {
  level_zero_device_t *d = impl;
  ze_result_t result = d->ze.zeCommandListClose(d->list);
  if (result == ZE_RESULT_SUCCESS)
    result =
        d->ze.zeCommandQueueExecuteCommandLists(d->queue, 1, &d->list, NULL);
  if (result == ZE_RESULT_SUCCESS)
    result = d->ze.zeCommandQueueSynchronize(d->queue, UINT64_MAX);
  pthread_mutex_unlock(&d->recording);
  return result == ZE_RESULT_SUCCESS ? NULL : hetc_gpu_sync_error(d, result);
}

HETC_DEFINE_GPU_DRIVER("level-zero", level_zero, "Level Zero GPU",
                       .release_function = level_zero_release_function,
                       .begin = level_zero_begin);
