/*===- random.h - the counter-based generator of parameter initialization -===*
 *
 * Pure functions of (seed, stream, counter): no state, no threads, and only
 * integer operations and IEEE-754 double additions, multiplications,
 * divisions and square roots (each correctly rounded, so the same bits on
 * every conforming host). No libm transcendental is called: their last bits
 * differ between C libraries. docs/reproducibility.md, "Reproducible mode:
 * randomness", gives the algorithm; test/python/test_random.py replays it.
 *
 *===----------------------------------------------------------------------===*/

#ifndef HETC_RUNTIME_RANDOM_H
#define HETC_RUNTIME_RANDOM_H

#include "internal.h"

#include <stddef.h>
#include <stdint.h>

/* splitmix64's output function of x + the golden-ratio increment. */
uint64_t hetc_splitmix64(uint64_t x);

/* A uniform double in [0, 1), a multiple of 2^-53, for element `counter` of
 * tensor `stream`. */
double hetc_random_uniform01(uint64_t seed, uint64_t stream, uint64_t counter);

/* A standard normal sample for element `counter` of tensor `stream`
 * (Box-Muller on the uniforms of counters 2 * counter and 2 * counter + 1,
 * with hetc's own log and cos). */
double hetc_random_normal(uint64_t seed, uint64_t stream, uint64_t counter);

/* log(x) for finite x > 0, and cos(2 * pi * u) for u in [0, 1) a multiple
 * of 2^-53, from IEEE basic operations only (about 1 ulp). */
double hetc_exact_log(double x);
double hetc_exact_cos_2pi(double u);

/* Element c of stream `stream` by initializer `init`, c = 0 .. n - 1, each
 * computed in double and rounded once to float. */
void hetc_random_fill(hetc_init_t init, uint64_t seed, uint64_t stream,
                      float *out, size_t n);

#endif /* HETC_RUNTIME_RANDOM_H */
