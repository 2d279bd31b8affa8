/*===- vulkan.c - the Vulkan driver ---------------------------------------===*
 *
 * Runs an artifact's SPIR-V compute shaders on any Vulkan device, Mesa's
 * lavapipe (a CPU device) included. libvulkan.so.1 is opened with dlopen and
 * every function is resolved through vkGetInstanceProcAddr and
 * vkGetDeviceProcAddr (dynamic_symbols.h), so the runtime links no Vulkan
 * library; <vulkan/vulkan.h> supplies types only.
 *
 * A step is one command buffer: program.c's dispatches and copies are
 * recorded between begin and sync, each followed by a barrier so it sees
 * every earlier write, then sync submits once and waits on a fence. Uploads
 * and downloads map the buffer when its memory is host-visible and coherent
 * and otherwise go through a staging buffer, synchronously. Setting
 * HETC_VULKAN_FORCE_STAGING=1 takes the staging path everywhere, so a
 * host-visible device such as lavapipe also tests the discrete-GPU path.
 * A device lock is held from begin to sync and around each transfer, since
 * they share one queue and fence.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L /* PTHREAD_MUTEX_ERRORCHECK */
#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include "../fpenv.h"
#include "../internal.h"
#include "dylib.h"
#include "dynamic_symbols.h"
#include "spirv_float_controls.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long end() and transfers wait for the device before calling it hung:
 * generous, since lavapipe runs whole training steps on the CPU. */
#define FENCE_TIMEOUT_NS (60ull * 1000 * 1000 * 1000)
/* Uploads and downloads to device-only memory go through at most this much
 * host-visible memory at a time. */
#define STAGING_BYTES ((VkDeviceSize)16 << 20)
/* Each descriptor pool holds this many sets and storage-buffer descriptors;
 * a step needing more adds pools, which later steps reuse. */
#define POOL_SETS 1024u
#define POOL_DESCRIPTORS (8u * POOL_SETS)
/* Allocation granularity; also makes 0-byte buffers valid. */
#define BUFFER_ALIGNMENT 16u

/*--- Symbols --------------------------------------------------------------*/

typedef struct vulkan_symbols {
#define HETC_VK_FIELD(name, required) PFN_##name name;
  HETC_VULKAN_SYMBOLS(HETC_VK_FIELD, HETC_VK_FIELD, HETC_VK_FIELD)
#undef HETC_VK_FIELD
} vulkan_symbols_t;

typedef enum symbol_level {
  LEVEL_GLOBAL,
  LEVEL_INSTANCE,
  LEVEL_DEVICE
} symbol_level_t;

typedef struct symbol_info {
  const char *name;
  symbol_level_t level;
  int required;
  size_t offset;
} symbol_info_t;

