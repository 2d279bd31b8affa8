/*===- fake_buffer_model.c - a hand-written model with a buffer -----------===*
 *
 * Follows the CPU entry convention: argument 0 is the parameter w [1],
 * argument 1 the buffer "count" [1], argument 2 the input x [1], then the
 * loss. train_step computes loss = w x, then w -= 0.5 x and count += x in
 * place; eval returns w x + count and writes nothing.
 *
 *===----------------------------------------------------------------------===*/

#include "fake_signature.h"

HETC_FAKE_SIGNATURE(1 << 16)

void hetc_entry_train_step(void **buffers) {
  float **b = (float **)buffers;
  *b[3] = b[0][0] * b[2][0];
  b[0][0] -= 0.5f * b[2][0];
  b[1][0] += b[2][0];
}

void hetc_entry_eval(void **buffers) {
  float **b = (float **)buffers;
  *b[3] = b[0][0] * b[2][0] + b[1][0];
}
