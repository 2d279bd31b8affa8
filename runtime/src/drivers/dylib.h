/*===- dylib.h - vendor libraries opened with dlopen ----------------------===*
 *
 * GPU drivers load their vendor library and its symbols when a device is
 * opened, so one runtime build runs wherever a driver exists and names the
 * missing library where it does not. A driver lists its symbols once as an
 * X-macro (dynamic_symbols.h) and expands it with HETC_DECLARE_TABLE into a
 * struct of function pointers plus the matching array of names.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_SRC_DRIVERS_DYLIB_H
#define HETC_RUNTIME_SRC_DRIVERS_DYLIB_H

#include "../internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opens `library` and resolves the `count` symbols `names` into `table`.
 * A missing library is UNAVAILABLE naming it, `driver` and `how_to_get`; a
 * missing symbol is UNAVAILABLE naming the symbol. On failure *handle is
 * NULL; on success the caller dlcloses it. */
hetc_status_t hetc_load_library(const char *driver, const char *library,
                                const char *how_to_get,
                                const char *const *names, void **table,
                                size_t count, void **handle);

/* Whether `size` bytes hold a little-endian ELF64 image (a cubin or a code
 * object) whose headers, program and section contents all lie inside them.
 * Vendor loaders take images without a size and trust the offsets in them,
 * so a truncated or corrupt section must never reach them. */
bool hetc_elf_image_is_whole(const uint8_t *data, uint64_t size);

/* The contents of section `want` of a 64-bit little-endian ELF image, every
 * offset checked against the image; false when it has no such section. */
bool hetc_elf_section(const uint8_t *data, uint64_t size, const char *want,
                      const uint8_t **out, uint64_t *out_size);

/* HETC_DECLARE_TABLE(type, LIST) declares `type`, a struct with one function
 * pointer per LIST entry, and `type##_names`, their symbol names. */
#define HETC_DECLARE_TABLE(NAME, LIST)                                         \
  typedef struct NAME {                                                        \
    LIST(HETC_FIELD)                                                           \
  } NAME;                                                                      \
  static const char *const NAME##_names[] = {LIST(HETC_NAME)};
#define HETC_FIELD(ret, name, params) ret(*name) params;
#define HETC_NAME(ret, name, params) #name,

/* Loads the table `symbols` of type `type` from `library`. */
#define HETC_LOAD_TABLE(driver, library, how, type, symbols, handle)           \
  hetc_load_library(driver, library, how, type##_names, (void **)&(symbols),   \
                    sizeof(type##_names) / sizeof(type##_names[0]), &(handle))

#endif /* HETC_RUNTIME_SRC_DRIVERS_DYLIB_H */
