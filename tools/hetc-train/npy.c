/*===- npy.c - a strict reader for numpy .npy files -----------------------===*/

#include "npy.h"

#include "hetc/runtime/hetc_runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of `key` in the header dictionary, spaces skipped, or NULL. */
static const char *header_value(const char *header, const char *key) {
  const char *p = strstr(header, key);
  if (!p)
    return NULL;
  p += strlen(key);
  while (*p == ' ')
    ++p;
  return p;
}

int npy_parse(const void *bytes, size_t size, const char *path,
              npy_array_t *out, char *error, size_t error_size) {
  memset(out, 0, sizeof(*out));
  const unsigned char *data = bytes;
  if (size < 10 || memcmp(data, "\x93NUMPY", 6) != 0) {
    snprintf(error, error_size, "'%s' is not a .npy file (bad magic)", path);
    return 1;
  }
  size_t header_len, start;
  if (data[6] == 1) {
    header_len = data[8] | (size_t)data[9] << 8;
    start = 10;
  } else if (data[6] == 2 || data[6] == 3) {
    if (size < 12)
      goto truncated;
    header_len = data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 |
                 (size_t)data[11] << 24;
    start = 12;
  } else {
    snprintf(error, error_size, "'%s' has unsupported .npy version %d", path,
             data[6]);
    return 1;
  }
  if (header_len > 1 << 20 || header_len > size - start)
    goto truncated;
  char *text = malloc(header_len + 1);
  if (!text)
    goto truncated;
  memcpy(text, data + start, header_len);
  text[header_len] = '\0';
  int rc = 1;
  const char *descr = header_value(text, "'descr':");
  const char *order = header_value(text, "'fortran_order':");
  const char *shape = header_value(text, "'shape':");
  size_t elem = 0;
  if (strlen(text) != header_len || !descr || !order || !shape) {
    snprintf(error, error_size, "'%s' has a malformed .npy header", path);
    goto done;
  }
  if (strncmp(descr, "'<f4'", 5) == 0)
    out->kind = NPY_F32, elem = 4;
  else if (strncmp(descr, "'<f8'", 5) == 0)
    out->kind = NPY_F64, elem = 8;
  else if (strncmp(descr, "'<i4'", 5) == 0)
    out->kind = NPY_I32, elem = 4;
  else if (strncmp(descr, "'<i8'", 5) == 0)
    out->kind = NPY_I64, elem = 8;
  else {
    snprintf(error, error_size,
             "'%s' has dtype %.8s; hetc-train reads <f4, <f8, <i4 and <i8",
             path, descr);
    goto done;
  }
  if (strncmp(order, "True", 4) == 0) {
    snprintf(error, error_size, "'%s' is in Fortran order; save it in C order",
             path);
    goto done;
  }
  if (strncmp(order, "False", 5) != 0) {
    snprintf(error, error_size, "'%s' has a malformed fortran_order", path);
    goto done;
  }
  if (*shape != '(') {
    snprintf(error, error_size, "'%s' has a malformed shape", path);
    goto done;
  }
  const char *p = shape + 1;
  uint64_t count = 1, total;
  while (*p == ' ')
    ++p;
  while (*p && *p != ')') {
    char *end;
    errno = 0;
    long long dim = strtoll(p, &end, 10);
    if (end == p || errno == ERANGE || dim < 0 || out->rank == NPY_MAX_RANK ||
        __builtin_mul_overflow(count, (uint64_t)dim, &count)) {
      snprintf(error, error_size,
               "'%s' has an unsupported shape (rank at most %d, dimensions "
               "whose product fits 64 bits)",
               path, NPY_MAX_RANK);
      goto done;
    }
    out->shape[out->rank++] = dim;
    p = end;
    while (*p == ',' || *p == ' ')
      ++p;
  }
  if (*p != ')') {
    snprintf(error, error_size, "'%s' has a malformed shape", path);
    goto done;
  }
  size_t left = size - start - header_len;
  if (__builtin_mul_overflow(count, (uint64_t)elem, &total)) {
    snprintf(error, error_size,
             "'%s' has an unsupported shape (its byte size overflows 64 "
             "bits)",
             path);
    goto done;
  }
  if (total > left) {
    snprintf(error, error_size,
             "'%s' is truncated: its shape needs %llu elements of %zu bytes, "
             "the file holds %zu bytes of data",
             path, (unsigned long long)count, elem, left);
    goto done;
  }
  if (total < left) {
    snprintf(error, error_size,
             "'%s' has %llu bytes after the data its shape describes", path,
             (unsigned long long)(left - total));
    goto done;
  }
  out->count = (size_t)count;
  out->data = malloc(total ? (size_t)total : 1);
  if (!out->data) {
    snprintf(error, error_size, "out of memory reading '%s'", path);
    goto done;
  }
  memcpy(out->data, data + start + header_len, (size_t)total);
  rc = 0;
done:
  free(text);
  if (rc)
    npy_free(out);
  return rc;
truncated:
  snprintf(error, error_size, "'%s' is truncated", path);
  return 1;
}

int npy_read(const char *path, npy_array_t *out, char *error,
             size_t error_size) {
  memset(out, 0, sizeof(*out));
  void *bytes;
  size_t size;
  hetc_status_t status =
      hetc_read_file(path, "data", UINT64_MAX, &bytes, &size);
  if (status) {
    snprintf(error, error_size, "%s", hetc_status_message(status));
    hetc_status_free(status);
    return 1;
  }
  int rc = npy_parse(bytes, size, path, out, error, error_size);
  free(bytes);
  return rc;
}

void npy_free(npy_array_t *array) {
  free(array->data);
  array->data = NULL;
}

double npy_get(const npy_array_t *a, size_t i) {
  switch (a->kind) {
  case NPY_F32:
    return ((const float *)a->data)[i];
  case NPY_F64:
    return ((const double *)a->data)[i];
  case NPY_I32:
    return ((const int32_t *)a->data)[i];
  case NPY_I64:
    return (double)((const int64_t *)a->data)[i];
  }
  return 0;
}

int64_t npy_get_i64(const npy_array_t *a, size_t i) {
  return ((const int64_t *)a->data)[i];
}
