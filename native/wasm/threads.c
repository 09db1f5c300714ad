/*
 * The threaded wasm build's thread pool. Every thread is an instance of this
 * module on one shared memory: the caller's (thread 0, which runs the kernel
 * calls) and workers (Web Workers or worker_threads), each of which calls
 * gk_thread_main and stays there. A call hands out one job: a team job (every
 * thread runs gk_forward_team on its share of the units, meeting at each step)
 * or the batch parts of batch_parallel.c (one part per thread, no meeting).
 *
 * Waiting: a thread spins on the word it waits for, then blocks with
 * memory.atomic.wait32, except the caller on a browser's main thread, which may
 * not block and only spins (gk_threads_init's caller_may_block).
 *
 * The exports named as the single-threaded build's (gk_forward, gk_backward and
 * their scratch sizes) choose, per call, the batch parts (B ≥ 2), the team
 * (B = 1, enough work per step) or one thread. Their workspace
 * is the single-threaded build's, whatever ran: the parts' workspaces are
 * gathered into it (and spread out of it for backward), so a forward pass on
 * one build and its backward pass on the other agree.
 */
#include "batch_parallel.h"
#include "gk_team.h"
#include "gru_kernel.h"

#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define SPINS 50000

enum { JOB_PARTS = 1, JOB_TEAM = 2, JOB_TEAM_BACKWARD = 3, JOB_EXIT = 4 };

typedef struct {
  int threads;
  int caller_may_block;
  int always;    /* share every call that can be shared, however small (tests) */
  int job_gen;   /* bumped to hand out a job */
  int job_kind;
  int pending;   /* workers still running the job */
  int bar_count, bar_gen;
  int started;   /* workers that have entered gk_thread_main */
  /* the job */
  gk_part_job *parts;
  int nparts;
  const gk_dims *d;
  const float *x, *W, *R, *bx, *bh, *h0, *mask;
  float *y, *hT, *ws, *scratch;
  const float *dy, *dhT;
  float *dx, *dW, *dR, *dbx, *dbh, *dh0;
  int rc;
} pool_state;

static pool_state pool;

static int load(int *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }

/* Returns once *p != seen: spins, then blocks if this thread may. */
static void wait_change(int *p, int seen, int may_block) {
  for (int i = 0; i < SPINS; i++) if (load(p) != seen) return;
  while (load(p) == seen) {
    if (may_block) __builtin_wasm_memory_atomic_wait32(p, seen, -1);
  }
}

static void wake_all(int *p) { __builtin_wasm_memory_atomic_notify(p, 0xffffffffu); }

static int may_block(int index) { return index > 0 || pool.caller_may_block; }

/* A generation barrier over the pool's threads. */
static void team_sync(const gk_team *t) {
  const int gen = load(&pool.bar_gen);
  if (__atomic_fetch_add(&pool.bar_count, 1, __ATOMIC_SEQ_CST) == t->count - 1) {
    __atomic_store_n(&pool.bar_count, 0, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&pool.bar_gen, 1, __ATOMIC_SEQ_CST);
    wake_all(&pool.bar_gen);
  } else {
    wait_change(&pool.bar_gen, gen, may_block(t->index));
  }
}

static void run_share(int index) {
  if (pool.job_kind == JOB_PARTS) {
    if (index < pool.nparts) gk_run_part(&pool.parts[index]);
  } else {
    const gk_team team = {index, pool.threads, team_sync};
    const int rc = pool.job_kind == JOB_TEAM ?
        gk_forward_team(&team, pool.d, pool.x, pool.W, pool.R, pool.bx, pool.bh, pool.h0, pool.mask,
                        pool.y, pool.hT, pool.ws, pool.scratch) :
        gk_backward_team(&team, pool.d, pool.x, pool.W, pool.R, pool.bx, pool.bh, pool.h0, pool.mask,
                         pool.ws, pool.dy, pool.dhT, pool.dx, pool.dW, pool.dR, pool.dbx, pool.dbh, pool.dh0,
                         pool.scratch);
    if (index == 0) pool.rc = rc;
  }
}

