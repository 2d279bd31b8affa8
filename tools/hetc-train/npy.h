/*===- npy.h - a strict reader for numpy .npy files -----------------------===*/

#ifndef HETC_TOOLS_HETC_TRAIN_NPY_H
#define HETC_TOOLS_HETC_TRAIN_NPY_H

#include <stddef.h>
#include <stdint.h>

typedef enum npy_kind { NPY_F32, NPY_F64, NPY_I32, NPY_I64 } npy_kind_t;

#define NPY_MAX_RANK 8

typedef struct npy_array {
  npy_kind_t kind;
  int rank;
  int64_t shape[NPY_MAX_RANK];
  size_t count; /* elements */
  void *data;
} npy_array_t;

/* Reads a little-endian, C-order .npy file of f4/f8/i4/i8. Returns 0 on
 * success; otherwise fills `error` and returns nonzero. */
int npy_read(const char *path, npy_array_t *out, char *error,
             size_t error_size);
/* The same over `size` bytes in memory; `path` names them in messages. A
 * shape whose byte size overflows, or that disagrees with the data that
 * follows the header, is refused. */
int npy_parse(const void *data, size_t size, const char *path, npy_array_t *out,
              char *error, size_t error_size);
void npy_free(npy_array_t *array);
/* Element i as a double. */
double npy_get(const npy_array_t *array, size_t i);
/* Element i of an NPY_I64 array, exactly. */
int64_t npy_get_i64(const npy_array_t *array, size_t i);

#endif /* HETC_TOOLS_HETC_TRAIN_NPY_H */
