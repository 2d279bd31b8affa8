/*===- fake_batch_model.c - one model compiled for two batch sizes --------===*
 *
 * fake_model.c's y_hat = x w + b with an MSE loss (the mean over the batch's
 * rows) and SGD with lr 0.1, for batches of 4 rows (train_step, eval) and of
 * 3 rows (train_step_b3, eval_b3): the variants of one session's entries.
 *
 *===----------------------------------------------------------------------===*/

#include "fake_signature.h"

HETC_FAKE_SIGNATURE(1 << 16)

static float forward(float **b, float *out, int rows) {
  const float *w = b[0], *bias = b[1], *x = b[2], *y = b[3];
  float loss = 0.0f;
  for (int i = 0; i < rows; ++i) {
    out[i] = x[2 * i] * w[0] + x[2 * i + 1] * w[1] + bias[0];
    float d = out[i] - y[i];
    loss += d * d / (float)rows;
  }
  return loss;
}

static void train(void **buffers, int rows) {
  float **b = (float **)buffers;
  float out[4];
  float loss = forward(b, out, rows);
  float gw0 = 0, gw1 = 0, gb = 0;
  for (int i = 0; i < rows; ++i) {
    float d = 2.0f * (out[i] - b[3][i]) / (float)rows;
    gw0 += d * b[2][2 * i];
    gw1 += d * b[2][2 * i + 1];
    gb += d;
  }
  b[0][0] -= 0.1f * gw0;
  b[0][1] -= 0.1f * gw1;
  b[1][0] -= 0.1f * gb;
  *b[4] = loss;
}

void hetc_entry_train_step(void **buffers) { train(buffers, 4); }
void hetc_entry_train_step_b3(void **buffers) { train(buffers, 3); }

void hetc_entry_eval(void **buffers) {
  float **b = (float **)buffers;
  *b[4] = forward(b, b[5], 4);
}

void hetc_entry_eval_b3(void **buffers) {
  float **b = (float **)buffers;
  *b[4] = forward(b, b[5], 3);
}
