/*===- cpu.c - the host CPU driver ----------------------------------------===*
 *
 * Buffers are 64-byte aligned host memory. The artifact's "host" section is
 * a shared object; it is loaded from an anonymous memory file so nothing is
 * left on disk, and each entry is `void symbol(void **buffers)`.
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "../fpenv.h"
#include "../internal.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef void (*entry_fn_t)(void **buffers);

struct hetc_executable {
  void *handle;
  int fd;                      /* the memory file backing the library, or -1 */
  const hetc_entry_t *entries; /* the artifact's, for indexing fns */
  size_t num_entries;
  entry_fn_t *fns; /* resolved once at load, one per entry */
};

#if defined(__x86_64__)
#define HOST_ELF_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_ELF_MACHINE EM_AARCH64
#elif defined(__powerpc64__)
#define HOST_ELF_MACHINE EM_PPC64
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_ELF_MACHINE EM_RISCV
#else
#error "the cpu driver needs this host's ELF machine number"
#endif

/* Whether [offset, offset + count * size) lies inside `total` bytes. */
static bool in_file(uint64_t offset, uint64_t count, uint64_t size,
                    uint64_t total) {
  uint64_t bytes;
  return !__builtin_mul_overflow(count, size, &bytes) && offset <= total &&
         bytes <= total - offset;
}

/* Checks the host section is a whole shared object for this machine before
 * the dynamic loader maps it: a segment past the end of the file would be
 * mapped anyway and fault (SIGBUS) when touched. */
static hetc_status_t check_elf(const uint8_t *data, uint64_t size) {
#define ELF_FAIL(...)                                                          \
  return hetc_make_status(HETC_STATUS_DATA_LOSS,                               \
                          "the artifact's host code is not a valid shared "    \
                          "object: " __VA_ARGS__)
  Elf64_Ehdr eh;
  if (size < sizeof(eh))
    ELF_FAIL("%llu bytes, shorter than an ELF header",
             (unsigned long long)size);
  memcpy(&eh, data, sizeof(eh));
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
    ELF_FAIL("bad ELF magic");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_version != EV_CURRENT)
    ELF_FAIL("not a little-endian 64-bit ELF file");
  if (eh.e_type != ET_DYN)
    ELF_FAIL("ELF type %u, not a shared object", eh.e_type);
  if (eh.e_machine != HOST_ELF_MACHINE)
    ELF_FAIL("compiled for ELF machine %u, this host is %u", eh.e_machine,
             HOST_ELF_MACHINE);
  if (eh.e_ehsize != sizeof(Elf64_Ehdr) ||
      eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
      !in_file(eh.e_phoff, eh.e_phnum, sizeof(Elf64_Phdr), size))
    ELF_FAIL("its program headers lie outside its %llu bytes",
             (unsigned long long)size);
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    memcpy(&ph, data + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
    if (ph.p_type == PT_NULL)
      continue;
    if (!in_file(ph.p_offset, 1, ph.p_filesz, size) ||
        (ph.p_type == PT_LOAD && ph.p_filesz > ph.p_memsz))
      ELF_FAIL("segment #%u (%llu bytes at %llu) lies outside its %llu bytes",
               i, (unsigned long long)ph.p_filesz,
               (unsigned long long)ph.p_offset, (unsigned long long)size);
  }
  if (eh.e_shnum || eh.e_shoff) {
    if (eh.e_shentsize != sizeof(Elf64_Shdr) ||
        !in_file(eh.e_shoff, eh.e_shnum, sizeof(Elf64_Shdr), size))
      ELF_FAIL("its section headers lie outside its %llu bytes",
               (unsigned long long)size);
    for (unsigned i = 0; i < eh.e_shnum; ++i) {
      Elf64_Shdr sh;
      memcpy(&sh, data + eh.e_shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
      if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
          !in_file(sh.sh_offset, 1, sh.sh_size, size))
        ELF_FAIL("section #%u lies outside its %llu bytes", i,
                 (unsigned long long)size);
    }
  }
  return NULL;
#undef ELF_FAIL
}

/* Resolves an entry's symbol and checks it is a function the artifact's own
 * library defines: dlsym also searches the library's dependencies (libc's
 * abort, exit), which the runtime must never call. */
static hetc_status_t resolve_entry(void *handle, const hetc_entry_t *entry,
                                   entry_fn_t *out) {
  void *address = dlsym(handle, entry->symbol);
  if (!address)
    return hetc_make_status(HETC_STATUS_NOT_FOUND,
                            "entry '%s': the host code has no symbol '%s'",
                            entry->name, entry->symbol);
  struct link_map *own = NULL;
  void *definer = NULL, *symbol = NULL;
  Dl_info info;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &own) != 0 ||
      !dladdr1(address, &info, &definer, RTLD_DL_LINKMAP) ||
      definer != (void *)own ||
      !dladdr1(address, &info, &symbol, RTLD_DL_SYMENT) || !symbol ||
      info.dli_saddr != address)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "entry '%s': the symbol '%s' is not defined by "
                            "the artifact's own host code",
                            entry->name, entry->symbol);
  if (ELF64_ST_TYPE(((const ElfW(Sym) *)symbol)->st_info) != STT_FUNC)
    return hetc_make_status(HETC_STATUS_DATA_LOSS,
                            "entry '%s': the symbol '%s' is not a function",
                            entry->name, entry->symbol);
  *out = (entry_fn_t)address;
  return NULL;
}

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
  hetc_status_t invalid = check_elf(host->data, host->size);
  if (!invalid)
    invalid = hetc_artifact_check_signature(artifact);
  if (invalid)
    return invalid;
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
  hetc_executable_t *exe = calloc(1, sizeof(*exe));
  entry_fn_t *fns =
      calloc(artifact->num_entries ? artifact->num_entries : 1, sizeof(*fns));
  hetc_status_t status =
      exe && fns
          ? NULL
          : hetc_make_status(HETC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  for (size_t i = 0; !status && i < artifact->num_entries; ++i)
    status = resolve_entry(handle, &artifact->entries[i], &fns[i]);
  if (status) {
    free(fns);
    free(exe);
    dlclose(handle);
    close(fd);
    return status;
  }
  exe->handle = handle;
  exe->fd = fd;
  exe->entries = artifact->entries;
  exe->num_entries = artifact->num_entries;
  exe->fns = fns;
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
  free(exe->fns);
  free(exe);
}

static hetc_status_t cpu_invoke(void *impl, hetc_executable_t *exe,
                                const hetc_entry_t *entry, void **buffers) {
  (void)impl;
  if (entry < exe->entries || entry >= exe->entries + exe->num_entries)
    return hetc_make_status(HETC_STATUS_INTERNAL,
                            "entry '%s' is not one of the loaded artifact's",
                            entry->name);
  /* IEEE mode whatever the caller's thread uses (fpenv.h). */
  hetc_fp_saved_t fp = hetc_fp_enter();
  exe->fns[entry - exe->entries](buffers);
  hetc_fp_leave(fp);
  return NULL;
}

const hetc_driver_t hetc_cpu_driver = {
    "cpu",      "cpu",        cpu_open, cpu_close,  cpu_alloc,  cpu_free,
    cpu_upload, cpu_download, cpu_load, cpu_unload, cpu_invoke,
};
