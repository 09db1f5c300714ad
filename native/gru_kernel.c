/*
 * Whole-sequence GRU: forward pass and hand-written backpropagation through
 * time. Semantics and layouts: gru_kernel.h. Matrix products go through
 * gk_sgemm (OpenBLAS natively, our SIMD kernel in wasm); everything else is
 * element-wise and stays in this file.
 *
 * The forward pass keeps, for the backward pass, five (reset-after) or four
 * arrays of [T, B, U] (processing step major): h_prev, r, z, hh (activated)
 * and, when resetting after, hr = h·Rh + bhh. h_prev of all steps being one
 * [T·B, U] matrix lets dR be one product over all steps.
 * Activation derivatives are taken from the activated values, which is exact
 * for every activation we accept (tanh, sigmoid, hard sigmoid, linear, relu).
 */
#include "gru_kernel.h"

#include "gk_math.h"

/* Blocks of B·U floats the workspace holds per step. */
static int ws_blocks(const gk_dims *d) { return d->reset_after ? 5 : 4; }

static int dims_ok(const gk_dims *d) {
  return d->batch > 0 && d->time > 0 && d->input_size > 0 && d->units > 0 &&
         d->activation >= GK_TANH && d->activation <= GK_RELU &&
         d->recurrent_activation >= GK_TANH && d->recurrent_activation <= GK_RELU;
}

size_t gk_workspace_floats(const gk_dims *d) {
  return (size_t)ws_blocks(d) * d->time * d->batch * d->units;
}

size_t gk_forward_scratch_floats(const gk_dims *d) {
  size_t b = d->batch, t = d->time, u = d->units;
  /* xp [B·T, 3U], hR [B, 3U], rh, h, o, z [B, U] */
  return b * t * 3 * u + b * 3 * u + 4 * b * u;
}

size_t gk_backward_scratch_floats(const gk_dims *d) {
  size_t b = d->batch, t = d->time, u = d->units;
  /* dXP [B·T, 3U], dRec [T·B, 3U], RH [T·B, U], dh, dhNext, dout, drh [B, U] */
  return 2 * b * t * 3 * u + t * b * u + 4 * b * u;
}

static float activate(int kind, float v) {
  switch (kind) {
    case GK_TANH: return gk_tanh(v);
    case GK_SIGMOID: return gk_sigmoid(v);
    case GK_HARD_SIGMOID: {
      float y = 0.2f * v + 0.5f;
      return y < 0.f ? 0.f : (y > 1.f ? 1.f : y);
    }
    case GK_LINEAR: return v;
    default: return v > 0.f ? v : 0.f; /* GK_RELU */
  }
}

/* d activation / d input, from the activated value y. */
static float derivative(int kind, float y) {
  switch (kind) {
    case GK_TANH: return 1.f - y * y;
    case GK_SIGMOID: return y * (1.f - y);
    case GK_HARD_SIGMOID: return (y > 0.f && y < 1.f) ? 0.2f : 0.f;
    case GK_LINEAR: return 1.f;
    default: return y > 0.f ? 1.f : 0.f; /* GK_RELU */
  }
}

static void fill_rows(float *dst, size_t rows, const float *row, size_t n) {
  for (size_t i = 0; i < rows; i++) {
    float *d = dst + i * n;
    if (row) {
      for (size_t k = 0; k < n; k++) d[k] = row[k];
    } else {
      for (size_t k = 0; k < n; k++) d[k] = 0.f;
    }
  }
}

/* The time index of processing step i. */
static int time_of(const gk_dims *d, int i) { return d->go_backwards ? d->time - 1 - i : i; }

