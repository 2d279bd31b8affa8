/*===- artifact.c - reading and validating artifacts ----------------------===*/

#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/manifest_schema.h"
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(HETC_MAX_RANK == HETC_MANIFEST_MAX_RANK,
               "the API's rank limit is the manifest's");

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p) {
  return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static char *dup_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *copy = malloc(n);
  if (copy)
    memcpy(copy, s, n);
  return copy;
}

bool hetc_checked_tensor_bytes(hetc_dtype_t dtype, int32_t rank,
                               const int64_t *shape, uint64_t *bytes) {
  uint64_t n = hetc_dtype_size(dtype);
  if (rank < 0 || rank > HETC_MAX_RANK)
    return false;
  for (int i = 0; i < rank; ++i)
    if (shape[i] < 0 || __builtin_mul_overflow(n, (uint64_t)shape[i], &n) ||
        n > HETC_MAX_TENSOR_BYTES)
      return false;
  *bytes = n;
  return true;
}

size_t hetc_tensor_info_bytes(const hetc_tensor_info_t *info) {
  uint64_t n;
  return hetc_checked_tensor_bytes(info->dtype, info->rank, info->shape, &n) &&
                 n <= SIZE_MAX
             ? (size_t)n
             : SIZE_MAX;
}

static const char *required_string(const json_value_t *object,
                                   const char *key) {
  const json_value_t *v = json_get(object, key);
  return v && v->kind == JSON_STRING ? v->string : NULL;
}

static hetc_status_t parse_tensor(const json_value_t *json, const char *entry,
                                  const char *list, size_t index,
                                  hetc_tensor_info_t *info) {
  const char *name = required_string(json, HETC_MANIFEST_KEY(TENSOR, name));
  const char *role = required_string(json, HETC_MANIFEST_KEY(TENSOR, role));
  const char *dtype = required_string(json, HETC_MANIFEST_KEY(TENSOR, dtype));
  const json_value_t *shape = json_get(json, HETC_MANIFEST_KEY(TENSOR, shape));
  if (!name || !role || !dtype || !shape || shape->kind != JSON_ARRAY)
    return hetc_make_status(
        HETC_STATUS_DATA_LOSS,
        "artifact manifest: %s #%zu of entry '%s' lacks a name, role, dtype "
        "or shape",
        list, index, entry);
  static const char *roles[] = {"param", "opt_state", "input",  "label",
                                "loss",  "output",    "buffer", "hyper"};
  static const char *dtypes[] = {"f32", "f16", "bf16", "i32", "i64"};
  int r = -1, d = -1;
  for (int i = 0; i < 8; ++i)
    if (!strcmp(role, roles[i]))
      r = i;
  for (int i = 0; i < 5; ++i)
    if (!strcmp(dtype, dtypes[i]))
      d = i;
  if (r < 0)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: '%s' has unknown role '%s'",
                            name, role);
  if (d < 0)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: '%s' has unknown dtype '%s'",
                            name, dtype);
  if (shape->count > HETC_MAX_RANK)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: '%s' of entry '%s' has rank "
                            "%zu (at most %d)",
                            name, entry, shape->count, HETC_MAX_RANK);
  if (!*name)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: %s #%zu of entry '%s' has an "
                            "empty name",
                            list, index, entry);
  info->role = (hetc_role_t)r;
  info->dtype = (hetc_dtype_t)d;
  info->rank = (int32_t)shape->count;
  for (size_t i = 0; i < shape->count; ++i) {
    const json_value_t *dim = shape->items[i];
    /* Range-check before converting: a double beyond int64 (1e+30) has no
     * defined conversion. 2^53 keeps every accepted value exact. */
    if (dim->kind != JSON_NUMBER || !(dim->number >= 0) ||
        dim->number > 9007199254740992.0 || dim->number != floor(dim->number))
      return hetc_make_status(HETC_STATUS_DATA_LOSS,
                              "artifact manifest: '%s' of entry '%s' has a bad "
                              "dimension #%zu (a whole number from 0 to 2^53 "
                              "is expected)",
                              name, entry, i);
    info->shape[i] = (int64_t)dim->number;
  }
  uint64_t bytes;
  if (!hetc_checked_tensor_bytes(info->dtype, info->rank, info->shape, &bytes))
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: '%s' of entry '%s' has more "
                            "than 2^48 bytes (its byte size overflows)",
                            name, entry);
  info->name = dup_string(name);
  return info->name ? NULL
                    : hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                                       "out of memory");
}

