/*===- session.c - device-resident training sessions ----------------------===*/

#define _GNU_SOURCE
#include "hetc/runtime/artifact_format.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A parameter, optimizer-state or buffer tensor living on the device. */
typedef struct resident {
  hetc_tensor_info_t info;
  hetc_init_t init;
  size_t bytes;
  void *buffer;
} resident_t;

/* Device buffers for one entry's inputs and results, reused every call. */
typedef struct staging {
  const hetc_entry_t *entry;
  void **buffers; /* args then results */
  bool *owned;    /* true where the buffer is staging, not resident */
} staging_t;

struct hetc_session {
  hetc_artifact_t *artifact;
  hetc_device_t *device;
  hetc_executable_t *executable;
  resident_t *state;
  size_t num_state;
  staging_t *staging;
  size_t num_staging;
  int64_t step;
};

static const hetc_driver_t *driver_of(hetc_session_t *s) {
  return s->device->driver;
}

static resident_t *find_state(hetc_session_t *s, const char *name) {
  for (size_t i = 0; i < s->num_state; ++i)
    if (!strcmp(s->state[i].info.name, name))
      return &s->state[i];
  return NULL;
}

/* Tensors the session keeps resident rather than taking from the caller. */
static bool is_state_role(hetc_role_t role) {
  return role == HETC_ROLE_PARAM || role == HETC_ROLE_OPT_STATE ||
         role == HETC_ROLE_BUFFER;
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

void hetc_session_free(hetc_session_t *s) {
  if (!s)
    return;
  const hetc_driver_t *d = driver_of(s);
  for (size_t i = 0; i < s->num_staging; ++i) {
    staging_t *st = &s->staging[i];
    size_t n = st->entry->num_args + st->entry->num_results;
    for (size_t j = 0; st->buffers && j < n; ++j)
      if (st->owned[j] && st->buffers[j])
        d->free(s->device->impl, st->buffers[j]);
    free(st->buffers);
    free(st->owned);
  }
  free(s->staging);
  for (size_t i = 0; i < s->num_state; ++i)
    if (s->state[i].buffer)
      d->free(s->device->impl, s->state[i].buffer);
  free(s->state);
  if (s->executable) {
    if (d->gpu)
      hetc_program_unload(d, s->device->impl, s->executable);
    else
      d->unload(s->device->impl, s->executable);
  }
  free(s);
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
  s->artifact = artifact;
  s->device = device;
  hetc_status_t status =
      d->gpu ? hetc_program_load(d, device->impl, artifact, &s->executable)
             : d->load(device->impl, artifact, &s->executable);

  /* Resident tensors: every param, opt_state and buffer argument of every
   * entry, identified by name; entries must agree on their shapes. */
  size_t capacity = 0;
  for (size_t e = 0; !status && e < artifact->num_entries; ++e)
    capacity += artifact->entries[e].num_args;
  s->state = calloc(capacity ? capacity : 1, sizeof(*s->state));
  if (!status && !s->state)
    status = hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (size_t e = 0; !status && e < artifact->num_entries; ++e) {
    const hetc_entry_t *entry = &artifact->entries[e];
    for (size_t i = 0; !status && i < entry->num_args; ++i) {
      const hetc_tensor_info_t *info = &entry->args[i];
      if (!is_state_role(info->role))
        continue;
      resident_t *existing = find_state(s, info->name);
      if (existing) {
        if (!same_shape(&existing->info, info))
          status = hetc_make_status(
              HETC_STATUS_DATA_LOSS,
              "artifact entries disagree on the shape of '%s'", info->name);
        continue;
      }
      resident_t *r = &s->state[s->num_state++];
      r->info = *info;
      r->init = entry->arg_inits[i];
      r->bytes = hetc_tensor_info_bytes(info);
      status = d->alloc(device->impl, r->bytes, &r->buffer);
    }
  }

  s->staging = calloc(artifact->num_entries ? artifact->num_entries : 1,
                      sizeof(*s->staging));
  if (!status && !s->staging)
    status = hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (size_t e = 0; !status && e < artifact->num_entries; ++e) {
    const hetc_entry_t *entry = &artifact->entries[e];
    staging_t *st = &s->staging[s->num_staging++];
    st->entry = entry;
    size_t n = entry->num_args + entry->num_results;
    st->buffers = calloc(n ? n : 1, sizeof(void *));
    st->owned = calloc(n ? n : 1, sizeof(bool));
    if (!st->buffers || !st->owned) {
      status =
          hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
      break;
    }
    for (size_t j = 0; !status && j < n; ++j) {
      const hetc_tensor_info_t *info =
          j < entry->num_args ? &entry->args[j]
                              : &entry->results[j - entry->num_args];
      if (j < entry->num_args && is_state_role(info->role)) {
        st->buffers[j] = find_state(s, info->name)->buffer;
        continue;
      }
      st->owned[j] = true;
      status =
          d->alloc(device->impl, hetc_tensor_info_bytes(info), &st->buffers[j]);
    }
  }
  if (status) {
    hetc_session_free(s);
    return status;
  }
  *out = s;
  return NULL;
}

/*--- Initialization --------------------------------------------------------*/

/* splitmix64: a counter-based generator, so each tensor's values depend only
 * on (seed, tensor index, element index). */
static uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

static double uniform01(uint64_t seed, uint64_t stream, uint64_t counter) {
  uint64_t bits =
      splitmix64(seed ^ splitmix64(stream * 0x100000001B3ull + counter));
  return (double)(bits >> 11) * (1.0 / 9007199254740992.0);
}

hetc_status_t hetc_session_init_params(hetc_session_t *s, uint64_t seed) {
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
    for (size_t i = 0; i < n; ++i) {
      double v = 0.0;
      switch (r->init.kind) {
      case HETC_INIT_NONE:
      case HETC_INIT_ZEROS:
        v = 0.0;
        break;
      case HETC_INIT_ONES:
        v = 1.0;
        break;
      case HETC_INIT_CONSTANT:
        v = r->init.value;
        break;
      case HETC_INIT_UNIFORM:
        v = (2.0 * uniform01(seed, t, i) - 1.0) * r->init.value;
        break;
      case HETC_INIT_NORMAL: {
        /* Box-Muller on two independent uniforms. */
        double u1 = uniform01(seed, t, 2 * i),
               u2 = uniform01(seed, t, 2 * i + 1);
        v = sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2) *
            r->init.value;
        break;
      }
      }
      host[i] = (float)v;
    }
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

static staging_t *staging_for(hetc_session_t *s, const char *entry) {
  for (size_t i = 0; i < s->num_staging; ++i)
    if (!strcmp(s->staging[i].entry->name, entry))
      return &s->staging[i];
  return NULL;
}

static hetc_status_t check_tensor(const hetc_tensor_info_t *info,
                                  const hetc_tensor_t *t, const char *what) {
  char want[160], got[160];
  format_shape(want, sizeof(want), info->rank, info->shape);
  if (t->dtype != info->dtype)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "%s '%s' has dtype %s but the artifact expects %s",
                            what, info->name, hetc_dtype_name(t->dtype),
                            hetc_dtype_name(info->dtype));
  bool same = t->rank == info->rank && (t->rank == 0 || t->shape);
  for (int i = 0; same && i < t->rank; ++i)
    same = t->shape[i] == info->shape[i];
  if (!same) {
    format_shape(got, sizeof(got), t->rank, t->shape);
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "%s '%s' has shape %s but the artifact expects %s",
                            what, info->name, got, want);
  }
  if (!t->data)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT, "%s '%s' has no data",
                            what, info->name);
  return NULL;
}

