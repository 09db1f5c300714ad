/**
 * The streaming table of the peer benchmark (see streamSpec.ts): each streaming peer in its own process on the
 * same seeded model and frames, per-frame medians, and every peer's outputs against ours-stream's.
 */
import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import {ensureNpmPeers, Log, tsNodeRegister} from './setup';
import {STREAM, StreamJob, StreamResult} from './streamSpec';

export interface StreamPeer {
  id: string;
  title: string;
  /** --peers names that select it. */
  selectedBy: string[];
  /** Needs the bench-only onnxruntime install. */
  ort: boolean;
}

export const STREAM_PEERS: StreamPeer[] = [
  {id: 'ours-stream', title: 'tfjs-gru/stream: wasm kernel alone, no tfjs, state inside', selectedBy: ['ours', 'ours@wasm'], ort: false},
  {id: 'ours-layers@tensorflow', title: 'our layers (stateful) in a LayersModel, predict per frame, tfjs-node', selectedBy: ['ours', 'ours@tensorflow'], ort: false},
  {id: 'ours-layers@wasm', title: 'our layers (stateful) in a LayersModel, predict per frame, tfjs wasm', selectedBy: ['ours', 'ours@wasm'], ort: false},
  {id: 'ort-node', title: 'onnxruntime-node, state carried by the caller', selectedBy: ['ort-node'], ort: true},
  {id: 'ort-web', title: 'onnxruntime-web (wasm, in Node), state carried by the caller', selectedBy: ['ort-web'], ort: true},
];

export interface StreamRow {
  peer: string;
  title: string;
  perFrameMs: number[];
  medianMs?: number;
  minMs?: number;
  /** median / ours-stream's median */
  ratio?: number;
  /** max |output − ours-stream's output| over all frames */
  maxAbsDiff?: number;
  notes: string[];
  unavailable?: string;
}

export interface StreamReport {
  rows: StreamRow[];
  text: string;
  markdown: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function readF32(file: string): Float32Array|null {
  if (!fs.existsSync(file)) return null;
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function runStreamBench(opts: {tmp: string, seed: number, threads: number, runs: number, warmup: number, maxSeconds: number,
                                      install: boolean, workerTimeoutSeconds: number, peers?: string[], log: Log}): StreamReport {
  const chosen = STREAM_PEERS.filter((p) => !opts.peers || opts.peers.length === 0 || p.selectedBy.some((n) => opts.peers!.includes(n)));
  const rows: StreamRow[] = [];
  const outputs = new Map<string, Float32Array>();
  for (const p of chosen) {
    const row: StreamRow = {peer: p.id, title: p.title, perFrameMs: [], notes: []};
    rows.push(row);
    const reg = tsNodeRegister();
    const ready = p.ort ? ensureNpmPeers(opts.log, opts.install) : {ok: true, detail: ''};
    if (!reg.ok || !ready.ok) {
      row.unavailable = reg.ok ? ready.detail : reg.detail;
      continue;
    }
    const base = path.join(opts.tmp, `stream.${p.id.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
    const job: StreamJob = {peer: p.id, seed: opts.seed, threads: opts.threads, runs: opts.runs, warmup: opts.warmup,
      maxSeconds: opts.maxSeconds, resultFile: `${base}.result.json`, outputFile: `${base}.f32`};
    fs.writeFileSync(`${base}.job.json`, JSON.stringify(job));
    opts.log(`bench: stream ${p.id}`);
    const s = String(opts.threads);
    const r = spawnSync(process.execPath, ['-r', reg.detail, path.join(__dirname, 'workers', 'stream.ts'), `${base}.job.json`], {
      encoding: 'utf8', timeout: opts.workerTimeoutSeconds * 1000,
      env: {...process.env, OMP_NUM_THREADS: s, OPENBLAS_NUM_THREADS: s, TF_NUM_INTRAOP_THREADS: s, TF_NUM_INTEROP_THREADS: s,
        TF_CPP_MIN_LOG_LEVEL: '2'},
    });
    let result: StreamResult|undefined;
    try {
      result = JSON.parse(fs.readFileSync(job.resultFile, 'utf8')) as StreamResult;
    } catch {
      row.unavailable = `worker ${r.signal ? `killed by ${r.signal}` : `exited ${r.status}`}: ${(r.stderr || '').trim().split('\n').slice(-2).join(' | ').slice(0, 300)}`;
      continue;
    }
    row.notes = result.notes;
    if (result.unavailable) {
      row.unavailable = result.unavailable;
      continue;
    }
    row.perFrameMs = result.perFrameMs;
    row.medianMs = median(result.perFrameMs);
    row.minMs = Math.min(...result.perFrameMs);
    const out = readF32(job.outputFile);
    if (out) outputs.set(p.id, out);
  }
  const ref = rows.find((r) => r.peer === 'ours-stream');
  const refOut = outputs.get('ours-stream');
  for (const row of rows) {
    if (ref?.medianMs && row.medianMs) row.ratio = row.medianMs / ref.medianMs;
    const o = outputs.get(row.peer);
    if (refOut && o && o.length === refOut.length) {
      let m = 0;
      for (let i = 0; i < o.length; i++) m = Math.max(m, Math.abs(o[i] - refOut[i]));
      row.maxAbsDiff = Number.isNaN(m) ? Infinity : m;
    }
  }
  return {rows, text: formatText(rows), markdown: formatMarkdown(rows)};
}

const TITLE = `per frame, ${STREAM.layers} x GRU(${STREAM.U}, reset-before) + Dense(${STREAM.O}, sigmoid), D = ${STREAM.D}, batch 1, ` +
  `${STREAM.frames} frames per pass from zero states`;

function cells(r: StreamRow): string[] {
  const ms = (v?: number) => (v == null ? '' : v.toFixed(3));
  return [r.peer, ms(r.medianMs), ms(r.minMs), r.ratio == null ? '' : r.ratio.toFixed(2), String(r.perFrameMs.length),
    r.maxAbsDiff == null ? '' : r.maxAbsDiff.toExponential(1), r.unavailable ? `NOT RUN: ${r.unavailable}` : ''];
}

const HEADER = ['peer', 'ms/frame median', 'min', 'x stream', 'passes', 'max abs diff vs stream', ''];

function formatText(rows: StreamRow[]): string {
  const body = rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 || i === c.length - 1 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd();
  const notes = rows.flatMap((r) => r.notes.map((n) => `  ${r.peer}: ${n}`));
  return [`== streaming: ${TITLE} ==`, line(HEADER), ...body.map(line), ...notes, ''].join('\n');
}

function formatMarkdown(rows: StreamRow[]): string {
  return [`### Streaming: ${TITLE}`, '', `| ${HEADER.slice(0, -1).join(' | ')} |`, `|${HEADER.slice(0, -1).map((_, i) => (i ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).slice(0, -1).join(' | ')} |${r.unavailable ? ` not run: ${r.unavailable}` : ''}`), ''].join('\n');
}
