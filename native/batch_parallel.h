/*
 * The native kernel over several threads: the batch is cut into contiguous
 * parts and each part runs the whole single-threaded kernel on its own thread
 * (batch entries of a GRU never interact), with one join per call; the weight
 * gradients of the parts are then added, so the threads never wait for each
 * other mid-sequence. Shared by the native addon (pthreads: native/node/run_parts.c)
 * and the threaded wasm build (its thread pool: native/wasm/threads.c), which
 * each provide gk_run_parts.
 */
#ifndef GK_BATCH_PARALLEL_H
#define GK_BATCH_PARALLEL_H
#include "gru_kernel.h"

#define GK_MAX_PARTS 16

/* One part's call of gk_forward or gk_backward, and its result. */
typedef struct {
  gk_dims dims;
  int backward;
  const float *x, *W, *R, *bx, *bh, *h0, *mask, *ws, *dy, *dhT;
  float *y, *hT, *wsOut, *dx, *dW, *dR, *dbx, *dbh, *dh0, *scratch;
  int rc;
} gk_part_job;

/* Part k of `parts` covers batch entries [*first, *first + *size). */
void gk_part_range(int batch, int parts, int k, int *first, int *size);

/* Runs one part's call (sets j->rc). */
void gk_run_part(gk_part_job *j);

/* Runs gk_run_part on jobs[0..parts), jobs[0] on the calling thread, and returns when all are done. */
void gk_run_parts(gk_part_job *jobs, int parts);

/* Parts a call of these dims is cut into with at most `threads` threads (1: run as is). */
int gk_parts(const gk_dims *d, int threads);

/* Scratch floats gk_forward_parallel / gk_backward_parallel need with `parts` parts. */
size_t gk_forward_parallel_scratch(const gk_dims *d, int parts);
size_t gk_backward_parallel_scratch(const gk_dims *d, int parts);

/* As gk_forward / gk_backward; the workspace layout is that of each part's, concatenated. */
int gk_forward_parallel(const gk_dims *d, int parts, const float *x, const float *W, const float *R,
                        const float *bx, const float *bh, const float *h0, const float *mask,
                        float *y, float *hT, float *ws, float *scratch);
int gk_backward_parallel(const gk_dims *d, int parts, const float *x, const float *W, const float *R,
                         const float *bx, const float *bh, const float *h0, const float *mask,
                         const float *ws, const float *dy, const float *dhT,
                         float *dx, float *dW, float *dR, float *dbx, float *dbh, float *dh0,
                         float *scratch);
#endif
