/*===- session.c - device-resident training sessions ----------------------===*/

#define _GNU_SOURCE
#include "fpenv.h"
#include "hetc/runtime/artifact_format.h"
#include "internal.h"
#include "random.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* A parameter, optimizer-state or buffer tensor living on the device. */
typedef struct resident {
  hetc_tensor_info_t info;
  hetc_init_t init;
  hetc_hyper_ref_t hyper; /* for role hyper: its name and group */
  size_t bytes;
  void *buffer;
} resident_t;

/* Device buffers for one entry's inputs and results, reused every call. An
 * entry name may have several variants (batch sizes), each with its own
 * staging and the executable of the artifact that holds its code. */
typedef struct staging {
  const hetc_entry_t *entry;
  hetc_executable_t *executable;
  void **buffers; /* args then results */
  bool *owned;    /* true where the buffer is staging, not resident */
} staging_t;

/* Named bytes a checkpoint carries for the caller (hetc-train's lr
 * scheduler progress); the runtime stores them and never reads them. */
typedef struct blob {
  char *name;
  uint8_t *data;
  size_t size;
} blob_t;

/* A session is used by one thread at a time: every call takes `lock`, so
 * concurrent calls on one session run one after another (and free waits for
 * a call in flight); sessions share nothing mutable and run concurrently. */
struct hetc_session {
  pthread_mutex_t lock;
  hetc_artifact_t *artifact; /* the first; add_artifact attaches more */
  hetc_device_t *device;
  hetc_executable_t **executables; /* one per attached artifact */
  size_t num_executables;
  resident_t *state;
  size_t num_state;
  hetc_name_index_t state_index; /* name -> index into state */
  uint64_t layout_hash;          /* of the state's names, roles, types */
  staging_t *staging;
  size_t num_staging, staging_capacity;
  int64_t step;
  blob_t *blobs; /* saved in and replaced by checkpoints */
  size_t num_blobs;
};

static const hetc_driver_t *driver_of(hetc_session_t *s) {
  return s->device->driver;
}

static hetc_status_t check_hyper_value(const char *name, double value);

static resident_t *find_state(hetc_session_t *s, const char *name) {
  size_t i = hetc_name_index_find(&s->state_index, name);
  return i == SIZE_MAX ? NULL : &s->state[i];
}

static void lock(const hetc_session_t *s) {
  pthread_mutex_lock(&((hetc_session_t *)(uintptr_t)s)->lock);
}

static void unlock(const hetc_session_t *s) {
  pthread_mutex_unlock(&((hetc_session_t *)(uintptr_t)s)->lock);
}

/* FNV-1a over the state layout: each tensor's name, role, dtype and shape
 * in session order. Checkpoints record it to refuse another model's. */
static uint64_t fnv(uint64_t h, const void *data, size_t size) {
  const uint8_t *p = data;
  for (size_t i = 0; i < size; ++i)
    h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

static uint64_t layout_hash(const resident_t *state, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) {
    const hetc_tensor_info_t *t = &state[i].info;
    int32_t fields[3] = {(int32_t)t->role, (int32_t)t->dtype, t->rank};
    h = fnv(h, t->name, strlen(t->name) + 1);
    h = fnv(h, fields, sizeof(fields));
    h = fnv(h, t->shape, sizeof(int64_t) * (size_t)t->rank);
  }
  return h;
}

/* Tensors the session keeps resident rather than taking from the caller. */
static bool is_state_role(hetc_role_t role) {
  return role == HETC_ROLE_PARAM || role == HETC_ROLE_OPT_STATE ||
         role == HETC_ROLE_BUFFER || role == HETC_ROLE_HYPER;
}

static bool same_shape(const hetc_tensor_info_t *a,
                       const hetc_tensor_info_t *b) {
  if (a->rank != b->rank || a->dtype != b->dtype)
    return false;
  for (int i = 0; i < a->rank; ++i)
    if (a->shape[i] != b->shape[i])
      return false;
  return true;
}

static void format_shape(char *out, size_t size, int32_t rank,
                         const int64_t *shape) {
  size_t n = (size_t)snprintf(out, size, "[");
  for (int i = 0; i < rank && n < size; ++i)
    n += (size_t)snprintf(out + n, size - n, "%s%lld", i ? ", " : "",
                          (long long)shape[i]);
  if (n < size)
    snprintf(out + n, size - n, "]");
}

/* Frees the staging buffers of entries [first, num_staging). */
static void free_staging(hetc_session_t *s, size_t first) {
  const hetc_driver_t *d = driver_of(s);
  for (size_t i = first; i < s->num_staging; ++i) {
    staging_t *st = &s->staging[i];
    size_t n = st->entry->num_args + st->entry->num_results;
    for (size_t j = 0; st->buffers && j < n; ++j)
      if (st->owned && st->owned[j] && st->buffers[j])
        d->free(s->device->impl, st->buffers[j]);
    free(st->buffers);
    free(st->owned);
  }
  s->num_staging = first;
}

static void free_blobs(blob_t *blobs, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    free(blobs[i].name);
    free(blobs[i].data);
  }
  free(blobs);
}

void hetc_session_free(hetc_session_t *s) {
  if (!s)
    return;
  /* Wait for a call in flight on another thread. Calls that start after
   * free are the caller's error (the session no longer exists). */
  lock(s);
  unlock(s);
  pthread_mutex_destroy(&s->lock);
  hetc_name_index_free(&s->state_index);
  const hetc_driver_t *d = driver_of(s);
  free_staging(s, 0);
  free(s->staging);
  for (size_t i = 0; i < s->num_state; ++i)
    if (s->state[i].buffer)
      d->free(s->device->impl, s->state[i].buffer);
  free(s->state);
  for (size_t i = 0; i < s->num_executables; ++i) {
    if (d->gpu)
      hetc_program_unload(d, s->device->impl, s->executables[i]);
    else
      d->unload(s->device->impl, s->executables[i]);
  }
  free(s->executables);
  free_blobs(s->blobs, s->num_blobs);
  free(s);
}

/* Loads `artifact`'s code onto the session's device and keeps it. */
static hetc_status_t load_executable(hetc_session_t *s,
                                     hetc_artifact_t *artifact,
                                     hetc_executable_t **out) {
  const hetc_driver_t *d = driver_of(s);
  hetc_executable_t **grown =
      realloc(s->executables, (s->num_executables + 1) * sizeof(*grown));
  if (!grown)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  s->executables = grown;
  hetc_status_t status =
      d->gpu ? hetc_program_load(d, s->device->impl, artifact, out)
             : d->load(s->device->impl, artifact, out);
  if (!status)
    s->executables[s->num_executables++] = *out;
  return status;
}

/* Staging buffers for every entry of `artifact`, run by `executable`; state
 * arguments bind the session's resident buffers. */
