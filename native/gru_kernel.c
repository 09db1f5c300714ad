/*
 * Whole-sequence GRU: forward pass and hand-written backpropagation through
 * time. Semantics and layouts: gru_kernel.h. Matrix products go through
 * gk_sgemm (OpenBLAS natively, our SIMD kernel in wasm); everything else is
 * element-wise and stays in this file.
 *
 * The forward pass keeps, for the backward pass, five (reset-after) or four
 * arrays of [T, B, U] (time major, whatever the processing order): h_prev, r,
 * z, hh (activated) and, when resetting after, hr = h·Rh + bhh. h_prev of all
 * steps being one [T·B, U] matrix lets dR be one product over all steps.
 * Activation derivatives are taken from the activated values, which is exact
 * for every activation we accept (tanh, sigmoid, hard sigmoid, linear, relu).
 */
#include "gru_kernel.h"

#include "gk_math.h"
#include "gk_team.h"

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

/*
 * Steps whose input projection is computed at once in the forward pass: about
 * 512 KB of it, so it is still in cache when the steps read it, and at least
 * 64 rows, so the product stays efficient.
 */
static int chunk_steps(const gk_dims *d) {
  const long per_step = (long)d->batch * 3 * d->units;
  long n = 131072 / per_step;
  const long rows = (64 + d->batch - 1) / d->batch;
  if (n < rows) n = rows;
  if (n < 1) n = 1;
  if (n > d->time) n = d->time;
  return (int)n;
}

size_t gk_forward_scratch_floats(const gk_dims *d) {
  size_t b = d->batch, t = d->time, u = d->units;
  /* xt [T·B, D], xp [chunk·B, 3U], hR [B, 3U], and [B, U] each: h, hn, o, r, z, c, rh */
  return t * b * d->input_size + (size_t)chunk_steps(d) * b * 3 * u + b * 3 * u + 7 * b * u;
}

size_t gk_backward_scratch_floats(const gk_dims *d) {
  size_t b = d->batch, t = d->time, u = d->units;
  /* xt [T·B, D] (then dx time-major), dG [T·B, 3U], P [T·B, U], and [B, U] each: dh, dhNext, dout, drh */
  return t * b * d->input_size + b * t * 3 * u + t * b * u + 4 * b * u;
}

/* v = act(v) over n numbers; one loop per kind, so each vectorizes. */
void gk_activate(int kind, float *v, size_t n) {
  switch (kind) {
    case GK_TANH:
      gk_tanh_array(v, n);
      break;
    case GK_SIGMOID:
      gk_sigmoid_array(v, n);
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

/*
 * [B, T, n] ↔ [T, B, n]: the kernel works time-major, so that each step's B
 * rows of the input projection (and of its gradient) are contiguous.
 */
static void to_time_major(const float *src, int B, int T, int n, float *dst) {
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++) memcpy(dst + ((size_t)t * B + b) * n, src + ((size_t)b * T + t) * n, n * sizeof(float));
}

static void to_batch_major(const float *src, int B, int T, int n, float *dst) {
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++) memcpy(dst + ((size_t)b * T + t) * n, src + ((size_t)t * B + b) * n, n * sizeof(float));
}

/*
 * out[c] = Σ_rows m[row·stride + c] for c < cols (bias gradients sum B·T
 * terms): float partial sums over 32 rows (vectorized), added up in double.
 */
static void column_sums(const float *m, size_t rows, int cols, int stride, float *out) {
  enum { BLOCK = 64, ROWS = 32 };
  for (int c0 = 0; c0 < cols; c0 += BLOCK) {
    const int w = cols - c0 < BLOCK ? cols - c0 : BLOCK;
    double acc[BLOCK] = {0};
    for (size_t r0 = 0; r0 < rows; r0 += ROWS) {
      float part[BLOCK] = {0};
      const size_t r1 = rows - r0 < ROWS ? rows : r0 + ROWS;
      for (size_t r = r0; r < r1; r++) {
        const float *row = m + r * stride + c0;
        for (int c = 0; c < w; c++) part[c] += row[c];
      }
      for (int c = 0; c < w; c++) acc[c] += part[c];
    }
    for (int c = 0; c < w; c++) out[c0 + c] = (float)acc[c];
  }
}

