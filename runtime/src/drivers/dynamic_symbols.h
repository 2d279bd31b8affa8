/*===- dynamic_symbols.h - vendor symbols the GPU drivers load ------------===*
 *
 * One X-macro list per driver, HETC_<DRIVER>_SYMBOLS (IREE's
 * dynamic_symbol_tables style): each driver expands its list into a struct
 * of function pointers and a loader loop, so a symbol is named once, by the
 * name the library exports (cuMemAlloc_v2, not the header's cuMemAlloc).
 * The cuda, rocm and level-zero lists are dlsym'd through dylib.h's
 * HETC_DECLARE_TABLE; the CUDA list uses the CU* types cuda.c defines (from
 * <cuda.h> when it is there, else minimal local ones), the Level Zero list
 * ze_api.h's types, and the ROCm list plain C types, so no HIP header is
 * needed. Vulkan resolves its functions through vkGetInstanceProcAddr and
 * vkGetDeviceProcAddr instead, so its list names each one's level and
 * whether the driver needs it, and takes <vulkan/vulkan.h>'s PFN_ types.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_SRC_DRIVERS_DYNAMIC_SYMBOLS_H
#define HETC_RUNTIME_SRC_DRIVERS_DYNAMIC_SYMBOLS_H

/* HETC_SYM(return type, name, parameter list) */

#define HETC_CUDA_SYMBOLS(HETC_SYM)                                            \
  HETC_SYM(CUresult, cuInit, (unsigned int flags))                             \
  HETC_SYM(CUresult, cuDeviceGetCount, (int *count))                           \
  HETC_SYM(CUresult, cuDeviceGet, (CUdevice * device, int ordinal))            \
  HETC_SYM(CUresult, cuDeviceGetName,                                          \
           (char *name, int length, CUdevice device))                          \
  HETC_SYM(CUresult, cuDeviceGetAttribute,                                     \
           (int *value, CUdevice_attribute attribute, CUdevice device))        \
  HETC_SYM(CUresult, cuDeviceTotalMem_v2, (size_t * bytes, CUdevice device))   \
  HETC_SYM(CUresult, cuDevicePrimaryCtxRetain,                                 \
           (CUcontext * context, CUdevice device))                             \
  HETC_SYM(CUresult, cuDevicePrimaryCtxRelease_v2, (CUdevice device))          \
  HETC_SYM(CUresult, cuCtxPushCurrent_v2, (CUcontext context))                 \
  HETC_SYM(CUresult, cuCtxPopCurrent_v2, (CUcontext * context))                \
  HETC_SYM(CUresult, cuStreamCreate, (CUstream * stream, unsigned int flags))  \
  HETC_SYM(CUresult, cuStreamDestroy_v2, (CUstream stream))                    \
  HETC_SYM(CUresult, cuStreamSynchronize, (CUstream stream))                   \
  HETC_SYM(CUresult, cuMemAlloc_v2, (CUdeviceptr * pointer, size_t bytes))     \
  HETC_SYM(CUresult, cuMemFree_v2, (CUdeviceptr pointer))                      \
  HETC_SYM(CUresult, cuMemsetD8_v2,                                            \
           (CUdeviceptr pointer, unsigned char value, size_t count))           \
  HETC_SYM(CUresult, cuMemcpyHtoD_v2,                                          \
           (CUdeviceptr dst, const void *src, size_t bytes))                   \
  HETC_SYM(CUresult, cuMemcpyDtoH_v2,                                          \
           (void *dst, CUdeviceptr src, size_t bytes))                         \
  HETC_SYM(CUresult, cuMemcpyDtoDAsync_v2,                                     \
           (CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream))  \
  HETC_SYM(CUresult, cuModuleLoadDataEx,                                       \
           (CUmodule * module, const void *image, unsigned int num_options,    \
            CUjit_option *options, void **values))                             \
  HETC_SYM(CUresult, cuModuleUnload, (CUmodule module))                        \
  HETC_SYM(CUresult, cuModuleGetFunction,                                      \
           (CUfunction * function, CUmodule module, const char *name))         \
  HETC_SYM(CUresult, cuLaunchKernel,                                           \
           (CUfunction function, unsigned int grid_x, unsigned int grid_y,     \
            unsigned int grid_z, unsigned int block_x, unsigned int block_y,   \
            unsigned int block_z, unsigned int shared_bytes, CUstream stream,  \
            void **params, void **extra))                                      \
  HETC_SYM(CUresult, cuGetErrorName, (CUresult error, const char **name))      \
  HETC_SYM(CUresult, cuGetErrorString, (CUresult error, const char **message))

