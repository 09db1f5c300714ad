/* Threads the native build's products may use (blas_gemm.c). */
#ifndef GK_BLAS_THREADS_H
#define GK_BLAS_THREADS_H
void gk_set_max_threads(int n);
int gk_max_threads(void);
/* 1: every product on one OpenBLAS thread (while batch parts run in parallel); 0: back to normal. */
void gk_blas_single_thread(int on);
#endif
