//===- sgemm.c - f32 matrix-multiply microkernels for the CPU target ------===//
//
// Compiled by clang to LLVM bitcode once per instruction-set flavour
// (AVX-512, AVX2+FMA, generic) and linked into every CPU artifact whose
// chip supports that flavour, like IREE's CPU ukernels. Compiled matmuls
// call hetc_uk_sgemm instead of running generic loop nests: a packed,
// register-blocked GEMM reaches a large fraction of peak where LLVM's
// vectorization of naive loops does not.
//
// The caller splits the work into column chunks and may run chunks on
// several threads; each call packs what it needs, so calls are independent.
//
// hetc_uk_sgemm_seq is the reproducible mode's flavour: every output is
// computed as acc = C; for k in order: acc = acc + a * b, with the product
// rounded before the add (no fma), as a naive loop nest and the GPU tiles
// compute it. Its bits depend on neither the ISA flavour, the blocking nor
// the column chunks. This file is compiled with -ffp-contract=off.
//
//===----------------------------------------------------------------------===//

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#if defined(__AVX512F__)
#define MR 8
#define NR 32
#elif defined(__AVX2__) && defined(__FMA__)
#define MR 6
#define NR 16
#else
#define MR 4
#define NR 8
#endif

// Cache blocking: a KC x NR panel of B stays in L1, MC x KC of A in L2.
#define KC 256
#define MC 96

// Copies the MC x KC block of op(A) at (i0, p0) into MR-row panels,
// zero-padding the last panel so the microkernel never branches.
static void packA(const float *a, int64_t lda, int transA, int64_t i0,
                  int64_t p0, int64_t mc, int64_t kc, float *dst) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    int64_t rows = mc - ir < MR ? mc - ir : MR;
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t r = 0; r < rows; ++r) {
        int64_t i = i0 + ir + r, kk = p0 + p;
        *dst++ = transA ? a[kk * lda + i] : a[i * lda + kk];
      }
      for (int64_t r = rows; r < MR; ++r)
        *dst++ = 0.0f;
    }
  }
}

// Copies the KC x nc block of op(B) at (p0, j0) into NR-column panels.
static void packB(const float *b, int64_t ldb, int transB, int64_t p0,
                  int64_t j0, int64_t kc, int64_t nc, float *dst) {
  for (int64_t jr = 0; jr < nc; jr += NR) {
    int64_t cols = nc - jr < NR ? nc - jr : NR;
    for (int64_t p = 0; p < kc; ++p) {
      int64_t kk = p0 + p;
      if (!transB && cols == NR) {
        memcpy(dst, b + kk * ldb + j0 + jr, NR * sizeof(float));
        dst += NR;
        continue;
      }
      for (int64_t c = 0; c < cols; ++c) {
        int64_t j = j0 + jr + c;
        *dst++ = transB ? b[j * ldb + kk] : b[kk * ldb + j];
      }
      for (int64_t c = cols; c < NR; ++c)
        *dst++ = 0.0f;
    }
  }
}

// C[0:mr, 0:nr] += Apanel (kc x MR) * Bpanel (kc x NR).
static void microkernel(int64_t kc, const float *pa, const float *pb, float *c,
                        int64_t ldc, int64_t mr, int64_t nr) {
#if defined(__AVX512F__)
  __m512 acc[MR][2];
  for (int i = 0; i < MR; ++i)
    acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int64_t p = 0; p < kc; ++p) {
    __m512 b0 = _mm512_loadu_ps(pb + p * NR);
    __m512 b1 = _mm512_loadu_ps(pb + p * NR + 16);
    for (int i = 0; i < MR; ++i) {
      __m512 a = _mm512_set1_ps(pa[p * MR + i]);
      acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
    }
  }
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; ++i) {
      float *row = c + i * ldc;
      _mm512_storeu_ps(row, _mm512_add_ps(_mm512_loadu_ps(row), acc[i][0]));
      _mm512_storeu_ps(row + 16,
                       _mm512_add_ps(_mm512_loadu_ps(row + 16), acc[i][1]));
    }
    return;
  }
  float tile[MR * NR];
  for (int i = 0; i < MR; ++i) {
    _mm512_storeu_ps(tile + i * NR, acc[i][0]);
    _mm512_storeu_ps(tile + i * NR + 16, acc[i][1]);
  }
