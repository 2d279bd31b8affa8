/*===- program.c - the executor shared by the GPU drivers -----------------===*
 *
 * A GPU artifact's host side is not code but a recorded program per entry:
 * the manifest's "device" object lists the kernels and, for each entry, the
 * temporaries it needs and the commands (kernel dispatches and buffer copies)
 * to issue. Buffers are named by a letter and an index:
 *   aN  the entry's N-th buffer (arguments, then results, as invoked),
 *   tN  a temporary, allocated once and kept with the executable,
 *   cN  a constant, uploaded once when the artifact is loaded.
 * So every GPU driver only provides memory, kernel loading and launches, and
 * the host never touches tensor data between the batch in and the loss out.
 *
 *===----------------------------------------------------------------------===*/

#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/manifest_schema.h"
#include "internal.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct buffer_ref {
  char space; /* 'a', 't' or 'c' */
  uint32_t index;
} buffer_ref_t;

typedef struct command {
  bool is_copy;
  uint32_t kernel;
  uint32_t grid[3];
  buffer_ref_t *bindings; /* kernels[kernel].num_bindings */
  buffer_ref_t src, dst;
  uint64_t src_offset, dst_offset, bytes;
} command_t;

typedef struct program {
  char *entry;
  size_t num_temps;
  uint64_t *temp_bytes;
  void **temps; /* allocated at the first invoke */
  size_t num_commands;
  command_t *commands;
} program_t;

struct hetc_executable {
  hetc_gpu_module_t *module;
  hetc_kernel_desc_t *kernels;
  size_t num_kernels;
  void **constants;
  uint64_t *constant_bytes;
  size_t num_constants;
  program_t *programs;
  size_t num_programs;
  pthread_mutex_t lock; /* temporaries are shared by the sessions */
  bool sync_each_dispatch;
  /* HETC_PROFILE: seconds and launches per kernel, waiting for each. */
  double *kernel_seconds;
  uint64_t *kernel_calls;
};

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static hetc_status_t malformed(const char *what) {
  return hetc_make_status(HETC_STATUS_DATA_LOSS,
                          "malformed device program in the artifact manifest: "
                          "%s",
                          what);
}

static bool get_u64(const json_value_t *v, uint64_t *out) {
  /* Range first: converting a double beyond uint64 (1e+30) is undefined. */
  if (!v || v->kind != JSON_NUMBER || !(v->number >= 0) ||
      v->number > 9007199254740992.0 || v->number != floor(v->number))
    return false;
  *out = (uint64_t)v->number;
  return true;
}

static bool get_dims(const json_value_t *v, uint32_t out[3]) {
  if (!v || v->kind != JSON_ARRAY || v->count != 3)
    return false;
  for (int i = 0; i < 3; ++i) {
    uint64_t d;
    if (!get_u64(v->items[i], &d) || d == 0 || d > UINT32_MAX)
      return false;
    out[i] = (uint32_t)d;
  }
  return true;
}

static bool parse_ref(const json_value_t *v, buffer_ref_t *out) {
  if (!v || v->kind != JSON_STRING)
    return false;
  const char *s = v->string;
  if (s[0] != 'a' && s[0] != 't' && s[0] != 'c')
    return false;
  char *end = NULL;
  unsigned long index = strtoul(s + 1, &end, 10);
  if (end == s + 1 || *end || index > UINT32_MAX)
    return false;
  out->space = s[0];
  out->index = (uint32_t)index;
  return true;
}

hetc_status_t hetc_kernel_desc_copy(const hetc_kernel_desc_t *desc,
                                    hetc_kernel_desc_t *copy) {
  *copy = (hetc_kernel_desc_t){0};
  if (!(copy->name = strdup(desc->name ? desc->name : "")))
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  memcpy(copy->block, desc->block, sizeof(copy->block));
  copy->num_bindings = desc->num_bindings;
  if (!copy->block[0] || !copy->block[1] || !copy->block[2])
    return hetc_make_status(
        HETC_STATUS_INVALID_ARGUMENT, "kernel '%s' has an empty block %ux%ux%u",
        copy->name, copy->block[0], copy->block[1], copy->block[2]);
  return NULL;
}

