/** From the workers' results to the table, the JSON and the rows the chart draws. */
import * as fs from 'fs';
import * as path from 'path';

import {Family, PeerDef} from './peers';
import {gruFlops, Mode, Size, Task, WorkerResult} from './spec';

/** A forward output that differs from ours by more than this is flagged: a row that computes another function. */
export const OUTPUT_TOLERANCE = 1e-4;

export interface ReportRow {
  peer: string;
  family: Family;
  ours: boolean;
  variant: string;
  mode: Mode;
  size: string;
  task: Task;
  runs: number;
  medianMs?: number;
  minMs?: number;
  gflops?: number;
  /** This row's median over the fastest of our layers on the same backend family, and which that is. */
  ratioToOurs?: number;
  oursBest?: string;
  /** Same, against our fastest layer computing the same GRU function (reset-before / reset-after). */
  ratioToOursSameMode?: number;
  oursSameMode?: string;
  /** Forward rows: max |y - y_ref| over the [B, T, U] output, against `diffReference`. */
  maxAbsDiff?: number;
  diffReference?: string;
  outputMatches?: boolean;
  /** Train at the large size, tfjs rows: peak tensor bytes during the step over those alive before it. */
  peakBytes?: number;
  error?: string;
  note?: string;
}

export interface PeerSummary {
  peer: string;
  title: string;
  family: Family;
  notes: string[];
  unavailable?: string;
  seconds: number;
}

export interface Meta {
  started: string;
  finished: string;
  threads: number;
  runs: number;
  rounds: number;
  warmup: number;
  maxSeconds: number;
  seed: number;
  node: string;
  cpu: string;
  loadavgBefore: number[];
  loadavgAfter: number[];
}

export interface Report {
  meta: Meta;
  sizes: Size[];
  tasks: Task[];
  peers: PeerSummary[];
  rows: ReportRow[];
  text: string;
  json: string;
  /** A markdown table (rows: peer and variant; columns: size and task; cells: median ms), for the README. */
  markdown: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

const label = (r: ReportRow) => `${r.variant}@${r.peer.replace(/^ours@/, '')}`;

export function buildReport(input: {
  results: Array<{peer: PeerDef, result: WorkerResult, seconds: number}>, sizes: Size[], tasks: Task[], outDir: string, meta: Meta,
}): Report {
  const rows: ReportRow[] = [];
  const outputs = new Map<ReportRow, string>();
  const peers: PeerSummary[] = [];
  for (const {peer, result, seconds} of input.results) {
    peers.push({peer: peer.id, title: peer.title, family: peer.family, notes: result.notes, unavailable: result.unavailable, seconds});
    for (const w of result.rows) {
      const size = input.sizes.find((s) => s.name === w.size)!;
      const r: ReportRow = {peer: peer.id, family: peer.family, ours: peer.ours, variant: w.variant, mode: w.mode, size: w.size,
                            task: w.task, runs: w.timesMs.length};
      if (w.timesMs.length) {
        r.medianMs = median(w.timesMs);
        r.minMs = Math.min(...w.timesMs);
        r.gflops = gruFlops(size, w.task) / (r.medianMs * 1e6);
      }
      if (w.peakBytes !== undefined) r.peakBytes = w.peakBytes;
      if (w.error) r.error = w.error;
      if (w.note) r.note = w.note;
      if (w.outputFile) outputs.set(r, path.join(input.outDir, w.outputFile));
      rows.push(r);
    }
  }
  // Ratios to our fastest layer on the same family, size and task (and the same GRU function).
  for (const r of rows) {
    if (r.medianMs === undefined) continue;
    const ours = rows.filter((o) => o.ours && o.family === r.family && o.size === r.size && o.task === r.task && o.medianMs !== undefined);
    const best = ours.reduce<ReportRow | undefined>((b, o) => (!b || o.medianMs! < b.medianMs! ? o : b), undefined);
    if (best) {
      r.ratioToOurs = r.medianMs / best.medianMs!;
      r.oursBest = label(best);
    }
    const same = ours.filter((o) => o.mode === r.mode)
                     .reduce<ReportRow | undefined>((b, o) => (!b || o.medianMs! < b.medianMs! ? o : b), undefined);
    if (same) {
      r.ratioToOursSameMode = r.medianMs / same.medianMs!;
      r.oursSameMode = label(same);
    }
  }
  // Output check: against our gru (same mode) on the first backend that produced it.
  const cache = new Map<string, Float32Array>();
  const load = (f: string) => {
    if (!cache.has(f)) cache.set(f, readF32(f));
    return cache.get(f)!;
  };
  for (const size of input.sizes) {
    for (const mode of ['rb', 'ra'] as const) {
      const candidates = rows.filter((r) => r.size === size.name && r.mode === mode && outputs.has(r));
      const ref = candidates.find((r) => r.ours && r.variant === `gru-${mode}`) ?? candidates.find((r) => r.ours) ?? candidates[0];
      if (!ref) continue;
      const refData = load(outputs.get(ref)!);
      for (const r of candidates) {
        try {
          r.maxAbsDiff = maxAbsDiff(load(outputs.get(r)!), refData);
          r.diffReference = label(ref);
          r.outputMatches = r.maxAbsDiff <= OUTPUT_TOLERANCE;
        } catch (e) {
          r.note = `${r.note ? `${r.note}; ` : ''}output check failed: ${(e as Error).message}`;
        }
      }
      cache.clear();
    }
  }
  const report: Report = {meta: input.meta, sizes: input.sizes, tasks: input.tasks, peers, rows, text: '', json: '', markdown: ''};
  report.text = formatText(report);
  report.markdown = formatMarkdown(report);
  report.json = JSON.stringify({meta: report.meta, sizes: report.sizes, tasks: report.tasks, outputTolerance: OUTPUT_TOLERANCE,
                                peers: report.peers, rows: report.rows}, null, 2) + '\n';
  return report;
}

/** Three significant digits (no exponent above 0.001), or fixed digits when given. */
export function fmt(v: number | undefined, digits?: number): string {
  if (v === undefined) return '-';
  if (!Number.isFinite(v)) return String(v);
  if (digits !== undefined) return v.toFixed(digits);
  if (v === 0) return '0';
  const d = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v))));
  return v.toFixed(Math.min(d, 6));
}