static hetc_status_t add_staging(hetc_session_t *s,
                                 const hetc_artifact_t *artifact,
                                 hetc_executable_t *executable) {
  const hetc_driver_t *d = driver_of(s);
  size_t needed = s->num_staging + artifact->num_entries;
  if (needed > s->staging_capacity) {
    staging_t *grown =
        realloc(s->staging, (needed ? needed : 1) * sizeof(*grown));
    if (!grown)
      return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    s->staging = grown;
    s->staging_capacity = needed;
  }
  for (size_t e = 0; e < artifact->num_entries; ++e) {
    const hetc_entry_t *entry = &artifact->entries[e];
    staging_t *st = &s->staging[s->num_staging++];
    memset(st, 0, sizeof(*st));
    st->entry = entry;
    st->executable = executable;
    size_t n = entry->num_args + entry->num_results;
    st->buffers = calloc(n ? n : 1, sizeof(void *));
    st->owned = calloc(n ? n : 1, sizeof(bool));
    if (!st->buffers || !st->owned)
      return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    for (size_t j = 0; j < n; ++j) {
      const hetc_tensor_info_t *info =
          j < entry->num_args ? &entry->args[j]
                              : &entry->results[j - entry->num_args];
      if (j < entry->num_args && is_state_role(info->role)) {
        st->buffers[j] = find_state(s, info->name)->buffer;
        continue;
      }
      st->owned[j] = true;
      hetc_status_t status = d->alloc(
          s->device->impl, hetc_tensor_info_bytes(info), &st->buffers[j]);
      if (status)
        return status;
    }
  }
  return NULL;
}

/* Calls `visit` on every state argument of `artifact` in session order (the
 * first entry that names a tensor decides its place); stops at an error. */
typedef hetc_status_t (*state_visitor_t)(void *context,
                                         const hetc_entry_t *entry, size_t arg);

static hetc_status_t for_each_state(const hetc_artifact_t *artifact,
                                    state_visitor_t visit, void *context) {
  for (size_t e = 0; e < artifact->num_entries; ++e) {
    const hetc_entry_t *entry = &artifact->entries[e];
    for (size_t i = 0; i < entry->num_args; ++i) {
      if (!is_state_role(entry->args[i].role))
        continue;
      hetc_status_t status = visit(context, entry, i);
      if (status)
        return status;
    }
  }
  return NULL;
}

/* Allocates a resident buffer for a state argument seen the first time. */
static hetc_status_t allocate_state(void *context, const hetc_entry_t *entry,
                                    size_t arg) {
  hetc_session_t *s = context;
  const hetc_tensor_info_t *info = &entry->args[arg];
  resident_t *existing = find_state(s, info->name);
  if (existing)
    return same_shape(&existing->info, info)
               ? NULL
               : hetc_make_status(
                     HETC_STATUS_DATA_LOSS,
                     "artifact entries disagree on the shape of '%s'",
                     info->name);
  hetc_name_index_insert(&s->state_index, info->name, s->num_state);
  resident_t *r = &s->state[s->num_state++];
  r->info = *info;
  r->init = entry->arg_inits[arg];
  r->hyper = entry->arg_hypers[arg];
  r->bytes = hetc_tensor_info_bytes(info);
  return driver_of(s)->alloc(s->device->impl, r->bytes, &r->buffer);
}

hetc_status_t hetc_session_create(hetc_artifact_t *artifact,
                                  hetc_device_t *device, hetc_session_t **out) {
  *out = NULL;
  const hetc_driver_t *d = device->driver;
  if (strcmp(artifact->target, d->target) != 0)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "the artifact was compiled for target '%s' but the "
                            "device uses the '%s' driver",
                            artifact->target, d->name);
  hetc_session_t *s = calloc(1, sizeof(*s));
  if (!s)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  pthread_mutex_init(&s->lock, NULL);
  s->artifact = artifact;
  s->device = device;
  hetc_executable_t *executable = NULL;
  hetc_status_t status = load_executable(s, artifact, &executable);

  /* Resident tensors: every param, opt_state and buffer argument of every
   * entry, identified by name; entries must agree on their shapes. */
  size_t capacity = 0;
  for (size_t e = 0; !status && e < artifact->num_entries; ++e)
    capacity += artifact->entries[e].num_args;
  s->state = calloc(capacity ? capacity : 1, sizeof(*s->state));
  if (!status &&
      (!s->state || !hetc_name_index_init(&s->state_index, capacity)))
    status = hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  if (!status)
    status = for_each_state(artifact, allocate_state, s);
  if (!status)
    status = add_staging(s, artifact, executable);
  if (status) {
    hetc_session_free(s);
    return status;
  }
  s->layout_hash = layout_hash(s->state, s->num_state);
  *out = s;
  return NULL;
}

/* Checks that a state argument of an attached artifact is the session's
 * tensor of that name, with its role, dtype and shape. */
static hetc_status_t
check_attached_state(void *context, const hetc_entry_t *entry, size_t arg) {
  hetc_session_t *s = context;
  const hetc_tensor_info_t *info = &entry->args[arg];
  resident_t *r = find_state(s, info->name);
  if (!r)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "cannot add the artifact: its entry '%s' has the "
                            "%s '%s', which the session does not hold",
                            entry->name, hetc_role_name(info->role),
                            info->name);
  if (r->info.role != info->role || !same_shape(&r->info, info)) {
    char want[160], got[160];
    format_shape(want, sizeof(want), r->info.rank, r->info.shape);
    format_shape(got, sizeof(got), info->rank, info->shape);
    return hetc_make_status(
        HETC_STATUS_FAILED_PRECONDITION,
        "cannot add the artifact: its %s '%s' is %s %s but the session's %s "
        "'%s' is %s %s",
        hetc_role_name(info->role), info->name, hetc_dtype_name(info->dtype),
        got, hetc_role_name(r->info.role), r->info.name,
        hetc_dtype_name(r->info.dtype), want);
  }
  return NULL;
}

/* Counts the distinct state tensors an artifact names. */
typedef struct state_count {
  hetc_name_index_t seen;
  size_t count;
} state_count_t;

static hetc_status_t count_state(void *context, const hetc_entry_t *entry,
                                 size_t arg) {
  state_count_t *c = context;
  if (hetc_name_index_insert(&c->seen, entry->args[arg].name, c->count))
    ++c->count;
  return NULL;
}

/* The attached artifact's state must be exactly the session's: every tensor
 * it names is the session's, and it names all of them. */
static hetc_status_t check_same_layout(hetc_session_t *s,
                                       const hetc_artifact_t *artifact) {
  hetc_status_t status = for_each_state(artifact, check_attached_state, s);
  if (status)
    return status;
  state_count_t c = {{0}, 0};
  size_t capacity = 0;
  for (size_t e = 0; e < artifact->num_entries; ++e)
    capacity += artifact->entries[e].num_args;
  if (!hetc_name_index_init(&c.seen, capacity))
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for_each_state(artifact, count_state, &c);
  for (size_t i = 0; !status && i < s->num_state; ++i)
    if (hetc_name_index_find(&c.seen, s->state[i].info.name) == SIZE_MAX)
      status = hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                                "cannot add the artifact: it lacks the "
                                "session's %s '%s' (another model?)",
                                hetc_role_name(s->state[i].info.role),
                                s->state[i].info.name);
  hetc_name_index_free(&c.seen);
  return status;
}