#define HETC_VK_INFO(level, name, required)                                    \
  {#name, level, required, offsetof(vulkan_symbols_t, name)},
#define HETC_VK_GLOBAL(name, required)                                         \
  HETC_VK_INFO(LEVEL_GLOBAL, name, required)
#define HETC_VK_INSTANCE(name, required)                                       \
  HETC_VK_INFO(LEVEL_INSTANCE, name, required)
#define HETC_VK_DEVICE(name, required)                                         \
  HETC_VK_INFO(LEVEL_DEVICE, name, required)
static const symbol_info_t symbol_infos[] = {
    HETC_VULKAN_SYMBOLS(HETC_VK_GLOBAL, HETC_VK_INSTANCE, HETC_VK_DEVICE)};
#undef HETC_VK_GLOBAL
#undef HETC_VK_INSTANCE
#undef HETC_VK_DEVICE
#undef HETC_VK_INFO

/*--- State ----------------------------------------------------------------*/

typedef struct vulkan_buffer {
  VkBuffer buffer;
  VkDeviceMemory memory;
  VkDeviceSize size;  /* allocated, rounded up */
  VkDeviceSize bytes; /* what the caller asked for */
  void *mapped;       /* set when the memory is host-visible and coherent */
} vulkan_buffer_t;

typedef struct descriptor_pool {
  VkDescriptorPool pool;
  uint32_t sets, descriptors;           /* capacity */
  uint32_t used_sets, used_descriptors; /* this step */
} descriptor_pool_t;

typedef struct vulkan_device {
  hetc_gpu_device_t base; /* first: the executor's view */
  void *library;
  PFN_vkGetInstanceProcAddr get_instance_proc_addr;
  vulkan_symbols_t vk;
  bool device_symbols; /* every required device function was found */
  bool force_staging;  /* never map device buffers */
  uint32_t api_version;
  VkInstance instance;
  VkPhysicalDevice physical;
  VkPhysicalDeviceLimits limits;
  bool has_int64; /* shaderInt64: kernels over i64 tensors need it */
  /* shaderDenormPreserveFloat32: modules get DenormPreserve at load */
  bool denorm_preserve;
  VkPhysicalDeviceMemoryProperties memory;
  VkDevice device;
  uint32_t queue_family;
  VkQueue queue;
  VkCommandPool command_pool;
  VkCommandBuffer commands; /* the step between begin and sync */
  VkCommandBuffer transfer; /* uploads, downloads and zero-filling */
  VkFence fence;
  /* Held from begin to sync and around transfers. Error-checking, so a
   * thread that transfers while recording fails instead of deadlocking. */
  pthread_mutex_t lock;
  bool lock_made;
  bool recording;
  /* A submission timed out or lost the device: nothing more can run. */
  bool lost;
  descriptor_pool_t *pools;
  size_t num_pools, current_pool;
  vulkan_buffer_t *staging; /* made on first need */
  /* Scratch for dispatch's descriptor writes, grown as kernels need. */
  VkDescriptorBufferInfo *infos;
  VkWriteDescriptorSet *writes;
  uint32_t scratch_size;
} vulkan_device_t;

typedef struct vulkan_kernel {
  const char *name; /* the executor's kernel table outlives the kernel */
  uint32_t num_bindings;
  VkDescriptorSetLayout set_layout;
  VkPipelineLayout layout;
  VkPipeline pipeline;
} vulkan_kernel_t;

typedef struct vulkan_module {
  VkShaderModule shader;
  uint32_t *words; /* the SPIR-V, to find entry points */
  size_t count;
} vulkan_module_t;

/*--- Errors ---------------------------------------------------------------*/

static const char *result_name(VkResult result) {
  switch (result) {
#define CASE(name)                                                             \
  case name:                                                                   \
    return #name;
    CASE(VK_SUCCESS)
    CASE(VK_NOT_READY)
    CASE(VK_TIMEOUT)
    CASE(VK_INCOMPLETE)
    CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
    CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    CASE(VK_ERROR_INITIALIZATION_FAILED)
    CASE(VK_ERROR_DEVICE_LOST)
    CASE(VK_ERROR_MEMORY_MAP_FAILED)
    CASE(VK_ERROR_LAYER_NOT_PRESENT)
    CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
    CASE(VK_ERROR_FEATURE_NOT_PRESENT)
    CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
    CASE(VK_ERROR_TOO_MANY_OBJECTS)
    CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
    CASE(VK_ERROR_FRAGMENTED_POOL)
    CASE(VK_ERROR_UNKNOWN)
    CASE(VK_ERROR_OUT_OF_POOL_MEMORY)
    CASE(VK_ERROR_INVALID_EXTERNAL_HANDLE)
    CASE(VK_ERROR_FRAGMENTATION)
    CASE(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
    CASE(VK_PIPELINE_COMPILE_REQUIRED)
    CASE(VK_ERROR_INVALID_SHADER_NV)
#undef CASE
  default:
    return "unknown VkResult";
  }
}

static hetc_status_code_t vulkan_result_code(int result) {
  switch (result) {
  case VK_ERROR_OUT_OF_HOST_MEMORY:
  case VK_ERROR_OUT_OF_DEVICE_MEMORY:
  case VK_ERROR_OUT_OF_POOL_MEMORY:
  case VK_ERROR_FRAGMENTED_POOL:
  case VK_ERROR_FRAGMENTATION:
  case VK_ERROR_TOO_MANY_OBJECTS:
    return HETC_STATUS_RESOURCE_EXHAUSTED;
  case VK_ERROR_DEVICE_LOST:
  case VK_ERROR_INITIALIZATION_FAILED:
  case VK_ERROR_INCOMPATIBLE_DRIVER:
    return HETC_STATUS_UNAVAILABLE;
  default:
    return HETC_STATUS_INTERNAL;
  }
}

static void vulkan_describe_result(const void *impl, int result, char *out,
                                   size_t size) {
  (void)impl;
  snprintf(out, size, "%s (%d)", result_name(result), result);
}

/* "vulkan: <what>: VK_ERROR_...", with a status code from the result. */
static hetc_status_t vk_error(VkResult result, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static hetc_status_t vk_error(VkResult result, const char *format, ...) {
  char what[768];
  va_list args;
  va_start(args, format);
  vsnprintf(what, sizeof(what), format, args);
  va_end(args);
  hetc_status_code_t code = vulkan_result_code(result);
  if (result < 0)
    return hetc_make_status(code, "vulkan: %s: %s (%d)", what,
                            result_name(result), (int)result);
  return hetc_make_status(code, "vulkan: %s: %s", what, result_name(result));
}

static hetc_status_t lost_error(void) {
  return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                          "vulkan: the device was lost or hung by earlier "
                          "work; close and reopen it");
}

static hetc_status_t out_of_memory(void) {
  return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                          "vulkan: out of host memory");
}

/*--- Loading --------------------------------------------------------------*/

static hetc_status_t load_symbols(vulkan_device_t *d, symbol_level_t level) {
  for (size_t i = 0; i < sizeof(symbol_infos) / sizeof(symbol_infos[0]); ++i) {
    const symbol_info_t *info = &symbol_infos[i];
    if (info->level != level)
      continue;
    PFN_vkVoidFunction function;
    if (level == LEVEL_DEVICE)
      function = d->vk.vkGetDeviceProcAddr(d->device, info->name);
    else
      function = d->get_instance_proc_addr(
          level == LEVEL_GLOBAL ? VK_NULL_HANDLE : d->instance, info->name);
    if (!function && info->required)
      return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                              "vulkan: the Vulkan loader or driver lacks %s; "
                              "the installed Vulkan driver is too old",
                              info->name);
    /* Every PFN_ has one representation; the table is typed by name. */
    memcpy((char *)&d->vk + info->offset, &function, sizeof(function));
  }
  return NULL;
}

static const char *device_type_name(VkPhysicalDeviceType type) {
  switch (type) {
  case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
    return "integrated GPU";
  case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
    return "discrete GPU";
  case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
    return "virtual GPU";
  case VK_PHYSICAL_DEVICE_TYPE_CPU:
    return "cpu";
  default:
    return "other";
  }
}

/* The first queue family with compute, or UINT32_MAX. */
static uint32_t compute_family(vulkan_device_t *d, VkPhysicalDevice physical) {
  uint32_t count = 0;
  d->vk.vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, NULL);
  VkQueueFamilyProperties *families =
      calloc(count ? count : 1, sizeof(*families));
  if (!families)
    return UINT32_MAX;
  d->vk.vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, families);
  uint32_t found = UINT32_MAX;
  for (uint32_t i = 0; i < count && found == UINT32_MAX; ++i)
    if ((families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) &&
        families[i].queueCount > 0)
      found = i;
  free(families);
  return found;
}

/* Picks the ordinal-th physical device that has a compute queue. */
static hetc_status_t pick_physical_device(vulkan_device_t *d, int ordinal) {
  uint32_t count = 0;
  VkResult result = d->vk.vkEnumeratePhysicalDevices(d->instance, &count, NULL);
  if (result != VK_SUCCESS)
    return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                            "no Vulkan device %d (0 found: "
                            "vkEnumeratePhysicalDevices returned %s)",
                            ordinal, result_name(result));
  VkPhysicalDevice *devices = calloc(count ? count : 1, sizeof(*devices));
  if (!devices)
    return out_of_memory();
  result = d->vk.vkEnumeratePhysicalDevices(d->instance, &count, devices);
  if (result != VK_SUCCESS && result != VK_INCOMPLETE) {
    free(devices);
    return vk_error(result, "cannot enumerate physical devices");
  }
  uint32_t usable = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t family = compute_family(d, devices[i]);
    if (family == UINT32_MAX)
      continue;
    if (ordinal >= 0 && usable == (uint32_t)ordinal) {
      d->physical = devices[i];
      d->queue_family = family;
    }
    ++usable;
  }
  free(devices);
  if (d->physical)
    return NULL;
  if (count == 0)
    return hetc_make_status(
        HETC_STATUS_UNAVAILABLE,
        "no Vulkan device %d (0 found): libvulkan.so.1 is installed but no "
        "driver reports a device; install one (Debian: mesa-vulkan-drivers, "
        "whose lavapipe runs on the CPU)",
        ordinal);
  return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                          "no Vulkan device %d (%u found with a compute "
                          "queue, of %u)",
                          ordinal, usable, count);
}

