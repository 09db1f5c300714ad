/*
 * gk_sgemm for wasm32 with SIMD128: row-major C = alpha·op(A)·op(B) + beta·C.
 *
 * Structure (GotoBLAS-style blocking):
 *   for each block of KC steps of the reduction
 *     for each block of NC columns of C (all of them when B is read in place)
 *       (pack op(B) into NR-wide panels when B is transposed or M is large,
 *        and the ragged last panel always, zero padded)
 *       for each block of MC rows: pack op(A) into MR-row panels, k-major
 *         for each NR-wide panel, for each MR rows: the micro-kernel.
 * The micro-kernel keeps an MR x NR = 2 x 16 tile of C in eight v128
 * accumulators over the whole KC block. Each k step loads four vectors of B
 * and two broadcasts of A for sixteen multiply-adds; the sum over k runs in
 * order, as a plain loop would.
 *
 * Why 2 x 16, and why the kernel looks as it does (measured on V8, x64, AVX,
 * which runs SIMD128 in 15 allocatable xmm registers): V8's scheduler puts all
 * of a loop body's loads before its arithmetic, so a tile needs accumulators +
 * every vector it loads per step in registers at once, plus one for a product.
 * 2 x 16 needs 8 + 4 + 2 = 14; 4 x 8 needs 8 + 2 + 4 = 14 but does two more
 * loads per 16 multiply-adds (~15-20% slower); 6 x 8 (12 + 2 + 6), 3 x 12
 * (9 + 3 + 3), or unrolling k (each step's loads hoisted) spill and run at
 * half speed. Each row count is its own
 * noinline function, since V8 allocates registers per function. The pointers
 * pass through an empty asm each step, so that clang indexes them with
 * constant offsets (folded into the load instructions, which V8 then
 * addresses directly) rather than strength-reducing each address into its own
 * add (+15%). An empty asm after each row's update keeps clang from splitting
 * the rows' work apart.
 *
 * beta = 0 never reads C (C may hold NaN garbage). A reduction of length 0
 * gives C = beta·C. No allocation: packing buffers are static (thread-local in
 * the threaded build).
 *
 * One row of C (batch 1: each step's h·R, a stream's frame) is a matrix-vector
 * product (gemv below), reading B in place; with B transposed and up to four
 * rows, each row is a set of dot products (gemv_trans).
 */
#include <wasm_simd128.h>

#include "gru_kernel.h"

#define GK_MR 2
#define GK_NV 4 /* v128 vectors per row of the tile */
#define GK_NR (4 * GK_NV)
#define GK_KC 256
#define GK_NC 256
#define GK_MC 64
#define GK_PACK_MIN_M 128
#define GK_GEMV_NV 6 /* v128 columns per block of the one-row product */
#define GK_DOT_ROWS 4  /* columns per block of the one-row product with B transposed */
#define GK_DOT_MAX_M 4 /* up to this many rows, a product with B transposed is row by row */

/*
 * Packing buffers. In the threaded build (GK_THREADS: its instances share one
 * memory) each thread has its own, which the loader places and hands over with
 * gk_set_pack_buffers: thread-local pointers, not thread-local arrays, whose
 * zeros would be copied into the module's bytes. Elsewhere plain statics.
 */
#define GK_PACK_FLOATS (GK_KC * GK_NC + GK_KC * GK_NR + GK_MC * GK_KC)
#ifdef GK_THREADS
#define GK_THREAD_LOCAL _Thread_local
static GK_THREAD_LOCAL float *pack_b, *pack_edge, *pack_a;
__attribute__((export_name("gk_pack_buffer_floats"))) int gk_pack_buffer_floats(void) { return GK_PACK_FLOATS; }
/* p: GK_PACK_FLOATS floats, 16-byte aligned, used by this thread only. */
__attribute__((export_name("gk_set_pack_buffers"))) void gk_set_pack_buffers(float *p) {
  pack_b = p;
  pack_edge = p + GK_KC * GK_NC;
  pack_a = pack_edge + GK_KC * GK_NR;
}
#else
#define GK_THREAD_LOCAL
static float pack_b[GK_KC * GK_NC] __attribute__((aligned(16)));
static float pack_edge[GK_KC * GK_NR] __attribute__((aligned(16)));
static float pack_a[GK_MC * GK_KC] __attribute__((aligned(16)));
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* Empty asm: the values "change" here, so clang neither moves their computation past it nor sees through them. */
#define GK_OPAQUE2(x, y) __asm__("" : "+r"(x), "+r"(y))
#define GK_ROW_DONE(row) \
  for (int v = 0; v < GK_NV; v++) __asm__ volatile("" : "+r"((row)[v]) : : "memory")

