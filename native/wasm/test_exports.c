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
/* The four-lane array versions the kernel runs (y = f(x) in place of a copy). */
void gk_test_tanh_array(const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = x[i];
  gk_tanh_array(y, (unsigned long)n);
}
void gk_test_sigmoid_array(const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = x[i];
  gk_sigmoid_array(y, (unsigned long)n);
}
