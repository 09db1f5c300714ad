/*
 * gk_sgemm for wasm32 with SIMD128: row-major C = alpha·op(A)·op(B) + beta·C.
 *
 * Structure (GotoBLAS-style blocking, sized for a 32 KiB L1 and 512 KiB L2):
 *   for each block of NC columns of C
 *     for each block of KC steps of the reduction
 *       (pack op(B) into NR-wide panels when B is transposed or M is large,
 *        and the ragged last panel always, zero padded)
 *       for each MR rows of C, for each NR-wide panel: the micro-kernel
 *       (few rows, op(A)'s block in L1: panel by panel, all rows per panel).
 * The micro-kernel keeps an MR x NR tile of C in v128 accumulators over the
 * whole KC block; op(A) is read in place through a row stride and a k stride
 * (so A^T costs nothing), op(B) through a k stride (ldb in place, NR packed).
 *
 * beta = 0 never reads C (C may hold NaN garbage). A reduction of length 0
 * gives C = beta·C. No allocation: packing buffers are static (thread-local in
 * the threaded build).
 *
 * One row of C (batch 1: each step's h·R, a stream's frame) is a matrix-vector
 * product: gemv keeps 16 columns in four independent accumulators over the
 * whole reduction, reading B in place; the micro-kernel's one-row case would
 * wait on two dependent chains.
 */
#include <wasm_simd128.h>

#include "gru_kernel.h"

#ifndef GK_MR
#define GK_MR 4
#endif
#define GK_NR 8
#define GK_KC 256
#define GK_NC 256
#define GK_PACK_MIN_M 128
#define GK_SMALL_A 4096 /* floats of op(A) block (16 KiB) kept in L1 */

/*
 * Packing buffers. In the threaded build (GK_THREADS: its instances share one
 * memory) each thread has its own, which the loader places and hands over with
 * gk_set_pack_buffers: thread-local pointers, not thread-local arrays, whose
 * zeros would be copied into the module's bytes. Elsewhere plain statics.
 */
#define GK_PACK_FLOATS (GK_KC * GK_NC + GK_KC * GK_NR)
#ifdef GK_THREADS
#define GK_THREAD_LOCAL _Thread_local
static GK_THREAD_LOCAL float *pack_b, *pack_edge;
__attribute__((export_name("gk_pack_buffer_floats"))) int gk_pack_buffer_floats(void) { return GK_PACK_FLOATS; }
/* p: GK_PACK_FLOATS floats, 16-byte aligned, used by this thread only. */
__attribute__((export_name("gk_set_pack_buffers"))) void gk_set_pack_buffers(float *p) {
  pack_b = p;
  pack_edge = p + GK_KC * GK_NC;
}
#else
#define GK_THREAD_LOCAL
static float pack_b[GK_KC * GK_NC] __attribute__((aligned(16)));
static float pack_edge[GK_KC * GK_NR] __attribute__((aligned(16)));
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/*
 * acc[i] (i < mr) = sum_k op(A)[i, k] * P[k, 0..7], then
 * C[i, 0..nr-1] = alpha·acc + beta·C (beta = 0: C not read).
 * op(A)[i, k] = a[i*ars + k*aks]; P[k, j] = b[k*bks + j].
 */
