/*===- gpu_drivers.h - what the vendor GPU drivers report beyond the ops --===*/

#ifndef HETC_RUNTIME_SRC_DRIVERS_GPU_DRIVERS_H
#define HETC_RUNTIME_SRC_DRIVERS_GPU_DRIVERS_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether a module that hetc_cuda_driver's load_kernels returned was
 * JIT-compiled from the artifact's PTX because its cubin did not load. */
bool hetc_cuda_module_used_ptx(const void *module);

#ifdef __cplusplus
}
#endif

#endif /* HETC_RUNTIME_SRC_DRIVERS_GPU_DRIVERS_H */
