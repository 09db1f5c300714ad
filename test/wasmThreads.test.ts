// The threaded wasm kernel (a pool of worker_threads on one shared memory)
// against the single-threaded kernel and against the tape path: outputs, final
// state and gradients over randomized shapes, both reset modes, masks and
// goBackwards, with the batch cut into parts (B ≥ 2) and the units of each
// step shared (B = 1); and the settings that choose the thread count.
import * as tf from '@tensorflow/tfjs';

import {setWasmKernelThreads, wasmKernelThreads, wasmKernelThreadsUnavailableReason} from '../src';
import {sequenceKernelFor, setSequenceKernelMode} from '../src/kernels/registry';
import {SequenceKernelDims, SequenceKernelInputs} from '../src/kernels/sequenceKernel';
import {loadWasmKernelSync} from '../src/kernels/wasm/wasmKernel';
import {WasmThreadPool} from '../src/kernels/wasm/wasmThreads';
import {gruSequence} from '../src/math/gruSequence';
import {cases, expectSameRun, run} from './helpers/gruCases';
import {randInt, rng} from './helpers/tensors';

const why = wasmKernelThreadsUnavailableReason();
const maybe = why == null ? describe : describe.skip;
if (why != null) console.warn(`wasm kernel threads not tested: ${why}`);

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const scale = (a: Float32Array) => Math.max(1, a.reduce((m, v) => Math.max(m, Math.abs(v)), 0));

maybe('the threaded wasm kernel against the single-threaded one', () => {
  let pool: WasmThreadPool;
  beforeAll(() => { pool = WasmThreadPool.start(2, true).pool; });
  afterAll(() => pool.stop());
  const single = () => loadWasmKernelSync();

  const rand = rng(20261207);
  const shapes: Array<[number, number, number, number]> = [];
  for (let i = 0; i < 24; i++) {
    const B = i % 3 === 0 ? 1 : randInt(rand, 2, 6);
    shapes.push([B, randInt(rand, 1, 14), randInt(rand, 1, 40), randInt(rand, 1, 70)]);
  }
  shapes.push([1, 9, 64, 256], [3, 20, 33, 130]);  // several cache blocks, ragged edges
  test.each(shapes.map((s, i) => [i, JSON.stringify(s), s] as const))('shape %i %s: forward and backward', (i, _s, s) => {
    const [B, T, D, U] = s;
    const r = rng(100 + i);
    const f = (n: number, k = 0.6) => Float32Array.from({length: n}, () => (r() * 2 - 1) * k);
    const resetAfter = i % 2 === 1;
    const d: SequenceKernelDims = {batch: B, time: T, inputSize: D, units: U, resetAfter, activation: i % 5 === 4 ? 4 : 0,
                                   recurrentActivation: i % 7 === 3 ? 2 : 1, goBackwards: i % 4 >= 2};
    const mask = i % 3 === 1 ? Float32Array.from({length: B * T}, () => r() < 0.7 ? 1 : 0) : null;
    const inputs: SequenceKernelInputs = {
      x: f(B * T * D), W: f(D * 3 * U, 0.3), R: f(U * 3 * U, 0.3), bx: i % 6 === 5 ? null : f(3 * U),
      bh: resetAfter ? f(3 * U) : null, h0: f(B * U), mask,
    };
    const dy = f(B * T * U), dhT = f(B * U);
    const k = pool.kernel;
    // Every call, forward and backward, is shared (splitEveryCall): by batch rows, or by units when B = 1.
    expect(k.callThreads(d)).toBe(2);
    const a = single().forward(d, inputs, true), b = k.forward(d, inputs, true);
    for (const key of ['y', 'hT', 'workspace'] as const) {
      expect(maxDiff(b[key]!, a[key]!)).toBeLessThanOrEqual(1e-5 * scale(a[key]!));
    }
    const ga = single().backward(d, inputs, a.workspace!, dy, dhT);
    // The workspace layout is the same whatever ran the forward pass: either kernel takes either's.
    for (const g of [k.backward(d, inputs, b.workspace!, dy, dhT), k.backward(d, inputs, a.workspace!, dy, dhT),
                     single().backward(d, inputs, b.workspace!, dy, dhT)]) {
      for (const key of ['dx', 'dW', 'dR', 'dbx', 'dbh', 'dh0'] as const) {
        expect(maxDiff(g[key], ga[key])).toBeLessThanOrEqual(5e-5 * scale(ga[key]));
      }
    }
  });

  test('a call too small to share, with the default thresholds, runs on one thread', () => {
    const {pool: p} = WasmThreadPool.start(2, false);
    try {
      const d = {batch: 1, time: 50, inputSize: 32, units: 64, resetAfter: false, activation: 0,
                 recurrentActivation: 1, goBackwards: false};
      expect(p.kernel.callThreads(d)).toBe(1);
      expect(p.kernel.callThreads({...d, units: 256, inputSize: 64})).toBe(2);  // 50 steps of U = 256: shared
      expect(p.kernel.callThreads({...d, units: 256, inputSize: 64, time: 1})).toBe(1);  // one step: waking costs more
      expect(p.kernel.callThreads({...d, batch: 32, units: 128, time: 100})).toBe(2);
    } finally {
      p.stop();
    }
  });
});

maybe('setWasmKernelThreads and the tfjs path', () => {
  afterEach(async () => {
    setSequenceKernelMode('auto');
    await setWasmKernelThreads(1);
  });

  test('2 threads on the wasm kernel the backends use, then back to 1; bad counts are refused', async () => {
    expect(await setWasmKernelThreads(1)).toBe(1);  // whatever env TFJS_GRU_WASM_THREADS started
    expect(wasmKernelThreads()).toBe(1);
    expect(await setWasmKernelThreads(2)).toBe(2);
    expect(wasmKernelThreads()).toBe(2);
    const k = sequenceKernelFor(tf.getBackend());
    if (tf.getBackend() !== 'tensorflow') expect(k?.name).toBe('wasm-simd ×2 threads');
    expect(await setWasmKernelThreads(1)).toBe(1);
    expect(wasmKernelThreads()).toBe(1);
    if (tf.getBackend() !== 'tensorflow') expect(k?.name).toBe('wasm-simd');
    await expect(setWasmKernelThreads(0)).rejects.toThrow(/threads must be an integer from 1 to 16 or 'auto', got 0/);
    await expect(setWasmKernelThreads(2.5)).rejects.toThrow(/got 2.5/);
  });

  const all = cases(16, 20261208);
  test.each(all.map((c, i) => [i, JSON.stringify(c), c] as const))(
      'case %i %s: gruSequence on 2 threads == the tape path', async (i, _s, c) => {
        if (!['wasm', 'cpu'].includes(tf.getBackend())) return;  // the wasm kernel serves these backends
        await setWasmKernelThreads(2, {splitEveryCall: true});
        const fast = run(c, 300 + i, gruSequence);
        setSequenceKernelMode('tape');
        const tape = run(c, 300 + i, gruSequence);
        expectSameRun(fast, tape);
      });
});
