/**
 * The wasm GRU kernel on one thread and on N (worker_threads on a shared
 * memory), side by side in one process on the same inputs: forward, and
 * forward + backward, at the peer bench's sizes and an NSNet2-sized layer;
 * the calls alternate run by run, medians. Which way each call is shared is
 * printed (batch parts, units per step, or not at all).
 *   npm run bench:wasm-threads -- [--threads 2] [--sizes step,latency,nsnet2,medium,large] [--runs N] [--json]
 */
import {ACTIVATION_CODES, SequenceKernelDims, SequenceKernelInputs} from '../src/kernels/sequenceKernel';
import {loadWasmKernelSync, WasmKernel} from '../src/kernels/wasm/wasmKernel';
import {WasmThreadPool} from '../src/kernels/wasm/wasmThreads';
import {arg, median, timeMs} from './timing';
import {GRU_SIZES, seededFloats as rand} from './wasmBenchData';

const SIZES: Record<string, [number, number, number, number]> = {
  step: [1, 1, 64, 256],
  ...GRU_SIZES,
  nsnet2: [1, 100, 400, 400],
};

interface Row { size: string; dims: number[]; task: string; split: string; singleMs: number; threadsMs: number; }

function main(): void {
  const threads = Number(arg('threads', '2'));
  const sizes = arg('sizes', 'step,latency,nsnet2,medium,large').split(',');
  for (const s of sizes) {
    if (!(s in SIZES)) throw new Error(`--sizes: unknown size '${s}', expected some of ${Object.keys(SIZES).join(', ')}`);
  }
  const single = loadWasmKernelSync();
  const {pool} = WasmThreadPool.start(threads);
  const rows: Row[] = [];
  try {
    for (const size of sizes) {
      const [B, T, D, U] = SIZES[size];
      const dims: SequenceKernelDims = {batch: B, time: T, inputSize: D, units: U, resetAfter: false,
                                        activation: ACTIVATION_CODES.tanh, recurrentActivation: ACTIVATION_CODES.sigmoid,
                                        goBackwards: false};
      const inputs: SequenceKernelInputs = {
        x: rand(B * T * D, 1), W: rand(D * 3 * U, 2, 0.2), R: rand(U * 3 * U, 3, 0.2), bx: rand(3 * U, 4, 0.1),
        bh: null, h0: new Float32Array(B * U), mask: null, weightsKey: {},
      };
      const dy = rand(B * T * U, 5), dhT = new Float32Array(B * U);
      const work = B * T * 3 * U * (D + U);
      const runs = Number(arg('runs', String(Math.max(5, Math.min(200, Math.round(3e9 / work))))));
      const tasks: Array<[string, (k: WasmKernel) => void]> = [
        ['forward', (k) => { k.forward(dims, inputs, false); }],
        ['forward+backward', (k) => {
          const f = k.forward(dims, inputs, true);
          k.backward(dims, inputs, f.workspace!, dy, dhT);
        }],
      ];
      for (const [task, fn] of tasks) {
        // Warm-up: at least 3 runs each and 0.3 s, as V8 runs wasm as baseline code until it is hot.
        const until = performance.now() + 300;
        for (let i = 0; i < 3 || performance.now() < until; i++) { fn(single); fn(pool.kernel); }
        const t1: number[] = [], tn: number[] = [];
        for (let i = 0; i < runs; i++) {
          t1.push(timeMs(() => fn(single)));
          tn.push(timeMs(() => fn(pool.kernel)));
        }
        const n = pool.kernel.callThreads(dims);
        rows.push({size, dims: [B, T, D, U], task, split: n === 1 ? 'one thread' : B > 1 ? `${n} batch parts` : `units over ${n}`,
                   singleMs: median(t1), threadsMs: median(tn)});
      }
    }
  } finally {
    pool.stop();
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({threads, rows}, null, 2) + '\n');
    return;
  }
  const lines = [`the wasm GRU kernel: 1 thread against ${threads} (reset-before, returnSequences; medians in ms, ` +
                 `the two alternating)`, '',
                 `  size     dims              task              1 thread  ${threads} threads  speed-up  how it is shared`];
  for (const r of rows) {
    lines.push(`  ${r.size.padEnd(8)} ${`(${r.dims.join(',')})`.padEnd(17)} ${r.task.padEnd(17)} ` +
               `${r.singleMs.toFixed(3).padStart(8)}  ${r.threadsMs.toFixed(3).padStart(9)}  ` +
               `${(r.singleMs / r.threadsMs).toFixed(2).padStart(7)}×  ${r.split}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main();
