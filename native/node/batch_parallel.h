/*
 * The native kernel over several threads: the batch is cut into contiguous
 * parts and each part runs the whole single-threaded kernel on its own thread
 * (batch entries of a GRU never interact), with one join per call; the weight
 * gradients of the parts are then added. Each part's products run on one
 * OpenBLAS thread, so the threads never wait for each other mid-sequence.
 */
#ifndef GK_BATCH_PARALLEL_H
#define GK_BATCH_PARALLEL_H
#include "gru_kernel.h"

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
