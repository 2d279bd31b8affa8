/*===- executor.c - the device side every GPU driver shares ---------------===*
 *
 * A GPU driver (drivers/) provides only vendor calls through hetc_gpu_ops_t:
 * memory, copies, module loading, function lookup, launch and sync. What is
 * the same for every vendor lives here once: the kernel table, the kernel
 * index and empty-grid checks, marshalling buffers into launch arguments,
 * zeroing new buffers, skipping empty transfers, making the device current
 * around each call, and formatting vendor results. So a driver that never
 * ran on hardware (rocm, level-zero) shares every line of this with the
 * ones that did.
 *
 *===----------------------------------------------------------------------===*/

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hetc_gpu_ops_t *ops_of(const void *impl) {
  return ((const hetc_gpu_device_t *)impl)->ops;
}

static int ordinal_of(const void *impl) {
  return ((const hetc_gpu_device_t *)impl)->ordinal;
}

hetc_status_t hetc_gpu_error(const void *impl, int result, const char *format,
                             ...) {
  const hetc_gpu_ops_t *ops = ops_of(impl);
  char what[512], described[256];
  va_list args;
  va_start(args, format);
  vsnprintf(what, sizeof(what), format, args);
  va_end(args);
  ops->describe_result(impl, result, described, sizeof(described));
  return hetc_make_status(ops->result_code(result), "%s: %s", what, described);
}

hetc_status_t hetc_gpu_alloc_error(const void *impl, int result, size_t bytes) {
  return hetc_gpu_error(impl, result, "cannot allocate %zu bytes on %s %d",
                        bytes, ops_of(impl)->device_noun, ordinal_of(impl));
}

hetc_status_t hetc_gpu_copy_error(const void *impl, int result,
                                  hetc_copy_kind_t kind, uint64_t bytes) {
  if (kind == HETC_COPY_DEVICE_TO_DEVICE)
    return hetc_gpu_error(impl, result,
                          "queueing a %llu-byte device copy failed",
                          (unsigned long long)bytes);
  return hetc_gpu_error(impl, result, "copying %llu bytes %s %s %d failed",
                        (unsigned long long)bytes,
                        kind == HETC_COPY_HOST_TO_DEVICE ? "to" : "from",
                        ops_of(impl)->device_noun, ordinal_of(impl));
}

hetc_status_t hetc_gpu_launch_error(const void *impl, int result,
                                    const hetc_gpu_launch_t *launch) {
  const hetc_kernel_desc_t *k = launch->kernel;
  return hetc_gpu_error(impl, result,
                        "launching kernel '%s' (grid %ux%ux%u, block "
                        "%ux%ux%u) failed",
                        k->name, launch->grid[0], launch->grid[1],
                        launch->grid[2], k->block[0], k->block[1], k->block[2]);
}

hetc_status_t hetc_gpu_sync_error(const void *impl, int result) {
  return hetc_gpu_error(impl, result,
                        "%s %d failed while running the queued kernels and "
                        "copies",
                        ops_of(impl)->device_noun, ordinal_of(impl));
}

void *hetc_section_copy(const hetc_section_t *section) {
  char *copy = malloc(section->size + 1);
  if (copy) {
    memcpy(copy, section->data, section->size);
    copy[section->size] = '\0';
  }
  return copy;
}

/*--- Making the device current --------------------------------------------*/

static hetc_status_t enter(void *impl, int *saved) {
  const hetc_gpu_ops_t *ops = ops_of(impl);
  *saved = -1;
  return ops->enter ? ops->enter(impl, saved) : NULL;
}

static void leave(void *impl, int saved) {
  const hetc_gpu_ops_t *ops = ops_of(impl);
  if (ops->leave)
    ops->leave(impl, saved);
}

/* enter() for calls that cannot report: whether it worked. */
static bool entered(void *impl, int *saved) {
  hetc_status_t status = enter(impl, saved);
  bool ok = !status;
  hetc_status_free(status);
  return ok;
}

/*--- Memory ---------------------------------------------------------------*/

hetc_status_t hetc_gpu_alloc(void *impl, size_t bytes, void **buffer) {
  const hetc_gpu_ops_t *ops = ops_of(impl);
  *buffer = NULL;
  int saved;
  hetc_status_t status = enter(impl, &saved);
  if (status)
    return status;
  void *allocated = NULL;
  status = ops->alloc(impl, bytes, &allocated);
  /* Buffers start zeroed, as on the cpu driver. */
  if (!status && bytes && (status = ops->zero(impl, allocated, bytes)))
    ops->free(impl, allocated);
  leave(impl, saved);
  if (!status)
    *buffer = allocated;
  return status;
}

/* Runs `fn` on `what` inside the device when it can be entered, and anyway
 * otherwise: the vendor calls then fail on their own, which is all a
 * release can do. */
static void release(void *impl, void (*fn)(void *, void *), void *what) {
  int saved;
  bool ok = entered(impl, &saved);
  fn(impl, what);
  if (ok)
    leave(impl, saved);
}

void hetc_gpu_free(void *impl, void *buffer) {
  if (buffer)
    release(impl, ops_of(impl)->free, buffer);
}

static hetc_status_t copy(void *impl, hetc_copy_kind_t kind, void *dst,
                          uint64_t dst_offset, const void *src,
                          uint64_t src_offset, uint64_t bytes) {
  if (!bytes)
    return NULL;
  int saved;
  hetc_status_t status = enter(impl, &saved);
  if (status)
    return status;
  status =
      ops_of(impl)->copy(impl, kind, dst, dst_offset, src, src_offset, bytes);
  leave(impl, saved);
  return status;
}

