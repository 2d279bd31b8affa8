/*===- fuzz_artifact.c - libFuzzer target: the artifact reader ------------===*
 *
 * Feeds arbitrary bytes to hetc_artifact_open_memory: the container, its
 * section table and CRCs, the strict JSON reader, the manifest checks and
 * the signature check that precedes any dlopen. A valid artifact is only
 * inspected, never loaded: loading one runs its code.
 *
 *===----------------------------------------------------------------------===*/

#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/hetc_runtime.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* From runtime/src/internal.h: the check the drivers run before loading
 * code, and the checked byte size of a tensor. */
hetc_status_t hetc_artifact_check_signature(const hetc_artifact_t *artifact);
size_t hetc_tensor_info_bytes(const hetc_tensor_info_t *info);

static uint64_t le(const uint8_t *p, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i)
    value = value << 8 | p[i];
  return value;
}

static void put(uint8_t *p, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i, value >>= 8)
    p[i] = (uint8_t)value;
}

/* Rewrites the file size and every CRC the container holds, so that
 * mutations reach the manifest and signature checks instead of stopping
 * at a CRC mismatch (the container checks have their own unit tests). */
static void reseal(uint8_t *b, size_t size) {
  if (size < HETC_ARTIFACT_HEADER_SIZE)
    return;
  uint64_t table = le(b + HETC_ARTIFACT_OFF_TABLE, 8);
  uint64_t count = le(b + HETC_ARTIFACT_OFF_COUNT, 4);
  if (table > size ||
      count > (size - table) / HETC_ARTIFACT_SECTION_ENTRY_SIZE)
    return;
  put(b + HETC_ARTIFACT_OFF_FILE_SIZE, size, 8);
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t *e = b + table + i * HETC_ARTIFACT_SECTION_ENTRY_SIZE;
    uint64_t offset = le(e + HETC_SECTION_OFF_OFFSET, 8);
    uint64_t bytes = le(e + HETC_SECTION_OFF_SIZE, 8);
    if (offset <= size && bytes <= size - offset)
      put(e + HETC_SECTION_OFF_CRC, hetc_crc32(0, b + offset, bytes), 4);
  }
  put(b + HETC_ARTIFACT_OFF_TABLE_CRC,
      hetc_crc32(0, b + table, count * HETC_ARTIFACT_SECTION_ENTRY_SIZE), 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* Odd-length inputs are read as they are; even-length ones resealed. */
  uint8_t *copy = malloc(size ? size : 1);
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  if (size % 2 == 0)
    reseal(copy, size);
  hetc_artifact_t *artifact = NULL;
  hetc_status_t status = hetc_artifact_open_memory(copy, size, &artifact);
  free(copy);
  if (status) {
    hetc_status_free(status);
    return 0;
  }
  /* The manifest against the signature embedded in the code. */
  hetc_status_t signature = hetc_artifact_check_signature(artifact);
  if (signature)
    hetc_status_free(signature);
  /* Walk what an accepted artifact exposes. */
  for (size_t i = 0; i < hetc_artifact_entry_count(artifact); ++i) {
    const hetc_tensor_info_t *args, *results;
    size_t num_args, num_results;
    hetc_status_t s = hetc_artifact_entry_signature(
        artifact, hetc_artifact_entry_name(artifact, i), &num_args, &args,
        &num_results, &results);
    if (s)
      hetc_status_free(s);
    else
      for (size_t j = 0; j < num_args; ++j)
        (void)hetc_tensor_info_bytes(&args[j]);
  }
  hetc_artifact_free(artifact);
  return 0;
}
