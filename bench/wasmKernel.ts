/**
 * The SIMD wasm GRU kernel side by side with tf.layers.gru on tfjs's wasm
 * backend (single thread each), in one process, same sizes (B, T, D, U):
 *   - gemm: GFLOP/s of gk_sgemm at the kernel's shapes, and a plain JS loop;
 *   - kernel: WasmKernel.forward / forward+backward on Float32Arrays;
 *   - gruSequence: our tfjs entry point (dispatches to the wasm kernel on the
 *     wasm backend; includes the copies between tensors and the module);
 *   - tf.layers.gru: predict, and gradients of a sum w.r.t. x and its weights.
 *   npx ts-node --transpile-only bench/wasmKernel.ts [--sizes latency,medium,large] [--runs N]
 *       [--layers-train-large] [--json]
 * tf.layers.gru's training step at the large size takes ~20 s a run here: it is
 * skipped unless --layers-train-large. Medians; warm-up run first.
 */
import * as tf from '@tensorflow/tfjs';

import {getActivation} from '../src';
import {selectBackend} from '../src/node/backend';
import {ACTIVATION_CODES, SequenceKernelDims, SequenceKernelInputs} from '../src/kernels/sequenceKernel';
import {loadWasmKernelSync} from '../src/kernels/wasm/wasmKernel';
import {gruSequence} from '../src/math/gruSequence';
import {arg, median, timeMs} from './timing';
import {GRU_SIZES as SIZES, seededFloats as rand} from './wasmBenchData';
import {KERNEL_GEMM_SHAPES, shapeLabel} from './wasmGemmShapes';

/**
 * Median ms of `runs` calls after a warm-up of at least 3 calls and 300 ms: V8 first runs
 * wasm as baseline (Liftoff) code and swaps in optimized code once it is hot; timing the
 * first calls measured that (the medium step gemm at 8.8 GFLOP/s, 30 once optimized).
 */
function timeRuns(runs: number, fn: () => void): number {
  const until = performance.now() + 300;
  for (let i = 0; i < 3 || performance.now() < until; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) t.push(timeMs(fn));
  return median(t);
}

function naiveGemm(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  }
}

interface GemmRow { shape: string; wasmGflops: number; naiveJsGflops: number|null; }
interface GruRow { size: string; dims: number[]; task: string; kernelMs: number; gruSequenceMs: number; layersGruMs: number|null; }

function benchGemm(): GemmRow[] {
  const k = loadWasmKernelSync();
  const e = k.exports;
  const rows: GemmRow[] = [];
  for (const s of KERNEL_GEMM_SHAPES) {
    const {m, n, k: kk} = s, ta = s.transA ? 1 : 0, tb = s.transB ? 1 : 0;
    const base = ((e.__heap_base.value as number) + 15) & ~15;
    const pa = base, pb = pa + 4 * m * kk, pc = pb + 4 * kk * n;
    const heap = k.ensureMemory(pc + 4 * m * n);
    heap.set(rand(m * kk, 1), pa >> 2);
    heap.set(rand(kk * n, 2), pb >> 2);
    const flops = 2 * m * n * kk;
    const runs = Math.max(3, Math.min(200, Math.round(2e9 / flops)));
    const ms = timeRuns(runs, () => e.gk_sgemm(ta, tb, m, n, kk, 1, pa, ta ? m : kk, pb, tb ? kk : n, 0, pc, n));
    let naive: number|null = null;
    if (flops <= 2e8) {
      const a = rand(m * kk, 1), b = rand(kk * n, 2), c = new Float32Array(m * n);
      naive = flops / timeRuns(3, () => naiveGemm(m, n, kk, a, b, c)) / 1e6;
    }
    rows.push({shape: shapeLabel(s), wasmGflops: flops / ms / 1e6,
               naiveJsGflops: naive});
  }
  return rows;
}

