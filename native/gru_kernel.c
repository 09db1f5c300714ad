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

#include <string.h>

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
  /* xp [B·T, 3U], hR [B, 3U], and [B, U] each: h, o, r, z, c, rh */
  return b * t * 3 * u + b * 3 * u + 6 * b * u;
}

size_t gk_backward_scratch_floats(const gk_dims *d) {
  size_t b = d->batch, t = d->time, u = d->units;
  /* dXP [B·T, 3U], dRec [T·B, 3U], RH [T·B, U], and [B, U] each: dh, dhNext, dout, dc, dz, dr, drh */
  return 2 * b * t * 3 * u + t * b * u + 7 * b * u;
}

/* v = act(v) over n numbers; one loop per kind, so each vectorizes. */
static void activate(int kind, float *v, size_t n) {
  switch (kind) {
    case GK_TANH:
      for (size_t i = 0; i < n; i++) v[i] = gk_tanh(v[i]);
      break;
    case GK_SIGMOID:
      for (size_t i = 0; i < n; i++) v[i] = gk_sigmoid(v[i]);
      break;
    case GK_HARD_SIGMOID:
      for (size_t i = 0; i < n; i++) {
        const float y = 0.2f * v[i] + 0.5f;
        v[i] = y < 0.f ? 0.f : (y > 1.f ? 1.f : y);
      }
      break;
    case GK_LINEAR:
      break;
    default: /* GK_RELU */
      for (size_t i = 0; i < n; i++) v[i] = v[i] > 0.f ? v[i] : 0.f;
  }
}

/* g *= act'(input) written from the activated value y, over n numbers. */
static void times_derivative(int kind, const float *y, float *g, size_t n) {
  switch (kind) {
    case GK_TANH:
      for (size_t i = 0; i < n; i++) g[i] *= 1.f - y[i] * y[i];
      break;
    case GK_SIGMOID:
      for (size_t i = 0; i < n; i++) g[i] *= y[i] * (1.f - y[i]);
      break;
    case GK_HARD_SIGMOID:
      for (size_t i = 0; i < n; i++) g[i] = (y[i] > 0.f && y[i] < 1.f) ? 0.2f * g[i] : 0.f;
      break;
    case GK_LINEAR:
      break;
    default: /* GK_RELU */
      for (size_t i = 0; i < n; i++) g[i] = y[i] > 0.f ? g[i] : 0.f;
  }
}

static void fill_rows(float *dst, size_t rows, const float *row, size_t n) {
  for (size_t i = 0; i < rows; i++) {
    float *d = dst + i * n;
    for (size_t k = 0; k < n; k++) d[k] = row ? row[k] : 0.f;
  }
}

