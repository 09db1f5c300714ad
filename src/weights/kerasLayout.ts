import * as tf from '@tensorflow/tfjs';

import {GruKernelWeights} from '../math/gruSequence';
import {GruSize, LayoutSpec, swapFirstBlocks, WeightMap} from './layout';

/**
 * Keras GRU weights (reset_after=False: bias [3U]; reset_after=True: bias [2, 3U]); no bias when use_bias=False.
 * @category Weights and converters
 */
export interface KerasGruWeights {
  kernel: tf.Tensor2D;            // [D, 3U], columns z | r | h
  recurrent_kernel: tf.Tensor2D;  // [U, 3U], columns z | r | h
  bias: tf.Tensor1D;              // [3U]   (reset_after=False)
}

/**
 * Keras GRU weights with reset_after=True (the Keras 2/3 default): bias [2, 3U], row 0 on x·W, row 1 on h·R.
 * @category Weights and converters
 */
export interface KerasResetAfterGruWeights {
  kernel: tf.Tensor2D;            // [D, 3U], columns z | r | h
  recurrent_kernel: tf.Tensor2D;  // [U, 3U], columns z | r | h
  bias: tf.Tensor2D;              // [2, 3U]: row 0 input bias, row 1 recurrent bias
}

const TENSORS = {kernel: '[D, 3U]', recurrent_kernel: '[U, 3U]'};
const SIZE_FROM = "D = rows of 'kernel', U = rows of 'recurrent_kernel'";

function shapes({inputSize: d, units: u}: GruSize): Record<string, number[]> {
  return {kernel: [d, 3 * u], recurrent_kernel: [u, 3 * u]};
}

function inferSize(w: WeightMap): GruSize {
  return {inputSize: w.kernel.shape[0], units: w.recurrent_kernel.shape[0]};
}

/** Keras's column order z | r | h is the canonical r | z | h with the first two blocks swapped. */
function kernelsToCanonical(w: WeightMap) {
  return {
    inputKernel: swapFirstBlocks(w.kernel as tf.Tensor2D, 1),
    recurrentKernel: swapFirstBlocks(w.recurrent_kernel as tf.Tensor2D, 1),
  };
}

function kernelsFromCanonical(k: GruKernelWeights): WeightMap {
  return {kernel: swapFirstBlocks(k.inputKernel, 1), recurrent_kernel: swapFirstBlocks(k.recurrentKernel, 1)};
}

/**
 * Layout 'keras' (reset-before): Keras `GRU(reset_after=False)` and tfjs's
 * built-in `tf.layers.gru`.
 *
 * | tensor             | shape   | columns   |
 * | ------------------ | ------- | --------- |
 * | `kernel`           | [D, 3U] | z ∣ r ∣ h |
 * | `recurrent_kernel` | [U, 3U] | z ∣ r ∣ h |
 * | `bias` (optional)  | [3U]    | z ∣ r ∣ h |
 */
export const KERAS_LAYOUT: LayoutSpec = {
  name: 'keras',
  family: 'reset-before',
  tensors: {...TENSORS, bias: '[3U]'},
  optional: ['bias'],
  sizeFrom: SIZE_FROM,
  shapes: (size) => ({...shapes(size), bias: [3 * size.units]}),
  inferSize,
  toKernel: (w) => ({
    ...kernelsToCanonical(w),
    inputBias: w.bias == null ? null : swapFirstBlocks(w.bias as tf.Tensor1D, 0),
    recurrentBias: null,
  }),
  fromKernel: (k) => {
    const out = kernelsFromCanonical(k);
    if (k.inputBias != null) out.bias = swapFirstBlocks(k.inputBias, 0);
    return out;
  },
};

/**
 * Layout 'keras-reset-after' (reset-after): Keras `GRU(reset_after=True)`,
 * the default of Keras 2 and 3 (CuDNN-compatible).
 *
 * | tensor             | shape   | columns   | rows                                   |
 * | ------------------ | ------- | --------- | -------------------------------------- |
 * | `kernel`           | [D, 3U] | z ∣ r ∣ h |                                        |
 * | `recurrent_kernel` | [U, 3U] | z ∣ r ∣ h |                                        |
 * | `bias` (optional)  | [2, 3U] | z ∣ r ∣ h | 0: added to x·W, 1: added to h·R       |
 */
export const KERAS_RESET_AFTER_LAYOUT: LayoutSpec = {
  name: 'keras-reset-after',
  family: 'reset-after',
  tensors: {...TENSORS, bias: '[2, 3U]'},
  optional: ['bias'],
  sizeFrom: SIZE_FROM,
  shapes: (size) => ({...shapes(size), bias: [2, 3 * size.units]}),
  inferSize,
  toKernel: (w) => {
    const rows = w.bias == null ? null : tf.unstack(w.bias) as tf.Tensor1D[];
    return {
      ...kernelsToCanonical(w),
      inputBias: rows == null ? null : swapFirstBlocks(rows[0], 0),
      recurrentBias: rows == null ? null : swapFirstBlocks(rows[1], 0),
    };
  },
  fromKernel: (k, {units: u}) => {
    const out = kernelsFromCanonical(k);
    if (k.inputBias != null || k.recurrentBias != null) {
      const row = (b: tf.Tensor1D|null) => b == null ? tf.zeros([3 * u]) : swapFirstBlocks(b, 0);
      out.bias = tf.stack([row(k.inputBias), row(k.recurrentBias)]);
    }
    return out;
  },
};