hetc_status_t hetc_session_add_artifact(hetc_session_t *s,
                                        hetc_artifact_t *artifact) {
  if (strcmp(artifact->target, s->artifact->target) != 0)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "cannot add an artifact compiled for target '%s' "
                            "to a session of target '%s'",
                            artifact->target, s->artifact->target);
  lock(s);
  hetc_status_t status = check_same_layout(s, artifact);
  hetc_executable_t *executable = NULL;
  if (!status)
    status = load_executable(s, artifact, &executable);
  size_t first = s->num_staging;
  if (!status)
    status = add_staging(s, artifact, executable);
  if (status && executable) {
    /* Leave the session as it was: drop the new entries and the code. */
    const hetc_driver_t *d = driver_of(s);
    free_staging(s, first);
    if (d->gpu)
      hetc_program_unload(d, s->device->impl, executable);
    else
      d->unload(s->device->impl, executable);
    --s->num_executables;
  }
  unlock(s);
  return status;
}

/*--- Initialization --------------------------------------------------------*/

static hetc_status_t init_params(hetc_session_t *s, uint64_t seed) {
  for (size_t t = 0; t < s->num_state; ++t) {
    resident_t *r = &s->state[t];
    if (r->info.dtype != HETC_DTYPE_F32)
      return hetc_make_status(HETC_STATUS_UNIMPLEMENTED,
                              "initializing %s tensor '%s' is not supported "
                              "(f32 only); load a checkpoint instead",
                              hetc_dtype_name(r->info.dtype), r->info.name);
    size_t n = r->bytes / sizeof(float);
    float *host = malloc(n ? n * sizeof(float) : 1);
    if (!host)
      return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    hetc_random_fill(r->init, seed, t, host, n);
    hetc_status_t status =
        driver_of(s)->upload(s->device->impl, r->buffer, host, r->bytes);
    free(host);
    if (status)
      return status;
  }
  s->step = 0;
  return NULL;
}

/*--- Running entries --------------------------------------------------------*/

static const hetc_tensor_t *given_named(const hetc_tensor_t *inputs,
                                        size_t num_inputs, const char *name) {
  for (size_t i = 0; i < num_inputs; ++i)
    if (inputs[i].name && !strcmp(inputs[i].name, name))
      return &inputs[i];
  return NULL;
}

static bool same_dims(const hetc_tensor_info_t *info, const hetc_tensor_t *t) {
  if (t->rank != info->rank || (t->rank && !t->shape))
    return false;
  for (int i = 0; i < t->rank; ++i)
    if (t->shape[i] != info->shape[i])
      return false;
  return true;
}

/* True when every input and label of `entry` that is given has its shape
 * (a missing one is run_entry's to name). */
static bool shapes_match(const hetc_entry_t *entry, const hetc_tensor_t *inputs,
                         size_t num_inputs) {
  for (size_t j = 0; j < entry->num_args; ++j) {
    const hetc_tensor_info_t *info = &entry->args[j];
    const hetc_tensor_t *t = given_named(inputs, num_inputs, info->name);
    if (!is_state_role(info->role) && t && !same_dims(info, t))
      return false;
  }
  return true;
}

/* True when some variant of entry `name` has argument `arg` of t's shape. */
static bool any_variant_arg(hetc_session_t *s, const char *name,
                            const char *arg, const hetc_tensor_t *t) {
  for (size_t i = 0; i < s->num_staging; ++i) {
    const hetc_entry_t *e = s->staging[i].entry;
    for (size_t j = 0; !strcmp(hetc_entry_group(e), name) && j < e->num_args;
         ++j)
      if (!strcmp(e->args[j].name, arg) && same_dims(&e->args[j], t))
        return true;
  }
  return false;
}

/* Lists the shapes of argument `arg` in every variant of entry `name`:
 * "[64, 8], [29, 8]". */
static void describe_variants(hetc_session_t *s, const char *name,
                              const char *arg, char *out, size_t size) {
  size_t n = 0;
  out[0] = '\0';
  for (size_t i = 0; i < s->num_staging && n < size; ++i) {
    const hetc_entry_t *e = s->staging[i].entry;
    for (size_t j = 0; !strcmp(hetc_entry_group(e), name) && j < e->num_args;
         ++j) {
      if (strcmp(e->args[j].name, arg) || n >= size)
        continue;
      char shape[160];
      format_shape(shape, sizeof(shape), e->args[j].rank, e->args[j].shape);
      n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", shape);
    }
  }
}

/* The variant of entry `name` whose input and label shapes equal the given
 * tensors'. With one variant it is returned regardless, so the caller's
 * checks name the mismatching tensor. */
static hetc_status_t staging_for(hetc_session_t *s, const char *name,
                                 const hetc_tensor_t *inputs, size_t num_inputs,
                                 staging_t **out) {
  *out = NULL;
  size_t variants = 0;
  for (size_t i = 0; i < s->num_staging; ++i) {
    if (strcmp(hetc_entry_group(s->staging[i].entry), name))
      continue;
    if (!*out || (!shapes_match((*out)->entry, inputs, num_inputs) &&
                  shapes_match(s->staging[i].entry, inputs, num_inputs)))
      *out = &s->staging[i];
    ++variants;
  }
  if (!*out)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "artifact has no entry named '%s'", name);
  if (variants == 1 || shapes_match((*out)->entry, inputs, num_inputs))
    return NULL;
  /* Name the first tensor whose shape no variant has; else they mix the
   * batch sizes of several variants. */
  const hetc_entry_t *entry = (*out)->entry;
  const hetc_tensor_info_t *mixed = NULL;
  for (size_t j = 0; j < entry->num_args; ++j) {
    const hetc_tensor_info_t *info = &entry->args[j];
    const hetc_tensor_t *t = given_named(inputs, num_inputs, info->name);
    if (is_state_role(info->role) || !t)
      continue;
    if (any_variant_arg(s, name, info->name, t)) {
      mixed = mixed ? mixed : info;
      continue;
    }
    char got[160], compiled[512];
    format_shape(got, sizeof(got), t->rank, t->rank ? t->shape : NULL);
    describe_variants(s, name, info->name, compiled, sizeof(compiled));
    return hetc_make_status(
        HETC_STATUS_INVALID_ARGUMENT,
        "%s '%s' has shape %s but entry '%s' was compiled for %s of '%s'; "
        "compile this batch size too (hetc-compile --batch-sizes, or "
        "hetc_session_add_artifact with an artifact compiled for it)",
        hetc_role_name(info->role), info->name, got, name, compiled,
        info->name);
  }
  return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                          "the inputs and labels of entry '%s' mix batch "
                          "sizes: each has the shape of some variant, but no "
                          "one variant takes them together (see '%s')",
                          name, mixed ? mixed->name : "?");
}

/* Checks a tensor's shape and, unless inputs convert it (inputs.c), its
 * dtype. */