static void describe(vulkan_device_t *d,
                     const VkPhysicalDeviceProperties *properties,
                     char *description, size_t size) {
  const char *type = device_type_name(properties->deviceType);
  if (d->vk.vkGetPhysicalDeviceProperties2 &&
      d->api_version >= VK_API_VERSION_1_2 &&
      properties->apiVersion >= VK_API_VERSION_1_2) {
    VkPhysicalDeviceDriverProperties driver = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDeviceProperties2 properties2 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
        .pNext = &driver};
    d->vk.vkGetPhysicalDeviceProperties2(d->physical, &properties2);
    if (driver.driverName[0]) {
      snprintf(description, size, "Vulkan: %s (%s, %s)", properties->deviceName,
               driver.driverName, type);
      return;
    }
  }
  snprintf(description, size, "Vulkan: %s (%s)", properties->deviceName, type);
}

/* Whether modules may declare DenormPreserve for f32 (Vulkan 1.2's float
 * controls); lavapipe, for one, reports neither preserving nor flushing. */
static bool preserves_denormals(vulkan_device_t *d,
                                const VkPhysicalDeviceProperties *properties) {
  if (!d->vk.vkGetPhysicalDeviceProperties2 ||
      d->api_version < VK_API_VERSION_1_2 ||
      properties->apiVersion < VK_API_VERSION_1_2)
    return false;
  VkPhysicalDeviceFloatControlsProperties controls = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FLOAT_CONTROLS_PROPERTIES};
  VkPhysicalDeviceProperties2 properties2 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
      .pNext = &controls};
  d->vk.vkGetPhysicalDeviceProperties2(d->physical, &properties2);
  return controls.shaderDenormPreserveFloat32 == VK_TRUE;
}

static hetc_status_t open_device(vulkan_device_t *d, int ordinal,
                                 char *description, size_t description_size) {
  static const char *const names[] = {"vkGetInstanceProcAddr"};
  void *entry[1];
  hetc_status_t status = hetc_load_library(
      "vulkan", "libvulkan.so.1",
      "install a Vulkan loader and driver (Debian: libvulkan1 and "
      "mesa-vulkan-drivers)",
      names, entry, 1, &d->library);
  if (status)
    return status;
  memcpy(&d->get_instance_proc_addr, &entry[0], sizeof(entry[0]));
  if ((status = load_symbols(d, LEVEL_GLOBAL)))
    return status;

  const char *force = getenv("HETC_VULKAN_FORCE_STAGING");
  d->force_staging = force && *force && strcmp(force, "0");

  /* Ask for what the loader offers up to 1.2 (driver properties); the
   * driver itself only needs Vulkan 1.0. */
  uint32_t loader_version = VK_API_VERSION_1_0;
  if (d->vk.vkEnumerateInstanceVersion)
    d->vk.vkEnumerateInstanceVersion(&loader_version);
  d->api_version =
      loader_version < VK_API_VERSION_1_2
          ? VK_MAKE_API_VERSION(0, 1, VK_API_VERSION_MINOR(loader_version), 0)
          : VK_API_VERSION_1_2;
  VkApplicationInfo application = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                                   .pApplicationName = "hetc",
                                   .pEngineName = "hetc",
                                   .apiVersion = d->api_version};
  VkInstanceCreateInfo instance_info = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pApplicationInfo = &application};
  VkResult result = d->vk.vkCreateInstance(&instance_info, NULL, &d->instance);
  if (result == VK_ERROR_INCOMPATIBLE_DRIVER)
    return hetc_make_status(
        HETC_STATUS_UNAVAILABLE,
        "no Vulkan device %d (0 found): libvulkan.so.1 is installed but no "
        "Vulkan driver is (vkCreateInstance: VK_ERROR_INCOMPATIBLE_DRIVER); "
        "Debian: mesa-vulkan-drivers",
        ordinal);
  if (result != VK_SUCCESS) {
    d->instance = VK_NULL_HANDLE;
    return vk_error(result, "cannot create an instance");
  }
  if ((status = load_symbols(d, LEVEL_INSTANCE)) ||
      (status = pick_physical_device(d, ordinal)))
    return status;

  VkPhysicalDeviceProperties properties;
  d->vk.vkGetPhysicalDeviceProperties(d->physical, &properties);
  d->limits = properties.limits;
  d->vk.vkGetPhysicalDeviceMemoryProperties(d->physical, &d->memory);
  describe(d, &properties, description, description_size);
  d->denorm_preserve = preserves_denormals(d, &properties);

  float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = d->queue_family,
      .queueCount = 1,
      .pQueuePriorities = &priority};
  /* Enable only what kernels may declare: 64-bit integers (index tensors,
   * embedding ids). */
  VkPhysicalDeviceFeatures supported, enabled;
  memset(&enabled, 0, sizeof(enabled));
  d->vk.vkGetPhysicalDeviceFeatures(d->physical, &supported);
  enabled.shaderInt64 = supported.shaderInt64;
  d->has_int64 = supported.shaderInt64 == VK_TRUE;
  VkDeviceCreateInfo device_info = {.sType =
                                        VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                                    .queueCreateInfoCount = 1,
                                    .pQueueCreateInfos = &queue_info,
                                    .pEnabledFeatures = &enabled};
  result = d->vk.vkCreateDevice(d->physical, &device_info, NULL, &d->device);
  if (result != VK_SUCCESS) {
    d->device = VK_NULL_HANDLE;
    return vk_error(result, "cannot create a logical device on %s",
                    properties.deviceName);
  }
  if ((status = load_symbols(d, LEVEL_DEVICE)))
    return status;
  d->device_symbols = true;
  d->vk.vkGetDeviceQueue(d->device, d->queue_family, 0, &d->queue);

  VkCommandPoolCreateInfo pool_info = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
      .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
      .queueFamilyIndex = d->queue_family};
  result =
      d->vk.vkCreateCommandPool(d->device, &pool_info, NULL, &d->command_pool);
  if (result != VK_SUCCESS) {
    d->command_pool = VK_NULL_HANDLE;
    return vk_error(result, "cannot create a command pool");
  }
  VkCommandBufferAllocateInfo buffers_info = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = d->command_pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 2};
  VkCommandBuffer buffers[2];
  result = d->vk.vkAllocateCommandBuffers(d->device, &buffers_info, buffers);
  if (result != VK_SUCCESS)
    return vk_error(result, "cannot allocate command buffers");
  d->commands = buffers[0];
  d->transfer = buffers[1];
  VkFenceCreateInfo fence_info = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  result = d->vk.vkCreateFence(d->device, &fence_info, NULL, &d->fence);
  if (result != VK_SUCCESS) {
    d->fence = VK_NULL_HANDLE;
    return vk_error(result, "cannot create a fence");
  }
  return NULL;
}

