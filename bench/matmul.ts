/**
 * 1024x1024 float32 matMul on tfjs-node ('tensorflow'), wasm and cpu, side by side in one process.
 *   npx ts-node bench/matmul.ts [--n 1024] [--runs 10] [--warmup 2] [--backends tensorflow,wasm,cpu] [--json]
 * Each timed run is tf.matMul(a, b) followed by dataSync() (so asynchronous backends finish and the
 * result is downloaded); the reported figure is the median of the runs after warm-up.
 */
import * as tf from '@tensorflow/tfjs';
import {BackendName, parseBackendName, selectBackend} from '../src/node/backend';
import {arg, median} from './timing';

interface Row { backend: string; available: boolean; medianMs?: number; minMs?: number; maxMs?: number; gflops?: number;
                runs?: number; note: string; }


async function benchOne(name: BackendName, n: number, runs: number, warmup: number): Promise<Row> {
  let note: string;
  try {
    note = (await selectBackend(name)).reason;
  } catch (e) {
    return {backend: name, available: false, note: (e as Error).message};
  }
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  a.dataSync();
  b.dataSync();
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = process.hrtime.bigint();
    const c = tf.matMul(a, b);
    c.dataSync();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    c.dispose();
    if (i >= warmup) times.push(ms);
  }
  tf.dispose([a, b]);
  const med = median(times);
  return {backend: name, available: true, medianMs: med, minMs: Math.min(...times), maxMs: Math.max(...times),
          gflops: (2 * n * n * n) / (med * 1e6), runs, note};
}

async function main(): Promise<void> {
  const n = Number(arg('n', '1024'));
  const runs = Number(arg('runs', '10'));
  const warmup = Number(arg('warmup', '2'));
  const backends = arg('backends', 'tensorflow,wasm,cpu').split(',').map((s) => parseBackendName(s)!)
      .filter((s) => s !== undefined);
  const rows: Row[] = [];
  for (const b of backends) {
    // cpu is slow: fewer runs unless asked for.
    const r = b === 'cpu' && !process.argv.includes('--runs') ? Math.min(runs, 5) : runs;
    rows.push(await benchOne(b, n, r, b === 'cpu' ? 1 : warmup));
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({n, rows}, null, 2) + '\n');
    return;
  }
  process.stdout.write(`matMul ${n}x${n} float32 (+ dataSync), median of runs after warm-up, ` +
                       `node ${process.version}, tfjs ${tf.version.tfjs}\n`);
  process.stdout.write('backend      median ms     min ms     max ms   GFLOP/s  runs  note\n');
  for (const r of rows) {
    if (!r.available) {
      process.stdout.write(`${r.backend.padEnd(10)}  unavailable: ${r.note}\n`);
      continue;
    }
    process.stdout.write(`${r.backend.padEnd(10)} ${r.medianMs!.toFixed(1).padStart(10)} ${r.minMs!.toFixed(1).padStart(10)} ` +
                         `${r.maxMs!.toFixed(1).padStart(10)} ${r.gflops!.toFixed(1).padStart(9)} ${String(r.runs).padStart(5)}  ` +
                         `${r.note}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench/matmul: ${(e as Error).stack || e}\n`);
  process.exit(1);
});