static hetc_status_t run_entry(hetc_session_t *s, const char *name,
                               const hetc_tensor_t *inputs, size_t num_inputs,
                               float *loss, hetc_tensor_t *outputs,
                               size_t num_outputs) {
  staging_t *st = staging_for(s, name);
  if (!st)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "artifact has no entry named '%s'", name);
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
    if (!status)
      status = d->upload(s->device->impl, st->buffers[j], given->data,
                         hetc_tensor_info_bytes(info));
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
      d->gpu ? hetc_program_invoke(d, s->device->impl, s->executable, entry,
                                   st->buffers)
             : d->invoke(s->device->impl, s->executable, entry, st->buffers);
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

hetc_status_t hetc_session_train_step(hetc_session_t *s,
                                      const hetc_tensor_t *inputs,
                                      size_t num_inputs, float *loss,
                                      hetc_tensor_t *outputs,
                                      size_t num_outputs) {
  if (!hetc_artifact_entry(s->artifact, "train_step"))
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "artifact has no train_step entry (it was "
                            "compiled with --eval-only)");
  hetc_status_t status = run_entry(s, "train_step", inputs, num_inputs, loss,
                                   outputs, num_outputs);
  if (!status)
    ++s->step;
  return status;
}

hetc_status_t hetc_session_run(hetc_session_t *s, const char *entry,
                               const hetc_tensor_t *inputs, size_t num_inputs,
                               float *loss, hetc_tensor_t *outputs,
                               size_t num_outputs) {
  return run_entry(s, entry, inputs, num_inputs, loss, outputs, num_outputs);
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
  hetc_status_t status = checked_state(s, t, &r);
  return status ? status
                : driver_of(s)->download(s->device->impl, r->buffer, t->data,
                                         r->bytes);
}