/*
 * One row of the gradient into a step's new state h' = c + z ⊙ (h − c)
 * (both the state and the output): g = dh + dout + dy for a valid step, which
 * then flows to dc = g ⊙ (1 − z), dz = g ⊙ (h − c) and dh_prev = g ⊙ z.
 * A masked row passes its state's and output's gradients on unchanged.
 */
static void state_gradient_row(int valid, int U, const float *restrict dh, float *restrict dout,
                               const float *restrict dy, const float *restrict z, const float *restrict hp,
                               const float *restrict c, float *restrict dhNext, float *restrict dc,
                               float *restrict dz) {
  if (valid) {
    for (int j = 0; j < U; j++) {
      const float g = dh[j] + dout[j] + dy[j];
      dout[j] = 0.f;
      dhNext[j] = g * z[j];
      dc[j] = g * (1.f - z[j]);
      dz[j] = g * (hp[j] - c[j]);
    }
  } else {
    for (int j = 0; j < U; j++) {
      dout[j] += dy[j];
      dhNext[j] = dh[j];
      dc[j] = 0.f;
      dz[j] = 0.f;
    }
  }
}

/* The time index of processing step i. */
static int time_of(const gk_dims *d, int i) { return d->go_backwards ? d->time - 1 - i : i; }

/*
 * op(A)·B[:, columns] into C[:, same columns] for the column blocks blk < nblk
 * (each U wide, at blk·U in B and C), restricted to the units [u0, u0 + nu) of
 * each block: one product when the share is every unit. op(A) = A or Aᵀ.
 */