/*
 * acc[i] (i < mr) = sum_k A[k·mr + i] · P[k, 0..NR-1] (A packed, P[k, j] = b[k·bks + j]), then
 * C[i, 0..nr-1] = alpha·acc + beta·C (beta = 0: C not read). mr is a constant in each instance.
 */
ALWAYS_INLINE void micro(const int mr, int kc, const float *a, const float *b, int bks, float *c, int ldc, int nr,
                         float alpha, float beta) {
  v128_t acc[GK_MR][GK_NV];
  for (int i = 0; i < mr; i++)
    for (int v = 0; v < GK_NV; v++) acc[i][v] = wasm_f32x4_splat(0.0f);
#pragma clang loop unroll(disable)
  for (int k = 0; k < kc; k++) {
    GK_OPAQUE2(a, b);
    v128_t bv[GK_NV];
    for (int v = 0; v < GK_NV; v++) bv[v] = wasm_v128_load(b + 4 * v);
    for (int i = 0; i < mr; i++) {
      const v128_t av = wasm_v128_load32_splat(a + i);
      for (int v = 0; v < GK_NV; v++) acc[i][v] = wasm_f32x4_add(acc[i][v], wasm_f32x4_mul(av, bv[v]));
      GK_ROW_DONE(acc[i]);
    }
    a += mr;
    b += bks;
  }
  if (alpha != 1.0f) {
    const v128_t va = wasm_f32x4_splat(alpha);
    for (int i = 0; i < mr; i++)
      for (int v = 0; v < GK_NV; v++) acc[i][v] = wasm_f32x4_mul(acc[i][v], va);
  }
  if (nr == GK_NR) {
    if (beta == 0.0f) {
      for (int i = 0; i < mr; i++)
        for (int v = 0; v < GK_NV; v++) wasm_v128_store(c + i * ldc + 4 * v, acc[i][v]);
    } else if (beta == 1.0f) {
      for (int i = 0; i < mr; i++)
        for (int v = 0; v < GK_NV; v++) {
          float *ci = c + i * ldc + 4 * v;
          wasm_v128_store(ci, wasm_f32x4_add(acc[i][v], wasm_v128_load(ci)));
        }
    } else {
      const v128_t vb = wasm_f32x4_splat(beta);
      for (int i = 0; i < mr; i++)
        for (int v = 0; v < GK_NV; v++) {
          float *ci = c + i * ldc + 4 * v;
          wasm_v128_store(ci, wasm_f32x4_add(acc[i][v], wasm_f32x4_mul(vb, wasm_v128_load(ci))));
        }
    }
  } else {
    float tile[GK_NR] __attribute__((aligned(16)));
    for (int i = 0; i < mr; i++) {
      for (int v = 0; v < GK_NV; v++) wasm_v128_store(tile + 4 * v, acc[i][v]);
      float *ci = c + i * ldc;
      if (beta == 0.0f) {
        for (int j = 0; j < nr; j++) ci[j] = tile[j];
      } else {
        for (int j = 0; j < nr; j++) ci[j] = tile[j] + beta * ci[j];
      }
    }
  }
}

/* One function per row count (V8 allocates registers per function). */
__attribute__((noinline)) static void micro_2(int kc, const float *a, const float *b, int bks, float *c, int ldc,
                                              int nr, float alpha, float beta) {
  micro(2, kc, a, b, bks, c, ldc, nr, alpha, beta);
}
__attribute__((noinline)) static void micro_1(int kc, const float *a, const float *b, int bks, float *c, int ldc,
                                              int nr, float alpha, float beta) {
  micro(1, kc, a, b, bks, c, ldc, nr, alpha, beta);
}

/*
 * The rows [i0, i0 + mc) of op(A)'s columns [k0, k0 + kc) as panels of MR rows (the last one
 * mc mod MR rows), each k-major: the panel from row ip holds op(A)[i0 + ip + i, k0 + k] at
 * ip·kc + k·mr + i (mr the panel's rows). op(A)[i, k] = A[i·lda + k], or A[k·lda + i] when trans_a.
 */
