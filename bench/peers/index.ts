/**
 * The peer benchmark (issue 8 item 1): our GRU layers beside every peer, each peer in its own process, on the
 * same weights and inputs. `runBench(options)` runs it and returns the table, the JSON and the SVG; main.ts is
 * the command line (`npm run bench`).
 */
import {spawn} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {writeData} from './data';
import {PeerDef, selectPeers, workerOptions} from './peers';
import {buildReport, Report} from './report';
import {svgChart} from './svg';
import {Size, SIZES, Task, TASKS, WorkerJob, WorkerResult} from './spec';
import {Log} from './setup';
import {runStreamBench, StreamReport} from './stream';

export interface BenchOptions {
  /** Size names (default all: latency, medium, large). */
  sizes?: string[];
  tasks?: Task[];
  /** Peer ids or names (default all). */
  peers?: string[];
  /** Timed runs per row (default 10) after `warmup` (default 2). */
  runs?: number;
  warmup?: number;
  /** Per row: stop after this many seconds of timed runs (default 30; at least one run). */
  maxSeconds?: number;
  /** A worker still running after this many seconds is killed and its peer reported as timed out (default 3600). */
  workerTimeoutSeconds?: number;
  /**
   * Run every peer this many times, one after the other, each time with runs/rounds timed runs and
   * maxSeconds/rounds of budget, and pool the timings (default 1). Spreads each peer's runs over the whole
   * benchmark, so that a busy spell on a shared machine does not fall on one peer alone.
   */
  rounds?: number;
  /** Threads for every peer (default 2). */
  threads?: number;
  seed?: number;
  /** Where peers.txt, peers.md, peers.json and peers.svg go (default bench/results). null: write nothing. */
  outDir?: string | null;
  /** Install missing peers (npm ci of bench/peers, the venv, apt python3-torch / OpenBLAS). Default true. */
  install?: boolean;
  /** Keep the temp dir with the data, outputs and worker logs. */
  keep?: boolean;
  /** Progress lines (default: stderr). */
  log?: Log;
}

export interface BenchResult {
  report: Report;
  /** The streaming table (null when the size 'stream' was not asked for). */
  stream: StreamReport|null;
  text: string;
  json: string;
  svg: string;
  /** Files written. */
  files: string[];
}

/** A bad option (unknown size, task or peer; a non-positive count). */
export class BenchOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchOptionError';
  }
}

export const DEFAULT_RESULTS_DIR = path.resolve(__dirname, '..', 'results');

/** The pseudo-size of the streaming table (streamSpec.ts): not a GRU size, its own peers and model. */
const STREAM_SIZE = 'stream';

function pickSizes(names: string[] | undefined): Size[] {
  if (!names || names.length === 0) return [...SIZES];
  const bad = names.filter((n) => n !== STREAM_SIZE && !SIZES.some((s) => s.name === n));
  if (bad.length) throw new BenchOptionError(`--sizes: unknown size(s) ${bad.join(', ')}; known: ${SIZES.map((s) => s.name).join(', ')}`);
  return SIZES.filter((s) => names.includes(s.name));
}

function threadEnv(n: number): Record<string, string> {
  const s = String(n);
  return {
    OMP_NUM_THREADS: s, OPENBLAS_NUM_THREADS: s, MKL_NUM_THREADS: s,
    TF_NUM_INTRAOP_THREADS: s, TF_NUM_INTEROP_THREADS: s, TF_CPP_MIN_LOG_LEVEL: '2',
  };
}

