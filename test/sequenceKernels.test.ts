// Every whole-sequence kernel (native OpenBLAS on tfjs-node, SIMD wasm on wasm
// and cpu) against the tfjs-op path it replaces: outputs, final state and
// gradients w.r.t. every input, over randomized shapes and every option.
import * as tf from '@tensorflow/tfjs';

import {getActivation} from '../src';
import {sequenceKernelFor, setSequenceKernelMode} from '../src/kernels/registry';
import {GruKernelWeights, GruSequenceOptions, gruSequence, opsGruSequence} from '../src/math/gruSequence';
import {expectNoNewTensors, maxAbsDiff, randInt, rng, uniform} from './helpers/tensors';

const EXPECTED_KERNEL: Record<string, string> = {tensorflow: 'native-openblas', wasm: 'wasm-simd', cpu: 'wasm-simd'};

interface Case {
  B: number; T: number; D: number; U: number;
  resetAfter: boolean; goBackwards: boolean; sequences: boolean; mask: 'none'|'padding'|'random';
  biases: boolean; activation: string; recurrentActivation: string; inputDropout: boolean;
}

const ACTS = ['tanh', 'sigmoid', 'hardSigmoid', 'linear', 'relu'];

function cases(n: number, seed: number): Case[] {
  const rand = rng(seed);
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    const activation = i < 4 ? 'tanh' : ACTS[randInt(rand, 0, ACTS.length - 1)];
    // An unbounded candidate with a tanh "gate" (1 − z up to 2) grows without bound and
    // amplifies float32 rounding chaotically; keep gates in [0, 1] there.
    const unbounded = activation === 'linear' || activation === 'relu';
    out.push({
      B: randInt(rand, 1, 6), T: randInt(rand, 1, 12), D: randInt(rand, 1, 20), U: randInt(rand, 1, 20),
      resetAfter: rand() < 0.5, goBackwards: rand() < 0.4, sequences: rand() < 0.6,
      mask: (['none', 'padding', 'random'] as const)[randInt(rand, 0, 2)], biases: rand() < 0.8,
      activation,
      recurrentActivation: i < 4 ? 'sigmoid' : ACTS[unbounded ? randInt(rand, 1, 2) : randInt(rand, 0, 2)],
      inputDropout: rand() < 0.2,
    });
  }
  out.push({B: 1, T: 1, D: 1, U: 1, resetAfter: false, goBackwards: false, sequences: true, mask: 'none',
            biases: true, activation: 'tanh', recurrentActivation: 'sigmoid', inputDropout: false});
  out.push({B: 16, T: 30, D: 33, U: 48, resetAfter: true, goBackwards: true, sequences: true, mask: 'random',
            biases: true, activation: 'tanh', recurrentActivation: 'sigmoid', inputDropout: false});
  out.push({B: 9, T: 25, D: 40, U: 65, resetAfter: false, goBackwards: false, sequences: false, mask: 'padding',
            biases: true, activation: 'tanh', recurrentActivation: 'hardSigmoid', inputDropout: false});
  return out;
}

/** 0/1 mask [B, T]: right padding, or random (leading masked steps and all-masked rows included). */
function makeMask(c: Case, seed: number): tf.Tensor2D|null {
  if (c.mask === 'none') return null;
  const rand = rng(seed);
  const v: number[] = [];
  for (let b = 0; b < c.B; b++) {
    const len = randInt(rand, 0, c.T);
    for (let t = 0; t < c.T; t++) v.push(c.mask === 'padding' ? (t < len ? 1 : 0) : (rand() < 0.6 ? 1 : 0));
  }
  return tf.tensor2d(v, [c.B, c.T]);
}