static void destroy_buffer(vulkan_device_t *d, vulkan_buffer_t *b) {
  if (!b)
    return;
  d->vk.vkDestroyBuffer(d->device, b->buffer, NULL);
  /* Freeing mapped memory unmaps it. */
  d->vk.vkFreeMemory(d->device, b->memory, NULL);
  free(b);
}

static const hetc_gpu_ops_t vulkan_ops;

static void vulkan_close(void *impl) {
  vulkan_device_t *d = impl;
  if (!d)
    return;
  if (d->device && d->device_symbols) {
    d->vk.vkDeviceWaitIdle(d->device);
    destroy_buffer(d, d->staging);
    for (size_t i = 0; i < d->num_pools; ++i)
      d->vk.vkDestroyDescriptorPool(d->device, d->pools[i].pool, NULL);
    d->vk.vkDestroyFence(d->device, d->fence, NULL);
    /* Destroying the pool frees its command buffers. */
    d->vk.vkDestroyCommandPool(d->device, d->command_pool, NULL);
  }
  if (d->device && d->vk.vkDestroyDevice)
    d->vk.vkDestroyDevice(d->device, NULL);
  if (d->instance)
    d->vk.vkDestroyInstance(d->instance, NULL);
  if (d->library)
    dlclose(d->library);
  if (d->lock_made)
    pthread_mutex_destroy(&d->lock);
  free(d->pools);
  free(d->infos);
  free(d->writes);
  free(d);
}

static hetc_status_t vulkan_open(int ordinal, void **impl, char *description,
                                 size_t description_size) {
  *impl = NULL;
  vulkan_device_t *d = calloc(1, sizeof(*d));
  if (!d)
    return out_of_memory();
  d->base = (hetc_gpu_device_t){.ops = &vulkan_ops, .ordinal = ordinal};
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ERRORCHECK);
  d->lock_made = !pthread_mutex_init(&d->lock, &attributes);
  pthread_mutexattr_destroy(&attributes);
  if (!d->lock_made) {
    free(d);
    return hetc_make_status(HETC_STATUS_INTERNAL,
                            "vulkan: cannot create the device lock");
  }
  /* A CPU implementation (lavapipe) starts its threads here, and they keep
   * the creating thread's floating-point modes: make those IEEE (fpenv.h). */
  hetc_fp_saved_t fp = hetc_fp_enter();
  hetc_status_t status = open_device(d, ordinal, description, description_size);
  hetc_fp_leave(fp);
  if (status) {
    vulkan_close(d);
    return status;
  }
  *impl = d;
  return NULL;
}

/*--- Commands -------------------------------------------------------------*/

/* Makes every compute and transfer write so far visible to later compute and
 * transfer work (in this and later submissions), or to the host. */
static void barrier(vulkan_device_t *d, VkCommandBuffer commands,
                    bool to_host) {
  VkMemoryBarrier memory = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                            .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT |
                                             VK_ACCESS_TRANSFER_WRITE_BIT,
                            .dstAccessMask =
                                to_host ? VK_ACCESS_HOST_READ_BIT
                                        : VK_ACCESS_SHADER_READ_BIT |
                                              VK_ACCESS_SHADER_WRITE_BIT |
                                              VK_ACCESS_TRANSFER_READ_BIT |
                                              VK_ACCESS_TRANSFER_WRITE_BIT};
  VkPipelineStageFlags work =
      VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  d->vk.vkCmdPipelineBarrier(commands, work,
                             to_host ? VK_PIPELINE_STAGE_HOST_BIT : work, 0, 1,
                             &memory, 0, NULL, 0, NULL);
}

static hetc_status_t begin_commands(vulkan_device_t *d,
                                    VkCommandBuffer commands) {
  if (d->lost)
    return lost_error();
  /* Also discards a step that failed half-way through recording. */
  VkResult result = d->vk.vkResetCommandBuffer(commands, 0);
  if (result != VK_SUCCESS)
    return vk_error(result, "cannot reset the command buffer");
  VkCommandBufferBeginInfo info = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
  result = d->vk.vkBeginCommandBuffer(commands, &info);
  if (result != VK_SUCCESS)
    return vk_error(result, "cannot begin the command buffer");
  return NULL;
}

/* Ends `commands`, submits it and waits for it to finish. */
static hetc_status_t submit_and_wait(vulkan_device_t *d,
                                     VkCommandBuffer commands) {
  barrier(d, commands, true);
  VkResult result = d->vk.vkEndCommandBuffer(commands);
  if (result != VK_SUCCESS)
    return vk_error(result, "cannot record the commands");
  result = d->vk.vkResetFences(d->device, 1, &d->fence);
  if (result != VK_SUCCESS)
    return vk_error(result, "cannot reset the fence");
  VkSubmitInfo submit = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
                         .commandBufferCount = 1,
                         .pCommandBuffers = &commands};
  /* Threads a CPU implementation starts on demand take IEEE modes too. */
  hetc_fp_saved_t fp = hetc_fp_enter();
  result = d->vk.vkQueueSubmit(d->queue, 1, &submit, d->fence);
  if (result == VK_SUCCESS)
    result = d->vk.vkWaitForFences(d->device, 1, &d->fence, VK_TRUE,
                                   FENCE_TIMEOUT_NS);
  hetc_fp_leave(fp);
  if (result == VK_SUCCESS)
    return NULL;
  if (result == VK_TIMEOUT) {
    d->lost = true;
    return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                            "vulkan: the device did not finish the submitted "
                            "work within %llu s; it is treated as hung",
                            FENCE_TIMEOUT_NS / 1000000000ull);
  }
  if (result == VK_ERROR_DEVICE_LOST) {
    d->lost = true;
    return vk_error(result, "the device was lost while running the "
                            "submitted work");
  }
  return vk_error(result, "cannot run the submitted work");
}

/*--- Buffers --------------------------------------------------------------*/

/* Creates a buffer in the first memory type of `memory_bits` with all of
 * `required`, trying types with all of `preferred` first; types are listed
 * best first, so this takes the best one that has room. */