static hetc_status_t parse_init(const json_value_t *json, const char *name,
                                hetc_init_t *init) {
  init->kind = HETC_INIT_NONE;
  init->value = 0.0;
  const json_value_t *spec = json_get(json, HETC_MANIFEST_KEY(TENSOR, init));
  if (!spec)
    return NULL;
  const char *kind = required_string(spec, HETC_MANIFEST_KEY(INIT, kind));
  static const char *kinds[] = {"zeros", "ones", "constant", "uniform",
                                "normal"};
  for (int i = 0; kind && i < 5; ++i)
    if (!strcmp(kind, kinds[i]))
      init->kind = (hetc_init_kind_t)i;
  if (init->kind == HETC_INIT_NONE)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: '%s' has an unknown "
                            "initializer",
                            name);
  const json_value_t *value = json_get(spec, HETC_MANIFEST_KEY(INIT, value));
  if (value && value->kind == JSON_NUMBER)
    init->value = value->number;
  /* Values become f32: beyond its range the conversion is undefined. */
  if (!(fabs(init->value) <= 3.4028234663852886e38))
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: '%s' has an initializer "
                            "value %g outside the f32 range",
                            name, init->value);
  return NULL;
}

/* A hyper argument's "hyper" (its name) and "group". */
static hetc_status_t parse_hyper_ref(const json_value_t *json,
                                     const hetc_tensor_info_t *info,
                                     hetc_hyper_ref_t *ref) {
  ref->name[0] = '\0';
  ref->group = 0;
  if (info->role != HETC_ROLE_HYPER)
    return NULL;
  const char *name = required_string(json, HETC_MANIFEST_KEY(TENSOR, hyper));
  const json_value_t *group = json_get(json, HETC_MANIFEST_KEY(TENSOR, group));
  if (!name || strlen(name) >= sizeof(ref->name) || !group ||
      group->kind != JSON_NUMBER || !(group->number >= 0) ||
      group->number > 65535 || group->number != floor(group->number) ||
      info->dtype != HETC_DTYPE_F32 || info->rank != 0)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: hyper-parameter '%s' lacks a "
                            "short \"hyper\" name or a \"group\" from 0 to "
                            "65535, or is not a 0-d f32 tensor",
                            info->name);
  strcpy(ref->name, name);
  ref->group = (int32_t)group->number;
  return NULL;
}

/* The optional "checks" of a result: what each element of the NaN/Inf
 * guard's output checks. */
static hetc_status_t parse_guard(const json_value_t *results,
                                 hetc_entry_t *entry) {
  for (size_t i = 0; i < entry->num_results; ++i) {
    const json_value_t *checks =
        json_get(results->items[i], HETC_MANIFEST_KEY(TENSOR, checks));
    if (!checks)
      continue;
    const hetc_tensor_info_t *info = &entry->results[i];
    if (checks->kind != JSON_ARRAY || entry->guard_checks ||
        info->dtype != HETC_DTYPE_F32 || info->rank != 1 ||
        info->shape[0] != (int64_t)checks->count)
      return hetc_make_status(HETC_STATUS_DATA_LOSS,
                              "artifact manifest: result '%s' of entry '%s' "
                              "has malformed \"checks\" (one name per "
                              "element of a 1-d f32 result, once per entry)",
                              info->name, entry->name);
    entry->guard_checks =
        calloc(checks->count ? checks->count : 1, sizeof(char *));
    if (!entry->guard_checks)
      return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    entry->num_guard_checks = checks->count;
    entry->guard_result = i;
    for (size_t j = 0; j < checks->count; ++j) {
      const json_value_t *name = checks->items[j];
      entry->guard_checks[j] =
          dup_string(name->kind == JSON_STRING ? name->string : "?");
      if (!entry->guard_checks[j])
        return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                                "out of memory");
    }
  }
  return NULL;
}