static void block_columns_product(int trans_a, int rows, int k, const float *a, int lda, const float *b, int ldb,
                                  int U, int u0, int nu, int nblk, float beta, float *c, int ldc) {
  if (nu == U) {
    gk_sgemm(trans_a, 0, rows, nblk * U, k, 1.f, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  for (int blk = 0; blk < nblk; blk++) {
    gk_sgemm(trans_a, 0, rows, nu, k, 1.f, a, lda, b + blk * U + u0, ldb, beta, c + blk * U + u0, ldc);
  }
}

int gk_forward(const gk_dims *d, const float *x, const float *W, const float *R,
               const float *bx, const float *bh, const float *h0, const float *mask,
               float *y, float *hT, float *ws, float *scratch) {
  return gk_forward_team(&GK_SOLO, d, x, W, R, bx, bh, h0, mask, y, hT, ws, scratch);
}

/*
 * Each member of the team owns the units [u0, u1) (in multiples of 4) of every
 * array: it computes those columns of r, z and the candidate from the whole
 * previous state, and writes those units of the new state into the other
 * buffer (h, hn); the members meet once per step (twice resetting before,
 * where the candidate's product reads all of r ⊙ h).
 */
int gk_forward_team(const gk_team *team, const gk_dims *d, const float *x, const float *W, const float *R,
                    const float *bx, const float *bh, const float *h0, const float *mask,
                    float *y, float *hT, float *ws, float *scratch) {
  if (!dims_ok(d)) return -1;
  if (bh && !d->reset_after) return -2;
  const int B = d->batch, T = d->time, D = d->input_size, U = d->units, G = 3 * U;
  const size_t BU = (size_t)B * U, TBU = (size_t)T * BU;
  int u0, u1;
  gk_team_share(team, U, 4, &u0, &u1);
  const int nu = u1 - u0;
  float *xt = scratch;
  const int chunk = chunk_steps(d);
  float *xp = xt + (size_t)T * B * D;         /* rows (t − first)·B + b of the current chunk */
  float *hR = xp + (size_t)chunk * B * G;
  float *h = hR + (size_t)B * G;
  float *hn = h + BU;                         /* the next state, while h is still read */
  float *o = hn + BU;
  float *rs = o + BU, *zs = rs + BU, *cs = zs + BU, *rh = cs + BU;

  /* Input projections xp = x·W of `chunk` steps per product (bx is added per step). */
  if (team->index == 0) to_time_major(x, B, T, D, xt);
  int first = 0;
  for (int b = 0; b < B; b++) {
    for (int j = u0; j < u1; j++) { h[(size_t)b * U + j] = h0[(size_t)b * U + j]; o[(size_t)b * U + j] = 0.f; }
  }
  gk_team_sync(team);

  for (int i = 0; i < T; i++) {
    const int t = time_of(d, i);
    const size_t at = (size_t)t * BU;  /* the workspace is indexed by time, as xp */
    /* With a workspace, the step's r, z and hh are written where backward reads them. */
    float *r = ws ? ws + TBU + at : rs;
    float *z = ws ? ws + 2 * TBU + at : zs;
    float *c = ws ? ws + 3 * TBU + at : cs;
    if (ws) for (int b = 0; b < B; b++) memcpy(ws + at + (size_t)b * U + u0, h + (size_t)b * U + u0, nu * sizeof(float));

    if (d->reset_after) {
      if (bh) {
        for (int b = 0; b < B; b++)
          for (int blk = 0; blk < 3; blk++)
            memcpy(hR + (size_t)b * G + blk * U + u0, bh + blk * U + u0, nu * sizeof(float));
      }
      block_columns_product(0, B, U, h, U, R, G, U, u0, nu, 3, bh ? 1.f : 0.f, hR, G);
    } else {
      block_columns_product(0, B, U, h, U, R, G, U, u0, nu, 2, 0.f, hR, G);
    }
    if (i % chunk == 0) {
      const int n = T - i < chunk ? T - i : chunk;
      first = d->go_backwards ? T - i - n : i;  /* the chunk's time steps are first..first+n−1 */
      block_columns_product(0, n * B, D, xt + (size_t)first * B * D, D, W, G, U, u0, nu, 3, 0.f, xp, G);
    }
    float *xs = xp + (size_t)(t - first) * B * G;  /* this step's B rows */
    if (bx) {
      for (int b = 0; b < B; b++)
        for (int blk = 0; blk < 3; blk++)
          for (int j = u0; j < u1; j++) xs[(size_t)b * G + blk * U + j] += bx[blk * U + j];
    }
    for (int b = 0; b < B; b++) {
      const float *xr = xs + (size_t)b * G, *hr = hR + (size_t)b * G;
      float *rb = r + (size_t)b * U, *zb = z + (size_t)b * U;
      for (int j = u0; j < u1; j++) { rb[j] = xr[j] + hr[j]; zb[j] = xr[U + j] + hr[U + j]; }
      gk_activate(d->recurrent_activation, rb + u0, nu);
      gk_activate(d->recurrent_activation, zb + u0, nu);
    }

    if (d->reset_after) {
      float *whr = ws ? ws + 4 * TBU + at : 0;
      for (int b = 0; b < B; b++) {
        const float *xr = xs + (size_t)b * G + 2 * U, *hr = hR + (size_t)b * G + 2 * U;
        const float *rb = r + (size_t)b * U;
        float *cb = c + (size_t)b * U;
        for (int j = u0; j < u1; j++) cb[j] = xr[j] + rb[j] * hr[j];
        if (whr) memcpy(whr + (size_t)b * U + u0, hr + u0, nu * sizeof(float));
      }
    } else {
      /* Reset before: the candidate's product takes r ⊙ h, all of it. */
      for (int b = 0; b < B; b++)
        for (int j = u0; j < u1; j++) rh[(size_t)b * U + j] = r[(size_t)b * U + j] * h[(size_t)b * U + j];
      gk_team_sync(team);
      if (nu > 0) gk_sgemm(0, 0, B, nu, U, 1.f, rh, U, R + 2 * U + u0, G, 0.f, hR + 2 * U + u0, G);
      for (int b = 0; b < B; b++) {
        const float *xr = xs + (size_t)b * G + 2 * U, *hr = hR + (size_t)b * G + 2 * U;
        float *cb = c + (size_t)b * U;
        for (int j = u0; j < u1; j++) cb[j] = xr[j] + hr[j];
      }
    }
    for (int b = 0; b < B; b++) gk_activate(d->activation, c + (size_t)b * U + u0, nu);

    /* New state; a masked row keeps its state and output. */
    for (int b = 0; b < B; b++) {
      const float m = mask ? mask[(size_t)b * T + t] : 1.f;
      float *yrow = y + ((size_t)b * T + i) * U;
      const float *hb = h + (size_t)b * U;
      float *hnb = hn + (size_t)b * U, *ob = o + (size_t)b * U;
      const float *zb = z + (size_t)b * U, *cb = c + (size_t)b * U;
      if (m != 0.f) {
        for (int j = u0; j < u1; j++) {
          const float v = cb[j] + zb[j] * (hb[j] - cb[j]);
          hnb[j] = v;
          ob[j] = v;
        }
      } else {
        for (int j = u0; j < u1; j++) hnb[j] = hb[j];
      }
      memcpy(yrow + u0, ob + u0, nu * sizeof(float));
    }
    float *swap = h; h = hn; hn = swap;
    gk_team_sync(team);  /* every unit of the new state is written before the next step reads it */
  }
  for (int b = 0; b < B; b++) memcpy(hT + (size_t)b * U + u0, h + (size_t)b * U + u0, nu * sizeof(float));
  return 0;
}

int gk_backward(const gk_dims *d, const float *x, const float *W, const float *R,
                const float *bx, const float *bh, const float *h0, const float *mask,
                const float *ws, const float *dy, const float *dhT,
                float *dx, float *dW, float *dR, float *dbx, float *dbh, float *dh0,
                float *scratch) {
  return gk_backward_team(&GK_SOLO, d, x, W, R, bx, bh, h0, mask, ws, dy, dhT, dx, dW, dR, dbx, dbh, dh0, scratch);
}

/*
 * As gk_forward_team: member k owns the units [u0, u1) of every per-step array
 * (its columns of dG, its units of dh), the members meet before each product
 * that reads every unit (once per step resetting after, twice before), and the
 * whole-sequence products after the loop are shared by output columns (dx by rows).
 */
int gk_backward_team(const gk_team *team, const gk_dims *d, const float *x, const float *W, const float *R,
                     const float *bx, const float *bh, const float *h0, const float *mask,
                     const float *ws, const float *dy, const float *dhT,
                     float *dx, float *dW, float *dR, float *dbx, float *dbh, float *dh0,
                     float *scratch) {
  (void)bx; (void)h0;
  if (!dims_ok(d)) return -1;
  if (bh && !d->reset_after) return -2;
  const int B = d->batch, T = d->time, D = d->input_size, U = d->units, G = 3 * U;
  const size_t BU = (size_t)B * U, TBU = (size_t)T * BU;
  int u0, u1;
  gk_team_share(team, U, 4, &u0, &u1);
  const int nu = u1 - u0;
  /*
   * dG [T·B, 3U], rows t·B + b: the gradients of the gates' and candidate's
   * pre-activations, r | z | c: what x·W + bx receives. P [T·B, U]: reset-after,
   * dc ⊙ r (what h·Rh + bhh receives); reset-before, r ⊙ h_prev (what multiplies Rh).
   */
  float *xt = scratch;
  float *dG = xt + (size_t)T * B * D;
  float *P = dG + (size_t)T * B * G;
  float *dh = P + TBU, *dhNext = dh + BU, *dout = dhNext + BU, *drh = dout + BU;

  for (int b = 0; b < B; b++) {
    for (int j = u0; j < u1; j++) {
      const size_t k = (size_t)b * U + j;
      dh[k] = dhT ? dhT[k] : 0.f;
      dout[k] = 0.f;
    }
  }

  for (int i = T - 1; i >= 0; i--) {
    const int t = time_of(d, i);
    const size_t at = (size_t)t * BU;
    const float *hp = ws + at, *r = ws + TBU + at, *z = ws + 2 * TBU + at, *c = ws + 3 * TBU + at;
    float *gs = dG + (size_t)t * B * G;  /* this step's B rows of dG */
    float *ps = P + at;

    for (int b = 0; b < B; b++) {
      const int valid = mask ? mask[(size_t)b * T + t] != 0.f : 1;
      const size_t o = (size_t)b * U + u0;
      float *row = gs + (size_t)b * G + u0;
      state_gradient_row(valid, nu, dh + o, dout + o, dy + ((size_t)b * T + i) * U + u0, z + o, hp + o, c + o,
                         dhNext + o, row + 2 * U, row + U);
      times_derivative(d->activation, c + o, row + 2 * U, nu);
      times_derivative(d->recurrent_activation, z + o, row + U, nu);
    }

    if (d->reset_after) {
      const float *hr = ws + 4 * TBU + at;
      for (int b = 0; b < B; b++) {
        const size_t o = (size_t)b * U;
        float *row = gs + (size_t)b * G;
        for (int j = u0; j < u1; j++) {
          row[j] = row[2 * U + j] * hr[o + j];
          ps[o + j] = row[2 * U + j] * r[o + j];
        }
        times_derivative(d->recurrent_activation, r + o + u0, row + u0, nu);
      }
      gk_team_sync(team);
      /* dh_prev = g ⊙ z + [dr | dz] · R_rzᵀ + (dc ⊙ r) · Rhᵀ, this member's units */
      if (nu > 0) gk_sgemm(0, 1, B, nu, U, 1.f, ps, U, R + (size_t)u0 * G + 2 * U, G, 1.f, dhNext + u0, U);
    } else {
      gk_team_sync(team);
      /* d(r ⊙ h) = dc · Rhᵀ; it reaches r and h. */
      if (nu > 0) gk_sgemm(0, 1, B, nu, U, 1.f, gs + 2 * U, G, R + (size_t)u0 * G + 2 * U, G, 0.f, drh + u0, U);
      for (int b = 0; b < B; b++) {
        const size_t o = (size_t)b * U;
        float *row = gs + (size_t)b * G;
        for (int j = u0; j < u1; j++) {
          ps[o + j] = r[o + j] * hp[o + j];
          row[j] = drh[o + j] * hp[o + j];
          dhNext[o + j] += drh[o + j] * r[o + j];
        }
        times_derivative(d->recurrent_activation, r + o + u0, row + u0, nu);
      }
      gk_team_sync(team);
    }
    if (nu > 0) gk_sgemm(0, 1, B, nu, 2 * U, 1.f, gs, G, R + (size_t)u0 * G, G, 1.f, dhNext + u0, U);
    float *swap = dh; dh = dhNext; dhNext = swap;
  }
  for (int b = 0; b < B; b++) memcpy(dh0 + (size_t)b * U + u0, dh + (size_t)b * U + u0, nu * sizeof(float));
  gk_team_sync(team);  /* every member's dG and P rows are written */

  /* Weight gradients over all steps at once (each member its columns): ws starts with h_prev as [T·B, U]. */
  block_columns_product(1, U, T * B, ws, U, dG, G, U, u0, nu, 2, 0.f, dR, G);
  if (nu > 0) {
    if (d->reset_after) {
      gk_sgemm(1, 0, U, nu, T * B, 1.f, ws, U, P + u0, U, 0.f, dR + 2 * U + u0, G);
    } else {
      gk_sgemm(1, 0, U, nu, T * B, 1.f, P, U, dG + 2 * U + u0, G, 0.f, dR + 2 * U + u0, G);
    }
  }
  if (team->index == 0) to_time_major(x, B, T, D, xt);
  gk_team_sync(team);
  block_columns_product(1, D, B * T, xt, D, dG, G, U, u0, nu, 3, 0.f, dW, G);
  gk_team_sync(team);  /* xt is read by every member's dW before it takes dx */
  int r0, r1;
  gk_team_share(team, B * T, 1, &r0, &r1);
  if (r1 > r0) gk_sgemm(0, 1, r1 - r0, D, G, 1.f, dG + (size_t)r0 * G, G, W, G, 0.f, xt + (size_t)r0 * D, D);
  gk_team_sync(team);
  if (team->index == 0) to_batch_major(xt, B, T, D, dx);

  for (int blk = 0; blk < 3 && nu > 0; blk++) {
    const int c0 = blk * U + u0;
    if (dbx) column_sums(dG + c0, (size_t)B * T, nu, G, dbx + c0);
    if (dbh) {
      if (!d->reset_after) {
        for (int k = 0; k < nu; k++) dbh[c0 + k] = 0.f;
      } else if (blk < 2) {
        column_sums(dG + c0, (size_t)T * B, nu, G, dbh + c0);
      } else {
        column_sums(P + u0, (size_t)T * B, nu, U, dbh + c0);
      }
    }
  }
  return 0;
}
