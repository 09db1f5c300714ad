/** Timing inside a worker: warm-up, then rounds that alternate between the candidates, with a time budget per candidate. */

export interface Candidate {
  key: string;
  run: () => void | Promise<void>;
}

export interface Measured {
  timesMs: number[];
  error?: string;
}

async function timeOnce(fn: () => void | Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * Warms every candidate up (`warmup` runs, 0 allowed when the caller has already run it once; a single one
 * when that already took more than a quarter of the budget), then runs rounds in which each candidate runs once, until each has `runs` timed runs or has spent
 * `maxSeconds` on timed runs (at least one timed run each). A candidate that throws is dropped with its error.
 */
export async function measure(cands: Candidate[], runs: number, warmup: number, maxSeconds: number):
    Promise<Map<string, Measured>> {
  const out = new Map<string, Measured>();
  const live: Candidate[] = [];
  for (const c of cands) {
    const m: Measured = {timesMs: []};
    out.set(c.key, m);
    try {
      for (let i = 0; i < warmup; i++) {
        const ms = await timeOnce(c.run);
        if (ms > maxSeconds * 250) break;
      }
      live.push(c);
    } catch (e) {
      m.error = errorText(e);
    }
  }
  for (let round = 0; round < runs && live.length > 0; round++) {
    for (const c of [...live]) {
      const m = out.get(c.key)!;
      try {
        m.timesMs.push(await timeOnce(c.run));
      } catch (e) {
        m.error = errorText(e);
        live.splice(live.indexOf(c), 1);
        continue;
      }
      const spent = m.timesMs.reduce((a, b) => a + b, 0);
      if (m.timesMs.length >= runs || spent > maxSeconds * 1000) live.splice(live.indexOf(c), 1);
    }
  }
  return out;
}

export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 300);
}