static void pack_rows(float *p, int trans_a, const float *a, int lda, int i0, int mc, int k0, int kc) {
  for (int ip = 0; ip < mc; ip += GK_MR) {
    const int mr = mc - ip < GK_MR ? mc - ip : GK_MR;
    float *dst = p + ip * kc;
    if (trans_a) {
      const float *src = a + (size_t)k0 * lda + i0 + ip;
      for (int k = 0; k < kc; k++, src += lda, dst += mr)
        for (int i = 0; i < mr; i++) dst[i] = src[i];
    } else if (mr == 2) {
      /* Two rows interleaved, four k at a time. */
      const float *s0 = a + (size_t)(i0 + ip) * lda + k0, *s1 = s0 + lda;
      int k = 0;
      for (; k + 4 <= kc; k += 4) {
        const v128_t r0 = wasm_v128_load(s0 + k), r1 = wasm_v128_load(s1 + k);
        wasm_v128_store(dst + 2 * k, wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5));
        wasm_v128_store(dst + 2 * k + 4, wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7));
      }
      for (; k < kc; k++) {
        dst[2 * k] = s0[k];
        dst[2 * k + 1] = s1[k];
      }
    } else {
      const float *s = a + (size_t)(i0 + ip) * lda + k0;
      for (int k = 0; k < kc; k++) dst[k] = s[k];
    }
  }
}

/* P[k, j] = op(B)[k0 + k, j0 + j] for k < kc, j < nr, zero for nr <= j < NR. */
static void pack_panel(float *p, int trans_b, const float *b, int ldb, int k0, int kc, int j0, int nr) {
  if (!trans_b) {
    for (int k = 0; k < kc; k++) {
      const float *src = b + (size_t)(k0 + k) * ldb + j0;
      float *dst = p + k * GK_NR;
      if (nr == GK_NR) {
        for (int v = 0; v < GK_NV; v++) wasm_v128_store(dst + 4 * v, wasm_v128_load(src + 4 * v));
      } else {
        int j = 0;
        for (; j < nr; j++) dst[j] = src[j];
        for (; j < GK_NR; j++) dst[j] = 0.0f;
      }
    }
    return;
  }
  /* op(B)[k, j] = B[j, k]: four columns j by four k at a time, a 4 x 4 transpose each. */
  int j = 0;
  for (; j + 4 <= nr; j += 4) {
    const float *s0 = b + (size_t)(j0 + j) * ldb + k0, *s1 = s0 + ldb, *s2 = s1 + ldb, *s3 = s2 + ldb;
    int k = 0;
    for (; k + 4 <= kc; k += 4) {
      const v128_t r0 = wasm_v128_load(s0 + k), r1 = wasm_v128_load(s1 + k);
      const v128_t r2 = wasm_v128_load(s2 + k), r3 = wasm_v128_load(s3 + k);
      const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
      const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      float *d = p + k * GK_NR + j;
      wasm_v128_store(d, wasm_i64x2_shuffle(t0, t1, 0, 2));
      wasm_v128_store(d + GK_NR, wasm_i64x2_shuffle(t0, t1, 1, 3));
      wasm_v128_store(d + 2 * GK_NR, wasm_i64x2_shuffle(t2, t3, 0, 2));
      wasm_v128_store(d + 3 * GK_NR, wasm_i64x2_shuffle(t2, t3, 1, 3));
    }
    for (; k < kc; k++) {
      float *d = p + k * GK_NR + j;
      d[0] = s0[k]; d[1] = s1[k]; d[2] = s2[k]; d[3] = s3[k];
    }
  }
  for (; j < nr; j++) {
    const float *src = b + (size_t)(j0 + j) * ldb + k0;
    for (int k = 0; k < kc; k++) p[k * GK_NR + j] = src[k];
  }
  for (; j < GK_NR; j++) {
    for (int k = 0; k < kc; k++) p[k * GK_NR + j] = 0.0f;
  }
}

/*
 * c[j..j+4·nv) = alpha·(a·B) + beta·c over those columns, for one row a (a[k·aks]) and B not
 * transposed (row stride ldb): nv accumulators over the whole reduction, in order of k. They start
 * from c when beta and alpha are 1 (a bias the caller put there), so the common cases do no extra pass.
 */
