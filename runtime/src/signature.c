/*===- signature.c - the manifest against the signature in the code -------===*
 *
 * The compiler embeds the signature its manifest describes (entries,
 * argument and result names, roles, dtypes and shapes, hence the state
 * layout) in the code it emits: an ELF section of the CPU host object, an
 * artifact section beside the device kernels. Before any of that code runs,
 * the runtime formats the same text from the manifest it parsed and compares
 * the two, naming the first field that differs. Format: artifact_format.h.
 *
 *===----------------------------------------------------------------------===*/

#include "drivers/dylib.h"
#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/manifest_schema.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/*--- Formatting -----------------------------------------------------------*/

typedef struct text {
  char *data;
  size_t size, capacity;
  bool failed;
} text_t;

/* Makes room for `more` bytes plus a NUL. */
static bool reserve(text_t *t, size_t more) {
  if (t->failed)
    return false;
  if (more < t->capacity - t->size)
    return true;
  size_t capacity = t->capacity ? t->capacity : 256;
  while (capacity - t->size <= more)
    capacity *= 2;
  char *data = realloc(t->data, capacity);
  if (!data) {
    t->failed = true;
    return false;
  }
  t->data = data;
  t->capacity = capacity;
  return true;
}

static void append_tensors(text_t *t, const char *list,
                           const hetc_tensor_info_t *tensors, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const hetc_tensor_info_t *info = &tensors[i];
    size_t n = hetc_signature_tensor_line(
        NULL, 0, list, info->name, hetc_role_name(info->role),
        hetc_dtype_name(info->dtype), info->rank, info->shape);
    if (!reserve(t, n))
      return;
    hetc_signature_tensor_line(
        t->data + t->size, n + 1, list, info->name, hetc_role_name(info->role),
        hetc_dtype_name(info->dtype), info->rank, info->shape);
    t->size += n;
  }
}

/* Members that describe the file, not what the code computes. */
static bool is_unbound_key(const char *key) {
  return !strcmp(key, HETC_MANIFEST_KEY(ROOT, format_version)) ||
         !strcmp(key, HETC_MANIFEST_KEY(ROOT, compiler_version));
}

typedef struct member {
  const char *key;
  const json_value_t *value;
} member_t;

static int compare_members(const void *a, const void *b) {
  return strcmp(((const member_t *)a)->key, ((const member_t *)b)->key);
}

/* The canonical hash of `v` (artifact_format.h); false when out of memory. */
static bool hash_json(const json_value_t *v, uint64_t *hash) {
  switch (v->kind) {
  case JSON_NULL:
    *hash = hetc_json_hash_null(*hash);
    return true;
  case JSON_BOOL:
    *hash = hetc_json_hash_bool(*hash, v->boolean);
    return true;
  case JSON_NUMBER:
    *hash = hetc_json_hash_number(*hash, v->number);
    return true;
  case JSON_STRING:
    *hash = hetc_json_hash_string(*hash, v->string, strlen(v->string));
    return true;
  case JSON_ARRAY:
    *hash = hetc_json_hash_open(*hash, '[', v->count);
    for (size_t i = 0; i < v->count; ++i)
      if (!hash_json(v->items[i], hash))
        return false;
    return true;
  case JSON_OBJECT:
    break;
  }
  /* Members in key order (the reader refused duplicate keys). */
  member_t *members = malloc((v->count ? v->count : 1) * sizeof(*members));
  if (!members)
    return false;
  for (size_t i = 0; i < v->count; ++i)
    members[i] = (member_t){v->keys[i], v->items[i]};
  qsort(members, v->count, sizeof(*members), compare_members);
  *hash = hetc_json_hash_open(*hash, '{', v->count);
  bool ok = true;
  for (size_t i = 0; i < v->count && ok; ++i) {
    *hash =
        hetc_json_hash_string(*hash, members[i].key, strlen(members[i].key));
    ok = hash_json(members[i].value, hash);
  }
  free(members);
  return ok;
}

static void append_binding(text_t *t, const member_t *member) {
  uint64_t hash = HETC_JSON_HASH_START;
  if (!hash_json(member->value, &hash)) {
    t->failed = true;
    return;
  }
  size_t n = hetc_signature_binding_line(NULL, 0, member->key, hash);
  if (!reserve(t, n))
    return;
  hetc_signature_binding_line(t->data + t->size, n + 1, member->key, hash);
  t->size += n;
}

/* One binding line per bound top-level member, in key order (the artifact
 * reader has checked that the manifest is a JSON object). */