int gk_forward(const gk_dims *d, const float *x, const float *W, const float *R,
               const float *bx, const float *bh, const float *h0, const float *mask,
               float *y, float *hT, float *ws, float *scratch) {
  if (!dims_ok(d)) return -1;
  if (bh && !d->reset_after) return -2;
  const int B = d->batch, T = d->time, D = d->input_size, U = d->units, G = 3 * U;
  const size_t BU = (size_t)B * U;
  float *xp = scratch;
  float *hR = xp + (size_t)B * T * G;
  float *rh = hR + (size_t)B * G;
  float *h = rh + BU;
  float *o = h + BU;
  float *z = o + BU;

  /* The input projection of every step in one product: xp = x·W + bx. */
  fill_rows(xp, (size_t)B * T, bx, G);
  gk_sgemm(0, 0, B * T, G, D, 1.f, x, D, W, G, bx ? 1.f : 0.f, xp, G);

  for (size_t k = 0; k < BU; k++) { h[k] = h0[k]; o[k] = 0.f; }

  const size_t TBU = (size_t)T * BU;
  for (int i = 0; i < T; i++) {
    const int t = time_of(d, i);
    const size_t at = (size_t)i * BU;
    float *wh = ws ? ws + at : 0;
    float *wr = ws ? ws + TBU + at : 0, *wz = ws ? ws + 2 * TBU + at : 0;
    float *whh = ws ? ws + 3 * TBU + at : 0;
    float *whr = (ws && d->reset_after) ? ws + 4 * TBU + at : 0;
    if (wh) for (size_t k = 0; k < BU; k++) wh[k] = h[k];

    if (d->reset_after) {
      fill_rows(hR, B, bh, G);
      gk_sgemm(0, 0, B, G, U, 1.f, h, U, R, G, bh ? 1.f : 0.f, hR, G);
    } else {
      gk_sgemm(0, 0, B, 2 * U, U, 1.f, h, U, R, G, 0.f, hR, G);
    }
    /* Gates r (into rh) and z. */
    for (int b = 0; b < B; b++) {
      const float *xr = xp + ((size_t)b * T + t) * G;
      const float *hr = hR + (size_t)b * G;
      for (int j = 0; j < U; j++) {
        const size_t k = (size_t)b * U + j;
        rh[k] = activate(d->recurrent_activation, xr[j] + hr[j]);
        z[k] = activate(d->recurrent_activation, xr[U + j] + hr[U + j]);
      }
    }
    if (wr) for (size_t k = 0; k < BU; k++) { wr[k] = rh[k]; wz[k] = z[k]; }
    if (!d->reset_after) {
      /* Reset before: the candidate's product takes r ⊙ h. */
      for (size_t k = 0; k < BU; k++) rh[k] *= h[k];
      gk_sgemm(0, 0, B, U, U, 1.f, rh, U, R + 2 * U, G, 0.f, hR + 2 * U, G);
    }
    /* Candidate and new state; a masked row keeps its state and output. */
    for (int b = 0; b < B; b++) {
      const float *xr = xp + ((size_t)b * T + t) * G;
      const float *hr = hR + (size_t)b * G;
      const float m = mask ? mask[(size_t)b * T + t] : 1.f;
      float *yrow = y + ((size_t)b * T + i) * U;
      for (int j = 0; j < U; j++) {
        const size_t k = (size_t)b * U + j;
        const float pre = d->reset_after ? xr[2 * U + j] + rh[k] * hr[2 * U + j]
                                         : xr[2 * U + j] + hr[2 * U + j];
        const float hh = activate(d->activation, pre);
        if (whh) whh[k] = hh;
        if (whr) whr[k] = hr[2 * U + j];
        const float hn = hh + z[k] * (h[k] - hh);
        if (m != 0.f) { h[k] = hn; o[k] = hn; }
        yrow[j] = o[k];
      }
    }
  }
  for (size_t k = 0; k < BU; k++) hT[k] = h[k];
  return 0;
}