/** Runs one worker; resolves to its result, or to an 'unavailable' result that says why. */
function runWorker(peer: PeerDef, job: WorkerJob, jobFile: string, tmp: string,
                   opts: Required<Pick<BenchOptions, 'install' | 'workerTimeoutSeconds'>>, log: Log): Promise<WorkerResult> {
  const cmd = peer.command(log, opts.install);
  if ('error' in cmd) return Promise.resolve({peer: peer.id, notes: [], rows: [], unavailable: cmd.error});
  const env: NodeJS.ProcessEnv = {...process.env, ...threadEnv(job.threads)};
  for (const [k, v] of Object.entries(cmd.env)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const logFile = path.join(tmp, `${peer.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
  return new Promise((resolve) => {
    const child = spawn(cmd.argv[0], [...cmd.argv.slice(1), jobFile], {env, stdio: ['ignore', 'pipe', 'pipe']});
    const out = fs.createWriteStream(logFile);
    child.stdout.pipe(out, {end: false});
    child.stderr.pipe(out, {end: false});
    const fail = (why: string) => resolve({peer: peer.id, notes: [], rows: [], unavailable: why});
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.workerTimeoutSeconds * 1000);
    child.on('error', (e) => fail(`could not start ${cmd.argv[0]}: ${e.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      out.end(() => {
        if (timedOut) {
          fail(`worker timed out after ${opts.workerTimeoutSeconds} s and was killed (log: ${logFile}); ` +
               `use fewer --runs, a smaller --max-seconds or --worker-timeout`);
          return;
        }
        let result: WorkerResult | undefined;
        try {
          result = JSON.parse(fs.readFileSync(job.resultFile, 'utf8')) as WorkerResult;
        } catch {
          result = undefined;
        }
        if (result && code === 0) {
          resolve(result);
          return;
        }
        const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n').filter((l) => !/cuda|absl::|WARNING: All log/i.test(l));
        fail(`worker ${signal ? `killed by ${signal}` : `exited with code ${code}`}${result ? ' after writing a result' : ''}: ` +
             `${lines.slice(-3).join(' | ').slice(0, 500)} (log: ${logFile})`);
      });
    });
  });
}

/** Adds a later round's timings to the first round's rows (same variant, size and task). */
function mergeRound(into: WorkerResult, from: WorkerResult, round: number): void {
  if (from.unavailable) {
    into.notes.push(`round ${round + 1} failed: ${from.unavailable}`);
    return;
  }
  for (const r of from.rows) {
    const t = into.rows.find((x) => x.variant === r.variant && x.size === r.size && x.task === r.task);
    if (!t) {
      into.rows.push(r);
      continue;
    }
    t.timesMs.push(...r.timesMs);
    if (r.error && !t.error) t.error = `round ${round + 1}: ${r.error}`;
  }
}