static hetc_status_t create_buffer(vulkan_device_t *d, VkDeviceSize size,
                                   VkMemoryPropertyFlags required,
                                   VkMemoryPropertyFlags preferred,
                                   bool may_map, vulkan_buffer_t **out) {
  *out = NULL;
  vulkan_buffer_t *b = calloc(1, sizeof(*b));
  if (!b)
    return out_of_memory();
  b->size = size;
  VkBufferCreateInfo info = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                             .size = size,
                             .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                      VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                      VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
  VkResult result = d->vk.vkCreateBuffer(d->device, &info, NULL, &b->buffer);
  if (result != VK_SUCCESS) {
    free(b);
    return vk_error(result, "cannot create a buffer of %llu bytes",
                    (unsigned long long)size);
  }
  VkMemoryRequirements requirements;
  d->vk.vkGetBufferMemoryRequirements(d->device, b->buffer, &requirements);
  result = VK_ERROR_OUT_OF_DEVICE_MEMORY;
  uint32_t type = 0;
  bool fatal = false;
  for (int pass = 0; pass < 2 && result != VK_SUCCESS && !fatal; ++pass) {
    VkMemoryPropertyFlags want = required | (pass == 0 ? preferred : 0);
    for (type = 0; type < d->memory.memoryTypeCount; ++type) {
      VkMemoryPropertyFlags flags = d->memory.memoryTypes[type].propertyFlags;
      if (!(requirements.memoryTypeBits & (1u << type)) ||
          (flags & want) != want ||
          (pass == 1 && (flags & preferred) == preferred))
        continue; /* pass 1 only tries what pass 0 skipped */
      VkMemoryAllocateInfo allocate = {
          .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
          .allocationSize = requirements.size,
          .memoryTypeIndex = type};
      result = d->vk.vkAllocateMemory(d->device, &allocate, NULL, &b->memory);
      if (result == VK_SUCCESS)
        break;
      /* A full heap: try the next type; anything else is fatal. */
      fatal = result != VK_ERROR_OUT_OF_DEVICE_MEMORY &&
              result != VK_ERROR_OUT_OF_HOST_MEMORY;
      if (fatal)
        break;
    }
  }
  if (result != VK_SUCCESS) {
    d->vk.vkDestroyBuffer(d->device, b->buffer, NULL);
    free(b);
    return vk_error(result, "cannot allocate %llu bytes of device memory",
                    (unsigned long long)requirements.size);
  }
  result = d->vk.vkBindBufferMemory(d->device, b->buffer, b->memory, 0);
  VkMemoryPropertyFlags mappable = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                   VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  if (result == VK_SUCCESS && may_map &&
      (d->memory.memoryTypes[type].propertyFlags & mappable) == mappable)
    result = d->vk.vkMapMemory(d->device, b->memory, 0, VK_WHOLE_SIZE, 0,
                               &b->mapped);
  if (result != VK_SUCCESS) {
    destroy_buffer(d, b);
    return vk_error(result, "cannot bind or map %llu bytes of memory",
                    (unsigned long long)requirements.size);
  }
  *out = b;
  return NULL;
}

/* Takes the device lock for a synchronous transfer. */
static hetc_status_t lock_device(vulkan_device_t *d, const char *what) {
  int error = pthread_mutex_lock(&d->lock);
  if (error == EDEADLK)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "vulkan: cannot %s while this thread records a "
                            "step (between begin and end)",
                            what);
  if (error)
    return hetc_make_status(HETC_STATUS_INTERNAL,
                            "vulkan: cannot take the device lock: %s",
                            strerror(error));
  if (d->lost) {
    pthread_mutex_unlock(&d->lock);
    return lost_error();
  }
  return NULL;
}

static hetc_status_t vulkan_alloc(void *impl, size_t bytes, void **out) {
  vulkan_device_t *d = impl;
  *out = NULL;
  if (bytes > (size_t)-1 - BUFFER_ALIGNMENT)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                            "vulkan: cannot allocate %zu bytes", bytes);
  VkDeviceSize size = bytes ? (bytes + BUFFER_ALIGNMENT - 1) /
                                  BUFFER_ALIGNMENT * BUFFER_ALIGNMENT
                            : BUFFER_ALIGNMENT;
  vulkan_buffer_t *b;
  hetc_status_t status = create_buffer(
      d, size, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, !d->force_staging, &b);
  if (status)
    return status;
  b->bytes = bytes;
  *out = b;
  return NULL;
}

static hetc_status_t vulkan_zero(void *impl, void *buffer, size_t bytes) {
  vulkan_device_t *d = impl;
  vulkan_buffer_t *b = buffer;
  (void)bytes; /* the whole buffer, its rounding included */
  if (b->mapped) {
    memset(b->mapped, 0, b->size);
    return NULL;
  }
  hetc_status_t status = lock_device(d, "allocate");
  if (status)
    return status;
  if (!(status = begin_commands(d, d->transfer))) {
    d->vk.vkCmdFillBuffer(d->transfer, b->buffer, 0, VK_WHOLE_SIZE, 0);
    barrier(d, d->transfer, false);
    status = submit_and_wait(d, d->transfer);
  }
  pthread_mutex_unlock(&d->lock);
  return status;
}

static void vulkan_free(void *impl, void *buffer) {
  destroy_buffer(impl, buffer);
}

/* A staging buffer of at least min(bytes, STAGING_BYTES). */
static hetc_status_t get_staging(vulkan_device_t *d, size_t bytes) {
  VkDeviceSize want = bytes < STAGING_BYTES ? bytes : STAGING_BYTES;
  if (d->staging && d->staging->size >= want)
    return NULL;
  destroy_buffer(d, d->staging);
  d->staging = NULL;
  return create_buffer(d, want < BUFFER_ALIGNMENT ? BUFFER_ALIGNMENT : want,
                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                           VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                       VK_MEMORY_PROPERTY_HOST_CACHED_BIT, true, &d->staging);
}

/* Copies `from_host` into `b` (upload) or `b` into `to_host`, under the
 * device lock: directly when `b` is mapped, else through the staging
 * buffer, one chunk at a time. */
