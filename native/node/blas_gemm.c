/*
 * gk_sgemm for the native build: OpenBLAS's cblas_sgemm. Products smaller
 * than SMALL_FLOPS (the per-step products at common sizes) run on one thread:
 * waking OpenBLAS's other threads costs more than it saves there, while the
 * whole-sequence products (input projection, weight gradients) use them all.
 * One row of C (batch 1: each step's h·R) is a matrix-vector product: cblas_sgemv,
 * which reads B in place, where cblas_sgemm packs all of B first (measured: a
 * [1, 320]·[320, 768] step 5-10x faster).
 */
#include <cblas.h>
#include <stdlib.h>

#include "gru_kernel.h"
#include "blas_threads.h"

#define SMALL_FLOPS 8e6

static int max_threads = 0;
static double small_flops = -1;

/* The one-thread threshold; env TFJS_GRU_SMALL_GEMM_FLOPS overrides it (for tuning). */
static double small_threshold(void) {
  if (small_flops < 0) {
    const char *e = getenv("TFJS_GRU_SMALL_GEMM_FLOPS");
    small_flops = e && *e ? atof(e) : SMALL_FLOPS;
  }
  return small_flops;
}

static int single = 0;

void gk_set_max_threads(int n) { max_threads = n; }

void gk_blas_single_thread(int on) {
  single = on;
  openblas_set_num_threads(on ? 1 : gk_max_threads());
}

int gk_max_threads(void) {
  if (max_threads <= 0) max_threads = openblas_get_num_threads();
  return max_threads;
}

void gk_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc) {
  if (m == 1 && k > 0) {
    /* C[1, n] = alpha·a·op(B) + beta·C = alpha·op(B)ᵀ·a + beta·C; a's elements are lda apart when transposed. */
    const int inc_a = trans_a ? lda : 1;
    if (beta == 0.0f) {
      for (int j = 0; j < n; j++) c[j] = 0.0f; /* beta = 0 never reads C: clear it, so NaN garbage cannot pass */
    }
    if (!single) openblas_set_num_threads(1);
    if (trans_b) {
      cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, alpha, b, ldb, a, inc_a, beta, c, 1);
    } else {
      cblas_sgemv(CblasRowMajor, CblasTrans, k, n, alpha, b, ldb, a, inc_a, beta, c, 1);
    }
    return;
  }
  const double flops = 2.0 * m * n * k;
  /* Inside a batch-parallel call the thread count is fixed at 1 (and must not be touched). */
  if (!single) openblas_set_num_threads(flops < small_threshold() ? 1 : gk_max_threads());
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
