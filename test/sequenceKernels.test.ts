// Every whole-sequence kernel (native OpenBLAS on tfjs-node, SIMD wasm on wasm
// and cpu) against the tfjs-op path it replaces: outputs, final state and
// gradients w.r.t. every input, over randomized shapes and every option.
import * as tf from '@tensorflow/tfjs';

import {sequenceKernelFor, setSequenceKernelMode} from '../src/kernels/registry';
import {gruSequence, opsGruSequence} from '../src/math/gruSequence';
import {cases, expectSameRun, run} from './helpers/gruCases';
import {expectNoNewTensors, rng} from './helpers/tensors';

// With env TFJS_GRU_WASM_THREADS = N > 1 (CI runs the tests so too), the wasm kernel runs on N threads.
const wasmThreads = Number(process.env.TFJS_GRU_WASM_THREADS || 1);
const WASM_KERNEL = wasmThreads > 1 ? `wasm-simd ×${wasmThreads} threads` : 'wasm-simd';
const EXPECTED_KERNEL: Record<string, string> = {tensorflow: 'native-openblas', wasm: WASM_KERNEL, cpu: WASM_KERNEL};

const backend = () => tf.getBackend();

describe('whole-sequence kernels', () => {
  afterEach(() => setSequenceKernelMode('auto'));

  test('the expected kernel is active on this backend', () => {
    const want = EXPECTED_KERNEL[backend()];
    const k = sequenceKernelFor(backend());
    if (want === undefined) {
      expect(k).toBeNull();
    } else {
      expect(k?.name).toBe(want);
    }
  });

  const all = cases(40, 20261202);
  test.each(all.map((c, i) => [i, JSON.stringify(c), c] as const))('case %i %s: kernel == tfjs ops', (i, _s, c) => {
    if (sequenceKernelFor(backend()) == null) return;  // no kernel here: the op path is the only path
    const seed = 1000 + 17 * i;
    const fast = run(c, seed, gruSequence);
    const ops = run(c, seed, opsGruSequence);
    expectSameRun(fast, ops);
  });

  test('no tensor leaks, inference and gradients', async () => {
    const c = all[all.length - 1];
    run(c, 5, gruSequence);  // warm up lazily created state
    await expectNoNewTensors(() => tf.dispose(run(c, 5, gruSequence) as unknown as tf.TensorContainer));
  });

  test("mode 'ops' turns kernels off", () => {
    setSequenceKernelMode('ops');
    expect(sequenceKernelFor(backend())).toBeNull();
  });
});

describe('native kernel threads', () => {
  const kernel = () => sequenceKernelFor(tf.getBackend());
  test('1, 2 and 3 threads (batch cut into parts) compute the same, forward and backward', () => {
    const k = kernel();
    if (k?.name !== 'native-openblas' || k.setThreads == null) return;
    const rand = rng(7);
    const dims = {batch: 7, time: 40, inputSize: 24, units: 64, resetAfter: true, activation: 0,
                  recurrentActivation: 1, goBackwards: true};
    const f = (n: number) => Float32Array.from({length: n}, () => rand() - 0.5);
    const B = dims.batch, T = dims.time, D = dims.inputSize, U = dims.units;
    const mask = Float32Array.from({length: B * T}, (_, i) => (i % T) < T - (i / T | 0) ? 1 : 0);
    const inputs = {x: f(B * T * D), W: f(D * 3 * U), R: f(U * 3 * U), bx: f(3 * U), bh: f(3 * U), h0: f(B * U), mask};
    const dy = f(B * T * U), dhT = f(B * U);
    const runs = [1, 2, 3].map((threads) => {
      k.setThreads!(threads);
      const fwd = k.forward(dims, inputs, true);
      const parts = fwd.workspace![fwd.workspace!.length - 1];  // read before backward takes the workspace back
      return {fwd, parts, grads: k.backward(dims, inputs, fwd.workspace!, dy, dhT)};
    });
    k.setThreads!(2);
    // The workspace's last number is how many parts the batch was cut into.
    expect(runs.map((r) => r.parts)).toEqual([1, 2, 3]);
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    for (const r of runs.slice(1)) {
      // Batch entries never interact; products of other shapes may round differently.
      expect(maxDiff(r.fwd.y, runs[0].fwd.y)).toBeLessThan(1e-5);
      expect(maxDiff(r.fwd.hT, runs[0].fwd.hT)).toBeLessThan(1e-5);
      for (const key of ['dx', 'dW', 'dR', 'dbx', 'dbh', 'dh0'] as const) {
        expect(maxDiff(r.grads[key], runs[0].grads[key])).toBeLessThan(1e-4);  // sums in another order
      }
    }
  });
});
