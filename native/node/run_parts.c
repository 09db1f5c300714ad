/* gk_run_parts for the native addon: part 0 here, the others on new pthreads, one join per call. */
#include <pthread.h>

#include "batch_parallel.h"
#include "blas_threads.h"

static void *run_part_thread(void *arg) {
  gk_run_part((gk_part_job *)arg);
  return NULL;
}

void gk_run_parts(gk_part_job *jobs, int parts) {
  pthread_t tid[GK_MAX_PARTS];
  int started[GK_MAX_PARTS] = {0};
  gk_blas_single_thread(1);  /* each part's products on its own thread only */
  for (int k = 1; k < parts; k++) started[k] = pthread_create(&tid[k], NULL, run_part_thread, &jobs[k]) == 0;
  gk_run_part(&jobs[0]);
  for (int k = 1; k < parts; k++) {
    if (started[k]) pthread_join(tid[k], NULL);
    else gk_run_part(&jobs[k]);  /* no thread to be had: run it here */
  }
  gk_blas_single_thread(0);
}
