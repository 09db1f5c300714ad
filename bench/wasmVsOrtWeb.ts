/**
 * One thread each: our wasm kernel against onnxruntime-web (its wasm build, MLAS, env.wasm.numThreads = 1),
 * in one process, on the same data, runs alternating, medians:
 *   - gemm: gk_sgemm against an ONNX Gemm node at the kernel's shapes (bench/wasmGemmShapes.ts). A weight B
 *     is an initializer for onnxruntime (which may prepack it once), an activation B an input. onnxruntime's
 *     time per product is the difference between a model with 1 + r copies of the Gemm and one with 1, over
 *     r (bench/peers/onnxModel.ts gemmModel), so its per-run overhead (promises, copying A in) is left out;
 *     'ort call' is the whole run of one product.
 *   - GRU forward, reset-before, whole sequence: WasmKernel.forward against one ONNX GRU node (linear_before_reset
 *     0, with the two Transposes a batch-major caller needs: the peer bench's model), max |Δy| between them.
 *   npm run bench:wasm-ort -- [--sizes latency,medium,large] [--rounds N] [--no-gemm] [--no-gru] [--json]
 * Needs the bench-only install: ONNXRUNTIME_NODE_INSTALL=skip npm ci --prefix bench/peers --ignore-scripts.
 */
import {createRequire} from 'module';
import * as path from 'path';

import {ACTIVATION_CODES, SequenceKernelDims, SequenceKernelInputs} from '../src/kernels/sequenceKernel';
import {loadWasmKernelSync} from '../src/kernels/wasm/wasmKernel';
import {gemmModel, gruModel} from './peers/onnxModel';
import {arg, median} from './timing';
import {KERNEL_GEMM_SHAPES, shapeLabel} from './wasmGemmShapes';
import {GRU_SIZES as SIZES, seededFloats as rand} from './wasmBenchData';

interface OrtTensor { data: Float32Array; dims: readonly number[]; }
interface OrtSession { run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>; release(): Promise<void>; }
interface Ort {
  env: {versions: Record<string, string>, wasm: {numThreads?: number, simd?: boolean}, logLevel?: string};
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: {create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession>};
}

function loadOrt(): Ort {
  const req = createRequire(path.join(__dirname, 'peers', 'package.json'));
  try {
    return req('onnxruntime-web') as Ort;
  } catch (e) {
    throw new Error(`cannot load onnxruntime-web from bench/peers/node_modules (${(e as Error).message}); install it with ` +
                    `ONNXRUNTIME_NODE_INSTALL=skip npm ci --prefix bench/peers --ignore-scripts --no-audit --no-fund`);
  }
}