/* Thread 0: hands the job out, runs its share, returns when every worker is done. */
static void run_job(int kind) {
  pool.job_kind = kind;
  __atomic_store_n(&pool.pending, pool.threads - 1, __ATOMIC_SEQ_CST);
  __atomic_fetch_add(&pool.job_gen, 1, __ATOMIC_SEQ_CST);
  wake_all(&pool.job_gen);
  if (kind == JOB_EXIT) return;
  run_share(0);
  for (int left = load(&pool.pending); left != 0; left = load(&pool.pending)) {
    wait_change(&pool.pending, left, pool.caller_may_block);
  }
}

/* Called once, by thread 0, before any worker starts. */
EXPORT("gk_threads_init") void gk_threads_init(int threads, int caller_may_block, int always) {
  pool.threads = threads < 1 ? 1 : threads;
  pool.caller_may_block = caller_may_block;
  pool.always = always;
}

/* A worker's life: runs its share of each job until gk_threads_exit. */
EXPORT("gk_thread_main") void gk_thread_main(int index) {
  int seen = load(&pool.job_gen);
  __atomic_fetch_add(&pool.started, 1, __ATOMIC_SEQ_CST);
  wake_all(&pool.started);
  for (;;) {
    wait_change(&pool.job_gen, seen, 1);
    seen = load(&pool.job_gen);
    if (pool.job_kind == JOB_EXIT) return;
    run_share(index);
    if (__atomic_fetch_sub(&pool.pending, 1, __ATOMIC_SEQ_CST) == 1) wake_all(&pool.pending);
  }
}

/* The address of the count of workers that have entered gk_thread_main (the loader waits on it). */
EXPORT("gk_threads_started") int *gk_threads_started(void) { return &pool.started; }

/* Thread 0: ends every worker's gk_thread_main. */
EXPORT("gk_threads_exit") void gk_threads_exit(void) {
  if (pool.threads > 1) run_job(JOB_EXIT);
  pool.threads = 1;
}

/* parts is at most pool.threads (parts_of). */
void gk_run_parts(gk_part_job *jobs, int parts) {
  pool.parts = jobs;
  pool.nparts = parts;
  run_job(JOB_PARTS);
}

/*
 * Multiply-adds per step below which meeting at each step costs more than the
 * second thread saves, and per call below which waking the parked workers
 * (tens of µs) does.
 */
#define MIN_TEAM_STEP_WORK 60000.0
#define MIN_TEAM_CALL_WORK 2e6

static int use_team(const gk_dims *d) {
  if (pool.threads < 2 || d->batch != 1) return 0;
  if (pool.always) return 1;
  const double step = 3.0 * d->units * (d->units + d->input_size);
  return step >= MIN_TEAM_STEP_WORK && step * d->time >= MIN_TEAM_CALL_WORK && d->units >= 8 * pool.threads;
}

/* Batch parts of a call: as the native addon cuts them, or every row its own part up to the threads (always). */
static int parts_of(const gk_dims *d) {
  if (pool.always) return d->batch < pool.threads ? d->batch : pool.threads;
  return gk_parts(d, pool.threads);
}

/*
 * The workspace is nb blocks of [T, B, U] (gru_kernel.c); the parts' workspaces,
 * one after the other, are nb blocks of [T, Bk, U] each. Copies one layout into the other.
 */
static void regroup_workspace(const gk_dims *d, int parts, const float *src, float *dst, int to_whole) {
  const size_t T = d->time, B = d->batch, U = d->units;
  const size_t nb = gk_workspace_floats(d) / (T * B * U);
  size_t at = 0;  /* the part's start in the parts' layout */
  for (int k = 0; k < parts; k++) {
    int first, size;
    gk_part_range(d->batch, parts, k, &first, &size);
    for (size_t blk = 0; blk < nb; blk++) {
      for (size_t t = 0; t < T; t++) {
        const size_t n = (size_t)size * U;
        float *whole = (float *)(to_whole ? dst : src) + (blk * T + t) * B * U + (size_t)first * U;
        float *part = (float *)(to_whole ? src : dst) + at + (blk * T + t) * n;
        if (to_whole) memcpy(whole, part, n * sizeof(float));
        else memcpy(part, whole, n * sizeof(float));
      }
    }
    at += nb * T * size * U;
  }
}