static hetc_status_t check_tensor(const hetc_tensor_info_t *info,
                                  const hetc_tensor_t *t, const char *what) {
  char want[160], got[160];
  format_shape(want, sizeof(want), info->rank, info->shape);
  if (t->dtype != info->dtype && strcmp(what, "input"))
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "%s '%s' has dtype %s but the artifact expects %s",
                            what, info->name, hetc_dtype_name(t->dtype),
                            hetc_dtype_name(info->dtype));
  bool same = t->rank == info->rank && (t->rank == 0 || t->shape);
  for (int i = 0; same && i < t->rank; ++i)
    same = t->shape[i] == info->shape[i];
  if (!same) {
    format_shape(got, sizeof(got), t->rank, t->shape);
    /* Another batch size is another variant; say how to get one. */
    bool batch_only = !strcmp(what, "input") && t->rank == info->rank &&
                      t->rank > 0 && t->shape;
    for (int i = 1; batch_only && i < t->rank; ++i)
      batch_only = t->shape[i] == info->shape[i];
    return hetc_make_status(
        HETC_STATUS_INVALID_ARGUMENT,
        "%s '%s' has shape %s but the artifact expects %s%s", what, info->name,
        got, want,
        batch_only ? "; compile this batch size too (hetc-compile "
                     "--batch-sizes, or hetc_session_add_artifact with an "
                     "artifact compiled for it)"
                   : "");
  }
  if (!t->data)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT, "%s '%s' has no data",
                            what, info->name);
  return NULL;
}

hetc_status_t hetc_session_init_params(hetc_session_t *s, uint64_t seed) {
  lock(s);
  hetc_fp_saved_t fp = hetc_fp_enter(); /* round to nearest, no flushing */
  hetc_status_t status = init_params(s, seed);
  hetc_fp_leave(fp);
  unlock(s);
  return status;
}

/* Runs the variant of entry `name` that `inputs` select; *ran (when not
 * NULL) is that variant's staging. */
static hetc_status_t run_entry(hetc_session_t *s, const char *name,
                               const hetc_tensor_t *inputs, size_t num_inputs,
                               float *loss, hetc_tensor_t *outputs,
                               size_t num_outputs, staging_t **ran) {
  staging_t *st;
  hetc_status_t selected = staging_for(s, name, inputs, num_inputs, &st);
  if (selected)
    return selected;
  if (ran)
    *ran = st;
  const hetc_entry_t *entry = st->entry;
  const hetc_driver_t *d = driver_of(s);
  /* Every input and label must be given, and nothing unknown. */
  for (size_t i = 0; i < num_inputs; ++i) {
    bool known = false;
    for (size_t j = 0; j < entry->num_args; ++j)
      known |= !is_state_role(entry->args[j].role) && inputs[i].name &&
               !strcmp(entry->args[j].name, inputs[i].name);
    if (!known)
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "entry '%s' has no input named '%s'", name,
                              inputs[i].name ? inputs[i].name : "(null)");
  }
  for (size_t j = 0; j < entry->num_args; ++j) {
    const hetc_tensor_info_t *info = &entry->args[j];
    if (is_state_role(info->role))
      continue;
    const hetc_tensor_t *given = NULL;
    for (size_t i = 0; i < num_inputs; ++i)
      if (inputs[i].name && !strcmp(inputs[i].name, info->name))
        given = &inputs[i];
    if (!given)
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "entry '%s' needs the %s '%s'", name,
                              hetc_role_name(info->role), info->name);
    hetc_status_t status = check_tensor(info, given, "input");
    void *scratch = NULL;
    const void *data = NULL;
    if (!status)
      status = hetc_prepare_input(info, entry->arg_classes[j], given, &scratch,
                                  &data);
    if (!status)
      status = d->upload(s->device->impl, st->buffers[j], data,
                         hetc_tensor_info_bytes(info));
    free(scratch);
    if (status)
      return status;
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    bool known = false;
    for (size_t j = 0; j < entry->num_results; ++j)
      if (outputs[i].name && !strcmp(entry->results[j].name, outputs[i].name)) {
        known = true;
        hetc_status_t status =
            check_tensor(&entry->results[j], &outputs[i], "output");
        if (status)
          return status;
      }
    if (!known)
      return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "entry '%s' has no output named '%s'", name,
                              outputs[i].name ? outputs[i].name : "(null)");
  }
  hetc_status_t status =
      d->gpu ? hetc_program_invoke(d, s->device->impl, st->executable, entry,
                                   st->buffers)
             : d->invoke(s->device->impl, st->executable, entry, st->buffers);
  if (status)
    return status;
  for (size_t j = 0; j < entry->num_results; ++j) {
    const hetc_tensor_info_t *info = &entry->results[j];
    void *src = st->buffers[entry->num_args + j];
    if (info->role == HETC_ROLE_LOSS && loss) {
      if (info->dtype != HETC_DTYPE_F32)
        return hetc_make_status(HETC_STATUS_UNIMPLEMENTED,
                                "reading a %s loss is not supported",
                                hetc_dtype_name(info->dtype));
      status = d->download(s->device->impl, src, loss, sizeof(float));
    }
    for (size_t i = 0; !status && i < num_outputs; ++i)
      if (!strcmp(outputs[i].name, info->name))
        status = d->download(s->device->impl, src, outputs[i].data,
                             hetc_tensor_info_bytes(info));
    if (status)
      return status;
  }
  return NULL;
}

/* Reads the NaN/Inf guard's output of the step `st` just ran: an error
 * naming the first value that is not finite (the compiled step kept every
 * old value), or NULL. */
static hetc_status_t check_guard(hetc_session_t *s, staging_t *st) {
  const hetc_entry_t *entry = st->entry;
  size_t n = entry->num_guard_checks;
  if (!n)
    return NULL;
  float *flags = malloc(n * sizeof(float));
  if (!flags)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  hetc_status_t status = driver_of(s)->download(
      s->device->impl, st->buffers[entry->num_args + entry->guard_result],
      flags, n * sizeof(float));
  size_t bad = n, count = 0;
  for (size_t i = 0; !status && i < n; ++i)
    if (flags[i] != 0.0f) {
      bad = bad == n ? i : bad;
      ++count;
    }
  free(flags);
  if (status || bad == n)
    return status;
  char more[64] = "";
  if (count > 1)
    snprintf(more, sizeof(more), " (and %zu more)", count - 1);
  if (bad == 0)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "train_step: the loss is NaN/Inf%s; the update "
                            "was skipped",
                            more);
  return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                          "train_step: the gradient of '%s' has NaN/Inf%s; "
                          "the update was skipped",
                          entry->guard_checks[bad], more);
}

hetc_status_t hetc_session_train_step(hetc_session_t *s,
                                      const hetc_tensor_t *inputs,
                                      size_t num_inputs, float *loss,
                                      hetc_tensor_t *outputs,
                                      size_t num_outputs) {
  lock(s);
  bool trainable = false;
  for (size_t i = 0; i < s->num_staging; ++i)
    trainable |= !strcmp(hetc_entry_group(s->staging[i].entry), "train_step");
  if (!trainable) {
    unlock(s);
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "artifact has no train_step entry (it was "
                            "compiled with --eval-only)");
  }
  /* Refused before it runs, so the parameters stay as they are. */
  staging_t *ran = NULL;
  hetc_status_t status =
      s->step == INT64_MAX
          ? hetc_make_status(HETC_STATUS_OUT_OF_RANGE,
                             "the step counter is at its limit (INT64_MAX); "
                             "no further train_step runs")
          : run_entry(s, "train_step", inputs, num_inputs, loss, outputs,
                      num_outputs, &ran);
  if (!status)
    status = check_guard(s, ran);
  if (!status)
    ++s->step;
  unlock(s);
  return status;
}

