/*===- gpu_drivers.h - what GPU drivers offer beyond hetc_gpu_ops_t ----===*/

#ifndef HETC_RUNTIME_SRC_DRIVERS_GPU_DRIVERS_H
#define HETC_RUNTIME_SRC_DRIVERS_GPU_DRIVERS_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether a CUDA module (hetc_gpu_module_t's `module`, loaded on a
 * hetc_cuda_driver device) was JIT-compiled from the artifact's PTX because
 * its cubin did not load. */
bool hetc_cuda_module_used_ptx(const void *module);

/* The null driver (null.c): makes the next call of `op` ("alloc", "zero",
 * "upload", "download", "copy", "load_module", "begin", "launch" or "sync")
 * on device `impl` fail. */
void hetc_null_fail(void *impl, const char *op);
/* The commands recorded on device `impl` since the last call, one per line;
 * the caller frees it. */
char *hetc_null_take_log(void *impl);

#ifdef __cplusplus
}
#endif

#endif /* HETC_RUNTIME_SRC_DRIVERS_GPU_DRIVERS_H */