static hetc_status_t parse_tensor_list(const json_value_t *list,
                                       const char *entry, const char *what,
                                       hetc_tensor_info_t **out,
                                       size_t *count) {
  if (!list || list->kind != JSON_ARRAY)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: entry '%s' has no %s list",
                            entry, what);
  if (list->count > HETC_MAX_ENTRY_TENSORS)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: entry '%s' declares %zu %ss "
                            "(at most %d)",
                            entry, list->count, what, HETC_MAX_ENTRY_TENSORS);
  *out = calloc(list->count ? list->count : 1, sizeof(**out));
  hetc_name_index_t names;
  if (!*out || !hetc_name_index_init(&names, list->count))
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  *count = list->count;
  hetc_status_t status = NULL;
  for (size_t i = 0; i < list->count && !status; ++i) {
    status = parse_tensor(list->items[i], entry, what, i, &(*out)[i]);
    if (!status && !hetc_name_index_insert(&names, (*out)[i].name, i))
      status = hetc_make_status(HETC_STATUS_DATA_LOSS,
                                "artifact manifest: entry '%s' declares the "
                                "%s '%s' twice",
                                entry, what, (*out)[i].name);
  }
  hetc_name_index_free(&names);
  return status;
}

/* An entry's optional "variant_of": the entry it is another batch size of. */
static hetc_status_t parse_variant_of(const json_value_t *json,
                                      hetc_entry_t *entry) {
  const json_value_t *of = json_get(json, HETC_MANIFEST_KEY(ENTRY, variant_of));
  if (!of)
    return NULL;
  if (of->kind != JSON_STRING || !*of->string)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: entry '%s' has a variant_of "
                            "that is not an entry name",
                            entry->name);
  entry->variant_of = dup_string(of->string);
  return entry->variant_of ? NULL
                           : hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                                              "out of memory");
}

/* A variant names an entry of the same kind that is no variant itself. */
static hetc_status_t check_variants(const hetc_artifact_t *a) {
  for (size_t i = 0; i < a->num_entries; ++i) {
    const hetc_entry_t *e = &a->entries[i];
    if (!e->variant_of)
      continue;
    const hetc_entry_t *main = hetc_artifact_entry(a, e->variant_of);
    if (!main || main->variant_of || strcmp(main->kind, e->kind))
      return hetc_make_status(HETC_STATUS_DATA_LOSS,
                              "artifact manifest: entry '%s' is a variant of "
                              "'%s', which is not a %s entry of this artifact",
                              e->name, e->variant_of, e->kind);
  }
  return NULL;
}

const char *hetc_entry_group(const hetc_entry_t *entry) {
  return entry->variant_of ? entry->variant_of : entry->name;
}