/* The rocm driver's HIP runtime: hipError_t is int, hipDevice_t int, every handle and device pointer
 * void *. */
#define HETC_ROCM_SYMBOLS(HETC_SYM)                                             \
  HETC_SYM(int, hipInit, (unsigned int flags))                                 \
  HETC_SYM(int, hipGetDeviceCount, (int *count))                               \
  HETC_SYM(int, hipGetDevice, (int *ordinal))                                  \
  HETC_SYM(int, hipSetDevice, (int ordinal))                                   \
  HETC_SYM(int, hipDeviceGet, (int *device, int ordinal))                      \
  HETC_SYM(int, hipDeviceGetName, (char *name, int length, int device))        \
  HETC_SYM(int, hipDeviceComputeCapability,                                    \
           (int *major, int *minor, int device))                               \
  HETC_SYM(int, hipDeviceTotalMem, (size_t * bytes, int device))               \
  HETC_SYM(int, hipMalloc, (void **pointer, size_t bytes))                     \
  HETC_SYM(int, hipFree, (void *pointer))                                      \
  HETC_SYM(int, hipMemset, (void *pointer, int value, size_t bytes))           \
  HETC_SYM(int, hipMemcpyHtoD, (void *dst, const void *src, size_t bytes))     \
  HETC_SYM(int, hipMemcpyDtoH, (void *dst, const void *src, size_t bytes))     \
  HETC_SYM(int, hipMemcpyDtoDAsync,                                            \
           (void *dst, void *src, size_t bytes, void *stream))                 \
  HETC_SYM(int, hipStreamCreate, (void **stream))                              \
  HETC_SYM(int, hipStreamDestroy, (void *stream))                              \
  HETC_SYM(int, hipStreamSynchronize, (void *stream))                          \
  HETC_SYM(int, hipModuleLoadData, (void **module, const void *image))         \
  HETC_SYM(int, hipModuleUnload, (void *module))                               \
  HETC_SYM(int, hipModuleGetFunction,                                          \
           (void **function, void *module, const char *name))                  \
  HETC_SYM(int, hipModuleLaunchKernel,                                         \
           (void *function, unsigned int grid_x, unsigned int grid_y,          \
            unsigned int grid_z, unsigned int block_x, unsigned int block_y,   \
            unsigned int block_z, unsigned int shared_bytes, void *stream,     \
            void **params, void **extra))                                      \
  HETC_SYM(const char *, hipGetErrorName, (int error))                         \
  HETC_SYM(const char *, hipGetErrorString, (int error))

