/*
 * gk_math.h for the wasm32 build: exp, tanh and the logistic sigmoid in float,
 * without libm (the native build uses gk_math_native.h, on libm).
 *
 * gk_exp: x = n·ln2 + r, |r| <= ln2/2 (Cody-Waite: ln2 split into a 9-bit head,
 *   so n·head is exact, and a tail), e^r by its Taylor polynomial of degree 7
 *   (truncation < 5e-9 relative on that interval), times 2^n applied as two
 *   powers of two so that subnormal results are rounded once. x is clamped to
 *   [-104, 89]: beyond it e^x rounds to 0 or overflows to inf, which the
 *   final products produce by themselves. NaN propagates.
 * gk_tanh: |x| < 0.55: x·P(x²), the Taylor series of tanh to x^17 (truncation
 *   < 5e-9 relative there; no cancellation near 0); else
 *   sign(x)·(1 − 2/(e^{2|x|} + 1)), which saturates to ±1 (e^{2|x|} = inf).
 * gk_sigmoid: 1/(1 + e^{−x}) for x >= 0, e^x/(1 + e^x) for x < 0, so neither
 *   side overflows or cancels.
 * Measured errors are in test/wasmKernel.test.ts and the branch's report.
 */
#ifndef GK_MATH_H
#define GK_MATH_H

typedef union {
  float f;
  unsigned int u;
} gk_f32_bits;

static inline __attribute__((always_inline)) float gk_pow2i(int n) { /* 2^n for -126 <= n <= 127 */
  gk_f32_bits b;
  b.u = (unsigned int)(n + 127) << 23;
  return b.f;
}

static inline __attribute__((always_inline)) float gk_exp(float x) {
  if (x > 89.0f) x = 89.0f;   /* NaN fails both tests and stays NaN */
  if (x < -104.0f) x = -104.0f;
  const float shifter = 12582912.0f; /* 1.5·2^23: adding it rounds to an integer */
  gk_f32_bits t;
  t.f = x * 1.44269504088896341f + shifter;
  float nf = t.f - shifter;
  int n = (int)(t.u - 0x4B400000u);
  float r = x - nf * 0.693359375f;      /* exact: the head has 9 bits, |n| <= 150 */
  r = r - nf * -2.12194440054690583e-4f; /* ln2 − head */
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = r + (r * r) * p;
  p = 1.0f + p;
  int n1 = n >> 1;      /* n in [-150, 128] for finite x: both halves in [-75, 64] */
  int n2 = n - n1;
  if (n1 < -126 || n1 > 127 || n2 < -126 || n2 > 127) return x + x; /* only NaN gets here */
  return (p * gk_pow2i(n1)) * gk_pow2i(n2);
}

static inline __attribute__((always_inline)) float gk_tanh(float x) {
  float ax = __builtin_fabsf(x);
  if (ax < 0x1p-12f) return x; /* x³/3 is below half an ulp of x; keeps the sign of ±0 */
  if (ax < 0.55f) {
    float s = x * x;
    float p = 18888466084.0f / 194896477400625.0f;
    p = p * s - 443861162.0f / 1856156927625.0f;
    p = p * s + 6404582.0f / 10854718875.0f;
    p = p * s - 929569.0f / 638512875.0f;
    p = p * s + 21844.0f / 6081075.0f;
    p = p * s - 1382.0f / 155925.0f;
    p = p * s + 62.0f / 2835.0f;
    p = p * s - 17.0f / 315.0f;
    p = p * s + 2.0f / 15.0f;
    p = p * s - 1.0f / 3.0f;
    return x + x * (s * p);
  }
  float r = 1.0f - 2.0f / (gk_exp(2.0f * ax) + 1.0f);
  return __builtin_copysignf(r, x);
}

static inline __attribute__((always_inline)) float gk_sigmoid(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + gk_exp(-x));
  float e = gk_exp(x); /* NaN lands here and propagates */
  return e / (1.0f + e);
}

/*
 * The same three functions on four lanes (wasm SIMD128), for the kernel's loops over
 * whole arrays: every lane performs exactly the scalar function's float operations
 * in the same order (wasm has no fused multiply-add to contract them), and each
 * branch of the scalar code becomes both sides computed and a lane select, so the
 * results are bit for bit the scalar ones (test/wasmKernel.test.ts checks it).
 * Clang does not vectorize the scalar loops by itself: the branches stop it.
 */
#include <wasm_simd128.h>

#define GK_V4 static inline __attribute__((always_inline)) v128_t

GK_V4 gk_select(v128_t mask, v128_t if_true, v128_t if_false) { return wasm_v128_bitselect(if_true, if_false, mask); }