hetc_status_t hetc_gpu_upload(void *impl, void *buffer, const void *src,
                              size_t bytes) {
  return copy(impl, HETC_COPY_HOST_TO_DEVICE, buffer, 0, src, 0, bytes);
}

hetc_status_t hetc_gpu_download(void *impl, const void *buffer, void *dst,
                                size_t bytes) {
  return copy(impl, HETC_COPY_DEVICE_TO_HOST, dst, 0, buffer, 0, bytes);
}

hetc_status_t hetc_gpu_copy(void *impl, void *src, uint64_t src_offset,
                            void *dst, uint64_t dst_offset, uint64_t bytes) {
  return copy(impl, HETC_COPY_DEVICE_TO_DEVICE, dst, dst_offset, src,
              src_offset, bytes);
}

/*--- Kernels --------------------------------------------------------------*/

static void free_module(void *impl, void *module) {
  const hetc_gpu_ops_t *ops = ops_of(impl);
  hetc_gpu_module_t *m = module;
  for (size_t i = 0; i < m->num_kernels; ++i) {
    if (m->kernels[i].function && ops->release_function)
      ops->release_function(impl, m->kernels[i].function);
    hetc_kernel_desc_free(&m->kernels[i].desc);
  }
  if (m->module)
    ops->unload_module(impl, m->module);
  free(m->kernels);
  free(m);
}

/* Loads the module and looks up each kernel, filling the kernel table. */
static hetc_status_t load_into(void *impl, const hetc_artifact_t *artifact,
                               const hetc_kernel_desc_t *kernels,
                               size_t num_kernels, hetc_gpu_module_t *m) {
  const hetc_gpu_ops_t *ops = ops_of(impl);
  hetc_status_t status = ops->load_module(impl, artifact, &m->module);
  if (status) {
    m->module = NULL;
    return status;
  }
  for (size_t i = 0; !status && i < num_kernels; ++i) {
    hetc_gpu_kernel_t *k = &m->kernels[i];
    m->num_kernels = i + 1; /* free_module frees what was made */
    status = hetc_kernel_desc_copy(&kernels[i], &k->desc);
    if (!status)
      status = ops->get_function(impl, m->module, &k->desc, &k->function);
    if (status)
      k->function = NULL;
  }
  return status;
}

hetc_status_t hetc_gpu_load_kernels(void *impl, const hetc_artifact_t *artifact,
                                    const hetc_kernel_desc_t *kernels,
                                    size_t num_kernels,
                                    hetc_gpu_module_t **module) {
  *module = NULL;
  hetc_gpu_module_t *m = calloc(1, sizeof(*m));
  if (m)
    m->kernels = calloc(num_kernels ? num_kernels : 1, sizeof(*m->kernels));
  if (!m || !m->kernels) {
    free(m);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  int saved;
  hetc_status_t status = enter(impl, &saved);
  if (status) {
    free(m->kernels);
    free(m);
    return status;
  }
  status = load_into(impl, artifact, kernels, num_kernels, m);
  if (status)
    free_module(impl, m);
  else
    *module = m;
  leave(impl, saved);
  return status;
}

void hetc_gpu_unload_kernels(void *impl, hetc_gpu_module_t *module) {
  if (module)
    release(impl, free_module, module);
}

/*--- Steps ----------------------------------------------------------------*/

hetc_status_t hetc_gpu_begin(void *impl) {
  const hetc_gpu_ops_t *ops = ops_of(impl);
  return ops->begin ? ops->begin(impl) : NULL;
}

/* Launches through the driver with each binding passed by address: the
 * argument list CUDA and HIP take, which Level Zero reads one by one. */
static hetc_status_t launch(void *impl, const hetc_gpu_kernel_t *k,
                            const uint32_t grid[3], void *const *bindings) {
  uint32_t n = k->desc.num_bindings;
  void *local[64];
  void **args = n <= 32 ? local : malloc(2 * n * sizeof(*args));
  if (!args)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  void **params = args + n;
  for (uint32_t i = 0; i < n; ++i) {
    args[i] = bindings[i];
    params[i] = &args[i];
  }
  hetc_gpu_launch_t launch = {.function = k->function,
                              .kernel = &k->desc,
                              .grid = grid,
                              .bindings = args,
                              .params = params};
  int saved;
  hetc_status_t status = enter(impl, &saved);
  if (!status) {
    status = ops_of(impl)->launch(impl, &launch);
    leave(impl, saved);
  }
  if (args != local)
    free(args);
  return status;
}

hetc_status_t hetc_gpu_dispatch(void *impl, const hetc_gpu_module_t *module,
                                size_t kernel, const uint32_t grid[3],
                                void *const *bindings) {
  if (kernel >= module->num_kernels)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "no kernel %zu (the module has %zu)", kernel,
                            module->num_kernels);
  if (!grid[0] || !grid[1] || !grid[2])
    return NULL; /* no blocks: nothing to run */
  return launch(impl, &module->kernels[kernel], grid, bindings);
}

hetc_status_t hetc_gpu_sync(void *impl) {
  int saved;
  hetc_status_t status = enter(impl, &saved);
  if (status)
    return status;
  status = ops_of(impl)->sync(impl);
  leave(impl, saved);
  return status;
}
