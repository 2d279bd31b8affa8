/*===- artifact_format.h - byte layout of hetc artifacts ------------------===*
 *
 * Artifact format version 1, little-endian, shared by the compiler (which
 * encodes artifacts through hetc_artifact_encode) and the runtime's reader.
 *
 *   header (64 bytes)  magic, format version, flags, section table offset
 *                      and count, file size, table CRC-32
 *   section table      per section: name[32], offset, size, CRC-32,
 *                      alignment
 *   sections           each 64-byte aligned: "manifest" (JSON), "host"
 *                      (cpu shared object), later "device.<kind>"
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_ARTIFACT_FORMAT_H
#define HETC_RUNTIME_ARTIFACT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HETC_ARTIFACT_MAGIC "HETCART" /* 8 bytes with the NUL */
#define HETC_ARTIFACT_VERSION 1u
#define HETC_ARTIFACT_HEADER_SIZE 64u
#define HETC_ARTIFACT_SECTION_NAME_SIZE 32u
#define HETC_ARTIFACT_SECTION_ENTRY_SIZE 56u
#define HETC_ARTIFACT_ALIGNMENT 64u

/* Header: char magic[8]; u32 format_version; u32 flags;
 * u64 section_table_offset; u32 section_count; u32 reserved; u64 file_size;
 * u32 section_table_crc32; zero padding to 64 bytes. */
#define HETC_ARTIFACT_OFF_MAGIC 0u
#define HETC_ARTIFACT_OFF_VERSION 8u
#define HETC_ARTIFACT_OFF_FLAGS 12u
#define HETC_ARTIFACT_OFF_TABLE 16u
#define HETC_ARTIFACT_OFF_COUNT 24u
#define HETC_ARTIFACT_OFF_RESERVED 28u
#define HETC_ARTIFACT_OFF_FILE_SIZE 32u
#define HETC_ARTIFACT_OFF_TABLE_CRC 40u

/* Section table entry: char name[32]; u64 offset; u64 size; u32 crc32;
 * u32 alignment. */
#define HETC_SECTION_OFF_NAME 0u
#define HETC_SECTION_OFF_OFFSET 32u
#define HETC_SECTION_OFF_SIZE 40u
#define HETC_SECTION_OFF_CRC 48u
#define HETC_SECTION_OFF_ALIGN 52u

/* Limits on what a manifest may declare: the compiler refuses to write an
 * artifact beyond them and the runtime refuses to load one. */
#define HETC_MANIFEST_MAX_RANK 8
#define HETC_MAX_TENSOR_BYTES (1ull << 48)   /* one tensor */
#define HETC_MAX_ENTRIES 1024                /* entries per artifact */
#define HETC_MAX_ENTRY_TENSORS 65536         /* arguments, or results */
#define HETC_MAX_ARTIFACT_BYTES (1ull << 36) /* a whole artifact file */
/* Every entry point the compiler emits is `void hetc_entry_<name>(void **)`;
 * the runtime calls no other symbol. */
#define HETC_ENTRY_SYMBOL_PREFIX "hetc_entry_"

/* The signature: what the compiler embeds in an artifact's code and the
 * runtime compares with the manifest before running anything, so a manifest
 * that no longer describes the code (a wrong shape, a dropped argument, a
 * swapped symbol, another model's manifest) is refused. Text, one line per
 * entry and per tensor, in manifest order:
 *
 *   hetc-signature 1
 *   entry <name> <kind> <symbol>
 *   arg <name> <role> <dtype> <shape>
 *   result <name> <role> <dtype> <shape>
 *
 * Names, kinds and symbols are written as <byte length>:<bytes> (an entry
 * without a symbol as "0:"); a shape as its dimensions joined by 'x' ("-"
 * for a scalar). After the entries, one line binds each other top-level
 * manifest member (initializers, label class counts and variants inside
 * "entries"; "optimizer", "model", "target", "chip", "cpu_features",
 * "device"), in key order, so that no field the code depends on can change
 * unnoticed:
 *
 *   manifest <key> <hash>
 *
 * where <hash> is the member value's canonical hash (below) as 16
 * lowercase hex digits: the value as parsed, not as spelled, so reformatting
 * the JSON does not count as an edit while changing any value does. Only
 * "format_version" and "compiler_version" are unbound. CPU
 * code carries the text in the host shared object's ELF section
 * HETC_SIGNATURE_ELF_SECTION; device code in the artifact section
 * HETC_SIGNATURE_SECTION, written with the kernels. */
#define HETC_SIGNATURE_HEADER "hetc-signature 1\n"
#define HETC_SIGNATURE_ELF_SECTION ".hetc_signature"
#define HETC_SIGNATURE_SECTION "signature"

/* Formats one signature line into `out` (when `size` allows, NUL included)
 * and returns its length, as snprintf does. */
size_t hetc_signature_entry_line(char *out, size_t size, const char *name,
                                 const char *kind, const char *symbol);
size_t hetc_signature_tensor_line(char *out, size_t size, const char *list,
                                  const char *name, const char *role,
                                  const char *dtype, int32_t rank,
                                  const int64_t *shape);
size_t hetc_signature_binding_line(char *out, size_t size, const char *key,
                                   uint64_t hash);

/* The canonical hash of a JSON value: FNV-1a 64-bit over an encoding in
 * which null is 'z', a boolean 't' or 'f', a number 'n' and its IEEE double's
 * 8 bytes (little-endian), a string 's', its byte length as 8 bytes and its
 * bytes, an array '[', its count and its items, an object '{', its count
 * and its members sorted by key bytes, each as key string then value. Each
 * function continues from `hash` (HETC_JSON_HASH_START to begin); compiler
 * and runtime walk their own JSON trees with these. */
#define HETC_JSON_HASH_START 0xcbf29ce484222325ull
uint64_t hetc_json_hash_null(uint64_t hash);
uint64_t hetc_json_hash_bool(uint64_t hash, int value);
uint64_t hetc_json_hash_number(uint64_t hash, double value);
uint64_t hetc_json_hash_string(uint64_t hash, const char *data, size_t size);
/* Starts an array ('[') or object ('{') of `count` items or members. */
uint64_t hetc_json_hash_open(uint64_t hash, char kind, uint64_t count);

/* One section to encode. */
typedef struct hetc_section_input {
  const char *name;
  const void *data;
  size_t size;
} hetc_section_input_t;

/* The zlib CRC-32 of `data`, continuing from `crc` (0 to start). */
uint32_t hetc_crc32(uint32_t crc, const void *data, size_t size);

/* Encodes an artifact holding `sections` in order. On success returns 0 and
 * a malloc'ed buffer the caller frees; otherwise returns nonzero and sets
 * `*error` to a static message. */
int hetc_artifact_encode(const hetc_section_input_t *sections, size_t count,
                         uint8_t **out, size_t *out_size, const char **error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HETC_RUNTIME_ARTIFACT_FORMAT_H */
