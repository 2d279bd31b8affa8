/*===- fuzz_npy.c - libFuzzer target: hetc-train's .npy reader ------------===*/

#include "npy.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npy_array_t array;
  char error[512];
  if (npy_parse(data, size, "fuzz.npy", &array, error, sizeof(error)) != 0)
    return 0;
  /* Every element of an accepted array must be readable. */
  volatile double sum = 0;
  for (size_t i = 0; i < array.count; ++i)
    sum += npy_get(&array, i);
  if (array.kind == NPY_I64 && array.count)
    (void)npy_get_i64(&array, array.count - 1);
  npy_free(&array);
  return 0;
}