function run(c: Case, seed: number, useKernel: boolean) {
  return tf.tidy(() => {
    const x = uniform([c.B, c.T, c.D], seed, 1) as tf.Tensor3D;
    const h0 = uniform([c.B, c.U], seed + 1, 0.5) as tf.Tensor2D;
    const W = uniform([c.D, 3 * c.U], seed + 2, 0.6) as tf.Tensor2D;
    const R = uniform([c.U, 3 * c.U], seed + 3, 0.6) as tf.Tensor2D;
    const bx = uniform([3 * c.U], seed + 4, 0.5) as tf.Tensor1D;
    const bh = uniform([3 * c.U], seed + 5, 0.5) as tf.Tensor1D;
    const mask = makeMask(c, seed + 6);
    const dropMask = c.inputDropout ? tf.mul(tf.cast(tf.greater(uniform([c.B, c.D], seed + 7, 1), -0.3), 'float32'), 1 / 0.65) as tf.Tensor2D : null;
    const wOut = uniform([c.B, c.sequences ? c.T : 1, c.U], seed + 8, 1);
    const wState = uniform([c.B, c.U], seed + 9, 1);
    const options: GruSequenceOptions = {
      resetAfter: c.resetAfter, activation: getActivation(c.activation),
      recurrentActivation: getActivation(c.recurrentActivation), goBackwards: c.goBackwards, mask,
      returnSequences: c.sequences, inputMasks: dropMask && [dropMask, dropMask, dropMask],
    };
    const useBx = c.biases, useBh = c.biases && c.resetAfter;
    const f = (xv: tf.Tensor, hv: tf.Tensor, Wv: tf.Tensor, Rv: tf.Tensor, bxv?: tf.Tensor, bhv?: tf.Tensor) => {
      const weights: GruKernelWeights = {
        inputKernel: Wv as tf.Tensor2D, recurrentKernel: Rv as tf.Tensor2D,
        inputBias: useBx ? bxv as tf.Tensor1D : null,
        recurrentBias: useBh ? bhv as tf.Tensor1D : null,
      };
      const r = (useKernel ? gruSequence : opsGruSequence)(xv as tf.Tensor3D, hv as tf.Tensor2D, weights, options);
      const out = c.sequences ? r.outputs! : tf.expandDims(r.lastOutput, 1);
      return {r, loss: tf.add(tf.sum(tf.mul(out, wOut)), tf.sum(tf.mul(r.state, wState)))};
    };
    const {r} = f(x, h0, W, R, bx, bh);
    const wrt = [x, h0, W, R, ...(useBx ? [bx] : []), ...(useBh ? [bh] : [])];
    const grads = tf.grads((...a: tf.Tensor[]) => f(a[0], a[1], a[2], a[3], a[4], a[5]).loss)(wrt);
    return {outputs: r.outputs ?? r.lastOutput, last: r.lastOutput, state: r.state, grads};
  });
}

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
    const fast = run(c, seed, true);
    const ops = run(c, seed, false);
    const tol = (t: tf.Tensor) => 2e-5 * Math.max(1, tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]));
    expect(maxAbsDiff(fast.outputs, ops.outputs)).toBeLessThanOrEqual(tol(ops.outputs));
    expect(maxAbsDiff(fast.last, ops.last)).toBeLessThanOrEqual(tol(ops.last));
    expect(maxAbsDiff(fast.state, ops.state)).toBeLessThanOrEqual(tol(ops.state));
    expect(fast.grads.length).toBe(ops.grads.length);
    ['x', 'h0', 'W', 'R', 'bx', 'bh'].slice(0, ops.grads.length).forEach((name, k) => {
      const d = maxAbsDiff(fast.grads[k], ops.grads[k]);
      if (!(d <= tol(ops.grads[k]) * 5)) throw new Error(`gradient ${name}: max abs diff ${d}`);
    });
    tf.dispose([fast, ops] as unknown as tf.TensorContainer);
  });

  test('no tensor leaks, inference and gradients', async () => {
    const c = all[all.length - 1];
    run(c, 5, true);  // warm up lazily created state
    await expectNoNewTensors(() => tf.dispose(run(c, 5, true) as unknown as tf.TensorContainer));
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
      return {fwd, grads: k.backward(dims, inputs, fwd.workspace!, dy, dhT)};
    });
    k.setThreads!(2);
    // The workspace's last number is how many parts the batch was cut into.
    expect(runs.map((r) => r.fwd.workspace![r.fwd.workspace!.length - 1])).toEqual([1, 2, 3]);
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