static void append_bindings(text_t *t, const char *manifest) {
  json_value_t *root = NULL;
  hetc_status_t status = json_parse(manifest, strlen(manifest), &root);
  member_t *members =
      status ? NULL : malloc((root->count + 1) * sizeof(*members));
  if (!members || root->kind != JSON_OBJECT) {
    hetc_status_free(status);
    json_free(root);
    free(members);
    t->failed = true;
    return;
  }
  size_t count = 0;
  for (size_t i = 0; i < root->count; ++i)
    if (!is_unbound_key(root->keys[i]))
      members[count++] = (member_t){root->keys[i], root->items[i]};
  qsort(members, count, sizeof(*members), compare_members);
  for (size_t i = 0; i < count && !t->failed; ++i)
    append_binding(t, &members[i]);
  free(members);
  json_free(root);
}

/* The signature the manifest describes, NUL-terminated; NULL when out of
 * memory. */
static char *manifest_signature(const hetc_artifact_t *a, size_t *size) {
  text_t t = {0};
  size_t n = strlen(HETC_SIGNATURE_HEADER);
  if (reserve(&t, n)) {
    memcpy(t.data, HETC_SIGNATURE_HEADER, n + 1);
    t.size = n;
  }
  for (size_t i = 0; i < a->num_entries; ++i) {
    const hetc_entry_t *e = &a->entries[i];
    n = hetc_signature_entry_line(NULL, 0, e->name, e->kind, e->symbol);
    if (!reserve(&t, n))
      break;
    hetc_signature_entry_line(t.data + t.size, n + 1, e->name, e->kind,
                              e->symbol);
    t.size += n;
    append_tensors(&t, "arg", e->args, e->num_args);
    append_tensors(&t, "result", e->results, e->num_results);
  }
  append_bindings(&t, a->manifest_text);
  if (t.failed) {
    free(t.data);
    return NULL;
  }
  *size = t.size;
  return t.data;
}

hetc_status_t hetc_artifact_signature(const hetc_artifact_t *a, char **text) {
  size_t size;
  *text = manifest_signature(a, &size);
  return *text ? NULL
               : hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                                  "out of memory");
}

/*--- Parsing --------------------------------------------------------------*/

typedef struct field {
  const char *data;
  size_t size;
} field_t;

/* One line: 'e'ntry (name, kind, symbol), 'a'rg / 'r'esult (name, role,
 * dtype, shape) or 'm'anifest binding (key, hash). */
typedef struct line {
  char kind;
  field_t name, f[3];
} line_t;

typedef struct cursor {
  const char *p, *end;
} cursor_t;

/* A non-empty word of printable characters ending at `stop`. */
static bool word(cursor_t *c, char stop, field_t *out) {
  const char *start = c->p;
  while (c->p<c->end && * c->p != stop && * c->p> ' ' && *c->p < 127)
    ++c->p;
  if (c->p == start || c->p == c->end || *c->p != stop)
    return false;
  *out = (field_t){start, (size_t)(c->p - start)};
  ++c->p;
  return true;
}

/* <length>:<bytes> then `stop`. */
static bool name(cursor_t *c, char stop, field_t *out) {
  size_t length = 0;
  const char *start = c->p;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && c->p - start < 10)
    length = length * 10 + (size_t)(*c->p++ - '0');
  if (c->p == start || c->p == c->end || *c->p++ != ':' ||
      length >= (size_t)(c->end - c->p) || c->p[length] != stop)
    return false;
  *out = (field_t){c->p, length};
  c->p += length + 1;
  return true;
}

static bool parse_line(cursor_t *c, line_t *line) {
  field_t keyword;
  if (!word(c, ' ', &keyword) || !name(c, ' ', &line->name))
    return false;
  if (keyword.size == 5 && !memcmp(keyword.data, "entry", 5)) {
    line->kind = 'e';
    return name(c, ' ', &line->f[0]) && name(c, '\n', &line->f[1]);
  }
  if (keyword.size == 8 && !memcmp(keyword.data, "manifest", 8)) {
    line->kind = 'm';
    return word(c, '\n', &line->f[0]);
  }
  if (keyword.size == 3 && !memcmp(keyword.data, "arg", 3))
    line->kind = 'a';
  else if (keyword.size == 6 && !memcmp(keyword.data, "result", 6))
    line->kind = 'r';
  else
    return false;
  return word(c, ' ', &line->f[0]) && word(c, ' ', &line->f[1]) &&
         word(c, '\n', &line->f[2]);
}

/* Splits a whole signature into lines; *bad_offset is the start of the
 * line that does not parse. Entry blocks come first, then only bindings. */
