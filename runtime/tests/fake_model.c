/*===- fake_model.c - a hand-written "compiled" model for runtime tests ---===*
 *
 * Follows the CPU entry convention (one pointer per argument, then per
 * result): y_hat = x w + b on 4x2 inputs, MSE loss, and SGD with lr 0.1
 * updating w and b in place, so runtime tests need no compiler. LR can be
 * overridden to build a second, different model.
 *
 *===----------------------------------------------------------------------===*/

#ifndef LR
#define LR 0.1f
#endif

#include "fake_signature.h"

/* Room for the 65,536-argument manifests of the hardening tests. */
HETC_FAKE_SIGNATURE(6 << 20)

static float forward(float **b, float *out) {
  const float *w = b[0], *bias = b[1], *x = b[2], *y = b[3];
  float loss = 0.0f;
  for (int i = 0; i < 4; ++i) {
    out[i] = x[2 * i] * w[0] + x[2 * i + 1] * w[1] + bias[0];
    float d = out[i] - y[i];
    loss += d * d / 4.0f;
  }
  return loss;
}

void hetc_entry_train_step(void **buffers) {
  float **b = (float **)buffers;
  float out[4];
  float loss = forward(b, out);
  float gw0 = 0, gw1 = 0, gb = 0;
  for (int i = 0; i < 4; ++i) {
    float d = 2.0f * (out[i] - b[3][i]) / 4.0f;
    gw0 += d * b[2][2 * i];
    gw1 += d * b[2][2 * i + 1];
    gb += d;
  }
  b[0][0] -= LR * gw0;
  b[0][1] -= LR * gw1;
  b[1][0] -= LR * gb;
  *b[4] = loss;
}

void hetc_entry_eval(void **buffers) {
  float **b = (float **)buffers;
  *b[4] = forward(b, b[5]);
}

/* Like eval, but takes 300 ms first: a call still in flight when another
 * thread frees the session. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>
void hetc_entry_slow(void **buffers) {
  struct timespec t = {0, 300 * 1000 * 1000};
  nanosleep(&t, 0);
  hetc_entry_eval(buffers);
}

/* A data symbol with the entry prefix: never callable. */
int hetc_entry_data = 0;

#ifdef HETC_WITH_DEPENDENCY
/* Forces the dependency that defines hetc_entry_imported to be loaded. */
void hetc_fake_dependency_anchor(void);
void hetc_entry_anchor(void **buffers) {
  (void)buffers;
  hetc_fake_dependency_anchor();
}
#endif