#elif defined(__AVX2__) && defined(__FMA__)
  __m256 acc[MR][2];
  for (int i = 0; i < MR; ++i)
    acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; ++p) {
    __m256 b0 = _mm256_loadu_ps(pb + p * NR);
    __m256 b1 = _mm256_loadu_ps(pb + p * NR + 8);
    for (int i = 0; i < MR; ++i) {
      __m256 a = _mm256_broadcast_ss(pa + p * MR + i);
      acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
    }
  }
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; ++i) {
      float *row = c + i * ldc;
      _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), acc[i][0]));
      _mm256_storeu_ps(row + 8,
                       _mm256_add_ps(_mm256_loadu_ps(row + 8), acc[i][1]));
    }
    return;
  }
  float tile[MR * NR];
  for (int i = 0; i < MR; ++i) {
    _mm256_storeu_ps(tile + i * NR, acc[i][0]);
    _mm256_storeu_ps(tile + i * NR + 8, acc[i][1]);
  }
#else
  float tile[MR * NR] = {0};
  for (int64_t p = 0; p < kc; ++p)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j)
        tile[i * NR + j] += pa[p * MR + i] * pb[p * NR + j];
#endif
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j)
      c[i * ldc + j] += tile[i * NR + j];
}

// C[0:mr, 0:nr] = C + Apanel (kc x MR) * Bpanel (kc x NR), each output
// accumulated from C in k order with a rounded product and a rounded add.
static void microkernelSeq(int64_t kc, const float *pa, const float *pb,
                           float *c, int64_t ldc, int64_t mr, int64_t nr) {
  // Edge tiles run on a padded copy of C, so the loop never branches.
  float tile[MR * NR];
  int full = mr == MR && nr == NR;
  float *acc = full ? c : tile;
  int64_t ld = full ? ldc : NR;
  if (!full) {
    for (int64_t i = 0; i < MR; ++i)
      for (int64_t j = 0; j < NR; ++j)
        tile[i * NR + j] = i < mr && j < nr ? c[i * ldc + j] : 0.0f;
  }
#if defined(__AVX512F__)
  __m512 v[MR][2];
  for (int i = 0; i < MR; ++i) {
    v[i][0] = _mm512_loadu_ps(acc + i * ld);
    v[i][1] = _mm512_loadu_ps(acc + i * ld + 16);
  }
  for (int64_t p = 0; p < kc; ++p) {
    __m512 b0 = _mm512_loadu_ps(pb + p * NR);
    __m512 b1 = _mm512_loadu_ps(pb + p * NR + 16);
    for (int i = 0; i < MR; ++i) {
      __m512 a = _mm512_set1_ps(pa[p * MR + i]);
      v[i][0] = _mm512_add_ps(v[i][0], _mm512_mul_ps(a, b0));
      v[i][1] = _mm512_add_ps(v[i][1], _mm512_mul_ps(a, b1));
    }
  }
  for (int i = 0; i < MR; ++i) {
    _mm512_storeu_ps(acc + i * ld, v[i][0]);
    _mm512_storeu_ps(acc + i * ld + 16, v[i][1]);
  }
#elif defined(__AVX2__) && defined(__FMA__)
  __m256 v[MR][2];
  for (int i = 0; i < MR; ++i) {
    v[i][0] = _mm256_loadu_ps(acc + i * ld);
    v[i][1] = _mm256_loadu_ps(acc + i * ld + 8);
  }
  for (int64_t p = 0; p < kc; ++p) {
    __m256 b0 = _mm256_loadu_ps(pb + p * NR);
    __m256 b1 = _mm256_loadu_ps(pb + p * NR + 8);
    for (int i = 0; i < MR; ++i) {
      __m256 a = _mm256_broadcast_ss(pa + p * MR + i);
      v[i][0] = _mm256_add_ps(v[i][0], _mm256_mul_ps(a, b0));
      v[i][1] = _mm256_add_ps(v[i][1], _mm256_mul_ps(a, b1));
    }
  }
  for (int i = 0; i < MR; ++i) {
    _mm256_storeu_ps(acc + i * ld, v[i][0]);
    _mm256_storeu_ps(acc + i * ld + 8, v[i][1]);
  }
#else
  for (int64_t p = 0; p < kc; ++p)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) {
        float product = pa[p * MR + i] * pb[p * NR + j];
        acc[i * ld + j] = acc[i * ld + j] + product;
      }
#endif
  if (!full)
    for (int64_t i = 0; i < mr; ++i)
      for (int64_t j = 0; j < nr; ++j)
        c[i * ldc + j] = tile[i * NR + j];
}

// op(A)[i, p] and op(B)[p, j].
static float elementA(const float *a, int64_t lda, int64_t transA, int64_t i,
                      int64_t p) {
  return transA ? a[p * lda + i] : a[i * lda + p];
}
static float elementB(const float *b, int64_t ldb, int64_t transB, int64_t p,
                      int64_t j) {
  return transB ? b[j * ldb + p] : b[p * ldb + j];
}