static hetc_status_t parse_signature(const char *text, size_t size,
                                     line_t **out, size_t *count,
                                     size_t *bad_offset) {
  size_t header = strlen(HETC_SIGNATURE_HEADER);
  *out = NULL;
  *count = 0;
  *bad_offset = 0;
  if (size < header || memcmp(text, HETC_SIGNATURE_HEADER, header) != 0)
    return hetc_make_status(HETC_STATUS_DATA_LOSS, "bad header");
  /* Every line takes at least 10 bytes. */
  size_t capacity = (size - header) / 10 + 1;
  line_t *lines = calloc(capacity, sizeof(*lines));
  if (!lines)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  cursor_t c = {text + header, text + size};
  size_t entries = 0;
  while (c.p < c.end) {
    const char *start = c.p;
    /* Entries are bounded as in manifests: matching stays fast. */
    if (*count == capacity || !parse_line(&c, &lines[*count]) ||
        (*count == 0 && lines[0].kind != 'e') ||
        (*count > 0 && lines[*count - 1].kind == 'm' &&
         lines[*count].kind != 'm') ||
        (lines[*count].kind == 'e' && ++entries > HETC_MAX_ENTRIES)) {
      *bad_offset = (size_t)(start - text);
      free(lines);
      return hetc_make_status(HETC_STATUS_DATA_LOSS, "malformed line");
    }
    ++*count;
  }
  *out = lines;
  return NULL;
}

/*--- Comparing ------------------------------------------------------------*/

static bool same(field_t a, field_t b) {
  return a.size == b.size && !memcmp(a.data, b.data, a.size);
}

/* The lines of the entry block starting at `at`, up to the next entry. */
static size_t block_size(const line_t *lines, size_t count, size_t at) {
  size_t end = at + 1;
  while (end < count && lines[end].kind != 'e')
    ++end;
  return end - at;
}

static size_t count_kind(const line_t *lines, size_t n, char kind) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i)
    k += lines[i].kind == kind;
  return k;
}

#define SIG_FAIL(...)                                                          \
  hetc_make_status(                                                            \
      HETC_STATUS_FAILED_PRECONDITION,                                         \
      "the manifest does not describe the compiled code: " __VA_ARGS__)

/* Compares one entry's block in the manifest (`want`) and the code (`have`),
 * naming the first differing field. */
static hetc_status_t compare_entry(field_t name, const line_t *want,
                                   size_t want_n, const line_t *have,
                                   size_t have_n) {
  int len = (int)name.size;
  const char *entry = name.data;
  static const char *entry_fields[] = {"kind", "symbol"};
  for (int f = 0; f < 2; ++f)
    if (!same(want[0].f[f], have[0].f[f]))
      return SIG_FAIL("entry '%.*s' has %s '%.*s' in the manifest but '%.*s' "
                      "in the compiled code",
                      len, entry, entry_fields[f], (int)want[0].f[f].size,
                      want[0].f[f].data, (int)have[0].f[f].size,
                      have[0].f[f].data);
  static const char kinds[] = {'a', 'r'};
  static const char *lists[] = {"argument", "result"};
  for (int k = 0; k < 2; ++k) {
    size_t nw = count_kind(want, want_n, kinds[k]);
    size_t nh = count_kind(have, have_n, kinds[k]);
    if (nw != nh)
      return SIG_FAIL("entry '%.*s' declares %zu %ss in the manifest but the "
                      "compiled code has %zu",
                      len, entry, nw, lists[k], nh);
  }
  static const char *tensor_fields[] = {"role", "dtype", "shape"};
  size_t index[2] = {0, 0};
  for (size_t i = 1; i < want_n; ++i) {
    const line_t *w = &want[i], *h = &have[i];
    int k = w->kind == 'a' ? 0 : 1;
    size_t n = index[k]++;
    if (w->kind != h->kind)
      return SIG_FAIL("entry '%.*s' lists its arguments and results in "
                      "another order than the compiled code",
                      len, entry);
    if (!same(w->name, h->name))
      return SIG_FAIL("entry '%.*s' %s #%zu is named '%.*s' in the manifest "
                      "but '%.*s' in the compiled code",
                      len, entry, lists[k], n, (int)w->name.size, w->name.data,
                      (int)h->name.size, h->name.data);
    for (int f = 0; f < 3; ++f)
      if (!same(w->f[f], h->f[f]))
        return SIG_FAIL("entry '%.*s' %s #%zu ('%.*s') has %s %.*s in the "
                        "manifest but %.*s in the compiled code",
                        len, entry, lists[k], n, (int)w->name.size,
                        w->name.data, tensor_fields[f], (int)w->f[f].size,
                        w->f[f].data, (int)h->f[f].size, h->f[f].data);
  }
  return NULL;
}