/* out[c] = Σ_rows m[row, c], accumulated in double (bias gradients sum B·T terms). */
static void column_sums(const float *m, size_t rows, int cols, float *out) {
  enum { BLOCK = 64 };
  for (int c0 = 0; c0 < cols; c0 += BLOCK) {
    const int w = cols - c0 < BLOCK ? cols - c0 : BLOCK;
    double acc[BLOCK] = {0};
    for (size_t r = 0; r < rows; r++) {
      const float *row = m + r * cols + c0;
      for (int c = 0; c < w; c++) acc[c] += row[c];
    }
    for (int c = 0; c < w; c++) out[c0 + c] = (float)acc[c];
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
  const size_t BU = (size_t)B * U, TBU = (size_t)T * BU;
  float *xp = scratch;
  float *hR = xp + (size_t)B * T * G;
  float *h = hR + (size_t)B * G;
  float *o = h + BU;
  float *rs = o + BU, *zs = rs + BU, *cs = zs + BU, *rh = cs + BU;

  /* The input projection of every step in one product: xp = x·W + bx. */
  fill_rows(xp, (size_t)B * T, bx, G);
  gk_sgemm(0, 0, B * T, G, D, 1.f, x, D, W, G, bx ? 1.f : 0.f, xp, G);

  for (size_t k = 0; k < BU; k++) { h[k] = h0[k]; o[k] = 0.f; }

  for (int i = 0; i < T; i++) {
    const int t = time_of(d, i);
    const size_t at = (size_t)i * BU;
    /* With a workspace, the step's r, z and hh are written where backward reads them. */
    float *r = ws ? ws + TBU + at : rs;
    float *z = ws ? ws + 2 * TBU + at : zs;
    float *c = ws ? ws + 3 * TBU + at : cs;
    if (ws) memcpy(ws + at, h, BU * sizeof(float));

    if (d->reset_after) {
      fill_rows(hR, B, bh, G);
      gk_sgemm(0, 0, B, G, U, 1.f, h, U, R, G, bh ? 1.f : 0.f, hR, G);
    } else {
      gk_sgemm(0, 0, B, 2 * U, U, 1.f, h, U, R, G, 0.f, hR, G);
    }
    for (int b = 0; b < B; b++) {
      const float *xr = xp + ((size_t)b * T + t) * G, *hr = hR + (size_t)b * G;
      float *rb = r + (size_t)b * U, *zb = z + (size_t)b * U;
      for (int j = 0; j < U; j++) { rb[j] = xr[j] + hr[j]; zb[j] = xr[U + j] + hr[U + j]; }
    }
    activate(d->recurrent_activation, r, BU);
    activate(d->recurrent_activation, z, BU);

    if (d->reset_after) {
      float *whr = ws ? ws + 4 * TBU + at : 0;
      for (int b = 0; b < B; b++) {
        const float *xr = xp + ((size_t)b * T + t) * G + 2 * U, *hr = hR + (size_t)b * G + 2 * U;
        const float *rb = r + (size_t)b * U;
        float *cb = c + (size_t)b * U;
        for (int j = 0; j < U; j++) cb[j] = xr[j] + rb[j] * hr[j];
        if (whr) memcpy(whr + (size_t)b * U, hr, U * sizeof(float));
      }
    } else {
      /* Reset before: the candidate's product takes r ⊙ h. */
      for (size_t k = 0; k < BU; k++) rh[k] = r[k] * h[k];
      gk_sgemm(0, 0, B, U, U, 1.f, rh, U, R + 2 * U, G, 0.f, hR + 2 * U, G);
      for (int b = 0; b < B; b++) {
        const float *xr = xp + ((size_t)b * T + t) * G + 2 * U, *hr = hR + (size_t)b * G + 2 * U;
        float *cb = c + (size_t)b * U;
        for (int j = 0; j < U; j++) cb[j] = xr[j] + hr[j];
      }
    }
    activate(d->activation, c, BU);

    /* New state; a masked row keeps its state and output. */
    for (int b = 0; b < B; b++) {
      const float m = mask ? mask[(size_t)b * T + t] : 1.f;
      float *yrow = y + ((size_t)b * T + i) * U;
      float *hb = h + (size_t)b * U, *ob = o + (size_t)b * U;
      const float *zb = z + (size_t)b * U, *cb = c + (size_t)b * U;
      if (m != 0.f) {
        for (int j = 0; j < U; j++) {
          const float hn = cb[j] + zb[j] * (hb[j] - cb[j]);
          hb[j] = hn;
          ob[j] = hn;
        }
      }
      memcpy(yrow, ob, U * sizeof(float));
    }
  }
  memcpy(hT, h, BU * sizeof(float));
  return 0;
}

int gk_backward(const gk_dims *d, const float *x, const float *W, const float *R,
                const float *bx, const float *bh, const float *h0, const float *mask,
                const float *ws, const float *dy, const float *dhT,
                float *dx, float *dW, float *dR, float *dbx, float *dbh, float *dh0,
                float *scratch) {
  (void)bx; (void)h0;
  if (!dims_ok(d)) return -1;
  if (bh && !d->reset_after) return -2;
  const int B = d->batch, T = d->time, D = d->input_size, U = d->units, G = 3 * U;
  const size_t BU = (size_t)B * U, TBU = (size_t)T * BU;
  float *dXP = scratch;                       /* rows b·T + t, as xp */
  float *dRec = dXP + (size_t)B * T * G;      /* rows i·B + b: d(h·R [+ bh]) of step i */
  float *RH = dRec + (size_t)T * B * G;       /* rows i·B + b: r ⊙ h_prev (reset-before) */
  float *dh = RH + TBU;
  float *dhNext = dh + BU, *dout = dhNext + BU, *dc = dout + BU, *dz = dc + BU, *dr = dz + BU;
  float *drh = dr + BU;

  for (size_t k = 0; k < BU; k++) { dh[k] = dhT ? dhT[k] : 0.f; dout[k] = 0.f; }

  for (int i = T - 1; i >= 0; i--) {
    const int t = time_of(d, i);
    const size_t at = (size_t)i * BU;
    const float *hp = ws + at, *r = ws + TBU + at, *z = ws + 2 * TBU + at, *c = ws + 3 * TBU + at;
    float *rec = dRec + (size_t)i * B * G;

    /*
     * g: the gradient into the step's new state h' = c + z ⊙ (h − c), which is
     * both the state and the output. A masked row passes its state's and its
     * output's gradients on unchanged, and gets g = 0.
     */
    for (int b = 0; b < B; b++) {
      const float m = mask ? mask[(size_t)b * T + t] : 1.f;
      const float *dyrow = dy + ((size_t)b * T + i) * U;
      const size_t o = (size_t)b * U;
      for (int j = 0; j < U; j++) {
        const size_t k = o + j;
        const float acc = dout[k] + dyrow[j];
        const float g = m != 0.f ? dh[k] + acc : 0.f;
        dout[k] = m != 0.f ? 0.f : acc;
        dhNext[k] = m != 0.f ? g * z[k] : dh[k];
        dc[k] = g * (1.f - z[k]);
        dz[k] = g * (hp[k] - c[k]);
      }
    }
    times_derivative(d->activation, c, dc, BU);
    times_derivative(d->recurrent_activation, z, dz, BU);

    if (d->reset_after) {
      const float *hr = ws + 4 * TBU + at;
      for (size_t k = 0; k < BU; k++) dr[k] = dc[k] * hr[k];
      times_derivative(d->recurrent_activation, r, dr, BU);
      for (int b = 0; b < B; b++) {
        float *rrow = rec + (size_t)b * G, *xrow = dXP + ((size_t)b * T + t) * G;
        const size_t o = (size_t)b * U;
        for (int j = 0; j < U; j++) {
          rrow[j] = dr[o + j]; rrow[U + j] = dz[o + j]; rrow[2 * U + j] = dc[o + j] * r[o + j];
          xrow[j] = dr[o + j]; xrow[U + j] = dz[o + j]; xrow[2 * U + j] = dc[o + j];
        }
      }
      /* dh_prev = g ⊙ z + d(h·R) · Rᵀ */
      gk_sgemm(0, 1, B, U, G, 1.f, rec, G, R, G, 1.f, dhNext, U);
    } else {
      /* d(r ⊙ h) = dc · Rhᵀ; it reaches r and h. */
      gk_sgemm(0, 1, B, U, U, 1.f, dc, U, R + 2 * U, G, 0.f, drh, U);
      float *rhRows = RH + at;
      for (size_t k = 0; k < BU; k++) {
        rhRows[k] = r[k] * hp[k];
        dr[k] = drh[k] * hp[k];
        dhNext[k] += drh[k] * r[k];
      }
      times_derivative(d->recurrent_activation, r, dr, BU);
      for (int b = 0; b < B; b++) {
        float *rrow = rec + (size_t)b * G, *xrow = dXP + ((size_t)b * T + t) * G;
        const size_t o = (size_t)b * U;
        for (int j = 0; j < U; j++) {
          rrow[j] = xrow[j] = dr[o + j];
          rrow[U + j] = xrow[U + j] = dz[o + j];
          rrow[2 * U + j] = xrow[2 * U + j] = dc[o + j];
        }
      }
      gk_sgemm(0, 1, B, U, 2 * U, 1.f, rec, G, R, G, 1.f, dhNext, U);
    }
    float *swap = dh; dh = dhNext; dhNext = swap;
  }
  memcpy(dh0, dh, BU * sizeof(float));

  /* Weight gradients over all steps at once: ws starts with h_prev as [T·B, U]. */
  if (d->reset_after) {
    gk_sgemm(1, 0, U, G, T * B, 1.f, ws, U, dRec, G, 0.f, dR, G);
  } else {
    gk_sgemm(1, 0, U, 2 * U, T * B, 1.f, ws, U, dRec, G, 0.f, dR, G);
    gk_sgemm(1, 0, U, U, T * B, 1.f, RH, U, dRec + 2 * U, G, 0.f, dR + 2 * U, G);
  }
  gk_sgemm(1, 0, D, G, B * T, 1.f, x, D, dXP, G, 0.f, dW, G);
  gk_sgemm(0, 1, B * T, D, G, 1.f, dXP, G, W, G, 0.f, dx, D);

  if (dbx) column_sums(dXP, (size_t)B * T, G, dbx);
  if (dbh) {
    if (d->reset_after) {
      column_sums(dRec, (size_t)T * B, G, dbh);
    } else {
      for (int c = 0; c < G; c++) dbh[c] = 0.f;
    }
  }
  return 0;
}