ALWAYS_INLINE void micro(int mr, int kc, const float *a, int ars, int aks,
                         const float *b, int bks, float *c, int ldc, int nr,
                         float alpha, float beta) {
  v128_t acc0[GK_MR], acc1[GK_MR];
  const float *ap[GK_MR];
  for (int i = 0; i < mr; i++) {
    acc0[i] = wasm_f32x4_splat(0.0f);
    acc1[i] = wasm_f32x4_splat(0.0f);
    ap[i] = a + i * ars;
  }
  for (int k = 0; k < kc; k++) {
    v128_t b0 = wasm_v128_load(b);
    v128_t b1 = wasm_v128_load(b + 4);
    b += bks;
    for (int i = 0; i < mr; i++) {
      v128_t av = wasm_v128_load32_splat(ap[i]);
      ap[i] += aks;
      acc0[i] = wasm_f32x4_add(acc0[i], wasm_f32x4_mul(av, b0));
      acc1[i] = wasm_f32x4_add(acc1[i], wasm_f32x4_mul(av, b1));
    }
  }
  v128_t va = wasm_f32x4_splat(alpha);
  int scale = alpha != 1.0f;
  for (int i = 0; i < mr; i++) {
    if (scale) {
      acc0[i] = wasm_f32x4_mul(acc0[i], va);
      acc1[i] = wasm_f32x4_mul(acc1[i], va);
    }
  }
  if (nr == GK_NR) {
    if (beta == 0.0f) {
      for (int i = 0; i < mr; i++) {
        wasm_v128_store(c + i * ldc, acc0[i]);
        wasm_v128_store(c + i * ldc + 4, acc1[i]);
      }
    } else if (beta == 1.0f) {
      for (int i = 0; i < mr; i++) {
        float *ci = c + i * ldc;
        wasm_v128_store(ci, wasm_f32x4_add(acc0[i], wasm_v128_load(ci)));
        wasm_v128_store(ci + 4, wasm_f32x4_add(acc1[i], wasm_v128_load(ci + 4)));
      }
    } else {
      v128_t vb = wasm_f32x4_splat(beta);
      for (int i = 0; i < mr; i++) {
        float *ci = c + i * ldc;
        wasm_v128_store(ci, wasm_f32x4_add(acc0[i], wasm_f32x4_mul(vb, wasm_v128_load(ci))));
        wasm_v128_store(ci + 4, wasm_f32x4_add(acc1[i], wasm_f32x4_mul(vb, wasm_v128_load(ci + 4))));
      }
    }
  } else {
    float tile[GK_NR] __attribute__((aligned(16)));
    for (int i = 0; i < mr; i++) {
      wasm_v128_store(tile, acc0[i]);
      wasm_v128_store(tile + 4, acc1[i]);
      float *ci = c + i * ldc;
      if (beta == 0.0f) {
        for (int j = 0; j < nr; j++) ci[j] = tile[j];
      } else {
        for (int j = 0; j < nr; j++) ci[j] = tile[j] + beta * ci[j];
      }
    }
  }
}

/* The rows [0, m) of C for one panel, MR rows at a time; mr is a constant in each call. */
ALWAYS_INLINE void rows(int m, int kc, const float *a, int ars, int aks,
                        const float *b, int bks, float *c, int ldc, int nr,
                        float alpha, float beta) {
  int i = 0;
  for (; i + GK_MR <= m; i += GK_MR) {
    micro(GK_MR, kc, a + i * ars, ars, aks, b, bks, c + i * ldc, ldc, nr, alpha, beta);
  }
  switch (m - i) {
    case 0: break;
    case 1: micro(1, kc, a + i * ars, ars, aks, b, bks, c + i * ldc, ldc, nr, alpha, beta); break;
    case 2: micro(2, kc, a + i * ars, ars, aks, b, bks, c + i * ldc, ldc, nr, alpha, beta); break;
    case 3: micro(3, kc, a + i * ars, ars, aks, b, bks, c + i * ldc, ldc, nr, alpha, beta); break;
#if GK_MR > 4
    case 4: micro(4, kc, a + i * ars, ars, aks, b, bks, c + i * ldc, ldc, nr, alpha, beta); break;
    case 5: micro(5, kc, a + i * ars, ars, aks, b, bks, c + i * ldc, ldc, nr, alpha, beta); break;
#endif
#if GK_MR > 6
    case 6: micro(6, kc, a + i * ars, ars, aks, b, bks, c + i * ldc, ldc, nr, alpha, beta); break;
    case 7: micro(7, kc, a + i * ars, ars, aks, b, bks, c + i * ldc, ldc, nr, alpha, beta); break;
#endif
  }
}

