/*===- random.c - the counter-based generator of parameter initialization -===*
 *
 * Built with -ffp-contract=off (runtime/CMakeLists.txt): a fused
 * multiply-add would round once where the algorithm rounds twice, and
 * compilers fuse by default on some hosts (GCC on AArch64).
 *
 *===----------------------------------------------------------------------===*/

#include "random.h"

#include <math.h>

uint64_t hetc_splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

double hetc_random_uniform01(uint64_t seed, uint64_t stream, uint64_t counter) {
  uint64_t bits = hetc_splitmix64(
      seed ^ hetc_splitmix64(stream * 0x100000001B3ull + counter));
  /* 53 bits convert exactly, and the power-of-two scale is exact. */
  return (double)(bits >> 11) * 0x1p-53;
}

/* ln 2 split so that e * kLn2Hi is exact for |e| < 2^11. */
static const double kLn2Hi = 0x1.62e42fee00000p-1;
static const double kLn2Lo = 0x1.a39ef35793c76p-33;
static const double kHalfPi = 0x1.921fb54442d18p+0;
static const double kSqrtHalf = 0x1.6a09e667f3bcdp-1;

double hetc_exact_log(double x) {
  int e;
  double m = frexp(x, &e); /* exact: x = m * 2^e, m in [0.5, 1) */
  if (m < kSqrtHalf) {
    m = m * 2.0;
    e = e - 1;
  }
  /* log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.1716: the series
   * s * sum z^k / (2k + 1), z = s^2, to k = 11 (z^12 / 25 < 2^-60). */
  double s = (m - 1.0) / (m + 1.0);
  double z = s * s;
  double p = 1.0 / 23.0;
  for (int k = 10; k >= 0; --k)
    p = 1.0 / (double)(2 * k + 1) + z * p;
  return (double)e * kLn2Hi + ((2.0 * s) * p + (double)e * kLn2Lo);
}

/* sin(a) and cos(a) for a in [0, pi/4] by their Taylor series in nested
 * form; the last terms are below 2^-60. */
static double sin_small(double a) {
  double a2 = a * a, r = 1.0;
  for (int k = 9; k >= 1; --k)
    r = 1.0 - a2 * r / (double)((2 * k) * (2 * k + 1));
  return a * r;
}

static double cos_small(double a) {
  double a2 = a * a, r = 1.0;
  for (int k = 10; k >= 1; --k)
    r = 1.0 - a2 * r / (double)((2 * k - 1) * (2 * k));
  return r;
}

double hetc_exact_cos_2pi(double u) {
  /* The reduction works on u, where it is exact: 4u = q + f with q the
   * quadrant and f in [0, 1); the angle within the quadrant is f * pi/2,
   * folded to [0, pi/4] through 1 - f. */
  double t = 4.0 * u;
  int q = (int)t;
  double f = t - (double)q;
  double c, s; /* cos and sin of f * pi/2 */
  if (f <= 0.5) {
    c = cos_small(f * kHalfPi);
    s = sin_small(f * kHalfPi);
  } else {
    double g = (1.0 - f) * kHalfPi;
    c = sin_small(g);
    s = cos_small(g);
  }
  switch (q & 3) {
  case 0:
    return c;
  case 1:
    return -s;
  case 2:
    return -c;
  default:
    return s;
  }
}

double hetc_random_normal(uint64_t seed, uint64_t stream, uint64_t counter) {
  double u1 = hetc_random_uniform01(seed, stream, 2 * counter),
         u2 = hetc_random_uniform01(seed, stream, 2 * counter + 1);
  /* 1 - u1 in (0, 1] is exact; sqrt is correctly rounded by IEEE 754. */
  return sqrt(-2.0 * hetc_exact_log(1.0 - u1)) * hetc_exact_cos_2pi(u2);
}

static double init_value(hetc_init_t init, uint64_t seed, uint64_t stream,
                         uint64_t c) {
  switch (init.kind) {
  case HETC_INIT_ONES:
    return 1.0;
  case HETC_INIT_CONSTANT:
    return init.value;
  case HETC_INIT_UNIFORM:
    /* 2u - 1 is exact; one rounding in the scale. */
    return (2.0 * hetc_random_uniform01(seed, stream, c) - 1.0) * init.value;
  case HETC_INIT_NORMAL:
    return hetc_random_normal(seed, stream, c) * init.value;
  case HETC_INIT_NONE:
  case HETC_INIT_ZEROS:
  default:
    return 0.0;
  }
}

void hetc_random_fill(hetc_init_t init, uint64_t seed, uint64_t stream,
                      float *out, size_t n) {
  for (size_t c = 0; c < n; ++c)
    out[c] = (float)init_value(init, seed, stream, c);
}
