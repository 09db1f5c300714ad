/*
 * tfjs-gru's whole-sequence GRU kernel: forward pass and hand-written BPTT.
 *
 * One C source serves two builds: native (a Node addon, matrix products by
 * cblas_sgemm from OpenBLAS) and wasm32 with SIMD (matrix products by our own
 * kernel in native/wasm/). Both provide gk_sgemm and the math in gk_math.h.
 *
 * Layout (canonical, as src/math/gruSequence.ts): column blocks r | z | h.
 *   x  [B, T, D]   batch-major input
 *   W  [D, 3U]     input kernel          bx [3U] input bias (NULL: none)
 *   R  [U, 3U]     recurrent kernel      bh [3U] recurrent bias (reset-after only; NULL: none)
 *   h0 [B, U]      initial state
 *   mask [B, T]    1 = step valid, 0 = carry output and state (NULL: all valid)
 *   y  [B, T, U]   outputs in processing order (goBackwards: step i is time T-1-i)
 *   hT [B, U]      final state
 * reset_after = 0: hh = act(x·Wh + bxh + (r ⊙ h)·Rh)
 * reset_after = 1: hh = act(x·Wh + bxh + r ⊙ (h·Rh + bhh))
 * h' = z ⊙ h + (1 − z) ⊙ hh; r, z = rec_act(x·W + bx + h·R (+ bh)).
 */
#ifndef GRU_KERNEL_H
#define GRU_KERNEL_H

#include <stddef.h>

enum gk_activation {
  GK_TANH = 0,
  GK_SIGMOID = 1,
  GK_HARD_SIGMOID = 2, /* clip(0.2·x + 0.5, 0, 1): tfjs's and tf.keras's */
  GK_LINEAR = 3,
  GK_RELU = 4,
};

typedef struct {
  int batch, time, input_size, units;
  int reset_after;
  int activation;           /* enum gk_activation */
  int recurrent_activation; /* enum gk_activation */
  int go_backwards;
} gk_dims;

/* Row-major C = alpha·op(A)·op(B) + beta·C; op(A) is [M, K], op(B) is [K, N]. */
void gk_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
              const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc);

/* v = act(v) over n numbers (kind: enum gk_activation). */
void gk_activate(int kind, float *v, size_t n);

/* Floats of the workspace a forward pass keeps for the backward pass. */
size_t gk_workspace_floats(const gk_dims *d);
/* Floats of scratch memory gk_forward needs. */
size_t gk_forward_scratch_floats(const gk_dims *d);
/* Floats of scratch memory gk_backward needs. */
size_t gk_backward_scratch_floats(const gk_dims *d);

/* Returns 0, or a negative number for invalid dims. ws may be NULL (inference). */
int gk_forward(const gk_dims *d, const float *x, const float *W, const float *R,
               const float *bx, const float *bh, const float *h0, const float *mask,
               float *y, float *hT, float *ws, float *scratch);

struct gk_team;
/*
 * gk_forward run by a team of threads (gk_team.h), each calling it with the
 * same arguments: member k computes its share of the units, and the members
 * meet at each step. A team of one is gk_forward.
 */
int gk_forward_team(const struct gk_team *team, const gk_dims *d, const float *x, const float *W, const float *R,
                    const float *bx, const float *bh, const float *h0, const float *mask,
                    float *y, float *hT, float *ws, float *scratch);

/*
 * dy [B, T, U] (processing order, as y), dhT [B, U] (may be NULL: zeros).
 * Writes dx [B,T,D], dW [D,3U], dR [U,3U], dbx [3U], dbh [3U] (dbx/dbh may be NULL), dh0 [B,U].
 */
int gk_backward(const gk_dims *d, const float *x, const float *W, const float *R,
                const float *bx, const float *bh, const float *h0, const float *mask,
                const float *ws, const float *dy, const float *dhT,
                float *dx, float *dW, float *dR, float *dbx, float *dbh, float *dh0,
                float *scratch);

/* gk_backward run by a team of threads, as gk_forward_team. */
int gk_backward_team(const struct gk_team *team, const gk_dims *d, const float *x, const float *W, const float *R,
                     const float *bx, const float *bh, const float *h0, const float *mask,
                     const float *ws, const float *dy, const float *dhT,
                     float *dx, float *dW, float *dR, float *dbx, float *dbh, float *dh0,
                     float *scratch);

#endif