/* Two specialisations of the A access: in place rows (k stride 1) or columns (row stride 1). */
static void rows_a_normal(int m, int kc, const float *a, int lda, const float *b, int bks,
                          float *c, int ldc, int nr, float alpha, float beta) {
  rows(m, kc, a, lda, 1, b, bks, c, ldc, nr, alpha, beta);
}
static void rows_a_trans(int m, int kc, const float *a, int lda, const float *b, int bks,
                         float *c, int ldc, int nr, float alpha, float beta) {
  rows(m, kc, a, 1, lda, b, bks, c, ldc, nr, alpha, beta);
}

/* P[k, j] = op(B)[k0 + k, j0 + j] for k < kc, j < nr, zero for nr <= j < NR. */
static void pack_panel(float *p, int trans_b, const float *b, int ldb, int k0, int kc, int j0, int nr) {
  if (!trans_b) {
    for (int k = 0; k < kc; k++) {
      const float *src = b + (k0 + k) * ldb + j0;
      float *dst = p + k * GK_NR;
      int j = 0;
      for (; j < nr; j++) dst[j] = src[j];
      for (; j < GK_NR; j++) dst[j] = 0.0f;
    }
  } else {
    /* op(B)[k, j] = B[j, k]: read along k (contiguous), write with stride NR. */
    int j = 0;
    for (; j < nr; j++) {
      const float *src = b + (j0 + j) * ldb + k0;
      for (int k = 0; k < kc; k++) p[k * GK_NR + j] = src[k];
    }
    for (; j < GK_NR; j++) {
      for (int k = 0; k < kc; k++) p[k * GK_NR + j] = 0.0f;
    }
  }
}


/*
 * c[0..n) = alpha·(a·B) + beta·c for one row a (a[k·aks]), B not transposed
 * (row stride ldb). The accumulators start from c when beta is 1 (a bias the
 * caller put there), so the common cases do no extra pass.
 */
ALWAYS_INLINE void gemv_body(int n, int k, float alpha, const float *a, int aks, const float *b, int ldb, float beta,
                             float *c) {
  const int from_c = beta == 1.0f && alpha == 1.0f;
  int j = 0;
  for (; j + 16 <= n; j += 16) {
    v128_t a0, a1, a2, a3;
    if (from_c) {
      a0 = wasm_v128_load(c + j); a1 = wasm_v128_load(c + j + 4);
      a2 = wasm_v128_load(c + j + 8); a3 = wasm_v128_load(c + j + 12);
    } else {
      a0 = a1 = a2 = a3 = wasm_f32x4_splat(0.f);
    }
    const float *w = b + j;
    for (int i = 0; i < k; i++, w += ldb) {
      const v128_t xv = wasm_v128_load32_splat(a + i * aks);
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(xv, wasm_v128_load(w)));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(xv, wasm_v128_load(w + 4)));
      a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(xv, wasm_v128_load(w + 8)));
      a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(xv, wasm_v128_load(w + 12)));
    }
    if (!from_c) {
      const v128_t va = wasm_f32x4_splat(alpha), vb = wasm_f32x4_splat(beta);
      a0 = wasm_f32x4_mul(a0, va); a1 = wasm_f32x4_mul(a1, va);
      a2 = wasm_f32x4_mul(a2, va); a3 = wasm_f32x4_mul(a3, va);
      if (beta != 0.0f) {
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(vb, wasm_v128_load(c + j)));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(vb, wasm_v128_load(c + j + 4)));
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(vb, wasm_v128_load(c + j + 8)));
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(vb, wasm_v128_load(c + j + 12)));
      }
    }
    wasm_v128_store(c + j, a0); wasm_v128_store(c + j + 4, a1);
    wasm_v128_store(c + j + 8, a2); wasm_v128_store(c + j + 12, a3);
  }
  for (; j < n; j++) {
    float acc = 0.f;
    for (int i = 0; i < k; i++) acc += a[i * aks] * b[(size_t)i * ldb + j];
    acc *= alpha;
    c[j] = beta == 0.0f ? acc : acc + beta * c[j];
  }
}