static hetc_status_t transfer(vulkan_device_t *d, const vulkan_buffer_t *b,
                              bool upload, const void *from_host, void *to_host,
                              size_t bytes) {
  const char *what = upload ? "upload" : "download";
  if (bytes > b->bytes)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "vulkan: cannot %s %zu bytes: the buffer holds "
                            "%llu",
                            what, bytes, (unsigned long long)b->bytes);
  if (bytes == 0)
    return NULL;
  hetc_status_t status = lock_device(d, what);
  if (status)
    return status;
  if (b->mapped) {
    /* Coherent memory; end() made the device's writes visible. */
    if (upload)
      memcpy(b->mapped, from_host, bytes);
    else
      memcpy(to_host, b->mapped, bytes);
  } else if (!(status = get_staging(d, bytes))) {
    const vulkan_buffer_t *staging = d->staging;
    for (size_t done = 0; done < bytes;) {
      size_t chunk =
          bytes - done < staging->size ? bytes - done : (size_t)staging->size;
      if (upload)
        memcpy(staging->mapped, (const char *)from_host + done, chunk);
      if ((status = begin_commands(d, d->transfer)))
        break;
      VkBufferCopy region = {.srcOffset = upload ? 0 : done,
                             .dstOffset = upload ? done : 0,
                             .size = chunk};
      d->vk.vkCmdCopyBuffer(d->transfer, upload ? staging->buffer : b->buffer,
                            upload ? b->buffer : staging->buffer, 1, &region);
      barrier(d, d->transfer, false);
      if ((status = submit_and_wait(d, d->transfer)))
        break;
      if (!upload)
        memcpy((char *)to_host + done, staging->mapped, chunk);
      done += chunk;
    }
  }
  pthread_mutex_unlock(&d->lock);
  return status;
}

/*--- Kernels --------------------------------------------------------------*/

#define SPIRV_MAGIC 0x07230203u
#define SPIRV_OP_ENTRY_POINT 15u
#define SPIRV_OP_FUNCTION 54u
#define SPIRV_EXECUTION_MODEL_GLCOMPUTE 5u

/* Whether the module declares a GLCompute entry point `name`. Checked here
 * because drivers may crash, rather than fail, on a missing entry point. */
static bool has_compute_entry_point(const uint32_t *words, size_t count,
                                    const char *name) {
  /* Entry points precede every function, after the 5-word header. */
  for (size_t i = 5; i < count;) {
    uint32_t length = words[i] >> 16, opcode = words[i] & 0xFFFF;
    if (length == 0 || length > count - i || opcode == SPIRV_OP_FUNCTION)
      return false;
    if (opcode == SPIRV_OP_ENTRY_POINT && length > 3 &&
        words[i + 1] == SPIRV_EXECUTION_MODEL_GLCOMPUTE) {
      const char *entry = (const char *)&words[i + 3];
      size_t max = (length - 3) * sizeof(uint32_t);
      size_t name_length = strlen(name);
      if (name_length < max && !memcmp(entry, name, name_length + 1))
        return true;
    }
    i += length;
  }
  return false;
}

static void vulkan_release_function(void *impl, void *function) {
  vulkan_device_t *d = impl;
  vulkan_kernel_t *k = function;
  d->vk.vkDestroyPipeline(d->device, k->pipeline, NULL);
  d->vk.vkDestroyPipelineLayout(d->device, k->layout, NULL);
  d->vk.vkDestroyDescriptorSetLayout(d->device, k->set_layout, NULL);
  free(k);
}

static void vulkan_unload_module(void *impl, void *module) {
  vulkan_device_t *d = impl;
  vulkan_module_t *m = module;
  d->vk.vkDestroyShaderModule(d->device, m->shader, NULL);
  free(m->words);
  free(m);
}

static hetc_status_t create_kernel(vulkan_device_t *d, VkShaderModule shader,
                                   const hetc_kernel_desc_t *desc,
                                   vulkan_kernel_t *k) {
  k->name = desc->name;
  k->num_bindings = desc->num_bindings;
  if (k->num_bindings > d->limits.maxPerStageDescriptorStorageBuffers)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "vulkan: kernel '%s' has %u buffer bindings; this "
                            "device allows %u",
                            k->name, k->num_bindings,
                            d->limits.maxPerStageDescriptorStorageBuffers);
  VkDescriptorSetLayoutBinding *bindings =
      calloc(k->num_bindings ? k->num_bindings : 1, sizeof(*bindings));
  if (!bindings)
    return out_of_memory();
  for (uint32_t i = 0; i < k->num_bindings; ++i)
    bindings[i] = (VkDescriptorSetLayoutBinding){
        .binding = i,
        .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
        .descriptorCount = 1,
        .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
  VkDescriptorSetLayoutCreateInfo set_info = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = k->num_bindings,
      .pBindings = bindings};
  VkResult result = d->vk.vkCreateDescriptorSetLayout(d->device, &set_info,
                                                      NULL, &k->set_layout);
  free(bindings);
  if (result != VK_SUCCESS) {
    k->set_layout = VK_NULL_HANDLE;
    return vk_error(result,
                    "cannot create the descriptor set layout for kernel '%s'",
                    k->name);
  }
  VkPipelineLayoutCreateInfo layout_info = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &k->set_layout};
  result =
      d->vk.vkCreatePipelineLayout(d->device, &layout_info, NULL, &k->layout);
  if (result != VK_SUCCESS) {
    k->layout = VK_NULL_HANDLE;
    return vk_error(result, "cannot create the pipeline layout for kernel '%s'",
                    k->name);
  }
  /* The workgroup size is baked into the SPIR-V; desc->block only
   * documents it. */
  VkComputePipelineCreateInfo pipeline_info = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = shader,
                .pName = k->name},
      .layout = k->layout};
  result = d->vk.vkCreateComputePipelines(d->device, VK_NULL_HANDLE, 1,
                                          &pipeline_info, NULL, &k->pipeline);
  if (result != VK_SUCCESS) {
    k->pipeline = VK_NULL_HANDLE;
    return vk_error(result, "cannot create the pipeline for kernel '%s'",
                    k->name);
  }
  return NULL;
}

enum { SPIRV_OP_CAPABILITY = 17, SPIRV_CAP_INT64 = 11 };

/* Whether the module declares `capability` (OpCapability sits in the
 * header, right after the 5 header words). */
static bool spirv_declares_capability(const hetc_section_t *section,
                                      uint32_t capability) {
  size_t count = section->size / sizeof(uint32_t);
  for (size_t i = 5; i < count;) {
    uint32_t words[2];
    memcpy(words, section->data + i * sizeof(uint32_t),
           i + 1 < count ? sizeof(words) : sizeof(uint32_t));
    uint32_t length = words[0] >> 16, opcode = words[0] & 0xFFFF;
    if (opcode != SPIRV_OP_CAPABILITY || length < 2 || i + 1 >= count)
      return false;
    if (words[1] == capability)
      return true;
    i += length;
  }
  return false;
}