ALWAYS_INLINE void gemv_cols(const int nv, int j, int k, float alpha, const float *a, int aks, const float *b, int ldb,
                             float beta, float *c) {
  const int from_c = beta == 1.0f && alpha == 1.0f;
  v128_t acc[GK_GEMV_NV];
  for (int v = 0; v < nv; v++) acc[v] = from_c ? wasm_v128_load(c + j + 4 * v) : wasm_f32x4_splat(0.f);
  const float *w = b + j;
#pragma clang loop unroll(disable)
  for (int i = 0; i < k; i++) {
    GK_OPAQUE2(a, w);
    const v128_t xv = wasm_v128_load32_splat(a);
    for (int v = 0; v < nv; v++) acc[v] = wasm_f32x4_add(acc[v], wasm_f32x4_mul(xv, wasm_v128_load(w + 4 * v)));
    a += aks;
    w += ldb;
  }
  if (!from_c) {
    const v128_t va = wasm_f32x4_splat(alpha), vb = wasm_f32x4_splat(beta);
    for (int v = 0; v < nv; v++) {
      acc[v] = wasm_f32x4_mul(acc[v], va);
      if (beta != 0.0f) acc[v] = wasm_f32x4_add(acc[v], wasm_f32x4_mul(vb, wasm_v128_load(c + j + 4 * v)));
    }
  }
  for (int v = 0; v < nv; v++) wasm_v128_store(c + j + 4 * v, acc[v]);
}

/*
 * c[0..n) = alpha·(a·B) + beta·c: 24 columns at a time (six independent chains of adds keep both
 * adders busy; four, as before, waited on the add latency: 40 -> 46 GFLOP/s at 1 x 192 x 64), the
 * rest of the multiples of 4 in one block, then column by column.
 */
