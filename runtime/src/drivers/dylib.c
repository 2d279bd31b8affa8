/*===- dylib.c - vendor libraries opened with dlopen ----------------------===*/

#include "dylib.h"

#include <dlfcn.h>
#include <string.h>

hetc_status_t hetc_load_library(const char *driver, const char *library,
                                const char *how_to_get,
                                const char *const *names, void **table,
                                size_t count, void **handle) {
  *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (!*handle)
    return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                            "the %s driver library %s is not installed (%s); "
                            "%s",
                            driver, library, dlerror(), how_to_get);
  for (size_t i = 0; i < count; ++i) {
    table[i] = dlsym(*handle, names[i]);
    if (!table[i]) {
      dlclose(*handle);
      *handle = NULL;
      return hetc_make_status(HETC_STATUS_UNAVAILABLE,
                              "%s lacks the symbol %s; the installed %s "
                              "driver is too old",
                              library, names[i], driver);
    }
  }
  return NULL;
}

static uint64_t read_le(const uint8_t *p, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i)
    value = value << 8 | p[i];
  return value;
}

/* Whether [offset, offset + bytes) lies inside [0, size). */
static bool inside(uint64_t offset, uint64_t bytes, uint64_t size) {
  return offset <= size && bytes <= size - offset;
}

/* Whether `count` entries of `entry` bytes at `offset` lie inside `size`. */
static bool table_inside(uint64_t offset, uint64_t count, uint64_t entry,
                         uint64_t size) {
  if (entry && count > UINT64_MAX / entry)
    return false;
  return inside(offset, count * entry, size);
}

bool hetc_elf_image_is_whole(const uint8_t *data, uint64_t size) {
  enum { HEADER = 64, PHDR = 56, SHDR = 64, SHT_NOBITS = 8 };
  static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
  if (!data || size < HEADER || memcmp(data, magic, 4) ||
      data[4] != 2 /* ELFCLASS64 */ || data[5] != 1 /* little endian */)
    return false;
  uint64_t phoff = read_le(data + 32, 8), shoff = read_le(data + 40, 8);
  uint64_t phentsize = read_le(data + 54, 2), phnum = read_le(data + 56, 2);
  uint64_t shentsize = read_le(data + 58, 2), shnum = read_le(data + 60, 2);
  if ((phnum && phentsize < PHDR) || (shnum && shentsize < SHDR) ||
      !table_inside(phoff, phnum, phentsize, size) ||
      !table_inside(shoff, shnum, shentsize, size))
    return false;
  for (uint64_t i = 0; i < phnum; ++i) {
    const uint8_t *ph = data + phoff + i * phentsize;
    if (!inside(read_le(ph + 8, 8), read_le(ph + 32, 8), size))
      return false;
  }
  for (uint64_t i = 0; i < shnum; ++i) {
    const uint8_t *sh = data + shoff + i * shentsize;
    if (read_le(sh + 4, 4) != SHT_NOBITS &&
        !inside(read_le(sh + 24, 8), read_le(sh + 32, 8), size))
      return false;
  }
  return true;
}

bool hetc_elf_section(const uint8_t *data, uint64_t size, const char *want,
                      const uint8_t **out, uint64_t *out_size) {
  enum { SHDR = 64, SHT_NOBITS = 8 };
  static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
  if (!data || size < 64 || memcmp(data, magic, 4) ||
      data[4] != 2 /* ELFCLASS64 */ || data[5] != 1 /* little endian */)
    return false;
  uint64_t shoff = read_le(data + 40, 8), shentsize = read_le(data + 58, 2);
  uint64_t shnum = read_le(data + 60, 2), shstrndx = read_le(data + 62, 2);
  if (shentsize != SHDR || shstrndx >= shnum ||
      !table_inside(shoff, shnum, SHDR, size))
    return false;
  const uint8_t *strings = data + shoff + shstrndx * SHDR;
  uint64_t str_off = read_le(strings + 24, 8),
           str_size = read_le(strings + 32, 8);
  if (!inside(str_off, str_size, size))
    return false;
  size_t want_size = strlen(want) + 1;
  for (uint64_t i = 0; i < shnum; ++i) {
    const uint8_t *sh = data + shoff + i * SHDR;
    uint64_t name = read_le(sh, 4);
    if (name > str_size || want_size > str_size - name ||
        memcmp(data + str_off + name, want, want_size) != 0)
      continue;
    uint64_t offset = read_le(sh + 24, 8), bytes = read_le(sh + 32, 8);
    if (read_le(sh + 4, 4) == SHT_NOBITS || !inside(offset, bytes, size))
      return false;
    *out = data + offset;
    *out_size = bytes;
    return true;
  }
  return false;
}
