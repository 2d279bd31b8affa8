/*===- internal.h - runtime internals shared between its files ------------===*/

#ifndef HETC_RUNTIME_SRC_INTERNAL_H
#define HETC_RUNTIME_SRC_INTERNAL_H

#include "hetc/runtime/hetc_runtime.h"

#include <stdarg.h>
#include <stdbool.h>

/* printf-style status constructor. */
hetc_status_t hetc_make_status(hetc_status_code_t code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/*--- Name index (file.c) ------------------------------------------------*
 * An open-addressing hash map from borrowed names to indices, sized once for
 * at most `expected` names, so lookups stay linear-time in the number of
 * tensors a manifest declares. */

typedef struct hetc_name_index {
  size_t mask;
  const char **keys;
  size_t *values;
} hetc_name_index_t;

bool hetc_name_index_init(hetc_name_index_t *index, size_t expected);
void hetc_name_index_free(hetc_name_index_t *index);
/* The value stored under `name`, or SIZE_MAX. */
size_t hetc_name_index_find(const hetc_name_index_t *index, const char *name);
/* False (and nothing stored) when `name` is already present. */
bool hetc_name_index_insert(hetc_name_index_t *index, const char *name,
                            size_t value);

/*--- Session state (session.c) ------------------------------------------*/

typedef hetc_status_t (*hetc_state_reader_t)(void *context,
                                             const hetc_tensor_info_t *info,
                                             const void *data, size_t bytes);
/* Under the session's lock, stores its step counter in *step, then hands
 * `read` every state tensor in manifest order, downloaded to host memory
 * that lives until `read` returns; stops at the first error. */
hetc_status_t hetc_session_read_state(hetc_session_t *s, int64_t *step,
                                      hetc_state_reader_t read, void *context);

/*--- JSON (json.c) --------------------------------------------------------*/

typedef enum json_kind {
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT
} json_kind_t;

typedef struct json_value json_value_t;
struct json_value {
  json_kind_t kind;
  bool boolean;
  double number;
  char *string;         /* JSON_STRING */
  size_t count;         /* JSON_ARRAY / JSON_OBJECT */
  char **keys;          /* JSON_OBJECT */
  json_value_t **items; /* JSON_ARRAY / JSON_OBJECT values */
};

hetc_status_t json_parse(const char *text, size_t size, json_value_t **out);
void json_free(json_value_t *value);
const json_value_t *json_get(const json_value_t *object, const char *key);

/*--- Artifacts (artifact.c) -----------------------------------------------*/

typedef enum hetc_init_kind {
  HETC_INIT_NONE = -1,
  HETC_INIT_ZEROS = 0,
  HETC_INIT_ONES,
  HETC_INIT_CONSTANT,
  HETC_INIT_UNIFORM,
  HETC_INIT_NORMAL,
} hetc_init_kind_t;

typedef struct hetc_init {
  hetc_init_kind_t kind;
  double value;
} hetc_init_t;

typedef struct hetc_entry {
  char *name;
  char *kind;
  char *symbol;
  size_t num_args, num_results;
  hetc_tensor_info_t *args, *results;
  hetc_init_t *arg_inits; /* one per argument */
  int64_t *arg_classes;   /* one per argument: a label's class count, or 0 */
  /* The entry this one is a variant of (same state, other input shapes:
   * another batch size), or null; sessions group entries by it. */
  char *variant_of;
  struct hetc_hyper_ref *arg_hypers; /* one per argument: see below */
  /* The NaN/Inf guard: result `guard_result` holds one f32 per name in
   * `guard_checks` ("loss", then parameters), NaN where it is not finite. */
  char **guard_checks;
  size_t num_guard_checks, guard_result;
} hetc_entry_t;

/* The name callers run `entry` by: its variant_of, else its own name. */
const char *hetc_entry_group(const hetc_entry_t *entry);

/* What a "hyper" argument sets: its name ("lr") and parameter group. */
typedef struct hetc_hyper_ref {
  char name[32]; /* empty for other roles */
  int32_t group;
} hetc_hyper_ref_t;

typedef struct hetc_section {
  char name[33];
  const uint8_t *data;
  uint64_t size;
} hetc_section_t;

struct hetc_artifact {
  uint8_t *bytes;
  size_t size;
  hetc_section_t *sections;
  size_t num_sections;
  char *manifest_text;
  char *target, *chip, *compiler_version;
  char optimizer[16];  /* the manifest's optimizer.name, or "" */
  char **cpu_features; /* processor features the host code needs */
  size_t num_cpu_features;
  hetc_entry_t *entries;
  size_t num_entries;
};

const hetc_section_t *hetc_artifact_section(const hetc_artifact_t *artifact,
                                            const char *name);
const hetc_entry_t *hetc_artifact_entry(const hetc_artifact_t *artifact,
                                        const char *name);
/* The byte size of a tensor; SIZE_MAX when it overflows (the manifest reader
 * refuses such shapes, so only hand-made infos reach that). */
size_t hetc_tensor_info_bytes(const hetc_tensor_info_t *info);
/* The checked byte size of `dtype` over `rank` dims: false on a negative
 * dimension or when the size exceeds HETC_MAX_TENSOR_BYTES. */
bool hetc_checked_tensor_bytes(hetc_dtype_t dtype, int32_t rank,
                               const int64_t *shape, uint64_t *bytes);

/* Compares the signature embedded in the artifact's code (signature.c) with
 * the manifest; drivers call it before loading or running that code. */
hetc_status_t hetc_artifact_check_signature(const hetc_artifact_t *artifact);

/*--- Input checks (inputs.c) ------------------------------------------------*/

/* Reads an argument's optional "classes" (a label's class count; 0 when
 * absent). */
hetc_status_t hetc_parse_label_classes(const json_value_t *arg,
                                       const hetc_tensor_info_t *info,
                                       int64_t *classes);
/* Checks a caller tensor's dtype and, for labels with a class count, its
 * values. On success *data is what to upload: the caller's memory or a
 * lossless conversion in *scratch, which the caller frees. */
hetc_status_t hetc_prepare_input(const hetc_tensor_info_t *info,
                                 int64_t classes, const hetc_tensor_t *given,
                                 void **scratch, const void **data);

/*--- Drivers (device.c, drivers/) -----------------------------------------*/

typedef struct hetc_executable hetc_executable_t;

/* One device kernel as the manifest's "device.kernels" describes it. */
typedef struct hetc_kernel_desc {
  char *name;            /* the symbol / SPIR-V entry point */
  uint32_t block[3];     /* threads per block (workgroup size) */
  uint32_t num_bindings; /* buffer arguments, in binding order */
  char *source;          /* the model op it computes ("m.mlir:15:9"), or
                            null */
} hetc_kernel_desc_t;

/* Copies `desc` (its name, block and bindings; no source) into a driver's
 * kernel table; an empty block is INVALID_ARGUMENT naming the kernel. */
hetc_status_t hetc_kernel_desc_copy(const hetc_kernel_desc_t *desc,
                                    hetc_kernel_desc_t *copy);
void hetc_kernel_desc_free(hetc_kernel_desc_t *desc);

/* How a driver copies bytes: between the host and a device buffer
 * (synchronously), or between two device buffers inside a step. */
typedef enum hetc_copy_kind {
  HETC_COPY_HOST_TO_DEVICE,
  HETC_COPY_DEVICE_TO_HOST,
  HETC_COPY_DEVICE_TO_DEVICE,
} hetc_copy_kind_t;

/* One kernel launch, marshalled by the executor (executor.c). */
typedef struct hetc_gpu_launch {
  void *function;                   /* what get_function returned */
  const hetc_kernel_desc_t *kernel; /* its name, block and bindings */
  const uint32_t *grid;             /* 3 block counts, none of them 0 */
  void *const *bindings;            /* one device buffer per binding */
  void **params;                    /* params[i] == &bindings[i] */
} hetc_gpu_launch_t;

/* What a GPU driver provides. The executor (executor.c) owns the kernel
 * table, the bounds and empty-grid checks, argument marshalling, zeroing new
 * buffers and the launch bookkeeping, and calls these for the vendor work.
 * Between begin and sync a driver may queue work; sync waits for it and
 * reports device failures. Optional entries may be NULL. */
typedef struct hetc_gpu_ops {
  /* What messages call one device ("CUDA device"; the ordinal follows). */
  const char *device_noun;
  /* Writes "NAME (description)" for a vendor result into `out`. */
  void (*describe_result)(const void *impl, int result, char *out, size_t size);
  /* The status code of a vendor result (out-of-memory ones are
   * RESOURCE_EXHAUSTED). */
  hetc_status_code_t (*result_code)(int result);
  /* Optional: makes the device current on the calling thread for one
   * executor call; leave restores what enter saved. */
  hetc_status_t (*enter)(void *impl, int *saved);
  void (*leave)(void *impl, int saved);
  /* Memory: alloc need not zero (the executor calls zero). */
  hetc_status_t (*alloc)(void *impl, size_t bytes, void **buffer);
  void (*free)(void *impl, void *buffer);
  hetc_status_t (*zero)(void *impl, void *buffer, size_t bytes);
  /* Copies `bytes` (never 0); host pointers carry offset 0. */
  hetc_status_t (*copy)(void *impl, hetc_copy_kind_t kind, void *dst,
                        uint64_t dst_offset, const void *src,
                        uint64_t src_offset, uint64_t bytes);
  /* Kernels: the artifact's device code, then one function per kernel. */
  hetc_status_t (*load_module)(void *impl, const hetc_artifact_t *artifact,
                               void **module);
  void (*unload_module)(void *impl, void *module);
  hetc_status_t (*get_function)(void *impl, void *module,
                                const hetc_kernel_desc_t *kernel,
                                void **function);
  void (*release_function)(void *impl, void *function); /* optional */
  /* Steps: launches and device copies ordered after every earlier one;
   * begin is optional. */
  hetc_status_t (*begin)(void *impl);
  hetc_status_t (*launch)(void *impl, const hetc_gpu_launch_t *launch);
  hetc_status_t (*sync)(void *impl);
} hetc_gpu_ops_t;

/* The first member of every GPU driver's device, so the executor finds the
 * driver's operations from the device alone. */
typedef struct hetc_gpu_device {
  const hetc_gpu_ops_t *ops;
  int ordinal;
} hetc_gpu_device_t;

/* A loaded module: the driver's handle and the kernel table. */
typedef struct hetc_gpu_kernel {
  hetc_kernel_desc_t desc;
  void *function;
} hetc_gpu_kernel_t;

typedef struct hetc_gpu_module {
  void *module;
  size_t num_kernels;
  hetc_gpu_kernel_t *kernels;
} hetc_gpu_module_t;

/* A private copy of `section`'s bytes followed by a NUL, or NULL when out
 * of memory: section data may sit at any offset, and vendor loaders want
 * aligned images or C strings. The caller frees it. */
void *hetc_section_copy(const hetc_section_t *section);

/* "<what>: NAME (description)", coded by the driver's result_code. */
hetc_status_t hetc_gpu_error(const void *impl, int result, const char *format,
                             ...) __attribute__((format(printf, 3, 4)));

/* hetc_gpu_error for the vendor calls behind each executor operation, so
 * every driver words them alike. */
hetc_status_t hetc_gpu_alloc_error(const void *impl, int result, size_t bytes);
hetc_status_t hetc_gpu_copy_error(const void *impl, int result,
                                  hetc_copy_kind_t kind, uint64_t bytes);
hetc_status_t hetc_gpu_launch_error(const void *impl, int result,
                                    const hetc_gpu_launch_t *launch);
hetc_status_t hetc_gpu_sync_error(const void *impl, int result);

/* The executor's device side (executor.c): what hetc_driver_t's memory
 * slots hold for every GPU driver, and the steps program.c records. */
hetc_status_t hetc_gpu_alloc(void *impl, size_t bytes, void **buffer);
void hetc_gpu_free(void *impl, void *buffer);
hetc_status_t hetc_gpu_upload(void *impl, void *buffer, const void *src,
                              size_t bytes);
hetc_status_t hetc_gpu_download(void *impl, const void *buffer, void *dst,
                                size_t bytes);
hetc_status_t hetc_gpu_load_kernels(void *impl, const hetc_artifact_t *artifact,
                                    const hetc_kernel_desc_t *kernels,
                                    size_t num_kernels,
                                    hetc_gpu_module_t **module);
void hetc_gpu_unload_kernels(void *impl, hetc_gpu_module_t *module);
hetc_status_t hetc_gpu_begin(void *impl);
/* Launches kernel `kernel` on `grid` blocks (an empty grid runs nothing);
 * `bindings` holds one buffer per kernel binding. */
hetc_status_t hetc_gpu_dispatch(void *impl, const hetc_gpu_module_t *module,
                                size_t kernel, const uint32_t grid[3],
                                void *const *bindings);
hetc_status_t hetc_gpu_copy(void *impl, void *src, uint64_t src_offset,
                            void *dst, uint64_t dst_offset, uint64_t bytes);
hetc_status_t hetc_gpu_sync(void *impl);

/* The required hetc_gpu_ops_t entries of a GPU driver, each named after
 * the driver's one prefix: PREFIX_alloc, PREFIX_copy, PREFIX_launch, ... */
#define HETC_GPU_OPS(PREFIX)                                                   \
  .describe_result = PREFIX##_describe_result,                                 \
  .result_code = PREFIX##_result_code, .alloc = PREFIX##_alloc,                \
  .free = PREFIX##_free, .zero = PREFIX##_zero, .copy = PREFIX##_copy,         \
  .load_module = PREFIX##_load_module,                                         \
  .unload_module = PREFIX##_unload_module,                                     \
  .get_function = PREFIX##_get_function, .launch = PREFIX##_launch,            \
  .sync = PREFIX##_sync

/* Defines PREFIX_ops (HETC_GPU_OPS, the device noun and the optional
 * entries given after it) and hetc_<PREFIX>_driver, the driver NAME whose
 * open and close are PREFIX_open and PREFIX_close and whose memory and
 * programs go through the executor. */
#define HETC_DEFINE_GPU_DRIVER(NAME, PREFIX, NOUN, ...)                        \
  static const hetc_gpu_ops_t PREFIX##_ops = {                                 \
      HETC_GPU_OPS(PREFIX), .device_noun = NOUN, __VA_ARGS__};                 \
  const hetc_driver_t hetc_##PREFIX##_driver = {.name = NAME,                  \
                                                .target = NAME,                \
                                                .open = PREFIX##_open,         \
                                                .close = PREFIX##_close,       \
                                                .alloc = hetc_gpu_alloc,       \
                                                .free = hetc_gpu_free,         \
                                                .upload = hetc_gpu_upload,     \
                                                .download = hetc_gpu_download, \
                                                .gpu = &PREFIX##_ops}

