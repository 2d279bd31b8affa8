/*===- null.c - a GPU driver that records the commands it is given --------===*
 *
 * Tests the executor (executor.c, program.c) on its own: every vendor call
 * appends one line to the device's log ("launch add_one grid 16x1x1 block
 * 64x1x1 args b1 b2"), so a test sees the order of allocations, copies and
 * launches and how arguments were marshalled. Buffers are host memory, so
 * copies really move bytes; kernels only record their launch. Its "device
 * code" is the artifact's "null" section: kernel names, one per line.
 * hetc_null_fail makes the next call of one operation fail, for the
 * executor's error paths. Two devices exist, ordinals 0 and 1.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L /* strdup */
#include "../internal.h"
#include "gpu_drivers.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NULL_DEVICES = 2, NULL_INJECTED = 1, NULL_OUT_OF_MEMORY = 2 };

typedef struct null_device {
  hetc_gpu_device_t base; /* first: the executor's view */
  pthread_mutex_t lock;   /* guards everything below */
  char *log;
  size_t log_length, log_capacity;
  unsigned next_buffer;
  char fail[32]; /* the operation whose next call fails, or "" */
  bool recording;
} null_device_t;

typedef struct null_buffer {
  unsigned id;
  size_t bytes;
  unsigned char data[];
} null_buffer_t;

static void null_describe_result(const void *impl, int result, char *out,
                                 size_t size) {
  (void)impl;
  snprintf(out, size, "%s (%d)",
           result == NULL_OUT_OF_MEMORY ? "NULL_OUT_OF_MEMORY"
                                        : "NULL_INJECTED_FAILURE",
           result);
}

static hetc_status_code_t null_result_code(int result) {
  return result == NULL_OUT_OF_MEMORY ? HETC_STATUS_RESOURCE_EXHAUSTED
                                      : HETC_STATUS_INTERNAL;
}

/* Appends one line to the log (dropped when memory runs out). */
__attribute__((format(printf, 2, 3))) static void
record(null_device_t *d, const char *format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(line, sizeof(line), format, args);
  va_end(args);
  size_t length = n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : 511;
  pthread_mutex_lock(&d->lock);
  if (d->log_length + length + 2 > d->log_capacity) {
    size_t capacity = 2 * (d->log_capacity + length + 2);
    char *log = realloc(d->log, capacity);
    if (!log) {
      pthread_mutex_unlock(&d->lock);
      return;
    }
    d->log = log;
    d->log_capacity = capacity;
  }
  memcpy(d->log + d->log_length, line, length);
  d->log_length += length;
  d->log[d->log_length++] = '\n';
  d->log[d->log_length] = '\0';
  pthread_mutex_unlock(&d->lock);
}

/* Whether `op` was told to fail; the failure is used up. */
static bool failing(null_device_t *d, const char *op) {
  pthread_mutex_lock(&d->lock);
  bool fail = !strcmp(d->fail, op);
  if (fail)
    d->fail[0] = '\0';
  pthread_mutex_unlock(&d->lock);
  if (fail)
    record(d, "%s fails", op);
  return fail;
}

/*--- Devices --------------------------------------------------------------*/

static const hetc_gpu_ops_t null_ops;

static void null_close(void *impl) {
  null_device_t *d = impl;
  if (!d)
    return;
  pthread_mutex_destroy(&d->lock);
  free(d->log);
  free(d);
}

static hetc_status_t null_open(int ordinal, void **impl, char *description,
                               size_t description_size) {
  *impl = NULL;
  if (ordinal < 0 || ordinal >= NULL_DEVICES)
    return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                            "no null device %d (%d found)", ordinal,
                            NULL_DEVICES);
  null_device_t *d = calloc(1, sizeof(*d));
  if (!d)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  d->base = (hetc_gpu_device_t){.ops = &null_ops, .ordinal = ordinal};
  pthread_mutex_init(&d->lock, NULL);
  snprintf(description, description_size,
           "Null: recording device %d (runs no kernels)", ordinal);
  *impl = d;
  return NULL;
}

void hetc_null_fail(void *impl, const char *op) {
  null_device_t *d = impl;
  pthread_mutex_lock(&d->lock);
  snprintf(d->fail, sizeof(d->fail), "%s", op);
  pthread_mutex_unlock(&d->lock);
}

char *hetc_null_take_log(void *impl) {
  null_device_t *d = impl;
  pthread_mutex_lock(&d->lock);
  char *log = d->log ? d->log : strdup("");
  d->log = NULL;
  d->log_length = d->log_capacity = 0;
  pthread_mutex_unlock(&d->lock);
  return log;
}

/*--- Memory ---------------------------------------------------------------*/

static hetc_status_t null_alloc(void *impl, size_t bytes, void **buffer) {
  null_device_t *d = impl;
  if (failing(d, "alloc"))
    return hetc_gpu_alloc_error(d, NULL_INJECTED, bytes);
  null_buffer_t *b = malloc(sizeof(*b) + bytes);
  if (!b)
    return hetc_gpu_alloc_error(d, NULL_OUT_OF_MEMORY, bytes);
  pthread_mutex_lock(&d->lock);
  b->id = ++d->next_buffer;
  pthread_mutex_unlock(&d->lock);
  b->bytes = bytes;
  /* Garbage, so a missing zero() shows. */
  memset(b->data, 0xA5, bytes);
  record(d, "alloc b%u %zu", b->id, bytes);
  *buffer = b;
  return NULL;
}

static void null_free(void *impl, void *buffer) {
  null_buffer_t *b = buffer;
  record(impl, "free b%u", b->id);
  free(b);
}