export async function runBench(options: BenchOptions = {}): Promise<BenchResult> {
  const log: Log = options.log ?? ((l) => process.stderr.write(`${l}\n`));
  const sizes = pickSizes(options.sizes);
  const withStream = !options.sizes || options.sizes.length === 0 || options.sizes.includes(STREAM_SIZE);
  const tasks = options.tasks && options.tasks.length ? options.tasks : [...TASKS];
  const badTask = tasks.filter((t) => !TASKS.includes(t));
  if (badTask.length) throw new BenchOptionError(`--tasks: unknown task(s) ${badTask.join(', ')}; known: ${TASKS.join(', ')}`);
  let peers: PeerDef[];
  try {
    peers = selectPeers(options.peers);
  } catch (e) {
    throw new BenchOptionError((e as Error).message);
  }
  const threads = options.threads ?? 2;
  const runs = options.runs ?? 10;
  const warmup = options.warmup ?? 2;
  const maxSeconds = options.maxSeconds ?? 30;
  const seed = options.seed ?? 1;
  const install = options.install ?? true;
  const workerTimeoutSeconds = options.workerTimeoutSeconds ?? 3600;
  const rounds = options.rounds ?? 1;
  for (const [name, v] of [['threads', threads], ['runs', runs], ['max-seconds', maxSeconds],
                                ['worker-timeout', workerTimeoutSeconds], ['rounds', rounds]] as const) {
    if (!(v > 0)) throw new BenchOptionError(`--${name} must be a positive number, got ${v}`);
  }
  for (const [name, v] of [['threads', threads], ['runs', runs], ['rounds', rounds], ['warmup', warmup]] as const) {
    if (!Number.isInteger(v)) throw new BenchOptionError(`--${name} must be a whole number, got ${v}`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-bench-'));
  const dataDir = path.join(tmp, 'data');
  const outDir = path.join(tmp, 'out');
  fs.mkdirSync(outDir, {recursive: true});
  const started = new Date();
  const loadBefore = os.loadavg();
  log(`bench: data for ${sizes.map((s) => s.name).join(', ')} (seed ${seed}) in ${dataDir}`);
  writeData(dataDir, sizes, seed);
  try {
    let stream: StreamReport|null = null;
    if (withStream) {
      stream = runStreamBench({tmp, seed, threads, runs, warmup, maxSeconds, install, workerTimeoutSeconds, peers: options.peers, log});
    }
    const perRound = Math.max(1, Math.ceil(runs / rounds));
    const merged = new Map<string, {peer: PeerDef, result: WorkerResult, seconds: number}>();
    for (let round = 0; round < rounds; round++) {
      for (const peer of peers) {
        const peerSizes = peer.sizes(sizes);
        const peerTasks = peer.tasks.filter((t) => tasks.includes(t));
        if (peerSizes.length === 0 || peerTasks.length === 0) {
          if (round === 0) log(`bench: ${peer.id} skipped (it runs ${peer.sizes([...SIZES]).map((s) => s.name).join(', ')}; ${peer.tasks.join(', ')})`);
          continue;
        }
        const earlier = merged.get(peer.id);
        if (earlier?.result.unavailable) continue;
        const base = `${peer.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.r${round}`;
        const job: WorkerJob = {
          peer: peer.id, dataDir, outDir, resultFile: path.join(tmp, `${base}.result.json`),
          sizes: peerSizes, tasks: peerTasks, runs: perRound, warmup, maxSeconds: maxSeconds / rounds, threads,
          options: {...workerOptions(peer.id), memory: round === 0 ? '1' : '0'},
        };
        const jobFile = path.join(tmp, `${base}.job.json`);
        fs.writeFileSync(jobFile, JSON.stringify(job, null, 1));
        log(`bench: ${rounds > 1 ? `round ${round + 1}/${rounds}: ` : ''}${peer.id} (${peerSizes.map((s) => s.name).join(', ')}; ${peerTasks.join(', ')})`);
        const t0 = Date.now();
        const result = await runWorker(peer, job, jobFile, tmp, {install, workerTimeoutSeconds}, log);
        const seconds = (Date.now() - t0) / 1000;
        log(`bench: ${peer.id} ${result.unavailable ? `UNAVAILABLE: ${result.unavailable}` : `done in ${seconds.toFixed(0)} s`}`);
        if (!earlier) {
          merged.set(peer.id, {peer, result, seconds});
        } else {
          mergeRound(earlier.result, result, round);
          earlier.seconds += seconds;
        }
      }
    }
    const results = [...merged.values()];
    const report = buildReport({
      results, sizes, tasks, outDir,
      meta: {
        started: started.toISOString(), finished: new Date().toISOString(), threads, runs, rounds, warmup, maxSeconds, seed,
        node: process.version, cpu: `${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}`,
        loadavgBefore: loadBefore, loadavgAfter: os.loadavg(),
      },
    });
    if (stream) {
      report.text += `\n${stream.text}`;
      report.markdown += `\n${stream.markdown}`;
      report.json = JSON.stringify({...JSON.parse(report.json), stream: stream.rows}, null, 1);
    }
    const svg = svgChart(report);
    const files: string[] = [];
    const resultsDir = options.outDir === undefined ? DEFAULT_RESULTS_DIR : options.outDir;
    if (resultsDir !== null) {
      fs.mkdirSync(resultsDir, {recursive: true});
      const write = (name: string, text: string) => {
        const f = path.join(resultsDir, name);
        fs.writeFileSync(f, text);
        files.push(f);
      };
      write('peers.txt', report.text);
      write('peers.md', report.markdown);
      write('peers.json', report.json);
      write('peers.svg', svg);
    }
    return {report, stream, text: report.text, json: report.json, svg, files};
  } finally {
    if (options.keep) log(`bench: kept ${tmp}`);
    else fs.rmSync(tmp, {recursive: true, force: true});
  }
}
