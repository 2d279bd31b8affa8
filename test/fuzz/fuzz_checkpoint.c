/*===- fuzz_checkpoint.c - libFuzzer target: the checkpoint loader --------===*
 *
 * One session over the runtime tests' hand-written model (two parameters);
 * every input is loaded as a checkpoint through a memfd, so nothing touches
 * the disk. With HETC_FUZZ_SEED_DIR set, the target first saves two valid
 * checkpoints there, without and with a blob: the seed corpus.
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "hetc/runtime/artifact_format.h"
#include "hetc/runtime/hetc_runtime.h"

#include "fake_signature.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char kManifest[] =
    "{\"format_version\": 1, \"compiler_version\": \"0.1.0\", \"target\": "
    "\"cpu\", \"chip\": \"x86-64\", \"entries\": [{\"name\": \"train_step\", "
    "\"kind\": \"train_step\", \"symbol\": \"hetc_entry_train_step\", "
    "\"args\": [{\"name\": \"w\", \"role\": \"param\", \"dtype\": \"f32\", "
    "\"shape\": [2], \"init\": {\"kind\": \"uniform\", \"value\": 0.5}}, "
    "{\"name\": \"b\", \"role\": \"param\", \"dtype\": \"f32\", \"shape\": "
    "[1], \"init\": {\"kind\": \"zeros\"}}, {\"name\": \"x\", \"role\": "
    "\"input\", \"dtype\": \"f32\", \"shape\": [4, 2]}, {\"name\": \"y\", "
    "\"role\": \"label\", \"dtype\": \"f32\", \"shape\": [4]}], \"results\": "
    "[{\"name\": \"loss\", \"role\": \"loss\", \"dtype\": \"f32\", \"shape\": "
    "[]}]}]}";

static hetc_session_t *session;
static char path[64];
static int fd = -1;

static void check(hetc_status_t status, const char *what) {
  if (!status)
    return;
  fprintf(stderr, "fuzz_checkpoint: %s: %s\n", what,
          hetc_status_message(status));
  exit(1);
}

static void *read_all(const char *file, size_t *size) {
  FILE *f = fopen(file, "rb");
  if (!f || fseek(f, 0, SEEK_END) != 0)
    return NULL;
  long n = ftell(f);
  void *data = n > 0 ? malloc((size_t)n) : NULL;
  rewind(f);
  if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = (size_t)n;
  return data;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  size_t host_size;
  void *host = read_all(HETC_FAKE_MODEL_PATH, &host_size);
  if (!host) {
    fprintf(stderr, "fuzz_checkpoint: cannot read %s\n", HETC_FAKE_MODEL_PATH);
    exit(1);
  }
  /* Sign the hand-written model for the manifest, as the compiler would. */
  hetc_section_input_t sections[] = {
      {"manifest", kManifest, sizeof(kManifest) - 1},
      {"host", host, host_size}};
  uint8_t *bytes;
  size_t size;
  const char *error;
  hetc_artifact_t *unsigned_artifact;
  char *signature;
  if (hetc_artifact_encode(sections, 1, &bytes, &size, &error) != 0)
    exit(1);
  check(hetc_artifact_open_memory(bytes, size, &unsigned_artifact), "manifest");
  free(bytes);
  check(hetc_artifact_signature(unsigned_artifact, &signature), "signature");
  hetc_artifact_free(unsigned_artifact);
  if (hetc_fake_sign_host(host, host_size, signature) != 0) {
    fprintf(stderr, "fuzz_checkpoint: cannot sign %s\n", HETC_FAKE_MODEL_PATH);
    exit(1);
  }
  free(signature);
  if (hetc_artifact_encode(sections, 2, &bytes, &size, &error) != 0) {
    fprintf(stderr, "fuzz_checkpoint: encoding failed: %s\n", error);
    exit(1);
  }
  free(host);
  hetc_artifact_t *artifact;
  hetc_device_t *device;
  check(hetc_artifact_open_memory(bytes, size, &artifact), "artifact");
  free(bytes);
  check(hetc_device_open("cpu", 0, &device), "device");
  check(hetc_session_create(artifact, device, &session), "session");
  check(hetc_session_init_params(session, 7), "init");
  const char *seeds = getenv("HETC_FUZZ_SEED_DIR");
  if (seeds) {
    char seed[4096];
    snprintf(seed, sizeof(seed), "%s/valid.ckpt", seeds);
    check(hetc_session_save_checkpoint(session, seed), "seed");
    /* Version 3, with a blob as hetc-train's --lr-scheduler saves one. */
    snprintf(seed, sizeof(seed), "%s/valid-blob.ckpt", seeds);
    check(hetc_session_set_checkpoint_blob(session, "lr_scheduler",
                                           "step:step_size=1\n", 17),
          "blob");
    check(hetc_session_save_checkpoint(session, seed), "seed");
  }
  fd = memfd_create("checkpoint", 0);
  if (fd < 0) {
    perror("fuzz_checkpoint: memfd_create");
    exit(1);
  }
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  /* The session, device and artifact live as long as the process. */
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* Even-length inputs get their trailing CRC-32 rewritten, so mutations
   * reach the field checks; odd-length ones are loaded as they are. */
  uint8_t *copy = malloc(size ? size : 1);
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  if (size % 2 == 0 && size >= 4) {
    uint32_t crc = hetc_crc32(0, copy, size - 4);
    memcpy(copy + size - 4, &crc, 4);
  }
  if (ftruncate(fd, 0) != 0 ||
      (size && pwrite(fd, copy, size, 0) != (ssize_t)size))
    abort();
  free(copy);
  hetc_status_t status = hetc_session_load_checkpoint(session, path);
  if (status)
    hetc_status_free(status);
  return 0;
}