static hetc_status_t compare(const line_t *want, size_t want_n,
                             const line_t *have, size_t have_n) {
  for (size_t i = 0; i < want_n; i += block_size(want, want_n, i)) {
    size_t j = 0;
    while (j < have_n &&
           !(have[j].kind == 'e' && same(have[j].name, want[i].name)))
      j += block_size(have, have_n, j);
    if (j == have_n)
      return SIG_FAIL("the compiled code has no entry '%.*s'",
                      (int)want[i].name.size, want[i].name.data);
    hetc_status_t status =
        compare_entry(want[i].name, want + i, block_size(want, want_n, i),
                      have + j, block_size(have, have_n, j));
    if (status)
      return status;
  }
  return NULL;
}

/*--- Manifest bindings ----------------------------------------------------*/

static const line_t *find_binding(const line_t *lines, size_t n, field_t key) {
  for (size_t i = 0; i < n; ++i)
    if (lines[i].kind == 'm' && same(lines[i].name, key))
      return &lines[i];
  return NULL;
}

/* Every member the manifest binds hashes as the code's binding says, and
 * the code binds no member the manifest lacks. */
static hetc_status_t compare_bindings(const line_t *want, size_t want_n,
                                      const line_t *have, size_t have_n) {
  for (size_t i = 0; i < want_n; ++i) {
    field_t key = want[i].name;
    int len = (int)key.size;
    const line_t *binding = find_binding(have, have_n, key);
    if (!binding)
      return SIG_FAIL("the manifest's '%.*s' is not bound by the compiled "
                      "code",
                      len, key.data);
    if (!same(binding->f[0], want[i].f[0]))
      return SIG_FAIL(
          "the manifest's '%.*s' differs from the one the code "
          "was compiled with%s",
          len, key.data,
          same(key, (field_t){HETC_MANIFEST_KEY(ROOT, entries),
                              strlen(HETC_MANIFEST_KEY(ROOT, entries))})
              ? " (an initializer, a label's class count or a "
                "variant was edited)"
              : "");
  }
  for (size_t i = 0; i < have_n; ++i)
    if (!find_binding(want, want_n, have[i].name))
      return SIG_FAIL("the manifest lacks '%.*s', which the code was "
                      "compiled with",
                      (int)have[i].name.size, have[i].name.data);
  return NULL;
}

/* The number of lines before the bindings. */
static size_t entry_lines(const line_t *lines, size_t n) {
  size_t k = 0;
  while (k < n && lines[k].kind != 'm')
    ++k;
  return k;
}

/*--- The embedded text ----------------------------------------------------*/

hetc_status_t hetc_artifact_check_signature(const hetc_artifact_t *a) {
  const uint8_t *embedded = NULL;
  uint64_t size = 0;
  const char *where;
  if (!strcmp(a->target, "cpu")) {
    const hetc_section_t *host = hetc_artifact_section(a, "host");
    where = "the host code's ELF section " HETC_SIGNATURE_ELF_SECTION;
    if (host)
      hetc_elf_section(host->data, host->size, HETC_SIGNATURE_ELF_SECTION,
                       &embedded, &size);
  } else {
    const hetc_section_t *section =
        hetc_artifact_section(a, HETC_SIGNATURE_SECTION);
    where = "the artifact section '" HETC_SIGNATURE_SECTION "'";
    if (section) {
      embedded = section->data;
      size = section->size;
    }
  }
  if (!embedded)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "the artifact's compiled code carries no "
                            "signature (%s): it was not written by this "
                            "hetc; recompile the model",
                            where);
  /* The compiler NUL-terminates the text; the section may be padded. */
  size = strnlen((const char *)embedded, size);
  line_t *have = NULL, *want = NULL;
  size_t have_n, want_n, bad, text_size = 0;
  hetc_status_t status =
      parse_signature((const char *)embedded, size, &have, &have_n, &bad);
  if (status) {
    hetc_status_free(status);
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "the signature in %s is malformed at byte %zu",
                            where, bad);
  }
  char *text = manifest_signature(a, &text_size);
  status =
      text ? parse_signature(text, text_size, &want, &want_n, &bad)
           : hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  /* Bindings follow the entry blocks. */
  size_t want_e = want ? entry_lines(want, want_n) : 0;
  size_t have_e = entry_lines(have, have_n);
  if (!status)
    status = compare(want, want_e, have, have_e);
  if (!status)
    status = compare_bindings(want + want_e, want_n - want_e, have + have_e,
                              have_n - have_e);
  free(want);
  free(have);
  free(text);
  return status;
}