hetc_status_t hetc_session_set_tensor(hetc_session_t *s,
                                      const hetc_tensor_t *t) {
  resident_t *r;
  hetc_status_t status = checked_state(s, t, &r);
  return status ? status
                : driver_of(s)->upload(s->device->impl, r->buffer, t->data,
                                       r->bytes);
}

size_t hetc_session_state_count(const hetc_session_t *s) {
  return s->num_state;
}

const hetc_tensor_info_t *hetc_session_state_info(const hetc_session_t *s,
                                                  size_t index) {
  return index < s->num_state ? &s->state[index].info : NULL;
}

int64_t hetc_session_step(const hetc_session_t *s) { return s->step; }

/*--- Checkpoints ------------------------------------------------------------*
 * "HETCCKPT", u32 version, u32 count, i64 step, then per tensor: u32 name
 * length, name, u32 dtype, u32 rank, i64 dims[rank], u64 bytes, data; then
 * the CRC-32 of everything before it. Little-endian (the host order here).
 *----------------------------------------------------------------------------*/

#define CKPT_MAGIC "HETCCKPT"
#define CKPT_VERSION 1u

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

hetc_status_t hetc_session_save_checkpoint(hetc_session_t *s,
                                           const char *path) {
  buffer_t b = {0};
  uint32_t version = CKPT_VERSION, count = (uint32_t)s->num_state;
  bool ok = put(&b, CKPT_MAGIC, 8) && put(&b, &version, 4) &&
            put(&b, &count, 4) && put(&b, &s->step, 8);
  hetc_status_t status = NULL;
  for (size_t i = 0; ok && !status && i < s->num_state; ++i) {
    resident_t *r = &s->state[i];
    uint32_t len = (uint32_t)strlen(r->info.name);
    uint32_t dtype = (uint32_t)r->info.dtype, rank = (uint32_t)r->info.rank;
    uint64_t bytes = r->bytes;
    void *host = malloc(r->bytes ? r->bytes : 1);
    if (!host) {
      ok = false;
      break;
    }
    status = driver_of(s)->download(s->device->impl, r->buffer, host, r->bytes);
    ok = !status && put(&b, &len, 4) && put(&b, r->info.name, len) &&
         put(&b, &dtype, 4) && put(&b, &rank, 4) &&
         put(&b, r->info.shape, 8 * (size_t)rank) && put(&b, &bytes, 8) &&
         put(&b, host, r->bytes);
    free(host);
  }
  uint32_t crc = ok ? hetc_crc32(0, b.data, b.size) : 0;
  ok = ok && put(&b, &crc, 4);
  if (!ok || status) {
    free(b.data);
    return status ? status
                  : hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                                     "out of memory while saving a "
                                     "checkpoint");
  }
  /* Temporary file in the same folder, synced, then renamed over the old
   * checkpoint: a crash at any point leaves the previous one intact. */
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 16);
  if (!tmp) {
    free(b.data);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    status = hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                              "cannot create a checkpoint beside '%s': %s",
                              path, strerror(errno));
    free(tmp);
    free(b.data);
    return status;
  }
  size_t written = 0;
  while (written < b.size) {
    ssize_t n = write(fd, b.data + written, b.size - written);
    if (n <= 0)
      break;
    written += (size_t)n;
  }
  bool synced = written == b.size && fsync(fd) == 0;
  int write_errno = errno;
  close(fd);
  free(b.data);
  if (!synced || rename(tmp, path) != 0) {
    if (synced)
      write_errno = errno;
    unlink(tmp);
    status = hetc_make_status(HETC_STATUS_INTERNAL,
                              "saving checkpoint '%s' failed (%s); the "
                              "previous checkpoint is unchanged",
                              path, strerror(write_errno));
  }
  free(tmp);
  return status;
}

