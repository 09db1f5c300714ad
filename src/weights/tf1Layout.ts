import * as tf from '@tensorflow/tfjs';

import {GruKernelWeights} from '../math/gruSequence';
import {GruSize, LayoutSpec, WeightMap, zeroBias} from './layout';
import {tf1ToKernelWeights} from './tf1Kernel';

/**
 * TF1 GRUCell's four variables, under their TF 1.2+ names.
 * @category Weights and converters
 */
export interface TF1GruWeights {
  'gates/kernel': tf.Tensor2D;      // [D+U, 2U], columns r | u
  'gates/bias': tf.Tensor1D;        // [2U]
  'candidate/kernel': tf.Tensor2D;  // [D+U, U]
  'candidate/bias': tf.Tensor1D;    // [U]
}

/**
 * Layout 'tf1' (reset-before): TF1 `GRUCell`, `GRUBlockCell`.
 *
 * | tensor             | shape     | rows 0..D-1 | rows D.. | columns |
 * | ------------------ | --------- | ----------- | -------- | ------- |
 * | `gates/kernel`     | [D+U, 2U] | x           | h        | r ∣ u   |
 * | `gates/bias`       | [2U]      |             |          | r ∣ u   |
 * | `candidate/kernel` | [D+U, U]  | x           | r ⊙ h    | c       |
 * | `candidate/bias`   | [U]       |             |          | c       |
 *
 * TF1's u is the update gate z, so the canonical r | z | h is the gates and
 * candidate matrices side by side, split by rows into x and h parts.
 */
export const TF1_LAYOUT: LayoutSpec = {
  name: 'tf1',
  family: 'reset-before',
  tensors: {
    'gates/kernel': '[D+U, 2U]', 'gates/bias': '[2U]', 'candidate/kernel': '[D+U, U]', 'candidate/bias': '[U]',
  },
  sizeFrom: "U = columns of 'candidate/kernel', D = its rows − U",
  shapes: ({inputSize: d, units: u}) => ({
    'gates/kernel': [d + u, 2 * u], 'gates/bias': [2 * u], 'candidate/kernel': [d + u, u], 'candidate/bias': [u],
  }),
  inferSize: (w) => {
    const [rows, units] = w['candidate/kernel'].shape;
    return {inputSize: rows - units, units};
  },
  toKernel: (w) => tf1ToKernelWeights(
      w['gates/kernel'] as tf.Tensor2D, w['gates/bias'] as tf.Tensor1D, w['candidate/kernel'] as tf.Tensor2D,
      w['candidate/bias'] as tf.Tensor1D),
  fromKernel: (k: GruKernelWeights, {units: u}: GruSize): WeightMap => {
    const gates = (m: tf.Tensor2D) => tf.slice(m, [0, 0], [-1, 2 * u]);
    const candidate = (m: tf.Tensor2D) => tf.slice(m, [0, 2 * u], [-1, u]);
    const bias = k.inputBias ?? zeroBias(3 * u);
    return {
      'gates/kernel': tf.concat([gates(k.inputKernel), gates(k.recurrentKernel)], 0),
      'gates/bias': tf.slice(bias, [0], [2 * u]),
      'candidate/kernel': tf.concat([candidate(k.inputKernel), candidate(k.recurrentKernel)], 0),
      'candidate/bias': tf.slice(bias, [2 * u], [u]),
    };
  },
};
