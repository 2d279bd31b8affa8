/*===- fake_label_model.c - a "compiled" model with class labels ----------===*
 *
 * CPU entry convention. w [3] f32 (one score per class), x [4] f32, label
 * y [4] i32 in [0, 3): loss = mean(w[y[i]] * x[i]), and SGD with lr 0.1 on
 * w. It indexes w by the label unchecked, as compiled code does, so only
 * the runtime's host-side check keeps bad labels from corrupting state.
 * The i64 variant (LABEL_I64) takes i64 labels.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>

#ifdef LABEL_I64
typedef int64_t label_t;
#else
typedef int32_t label_t;
#endif

#include "fake_signature.h"

HETC_FAKE_SIGNATURE(1 << 16)

static float forward(void **b) {
  const float *w = b[0], *x = b[1];
  const label_t *y = b[2];
  float loss = 0.0f;
  for (int i = 0; i < 4; ++i)
    loss += w[y[i]] * x[i] / 4.0f;
  return loss;
}

void hetc_entry_train_step(void **b) {
  float loss = forward(b);
  float *w = b[0];
  const float *x = b[1];
  const label_t *y = b[2];
  for (int i = 0; i < 4; ++i)
    w[y[i]] -= 0.1f * x[i] / 4.0f;
  *(float *)b[3] = loss;
}

void hetc_entry_eval(void **b) { *(float *)b[3] = forward(b); }
