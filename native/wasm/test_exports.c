/*
 * Extra exports of the wasm module for tests and benchmarks: the math
 * functions of gk_math.h over arrays (they are static inline, so they have no
 * symbol of their own). gk_sgemm is exported directly.
 */
#include "gk_math.h"

void gk_test_exp(const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = gk_exp(x[i]);
}
void gk_test_tanh(const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = gk_tanh(x[i]);
}
void gk_test_sigmoid(const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = gk_sigmoid(x[i]);
}