async function msOf(fn: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Warm-up (V8 tiers wasm up to optimized code only once it is hot): at least 3 calls and 300 ms. */
async function warm(fn: () => unknown): Promise<void> {
  const until = performance.now() + 300;
  for (let i = 0; i < 3 || performance.now() < until; i++) await fn();
}

interface GemmRow { shape: string; oursGflops: number; ortGflops: number; oursOverOrt: number; ortCallMs: number; }
interface GruRow { size: string; dims: number[]; oursMs: number; ortMs: number; oursOverOrt: number; maxAbsDiff: number; }

async function benchGemm(ort: Ort, rounds: number): Promise<GemmRow[]> {
  const kernel = loadWasmKernelSync();
  const e = kernel.exports;
  const rows: GemmRow[] = [];
  for (const s of KERNEL_GEMM_SHAPES) {
    const {m, n, k} = s;
    const flops = 2 * m * n * k;
    // Products per timed sample: ~0.2 GFLOP (at least 2), so that the difference of two runs is well above noise.
    const reps = Math.max(2, Math.min(64, Math.round(2e8 / flops)));
    const aData = rand(m * k, 1), bData = rand(k * n, 2);
    const base = ((e.__heap_base.value as number) + 15) & ~15;
    const pa = base, pb = pa + 4 * m * k, pc = pb + 4 * k * n;
    const heap = kernel.ensureMemory(pc + 4 * m * n);
    heap.set(aData, pa >> 2);
    heap.set(bData, pb >> 2);
    const lda = s.transA ? m : k, ldb = s.transB ? k : n;
    const ours = () => {
      for (let r = 0; r < reps; r++) e.gk_sgemm(s.transA ? 1 : 0, s.transB ? 1 : 0, m, n, k, 1, pa, lda, pb, ldb, 0, pc, n);
    };
    const options = {executionProviders: ['wasm'], graphOptimizationLevel: 'disabled'};
    const one = await ort.InferenceSession.create(gemmModel(m, n, k, s.transA, s.transB, s.weightB ? bData : null, 1), options);
    const many = await ort.InferenceSession.create(
        gemmModel(m, n, k, s.transA, s.transB, s.weightB ? bData : null, 1 + reps), options);
    const feeds: Record<string, OrtTensor> = {A: new ort.Tensor('float32', aData, s.transA ? [k, m] : [m, k])};
    if (!s.weightB) feeds.B = new ort.Tensor('float32', bData, s.transB ? [n, k] : [k, n]);
    // Same products? ours C[0, 0] against onnxruntime's first element.
    ours();
    const first = (await one.run(feeds)).Y0.data[0];
    if (Math.abs(first - heap[pc >> 2]) > 1e-3 * Math.sqrt(k)) {
      throw new Error(`${shapeLabel(s)}: C[0, 0] differs: ours ${heap[pc >> 2]}, onnxruntime ${first}`);
    }
    await warm(ours);
    await warm(() => one.run(feeds));
    await warm(() => many.run(feeds));
    const tOurs: number[] = [], tOne: number[] = [], tMany: number[] = [];
    for (let r = 0; r < rounds; r++) {
      tOurs.push(await msOf(ours) / reps);
      tOne.push(await msOf(() => one.run(feeds)));
      tMany.push(await msOf(() => many.run(feeds)));
    }
    await one.release();
    await many.release();
    const oursMs = median(tOurs), ortMs = (median(tMany) - median(tOne)) / reps;
    rows.push({shape: shapeLabel(s), oursGflops: flops / oursMs / 1e6, ortGflops: flops / ortMs / 1e6,
               oursOverOrt: oursMs / ortMs, ortCallMs: median(tOne)});
  }
  return rows;
}

async function benchGru(ort: Ort, size: string, rounds: number): Promise<GruRow> {
  const [B, T, D, U] = SIZES[size];
  const kernel = loadWasmKernelSync();
  const dims: SequenceKernelDims = {
    batch: B, time: T, inputSize: D, units: U, resetAfter: false, activation: ACTIVATION_CODES.tanh,
    recurrentActivation: ACTIVATION_CODES.sigmoid, goBackwards: false,
  };
  // Our kernel's gate columns are r | z | h, Keras's (what gruModel takes) z | r | h.
  const W = rand(D * 3 * U, 2, 0.2), R = rand(U * 3 * U, 3, 0.2), bx = rand(3 * U, 4, 0.1);
  const swapRz = (a: Float32Array, rows: number) => {
    const out = a.slice();
    for (let i = 0; i < rows; i++) {
      out.set(a.subarray(i * 3 * U + U, i * 3 * U + 2 * U), i * 3 * U);
      out.set(a.subarray(i * 3 * U, i * 3 * U + U), i * 3 * U + U);
    }
    return out;
  };
  const inputs: SequenceKernelInputs = {
    x: rand(B * T * D, 1), W, R, bx, bh: null, h0: new Float32Array(B * U), mask: null, weightsKey: {},
  };
  const session = await ort.InferenceSession.create(gruModel(B, T, D, U, {
    kernel: swapRz(W, D), recurrentKernel: swapRz(R, U), inputBias: swapRz(bx, 1), recurrentBias: new Float32Array(3 * U),
  }, 0), {executionProviders: ['wasm'], graphOptimizationLevel: 'all'});
  const feeds = {X: new ort.Tensor('float32', inputs.x, [B, T, D])};
  const ours = () => kernel.forward(dims, inputs, false);
  const yOurs = ours().y, yOrt = (await session.run(feeds)).Y.data;
  let maxAbsDiff = 0;
  for (let i = 0; i < yOurs.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(yOurs[i] - yOrt[i]));
  await warm(ours);
  await warm(() => session.run(feeds));
  const tOurs: number[] = [], tOrt: number[] = [];
  for (let r = 0; r < rounds; r++) {
    tOurs.push(await msOf(ours));
    tOrt.push(await msOf(() => session.run(feeds)));
  }
  await session.release();
  const oursMs = median(tOurs), ortMs = median(tOrt);
  return {size, dims: [B, T, D, U], oursMs, ortMs, oursOverOrt: oursMs / ortMs, maxAbsDiff};
}

async function main(): Promise<void> {
  const sizes = arg('sizes', 'latency,medium,large').split(',');
  for (const s of sizes) {
    if (!(s in SIZES)) throw new Error(`--sizes: unknown size '${s}', expected some of ${Object.keys(SIZES).join(', ')}`);
  }
  const rounds = Number(arg('rounds', '9'));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: expected a positive integer, got '${arg('rounds', '')}'`);
  const ort = loadOrt();
  ort.env.logLevel = 'error';
  ort.env.wasm.numThreads = 1;
  const gemm = process.argv.includes('--no-gemm') ? [] : await benchGemm(ort, rounds);
  const gru: GruRow[] = [];
  if (!process.argv.includes('--no-gru')) for (const s of sizes) gru.push(await benchGru(ort, s, rounds));
  const about = `onnxruntime-web ${ort.env.versions.web} (wasm, env.wasm.numThreads 1) vs our wasm kernel (1 thread); ` +
                `medians of ${rounds} alternating rounds`;
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({about, gemm, gru}, null, 2) + '\n');
    return;
  }
  const lines = [about];
  if (gemm.length) {
    lines.push('', 'gemm: GFLOP/s (onnxruntime: per product, its run overhead taken out); ours/ort = time ratio, below 1 ours is faster',
               `  ${'shape'.padEnd(58)}    ours     ort  ours/ort  ort call ms`);
    for (const r of gemm) {
      lines.push(`  ${r.shape.padEnd(58)}  ${r.oursGflops.toFixed(1).padStart(6)}  ${r.ortGflops.toFixed(1).padStart(6)}` +
                 `  ${r.oursOverOrt.toFixed(2).padStart(8)}  ${r.ortCallMs.toFixed(3).padStart(11)}`);
    }
  }
  if (gru.length) {
    lines.push('', 'GRU forward (reset-before, returnSequences, whole sequence): ms',
               '  size     (B,T,D,U)             ours       ort  ours/ort  max|Δy|');
    for (const r of gru) {
      lines.push(`  ${r.size.padEnd(8)} ${`(${r.dims.join(',')})`.padEnd(16)} ${r.oursMs.toFixed(3).padStart(9)} ` +
                 `${r.ortMs.toFixed(3).padStart(9)}  ${r.oursOverOrt.toFixed(2).padStart(8)}  ${r.maxAbsDiff.toExponential(1)}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
