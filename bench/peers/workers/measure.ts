/** Timing inside a worker: warm-up, then rounds that alternate between the candidates, with a time budget per candidate. */

export interface Candidate {
  key: string;
  run: () => void | Promise<void>;
}

export interface Measured {
  timesMs: number[];
  error?: string;
}

const WARMUP_MS = 300;
const MAX_WARMUP_RUNS = 5000;

async function timeOnce(fn: () => void | Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * Warms every candidate up (`warmup` runs, 0 allowed when the caller has already run it once, and at least
 * 300 ms of runs; a single one when that already took more than a quarter of the budget), then runs rounds in which each candidate runs once, until each has `runs` timed runs or has spent
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
      // Also at least WARMUP_MS of runs: V8 runs wasm (ours and onnxruntime-web's) as baseline code
      // until a function is hot, and a one-step call would otherwise be timed before that.
      let spent = 0;
      for (let i = 0; (i < warmup || spent < WARMUP_MS) && i < MAX_WARMUP_RUNS; i++) {
        const ms = await timeOnce(c.run);
        spent += ms;
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