#define HETC_LEVEL_ZERO_SYMBOLS(HETC_SYM)                                              \
  HETC_SYM(ze_result_t, zeInit, (ze_init_flags_t flags))                       \
  HETC_SYM(ze_result_t, zeDriverGet,                                           \
           (uint32_t * count, ze_driver_handle_t * drivers))                   \
  HETC_SYM(ze_result_t, zeDeviceGet,                                           \
           (ze_driver_handle_t driver, uint32_t * count,                       \
            ze_device_handle_t * devices))                                     \
  HETC_SYM(ze_result_t, zeDeviceGetProperties,                                 \
           (ze_device_handle_t device, ze_device_properties_t * properties))   \
  HETC_SYM(ze_result_t, zeDeviceGetMemoryProperties,                           \
           (ze_device_handle_t device, uint32_t * count,                       \
            ze_device_memory_properties_t * properties))                       \
  HETC_SYM(ze_result_t, zeDeviceGetCommandQueueGroupProperties,                \
           (ze_device_handle_t device, uint32_t * count,                       \
            ze_command_queue_group_properties_t * properties))                 \
  HETC_SYM(ze_result_t, zeContextCreate,                                       \
           (ze_driver_handle_t driver, const ze_context_desc_t *desc,          \
            ze_context_handle_t *context))                                     \
  HETC_SYM(ze_result_t, zeContextDestroy, (ze_context_handle_t context))       \
  HETC_SYM(ze_result_t, zeCommandQueueCreate,                                  \
           (ze_context_handle_t context, ze_device_handle_t device,            \
            const ze_command_queue_desc_t *desc,                               \
            ze_command_queue_handle_t *queue))                                 \
  HETC_SYM(ze_result_t, zeCommandQueueDestroy,                                 \
           (ze_command_queue_handle_t queue))                                  \
  HETC_SYM(ze_result_t, zeCommandQueueExecuteCommandLists,                     \
           (ze_command_queue_handle_t queue, uint32_t count,                   \
            ze_command_list_handle_t * lists, ze_fence_handle_t fence))        \
  HETC_SYM(ze_result_t, zeCommandQueueSynchronize,                             \
           (ze_command_queue_handle_t queue, uint64_t timeout))                \
  HETC_SYM(ze_result_t, zeCommandListCreate,                                   \
           (ze_context_handle_t context, ze_device_handle_t device,            \
            const ze_command_list_desc_t *desc,                                \
            ze_command_list_handle_t *list))                                   \
  HETC_SYM(ze_result_t, zeCommandListCreateImmediate,                          \
           (ze_context_handle_t context, ze_device_handle_t device,            \
            const ze_command_queue_desc_t *desc,                               \
            ze_command_list_handle_t *list))                                   \
  HETC_SYM(ze_result_t, zeCommandListDestroy, (ze_command_list_handle_t list)) \
  HETC_SYM(ze_result_t, zeCommandListClose, (ze_command_list_handle_t list))   \
  HETC_SYM(ze_result_t, zeCommandListReset, (ze_command_list_handle_t list))   \
  HETC_SYM(ze_result_t, zeCommandListAppendMemoryCopy,                         \
           (ze_command_list_handle_t list, void *dst, const void *src,         \
            size_t bytes, ze_event_handle_t signal, uint32_t num_waits,        \
            ze_event_handle_t *waits))                                         \
  HETC_SYM(ze_result_t, zeCommandListAppendMemoryFill,                         \
           (ze_command_list_handle_t list, void *dst, const void *pattern,     \
            size_t pattern_size, size_t bytes, ze_event_handle_t signal,       \
            uint32_t num_waits, ze_event_handle_t *waits))                     \
  HETC_SYM(ze_result_t, zeCommandListAppendBarrier,                            \
           (ze_command_list_handle_t list, ze_event_handle_t signal,           \
            uint32_t num_waits, ze_event_handle_t * waits))                    \
  HETC_SYM(ze_result_t, zeCommandListAppendLaunchKernel,                       \
           (ze_command_list_handle_t list, ze_kernel_handle_t kernel,          \
            const ze_group_count_t *groups, ze_event_handle_t signal,          \
            uint32_t num_waits, ze_event_handle_t *waits))                     \
  HETC_SYM(ze_result_t, zeMemAllocDevice,                                      \
           (ze_context_handle_t context,                                       \
            const ze_device_mem_alloc_desc_t *desc, size_t bytes,              \
            size_t alignment, ze_device_handle_t device, void **pointer))      \
  HETC_SYM(ze_result_t, zeMemFree,                                             \
           (ze_context_handle_t context, void *pointer))                       \
  HETC_SYM(ze_result_t, zeModuleCreate,                                        \
           (ze_context_handle_t context, ze_device_handle_t device,            \
            const ze_module_desc_t *desc, ze_module_handle_t *module,          \
            ze_module_build_log_handle_t *log))                                \
  HETC_SYM(ze_result_t, zeModuleDestroy, (ze_module_handle_t module))          \
  HETC_SYM(ze_result_t, zeModuleBuildLogGetString,                             \
           (ze_module_build_log_handle_t log, size_t * size, char *text))      \
  HETC_SYM(ze_result_t, zeModuleBuildLogDestroy,                               \
           (ze_module_build_log_handle_t log))                                 \
  HETC_SYM(ze_result_t, zeKernelCreate,                                        \
           (ze_module_handle_t module, const ze_kernel_desc_t *desc,           \
            ze_kernel_handle_t *kernel))                                       \
  HETC_SYM(ze_result_t, zeKernelDestroy, (ze_kernel_handle_t kernel))          \
  HETC_SYM(ze_result_t, zeKernelSetGroupSize,                                  \
           (ze_kernel_handle_t kernel, uint32_t x, uint32_t y, uint32_t z))    \
  HETC_SYM(ze_result_t, zeKernelSetArgumentValue,                              \
           (ze_kernel_handle_t kernel, uint32_t index, size_t size,            \
            const void *value))

