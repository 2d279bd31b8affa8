/*===- npy.h - a strict reader for numpy .npy files -----------------------===*/

#ifndef HETC_TOOLS_HETC_TRAIN_NPY_H
#define HETC_TOOLS_HETC_TRAIN_NPY_H

#include <stddef.h>
#include <stdint.h>

typedef enum npy_kind { NPY_F32, NPY_F64, NPY_I32, NPY_I64 } npy_kind_t;

typedef struct npy_array {
  npy_kind_t kind;
  int rank;
  int64_t shape[8];
  size_t count; /* elements */
  void *data;
} npy_array_t;

/* Reads a little-endian, C-order .npy file of f4/f8/i4/i8. Returns 0 on
 * success; otherwise fills `error` and returns nonzero. */
int npy_read(const char *path, npy_array_t *out, char *error,
             size_t error_size);
void npy_free(npy_array_t *array);
/* Element i as a double. */
double npy_get(const npy_array_t *array, size_t i);

#endif /* HETC_TOOLS_HETC_TRAIN_NPY_H */