static hetc_status_t parse_manifest(hetc_artifact_t *a) {
  const hetc_section_t *section = hetc_artifact_section(a, "manifest");
  if (!section)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact has no 'manifest' section");
  a->manifest_text = malloc(section->size + 1);
  if (!a->manifest_text)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  memcpy(a->manifest_text, section->data, section->size);
  a->manifest_text[section->size] = '\0';
  json_value_t *root = NULL;
  hetc_status_t status = json_parse(a->manifest_text, section->size, &root);
  if (status)
    return status;
  const char *target = required_string(root, HETC_MANIFEST_KEY(ROOT, target));
  const char *chip = required_string(root, HETC_MANIFEST_KEY(ROOT, chip));
  const char *version =
      required_string(root, HETC_MANIFEST_KEY(ROOT, compiler_version));
  const json_value_t *entries =
      json_get(root, HETC_MANIFEST_KEY(ROOT, entries));
  if (!target || !version || !entries || entries->kind != JSON_ARRAY) {
    json_free(root);
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest lacks its target, "
                            "compiler_version or entries");
  }
  if (entries->count > HETC_MAX_ENTRIES) {
    json_free(root);
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest declares %zu entries (at most "
                            "%d)",
                            entries->count, HETC_MAX_ENTRIES);
  }
  const json_value_t *features =
      json_get(root, HETC_MANIFEST_KEY(ROOT, cpu_features));
  if (features && features->kind == JSON_ARRAY && features->count > 256) {
    json_free(root);
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest lists %zu cpu_features (at "
                            "most 256)",
                            features->count);
  }
  if (features && features->kind == JSON_ARRAY) {
    a->cpu_features =
        calloc(features->count ? features->count : 1, sizeof(char *));
    for (size_t i = 0; a->cpu_features && i < features->count; ++i)
      if (features->items[i]->kind == JSON_STRING)
        a->cpu_features[a->num_cpu_features++] =
            dup_string(features->items[i]->string);
  }
  const json_value_t *optimizer =
      json_get(root, HETC_MANIFEST_KEY(ROOT, optimizer));
  const char *optimizer_name =
      optimizer ? required_string(optimizer, HETC_MANIFEST_KEY(OPTIMIZER, name))
                : NULL;
  if (optimizer_name && strlen(optimizer_name) < sizeof(a->optimizer))
    strcpy(a->optimizer, optimizer_name);
  a->target = dup_string(target);
  a->chip = dup_string(chip ? chip : "");
  a->compiler_version = dup_string(version);
  a->entries = calloc(entries->count ? entries->count : 1, sizeof(*a->entries));
  if (!a->entries || !a->target || !a->chip || !a->compiler_version) {
    json_free(root);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  for (size_t i = 0; i < entries->count && !status; ++i, ++a->num_entries) {
    const json_value_t *e = entries->items[i];
    const char *name = required_string(e, HETC_MANIFEST_KEY(ENTRY, name));
    const char *kind = required_string(e, HETC_MANIFEST_KEY(ENTRY, kind));
    const char *symbol = required_string(e, HETC_MANIFEST_KEY(ENTRY, symbol));
    if (!name || !kind || !symbol) {
      status = hetc_make_status(HETC_STATUS_DATA_LOSS,
                                "artifact manifest: entry #%zu lacks a name, "
                                "kind or symbol",
                                i);
      break;
    }
    /* The runtime calls only the entry points the compiler emits, never
     * another exported function (abort, exit) a manifest might name. GPU
     * entries, replayed from their programs, may have no symbol. */
    if (*symbol && strncmp(symbol, HETC_ENTRY_SYMBOL_PREFIX,
                           strlen(HETC_ENTRY_SYMBOL_PREFIX)) != 0) {
      status = hetc_make_status(HETC_STATUS_DATA_LOSS,
                                "artifact manifest: entry '%s' names the "
                                "symbol '%s', which is not a hetc entry point "
                                "(" HETC_ENTRY_SYMBOL_PREFIX "*)",
                                name, symbol);
      break;
    }
    if (hetc_artifact_entry(a, name)) {
      status = hetc_make_status(HETC_STATUS_DATA_LOSS,
                                "artifact manifest declares the entry '%s' "
                                "twice",
                                name);
      break;
    }
    hetc_entry_t *entry = &a->entries[i];
    entry->name = dup_string(name);
    entry->kind = dup_string(kind);
    entry->symbol = dup_string(symbol);
    status =
        parse_tensor_list(json_get(e, HETC_MANIFEST_KEY(ENTRY, args)), name,
                          "argument", &entry->args, &entry->num_args);
    if (!status) {
      entry->arg_inits = calloc(entry->num_args ? entry->num_args : 1,
                                sizeof(*entry->arg_inits));
      entry->arg_classes = calloc(entry->num_args ? entry->num_args : 1,
                                  sizeof(*entry->arg_classes));
      entry->arg_hypers = calloc(entry->num_args ? entry->num_args : 1,
                                 sizeof(*entry->arg_hypers));
      const json_value_t *args = json_get(e, HETC_MANIFEST_KEY(ENTRY, args));
      for (size_t j = 0; !status && j < entry->num_args; ++j) {
        status = entry->arg_inits && entry->arg_classes && entry->arg_hypers
                     ? parse_init(args->items[j], entry->args[j].name,
                                  &entry->arg_inits[j])
                     : hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                                        "out of memory");
        if (!status)
          status = hetc_parse_label_classes(args->items[j], &entry->args[j],
                                            &entry->arg_classes[j]);
        if (!status)
          status = parse_hyper_ref(args->items[j], &entry->args[j],
                                   &entry->arg_hypers[j]);
      }
    }
    if (!status)
      status = parse_tensor_list(json_get(e, HETC_MANIFEST_KEY(ENTRY, results)),
                                 name, "result", &entry->results,
                                 &entry->num_results);
    if (!status)
      status = parse_variant_of(e, entry);
    if (!status)
      status =
          parse_guard(json_get(e, HETC_MANIFEST_KEY(ENTRY, results)), entry);
  }
  if (!status)
    status = check_variants(a);
  json_free(root);
  return status;
}

