/*===- file.c - reading whole files for the runtime and its tools ---------===*/

#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

hetc_status_t hetc_read_file(const char *path, const char *what,
                             uint64_t max_bytes, void **data, size_t *size) {
  *data = NULL;
  *size = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT
               ? hetc_make_status(HETC_STATUS_NOT_FOUND,
                                  "%s file '%s' not found", what, path)
               : hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                                  "cannot open %s '%s': %s", what, path,
                                  strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    hetc_status_t status = hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                                            "cannot stat %s '%s': %s", what,
                                            path, strerror(errno));
    close(fd);
    return status;
  }
  /* A directory or a device has no meaningful size: refuse it rather than
   * trusting what seeking to its end reports. */
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return hetc_make_status(
        HETC_STATUS_INVALID_ARGUMENT, "%s '%s' is %s, not a regular file", what,
        path, S_ISDIR(st.st_mode) ? "a directory" : "a special file");
  }
  uint64_t bytes = (uint64_t)st.st_size;
  if (bytes > max_bytes || bytes > SIZE_MAX - 1) {
    close(fd);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                            "%s '%s' has %llu bytes, more than the %llu this "
                            "runtime reads",
                            what, path, (unsigned long long)bytes,
                            (unsigned long long)max_bytes);
  }
  uint8_t *buffer = malloc(bytes ? (size_t)bytes : 1);
  if (!buffer) {
    close(fd);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                            "out of memory reading %s '%s' (%llu bytes)", what,
                            path, (unsigned long long)bytes);
  }
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = read(fd, buffer + got, (size_t)bytes - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  int read_errno = errno;
  close(fd);
  if (got != bytes) {
    free(buffer);
    return hetc_make_status(
        HETC_STATUS_DATA_LOSS, "cannot read %s '%s': %s", what, path,
        got < bytes ? "it shrank while being read" : strerror(read_errno));
  }
  *data = buffer;
  *size = (size_t)bytes;
  return NULL;
}

/*--- Name index ------------------------------------------------------------*/

static uint64_t hash_name(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
  for (; *s; ++s)
    h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
  return h;
}

bool hetc_name_index_init(hetc_name_index_t *ix, size_t expected) {
  size_t capacity = 16;
  while (capacity < 2 * expected + 1)
    capacity *= 2;
  ix->mask = capacity - 1;
  ix->keys = calloc(capacity, sizeof(*ix->keys));
  ix->values = calloc(capacity, sizeof(*ix->values));
  if (ix->keys && ix->values)
    return true;
  hetc_name_index_free(ix);
  return false;
}

void hetc_name_index_free(hetc_name_index_t *ix) {
  free(ix->keys);
  free(ix->values);
  ix->keys = NULL;
  ix->values = NULL;
  ix->mask = 0;
}

static size_t slot_of(const hetc_name_index_t *ix, const char *name) {
  size_t i = (size_t)hash_name(name) & ix->mask;
  while (ix->keys[i] && strcmp(ix->keys[i], name) != 0)
    i = (i + 1) & ix->mask;
  return i;
}

size_t hetc_name_index_find(const hetc_name_index_t *ix, const char *name) {
  if (!ix->keys)
    return SIZE_MAX;
  size_t i = slot_of(ix, name);
  return ix->keys[i] ? ix->values[i] : SIZE_MAX;
}

bool hetc_name_index_insert(hetc_name_index_t *ix, const char *name,
                            size_t value) {
  size_t i = slot_of(ix, name);
  if (ix->keys[i])
    return false;
  ix->keys[i] = name;
  ix->values[i] = value;
  return true;
}