function table(header: string[], body: string[][], rightAlign: boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

const MODE_TEXT: Record<Mode, string> = {rb: 'rb', ra: 'ra', none: '-'};

function formatText(rep: Report): string {
  const m = rep.meta;
  const out: string[] = [];
  out.push(`tfjs-gru peer benchmark, ${m.started} (${m.cpu}, node ${m.node}; load average ${m.loadavgBefore.map((x) => x.toFixed(2)).join(' ')} ` +
           `before, ${m.loadavgAfter.map((x) => x.toFixed(2)).join(' ')} after)`);
  out.push(`float32, returnSequences, zero initial state; every peer in its own process on the same weights and input (seed ${m.seed}); ` +
           `${m.threads} thread(s) each; ${m.warmup} warm-up run(s), then up to ${m.runs} timed runs per row (at most ${m.maxSeconds} s of them)` +
           `${m.rounds > 1 ? `, spread over ${m.rounds} rounds of every peer` : ''}.`);
  out.push(`ms: median (and min) of the timed runs. GFLOP/s: the GRU's matmul FLOPs, 2·B·T·3U·(D+U) forward, 3× that for train, over the median.`);
  out.push(`×ours: this row's median over the fastest of our layers on the same family (native: tfjs-node; wasm; cpu), named in 'ours';`);
  out.push(`  below 1 the peer is faster. ×same: the same against our fastest layer computing the same GRU (rb reset-before, ra reset-after).`);
  out.push(`max|Δy|: forward output against our gru of the same mode (the reference named in the header); '!' marks a difference over ${OUTPUT_TOLERANCE}.`);
  for (const size of rep.sizes) {
    for (const task of rep.tasks) {
      const rows = rep.rows.filter((r) => r.size === size.name && r.task === task);
      if (!rows.length) continue;
      const refs = [...new Set(rows.map((r) => r.diffReference).filter((x) => x))];
      out.push('');
      out.push(`== ${size.name} (B=${size.B} T=${size.T} D=${size.D} U=${size.U}) ${task}: ${fmt(gruFlops(size, task) / 1e9, 3)} GFLOP per run` +
               `${task === 'forward' && refs.length ? `; outputs vs ${refs.join(' / ')}` : ''} ==`);
      const body = rows.map((r) => [
        r.peer, r.variant, MODE_TEXT[r.mode],
        r.error && r.medianMs === undefined ? `error: ${r.error}` : fmt(r.medianMs), fmt(r.minMs), String(r.runs), fmt(r.gflops),
        fmt(r.ratioToOurs), r.oursBest ?? '-', fmt(r.ratioToOursSameMode),
        task === 'forward' ? (r.maxAbsDiff === undefined ? '-' : `${r.maxAbsDiff.toExponential(1)}${r.outputMatches ? '' : ' !'}`) :
                             (r.peakBytes !== undefined ? `${(r.peakBytes / 2 ** 20).toFixed(1)} MiB` : '-'),
      ]);
      const last = task === 'forward' ? 'max|Δy|' : 'peak';
      out.push(...table(['peer', 'variant', 'mode', 'median ms', 'min ms', 'runs', 'GFLOP/s', '×ours', 'ours', '×same', last], body,
                        [false, false, false, true, true, true, true, true, false, true, true]));
      for (const r of rows.filter((x) => x.error && x.medianMs !== undefined)) out.push(`  ${r.peer} ${r.variant}: ${r.error}`);
      for (const r of rows.filter((x) => x.note)) out.push(`  ${r.peer} ${r.variant}: ${r.note}`);
    }
  }
  const mem = rep.rows.filter((r) => r.peakBytes !== undefined);
  if (mem.length) {
    out.push('');
    out.push('== memory: peak tensor bytes of one training step at the large size (tf.profile peakBytes minus the bytes alive before it) ==');
    const body = mem.map((r) => {
      const builtin = mem.find((b) => b.peer === r.peer.replace(/^ours@/, 'tfjs-layers@'));
      return [r.peer, r.variant, `${(r.peakBytes! / 2 ** 20).toFixed(1)}`,
              builtin && builtin.peakBytes ? (r.peakBytes! / builtin.peakBytes).toFixed(2) : '-'];
    });
    out.push(...table(['peer', 'variant', 'peak MiB', '× tf.layers.gru (same backend)'], body, [false, false, true, true]));
  }
  const diffs = rep.rows.filter((r) => r.outputMatches === false);
  if (diffs.length) {
    out.push('');
    out.push(`OUTPUT MISMATCH (max|Δy| > ${OUTPUT_TOLERANCE}): ${diffs.map((r) => `${r.peer} ${r.variant} ${r.size} (${r.maxAbsDiff!.toExponential(2)})`).join('; ')}`);
  }
  out.push('');
  out.push('== peers ==');
  for (const p of rep.peers) {
    out.push(`${p.peer}: ${p.title}${p.unavailable ? '' : ` (${p.seconds.toFixed(0)} s)`}`);
    if (p.unavailable) out.push(`  NOT RUN: ${p.unavailable}`);
    for (const n of p.notes) out.push(`  ${n}`);
  }
  return out.join('\n') + '\n';
}

function formatMarkdown(rep: Report): string {
  const cols: Array<{size: Size, task: Task}> = [];
  for (const size of rep.sizes) for (const task of rep.tasks) cols.push({size, task});
  const keys: string[] = [];
  for (const r of rep.rows) if (!keys.includes(`${r.peer}\t${r.variant}`)) keys.push(`${r.peer}\t${r.variant}`);
  const head = ['peer', 'variant', 'mode', ...cols.map((c) => `${c.size.name} (${c.size.B},${c.size.T},${c.size.D},${c.size.U}) ${c.task}`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`];
  for (const k of keys) {
    const [peer, variant] = k.split('\t');
    const mine = rep.rows.filter((r) => r.peer === peer && r.variant === variant);
    const cells = cols.map((c) => {
      const r = mine.find((x) => x.size === c.size.name && x.task === c.task);
      if (!r) return '';
      if (r.medianMs === undefined) return 'error';
      return `${r.ours ? '**' : ''}${fmt(r.medianMs)}${r.ours ? '**' : ''}${r.outputMatches === false ? ' (output differs)' : ''}`;
    });
    lines.push(`| ${peer} | ${variant} | ${MODE_TEXT[mine[0].mode]} | ${cells.join(' | ')} |`);
  }
  const m = rep.meta;
  lines.push('');
  lines.push(`ms, medians of up to ${m.runs} runs after ${m.warmup} warm-up(s), ${m.threads} thread(s) per peer, ${m.started.slice(0, 10)}, ${m.cpu}; ` +
             `empty: not run for that size or task (onnxruntime: inference only; tfjs cpu: latency only).`);
  for (const p of rep.peers.filter((x) => x.unavailable)) lines.push(`Not run: ${p.peer} (${p.unavailable}).`);
  return lines.join('\n') + '\n';
}
