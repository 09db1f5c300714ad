/*
 * Element-wise math for the native build of gru_kernel.c. Branch-free scalar
 * code (selects, no calls), so that gcc -O3 vectorizes the kernel's loops
 * over it (AVX2 with -march=native); libm's expf/tanhf would be called one
 * element at a time. Polynomials are Cephes's expf and tanhf (S. Moshier):
 * relative error about 1e-7 over the range used here.
 */
#ifndef GK_MATH_H
#define GK_MATH_H
#include <stdint.h>
#include <string.h>

static inline float gk_bits_to_float(int32_t i) {
  float f;
  memcpy(&f, &i, sizeof f);
  return f;
}

/* e^x for x in [-87.3, 88.7] (clamped outside, so e^x stays a normal float); NaN stays NaN. */
static inline float gk_exp(float x) {
  x = x > 88.7f ? 88.7f : x;
  x = x < -87.3f ? -87.3f : x;
  /* Round to nearest by adding and subtracting 1.5·2^23 (no call, so loops vectorize). */
  const float n = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  const int32_t e = (int32_t)n + 127;
  return p * gk_bits_to_float(e << 23);
}

/* tanh: Cephes's odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1) with the sign of x. */
static inline float gk_tanh(float x) {
  const float a = x < 0.f ? -x : x;
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  const float big = 1.f - 2.f / (gk_exp(2.f * a) + 1.f);
  const float signedBig = x < 0.f ? -big : big;
  return a < 0.625f ? small : signedBig;
}

/* 1 / (1 + e^−x); e^−x is clamped, so both tails come out as 0 and 1 without overflow. */
static inline float gk_sigmoid(float x) { return 1.f / (1.f + gk_exp(-x)); }
/* v[i] = f(v[i]) for i < n (the wasm build has four-lane versions; gcc vectorizes these loops). */
static inline void gk_tanh_array(float *v, size_t n) {
  for (size_t i = 0; i < n; i++) v[i] = gk_tanh(v[i]);
}
static inline void gk_sigmoid_array(float *v, size_t n) {
  for (size_t i = 0; i < n; i++) v[i] = gk_sigmoid(v[i]);
}

#endif