static hetc_status_t parse_container(hetc_artifact_t *a) {
  const uint8_t *b = a->bytes;
  if (a->size < HETC_ARTIFACT_HEADER_SIZE)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact is truncated: %zu bytes, shorter than "
                            "the %u-byte header",
                            a->size, HETC_ARTIFACT_HEADER_SIZE);
  if (memcmp(b, HETC_ARTIFACT_MAGIC, 8) != 0)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "not a hetc artifact: bad magic (expected "
                            "\"HETCART\")");
  uint32_t version = get32(b + HETC_ARTIFACT_OFF_VERSION);
  if (version > HETC_ARTIFACT_VERSION)
    return hetc_make_status(HETC_STATUS_FAILED_PRECONDITION,
                            "artifact format version %u is newer than this "
                            "runtime supports (%u)",
                            version, HETC_ARTIFACT_VERSION);
  if (version == 0)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact format version 0 is invalid");
  uint64_t file_size = get64(b + HETC_ARTIFACT_OFF_FILE_SIZE);
  if (file_size != a->size)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact is truncated or padded: the header says "
                            "%llu bytes but the file has %zu",
                            (unsigned long long)file_size, a->size);
  uint64_t table = get64(b + HETC_ARTIFACT_OFF_TABLE);
  uint32_t count = get32(b + HETC_ARTIFACT_OFF_COUNT);
  uint64_t table_bytes = (uint64_t)count * HETC_ARTIFACT_SECTION_ENTRY_SIZE;
  /* Compare against the remaining size: table + table_bytes may wrap. */
  if (count > 4096 || table < HETC_ARTIFACT_HEADER_SIZE || table > a->size ||
      table_bytes > a->size - table)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact section table (%u entries at %llu) lies "
                            "outside the file",
                            count, (unsigned long long)table);
  if (hetc_crc32(0, b + table, table_bytes) !=
      get32(b + HETC_ARTIFACT_OFF_TABLE_CRC))
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact section table is corrupt (CRC "
                            "mismatch)");
  a->sections = calloc(count ? count : 1, sizeof(*a->sections));
  if (!a->sections)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  a->num_sections = count;
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t *e =
        b + table + (uint64_t)i * HETC_ARTIFACT_SECTION_ENTRY_SIZE;
    hetc_section_t *s = &a->sections[i];
    memcpy(s->name, e + HETC_SECTION_OFF_NAME, 32);
    s->name[32] = '\0';
    uint64_t offset = get64(e + HETC_SECTION_OFF_OFFSET);
    s->size = get64(e + HETC_SECTION_OFF_SIZE);
    if (offset > a->size || s->size > a->size - offset)
      return hetc_make_status(HETC_STATUS_DATA_LOSS,
                              "artifact section '%s' lies outside the file",
                              s->name);
    for (uint32_t j = 0; j < i; ++j)
      if (!strcmp(a->sections[j].name, s->name))
        return hetc_make_status(HETC_STATUS_DATA_LOSS,
                                "artifact has two sections named '%s'",
                                s->name);
    s->data = b + offset;
    if (hetc_crc32(0, s->data, s->size) != get32(e + HETC_SECTION_OFF_CRC))
      return hetc_make_status(HETC_STATUS_DATA_LOSS,
                              "artifact section '%s' is corrupt (CRC "
                              "mismatch)",
                              s->name);
  }
  return NULL;
}

