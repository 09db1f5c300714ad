/* Threads the native build's products may use (blas_gemm.c). */
#ifndef GK_BLAS_THREADS_H
#define GK_BLAS_THREADS_H
void gk_set_max_threads(int n);
int gk_max_threads(void);
#endif
