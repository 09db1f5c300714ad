/* Element-wise math for the native build of gru_kernel.c: libm. */
#ifndef GK_MATH_H
#define GK_MATH_H
#include <math.h>

static inline float gk_exp(float x) { return expf(x); }
static inline float gk_tanh(float x) { return tanhf(x); }
/* Stable on both sides: never exp of a large positive number. */
static inline float gk_sigmoid(float x) {
  if (x >= 0.f) return 1.f / (1.f + expf(-x));
  const float e = expf(x);
  return e / (1.f + e);
}
#endif