/*
 * The two A accesses as separate functions (the contiguous one with a constant stride), kept out of
 * gk_sgemm: inlined into that large function, V8 spilled the accumulators (measured 1.5x slower).
 */
__attribute__((noinline)) static void gemv_contiguous(int n, int k, float alpha, const float *a, const float *b, int ldb, float beta, float *c) {
  gemv_body(n, k, alpha, a, 1, b, ldb, beta, c);
}
__attribute__((noinline)) static void gemv_strided(int n, int k, float alpha, const float *a, int aks, const float *b, int ldb, float beta,
                         float *c) {
  gemv_body(n, k, alpha, a, aks, b, ldb, beta, c);
}

void gk_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {
    for (int i = 0; i < m; i++) {
      float *ci = c + i * ldc;
      if (beta == 0.0f) {
        for (int j = 0; j < n; j++) ci[j] = 0.0f;
      } else if (beta != 1.0f) {
        for (int j = 0; j < n; j++) ci[j] *= beta;
      }
    }
    return;
  }
  if (m == 1 && !trans_b) {
    if (trans_a && lda != 1) {
      gemv_strided(n, k, alpha, a, lda, b, ldb, beta, c);
    } else {
      gemv_contiguous(n, k, alpha, a, b, ldb, beta, c);
    }
    return;
  }
  /*
   * B^T is always packed. B itself is read in place for the per-step products
   * (few rows: packing would cost as much as it saves) and packed when at least
   * GK_PACK_MIN_M rows reuse it (contiguous panels stream better from L2).
   */
  const int packed = trans_b || m >= GK_PACK_MIN_M;
  for (int jc = 0; jc < n; jc += GK_NC) {
    int nc = n - jc < GK_NC ? n - jc : GK_NC;
    for (int pc = 0; pc < k; pc += GK_KC) {
      int kc = k - pc < GK_KC ? k - pc : GK_KC;
      float beta_block = pc == 0 ? beta : 1.0f;
      int full = nc / GK_NR * GK_NR;
      if (packed) {
        for (int jr = 0; jr < full; jr += GK_NR) {
          pack_panel(pack_b + jr * kc, trans_b, b, ldb, pc, kc, jc + jr, GK_NR);
        }
      }
      if (full < nc) pack_panel(pack_edge, trans_b, b, ldb, pc, kc, jc + full, nc - full);
      const float *a_block = trans_a ? a + pc * lda : a + pc;
      /*
       * Few rows (the per-step products): all of op(A)'s block stays in L1, so
       * go panel by panel and run every row over each panel while it is hot.
       * Else row block by row block, the B block coming from L2.
       */
      const int small_a = m * kc <= GK_SMALL_A;
      for (int ic = 0; ic < m; ic += small_a ? m : GK_MR) {
        int mb = small_a ? m : (m - ic < GK_MR ? m - ic : GK_MR);
        const float *a_rows = trans_a ? a_block + ic : a_block + ic * lda;
        float *c_rows = c + ic * ldc + jc;
        for (int jr = 0; jr < nc; jr += GK_NR) {
          const float *panel;
          int bks, nr;
          if (jr < full) {
            nr = GK_NR;
            if (packed) {
              panel = pack_b + jr * kc;
              bks = GK_NR;
            } else {
              panel = b + pc * ldb + jc + jr;
              bks = ldb;
            }
          } else {
            nr = nc - full;
            panel = pack_edge;
            bks = GK_NR;
          }
          if (trans_a) {
            rows_a_trans(mb, kc, a_rows, lda, panel, bks, c_rows + jr, ldc, nr, alpha, beta_block);
          } else {
            rows_a_normal(mb, kc, a_rows, lda, panel, bks, c_rows + jr, ldc, nr, alpha, beta_block);
          }
        }
      }
    }
  }
}
