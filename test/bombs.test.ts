// Issue 20: every crafted input (a small file declaring far more than it holds, a device or
// FIFO behind a model's name, a zip bomb, an output path that cannot be written) must end
// in seconds with its typed error, under a fixed bound on the process's peak RSS (and near a valid conversion's). Each case
// runs `tfjs-gru convert` in its own child process (generators: test/helpers/bombs.ts),
// on the backend of this test run (TFJS_GRU_BACKEND), so CI covers tensorflow and wasm.
import {spawn} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {Bomb, makeBombs} from './helpers/bombs';
import {ROOT} from './helpers/cli';
import {fixtureModel} from './helpers/modelFiles';

/**
 * Peak RSS allowed for one conversion of a crafted file: a fixed bound, and at most
 * {@link MAX_OVER_BASELINE_MB} above the CLI converting a valid small model in the same way
 * (measured: ~220 MB on cpu/wasm, ~520 MB on tfjs-node, which loads libtensorflow; before
 * issue 20 these cases took 3 to 20 GB).
 */
const MAX_RSS_MB = 1024;
const MAX_OVER_BASELINE_MB = 256;
/** A child still running after this is killed and its case fails (a hang guard, not a timing measurement). */
const KILL_AFTER_MS = 90000;
/** Children run at once. */
const PARALLEL = 2;

interface Outcome {code: number | null; signal: string | null; stderr: string; stdout: string; rssMb: number; ms: number; outEntries: string[] | null}

let dir: string;
let bombs: Bomb[] = [];
let baseline: Outcome;
const outcomes = new Map<string, Outcome>();

function run(b: Bomb): Promise<Outcome> {
  const hasOut = b.args.includes('--out');
  const out = path.join(dir, `out-${b.name.replace(/[^a-z0-9]+/gi, '_')}`);
  const args = hasOut ? b.args : [...b.args, '--out', out];
  const t0 = Date.now();
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'helpers', 'reportMaxRss.js'), path.join(ROOT, 'bin', 'tfjs-gru.js'), 'convert', ...args], {
    cwd: ROOT, env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...b.env}, ...(b.uid != null ? {uid: b.uid, gid: b.uid} : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  return new Promise((resolve) => child.on('close', (code, signal) => {
    clearTimeout(timer);
    const m = /\[maxRSS (\d+) MB\]/.exec(stderr);
    resolve({code, signal, stderr, stdout, rssMb: m ? Number(m[1]) : NaN, ms: Date.now() - t0,
      outEntries: hasOut || !fs.existsSync(out) ? null : fs.readdirSync(out)});
  }));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-bombs-'));
  fs.chmodSync(dir, 0o755);  // the permission cases run as nobody
  bombs = await makeBombs(dir);
  baseline = await run({name: 'baseline', row: '', args: [fixtureModel('pytorch_files/gru1')], expect: 'converts'});
  if (process.env.BOMBS_PRINT) process.stderr.write(`baseline (a valid small model): exit ${baseline.code}, ${baseline.ms} ms, ${baseline.rssMb} MB\n`);
  const queue = [...bombs];
  await Promise.all(Array.from({length: PARALLEL}, async () => {
    for (let b = queue.shift(); b != null; b = queue.shift()) {
      const o = await run(b);
      outcomes.set(b.name, o);
      if (process.env.BOMBS_PRINT) {
        process.stderr.write(`${b.name}: exit ${o.code ?? o.signal}, ${o.ms} ms, ${o.rssMb} MB, ${o.stderr.split('\n').find((l) => l.startsWith('tfjs-gru')) ?? ''}\n`);
      }
    }
  }));
}, KILL_AFTER_MS * 6);

afterAll(() => {
  fs.chmodSync(path.join(dir, 'readonly'), 0o755);
  fs.rmSync(dir, {recursive: true, force: true});
});

const names = ['h5 declaring 8000×24000, never written', '.keras with batch_shape [null, 1e8, 3]', 'ONNX D = U = 16000, no data, --layers tfjs-gru',
  'ONNX W/R dims 3·2^30 × 2^30', 'ONNX graph input [1e8, 1, 3]', 'checkpoint D = U = 16000, 384 bytes of data, --layers tfjs-gru', 'checkpoint shard → /dev/zero', 'zero.onnx', 'zero.safetensors', 'zero.keras',
  'fifo.onnx', 'folder.keras', '.keras zip bomb 3 × 1 GiB', '--out /proc/x', '--out is a file', 'unreadable .safetensors (as nobody)',
  'unreadable .keras (as nobody)', 'read-only --out parent (as nobody)', 'existing empty --out in a read-only parent (as nobody)'];

test('every generated case is run below', () => {
  expect(bombs.map((b) => b.name).sort()).toEqual([...names].sort());
});

test.each(names)('%s: ends with its typed error naming the path (or converts), under the RSS bound', (name) => {
  const b = bombs.find((x) => x.name === name)!;
  const r = outcomes.get(name)!;
  expect([r.code, r.signal]).not.toEqual([null, 'SIGKILL']);  // killed: it did not end
  if (b.expect === 'converts') {
    expect([r.code, r.stderr]).toEqual([0, expect.anything()]);
    expect(r.stdout).toMatch(/check: loaded/);
    const out = b.args.includes('--out') ? b.args[b.args.indexOf('--out') + 1] : null;
    if (out != null) expect(fs.readdirSync(out).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
  } else {
    expect(r.code).toBe(1);
    const line = r.stderr.split('\n').find((l) => l.startsWith('tfjs-gru convert: ')) ?? r.stderr;
    expect(line).toMatch(new RegExp(` \\[${b.expect}\\]$`));
    expect(line.startsWith(`tfjs-gru convert: ${b.names ?? b.args[0]}`)).toBe(true);
    if (r.outEntries != null) expect(r.outEntries).toEqual([]);
  }
  expect(r.rssMb).toBeLessThan(MAX_RSS_MB);
  expect(r.rssMb).toBeLessThan(baseline.rssMb + MAX_OVER_BASELINE_MB);
});

test('the baseline conversion itself succeeded (its RSS is the reference)', () => {
  expect(baseline.code).toBe(0);
  expect(baseline.rssMb).toBeGreaterThan(0);
});