/* Vulkan: GLOBAL functions come from vkGetInstanceProcAddr(NULL, ...),
 * INSTANCE ones from vkGetInstanceProcAddr(instance, ...) and DEVICE ones
 * from vkGetDeviceProcAddr; the second argument is 1 when the driver needs
 * the function and 0 when it copes without it: Vulkan 1.0 loaders lack
 * vkEnumerateInstanceVersion, and the driver then asks for API 1.0;
 * vkGetPhysicalDeviceProperties2 only names the driver in the device
 * description. */
#define HETC_VULKAN_SYMBOLS(GLOBAL, INSTANCE, DEVICE)                          \
  GLOBAL(vkCreateInstance, 1)                                                  \
  GLOBAL(vkEnumerateInstanceVersion, 0)                                        \
  INSTANCE(vkDestroyInstance, 1)                                               \
  INSTANCE(vkEnumeratePhysicalDevices, 1)                                      \
  INSTANCE(vkGetPhysicalDeviceProperties, 1)                                   \
  INSTANCE(vkGetPhysicalDeviceFeatures, 1)                                     \
  INSTANCE(vkGetPhysicalDeviceProperties2, 0)                                  \
  INSTANCE(vkGetPhysicalDeviceQueueFamilyProperties, 1)                        \
  INSTANCE(vkGetPhysicalDeviceMemoryProperties, 1)                             \
  INSTANCE(vkCreateDevice, 1)                                                  \
  INSTANCE(vkGetDeviceProcAddr, 1)                                             \
  DEVICE(vkDestroyDevice, 1)                                                   \
  DEVICE(vkDeviceWaitIdle, 1)                                                  \
  DEVICE(vkGetDeviceQueue, 1)                                                  \
  DEVICE(vkQueueSubmit, 1)                                                     \
  DEVICE(vkCreateFence, 1)                                                     \
  DEVICE(vkDestroyFence, 1)                                                    \
  DEVICE(vkResetFences, 1)                                                     \
  DEVICE(vkWaitForFences, 1)                                                   \
  DEVICE(vkCreateCommandPool, 1)                                               \
  DEVICE(vkDestroyCommandPool, 1)                                              \
  DEVICE(vkAllocateCommandBuffers, 1)                                          \
  DEVICE(vkResetCommandBuffer, 1)                                              \
  DEVICE(vkBeginCommandBuffer, 1)                                              \
  DEVICE(vkEndCommandBuffer, 1)                                                \
  DEVICE(vkCreateBuffer, 1)                                                    \
  DEVICE(vkDestroyBuffer, 1)                                                   \
  DEVICE(vkGetBufferMemoryRequirements, 1)                                     \
  DEVICE(vkAllocateMemory, 1)                                                  \
  DEVICE(vkFreeMemory, 1)                                                      \
  DEVICE(vkBindBufferMemory, 1)                                                \
  DEVICE(vkMapMemory, 1)                                                       \
  DEVICE(vkCreateShaderModule, 1)                                              \
  DEVICE(vkDestroyShaderModule, 1)                                             \
  DEVICE(vkCreateDescriptorSetLayout, 1)                                       \
  DEVICE(vkDestroyDescriptorSetLayout, 1)                                      \
  DEVICE(vkCreatePipelineLayout, 1)                                            \
  DEVICE(vkDestroyPipelineLayout, 1)                                           \
  DEVICE(vkCreateComputePipelines, 1)                                          \
  DEVICE(vkDestroyPipeline, 1)                                                 \
  DEVICE(vkCreateDescriptorPool, 1)                                            \
  DEVICE(vkDestroyDescriptorPool, 1)                                           \
  DEVICE(vkResetDescriptorPool, 1)                                             \
  DEVICE(vkAllocateDescriptorSets, 1)                                          \
  DEVICE(vkUpdateDescriptorSets, 1)                                            \
  DEVICE(vkCmdBindPipeline, 1)                                                 \
  DEVICE(vkCmdBindDescriptorSets, 1)                                           \
  DEVICE(vkCmdDispatch, 1)                                                     \
  DEVICE(vkCmdCopyBuffer, 1)                                                   \
  DEVICE(vkCmdFillBuffer, 1)                                                   \
  DEVICE(vkCmdPipelineBarrier, 1)

#endif /* HETC_RUNTIME_SRC_DRIVERS_DYNAMIC_SYMBOLS_H */
