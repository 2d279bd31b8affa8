/*===- spirv_float_controls.c - keep subnormals in a SPIR-V module --------===*/

#include "spirv_float_controls.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum {
  kHeaderWords = 5,
  kOpExtension = 10,
  kOpEntryPoint = 15,
  kOpExecutionMode = 16,
  kOpCapability = 17,
  kCapabilityDenormPreserve = 4464,
  kModeDenormPreserve = 4459,
  kVersion1_4 = 0x00010400,
};

/* "SPV_KHR_float_controls" with its NUL, padded to words. */
static const char kExtension[24] = "SPV_KHR_float_controls";
enum { kExtensionWords = 1 + sizeof(kExtension) / 4 };

/* Where the capabilities and the entry points end, how many entry points
 * there are and whether DenormPreserve is declared; false if malformed. */
typedef struct layout {
  size_t capabilities_end, entry_points_end, entry_points;
  bool has_capability;
} layout_t;

static bool scan(const uint32_t *words, size_t count, layout_t *l) {
  memset(l, 0, sizeof(*l));
  l->capabilities_end = l->entry_points_end = kHeaderWords;
  for (size_t i = kHeaderWords; i < count;) {
    uint32_t length = words[i] >> 16, opcode = words[i] & 0xFFFF;
    if (length == 0 || length > count - i)
      return false;
    if (opcode == kOpCapability && length >= 2) {
      l->capabilities_end = i + length;
      l->has_capability |= words[i + 1] == kCapabilityDenormPreserve;
    } else if (opcode == kOpEntryPoint && length >= 3) {
      l->entry_points_end = i + length;
      ++l->entry_points;
    }
    i += length;
  }
  return l->entry_points_end >= l->capabilities_end;
}

uint32_t *hetc_spirv_add_denorm_preserve(const uint32_t *words, size_t count,
                                         size_t *out_count) {
  *out_count = 0;
  layout_t l;
  if (count < kHeaderWords || !scan(words, count, &l))
    return NULL;
  bool extension = words[1] < kVersion1_4 && !l.has_capability;
  size_t added = l.has_capability ? 0
                                  : 2 + (extension ? kExtensionWords : 0) +
                                        4 * l.entry_points;
  uint32_t *out = malloc((count + added) * sizeof(uint32_t));
  if (!out)
    return NULL;
  if (!added) {
    memcpy(out, words, count * sizeof(uint32_t));
    *out_count = count;
    return out;
  }
  size_t n = 0;
  memcpy(out, words, kHeaderWords * sizeof(uint32_t));
  n = kHeaderWords;
  out[n++] = 2u << 16 | kOpCapability;
  out[n++] = kCapabilityDenormPreserve;
  memcpy(out + n, words + kHeaderWords,
         (l.capabilities_end - kHeaderWords) * sizeof(uint32_t));
  n += l.capabilities_end - kHeaderWords;
  if (extension) {
    out[n++] = (uint32_t)kExtensionWords << 16 | kOpExtension;
    memcpy(out + n, kExtension, sizeof(kExtension));
    n += sizeof(kExtension) / 4;
  }
  memcpy(out + n, words + l.capabilities_end,
         (l.entry_points_end - l.capabilities_end) * sizeof(uint32_t));
  n += l.entry_points_end - l.capabilities_end;
  /* Execution modes follow the entry points. */
  for (size_t i = kHeaderWords; i < l.entry_points_end;) {
    uint32_t length = words[i] >> 16;
    if ((words[i] & 0xFFFF) == kOpEntryPoint && length >= 3) {
      out[n++] = 4u << 16 | kOpExecutionMode;
      out[n++] = words[i + 2]; /* the entry point's function id */
      out[n++] = kModeDenormPreserve;
      out[n++] = 32; /* for 32-bit floats */
    }
    i += length;
  }
  memcpy(out + n, words + l.entry_points_end,
         (count - l.entry_points_end) * sizeof(uint32_t));
  n += count - l.entry_points_end;
  *out_count = n;
  return out;
}