int gk_backward(const gk_dims *d, const float *x, const float *W, const float *R,
                const float *bx, const float *bh, const float *h0, const float *mask,
                const float *ws, const float *dy, const float *dhT,
                float *dx, float *dW, float *dR, float *dbx, float *dbh, float *dh0,
                float *scratch) {
  (void)bx; (void)bh; (void)h0;
  if (!dims_ok(d)) return -1;
  if (bh && !d->reset_after) return -2;
  const int B = d->batch, T = d->time, D = d->input_size, U = d->units, G = 3 * U;
  const size_t BU = (size_t)B * U;
  float *dXP = scratch;                       /* rows b·T + t, as xp */
  float *dRec = dXP + (size_t)B * T * G;      /* rows i·B + b: d(h·R [+ bh]) per step */
  float *RH = dRec + (size_t)T * B * G;       /* rows i·B + b: r ⊙ h_prev (reset-before) */
  float *dh = RH + (size_t)T * BU;
  float *dhNext = dh + BU;
  float *dout = dhNext + BU;
  float *drh = dout + BU;

  const size_t TBU = (size_t)T * BU;
  for (size_t k = 0; k < BU; k++) { dh[k] = dhT ? dhT[k] : 0.f; dout[k] = 0.f; }

  for (int i = T - 1; i >= 0; i--) {
    const int t = time_of(d, i);
    const size_t at = (size_t)i * BU;
    const float *wh = ws + at, *wr = ws + TBU + at, *wz = ws + 2 * TBU + at;
    const float *whh = ws + 3 * TBU + at;
    const float *whr = d->reset_after ? ws + 4 * TBU + at : 0;
    float *rec = dRec + (size_t)i * B * G;

    /* Phase 1: gradient into h' of the valid rows; z and candidate blocks. */
    for (int b = 0; b < B; b++) {
      const float m = mask ? mask[(size_t)b * T + t] : 1.f;
      const float *dyrow = dy + ((size_t)b * T + i) * U;
      float *rrow = rec + (size_t)b * G;
      for (int j = 0; j < U; j++) {
        const size_t k = (size_t)b * U + j;
        dout[k] += dyrow[j];
        if (m == 0.f) {
          /* Output and state carried: their gradients pass to the step before. */
          rrow[j] = rrow[U + j] = rrow[2 * U + j] = 0.f;
          dhNext[k] = dh[k];
          continue;
        }
        const float g = dh[k] + dout[k];
        dout[k] = 0.f;
        const float z = wz[k], hh = whh[k], hp = wh[k];
        const float dhhPre = g * (1.f - z) * derivative(d->activation, hh);
        const float dzPre = g * (hp - hh) * derivative(d->recurrent_activation, z);
        dhNext[k] = g * z;
        rrow[U + j] = dzPre;
        if (d->reset_after) {
          const float r = wr[k];
          const float drPre = dhhPre * whr[k] * derivative(d->recurrent_activation, r);
          rrow[j] = drPre;
          rrow[2 * U + j] = dhhPre * r;
          float *xrow = dXP + ((size_t)b * T + t) * G;
          xrow[j] = drPre; xrow[U + j] = dzPre; xrow[2 * U + j] = dhhPre;
        } else {
          rrow[2 * U + j] = dhhPre;
        }
      }
    }

    if (d->reset_after) {
      /* dh_prev = g ⊙ z + d(h·R) · Rᵀ */
      gk_sgemm(0, 1, B, U, G, 1.f, rec, G, R, G, 1.f, dhNext, U);
    } else {
      /* d(r ⊙ h) = dhh_pre · Rhᵀ, then the reset gate and the gates' product. */
      gk_sgemm(0, 1, B, U, U, 1.f, rec + 2 * U, G, R + 2 * U, G, 0.f, drh, U);
      float *rhRows = RH + (size_t)i * BU;
      for (int b = 0; b < B; b++) {
        const float m = mask ? mask[(size_t)b * T + t] : 1.f;
        float *rrow = rec + (size_t)b * G;
        for (int j = 0; j < U; j++) {
          const size_t k = (size_t)b * U + j;
          const float r = wr[k], hp = wh[k];
          rhRows[k] = r * hp;
          if (m == 0.f) continue;
          rrow[j] = drh[k] * hp * derivative(d->recurrent_activation, r);
          dhNext[k] += drh[k] * r;
          float *xrow = dXP + ((size_t)b * T + t) * G;
          xrow[j] = rrow[j]; xrow[U + j] = rrow[U + j]; xrow[2 * U + j] = rrow[2 * U + j];
        }
      }
      gk_sgemm(0, 1, B, U, 2 * U, 1.f, rec, G, R, G, 1.f, dhNext, U);
    }
    /* Masked rows of dXP: zero (their dRec rows are zero already). */
    if (mask) {
      for (int b = 0; b < B; b++) {
        if (mask[(size_t)b * T + t] != 0.f) continue;
        float *xrow = dXP + ((size_t)b * T + t) * G;
        for (int c = 0; c < G; c++) xrow[c] = 0.f;
      }
    }
    float *swap = dh; dh = dhNext; dhNext = swap;
  }
  for (size_t k = 0; k < BU; k++) dh0[k] = dh[k];

  /* Weight gradients over all steps at once: ws starts with h_prev as [T·B, U]. */
  if (d->reset_after) {
    gk_sgemm(1, 0, U, G, T * B, 1.f, ws, U, dRec, G, 0.f, dR, G);
  } else {
    gk_sgemm(1, 0, U, 2 * U, T * B, 1.f, ws, U, dRec, G, 0.f, dR, G);
    gk_sgemm(1, 0, U, U, T * B, 1.f, RH, U, dRec + 2 * U, G, 0.f, dR + 2 * U, G);
  }
  gk_sgemm(1, 0, D, G, B * T, 1.f, x, D, dXP, G, 0.f, dW, G);
  gk_sgemm(0, 1, B * T, D, G, 1.f, dXP, G, W, G, 0.f, dx, D);

  if (dbx) {
    for (int c = 0; c < G; c++) dbx[c] = 0.f;
    for (size_t row = 0; row < (size_t)B * T; row++) {
      const float *xrow = dXP + row * G;
      for (int c = 0; c < G; c++) dbx[c] += xrow[c];
    }
  }
  if (dbh) {
    for (int c = 0; c < G; c++) dbh[c] = 0.f;
    if (d->reset_after) {
      for (size_t row = 0; row < (size_t)T * B; row++) {
        const float *rrow = dRec + row * G;
        for (int c = 0; c < G; c++) dbh[c] += rrow[c];
      }
    }
  }
  return 0;
}