hetc_status_t hetc_session_run(hetc_session_t *s, const char *entry,
                               const hetc_tensor_t *inputs, size_t num_inputs,
                               float *loss, hetc_tensor_t *outputs,
                               size_t num_outputs) {
  lock(s);
  hetc_status_t status =
      run_entry(s, entry, inputs, num_inputs, loss, outputs, num_outputs, NULL);
  unlock(s);
  return status;
}

hetc_status_t hetc_session_entry_signature(hetc_session_t *s, const char *entry,
                                           const hetc_tensor_t *inputs,
                                           size_t num_inputs, size_t *num_args,
                                           const hetc_tensor_info_t **args,
                                           size_t *num_results,
                                           const hetc_tensor_info_t **results) {
  staging_t *st;
  lock(s);
  hetc_status_t status = staging_for(s, entry, inputs, num_inputs, &st);
  if (!status) {
    *num_args = st->entry->num_args;
    *args = st->entry->args;
    *num_results = st->entry->num_results;
    *results = st->entry->results;
  }
  unlock(s);
  return status;
}

/*--- Parameter access -------------------------------------------------------*/

static hetc_status_t checked_state(hetc_session_t *s, const hetc_tensor_t *t,
                                   resident_t **out) {
  *out = t->name ? find_state(s, t->name) : NULL;
  if (!*out)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "the session holds no parameter or state named "
                            "'%s'",
                            t->name ? t->name : "(null)");
  return check_tensor(&(*out)->info, t, "tensor");
}

hetc_status_t hetc_session_get_tensor(hetc_session_t *s,
                                      const hetc_tensor_t *t) {
  resident_t *r;
  lock(s);
  hetc_status_t status = checked_state(s, t, &r);
  if (!status)
    status =
        driver_of(s)->download(s->device->impl, r->buffer, t->data, r->bytes);
  unlock(s);
  return status;
}

hetc_status_t hetc_session_set_tensor(hetc_session_t *s,
                                      const hetc_tensor_t *t) {
  resident_t *r;
  lock(s);
  hetc_status_t status = checked_state(s, t, &r);
  /* A hyper-parameter set as a tensor meets the setter's checks. */
  if (!status && r->info.role == HETC_ROLE_HYPER)
    status = check_hyper_value(r->hyper.name, *(const float *)t->data);
  if (!status)
    status =
        driver_of(s)->upload(s->device->impl, r->buffer, t->data, r->bytes);
  unlock(s);
  return status;
}

size_t hetc_session_state_count(const hetc_session_t *s) {
  return s->num_state;
}

const hetc_tensor_info_t *hetc_session_state_info(const hetc_session_t *s,
                                                  size_t index) {
  return index < s->num_state ? &s->state[index].info : NULL;
}

int64_t hetc_session_step(const hetc_session_t *s) {
  lock(s);
  int64_t step = s->step;
  unlock(s);
  return step;
}

hetc_status_t hetc_session_read_state(hetc_session_t *s, int64_t *step,
                                      hetc_state_reader_t read, void *context) {
  size_t largest = 1;
  for (size_t i = 0; i < s->num_state; ++i)
    largest = s->state[i].bytes > largest ? s->state[i].bytes : largest;
  void *host = malloc(largest);
  if (!host)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  lock(s);
  *step = s->step;
  hetc_status_t status = NULL;
  for (size_t i = 0; !status && i < s->num_state; ++i) {
    resident_t *r = &s->state[i];
    status = driver_of(s)->download(s->device->impl, r->buffer, host, r->bytes);
    if (!status)
      status = read(context, &r->info, host, r->bytes);
  }
  unlock(s);
  free(host);
  return status;
}

/*--- Hyper-parameters -------------------------------------------------------*/

static const char *const kHyperNames[] = {
    "lr", "weight_decay", "momentum", "beta1", "beta2", "eps", "max_grad_norm"};

static resident_t *find_hyper(hetc_session_t *s, const char *name, int group,
                              int *groups) {
  resident_t *found = NULL;
  *groups = 0;
  for (size_t i = 0; i < s->num_state; ++i) {
    resident_t *r = &s->state[i];
    if (r->info.role != HETC_ROLE_HYPER || strcmp(r->hyper.name, name))
      continue;
    if (r->hyper.group + 1 > *groups)
      *groups = r->hyper.group + 1;
    if (r->hyper.group == group)
      found = r;
  }
  return found;
}

/* Why (name, group) is not a hyper-parameter of this session. */
static hetc_status_t no_hyper(hetc_session_t *s, const char *name, int group,
                              int groups) {
  bool known = false;
  for (size_t i = 0; name && i < sizeof(kHyperNames) / sizeof(*kHyperNames);
       ++i)
    known |= !strcmp(name, kHyperNames[i]);
  const char *opt = s->artifact->optimizer[0] ? s->artifact->optimizer : "?";
  if (!known)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "unknown hyper-parameter '%s' (known: lr, "
                            "weight_decay, momentum, beta1, beta2, eps, "
                            "max_grad_norm)",
                            name ? name : "(null)");
  if (groups > 0)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "parameter group %d does not exist: the artifact "
                            "has %d parameter group%s",
                            group, groups, groups == 1 ? "" : "s");
  if (!hetc_artifact_entry(s->artifact, "train_step"))
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "the artifact has no train_step, so no "
                            "hyper-parameters");
  if (!strcmp(name, "max_grad_norm"))
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "gradient clipping is not compiled into this "
                            "artifact (compile with max_grad_norm to set "
                            "'max_grad_norm')");
  if (!strcmp(name, "momentum") && !strcmp(opt, "sgd"))
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "the sgd optimizer was compiled without momentum, "
                            "which needs state; compile with momentum > 0 to "
                            "set 'momentum' at runtime");
  return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                          "the %s optimizer has no hyper-parameter '%s'", opt,
                          name);
}

static hetc_status_t check_hyper_value(const char *name, double value) {
  bool beta = !strcmp(name, "beta1") || !strcmp(name, "beta2");
  if (beta && !(value >= 0.0 && value < 1.0))
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "hyper-parameter '%s' must be in [0, 1), got %g",
                            name, value);
  /* Comparisons are false for NaN, so this refuses it too. */
  if (!(value >= 0.0 && value <= 3.4028234663852886e38))
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "hyper-parameter '%s' must be a finite number >= "
                            "0, got %g",
                            name, value);
  return NULL;
}

hetc_status_t hetc_session_set_hyperparameter(hetc_session_t *s,
                                              const char *name, int group,
                                              double value) {
  lock(s);
  int groups = 0;
  resident_t *r = name ? find_hyper(s, name, group, &groups) : NULL;
  hetc_status_t status =
      r ? check_hyper_value(name, value) : no_hyper(s, name, group, groups);
  float f = (float)value;
  if (!status)
    status = driver_of(s)->upload(s->device->impl, r->buffer, &f, sizeof(f));
  unlock(s);
  return status;
}

