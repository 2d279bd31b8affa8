/*===- inputs.c - checking and converting caller inputs -------------------===*
 *
 * Inputs and labels are checked on the host before upload, so a bad batch
 * fails before anything runs and no state is updated from it:
 *  - a dtype other than the artifact's is converted when the conversion is
 *    lossless (i32 -> i64, i64 -> i32 when every value fits, f16/bf16 ->
 *    f32) and refused with both dtypes otherwise;
 *  - a label the manifest gives a class count must lie in [0, classes).
 *
 *===----------------------------------------------------------------------===*/

#include "hetc/runtime/manifest_schema.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hetc_status_t hetc_parse_label_classes(const json_value_t *arg,
                                       const hetc_tensor_info_t *info,
                                       int64_t *classes) {
  *classes = 0;
  const json_value_t *v = json_get(arg, HETC_MANIFEST_KEY(TENSOR, classes));
  if (!v)
    return NULL;
  if (v->kind != JSON_NUMBER || !(v->number >= 1) || v->number > 9.0e15 ||
      v->number != floor(v->number) || info->role != HETC_ROLE_LABEL ||
      (info->dtype != HETC_DTYPE_I32 && info->dtype != HETC_DTYPE_I64))
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "artifact manifest: '%s' has a malformed class "
                            "count (a positive integer, on i32 or i64 labels "
                            "only)",
                            info->name);
  *classes = (int64_t)v->number;
  return NULL;
}

static bool is_integer(hetc_dtype_t dtype) {
  return dtype == HETC_DTYPE_I32 || dtype == HETC_DTYPE_I64;
}

static float f16_to_f32(uint16_t h) {
  int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0)
    magnitude = ldexpf((float)mantissa, -24);
  else if (exponent == 31)
    magnitude = mantissa ? NAN : INFINITY;
  else
    magnitude = ldexpf((float)(mantissa | 0x400), exponent - 25);
  return (h & 0x8000) ? -magnitude : magnitude;
}

static float bf16_to_f32(uint16_t b) {
  uint32_t bits = (uint32_t)b << 16;
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

/* Writes where element `index` of `info` lies: "row 17", or for labels of
 * rank > 1 "row 17 (index [17, 2])". */
static void format_position(char *out, size_t size,
                            const hetc_tensor_info_t *info, size_t index) {
  int64_t inner = 1;
  for (int d = 1; d < info->rank; ++d)
    inner *= info->shape[d];
  int n = snprintf(out, size, "row %lld",
                   (long long)(inner ? (int64_t)index / inner : 0));
  if (info->rank <= 1 || n < 0 || (size_t)n >= size)
    return;
  size_t used = (size_t)n;
  int64_t index_of[HETC_MAX_RANK];
  int64_t rest = (int64_t)index;
  for (int d = info->rank - 1; d >= 0; --d) {
    index_of[d] = info->shape[d] ? rest % info->shape[d] : 0;
    rest = info->shape[d] ? rest / info->shape[d] : 0;
  }
  for (int d = 0; d < info->rank && used < size; ++d) {
    n = snprintf(out + used, size - used, "%s%lld", d ? ", " : " (index [",
                 (long long)index_of[d]);
    if (n < 0)
      return;
    used += (size_t)n;
  }
  if (used < size)
    snprintf(out + used, size - used, "])");
}

static hetc_status_t refuse_dtype(const hetc_tensor_info_t *info,
                                  hetc_dtype_t given) {
  return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                          "%s '%s' has dtype %s but the artifact expects %s%s",
                          hetc_role_name(info->role), info->name,
                          hetc_dtype_name(given), hetc_dtype_name(info->dtype),
                          is_integer(info->dtype) && !is_integer(given)
                              ? " (integer values are not converted from "
                                "floating point)"
                              : "");
}

hetc_status_t hetc_prepare_input(const hetc_tensor_info_t *info,
                                 int64_t classes, const hetc_tensor_t *given,
                                 void **scratch, const void **data) {
  *scratch = NULL;
  *data = given->data;
  size_t count = hetc_tensor_info_bytes(info) / hetc_dtype_size(info->dtype);
  char where[256];
  if (given->dtype != info->dtype) {
    bool widen_int =
        given->dtype == HETC_DTYPE_I32 && info->dtype == HETC_DTYPE_I64;
    bool narrow_int =
        given->dtype == HETC_DTYPE_I64 && info->dtype == HETC_DTYPE_I32;
    bool widen_float =
        info->dtype == HETC_DTYPE_F32 &&
        (given->dtype == HETC_DTYPE_F16 || given->dtype == HETC_DTYPE_BF16);
    if (!widen_int && !narrow_int && !widen_float)
      return refuse_dtype(info, given->dtype);
    void *out = malloc(count ? count * hetc_dtype_size(info->dtype) : 1);
    if (!out)
      return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                              "out of memory converting %s '%s'",
                              hetc_role_name(info->role), info->name);
    for (size_t i = 0; i < count; ++i) {
      if (widen_int) {
        ((int64_t *)out)[i] = ((const int32_t *)given->data)[i];
      } else if (narrow_int) {
        int64_t v = ((const int64_t *)given->data)[i];
        if (v < INT32_MIN || v > INT32_MAX) {
          free(out);
          format_position(where, sizeof(where), info, i);
          return hetc_make_status(
              HETC_STATUS_INVALID_ARGUMENT,
              "%s '%s' %s has value %lld, which does not fit the artifact's "
              "i32 (given i64)",
              hetc_role_name(info->role), info->name, where, (long long)v);
        }
        ((int32_t *)out)[i] = (int32_t)v;
      } else {
        uint16_t h = ((const uint16_t *)given->data)[i];
        ((float *)out)[i] =
            given->dtype == HETC_DTYPE_F16 ? f16_to_f32(h) : bf16_to_f32(h);
      }
    }
    *scratch = out;
    *data = out;
  }
  if (classes <= 0 || info->role != HETC_ROLE_LABEL)
    return NULL;
  for (size_t i = 0; i < count; ++i) {
    int64_t v = info->dtype == HETC_DTYPE_I32 ? ((const int32_t *)*data)[i]
                                              : ((const int64_t *)*data)[i];
    if (v >= 0 && v < classes)
      continue;
    free(*scratch);
    *scratch = NULL;
    format_position(where, sizeof(where), info, i);
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "label '%s' %s has value %lld, outside [0, %lld)",
                            info->name, where, (long long)v,
                            (long long)classes);
  }
  return NULL;
}
