/*===- fingerprint.c - SHA-256 and session state fingerprints -------------===*
 *
 * SHA-256 as FIPS 180-4 specifies it, and the fingerprint of a session's
 * state: the hash of the canonical encoding docs/reproducibility.md defines
 * (all integers little-endian):
 *
 *   "HETC-FP1"                     magic and encoding version, 8 bytes
 *   i64 step, u64 rng.seed, u64 rng.counter
 *   u32 number of state tensors, then for each, in manifest order:
 *     u32 name length, the name's bytes (no NUL)
 *     u32 role, u32 dtype          (hetc_role_t, hetc_dtype_t values)
 *     u32 rank, i64 dims[rank]
 *     u64 byte count, the elements' little-endian bytes
 *
 *===----------------------------------------------------------------------===*/

#include "internal.h"

#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the fingerprint hashes tensors' host bytes as little-endian"
#endif

/*--- SHA-256 ----------------------------------------------------------------*/

typedef struct sha256 {
  uint32_t h[8];
  uint8_t block[64];
  size_t used;    /* bytes in `block` */
  uint64_t total; /* bytes hashed so far */
} sha256_t;

static const uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, unsigned n) {
  return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static void store_be32(uint8_t *p, uint32_t x) {
  p[0] = (uint8_t)(x >> 24);
  p[1] = (uint8_t)(x >> 16);
  p[2] = (uint8_t)(x >> 8);
  p[3] = (uint8_t)x;
}

static void sha256_init(sha256_t *c) {
  static const uint32_t kInitial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                       0xa54ff53a, 0x510e527f, 0x9b05688c,
                                       0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, kInitial, sizeof kInitial);
  c->used = 0;
  c->total = 0;
}

/* FIPS 180-4 section 6.2.2: one 512-bit block. */
static void sha256_compress(uint32_t h[8], const uint8_t block[64]) {
  uint32_t w[64];
  for (int t = 0; t < 16; ++t)
    w[t] = load_be32(block + 4 * t);
  for (int t = 16; t < 64; ++t) {
    uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
           k = h[7];
  for (int t = 0; t < 64; ++t) {
    uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
                  ((e & f) ^ (~e & g)) + kRoundConstants[t] + w[t];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) +
                  ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += k;
}

static void sha256_update(sha256_t *c, const void *data, size_t size) {
  const uint8_t *p = data;
  c->total += size;
  while (size) {
    size_t n = 64 - c->used < size ? 64 - c->used : size;
    memcpy(c->block + c->used, p, n);
    c->used += n;
    p += n;
    size -= n;
    if (c->used == 64) {
      sha256_compress(c->h, c->block);
      c->used = 0;
    }
  }
}

/* Section 5.1.1's padding: a 1 bit, zeros, then the length in bits. */
static void sha256_final(sha256_t *c, uint8_t digest[HETC_SHA256_SIZE]) {
  uint64_t bits = c->total * 8;
  uint8_t pad[72] = {0x80};
  size_t zeros = (c->used < 56 ? 56 : 120) - c->used;
  for (int i = 0; i < 8; ++i)
    pad[zeros + i] = (uint8_t)(bits >> (56 - 8 * i));
  sha256_update(c, pad, zeros + 8);
  for (int i = 0; i < 8; ++i)
    store_be32(digest + 4 * i, c->h[i]);
}

void hetc_sha256(const void *data, size_t size,
                 uint8_t digest[HETC_SHA256_SIZE]) {
  sha256_t c;
  sha256_init(&c);
  sha256_update(&c, data, size);
  sha256_final(&c, digest);
}

void hetc_fingerprint_hex(const uint8_t digest[HETC_SHA256_SIZE],
                          char hex[2 * HETC_SHA256_SIZE + 1]) {
  static const char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < HETC_SHA256_SIZE; ++i) {
    hex[2 * i] = kDigits[digest[i] >> 4];
    hex[2 * i + 1] = kDigits[digest[i] & 15];
  }
  hex[2 * HETC_SHA256_SIZE] = '\0';
}

/*--- Fingerprints -----------------------------------------------------------*/

/* Integers enter the hash as their host (little-endian) bytes. */
static void put_u32(sha256_t *c, uint32_t x) { sha256_update(c, &x, 4); }
static void put_u64(sha256_t *c, uint64_t x) { sha256_update(c, &x, 8); }

typedef struct fingerprint {
  sha256_t sha;
  const int64_t *step; /* set under the session's lock before any tensor */
  hetc_rng_state_t rng;
  size_t count;
  bool started;
} fingerprint_t;

static void put_header(fingerprint_t *f) {
  sha256_update(&f->sha, "HETC-FP1", 8);
  put_u64(&f->sha, (uint64_t)*f->step);
  put_u64(&f->sha, f->rng.seed);
  put_u64(&f->sha, f->rng.counter);
  put_u32(&f->sha, (uint32_t)f->count);
  f->started = true;
}

static hetc_status_t hash_tensor(void *context, const hetc_tensor_info_t *info,
                                 const void *data, size_t bytes) {
  fingerprint_t *f = context;
  if (!f->started)
    put_header(f);
  size_t len = strlen(info->name);
  put_u32(&f->sha, (uint32_t)len);
  sha256_update(&f->sha, info->name, len);
  put_u32(&f->sha, (uint32_t)info->role);
  put_u32(&f->sha, (uint32_t)info->dtype);
  put_u32(&f->sha, (uint32_t)info->rank);
  for (int32_t d = 0; d < info->rank; ++d)
    put_u64(&f->sha, (uint64_t)info->shape[d]);
  put_u64(&f->sha, (uint64_t)bytes);
  sha256_update(&f->sha, data, bytes);
  return NULL;
}

hetc_status_t hetc_session_fingerprint(hetc_session_t *session,
                                       const hetc_rng_state_t *rng,
                                       uint8_t digest[HETC_SHA256_SIZE]) {
  if (!session || !digest)
    return hetc_make_status(HETC_STATUS_INVALID_ARGUMENT,
                            "hetc_session_fingerprint needs a session and a "
                            "digest buffer");
  int64_t step = 0;
  fingerprint_t f = {.step = &step, .count = hetc_session_state_count(session)};
  if (rng)
    f.rng = *rng;
  sha256_init(&f.sha);
  /* The header holds the step counter, which is read under the same lock
   * as the tensors, so it is written when the first tensor arrives. */
  hetc_status_t status =
      hetc_session_read_state(session, &step, hash_tensor, &f);
  if (status)
    return status;
  if (!f.started)
    put_header(&f);
  sha256_final(&f.sha, digest);
  return NULL;
}