hetc_status_t hetc_artifact_open_memory(const void *data, size_t size,
                                        hetc_artifact_t **out) {
  *out = NULL;
  hetc_artifact_t *a = calloc(1, sizeof(*a));
  if (!a)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  a->bytes = malloc(size ? size : 1);
  if (!a->bytes) {
    free(a);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  memcpy(a->bytes, data, size);
  a->size = size;
  hetc_status_t status = parse_container(a);
  if (!status)
    status = parse_manifest(a);
  if (status) {
    hetc_artifact_free(a);
    return status;
  }
  *out = a;
  return NULL;
}

hetc_status_t hetc_artifact_open(const char *path, hetc_artifact_t **out) {
  *out = NULL;
  void *bytes;
  size_t size;
  hetc_status_t status =
      hetc_read_file(path, "artifact", HETC_MAX_ARTIFACT_BYTES, &bytes, &size);
  if (status)
    return status;
  status = hetc_artifact_open_memory(bytes, size, out);
  free(bytes);
  if (status) {
    hetc_status_t located = hetc_make_status(hetc_status_code(status), "%s: %s",
                                             path, hetc_status_message(status));
    hetc_status_free(status);
    return located;
  }
  return NULL;
}

void hetc_artifact_free(hetc_artifact_t *a) {
  if (!a)
    return;
  for (size_t i = 0; i < a->num_entries; ++i) {
    hetc_entry_t *e = &a->entries[i];
    /* The names were strdup'ed by parse_tensor. */
    for (size_t j = 0; j < e->num_args; ++j)
      free((void *)(uintptr_t)e->args[j].name);
    for (size_t j = 0; j < e->num_results; ++j)
      free((void *)(uintptr_t)e->results[j].name);
    free(e->args);
    free(e->arg_inits);
    free(e->arg_classes);
    free(e->arg_hypers);
    for (size_t j = 0; j < e->num_guard_checks; ++j)
      free(e->guard_checks[j]);
    free(e->guard_checks);
    free(e->results);
    free(e->name);
    free(e->kind);
    free(e->symbol);
    free(e->variant_of);
  }
  for (size_t i = 0; i < a->num_cpu_features; ++i)
    free(a->cpu_features[i]);
  free(a->cpu_features);
  free(a->entries);
  free(a->sections);
  free(a->manifest_text);
  free(a->target);
  free(a->chip);
  free(a->compiler_version);
  free(a->bytes);
  free(a);
}

const hetc_section_t *hetc_artifact_section(const hetc_artifact_t *a,
                                            const char *name) {
  for (size_t i = 0; i < a->num_sections; ++i)
    if (!strcmp(a->sections[i].name, name))
      return &a->sections[i];
  return NULL;
}

const hetc_entry_t *hetc_artifact_entry(const hetc_artifact_t *a,
                                        const char *name) {
  for (size_t i = 0; i < a->num_entries; ++i)
    if (!strcmp(a->entries[i].name, name))
      return &a->entries[i];
  return NULL;
}

const char *hetc_artifact_target(const hetc_artifact_t *a) { return a->target; }
const char *hetc_artifact_chip(const hetc_artifact_t *a) { return a->chip; }
const char *hetc_artifact_compiler_version(const hetc_artifact_t *a) {
  return a->compiler_version;
}
const char *hetc_artifact_manifest(const hetc_artifact_t *a) {
  return a->manifest_text;
}
size_t hetc_artifact_entry_count(const hetc_artifact_t *a) {
  return a->num_entries;
}
const char *hetc_artifact_entry_name(const hetc_artifact_t *a, size_t i) {
  return i < a->num_entries ? a->entries[i].name : NULL;
}
const char *hetc_artifact_entry_variant_of(const hetc_artifact_t *a, size_t i) {
  return i < a->num_entries ? a->entries[i].variant_of : NULL;
}

hetc_status_t
hetc_artifact_entry_signature(const hetc_artifact_t *a, const char *name,
                              size_t *num_args, const hetc_tensor_info_t **args,
                              size_t *num_results,
                              const hetc_tensor_info_t **results) {
  const hetc_entry_t *e = hetc_artifact_entry(a, name);
  if (!e)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "artifact has no entry named '%s'", name);
  *num_args = e->num_args;
  *args = e->args;
  *num_results = e->num_results;
  *results = e->results;
  return NULL;
}
