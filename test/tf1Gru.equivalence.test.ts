// The TF1 layer against tfjs's built-in GRU (weights mapped as design.md §2
// gives) and against the hand-written unfused GRU, over randomized shapes and
// every sequence option.
import * as tf from '@tensorflow/tfjs';

import {convertWeights, splitTF1Weights, tf1Gru, TF1GruWeights, unfusedGru} from '../src';
import {maxAbsDiff, randInt, rng, uniform} from './helpers/tensors';

interface Case {
  D: number; U: number; B: number; T: number;
  returnSequences: boolean; goBackwards: boolean; masked: boolean; initialState: boolean;
}

function randomCases(n: number, seed: number): Case[] {
  const rand = rng(seed);
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) {
    cases.push({
      D: randInt(rand, 1, 64), U: randInt(rand, 1, 64), B: randInt(rand, 1, 8), T: randInt(rand, 1, 20),
      returnSequences: rand() < 0.5, goBackwards: rand() < 0.4, masked: rand() < 0.4, initialState: rand() < 0.5,
    });
  }
  // The corners, always.
  cases.push({D: 1, U: 1, B: 1, T: 1, returnSequences: true, goBackwards: false, masked: false, initialState: false});
  cases.push({D: 64, U: 64, B: 8, T: 20, returnSequences: true, goBackwards: true, masked: true, initialState: true});
  return cases;
}

/** Right-padded 0/1 mask [B, T] with lengths in 1..T. */
function paddingMask(B: number, T: number, seed: number): tf.Tensor2D {
  const rand = rng(seed);
  const values: number[] = [];
  for (let b = 0; b < B; b++) {
    const len = randInt(rand, 1, T);
    for (let t = 0; t < T; t++) values.push(t < len ? 1 : 0);
  }
  return tf.tensor2d(values, [B, T]);
}

const TOLERANCE = 1e-5;

describe('TF1GRU == tfjs tf.layers.gru == unfused reference (randomized)', () => {
  const cases = randomCases(24, 20261129);
  test.each(cases.map((c, i) => [i, c] as [number, Case]))('case %i %j', (i, c) => {
    tf.tidy(() => {
      const seed = 1000 + i;
      const x = uniform([c.B, c.T, c.D], seed, 1) as tf.Tensor3D;
      const h0 = c.initialState ? uniform([c.B, c.U], seed + 1, 1) as tf.Tensor2D : tf.zeros([c.B, c.U]) as tf.Tensor2D;
      const mask = c.masked ? paddingMask(c.B, c.T, seed + 2) : null;
      const tf1: TF1GruWeights = {
        'gates/kernel': uniform([c.D + c.U, 2 * c.U], seed + 3) as tf.Tensor2D,
        'gates/bias': tf.add(1, uniform([2 * c.U], seed + 4, 0.2)) as tf.Tensor1D,
        'candidate/kernel': uniform([c.D + c.U, c.U], seed + 5) as tf.Tensor2D,
        'candidate/bias': uniform([c.U], seed + 6, 0.2) as tf.Tensor1D,
      };
      const seqArgs = {units: c.U, returnSequences: c.returnSequences, goBackwards: c.goBackwards, returnState: true};

      // Masking enters through a Masking layer, as in a real model: masked steps
      // are the all-zero input rows.
      const maskedX = mask == null ? x : tf.mul(x, tf.expandDims(mask, 2)) as tf.Tensor3D;
      const run = (layer: tf.layers.Layer) => {
        const masking = tf.layers.masking({maskValue: 0});
        const kwargs: {initialState: tf.Tensor[], mask?: tf.Tensor} = {initialState: [h0]};
        if (mask != null) kwargs.mask = masking.computeMask(maskedX) as tf.Tensor;
        return layer.apply(maskedX, kwargs) as tf.Tensor[];
      };

      const ours = tf1Gru(seqArgs);
      run(ours);  // builds
      ours.setWeights([tf1['gates/kernel'], tf1['gates/bias'], tf1['candidate/kernel'], tf1['candidate/bias']]);
      const [oursOut, oursState] = run(ours);

      // recurrentInitializer 'zeros': the weights are replaced, and tfjs's default orthogonal init is slow.
      const builtin = tf.layers.gru({
        ...seqArgs, recurrentActivation: 'sigmoid', activation: 'tanh', recurrentInitializer: 'zeros',
      });
      run(builtin);
      const k = convertWeights(tf1, 'tf1', 'keras');
      builtin.setWeights([k.kernel, k.recurrent_kernel, k.bias]);
      const [builtinOut, builtinState] = run(builtin);

      const ref = unfusedGru(maskedX, h0, splitTF1Weights(tf1), {goBackwards: c.goBackwards, mask: mask ?? undefined});
      const refOut = c.returnSequences ? ref.outputs : tf.squeeze(tf.slice(ref.outputs, [0, c.T - 1], [-1, 1]), [1]);

      expect(maxAbsDiff(oursState, ref.state)).toBeLessThanOrEqual(TOLERANCE);
      expect(maxAbsDiff(oursOut, refOut)).toBeLessThanOrEqual(TOLERANCE);
      expect(maxAbsDiff(oursState, builtinState)).toBeLessThanOrEqual(TOLERANCE);
      // tfjs fills the output of a masked step with the previous *state* (h0
      // before the first valid step); Keras and this package use the previous
      // *output* (zeros before the first valid step). They agree unless a
      // sequence starts with masked steps from a nonzero initial state.
      const leadingMaskedFromH0 = c.masked && c.goBackwards && c.initialState;
      if (!leadingMaskedFromH0) {
        expect(maxAbsDiff(oursOut, builtinOut)).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  });

  test('the cases cover every option', () => {
    for (const key of ['returnSequences', 'goBackwards', 'masked', 'initialState'] as const) {
      expect(cases.some((c) => c[key])).toBe(true);
      expect(cases.some((c) => !c[key])).toBe(true);
    }
  });
});