GK_V4 gk_exp_v(v128_t x) {
  x = gk_select(wasm_f32x4_gt(x, wasm_f32x4_splat(89.0f)), wasm_f32x4_splat(89.0f), x);
  x = gk_select(wasm_f32x4_lt(x, wasm_f32x4_splat(-104.0f)), wasm_f32x4_splat(-104.0f), x);
  const v128_t shifter = wasm_f32x4_splat(12582912.0f);
  v128_t t = wasm_f32x4_add(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)), shifter);
  v128_t nf = wasm_f32x4_sub(t, shifter);
  v128_t n = wasm_i32x4_sub(t, wasm_i32x4_splat(0x4B400000));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(nf, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(nf, wasm_f32x4_splat(-2.12194440054690583e-4f)));
  v128_t p = wasm_f32x4_splat(1.0f / 5040.0f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 720.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 120.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 24.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 6.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(0.5f));
  p = wasm_f32x4_add(r, wasm_f32x4_mul(wasm_f32x4_mul(r, r), p));
  p = wasm_f32x4_add(wasm_f32x4_splat(1.0f), p);
  v128_t n1 = wasm_i32x4_shr(n, 1);
  v128_t n2 = wasm_i32x4_sub(n, n1);
  const v128_t lo = wasm_i32x4_splat(-126), hi = wasm_i32x4_splat(127), bias = wasm_i32x4_splat(127);
  v128_t out = wasm_v128_or(wasm_v128_or(wasm_i32x4_lt(n1, lo), wasm_i32x4_gt(n1, hi)),
                            wasm_v128_or(wasm_i32x4_lt(n2, lo), wasm_i32x4_gt(n2, hi)));
  v128_t s1 = wasm_i32x4_shl(wasm_i32x4_add(n1, bias), 23);
  v128_t s2 = wasm_i32x4_shl(wasm_i32x4_add(n2, bias), 23);
  v128_t y = wasm_f32x4_mul(wasm_f32x4_mul(p, s1), s2);
  return gk_select(out, wasm_f32x4_add(x, x), y);
}

GK_V4 gk_tanh_v(v128_t x) {
  v128_t ax = wasm_f32x4_abs(x);
  v128_t s = wasm_f32x4_mul(x, x);
  v128_t p = wasm_f32x4_splat(18888466084.0f / 194896477400625.0f);
  p = wasm_f32x4_sub(wasm_f32x4_mul(p, s), wasm_f32x4_splat(443861162.0f / 1856156927625.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, s), wasm_f32x4_splat(6404582.0f / 10854718875.0f));
  p = wasm_f32x4_sub(wasm_f32x4_mul(p, s), wasm_f32x4_splat(929569.0f / 638512875.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, s), wasm_f32x4_splat(21844.0f / 6081075.0f));
  p = wasm_f32x4_sub(wasm_f32x4_mul(p, s), wasm_f32x4_splat(1382.0f / 155925.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, s), wasm_f32x4_splat(62.0f / 2835.0f));
  p = wasm_f32x4_sub(wasm_f32x4_mul(p, s), wasm_f32x4_splat(17.0f / 315.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, s), wasm_f32x4_splat(2.0f / 15.0f));
  p = wasm_f32x4_sub(wasm_f32x4_mul(p, s), wasm_f32x4_splat(1.0f / 3.0f));
  v128_t poly = wasm_f32x4_add(x, wasm_f32x4_mul(x, wasm_f32x4_mul(s, p)));
  v128_t e = gk_exp_v(wasm_f32x4_mul(wasm_f32x4_splat(2.0f), ax));
  v128_t big = wasm_f32x4_sub(wasm_f32x4_splat(1.0f),
                              wasm_f32x4_div(wasm_f32x4_splat(2.0f), wasm_f32x4_add(e, wasm_f32x4_splat(1.0f))));
  const v128_t sign = wasm_i32x4_splat((int)0x80000000u);
  big = wasm_v128_or(wasm_v128_andnot(big, sign), wasm_v128_and(x, sign)); /* copysign(big, x) */
  v128_t y = gk_select(wasm_f32x4_lt(ax, wasm_f32x4_splat(0.55f)), poly, big);
  return gk_select(wasm_f32x4_lt(ax, wasm_f32x4_splat(0x1p-12f)), x, y);
}

GK_V4 gk_sigmoid_v(v128_t x) {
  v128_t ge = wasm_f32x4_ge(x, wasm_f32x4_splat(0.0f)); /* NaN: false, as in the scalar code */
  v128_t e = gk_exp_v(gk_select(ge, wasm_f32x4_neg(x), x));
  v128_t one_e = wasm_f32x4_add(wasm_f32x4_splat(1.0f), e);
  return gk_select(ge, wasm_f32x4_div(wasm_f32x4_splat(1.0f), one_e), wasm_f32x4_div(e, one_e));
}

/* v[i] = f(v[i]) for i < n: four lanes at a time, the scalar function for the rest. */
#define GK_ARRAY_FN(name, vec, scalar)                                   \
  static inline void name(float *v, unsigned long n) {                   \
    unsigned long i = 0;                                                 \
    for (; i + 4 <= n; i += 4) wasm_v128_store(v + i, vec(wasm_v128_load(v + i))); \
    for (; i < n; i++) v[i] = scalar(v[i]);                              \
  }
GK_ARRAY_FN(gk_tanh_array, gk_tanh_v, gk_tanh)
GK_ARRAY_FN(gk_sigmoid_array, gk_sigmoid_v, gk_sigmoid)

#endif
