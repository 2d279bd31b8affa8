/*===- artifact_format.c - CRC-32 and the artifact encoder ----------------===*/

#include "hetc/runtime/artifact_format.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc_table[256];

static void build_crc_table(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

uint32_t hetc_crc32(uint32_t crc, const void *data, size_t size) {
  /* Sessions and artifacts may be opened from several threads at once. */
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, build_crc_table);
  const uint32_t *table = crc_table;
  const uint8_t *bytes = data;
  crc = ~crc;
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    p[i] = (uint8_t)(v >> (8 * i));
}

static size_t align_up(size_t v) {
  return (v + HETC_ARTIFACT_ALIGNMENT - 1) / HETC_ARTIFACT_ALIGNMENT *
         HETC_ARTIFACT_ALIGNMENT;
}

int hetc_artifact_encode(const hetc_section_input_t *sections, size_t count,
                         uint8_t **out, size_t *out_size, const char **error) {
  size_t table = HETC_ARTIFACT_HEADER_SIZE;
  size_t cursor = align_up(table + count * HETC_ARTIFACT_SECTION_ENTRY_SIZE);
  size_t total = cursor;
  for (size_t i = 0; i < count; ++i) {
    if (!sections[i].name ||
        strlen(sections[i].name) >= HETC_ARTIFACT_SECTION_NAME_SIZE) {
      *error = "section names must be 1 to 31 bytes";
      return 1;
    }
    total = align_up(total + sections[i].size);
  }
  uint8_t *bytes = calloc(1, total ? total : 1);
  if (!bytes) {
    *error = "out of memory";
    return 1;
  }
  memcpy(bytes, HETC_ARTIFACT_MAGIC, 8);
  put32(bytes + HETC_ARTIFACT_OFF_VERSION, HETC_ARTIFACT_VERSION);
  put64(bytes + HETC_ARTIFACT_OFF_TABLE, table);
  put32(bytes + HETC_ARTIFACT_OFF_COUNT, (uint32_t)count);
  put64(bytes + HETC_ARTIFACT_OFF_FILE_SIZE, total);
  for (size_t i = 0; i < count; ++i) {
    uint8_t *entry = bytes + table + i * HETC_ARTIFACT_SECTION_ENTRY_SIZE;
    memcpy(entry + HETC_SECTION_OFF_NAME, sections[i].name,
           strlen(sections[i].name));
    put64(entry + HETC_SECTION_OFF_OFFSET, cursor);
    put64(entry + HETC_SECTION_OFF_SIZE, sections[i].size);
    put32(entry + HETC_SECTION_OFF_CRC,
          hetc_crc32(0, sections[i].data, sections[i].size));
    put32(entry + HETC_SECTION_OFF_ALIGN, HETC_ARTIFACT_ALIGNMENT);
    if (sections[i].size)
      memcpy(bytes + cursor, sections[i].data, sections[i].size);
    cursor = align_up(cursor + sections[i].size);
  }
  put32(bytes + HETC_ARTIFACT_OFF_TABLE_CRC,
        hetc_crc32(0, bytes + table, count * HETC_ARTIFACT_SECTION_ENTRY_SIZE));
  *out = bytes;
  *out_size = total;
  return 0;
}

size_t hetc_signature_entry_line(char *out, size_t size, const char *name,
                                 const char *kind, const char *symbol) {
  if (!symbol)
    symbol = "";
  int n = snprintf(out, size, "entry %zu:%s %zu:%s %zu:%s\n", strlen(name),
                   name, strlen(kind), kind, strlen(symbol), symbol);
  return n < 0 ? 0 : (size_t)n;
}

size_t hetc_signature_tensor_line(char *out, size_t size, const char *list,
                                  const char *name, const char *role,
                                  const char *dtype, int32_t rank,
                                  const int64_t *shape) {
  /* Up to 8 dimensions of 20 digits and their separators. */
  char dims[8 * 21 + 2] = "-";
  size_t used = 0;
  for (int32_t i = 0; i < rank && i < 8; ++i)
    used += (size_t)snprintf(dims + used, sizeof(dims) - used,
                             i ? "x%" PRId64 : "%" PRId64, shape[i]);
  int n = snprintf(out, size, "%s %zu:%s %s %s %s\n", list, strlen(name), name,
                   role, dtype, dims);
  return n < 0 ? 0 : (size_t)n;
}

static uint64_t fnv1a64(uint64_t hash, const void *data, size_t size) {
  const uint8_t *bytes = (const uint8_t *)data;
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

static uint64_t hash_u64(uint64_t hash, uint64_t value) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i)
    bytes[i] = (uint8_t)(value >> (8 * i));
  return fnv1a64(hash, bytes, 8);
}

static uint64_t hash_tag(uint64_t hash, char tag) {
  return fnv1a64(hash, &tag, 1);
}

uint64_t hetc_json_hash_null(uint64_t hash) { return hash_tag(hash, 'z'); }

uint64_t hetc_json_hash_bool(uint64_t hash, int value) {
  return hash_tag(hash, value ? 't' : 'f');
}

uint64_t hetc_json_hash_number(uint64_t hash, double value) {
  uint64_t bits;
  memcpy(&bits, &value, sizeof(bits));
  return hash_u64(hash_tag(hash, 'n'), bits);
}

uint64_t hetc_json_hash_string(uint64_t hash, const char *data, size_t size) {
  return fnv1a64(hash_u64(hash_tag(hash, 's'), size), data, size);
}

uint64_t hetc_json_hash_open(uint64_t hash, char kind, uint64_t count) {
  return hash_u64(hash_tag(hash, kind), count);
}

size_t hetc_signature_binding_line(char *out, size_t size, const char *key,
                                   uint64_t hash) {
  int n = snprintf(out, size, "manifest %zu:%s %016" PRIx64 "\n", strlen(key),
                   key, hash);
  return n < 0 ? 0 : (size_t)n;
}
