/*===- fake_hyper_model.c - a "compiled" model reading a hyper-parameter --===*
 *
 * Arguments w (param [1]), lr (hyper, group 0), lr1 (hyper, group 1),
 * x (input [1]); then the loss. loss = w * x, and SGD with the runtime
 * learning rates: w -= (lr + lr1) * x, so a test sees both groups' values.
 *
 *===----------------------------------------------------------------------===*/

#include "fake_signature.h"

HETC_FAKE_SIGNATURE(1 << 16)

void hetc_entry_train_step(void **buffers) {
  float **b = (float **)buffers;
  *b[4] = b[0][0] * b[3][0];
  b[0][0] -= (b[1][0] + b[2][0]) * b[3][0];
}

void hetc_entry_eval(void **buffers) {
  float **b = (float **)buffers;
  *b[4] = b[0][0] * b[3][0];
}
