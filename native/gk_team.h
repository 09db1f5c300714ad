/*
 * A team of threads running one kernel call together (the threaded wasm build,
 * native/wasm/threads.c): each member knows its index and the team's size, and
 * waits for all members at gk_team_sync. A team of one (GK_SOLO) never waits:
 * the single-threaded builds run the same code with it.
 */
#ifndef GK_TEAM_H
#define GK_TEAM_H

typedef struct gk_team {
  int index, count;
  /* Returns when every member has called it (count > 1 only). */
  void (*sync)(const struct gk_team *team);
} gk_team;

static const gk_team GK_SOLO = {0, 1, 0};

static inline void gk_team_sync(const gk_team *t) {
  if (t->count > 1) t->sync(t);
}

/* This member's share [*lo, *hi) of n items, cut in whole multiples of grain (the last share takes the rest). */
static inline void gk_team_share(const gk_team *t, int n, int grain, int *lo, int *hi) {
  const int blocks = (n + grain - 1) / grain;
  const int per = blocks / t->count, extra = blocks % t->count;
  const int b0 = t->index * per + (t->index < extra ? t->index : extra);
  const int b1 = b0 + per + (t->index < extra ? 1 : 0);
  *lo = b0 * grain < n ? b0 * grain : n;
  *hi = b1 * grain < n ? b1 * grain : n;
}

#endif
