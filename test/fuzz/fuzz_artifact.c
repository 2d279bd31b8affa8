/*===- fuzz_artifact.c - libFuzzer target: the artifact reader ------------===*
 *
 * Feeds arbitrary bytes to hetc_artifact_open_memory: the container, its
 * section table and CRCs, the strict JSON reader, the manifest checks and
 * the signature check that precedes any dlopen. A valid artifact is only
 * inspected, never loaded: loading one runs its code.
 *
 *===----------------------------------------------------------------------===*/

#include "hetc/runtime/hetc_runtime.h"

#include <stddef.h>
#include <stdint.h>

/* From runtime/src/internal.h: the check the drivers run before loading
 * code, and the checked byte size of a tensor. */
hetc_status_t hetc_artifact_check_signature(const hetc_artifact_t *artifact);
size_t hetc_tensor_info_bytes(const hetc_tensor_info_t *info);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  hetc_artifact_t *artifact = NULL;
  hetc_status_t status = hetc_artifact_open_memory(data, size, &artifact);
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