void hetc_kernel_desc_free(hetc_kernel_desc_t *desc) {
  free(desc->name);
  free(desc->source);
  *desc = (hetc_kernel_desc_t){0};
}

static hetc_status_t parse_kernels(const json_value_t *list,
                                   hetc_executable_t *exe) {
  if (!list || list->kind != JSON_ARRAY || list->count == 0)
    return malformed("'kernels' is missing or empty");
  exe->kernels = calloc(list->count, sizeof(*exe->kernels));
  if (!exe->kernels)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  exe->num_kernels = list->count;
  for (size_t i = 0; i < list->count; ++i) {
    const json_value_t *k = list->items[i];
    const json_value_t *name = json_get(k, HETC_MANIFEST_KEY(KERNEL, name));
    uint64_t bindings;
    if (!name || name->kind != JSON_STRING ||
        !get_dims(json_get(k, HETC_MANIFEST_KEY(KERNEL, block)),
                  exe->kernels[i].block) ||
        !get_u64(json_get(k, HETC_MANIFEST_KEY(KERNEL, bindings)), &bindings) ||
        bindings > 4096)
      return malformed("a kernel lacks name, block or bindings");
    exe->kernels[i].name = strdup(name->string);
    exe->kernels[i].num_bindings = (uint32_t)bindings;
    if (!exe->kernels[i].name)
      return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    const json_value_t *source = json_get(k, HETC_MANIFEST_KEY(KERNEL, source));
    if (source && source->kind == JSON_STRING &&
        !(exe->kernels[i].source = strdup(source->string)))
      return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  return NULL;
}

static hetc_status_t parse_command(const json_value_t *c,
                                   const hetc_executable_t *exe,
                                   command_t *out) {
  const json_value_t *copy = json_get(c, HETC_MANIFEST_KEY(COMMAND, copy));
  if (copy) {
    out->is_copy = true;
    if (!parse_ref(json_get(copy, HETC_MANIFEST_KEY(COPY, src)), &out->src) ||
        !parse_ref(json_get(copy, HETC_MANIFEST_KEY(COPY, dst)), &out->dst) ||
        !get_u64(json_get(copy, HETC_MANIFEST_KEY(COPY, src_offset)),
                 &out->src_offset) ||
        !get_u64(json_get(copy, HETC_MANIFEST_KEY(COPY, dst_offset)),
                 &out->dst_offset) ||
        !get_u64(json_get(copy, HETC_MANIFEST_KEY(COPY, bytes)), &out->bytes))
      return malformed("a copy lacks src, dst, offsets or bytes");
    return NULL;
  }
  uint64_t kernel;
  if (!get_u64(json_get(c, HETC_MANIFEST_KEY(COMMAND, dispatch)), &kernel) ||
      kernel >= exe->num_kernels)
    return malformed("a command is neither a copy nor a dispatch of a known "
                     "kernel");
  out->kernel = (uint32_t)kernel;
  if (!get_dims(json_get(c, HETC_MANIFEST_KEY(COMMAND, grid)), out->grid))
    return malformed("a dispatch lacks its grid");
  const json_value_t *bindings =
      json_get(c, HETC_MANIFEST_KEY(COMMAND, bindings));
  uint32_t expected = exe->kernels[kernel].num_bindings;
  if (!bindings || bindings->kind != JSON_ARRAY ||
      bindings->count != expected) {
    char what[160];
    snprintf(what, sizeof(what),
             "a dispatch of kernel '%s' does not bind its %u buffers",
             exe->kernels[kernel].name, expected);
    return malformed(what);
  }
  out->bindings = calloc(expected ? expected : 1, sizeof(*out->bindings));
  if (!out->bindings)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (uint32_t i = 0; i < expected; ++i)
    if (!parse_ref(bindings->items[i], &out->bindings[i]))
      return malformed("a binding is not a buffer name (aN, tN or cN)");
  return NULL;
}

/* The byte size of the buffer `ref` names (an entry's argument or result, a
 * temporary or a constant); check_refs has checked it exists. */
static uint64_t buffer_bytes(const program_t *p, const hetc_entry_t *entry,
                             const hetc_executable_t *exe, buffer_ref_t ref) {
  if (ref.space == 't')
    return p->temp_bytes[ref.index];
  if (ref.space != 'a')
    return exe->constant_bytes[ref.index];
  return hetc_tensor_info_bytes(
      ref.index < entry->num_args
          ? &entry->args[ref.index]
          : &entry->results[ref.index - entry->num_args]);
}

/* Checks every copy stays inside both of its buffers, as the manifest
 * declares their sizes: the device would otherwise read or write past
 * them. */
static hetc_status_t check_copies(const program_t *p, const hetc_entry_t *entry,
                                  const hetc_executable_t *exe) {
  for (size_t i = 0; i < p->num_commands; ++i) {
    const command_t *c = &p->commands[i];
    if (!c->is_copy)
      continue;
    uint64_t src = buffer_bytes(p, entry, exe, c->src);
    uint64_t dst = buffer_bytes(p, entry, exe, c->dst);
    if (c->src_offset > src || c->bytes > src - c->src_offset ||
        c->dst_offset > dst || c->bytes > dst - c->dst_offset) {
      char what[200];
      snprintf(what, sizeof(what),
               "entry '%s', command %zu copies %llu bytes outside its "
               "buffers (%llu and %llu bytes)",
               p->entry, i, (unsigned long long)c->bytes,
               (unsigned long long)src, (unsigned long long)dst);
      return malformed(what);
    }
  }
  return NULL;
}

/* Checks that every buffer a program names exists. */
static hetc_status_t check_refs(const program_t *p, const hetc_entry_t *entry,
                                const hetc_executable_t *exe) {
  size_t entry_buffers = entry->num_args + entry->num_results;
  for (size_t i = 0; i < p->num_commands; ++i) {
    const command_t *c = &p->commands[i];
    buffer_ref_t refs[2] = {c->src, c->dst};
    const buffer_ref_t *list = c->is_copy ? refs : c->bindings;
    size_t n = c->is_copy ? 2 : exe->kernels[c->kernel].num_bindings;
    for (size_t j = 0; j < n; ++j) {
      size_t limit = list[j].space == 'a'   ? entry_buffers
                     : list[j].space == 't' ? p->num_temps
                                            : exe->num_constants;
      if (list[j].index >= limit) {
        char what[160];
        snprintf(what, sizeof(what),
                 "entry '%s', command %zu names buffer %c%u, which does not "
                 "exist",
                 p->entry, i, list[j].space, list[j].index);
        return malformed(what);
      }
    }
  }
  return NULL;
}

static hetc_status_t parse_program(const json_value_t *json,
                                   const hetc_entry_t *entry,
                                   hetc_executable_t *exe, program_t *p) {
  p->entry = strdup(entry->name);
  const json_value_t *temps =
      json_get(json, HETC_MANIFEST_KEY(PROGRAM, temporaries));
  const json_value_t *commands =
      json_get(json, HETC_MANIFEST_KEY(PROGRAM, commands));
  if (!p->entry || !temps || temps->kind != JSON_ARRAY || !commands ||
      commands->kind != JSON_ARRAY)
    return malformed("a program lacks temporaries or commands");
  p->num_temps = temps->count;
  p->temp_bytes = calloc(temps->count ? temps->count : 1, sizeof(uint64_t));
  p->temps = calloc(temps->count ? temps->count : 1, sizeof(void *));
  p->num_commands = commands->count;
  p->commands =
      calloc(commands->count ? commands->count : 1, sizeof(command_t));
  if (!p->temp_bytes || !p->temps || !p->commands)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (size_t i = 0; i < temps->count; ++i)
    if (!get_u64(temps->items[i], &p->temp_bytes[i]) ||
        p->temp_bytes[i] > HETC_MAX_TENSOR_BYTES)
      return malformed("a temporary's size is not a byte count (at most "
                       "2^48)");
  for (size_t i = 0; i < commands->count; ++i) {
    hetc_status_t status =
        parse_command(commands->items[i], exe, &p->commands[i]);
    if (status)
      return status;
  }
  // Buffer references are checked once the constants are known.
  return NULL;
}

/* Prints the HETC_PROFILE table: kernels by total time. */
static void print_profile(const hetc_executable_t *exe) {
  double total = 0;
  for (size_t i = 0; i < exe->num_kernels; ++i)
    total += exe->kernel_seconds[i];
  if (total <= 0)
    return;
  fprintf(stderr, "hetc profile: %.3f ms in kernels (each waited for)\n",
          total * 1e3);
  bool *shown = calloc(exe->num_kernels, sizeof(bool));
  for (size_t n = 0; shown && n < exe->num_kernels; ++n) {
    size_t top = exe->num_kernels;
    for (size_t i = 0; i < exe->num_kernels; ++i)
      if (!shown[i] && exe->kernel_calls[i] &&
          (top == exe->num_kernels ||
           exe->kernel_seconds[i] > exe->kernel_seconds[top]))
        top = i;
    if (top == exe->num_kernels)
      break;
    shown[top] = true;
    const hetc_kernel_desc_t *k = &exe->kernels[top];
    fprintf(stderr, "  %6.2f%% %10.3f ms %8llu x  %s%s%s%s\n",
            100.0 * exe->kernel_seconds[top] / total,
            exe->kernel_seconds[top] * 1e3,
            (unsigned long long)exe->kernel_calls[top], k->name,
            k->source ? " (" : "", k->source ? k->source : "",
            k->source ? ")" : "");
  }
  free(shown);
}

static void free_executable(const hetc_driver_t *driver, void *impl,
                            hetc_executable_t *exe) {
  if (exe->kernel_seconds && exe->kernel_calls && exe->kernels)
    print_profile(exe);
  free(exe->kernel_seconds);
  free(exe->kernel_calls);
  for (size_t i = 0; i < exe->num_programs; ++i) {
    program_t *p = &exe->programs[i];
    for (size_t j = 0; j < p->num_temps; ++j)
      if (p->temps && p->temps[j])
        driver->free(impl, p->temps[j]);
    for (size_t j = 0; j < p->num_commands; ++j)
      free(p->commands[j].bindings);
    free(p->commands);
    free(p->temps);
    free(p->temp_bytes);
    free(p->entry);
  }
  free(exe->programs);
  for (size_t i = 0; i < exe->num_constants; ++i)
    if (exe->constants[i])
      driver->free(impl, exe->constants[i]);
  free(exe->constants);
  free(exe->constant_bytes);
  hetc_gpu_unload_kernels(impl, exe->module);
  for (size_t i = 0; i < exe->num_kernels; ++i) {
    free(exe->kernels[i].name);
    free(exe->kernels[i].source);
  }
  free(exe->kernels);
  pthread_mutex_destroy(&exe->lock);
  free(exe);
}

/* Uploads the constants: each names a byte range of the "constants"
 * section. */
static hetc_status_t load_constants(const hetc_driver_t *driver, void *impl,
                                    const hetc_artifact_t *artifact,
                                    const json_value_t *list,
                                    hetc_executable_t *exe) {
  if (!list)
    return NULL;
  if (list->kind != JSON_ARRAY)
    return malformed("'constants' is not a list");
  const hetc_section_t *section = hetc_artifact_section(artifact, "constants");
  exe->constants = calloc(list->count ? list->count : 1, sizeof(void *));
  exe->constant_bytes = calloc(list->count ? list->count : 1, sizeof(uint64_t));
  if (!exe->constants || !exe->constant_bytes)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  exe->num_constants = list->count;
  for (size_t i = 0; i < list->count; ++i) {
    uint64_t offset, bytes;
    if (!get_u64(json_get(list->items[i], HETC_MANIFEST_KEY(CONSTANT, offset)),
                 &offset) ||
        !get_u64(json_get(list->items[i], HETC_MANIFEST_KEY(CONSTANT, bytes)),
                 &bytes))
      return malformed("a constant lacks offset or bytes");
    if (!section || offset > section->size || bytes > section->size - offset)
      return malformed("a constant lies outside the 'constants' section");
    exe->constant_bytes[i] = bytes;
    hetc_status_t status = driver->alloc(impl, bytes, &exe->constants[i]);
    if (!status)
      status = driver->upload(impl, exe->constants[i], section->data + offset,
                              bytes);
    if (status)
      return status;
  }
  return NULL;
}

hetc_status_t hetc_program_load(const hetc_driver_t *driver, void *impl,
                                const hetc_artifact_t *artifact,
                                hetc_executable_t **out) {
  *out = NULL;
  hetc_status_t status = hetc_artifact_check_signature(artifact);
  if (status)
    return status;
  json_value_t *root = NULL;
  status = json_parse(artifact->manifest_text, strlen(artifact->manifest_text),
                      &root);
  if (status)
    return status;
  hetc_executable_t *exe = calloc(1, sizeof(*exe));
  if (!exe) {
    json_free(root);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  pthread_mutex_init(&exe->lock, NULL);
  const char *sync = getenv("HETC_SYNC_EACH_DISPATCH");
  exe->sync_each_dispatch = sync && *sync && strcmp(sync, "0") != 0;
  const char *profile = getenv("HETC_PROFILE");
  if (profile && *profile && strcmp(profile, "0") != 0) {
    exe->sync_each_dispatch = true;
    exe->kernel_seconds = calloc(1, sizeof(double));
    exe->kernel_calls = calloc(1, sizeof(uint64_t));
  }
  const json_value_t *device = json_get(root, HETC_MANIFEST_KEY(ROOT, device));
  if (!device || device->kind != JSON_OBJECT)
    status = hetc_make_status(HETC_STATUS_DATA_LOSS,
                              "the %s artifact has no device program "
                              "('device' in its manifest)",
                              artifact->target);
  if (!status)
    status = parse_kernels(json_get(device, HETC_MANIFEST_KEY(DEVICE, kernels)),
                           exe);
  if (!status && exe->kernel_seconds) {
    free(exe->kernel_seconds);
    free(exe->kernel_calls);
    exe->kernel_seconds = calloc(exe->num_kernels, sizeof(double));
    exe->kernel_calls = calloc(exe->num_kernels, sizeof(uint64_t));
    if (!exe->kernel_seconds || !exe->kernel_calls)
      status =
          hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  const json_value_t *programs =
      status ? NULL : json_get(device, HETC_MANIFEST_KEY(DEVICE, programs));
  if (!status && (!programs || programs->kind != JSON_OBJECT))
    status = malformed("'programs' is missing");
  if (!status) {
    exe->programs = calloc(artifact->num_entries ? artifact->num_entries : 1,
                           sizeof(program_t));
    if (!exe->programs)
      status =
          hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  for (size_t i = 0; !status && i < artifact->num_entries; ++i) {
    const hetc_entry_t *entry = &artifact->entries[i];
    const json_value_t *json = json_get(programs, entry->name);
    ++exe->num_programs;
    if (!json) {
      status =
          hetc_make_status(HETC_STATUS_DATA_LOSS,
                           "entry '%s' has no device program", entry->name);
      break;
    }
    status = parse_program(json, entry, exe, &exe->programs[i]);
  }
  if (!status)
    status = load_constants(
        driver, impl, artifact,
        json_get(device, HETC_MANIFEST_KEY(DEVICE, constants)), exe);
  // Constants are loaded before the references to them are checked: a
  // program naming constant c0 is valid only once c0 exists.
  for (size_t i = 0; !status && i < exe->num_programs; ++i) {
    status = check_refs(&exe->programs[i], &artifact->entries[i], exe);
    if (!status)
      status = check_copies(&exe->programs[i], &artifact->entries[i], exe);
  }
  if (!status)
    status = hetc_gpu_load_kernels(impl, artifact, exe->kernels,
                                   exe->num_kernels, &exe->module);
  json_free(root);
  if (status) {
    free_executable(driver, impl, exe);
    return status;
  }
  *out = exe;
  return NULL;
}

void hetc_program_unload(const hetc_driver_t *driver, void *impl,
                         hetc_executable_t *exe) {
  if (exe)
    free_executable(driver, impl, exe);
}

static void *resolve(const hetc_executable_t *exe, const program_t *p,
                     void **buffers, buffer_ref_t ref) {
  switch (ref.space) {
  case 'a':
    return buffers[ref.index];
  case 't':
    return p->temps[ref.index];
  default:
    return exe->constants[ref.index];
  }
}

/* Names the failing command: device errors surface at the end of a batch,
 * so without HETC_SYNC_EACH_DISPATCH the culprit is at or before it. */
static hetc_status_t blame(hetc_status_t status, const hetc_executable_t *exe,
                           const program_t *p, const command_t *last,
                           bool exact) {
  const char *message = hetc_status_message(status);
  char what[320];
  if (!last)
    snprintf(what, sizeof(what), "before any kernel ran");
  else if (last->is_copy)
    snprintf(what, sizeof(what), "%s a buffer copy",
             exact ? "in" : "at or before");
  else {
    const hetc_kernel_desc_t *k = &exe->kernels[last->kernel];
    snprintf(what, sizeof(what), "%s kernel '%s'%s%s%s",
             exact ? "in" : "at or before", k->name, k->source ? " (from " : "",
             k->source ? k->source : "", k->source ? ")" : "");
  }
  hetc_status_t wrapped = hetc_make_status(
      hetc_status_code(status), "entry '%s' failed on the device %s: %s%s",
      p->entry, what, message,
      exact ? "" : " (set HETC_SYNC_EACH_DISPATCH=1 to find the exact kernel)");
  hetc_status_free(status);
  return wrapped;
}

hetc_status_t hetc_program_invoke(const hetc_driver_t *driver, void *impl,
                                  hetc_executable_t *exe,
                                  const hetc_entry_t *entry, void **buffers) {
  program_t *p = NULL;
  for (size_t i = 0; i < exe->num_programs; ++i)
    if (!strcmp(exe->programs[i].entry, entry->name))
      p = &exe->programs[i];
  if (!p)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "entry '%s' has no device program", entry->name);
  pthread_mutex_lock(&exe->lock);
  hetc_status_t status = NULL;
  for (size_t i = 0; !status && i < p->num_temps; ++i)
    if (!p->temps[i])
      status = driver->alloc(impl, p->temp_bytes[i], &p->temps[i]);
  if (status) {
    pthread_mutex_unlock(&exe->lock);
    return status;
  }
  status = hetc_gpu_begin(impl);
  const command_t *last = NULL;
  double started = 0;
  void *stack_bindings[64];
  for (size_t i = 0; !status && i < p->num_commands; ++i) {
    const command_t *c = &p->commands[i];
    last = c;
    if (c->is_copy) {
      status = hetc_gpu_copy(impl, resolve(exe, p, buffers, c->src),
                             c->src_offset, resolve(exe, p, buffers, c->dst),
                             c->dst_offset, c->bytes);
    } else {
      uint32_t n = exe->kernels[c->kernel].num_bindings;
      void **bindings = n <= 64 ? stack_bindings : malloc(n * sizeof(void *));
      if (!bindings) {
        status =
            hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        break;
      }
      for (uint32_t j = 0; j < n; ++j)
        bindings[j] = resolve(exe, p, buffers, c->bindings[j]);
      started = exe->kernel_seconds ? now_seconds() : 0;
      status =
          hetc_gpu_dispatch(impl, exe->module, c->kernel, c->grid, bindings);
      if (bindings != stack_bindings)
        free(bindings);
    }
    if (status) {
      /* Drain the queue; a launch error already names the kernel. */
      hetc_status_free(hetc_gpu_sync(impl));
      status = blame(status, exe, p, c, true);
      pthread_mutex_unlock(&exe->lock);
      return status;
    }
    if (exe->sync_each_dispatch) {
      status = hetc_gpu_sync(impl);
      if (exe->kernel_seconds && !c->is_copy) {
        exe->kernel_seconds[c->kernel] += now_seconds() - started;
        ++exe->kernel_calls[c->kernel];
      }
      if (status) {
        status = blame(status, exe, p, c, true);
        pthread_mutex_unlock(&exe->lock);
        return status;
      }
      status = hetc_gpu_begin(impl);
    }
  }
  if (!status)
    status = hetc_gpu_sync(impl);
  if (status)
    status = blame(status, exe, p, last, false);
  pthread_mutex_unlock(&exe->lock);
  return status;
}