/* Checks the section holds SPIR-V this device can run. */
static hetc_status_t check_spirv(const vulkan_device_t *d,
                                 const hetc_section_t *section) {
  if (!section)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "vulkan artifact has no 'spirv' section");
  size_t count = section->size / sizeof(uint32_t);
  uint32_t magic = 0;
  if (section->size >= sizeof(magic))
    memcpy(&magic, section->data, sizeof(magic));
  if (section->size % sizeof(uint32_t) || count < 5 || magic != SPIRV_MAGIC)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "the vulkan artifact's 'spirv' section (%llu "
                            "bytes) is not a SPIR-V module",
                            (unsigned long long)section->size);
  if (!d->has_int64 && spirv_declares_capability(section, SPIRV_CAP_INT64))
    return hetc_make_status(
        HETC_STATUS_FAILED_PRECONDITION,
        "the artifact's kernels use 64-bit integers (i64 tensors), which "
        "this Vulkan device does not support (no shaderInt64); use i32 "
        "indices in the model");
  return NULL;
}

static hetc_status_t
vulkan_load_module(void *impl, const hetc_artifact_t *artifact, void **out) {
  vulkan_device_t *d = impl;
  const hetc_section_t *section = hetc_artifact_section(artifact, "spirv");
  hetc_status_t status = check_spirv(d, section);
  if (status)
    return status;
  /* Sections need not be 4-byte aligned; Vulkan wants uint32_t words. */
  vulkan_module_t *m = calloc(1, sizeof(*m));
  if (m)
    m->words = hetc_section_copy(section);
  if (!m || !m->words) {
    free(m);
    return out_of_memory();
  }
  m->count = section->size / sizeof(uint32_t);
  if (d->denorm_preserve) {
    /* Subnormals kept, as on every target (spirv_float_controls.h). */
    size_t count;
    uint32_t *patched =
        hetc_spirv_add_denorm_preserve(m->words, m->count, &count);
    if (!patched) {
      free(m->words);
      free(m);
      return hetc_make_status(HETC_STATUS_DATA_LOSS,
                              "the vulkan artifact's 'spirv' section is not "
                              "a well-formed SPIR-V module (or memory ran "
                              "out)");
    }
    free(m->words);
    m->words = patched;
    m->count = count;
  }
  VkShaderModuleCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = m->count * sizeof(uint32_t),
      .pCode = m->words};
  VkResult result =
      d->vk.vkCreateShaderModule(d->device, &info, NULL, &m->shader);
  if (result != VK_SUCCESS) {
    free(m->words);
    free(m);
    return vk_error(result, "cannot create the shader module");
  }
  *out = m;
  return NULL;
}

static hetc_status_t vulkan_get_function(void *impl, void *module,
                                         const hetc_kernel_desc_t *kernel,
                                         void **function) {
  vulkan_device_t *d = impl;
  vulkan_module_t *m = module;
  if (!has_compute_entry_point(m->words, m->count, kernel->name))
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "vulkan: the SPIR-V module has no GLCompute "
                            "entry point for kernel '%s'",
                            kernel->name);
  vulkan_kernel_t *k = calloc(1, sizeof(*k));
  if (!k)
    return out_of_memory();
  hetc_status_t status = create_kernel(d, m->shader, kernel, k);
  if (status) {
    vulkan_release_function(d, k);
    return status;
  }
  *function = k;
  return NULL;
}

/*--- Steps ----------------------------------------------------------------*/

static hetc_status_t vulkan_begin(void *impl) {
  vulkan_device_t *d = impl;
  /* EDEADLK: this thread began a step it never ended; start it over. */
  int error = pthread_mutex_lock(&d->lock);
  if (error && error != EDEADLK)
    return hetc_make_status(HETC_STATUS_INTERNAL,
                            "vulkan: cannot take the device lock: %s",
                            strerror(error));
  hetc_status_t status = begin_commands(d, d->commands);
  if (status) {
    d->recording = false;
    pthread_mutex_unlock(&d->lock);
    return status;
  }
  /* The previous step finished (end waited), so its sets are free. */
  for (size_t i = 0; i < d->num_pools; ++i) {
    if (d->pools[i].used_sets)
      d->vk.vkResetDescriptorPool(d->device, d->pools[i].pool, 0);
    d->pools[i].used_sets = d->pools[i].used_descriptors = 0;
  }
  d->current_pool = 0;
  d->recording = true;
  return NULL;
}

/* Makes pool `index` exist with room for at least `descriptors`. */
static hetc_status_t make_pool(vulkan_device_t *d, size_t index,
                               uint32_t descriptors) {
  if (index == d->num_pools) {
    descriptor_pool_t *pools =
        realloc(d->pools, (d->num_pools + 1) * sizeof(*pools));
    if (!pools)
      return out_of_memory();
    d->pools = pools;
    d->pools[d->num_pools++] = (descriptor_pool_t){0};
  }
  descriptor_pool_t *p = &d->pools[index];
  if (p->pool && p->descriptors >= descriptors)
    return NULL;
  /* Too small (or new): unused this step, so it can be remade. */
  d->vk.vkDestroyDescriptorPool(d->device, p->pool, NULL);
  *p = (descriptor_pool_t){0};
  uint32_t capacity =
      descriptors > POOL_DESCRIPTORS ? descriptors : POOL_DESCRIPTORS;
  VkDescriptorPoolSize size = {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                               .descriptorCount = capacity};
  VkDescriptorPoolCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = POOL_SETS,
      .poolSizeCount = 1,
      .pPoolSizes = &size};
  VkResult result =
      d->vk.vkCreateDescriptorPool(d->device, &info, NULL, &p->pool);
  if (result != VK_SUCCESS) {
    p->pool = VK_NULL_HANDLE;
    return vk_error(result, "cannot create a descriptor pool");
  }
  p->sets = POOL_SETS;
  p->descriptors = capacity;
  return NULL;
}

/* A descriptor set for `k` from the step's pools; counting what each pool
 * holds avoids relying on how a driver reports an exhausted pool. */
