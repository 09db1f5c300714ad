/* See batch_parallel.h. */
#include "batch_parallel.h"

#include <string.h>

#define MAX_PARTS GK_MAX_PARTS
/* Below this many multiply-adds per call, a thread costs more than it saves. */
#define MIN_PARALLEL_WORK 4e6

int gk_parts(const gk_dims *d, int threads) {
  const double work = (double)d->batch * d->time * 3.0 * d->units * (d->input_size + d->units);
  int n = threads < d->batch ? threads : d->batch;
  if (n > MAX_PARTS) n = MAX_PARTS;
  if (n < 2 || work < MIN_PARALLEL_WORK) return 1;
  return n;
}

void gk_part_range(int batch, int parts, int k, int *first, int *size) {
  const int base = batch / parts, extra = batch % parts;
  *first = k * base + (k < extra ? k : extra);
  *size = base + (k < extra ? 1 : 0);
}

static gk_dims part_dims(const gk_dims *d, int size) {
  gk_dims p = *d;
  p.batch = size;
  return p;
}

size_t gk_forward_parallel_scratch(const gk_dims *d, int parts) {
  int first, size;
  gk_part_range(d->batch, parts, 0, &first, &size);  /* part 0 is the largest */
  const gk_dims p = part_dims(d, size);
  return (size_t)parts * gk_forward_scratch_floats(&p);
}

/* Per part: its scratch, plus dW, dR, dbx, dbh of its own (parts > 0). */
static size_t grad_floats(const gk_dims *d) {
  const size_t u = d->units, g = 3 * u;
  return (size_t)d->input_size * g + u * g + 2 * g;
}

size_t gk_backward_parallel_scratch(const gk_dims *d, int parts) {
  int first, size;
  gk_part_range(d->batch, parts, 0, &first, &size);
  const gk_dims p = part_dims(d, size);
  return (size_t)parts * (gk_backward_scratch_floats(&p) + grad_floats(d));
}

void gk_run_part(gk_part_job *j) {
  if (j->backward) {
    j->rc = gk_backward(&j->dims, j->x, j->W, j->R, j->bx, j->bh, j->h0, j->mask, j->ws, j->dy, j->dhT,
                        j->dx, j->dW, j->dR, j->dbx, j->dbh, j->dh0, j->scratch);
  } else {
    j->rc = gk_forward(&j->dims, j->x, j->W, j->R, j->bx, j->bh, j->h0, j->mask, j->y, j->hT, j->wsOut,
                       j->scratch);
  }
}

/* Runs every part (gk_run_parts); returns the first nonzero rc. */
static int run_parts(gk_part_job *jobs, int parts) {
  gk_run_parts(jobs, parts);
  for (int k = 0; k < parts; k++) if (jobs[k].rc) return jobs[k].rc;
  return 0;
}

/*
 * Every part's job: its dims and the inputs common to both passes, offset to
 * its batch rows; its slice of the workspace; its share of the scratch.
 * Returns the first batch row of each part in `first`.
 */
static void gk_part_jobs(gk_part_job *jobs, int parts, const gk_dims *d, const float *x, const float *W, const float *R,
                      const float *bx, const float *bh, const float *h0, const float *mask, float *ws,
                      float *scratch, size_t perScratch, int backward, int *first) {
  const size_t T = d->time, D = d->input_size, U = d->units;
  size_t wsAt = 0;
  for (int k = 0; k < parts; k++) {
    int size;
    gk_part_range(d->batch, parts, k, &first[k], &size);
    gk_part_job *j = &jobs[k];
    memset(j, 0, sizeof *j);
    j->backward = backward;
    j->dims = part_dims(d, size);
    j->x = x + first[k] * T * D; j->W = W; j->R = R; j->bx = bx; j->bh = bh;
    j->h0 = h0 + first[k] * U; j->mask = mask ? mask + first[k] * T : 0;
    j->ws = ws ? ws + wsAt : 0;
    j->wsOut = ws ? ws + wsAt : 0;
    wsAt += gk_workspace_floats(&j->dims);
    j->scratch = scratch + k * perScratch;
  }
}

int gk_forward_parallel(const gk_dims *d, int parts, const float *x, const float *W, const float *R,
                        const float *bx, const float *bh, const float *h0, const float *mask,
                        float *y, float *hT, float *ws, float *scratch) {
  if (parts <= 1) return gk_forward(d, x, W, R, bx, bh, h0, mask, y, hT, ws, scratch);
  const size_t T = d->time, U = d->units;
  gk_part_job jobs[MAX_PARTS];
  int first[MAX_PARTS];
  gk_part_jobs(jobs, parts, d, x, W, R, bx, bh, h0, mask, ws, scratch, gk_forward_parallel_scratch(d, parts) / parts, 0,
            first);
  for (int k = 0; k < parts; k++) {
    jobs[k].y = y + first[k] * T * U;
    jobs[k].hT = hT + first[k] * U;
  }
  return run_parts(jobs, parts);
}

int gk_backward_parallel(const gk_dims *d, int parts, const float *x, const float *W, const float *R,
                         const float *bx, const float *bh, const float *h0, const float *mask,
                         const float *ws, const float *dy, const float *dhT,
                         float *dx, float *dW, float *dR, float *dbx, float *dbh, float *dh0,
                         float *scratch) {
  if (parts <= 1) {
    return gk_backward(d, x, W, R, bx, bh, h0, mask, ws, dy, dhT, dx, dW, dR, dbx, dbh, dh0, scratch);
  }
  const size_t T = d->time, D = d->input_size, U = d->units, G = 3 * U;
  const size_t perScratch = gk_backward_parallel_scratch(d, parts) / parts;
  gk_part_job jobs[MAX_PARTS];
  int first[MAX_PARTS];
  gk_part_jobs(jobs, parts, d, x, W, R, bx, bh, h0, mask, (float *)ws, scratch, perScratch, 1, first);
  for (int k = 0; k < parts; k++) {
    gk_part_job *j = &jobs[k];
    j->dy = dy + first[k] * T * U; j->dhT = dhT ? dhT + first[k] * U : 0;
    j->dx = dx + first[k] * T * D; j->dh0 = dh0 + first[k] * U;
    if (k == 0) {
      j->dW = dW; j->dR = dR; j->dbx = dbx; j->dbh = dbh;
    } else {
      float *g = j->scratch + (perScratch - grad_floats(d));
      j->dW = g; j->dR = g + D * G; j->dbx = j->dR + U * G; j->dbh = j->dbx + G;
    }
  }
  const int rc = run_parts(jobs, parts);
  if (rc) return rc;
  for (int k = 1; k < parts; k++) {
    for (size_t i = 0; i < D * G; i++) dW[i] += jobs[k].dW[i];
    for (size_t i = 0; i < U * G; i++) dR[i] += jobs[k].dR[i];
    if (dbx) for (size_t i = 0; i < G; i++) dbx[i] += jobs[k].dbx[i];
    if (dbh) for (size_t i = 0; i < G; i++) dbh[i] += jobs[k].dbh[i];
  }
  return 0;
}