hetc_status_t hetc_session_get_hyperparameter(hetc_session_t *s,
                                              const char *name, int group,
                                              double *value) {
  lock(s);
  int groups = 0;
  resident_t *r = name ? find_hyper(s, name, group, &groups) : NULL;
  float f = 0.0f;
  hetc_status_t status =
      r ? driver_of(s)->download(s->device->impl, r->buffer, &f, sizeof(f))
        : no_hyper(s, name, group, groups);
  if (!status)
    *value = f;
  unlock(s);
  return status;
}

int hetc_session_group_count(const hetc_session_t *s) {
  int groups = 0;
  lock(s);
  find_hyper((hetc_session_t *)(uintptr_t)s, "lr", -1, &groups);
  unlock(s);
  return groups;
}

/*--- Checkpoints ------------------------------------------------------------*
 * "HETCCKPT", u32 version, u32 count, i64 step, u64 layout hash (version 2),
 * then per tensor in session order: u32 name length, name, u32 dtype,
 * u32 rank, i64 dims[rank], u64 bytes, data; version 3 then has u32 blob
 * count (1 to CKPT_MAX_BLOBS) and per blob: u32 name length, name, u64
 * bytes, data; then the CRC-32 of everything before it. Little-endian (the
 * host order here). A session without blobs saves version 2, which older
 * runtimes read.
 *----------------------------------------------------------------------------*/

#define CKPT_MAGIC "HETCCKPT"
#define CKPT_VERSION 3u
#define CKPT_MAX_NAME 255 /* bytes in a tensor or blob name */
#define CKPT_MAX_BLOBS 64

typedef struct buffer {
  uint8_t *data;
  size_t size, cap;
} buffer_t;

static bool put(buffer_t *b, const void *data, size_t size) {
  if (b->size + size > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->size + size)
      cap *= 2;
    uint8_t *grown = realloc(b->data, cap);
    if (!grown)
      return false;
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->size, data, size);
  b->size += size;
  return true;
}

/* Opens and locks `<path>.tmp`, the one temporary name of `path`: a save
 * killed before its rename leaves that file, which the next save reuses,
 * rather than a new stray name each time. The lock keeps two concurrent
 * saves from writing it at once; the inode check notices a file another
 * save renamed away while this one waited. */
static int open_temporary(const char *tmp) {
  for (;;) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return -1;
    struct stat held, named;
    if (flock(fd, LOCK_EX) != 0 || fstat(fd, &held) != 0) {
      int saved = errno;
      close(fd);
      if (saved == EINTR)
        continue;
      errno = saved;
      return -1;
    }
    /* Renamed (or removed) by the save we waited for: open the new one. */
    if (stat(tmp, &named) != 0 || held.st_ino != named.st_ino ||
        held.st_dev != named.st_dev) {
      close(fd);
      continue;
    }
    if (ftruncate(fd, 0) != 0) {
      int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
    return fd;
  }
}

/*--- Checkpoint blobs -------------------------------------------------------*/

static blob_t *find_blob(blob_t *blobs, size_t n, const char *name) {
  for (size_t i = 0; i < n; ++i)
    if (!strcmp(blobs[i].name, name))
      return &blobs[i];
  return NULL;
}

static hetc_status_t check_blob_name(const char *name) {
  size_t len = name ? strlen(name) : 0;
  if (len == 0 || len > CKPT_MAX_NAME)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "a checkpoint blob name has 1 to %d bytes, got %zu",
                            CKPT_MAX_NAME, len);
  return NULL;
}

/* Copies `size` bytes into a new allocation (one byte for an empty blob). */
static uint8_t *copy_bytes(const void *data, size_t size) {
  uint8_t *copy = malloc(size ? size : 1);
  if (copy && size)
    memcpy(copy, data, size);
  return copy;
}

static hetc_status_t set_blob(hetc_session_t *s, const char *name,
                              const void *data, size_t size) {
  blob_t *blob = find_blob(s->blobs, s->num_blobs, name);
  if (!blob && s->num_blobs == CKPT_MAX_BLOBS)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                            "a checkpoint holds at most %d blobs; '%s' would "
                            "be one more",
                            CKPT_MAX_BLOBS, name);
  uint8_t *copy = copy_bytes(data, size);
  blob_t *grown =
      blob ? s->blobs : realloc(s->blobs, (s->num_blobs + 1) * sizeof(*grown));
  char *owned = blob ? NULL : strdup(name);
  if (!copy || !grown || (!blob && !owned)) {
    free(copy);
    free(owned);
    if (grown)
      s->blobs = grown;
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  s->blobs = grown;
  if (!blob) {
    blob = &s->blobs[s->num_blobs++];
    blob->name = owned;
  } else {
    free(blob->data);
  }
  blob->data = copy;
  blob->size = size;
  return NULL;
}

hetc_status_t hetc_session_set_checkpoint_blob(hetc_session_t *s,
                                               const char *name,
                                               const void *data, size_t size) {
  hetc_status_t status = check_blob_name(name);
  if (status)
    return status;
  if (!data && size)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "checkpoint blob '%s': no data for %zu bytes", name,
                            size);
  lock(s);
  status = set_blob(s, name, data, size);
  unlock(s);
  return status;
}

hetc_status_t hetc_session_get_checkpoint_blob(hetc_session_t *s,
                                               const char *name, void **data,
                                               size_t *size) {
  *data = NULL;
  *size = 0;
  hetc_status_t status = check_blob_name(name);
  if (status)
    return status;
  lock(s);
  const blob_t *blob = find_blob(s->blobs, s->num_blobs, name);
  uint8_t *copy = blob ? copy_bytes(blob->data, blob->size) : NULL;
  if (copy) {
    *data = copy;
    *size = blob->size;
  }
  unlock(s);
  if (!blob)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "the session holds no checkpoint blob '%s'", name);
  return copy ? NULL
              : hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                                 "out of memory");
}

/*--- Saving -----------------------------------------------------------------*/

/* Appends the header and every tensor, downloaded from the device; then the
 * blobs (version 3 only) and the CRC. */
static hetc_status_t encode_checkpoint(hetc_session_t *s, buffer_t *b) {
  uint32_t version = s->num_blobs ? 3u : 2u, count = (uint32_t)s->num_state;
  bool ok = put(b, CKPT_MAGIC, 8) && put(b, &version, 4) && put(b, &count, 4) &&
            put(b, &s->step, 8) && put(b, &s->layout_hash, 8);
  for (size_t i = 0; ok && i < s->num_state; ++i) {
    resident_t *r = &s->state[i];
    uint32_t len = (uint32_t)strlen(r->info.name);
    uint32_t dtype = (uint32_t)r->info.dtype, rank = (uint32_t)r->info.rank;
    uint64_t bytes = r->bytes;
    void *host = malloc(r->bytes ? r->bytes : 1);
    if (!host) {
      ok = false;
      break;
    }
    hetc_status_t status =
        driver_of(s)->download(s->device->impl, r->buffer, host, r->bytes);
    ok = !status && put(b, &len, 4) && put(b, r->info.name, len) &&
         put(b, &dtype, 4) && put(b, &rank, 4) &&
         put(b, r->info.shape, 8 * (size_t)rank) && put(b, &bytes, 8) &&
         put(b, host, r->bytes);
    free(host);
    if (status)
      return status;
  }
  uint32_t blobs = (uint32_t)s->num_blobs;
  ok = ok && (!blobs || put(b, &blobs, 4));
  for (size_t i = 0; ok && i < s->num_blobs; ++i) {
    const blob_t *blob = &s->blobs[i];
    uint32_t len = (uint32_t)strlen(blob->name);
    uint64_t bytes = blob->size;
    ok = put(b, &len, 4) && put(b, blob->name, len) && put(b, &bytes, 8) &&
         put(b, blob->data, blob->size);
  }
  uint32_t crc = ok ? hetc_crc32(0, b->data, b->size) : 0;
  if (ok && put(b, &crc, 4))
    return NULL;
  return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                          "out of memory while saving a checkpoint");
}

