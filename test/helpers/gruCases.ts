// Randomized GRU sequence cases (shapes and every sequence option) and one run of
// a sequence implementation on them: outputs, final state and gradients w.r.t.
// every input. Shared by the tests of the fast paths against the tape path.
import * as tf from '@tensorflow/tfjs';

import {getActivation} from '../../src';
import {GruKernelWeights, GruSequenceOptions, GruSequenceResult} from '../../src/math/gruSequence';
import {maxAbsDiff, randInt, rng, uniform} from './tensors';

/** A sequence implementation with gruSequence's signature. */
export type SequenceImpl = (x: tf.Tensor3D, h0: tf.Tensor2D, w: GruKernelWeights, o: GruSequenceOptions) => GruSequenceResult;

export interface Case {
  B: number; T: number; D: number; U: number;
  resetAfter: boolean; goBackwards: boolean; sequences: boolean; mask: 'none'|'padding'|'random';
  biases: boolean; activation: string; recurrentActivation: string; inputDropout: boolean;
  /** Input dropout with a different mask per gate (only the op paths take it). */
  perGateDropout?: boolean;
}

const ACTS = ['tanh', 'sigmoid', 'hardSigmoid', 'linear', 'relu'];

export function cases(n: number, seed: number): Case[] {
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
export function makeMask(c: Case, seed: number): tf.Tensor2D|null {
  if (c.mask === 'none') return null;
  const rand = rng(seed);
  const v: number[] = [];
  for (let b = 0; b < c.B; b++) {
    const len = randInt(rand, 0, c.T);
    for (let t = 0; t < c.T; t++) v.push(c.mask === 'padding' ? (t < len ? 1 : 0) : (rand() < 0.6 ? 1 : 0));
  }
  return tf.tensor2d(v, [c.B, c.T]);
}

export function run(c: Case, seed: number, impl: SequenceImpl) {
  return tf.tidy(() => {
    const x = uniform([c.B, c.T, c.D], seed, 1) as tf.Tensor3D;
    const h0 = uniform([c.B, c.U], seed + 1, 0.5) as tf.Tensor2D;
    const W = uniform([c.D, 3 * c.U], seed + 2, 0.6) as tf.Tensor2D;
    const R = uniform([c.U, 3 * c.U], seed + 3, 0.6) as tf.Tensor2D;
    const bx = uniform([3 * c.U], seed + 4, 0.5) as tf.Tensor1D;
    const bh = uniform([3 * c.U], seed + 5, 0.5) as tf.Tensor1D;
    const mask = makeMask(c, seed + 6);
    const drop = (s: number) => tf.mul(tf.cast(tf.greater(uniform([c.B, c.D], s, 1), -0.3), 'float32'), 1 / 0.65) as tf.Tensor2D;
    const dropMask = c.inputDropout ? drop(seed + 7) : null;
    const inputMasks: GruSequenceOptions['inputMasks'] = c.perGateDropout ? [drop(seed + 10), drop(seed + 11), drop(seed + 12)] :
        dropMask && [dropMask, dropMask, dropMask];
    const wOut = uniform([c.B, c.sequences ? c.T : 1, c.U], seed + 8, 1);
    const wState = uniform([c.B, c.U], seed + 9, 1);
    const options: GruSequenceOptions = {
      resetAfter: c.resetAfter, activation: getActivation(c.activation),
      recurrentActivation: getActivation(c.recurrentActivation), goBackwards: c.goBackwards, mask,
      returnSequences: c.sequences, inputMasks,
    };
    const useBx = c.biases, useBh = c.biases && c.resetAfter;
    const f = (xv: tf.Tensor, hv: tf.Tensor, Wv: tf.Tensor, Rv: tf.Tensor, bxv?: tf.Tensor, bhv?: tf.Tensor) => {
      const weights: GruKernelWeights = {
        inputKernel: Wv as tf.Tensor2D, recurrentKernel: Rv as tf.Tensor2D,
        inputBias: useBx ? bxv as tf.Tensor1D : null,
        recurrentBias: useBh ? bhv as tf.Tensor1D : null,
      };
      const r = impl(xv as tf.Tensor3D, hv as tf.Tensor2D, weights, options);
      const out = c.sequences ? r.outputs! : tf.expandDims(r.lastOutput, 1);
      return {r, loss: tf.add(tf.sum(tf.mul(out, wOut)), tf.sum(tf.mul(r.state, wState)))};
    };
    const {r} = f(x, h0, W, R, bx, bh);
    const wrt = [x, h0, W, R, ...(useBx ? [bx] : []), ...(useBh ? [bh] : [])];
    const grads = tf.grads((...a: tf.Tensor[]) => f(a[0], a[1], a[2], a[3], a[4], a[5]).loss)(wrt);
    return {outputs: r.outputs ?? r.lastOutput, last: r.lastOutput, state: r.state, grads};
  });
}


/** Expects two runs of one case to agree: outputs, last output and state within 2e-5 (relative to the
 * larger of 1 and the reference's magnitude), every gradient within 5× that. Disposes both runs. */
export function expectSameRun(fast: ReturnType<typeof run>, ref: ReturnType<typeof run>): void {
  const tol = (t: tf.Tensor) => 2e-5 * Math.max(1, tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]));
  expect(maxAbsDiff(fast.outputs, ref.outputs)).toBeLessThanOrEqual(tol(ref.outputs));
  expect(maxAbsDiff(fast.last, ref.last)).toBeLessThanOrEqual(tol(ref.last));
  expect(maxAbsDiff(fast.state, ref.state)).toBeLessThanOrEqual(tol(ref.state));
  expect(fast.grads.length).toBe(ref.grads.length);
  ['x', 'h0', 'W', 'R', 'bx', 'bh'].slice(0, ref.grads.length).forEach((name, k) => {
    const d = maxAbsDiff(fast.grads[k], ref.grads[k]);
    if (!(d <= tol(ref.grads[k]) * 5)) throw new Error(`gradient ${name}: max abs diff ${d}`);
  });
  tf.dispose([fast, ref] as unknown as tf.TensorContainer);
}
