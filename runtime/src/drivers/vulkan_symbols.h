/*===- vulkan_symbols.h - Vulkan functions the vulkan driver loads --------===*
 *
 * One X-macro list names every Vulkan function once (IREE's
 * dynamic_symbol_tables style). GLOBAL functions come from
 * vkGetInstanceProcAddr(NULL, ...), INSTANCE ones from
 * vkGetInstanceProcAddr(instance, ...) and DEVICE ones from
 * vkGetDeviceProcAddr. The second argument is 1 when the driver needs the
 * function and 0 when it copes without it. Types are <vulkan/vulkan.h>'s
 * PFN_ typedefs, so include it (with VK_NO_PROTOTYPES) first.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_SRC_DRIVERS_VULKAN_SYMBOLS_H
#define HETC_RUNTIME_SRC_DRIVERS_VULKAN_SYMBOLS_H

/* Vulkan 1.0 loaders lack vkEnumerateInstanceVersion; the driver then asks
 * for API 1.0. vkGetPhysicalDeviceProperties2 only names the driver in the
 * device description. */
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

#endif /* HETC_RUNTIME_SRC_DRIVERS_VULKAN_SYMBOLS_H */
