/*===- cpu.c - the host CPU driver ----------------------------------------===*
 *
 * Buffers are 64-byte aligned host memory. The artifact's "host" section is
 * a shared object; it is loaded from an anonymous memory file so nothing is
 * left on disk, and each entry is `void symbol(void **buffers)`.
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "../internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct hetc_executable {
  void *handle;
  int fd; /* the memory file backing the library, or -1 */
};

/* Whether a library is already loaded under `path`: glibc identifies
 * libraries by path, so a reused /proc/self/fd/N would hand back another
 * artifact's code. */
static bool path_is_loaded(const char *path) {
  void *handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  if (!handle)
    return false;
  dlclose(handle);
  return true;
}

static hetc_status_t cpu_open(int ordinal, void **impl, char *description,
                              size_t size) {
  if (ordinal != 0)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "cpu device %d does not exist (only device 0)",
                            ordinal);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  snprintf(description, size, "host CPU (%ld cores)", cores);
  *impl = NULL;
  return NULL;
}

static void cpu_close(void *impl) { (void)impl; }

static hetc_status_t cpu_alloc(void *impl, size_t bytes, void **buffer) {
  (void)impl;
  size_t rounded = (bytes + 63) / 64 * 64;
  *buffer = aligned_alloc(64, rounded ? rounded : 64);
  if (!*buffer)
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED,
                            "cannot allocate %zu bytes on the cpu", bytes);
  memset(*buffer, 0, rounded ? rounded : 64);
  return NULL;
}

static void cpu_free(void *impl, void *buffer) {
  (void)impl;
  free(buffer);
}

static hetc_status_t cpu_upload(void *impl, void *buffer, const void *src,
                                size_t bytes) {
  (void)impl;
  memcpy(buffer, src, bytes);
  return NULL;
}

static hetc_status_t cpu_download(void *impl, const void *buffer, void *dst,
                                  size_t bytes) {
  (void)impl;
  memcpy(dst, buffer, bytes);
  return NULL;
}

/* Whether this CPU has `feature`; __builtin_cpu_supports needs literals. */
static int cpu_has(const char *feature, bool *known) {
#define HETC_FEATURE(name)                                                     \
  if (!strcmp(feature, name)) {                                                \
    *known = true;                                                             \
    return __builtin_cpu_supports(name);                                       \
  }
  __builtin_cpu_init();
  HETC_FEATURE("avx")
  HETC_FEATURE("avx2")
  HETC_FEATURE("fma")
  HETC_FEATURE("avx512f")
  HETC_FEATURE("avx512vl")
  HETC_FEATURE("avx512bw")
  HETC_FEATURE("avx512dq")
#undef HETC_FEATURE
  *known = false;
  return 0;
}

static hetc_status_t cpu_load(void *impl, const hetc_artifact_t *artifact,
                              hetc_executable_t **out) {
  (void)impl;
  for (size_t i = 0; i < artifact->num_cpu_features; ++i) {
    bool known;
    const char *feature = artifact->cpu_features[i];
    if (!cpu_has(feature, &known))
      return hetc_make_status(
          HETC_STATUS_FAILED_PRECONDITION,
          "the artifact's host code needs the CPU feature '%s' (compiled for "
          "chip '%s'), which %s; recompile with --chip=x86-64 for a portable "
          "artifact",
          feature, artifact->chip,
          known ? "this CPU lacks" : "this runtime does not know");
  }
  const hetc_section_t *host = hetc_artifact_section(artifact, "host");
  if (!host)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "cpu artifact has no 'host' section");
  int fd = memfd_create("hetc-host", MFD_CLOEXEC);
  if (fd < 0)
    return hetc_make_status(HETC_STATUS_INTERNAL, "memfd_create failed: %s",
                            strerror(errno));
  size_t written = 0;
  while (written < host->size) {
    ssize_t n = write(fd, host->data + written, host->size - written);
    if (n <= 0) {
      close(fd);
      return hetc_make_status(HETC_STATUS_INTERNAL,
                              "cannot stage the host code: %s",
                              strerror(errno));
    }
    written += (size_t)n;
  }
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  /* Move to a descriptor number no loaded library was named after. */
  while (path_is_loaded(path)) {
    int next = fcntl(fd, F_DUPFD_CLOEXEC, fd + 1);
    close(fd);
    if (next < 0)
      return hetc_make_status(HETC_STATUS_INTERNAL,
                              "cannot duplicate the host-code descriptor: %s",
                              strerror(errno));
    fd = next;
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  }
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    close(fd);
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "cannot load the artifact's host code: %s",
                            dlerror());
  }
  for (size_t i = 0; i < artifact->num_entries; ++i)
    if (!dlsym(handle, artifact->entries[i].symbol)) {
      hetc_status_t status = hetc_make_status(
          HETC_STATUS_NOT_FOUND, "entry '%s': the host code has no symbol '%s'",
          artifact->entries[i].name, artifact->entries[i].symbol);
      dlclose(handle);
      close(fd);
      return status;
    }
  hetc_executable_t *exe = malloc(sizeof(*exe));
  if (!exe) {
    dlclose(handle);
    close(fd);
    return hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  }
  exe->handle = handle;
  exe->fd = fd;
  *out = exe;
  return NULL;
}

static void cpu_unload(void *impl, hetc_executable_t *exe) {
  (void)impl;
  if (!exe)
    return;
  dlclose(exe->handle);
  /* A library that stays resident (OpenMP's runtime can pin it) keeps its
   * path: keep the descriptor too, so no later artifact reuses the path. */
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", exe->fd);
  if (!path_is_loaded(path))
    close(exe->fd);
  free(exe);
}

static hetc_status_t cpu_invoke(void *impl, hetc_executable_t *exe,
                                const hetc_entry_t *entry, void **buffers) {
  (void)impl;
  void (*fn)(void **) = (void (*)(void **))dlsym(exe->handle, entry->symbol);
  if (!fn)
    return hetc_make_status(HETC_STATUS_NOT_FOUND, "entry '%s': no symbol '%s'",
                            entry->name, entry->symbol);
  fn(buffers);
  return NULL;
}

const hetc_driver_t hetc_cpu_driver = {
    "cpu",      "cpu",        cpu_open, cpu_close,  cpu_alloc,  cpu_free,
    cpu_upload, cpu_download, cpu_load, cpu_unload, cpu_invoke,
};