static hetc_status_t allocate_set(vulkan_device_t *d, const vulkan_kernel_t *k,
                                  VkDescriptorSet *set) {
  if (d->current_pool < d->num_pools) {
    /* An unused pool that is too small is remade by make_pool instead. */
    descriptor_pool_t *p = &d->pools[d->current_pool];
    if (p->used_sets &&
        (p->used_sets == p->sets ||
         p->descriptors - p->used_descriptors < k->num_bindings))
      ++d->current_pool;
  }
  hetc_status_t status = make_pool(d, d->current_pool, k->num_bindings);
  if (status)
    return status;
  descriptor_pool_t *p = &d->pools[d->current_pool];
  VkDescriptorSetAllocateInfo info = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = p->pool,
      .descriptorSetCount = 1,
      .pSetLayouts = &k->set_layout};
  VkResult result = d->vk.vkAllocateDescriptorSets(d->device, &info, set);
  if (result != VK_SUCCESS)
    return vk_error(result, "cannot allocate a descriptor set for kernel '%s'",
                    k->name);
  ++p->used_sets;
  p->used_descriptors += k->num_bindings;
  return NULL;
}

static hetc_status_t not_recording(const char *what) {
  return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                          "vulkan: %s outside begin/end", what);
}

static hetc_status_t vulkan_launch(void *impl,
                                   const hetc_gpu_launch_t *launch) {
  vulkan_device_t *d = impl;
  const vulkan_kernel_t *k = launch->function;
  const uint32_t *grid = launch->grid;
  void *const *bindings = launch->bindings;
  if (!d->recording)
    return not_recording("dispatch");
  const uint32_t *max = d->limits.maxComputeWorkGroupCount;
  if (grid[0] > max[0] || grid[1] > max[1] || grid[2] > max[2])
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "vulkan: kernel '%s' needs a grid of %u x %u x "
                            "%u workgroups; this device allows at most %u x "
                            "%u x %u",
                            k->name, grid[0], grid[1], grid[2], max[0], max[1],
                            max[2]);
  if (k->num_bindings > d->scratch_size) {
    VkDescriptorBufferInfo *infos =
        realloc(d->infos, k->num_bindings * sizeof(*infos));
    if (infos)
      d->infos = infos;
    VkWriteDescriptorSet *writes =
        realloc(d->writes, k->num_bindings * sizeof(*writes));
    if (writes)
      d->writes = writes;
    if (!infos || !writes)
      return out_of_memory();
    d->scratch_size = k->num_bindings;
  }
  for (uint32_t i = 0; i < k->num_bindings; ++i) {
    const vulkan_buffer_t *b = bindings[i];
    if (!b)
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "vulkan: kernel '%s' has no buffer for binding "
                              "%u",
                              k->name, i);
    /* Whole-buffer descriptors may not exceed the device's range. */
    if (b->size > d->limits.maxStorageBufferRange)
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "vulkan: binding %u of kernel '%s' is %llu "
                              "bytes; this device binds at most %u",
                              i, k->name, (unsigned long long)b->size,
                              d->limits.maxStorageBufferRange);
  }
  d->vk.vkCmdBindPipeline(d->commands, VK_PIPELINE_BIND_POINT_COMPUTE,
                          k->pipeline);
  if (k->num_bindings) {
    VkDescriptorSet set;
    hetc_status_t status = allocate_set(d, k, &set);
    if (status)
      return status;
    for (uint32_t i = 0; i < k->num_bindings; ++i) {
      const vulkan_buffer_t *b = bindings[i];
      d->infos[i] = (VkDescriptorBufferInfo){
          .buffer = b->buffer, .offset = 0, .range = VK_WHOLE_SIZE};
      d->writes[i] = (VkWriteDescriptorSet){
          .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
          .dstSet = set,
          .dstBinding = i,
          .descriptorCount = 1,
          .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
          .pBufferInfo = &d->infos[i]};
    }
    d->vk.vkUpdateDescriptorSets(d->device, k->num_bindings, d->writes, 0,
                                 NULL);
    d->vk.vkCmdBindDescriptorSets(d->commands, VK_PIPELINE_BIND_POINT_COMPUTE,
                                  k->layout, 0, 1, &set, 0, NULL);
  }
  d->vk.vkCmdDispatch(d->commands, grid[0], grid[1], grid[2]);
  barrier(d, d->commands, false);
  return NULL;
}

/* A copy between device buffers, recorded into the step. */
static hetc_status_t record_copy(vulkan_device_t *d, const vulkan_buffer_t *to,
                                 uint64_t dst_offset,
                                 const vulkan_buffer_t *from,
                                 uint64_t src_offset, uint64_t bytes) {
  if (!d->recording)
    return not_recording("copy");
  if (src_offset > from->bytes || bytes > from->bytes - src_offset ||
      dst_offset > to->bytes || bytes > to->bytes - dst_offset)
    return hetc_make_status(
        HETC_STATUS_INVALID_ARGUMENT,
        "vulkan: a copy of %llu bytes from offset %llu of "
        "a %llu-byte buffer to offset %llu of a %llu-byte "
        "buffer is out of bounds",
        (unsigned long long)bytes, (unsigned long long)src_offset,
        (unsigned long long)from->bytes, (unsigned long long)dst_offset,
        (unsigned long long)to->bytes);
  if (bytes == 0)
    return NULL;
  if (from == to && src_offset < dst_offset + bytes &&
      dst_offset < src_offset + bytes)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "vulkan: a copy within one buffer may not overlap "
                            "itself");
  VkBufferCopy region = {
      .srcOffset = src_offset, .dstOffset = dst_offset, .size = bytes};
  d->vk.vkCmdCopyBuffer(d->commands, from->buffer, to->buffer, 1, &region);
  barrier(d, d->commands, false);
  return NULL;
}

static hetc_status_t vulkan_copy(void *impl, hetc_copy_kind_t kind, void *dst,
                                 uint64_t dst_offset, const void *src,
                                 uint64_t src_offset, uint64_t bytes) {
  if (kind == HETC_COPY_HOST_TO_DEVICE)
    return transfer(impl, dst, true, src, NULL, (size_t)bytes);
  if (kind == HETC_COPY_DEVICE_TO_HOST)
    return transfer(impl, src, false, NULL, dst, (size_t)bytes);
  return record_copy(impl, dst, dst_offset, src, src_offset, bytes);
}

static hetc_status_t vulkan_sync(void *impl) {
  vulkan_device_t *d = impl;
  if (!d->recording)
    return not_recording("end");
  d->recording = false;
  hetc_status_t status = submit_and_wait(d, d->commands);
  pthread_mutex_unlock(&d->lock);
  return status;
}

HETC_DEFINE_GPU_DRIVER("vulkan", vulkan, "Vulkan device",
                       .release_function = vulkan_release_function,
                       .begin = vulkan_begin);