/* One backend. Buffers are opaque device handles. */
typedef struct hetc_driver {
  const char *name;
  /* The artifact target this driver executes. */
  const char *target;
  hetc_status_t (*open)(int ordinal, void **impl, char *description,
                        size_t description_size);
  void (*close)(void *impl);
  hetc_status_t (*alloc)(void *impl, size_t bytes, void **buffer);
  void (*free)(void *impl, void *buffer);
  hetc_status_t (*upload)(void *impl, void *buffer, const void *src,
                          size_t bytes);
  hetc_status_t (*download)(void *impl, const void *buffer, void *dst,
                            size_t bytes);
  hetc_status_t (*load)(void *impl, const hetc_artifact_t *artifact,
                        hetc_executable_t **out);
  void (*unload)(void *impl, hetc_executable_t *executable);
  /* Runs `entry` with one buffer per argument, then one per result. */
  hetc_status_t (*invoke)(void *impl, hetc_executable_t *executable,
                          const hetc_entry_t *entry, void **buffers);
  /* GPU drivers: load, unload and invoke are program.c's executor over
   * these (and alloc to download executor.c's); null for the CPU driver. */
  const hetc_gpu_ops_t *gpu;
} hetc_driver_t;

/* The shared GPU executor (program.c), used as a GPU driver's load, unload
 * and invoke. */
hetc_status_t hetc_program_load(const hetc_driver_t *driver, void *impl,
                                const hetc_artifact_t *artifact,
                                hetc_executable_t **out);
void hetc_program_unload(const hetc_driver_t *driver, void *impl,
                         hetc_executable_t *executable);
hetc_status_t hetc_program_invoke(const hetc_driver_t *driver, void *impl,
                                  hetc_executable_t *executable,
                                  const hetc_entry_t *entry, void **buffers);

extern const hetc_driver_t hetc_cpu_driver;
extern const hetc_driver_t hetc_cuda_driver;
extern const hetc_driver_t hetc_rocm_driver;
/* Records the commands it is given (drivers/null.c); not in the public
 * driver list: it exists to test the executor. */
extern const hetc_driver_t hetc_null_driver;
extern const hetc_driver_t hetc_level_zero_driver;
extern const hetc_driver_t hetc_vulkan_driver;

struct hetc_device {
  const hetc_driver_t *driver;
  void *impl;
  char description[256];
};

#endif /* HETC_RUNTIME_SRC_INTERNAL_H */
