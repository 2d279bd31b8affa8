/*===- npy.c - a strict reader for numpy .npy files -----------------------===*/

#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int npy_read(const char *path, npy_array_t *out, char *error,
             size_t error_size) {
  memset(out, 0, sizeof(*out));
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(error, error_size, "cannot open '%s'", path);
    return 1;
  }
  unsigned char magic[10];
  int rc = 1;
  char *header = NULL;
  if (fread(magic, 1, 10, f) != 10 || memcmp(magic, "\x93NUMPY", 6) != 0) {
    snprintf(error, error_size, "'%s' is not a .npy file (bad magic)", path);
    goto done;
  }
  size_t header_len;
  if (magic[6] == 1) {
    header_len = magic[8] | (size_t)magic[9] << 8;
  } else if (magic[6] == 2 || magic[6] == 3) {
    unsigned char extra[2];
    if (fread(extra, 1, 2, f) != 2)
      goto truncated;
    header_len = magic[8] | (size_t)magic[9] << 8 | (size_t)extra[0] << 16 |
                 (size_t)extra[1] << 24;
  } else {
    snprintf(error, error_size, "'%s' has unsupported .npy version %d", path,
             magic[6]);
    goto done;
  }
  if (header_len > 1 << 20)
    goto truncated;
  header = calloc(1, header_len + 1);
  if (!header || fread(header, 1, header_len, f) != header_len)
    goto truncated;
  const char *descr = strstr(header, "'descr':");
  const char *order = strstr(header, "'fortran_order':");
  const char *shape = strstr(header, "'shape':");
  if (!descr || !order || !shape) {
    snprintf(error, error_size, "'%s' has a malformed .npy header", path);
    goto done;
  }
  size_t elem;
  descr += strlen("'descr':");
  while (*descr == ' ')
    ++descr;
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
  if (strncmp(order + 17, "True", 4) == 0) {
    snprintf(error, error_size, "'%s' is in Fortran order; save it in C order",
             path);
    goto done;
  }
  const char *p = strchr(shape, '(');
  if (!p) {
    snprintf(error, error_size, "'%s' has a malformed shape", path);
    goto done;
  }
  ++p;
  out->count = 1;
  while (*p && *p != ')') {
    char *end;
    long long dim = strtoll(p, &end, 10);
    if (end == p)
      break;
    if (out->rank == 8 || dim < 0) {
      snprintf(error, error_size, "'%s' has an unsupported shape", path);
      goto done;
    }
    out->shape[out->rank++] = dim;
    out->count *= (size_t)dim;
    p = end;
    while (*p == ',' || *p == ' ')
      ++p;
  }
  out->data = malloc(out->count * elem + 1);
  if (!out->data || fread(out->data, elem, out->count, f) != out->count)
    goto truncated;
  rc = 0;
  goto done;
truncated:
  snprintf(error, error_size, "'%s' is truncated", path);
done:
  free(header);
  fclose(f);
  if (rc)
    npy_free(out);
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