static hetc_status_t null_zero(void *impl, void *buffer, size_t bytes) {
  null_buffer_t *b = buffer;
  if (failing(impl, "zero"))
    return hetc_gpu_alloc_error(impl, NULL_INJECTED, bytes);
  memset(b->data, 0, bytes);
  record(impl, "zero b%u %zu", b->id, bytes);
  return NULL;
}

/* Whether [offset, offset + bytes) lies inside `b`. */
static bool inside(const null_buffer_t *b, uint64_t offset, uint64_t bytes) {
  return offset <= b->bytes && bytes <= b->bytes - offset;
}

static hetc_status_t null_copy(void *impl, hetc_copy_kind_t kind, void *dst,
                               uint64_t dst_offset, const void *src,
                               uint64_t src_offset, uint64_t bytes) {
  null_device_t *d = impl;
  const char *name = kind == HETC_COPY_HOST_TO_DEVICE   ? "upload"
                     : kind == HETC_COPY_DEVICE_TO_HOST ? "download"
                                                        : "copy";
  if (failing(d, name))
    return hetc_gpu_copy_error(d, NULL_INJECTED, kind, bytes);
  null_buffer_t *to = kind == HETC_COPY_DEVICE_TO_HOST ? NULL : dst;
  const null_buffer_t *from = kind == HETC_COPY_HOST_TO_DEVICE ? NULL : src;
  if ((to && !inside(to, dst_offset, bytes)) ||
      (from && !inside(from, src_offset, bytes)))
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "null: a %s of %llu bytes is out of bounds", name,
                            (unsigned long long)bytes);
  if (kind == HETC_COPY_DEVICE_TO_DEVICE && !d->recording)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "null: a device copy outside begin/sync");
  memmove(to ? to->data + dst_offset : dst,
          from ? from->data + src_offset : src, (size_t)bytes);
  if (kind == HETC_COPY_DEVICE_TO_DEVICE)
    record(d, "copy b%u+%llu -> b%u+%llu %llu", from->id,
           (unsigned long long)src_offset, to->id,
           (unsigned long long)dst_offset, (unsigned long long)bytes);
  else
    record(d, "%s b%u %llu", name, to ? to->id : from->id,
           (unsigned long long)bytes);
  return NULL;
}

/*--- Kernels --------------------------------------------------------------*/

static hetc_status_t
null_load_module(void *impl, const hetc_artifact_t *artifact, void **module) {
  const hetc_section_t *code = hetc_artifact_section(artifact, "null");
  if (!code)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "the artifact has no 'null' section, so it holds "
                            "no null device code");
  if (failing(impl, "load_module"))
    return hetc_gpu_error(impl, NULL_INJECTED, "cannot load the module");
  /* "\nname\nname\n": every kernel name is found as "\n<name>\n". */
  char *names = malloc(code->size + 3);
  if (!names)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  names[0] = '\n';
  memcpy(names + 1, code->data, code->size);
  memcpy(names + 1 + code->size, "\n", 2);
  record(impl, "load_module %llu bytes", (unsigned long long)code->size);
  *module = names;
  return NULL;
}

static void null_unload_module(void *impl, void *module) {
  record(impl, "unload_module");
  free(module);
}

static hetc_status_t null_get_function(void *impl, void *module,
                                       const hetc_kernel_desc_t *kernel,
                                       void **function) {
  size_t length = strlen(kernel->name);
  char *line = malloc(length + 3);
  if (!line)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  snprintf(line, length + 3, "\n%s\n", kernel->name);
  bool found = length && strstr(module, line);
  free(line);
  if (!found)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "the null device code has no kernel '%s'",
                            kernel->name);
  if (!(*function = strdup(kernel->name)))
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  record(impl, "get_function %s", kernel->name);
  return NULL;
}

static void null_release_function(void *impl, void *function) {
  record(impl, "release_function %s", (const char *)function);
  free(function);
}

/*--- Steps ----------------------------------------------------------------*/

static hetc_status_t null_begin(void *impl) {
  null_device_t *d = impl;
  if (failing(d, "begin"))
    return hetc_gpu_error(d, NULL_INJECTED, "cannot begin a step");
  d->recording = true;
  record(d, "begin");
  return NULL;
}

static hetc_status_t null_launch(void *impl, const hetc_gpu_launch_t *launch) {
  null_device_t *d = impl;
  if (failing(d, "launch"))
    return hetc_gpu_launch_error(d, NULL_INJECTED, launch);
  if (!d->recording)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "null: a launch outside begin/sync");
  const hetc_kernel_desc_t *k = launch->kernel;
  char args[256] = "";
  size_t used = 0;
  /* Read through params, as a vendor launch would. */
  for (uint32_t i = 0; i < k->num_bindings && used < sizeof(args); ++i) {
    const null_buffer_t *b = *(void *const *)launch->params[i];
    int n = snprintf(args + used, sizeof(args) - used, " b%u", b->id);
    used += n > 0 ? (size_t)n : 0;
  }
  record(d, "launch %s grid %ux%ux%u block %ux%ux%u args%s",
         (const char *)launch->function, launch->grid[0], launch->grid[1],
         launch->grid[2], k->block[0], k->block[1], k->block[2], args);
  return NULL;
}

static hetc_status_t null_sync(void *impl) {
  null_device_t *d = impl;
  d->recording = false;
  if (failing(d, "sync"))
    return hetc_gpu_sync_error(d, NULL_INJECTED);
  record(d, "sync");
  return NULL;
}

HETC_DEFINE_GPU_DRIVER("null", null, "null device",
                       .release_function = null_release_function,
                       .begin = null_begin);