// The unblocked product, for when no scratch memory is left: the same sums
// as the blocked code of each flavour, slowly.
static void naiveSgemm(int64_t m, int64_t k, const float *a, int64_t lda,
                       int64_t transA, const float *b, int64_t ldb,
                       int64_t transB, float *c, int64_t ldc, int64_t nBegin,
                       int64_t nEnd, int sequential) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = nBegin; j < nEnd; ++j) {
      float sum = sequential ? c[i * ldc + j] : 0.0f;
      for (int64_t p = 0; p < k; ++p) {
        float product =
            elementA(a, lda, transA, i, p) * elementB(b, ldb, transB, p, j);
        sum = sum + product;
      }
      c[i * ldc + j] = sequential ? sum : c[i * ldc + j] + sum;
    }
}

// C[:, nBegin:nEnd] += op(A) * op(B)[:, nBegin:nEnd], packed and blocked;
// `sequential` selects the reproducible microkernel.
static void sgemm(int64_t m, int64_t n, int64_t k, int64_t aAddr, int64_t lda,
                  int64_t transA, int64_t bAddr, int64_t ldb, int64_t transB,
                  int64_t cAddr, int64_t ldc, int64_t nBegin, int64_t nEnd,
                  int sequential) {
  const float *a = (const float *)(intptr_t)aAddr;
  const float *b = (const float *)(intptr_t)bAddr;
  float *c = (float *)(intptr_t)cAddr;
  if (nEnd > n)
    nEnd = n;
  int64_t nc = nEnd - nBegin;
  if (m <= 0 || nc <= 0 || k <= 0)
    return;
  int64_t ncPadded = (nc + NR - 1) / NR * NR;
  int64_t mcPadded = (MC + MR - 1) / MR * MR;
  float *bufB = (float *)aligned_alloc(64, (size_t)(KC * ncPadded) * 4 + 64);
  float *bufA = (float *)aligned_alloc(64, (size_t)(KC * mcPadded) * 4 + 64);
  if (!bufA || !bufB) {
    free(bufA);
    free(bufB);
    naiveSgemm(m, k, a, lda, transA, b, ldb, transB, c, ldc, nBegin, nEnd,
               sequential);
    return;
  }
  for (int64_t p0 = 0; p0 < k; p0 += KC) {
    int64_t kc = k - p0 < KC ? k - p0 : KC;
    packB(b, ldb, (int)transB, p0, nBegin, kc, nc, bufB);
    for (int64_t i0 = 0; i0 < m; i0 += MC) {
      int64_t mc = m - i0 < MC ? m - i0 : MC;
      packA(a, lda, (int)transA, i0, p0, mc, kc, bufA);
      for (int64_t jr = 0; jr < nc; jr += NR) {
        int64_t nr = nc - jr < NR ? nc - jr : NR;
        for (int64_t ir = 0; ir < mc; ir += MR) {
          int64_t mr = mc - ir < MR ? mc - ir : MR;
          float *cTile = c + (i0 + ir) * ldc + nBegin + jr;
          if (sequential)
            microkernelSeq(kc, bufA + ir * kc, bufB + jr * kc, cTile, ldc, mr,
                           nr);
          else
            microkernel(kc, bufA + ir * kc, bufB + jr * kc, cTile, ldc, mr, nr);
        }
      }
    }
  }
  free(bufA);
  free(bufB);
}

/// C[:, nBegin:nEnd] += op(A) * op(B)[:, nBegin:nEnd], where op(A) is m x k
/// and op(B) is k x n, all row-major with the given leading dimensions.
/// Addresses are passed as integers so the compiled caller can hand over
/// raw buffer addresses.
void hetc_uk_sgemm(int64_t m, int64_t n, int64_t k, int64_t aAddr, int64_t lda,
                   int64_t transA, int64_t bAddr, int64_t ldb, int64_t transB,
                   int64_t cAddr, int64_t ldc, int64_t nBegin, int64_t nEnd) {
  sgemm(m, n, k, aAddr, lda, transA, bAddr, ldb, transB, cAddr, ldc, nBegin,
        nEnd, /*sequential=*/0);
}

/// hetc_uk_sgemm computing each output as acc = C; acc = acc + a * b in k
/// order, each product and sum rounded: the reproducible mode's GEMM.
void hetc_uk_sgemm_seq(int64_t m, int64_t n, int64_t k, int64_t aAddr,
                       int64_t lda, int64_t transA, int64_t bAddr, int64_t ldb,
                       int64_t transB, int64_t cAddr, int64_t ldc,
                       int64_t nBegin, int64_t nEnd) {
  sgemm(m, n, k, aAddr, lda, transA, bAddr, ldb, transB, cAddr, ldc, nBegin,
        nEnd, /*sequential=*/1);
}