function benchGru(size: string, runs: number, layersTrainLarge: boolean): GruRow[] {
  const [B, T, D, U] = SIZES[size];
  const kernel = loadWasmKernelSync();
  const dims: SequenceKernelDims = {
    batch: B, time: T, inputSize: D, units: U, resetAfter: false, activation: ACTIVATION_CODES.tanh,
    recurrentActivation: ACTIVATION_CODES.sigmoid, goBackwards: false,
  };
  const inputs: SequenceKernelInputs = {
    x: rand(B * T * D, 1), W: rand(D * 3 * U, 2, 0.2), R: rand(U * 3 * U, 3, 0.2), bx: rand(3 * U, 4, 0.1), bh: null,
    h0: new Float32Array(B * U), mask: null,
  };
  const dy = rand(B * T * U, 5), dhT = new Float32Array(B * U);
  const kernelFwd = timeRuns(runs, () => kernel.forward(dims, inputs, false));
  const kernelTrain = timeRuns(runs, () => {
    const f = kernel.forward(dims, inputs, true);
    kernel.backward(dims, inputs, f.workspace!, dy, dhT);
  });

  // Our tfjs entry point and the built-in layer, on the same weights (Keras z|r|h = our r|z|h swapped).
  const x = tf.tensor3d(inputs.x, [B, T, D]);
  const xVar = tf.variable(x);
  const W = tf.variable(tf.tensor2d(inputs.W, [D, 3 * U]));
  const R = tf.variable(tf.tensor2d(inputs.R, [U, 3 * U]));
  const bx = tf.variable(tf.tensor1d(inputs.bx!));
  const h0 = tf.zeros([B, U]) as tf.Tensor2D;
  const options = {
    resetAfter: false, activation: getActivation('tanh'), recurrentActivation: getActivation('sigmoid'),
    returnSequences: true,
  };
  const weights = {inputKernel: W as tf.Tensor2D, recurrentKernel: R as tf.Tensor2D, inputBias: bx as tf.Tensor1D, recurrentBias: null};
  const seqFwd = timeRuns(runs, () => tf.tidy(() => {
    gruSequence(x, h0, weights, options).outputs!.dataSync();
  }));
  const seqTrain = timeRuns(runs, () => tf.tidy(() => {
    const {value, grads} = tf.variableGrads(() => tf.sum(gruSequence(xVar, h0, weights, options).outputs!),
                                             [xVar, W, R, bx]);
    value.dataSync();
    Object.values(grads).forEach((g) => g.dataSync());
  }));

  const layer = tf.layers.gru({units: U, returnSequences: true, recurrentActivation: 'sigmoid'});
  tf.tidy(() => { layer.apply(x); });
  const swap = (m: tf.Tensor) => tf.tidy(() => {
    const [r, z, h] = tf.split(m, 3, -1);
    return tf.concat([z, r, h], -1);
  });
  const kw = [swap(W), swap(R), swap(bx)];
  layer.setWeights(kw);
  tf.dispose(kw);
  const layersFwd = timeRuns(runs, () => tf.tidy(() => { (layer.apply(x) as tf.Tensor).dataSync(); }));
  let layersTrain: number|null = null;
  if (size !== 'large' || layersTrainLarge) {
    layersTrain = timeRuns(Math.min(runs, size === 'large' ? 2 : runs), () => tf.tidy(() => {
      const vars = [...layer.trainableWeights.map((w) => w.read() as tf.Variable), xVar];
      const {value, grads} = tf.variableGrads(() => tf.sum(layer.apply(xVar) as tf.Tensor), vars);
      value.dataSync();
      Object.values(grads).forEach((g) => g.dataSync());
    }));
  }
  layer.dispose();
  tf.dispose([x, xVar, W, R, bx, h0]);
  const d = [B, T, D, U];
  return [
    {size, dims: d, task: 'forward', kernelMs: kernelFwd, gruSequenceMs: seqFwd, layersGruMs: layersFwd},
    {size, dims: d, task: 'forward+backward', kernelMs: kernelTrain, gruSequenceMs: seqTrain, layersGruMs: layersTrain},
  ];
}

async function main(): Promise<void> {
  const info = await selectBackend('wasm');
  const sizes = arg('sizes', 'latency,medium,large').split(',');
  for (const s of sizes) {
    if (!(s in SIZES)) throw new Error(`--sizes: unknown size '${s}', expected some of ${Object.keys(SIZES).join(', ')}`);
  }
  const runs = Number(arg('runs', '0'));
  const gemm = benchGemm();
  const gru: GruRow[] = [];
  for (const s of sizes) {
    gru.push(...benchGru(s, runs > 0 ? runs : s === 'large' ? 3 : s === 'medium' ? 7 : 21,
                         process.argv.includes('--layers-train-large')));
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({backend: info.name, gemm, gru}, null, 2) + '\n');
    return;
  }
  const lines = [`backend ${info.name} (${info.reason}); the wasm kernel is single-threaded`, '', 'gemm (GFLOP/s)'];
  for (const r of gemm) {
    lines.push(`  ${r.shape.padEnd(58)} wasm-simd ${r.wasmGflops.toFixed(2).padStart(6)}` +
               (r.naiveJsGflops == null ? '' : `   plain JS ${r.naiveJsGflops.toFixed(2)}`));
  }
  lines.push('', 'GRU (B, T, D, U), reset-before, returnSequences; medians in ms',
             '  size     dims             task              wasm kernel  gruSequence  tf.layers.gru  layers/gruSequence');
  for (const r of gru) {
    lines.push(`  ${r.size.padEnd(8)} ${`(${r.dims.join(',')})`.padEnd(16)} ${r.task.padEnd(17)} ` +
               `${r.kernelMs.toFixed(2).padStart(11)}  ${r.gruSequenceMs.toFixed(2).padStart(11)}  ` +
               `${r.layersGruMs == null ? '    (skipped)' : r.layersGruMs.toFixed(2).padStart(13)}  ` +
               `${r.layersGruMs == null ? '' : (r.layersGruMs / r.gruSequenceMs).toFixed(1) + '×'}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
