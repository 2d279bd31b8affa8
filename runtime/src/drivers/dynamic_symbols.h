/*===- dynamic_symbols.h - vendor symbols the GPU drivers load ------------===*
 *
 * X-macro lists: each driver expands its list into a struct of function
 * pointers and a loader loop, so a symbol is named once. Types are spelled
 * with plain C types so no vendor header is needed to build the runtime.
 *
 *===----------------------------------------------------------------------===*/

/* HETC_SYM(return type, name, parameter list) */

#define HETC_CUDA_SYMBOLS(HETC_SYM)                                            \
  HETC_SYM(int, cuInit, (unsigned int flags))                                  \
  HETC_SYM(int, cuDeviceGetCount, (int *count))                                \
  HETC_SYM(int, cuDeviceGet, (int *device, int ordinal))                       \
  HETC_SYM(int, cuDeviceGetName, (char *name, int length, int device))         \
  HETC_SYM(int, cuGetErrorString, (int error, const char **message))

#define HETC_HIP_SYMBOLS(HETC_SYM)                                             \
  HETC_SYM(int, hipInit, (unsigned int flags))                                 \
  HETC_SYM(int, hipGetDeviceCount, (int *count))

#define HETC_ZE_SYMBOLS(HETC_SYM)                                              \
  HETC_SYM(int, zeInit, (int flags))                                           \
  HETC_SYM(int, zeDriverGet, (uint32_t * count, void **drivers))

#define HETC_VULKAN_SYMBOLS(HETC_SYM)                                          \
  HETC_SYM(void *, vkGetInstanceProcAddr, (void *instance, const char *name))  \
  HETC_SYM(int, vkEnumerateInstanceVersion, (uint32_t * version))