static hetc_status_t write_all(int fd, const uint8_t *data, size_t size) {
  size_t written = 0;
  while (written < size) {
    ssize_t n = write(fd, data + written, size - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return hetc_make_status(HETC_STATUS_INTERNAL, "%s",
                              n < 0 ? strerror(errno) : "nothing written");
    written += (size_t)n;
  }
  return NULL;
}

/* Temporary file in the same folder, synced, then renamed over the old
 * checkpoint: a crash at any point leaves the previous one intact. */
static hetc_status_t replace_file(const char *path, const uint8_t *data,
                                  size_t size) {
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 8);
  if (!tmp)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  snprintf(tmp, plen + 8, "%s.tmp", path);
  int fd = open_temporary(tmp);
  if (fd < 0) {
    hetc_status_t status = hetc_make_status(
        HETC_STATUS_INVALID_ARGUMENT,
        "cannot create a checkpoint beside '%s': %s", path, strerror(errno));
    free(tmp);
    return status;
  }
  hetc_status_t written = write_all(fd, data, size);
  const char *why = written ? hetc_status_message(written) : NULL;
  if (!why && fsync(fd) != 0)
    why = strerror(errno);
  if (!why && rename(tmp, path) != 0)
    why = strerror(errno);
  hetc_status_t status = NULL;
  if (why) {
    unlink(tmp);
    status = hetc_make_status(HETC_STATUS_INTERNAL,
                              "saving checkpoint '%s' failed (%s); the "
                              "previous checkpoint is unchanged",
                              path, why);
  }
  hetc_status_free(written);
  close(fd); /* releases the lock, after the rename */
  free(tmp);
  return status;
}

static hetc_status_t save_checkpoint(hetc_session_t *s, const char *path) {
  buffer_t b = {0};
  hetc_status_t status = encode_checkpoint(s, &b);
  if (!status)
    status = replace_file(path, b.data, b.size);
  free(b.data);
  return status;
}

hetc_status_t hetc_session_save_checkpoint(hetc_session_t *s,
                                           const char *path) {
  lock(s);
  hetc_status_t status = save_checkpoint(s, path);
  unlock(s);
  return status;
}

/*--- Loading ----------------------------------------------------------------*/

/* A bounds-checked cursor over checkpoint bytes. */
typedef struct reader {
  const uint8_t *data;
  size_t pos, end;
} reader_t;

static bool take(reader_t *r, void *out, size_t size) {
  if (size > r->end - r->pos)
    return false;
  memcpy(out, r->data + r->pos, size);
  r->pos += size;
  return true;
}

typedef struct ckpt_header {
  uint32_t version, count;
  int64_t step;
  uint64_t hash; /* 0 in version 1 */
} ckpt_header_t;

#define CKPT_FAIL(code, ...) return hetc_make_status(code, __VA_ARGS__)

/* Checks the magic, the CRC and the header fields, and leaves `in` at the
 * first tensor (before the CRC). */
static hetc_status_t read_header(const char *path, const uint8_t *data,
                                 size_t size, reader_t *in, ckpt_header_t *h) {
  if (size < 8 || memcmp(data, CKPT_MAGIC, 8) != 0)
    CKPT_FAIL(HETC_STATUS_DATA_LOSS, "'%s' is not a hetc checkpoint", path);
  if (size < 28)
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is truncated in its header", path);
  uint32_t crc;
  memcpy(&crc, data + size - 4, 4);
  if (hetc_crc32(0, data, size - 4) != crc)
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is corrupt (CRC mismatch)", path);
  *in = (reader_t){data, 8, size - 4};
  *h = (ckpt_header_t){0};
  take(in, &h->version, 4);
  if (h->version < 1 || h->version > CKPT_VERSION)
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' has version %u; this runtime reads 1 to %u",
              path, h->version, CKPT_VERSION);
  if (!take(in, &h->count, 4) || !take(in, &h->step, 8) ||
      (h->version >= 2 && !take(in, &h->hash, 8)))
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is truncated in its header", path);
  if (h->step < 0)
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' has a negative step (%lld)", path,
              (long long)h->step);
  return NULL;
}

/* Reads a u32-length-prefixed name of at most CKPT_MAX_NAME bytes into
 * `name`; false when it is cut short or too long. */
static bool take_name(reader_t *in, char name[CKPT_MAX_NAME + 1]) {
  uint32_t len;
  if (!take(in, &len, 4) || len > CKPT_MAX_NAME || !take(in, name, len))
    return false;
  name[len] = '\0';
  return strlen(name) == len;
}

/* Reads the name of saved tensor #i, which must be the session's tensor
 * #i: a right name in the wrong place is refused too. */
static hetc_status_t check_saved_name(hetc_session_t *s, const char *path,
                                      reader_t *in, uint32_t i,
                                      char name[CKPT_MAX_NAME + 1]) {
  const char *want = s->state[i].info.name;
  uint32_t len;
  if (!take(in, &len, 4))
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is truncated in the name length of tensor #%u",
              path, i);
  if (len > CKPT_MAX_NAME || !take(in, name, len))
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is truncated in the name of tensor #%u", path,
              i);
  name[len] = '\0';
  if (strlen(name) == len && strcmp(name, want) == 0)
    return NULL;
  if (strlen(name) == len && find_state(s, name))
    CKPT_FAIL(HETC_STATUS_FAILED_PRECONDITION,
              "checkpoint '%s': tensor #%u is '%s' but the artifact's "
              "tensor #%u is '%s'",
              path, i, name, i, want);
  CKPT_FAIL(HETC_STATUS_FAILED_PRECONDITION,
            "checkpoint '%s' holds '%s', which this artifact does not have",
            path, name);
}

/* Checks saved tensor #i against the session's tensor at that position
 * (name, dtype, shape, byte count) and steps over its data. */