EXPORT("gk_forward_scratch_floats") size_t mt_forward_scratch_floats(const gk_dims *d) {
  const int parts = parts_of(d);
  return parts > 1 ? gk_forward_parallel_scratch(d, parts) + gk_workspace_floats(d) : gk_forward_scratch_floats(d);
}

EXPORT("gk_backward_scratch_floats") size_t mt_backward_scratch_floats(const gk_dims *d) {
  const int parts = parts_of(d);
  return parts > 1 ? gk_backward_parallel_scratch(d, parts) + gk_workspace_floats(d) : gk_backward_scratch_floats(d);
}

/* The threads a call (forward or backward) of these dims runs on (1, the parts, or the team). */
EXPORT("gk_call_threads") int gk_call_threads(const gk_dims *d) {
  const int parts = parts_of(d);
  if (parts > 1) return parts;
  return use_team(d) ? pool.threads : 1;
}

EXPORT("gk_forward") int mt_forward(const gk_dims *d, const float *x, const float *W, const float *R,
                                    const float *bx, const float *bh, const float *h0, const float *mask,
                                    float *y, float *hT, float *ws, float *scratch) {
  const int parts = parts_of(d);
  if (parts > 1) {
    float *parts_ws = ws ? scratch + gk_forward_parallel_scratch(d, parts) : 0;
    const int rc = gk_forward_parallel(d, parts, x, W, R, bx, bh, h0, mask, y, hT, parts_ws, scratch);
    if (rc == 0 && ws) regroup_workspace(d, parts, parts_ws, ws, 1);
    return rc;
  }
  if (!use_team(d)) return gk_forward(d, x, W, R, bx, bh, h0, mask, y, hT, ws, scratch);
  pool.d = d; pool.x = x; pool.W = W; pool.R = R; pool.bx = bx; pool.bh = bh; pool.h0 = h0; pool.mask = mask;
  pool.y = y; pool.hT = hT; pool.ws = ws; pool.scratch = scratch;
  run_job(JOB_TEAM);
  return pool.rc;
}

EXPORT("gk_backward") int mt_backward(const gk_dims *d, const float *x, const float *W, const float *R,
                                      const float *bx, const float *bh, const float *h0, const float *mask,
                                      const float *ws, const float *dy, const float *dhT,
                                      float *dx, float *dW, float *dR, float *dbx, float *dbh, float *dh0,
                                      float *scratch) {
  const int parts = parts_of(d);
  if (parts <= 1 && use_team(d)) {
    pool.d = d; pool.x = x; pool.W = W; pool.R = R; pool.bx = bx; pool.bh = bh; pool.h0 = h0; pool.mask = mask;
    pool.ws = (float *)ws; pool.dy = dy; pool.dhT = dhT; pool.dx = dx; pool.dW = dW; pool.dR = dR; pool.dbx = dbx;
    pool.dbh = dbh; pool.dh0 = dh0; pool.scratch = scratch;
    run_job(JOB_TEAM_BACKWARD);
    return pool.rc;
  }
  if (parts <= 1) return gk_backward(d, x, W, R, bx, bh, h0, mask, ws, dy, dhT, dx, dW, dR, dbx, dbh, dh0, scratch);
  float *parts_ws = scratch + gk_backward_parallel_scratch(d, parts);
  regroup_workspace(d, parts, ws, parts_ws, 0);
  return gk_backward_parallel(d, parts, x, W, R, bx, bh, h0, mask, parts_ws, dy, dhT, dx, dW, dR, dbx, dbh, dh0,
                              scratch);
}