hetc_status_t hetc_session_load_checkpoint(hetc_session_t *s,
                                           const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file)
    return hetc_make_status(errno == ENOENT ? HETC_STATUS_NOT_FOUND
                                            : HETC_STATUS_INVALID_ARGUMENT,
                            "checkpoint file '%s' %s", path,
                            errno == ENOENT ? "not found" : strerror(errno));
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  uint8_t *data = malloc(size > 0 ? (size_t)size : 1);
  size_t got = data ? fread(data, 1, (size_t)size, file) : 0;
  fclose(file);
  hetc_status_t status = NULL;
#define CKPT_FAIL(...)                                                         \
  do {                                                                         \
    status = hetc_make_status(HETC_STATUS_DATA_LOSS, __VA_ARGS__);             \
    goto done;                                                                 \
  } while (0)
  if (!data || got != (size_t)size)
    CKPT_FAIL("cannot read checkpoint '%s'", path);
  if (size < 28 || memcmp(data, CKPT_MAGIC, 8) != 0)
    CKPT_FAIL("'%s' is not a hetc checkpoint", path);
  uint32_t crc;
  memcpy(&crc, data + size - 4, 4);
  if (hetc_crc32(0, data, (size_t)size - 4) != crc)
    CKPT_FAIL("checkpoint '%s' is corrupt (CRC mismatch)", path);
  uint32_t version, count;
  int64_t step;
  memcpy(&version, data + 8, 4);
  memcpy(&count, data + 12, 4);
  memcpy(&step, data + 16, 8);
  if (version != CKPT_VERSION)
    CKPT_FAIL("checkpoint '%s' has version %u; this runtime reads %u", path,
              version, CKPT_VERSION);
  if (count != s->num_state)
    CKPT_FAIL("checkpoint '%s' holds %u tensors but the artifact has %zu", path,
              count, s->num_state);
  /* Validate everything before touching the device. */
  size_t pos = 24, end = (size_t)size - 4;
  const uint8_t **payloads = calloc(count ? count : 1, sizeof(*payloads));
  resident_t **targets = calloc(count ? count : 1, sizeof(*targets));
  if (!payloads || !targets) {
    free(payloads);
    free(targets);
    CKPT_FAIL("out of memory");
  }
  for (uint32_t i = 0; i < count && !status; ++i) {
    uint32_t len, dtype, rank;
    uint64_t bytes;
    char name[256];
    if (pos + 4 > end || (memcpy(&len, data + pos, 4), len >= sizeof(name)) ||
        pos + 4 + len + 8 > end) {
      status = hetc_make_status(HETC_STATUS_DATA_LOSS,
                                "checkpoint '%s' is truncated", path);
      break;
    }
    memcpy(name, data + pos + 4, len);
    name[len] = '\0';
    pos += 4 + len;
    memcpy(&dtype, data + pos, 4);
    memcpy(&rank, data + pos + 4, 4);
    pos += 8;
    if (rank > HETC_MAX_RANK || pos + 8 * (size_t)rank + 8 > end) {
      status = hetc_make_status(HETC_STATUS_DATA_LOSS,
                                "checkpoint '%s' is truncated", path);
      break;
    }
    hetc_tensor_info_t info = {
        name, HETC_ROLE_PARAM, (hetc_dtype_t)dtype, (int32_t)rank, {0}};
    memcpy(info.shape, data + pos, 8 * (size_t)rank);
    pos += 8 * (size_t)rank;
    memcpy(&bytes, data + pos, 8);
    pos += 8;
    resident_t *r = find_state(s, name);
    if (!r) {
      status = hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                                "checkpoint '%s' holds '%s', which this "
                                "artifact does not have",
                                path, name);
      break;
    }
    if (!same_shape(&r->info, &info) || bytes != r->bytes ||
        pos + bytes > end) {
      char want[160], have[160];
      format_shape(want, sizeof(want), r->info.rank, r->info.shape);
      format_shape(have, sizeof(have), info.rank, info.shape);
      status = hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                                "checkpoint '%s': '%s' is %s %s but the "
                                "artifact expects %s %s",
                                path, name, hetc_dtype_name(info.dtype), have,
                                hetc_dtype_name(r->info.dtype), want);
      break;
    }
    payloads[i] = data + pos;
    targets[i] = r;
    pos += bytes;
  }
  for (uint32_t i = 0; i < count && !status; ++i)
    status = driver_of(s)->upload(s->device->impl, targets[i]->buffer,
                                  payloads[i], targets[i]->bytes);
  if (!status)
    s->step = step;
  free(payloads);
  free(targets);
done:
  free(data);
  return status;
#undef CKPT_FAIL
}