static hetc_status_t check_saved_tensor(hetc_session_t *s, const char *path,
                                        reader_t *in, uint32_t i) {
  const resident_t *r = &s->state[i];
  char name[CKPT_MAX_NAME + 1];
  uint32_t dtype, rank;
  uint64_t bytes;
  hetc_status_t status = check_saved_name(s, path, in, i, name);
  if (status)
    return status;
  if (!take(in, &dtype, 4) || !take(in, &rank, 4))
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is truncated in the dtype or rank of '%s'", path,
              name);
  hetc_tensor_info_t info = {
      name, r->info.role, (hetc_dtype_t)dtype, (int32_t)rank, {0}};
  if (rank > HETC_MAX_RANK)
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s': '%s' has rank %u (at most %d)", path, name,
              rank, HETC_MAX_RANK);
  if (!take(in, info.shape, 8 * (size_t)rank))
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is truncated in the shape of '%s'", path, name);
  if (!same_shape(&r->info, &info)) {
    char want[200], have[200];
    format_shape(want, sizeof(want), r->info.rank, r->info.shape);
    format_shape(have, sizeof(have), info.rank, info.shape);
    const char *dname = dtype <= HETC_DTYPE_I64 ? hetc_dtype_name(info.dtype)
                                                : "an unknown dtype";
    CKPT_FAIL(HETC_STATUS_FAILED_PRECONDITION,
              "checkpoint '%s': '%s' is %s %s but the artifact expects %s %s",
              path, name, dname, have, hetc_dtype_name(r->info.dtype), want);
  }
  if (!take(in, &bytes, 8))
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is truncated in the byte count of '%s'", path,
              name);
  if (bytes != r->bytes)
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s': the byte count of '%s' is %llu but its "
              "shape needs %zu",
              path, name, (unsigned long long)bytes, r->bytes);
  if (bytes > in->end - in->pos)
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is truncated in the data of '%s' (%llu bytes "
              "declared, %zu left)",
              path, name, (unsigned long long)bytes, in->end - in->pos);
  in->pos += bytes;
  return NULL;
}

/* Reads saved blob #i into `blob` (copies). */
static hetc_status_t read_blob(const char *path, reader_t *in, uint32_t i,
                               blob_t *blobs) {
  char name[CKPT_MAX_NAME + 1];
  uint64_t bytes;
  if (!take_name(in, name) || !name[0])
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s': the name of blob #%u is cut short, empty or "
              "longer than %d bytes",
              path, i, CKPT_MAX_NAME);
  if (find_blob(blobs, i, name))
    CKPT_FAIL(HETC_STATUS_DATA_LOSS, "checkpoint '%s' holds blob '%s' twice",
              path, name);
  if (!take(in, &bytes, 8) || bytes > in->end - in->pos)
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is truncated in blob '%s'", path, name);
  blobs[i].name = strdup(name);
  blobs[i].data = copy_bytes(in->data + in->pos, (size_t)bytes);
  blobs[i].size = (size_t)bytes;
  in->pos += (size_t)bytes;
  if (!blobs[i].name || !blobs[i].data)
    CKPT_FAIL(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  return NULL;
}

/* The blobs after the last tensor (version 3); none before version 3. */
static hetc_status_t read_blobs(const char *path, reader_t *in,
                                uint32_t version, blob_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  uint32_t count = 0;
  if (version < 3)
    return NULL;
  if (!take(in, &count, 4))
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' is truncated in its blob count", path);
  if (count == 0 || count > CKPT_MAX_BLOBS)
    CKPT_FAIL(HETC_STATUS_DATA_LOSS,
              "checkpoint '%s' declares %u blobs (1 to %d)", path, count,
              CKPT_MAX_BLOBS);
  blob_t *blobs = calloc(count, sizeof(*blobs));
  if (!blobs)
    CKPT_FAIL(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  hetc_status_t status = NULL;
  uint32_t i = 0;
  for (; i < count && !status; ++i)
    status = read_blob(path, in, i, blobs);
  if (status) {
    free_blobs(blobs, i);
    return status;
  }
  *out = blobs;
  *n = count;
  return NULL;
}

/* Checks what follows the header: tensors, blobs, nothing after them, and
 * the layout hash. On success `*blobs` holds the checkpoint's blobs. */
static hetc_status_t check_body(hetc_session_t *s, const char *path,
                                reader_t *in, const ckpt_header_t *h,
                                blob_t **blobs, size_t *num_blobs) {
  if (h->count != s->num_state)
    CKPT_FAIL(HETC_STATUS_FAILED_PRECONDITION,
              "checkpoint '%s' holds %u tensors but the artifact has %zu", path,
              h->count, s->num_state);
  /* Tensors come in the session's order, so a right name in the wrong
   * place is refused too. */
  for (uint32_t i = 0; i < h->count; ++i) {
    hetc_status_t status = check_saved_tensor(s, path, in, i);
    if (status)
      return status;
  }
  hetc_status_t status = read_blobs(path, in, h->version, blobs, num_blobs);
  if (!status && in->pos != in->end)
    status = hetc_make_status(
        HETC_STATUS_DATA_LOSS,
        "checkpoint '%s' has %zu trailing bytes after its last %s", path,
        in->end - in->pos, h->version >= 3 ? "blob" : "tensor");
  if (!status && h->version >= 2 && h->hash != s->layout_hash)
    status = hetc_make_status(
        HETC_STATUS_FAILED_PRECONDITION,
        "checkpoint '%s' was saved from another model: its state layout "
        "hash is %016llx, this artifact's is %016llx",
        path, (unsigned long long)h->hash, (unsigned long long)s->layout_hash);
  if (status) {
    free_blobs(*blobs, *num_blobs);
    *blobs = NULL;
    *num_blobs = 0;
  }
  return status;
}

#undef CKPT_FAIL

/* Copies every tensor's data to the device; the bytes were checked. */
static hetc_status_t upload_state(hetc_session_t *s, const uint8_t *data,
                                  uint32_t version) {
  size_t pos = version >= 2 ? 32 : 24;
  for (size_t i = 0; i < s->num_state; ++i) {
    const resident_t *r = &s->state[i];
    pos += 4 + strlen(r->info.name) + 8 + 8 * (size_t)r->info.rank + 8;
    hetc_status_t status =
        driver_of(s)->upload(s->device->impl, r->buffer, data + pos, r->bytes);
    if (status)
      return status;
    pos += r->bytes;
  }
  return NULL;
}

/* Validates everything before touching the device or the session. */
static hetc_status_t load_checkpoint(hetc_session_t *s, const char *path,
                                     const uint8_t *data, size_t size) {
  reader_t in = {0};
  ckpt_header_t header = {0};
  blob_t *blobs = NULL;
  size_t num_blobs = 0;
  hetc_status_t status = read_header(path, data, size, &in, &header);
  if (!status)
    status = check_body(s, path, &in, &header, &blobs, &num_blobs);
  if (!status)
    status = upload_state(s, data, header.version);
  if (status) {
    free_blobs(blobs, num_blobs);
    return status;
  }
  free_blobs(s->blobs, s->num_blobs);
  s->blobs = blobs;
  s->num_blobs = num_blobs;
  s->step = header.step;
  return NULL;
}

hetc_status_t hetc_session_load_checkpoint(hetc_session_t *s,
                                           const char *path) {
  void *data;
  size_t size;
  hetc_status_t status =
      hetc_read_file(path, "checkpoint", UINT64_MAX, &data, &size);
  if (status)
    return status;
  lock(s);
  status = load_checkpoint(s, path, data, size);
  unlock(s);
  free(data);
  return status;
}
