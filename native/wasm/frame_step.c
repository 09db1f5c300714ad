/*
 * Per-frame entries for the streaming API (src/stream/): one time step of a GRU
 * layer and one Dense layer, over B rows, with no allocation. The state h is
 * updated in place, so a stream keeps its state in the module's memory between
 * frames. Same semantics as gk_forward of one step (gru_kernel.h).
 *
 * The weights come as the layers hold them (W [D, 3U], R [U, 3U], K [k, n]) or,
 * with `transposed`, as their transposes (W [3U, D], R [3U, U], K [n, k]): with
 * few rows the products are then dot products of contiguous weight rows, which
 * stream from memory about 10 % faster than the columns of a row-major matrix
 * (a frame at batch 1 reads megabytes of weights once: memory-bound).
 */
#include "gru_kernel.h"

/*
 * Columns [c0, c0 + n) of a weight matrix of k rows and `cols` columns: where they
 * start and the row stride, in either layout (transposed: rows [c0, c0 + n) of Wᵀ).
 */
typedef struct { const float *at; int ld; int transposed; } weight_cols;
static weight_cols cols_of(const float *w, int k, int cols, int c0, int transposed) {
  weight_cols c = {transposed ? w + (size_t)c0 * k : w + c0, transposed ? k : cols, transposed};
  return c;
}

/* C[B, n] (row stride ldc) = beta·C + A[B, k] (row stride lda) · the n weight columns wc. */
static void product(int B, int k, int n, const float *A, int lda, weight_cols wc, float beta, float *C, int ldc) {
  gk_sgemm(0, wc.transposed, B, n, k, 1.f, A, lda, wc.at, wc.ld, beta, C, ldc);
}

/* rows copies of row (or zeros when row is NULL), n floats each. */
static void fill_rows(float *dst, int rows, const float *row, int n) {
  for (int i = 0; i < rows; i++)
    for (int k = 0; k < n; k++) dst[(size_t)i * n + k] = row ? row[k] : 0.f;
}

/* Scratch of gk_step: xp [B, 3U], hR [B, 3U], rh [B, U]. */
size_t gk_step_scratch_floats(const gk_dims *d) {
  return (size_t)d->batch * 7 * d->units;
}

/*
 * One step of B rows: x [B, D], h [B, U] in place (the new state, which is
 * also the step's output). d->time, d->go_backwards are ignored. W and R as the
 * layer holds them, or (transposed) W [3U, D] and R [3U, U]. Returns 0, or a
 * negative number as gk_forward does.
 */
int gk_step(const gk_dims *d, const float *x, const float *W, const float *R, const float *bx, const float *bh,
            float *h, float *scratch, int transposed) {
  if (d->batch <= 0 || d->input_size <= 0 || d->units <= 0) return -1;
  if (bh && !d->reset_after) return -2;
  const int B = d->batch, D = d->input_size, U = d->units, G = 3 * U;
  float *xp = scratch, *hR = xp + (size_t)B * G, *rh = hR + (size_t)B * G;

  fill_rows(xp, B, bx, G);
  product(B, D, G, x, D, cols_of(W, D, G, 0, transposed), 1.f, xp, G);
  if (d->reset_after) {
    fill_rows(hR, B, bh, G);
    product(B, U, G, h, U, cols_of(R, U, G, 0, transposed), 1.f, hR, G);
  } else {
    product(B, U, 2 * U, h, U, cols_of(R, U, G, 0, transposed), 0.f, hR, G);
  }
  /* r and z into xp's first 2U columns of each row */
  for (int b = 0; b < B; b++) {
    float *xr = xp + (size_t)b * G;
    const float *hr = hR + (size_t)b * G;
    for (int j = 0; j < 2 * U; j++) xr[j] += hr[j];
    gk_activate(d->recurrent_activation, xr, 2 * (size_t)U);
  }
  if (d->reset_after) {
    for (int b = 0; b < B; b++) {
      float *xr = xp + (size_t)b * G;
      const float *hr = hR + (size_t)b * G + 2 * U;
      for (int j = 0; j < U; j++) xr[2 * U + j] += xr[j] * hr[j];
    }
  } else {
    for (int b = 0; b < B; b++)
      for (int j = 0; j < U; j++) rh[(size_t)b * U + j] = xp[(size_t)b * G + j] * h[(size_t)b * U + j];
    product(B, U, U, rh, U, cols_of(R, U, G, 2 * U, transposed), 0.f, hR + 2 * U, G);
    for (int b = 0; b < B; b++) {
      float *xr = xp + (size_t)b * G + 2 * U;
      const float *hr = hR + (size_t)b * G + 2 * U;
      for (int j = 0; j < U; j++) xr[j] += hr[j];
    }
  }
  for (int b = 0; b < B; b++) {
    float *c = xp + (size_t)b * G + 2 * U;
    const float *z = xp + (size_t)b * G + U;
    float *hb = h + (size_t)b * U;
    gk_activate(d->activation, c, (size_t)U);
    for (int j = 0; j < U; j++) hb[j] = c[j] + z[j] * (hb[j] - c[j]);
  }
  return 0;
}

/*
 * A Dense layer on B rows: y [B, n] = act(x [B, k] · K [k, n] + b) (b may be
 * NULL; activation: enum gk_activation); K given as [n, k] when transposed.
 */
void gk_dense(int B, int k, int n, const float *x, const float *K, const float *b, int activation, float *y,
              int transposed) {
  fill_rows(y, B, b, n);
  product(B, k, n, x, k, cols_of(K, k, n, 0, transposed), 1.f, y, n);
  gk_activate(activation, y, (size_t)B * n);
}
