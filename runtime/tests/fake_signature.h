/*===- fake_signature.h - the signature section of hand-written models ---===*
 *
 * Compiled host code carries the signature of its manifest in the ELF
 * section .hetc_signature (artifact_format.h), and the runtime refuses a
 * manifest that differs. The runtime tests' hand-written models reserve
 * that section; the tests write into it the signature of the manifest they
 * pair a model with (runtime_test_util.h: signHost), as the compiler does.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_TESTS_FAKE_SIGNATURE_H
#define HETC_RUNTIME_TESTS_FAKE_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HETC_FAKE_SIGNATURE(capacity)                                          \
  __attribute__((used, section(".hetc_signature"))) static const char          \
      hetc_fake_signature[capacity] = "hetc-signature 1\n";

static inline uint64_t hetc_fake_le(const uint8_t *p, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i)
    value = value << 8 | p[i];
  return value;
}

/* Writes `signature` and its NUL into the .hetc_signature section of the
 * ELF image `host` (a hand-written model). Returns 0, or -1 when the image
 * has no such section or it is too small. */
static inline int hetc_fake_sign_host(uint8_t *host, size_t size,
                                      const char *signature) {
  if (size < 64)
    return -1;
  uint64_t shoff = hetc_fake_le(host + 40, 8);
  uint64_t shnum = hetc_fake_le(host + 60, 2);
  uint64_t shstrndx = hetc_fake_le(host + 62, 2);
  if (shstrndx >= shnum || shoff + shnum * 64 > size)
    return -1;
  const uint8_t *strings = host + shoff + shstrndx * 64;
  uint64_t names = hetc_fake_le(strings + 24, 8);
  for (uint64_t i = 0; i < shnum; ++i) {
    const uint8_t *sh = host + shoff + i * 64;
    const char *name = (const char *)host + names + hetc_fake_le(sh, 4);
    if (strcmp(name, ".hetc_signature") != 0)
      continue;
    uint64_t offset = hetc_fake_le(sh + 24, 8),
             bytes = hetc_fake_le(sh + 32, 8);
    size_t length = strlen(signature) + 1;
    if (offset + bytes > size || length > bytes)
      return -1;
    memcpy(host + offset, signature, length);
    return 0;
  }
  return -1;
}

#endif /* HETC_RUNTIME_TESTS_FAKE_SIGNATURE_H */