ALWAYS_INLINE void gemv_body(int n, int k, float alpha, const float *a, int aks, const float *b, int ldb, float beta,
                             float *c) {
  int j = 0;
  for (; j + 4 * GK_GEMV_NV <= n; j += 4 * GK_GEMV_NV) gemv_cols(GK_GEMV_NV, j, k, alpha, a, aks, b, ldb, beta, c);
  switch ((n - j) / 4) {
    case 0: break;
    case 1: gemv_cols(1, j, k, alpha, a, aks, b, ldb, beta, c); break;
    case 2: gemv_cols(2, j, k, alpha, a, aks, b, ldb, beta, c); break;
    case 3: gemv_cols(3, j, k, alpha, a, aks, b, ldb, beta, c); break;
    case 4: gemv_cols(4, j, k, alpha, a, aks, b, ldb, beta, c); break;
    default: gemv_cols(5, j, k, alpha, a, aks, b, ldb, beta, c); break;
  }
  j += (n - j) / 4 * 4;
  for (; j < n; j++) {
    float acc = beta == 1.0f && alpha == 1.0f ? c[j] : 0.f;
    for (int i = 0; i < k; i++) acc += a[i * aks] * b[(size_t)i * ldb + j];
    if (!(beta == 1.0f && alpha == 1.0f)) {
      acc *= alpha;
      c[j] = beta == 0.0f ? acc : acc + beta * c[j];
    } else {
      c[j] = acc;
    }
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

/* lane0 + lane1 + lane2 + lane3 */
ALWAYS_INLINE float lanes_sum(v128_t v) {
  const v128_t h = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  return wasm_f32x4_extract_lane(h, 0) + wasm_f32x4_extract_lane(h, 1);
}

/*
 * c[j..j+rows) = alpha·(a·B^T) + beta·c over those columns for one contiguous row a and B
 * transposed (column j of op(B) is row j of B, row stride ldb): dot products, four k per lane
 * vector, rows accumulators (one per column), then each summed across its lanes.
 */
ALWAYS_INLINE void dots(const int rows, int j, int k, float alpha, const float *a, const float *b, int ldb, float beta,
                        float *c) {
  v128_t acc[GK_DOT_ROWS];
  for (int r = 0; r < rows; r++) acc[r] = wasm_f32x4_splat(0.f);
  const float *w = b + (size_t)j * ldb;
  const float *x = a;
  int p = 0;
#pragma clang loop unroll(disable)
  for (; p + 4 <= k; p += 4) {
    GK_OPAQUE2(x, w);
    const v128_t xv = wasm_v128_load(x);
    for (int r = 0; r < rows; r++) acc[r] = wasm_f32x4_add(acc[r], wasm_f32x4_mul(xv, wasm_v128_load(w + r * ldb)));
    x += 4;
    w += 4;
  }
  for (int r = 0; r < rows; r++) {
    float s = lanes_sum(acc[r]);
    for (int q = p; q < k; q++) s += a[q] * b[(size_t)(j + r) * ldb + q];
    s *= alpha;
    c[j + r] = beta == 0.0f ? s : s + beta * c[j + r];
  }
}

/* c[0..n) = alpha·(a·B^T) + beta·c, GK_DOT_ROWS columns at a time (their chains of adds in flight together). */
__attribute__((noinline)) static void gemv_trans(int n, int k, float alpha, const float *a, const float *b, int ldb,
                                                 float beta, float *c) {
  int j = 0;
  for (; j + GK_DOT_ROWS <= n; j += GK_DOT_ROWS) dots(GK_DOT_ROWS, j, k, alpha, a, b, ldb, beta, c);
  for (; j < n; j++) dots(1, j, k, alpha, a, b, ldb, beta, c);
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
   * B^T with few rows (batch 1 to 4 in the backward pass: dG·R^T each step): dot products of
   * contiguous rows, no packing (packing B^T cost more than the product: 15 -> 38-43 GFLOP/s at
   * one row, 30 -> 39 at two, 38 -> 43 at four; from eight rows on packing wins).
   */
  if (trans_b && !trans_a && m <= GK_DOT_MAX_M) {
    for (int i = 0; i < m; i++) gemv_trans(n, k, alpha, a + (size_t)i * lda, b, ldb, beta, c + (size_t)i * ldc);
    return;
  }
  /*
   * B^T is always packed. B itself is read in place for the per-step products
   * (few rows: packing would cost as much as it saves) and packed when at least
   * GK_PACK_MIN_M rows reuse it (contiguous panels stream better from L2).
   * Unpacked, all columns are one block.
   */
  const int packed = trans_b || m >= GK_PACK_MIN_M;
  const int ncb = packed ? GK_NC : n;
  for (int pc = 0; pc < k; pc += GK_KC) {
    const int kc = k - pc < GK_KC ? k - pc : GK_KC;
    const float beta_block = pc == 0 ? beta : 1.0f;
    for (int jc = 0; jc < n; jc += ncb) {
      const int nc = n - jc < ncb ? n - jc : ncb;
      const int full = nc / GK_NR * GK_NR;
      if (packed) {
        for (int jr = 0; jr < full; jr += GK_NR) {
          pack_panel(pack_b + jr * kc, trans_b, b, ldb, pc, kc, jc + jr, GK_NR);
        }
      }
      if (full < nc) pack_panel(pack_edge, trans_b, b, ldb, pc, kc, jc + full, nc - full);
      for (int ic = 0; ic < m; ic += GK_MC) {
        const int mc = m - ic < GK_MC ? m - ic : GK_MC;
        pack_rows(pack_a, trans_a, a, lda, ic, mc, pc, kc);
        float *c_rows = c + (size_t)ic * ldc + jc;
        for (int jr = 0; jr < nc; jr += GK_NR) {
          const float *panel;
          int bks, nr;
          if (jr < full) {
            nr = GK_NR;
            if (packed) {
              panel = pack_b + jr * kc;
              bks = GK_NR;
            } else {
              panel = b + (size_t)pc * ldb + jc + jr;
              bks = ldb;
            }
          } else {
            nr = nc - full;
            panel = pack_edge;
            bks = GK_NR;
          }
          for (int ir = 0; ir < mc; ir += GK_MR) {
            if (mc - ir >= GK_MR) {
              micro_2(kc, pack_a + ir * kc, panel, bks, c_rows + (size_t)ir * ldc + jr, ldc, nr, alpha, beta_block);
            } else {
              micro_1(kc, pack_a + ir * kc, panel, bks, c_rows + (size_t)ir * ldc + jr, ldc, nr, alpha, beta_block);
            }
          }
        }
      }
    }
  }
}
