import * as tf from '@tensorflow/tfjs';

import {GruKernelWeights} from '../math/gruSequence';

/**
 * The two GRU functions (design.md §2). Inside a family every layout holds the
 * same numbers in another arrangement; across families there is no mapping.
 *
 * - 'reset-before': hh = act(x·Wh + bh + (r ⊙ h)·Uh)       (TF1, Keras reset_after=False, tfjs)
 * - 'reset-after':  hh = act(x·Wh + bWh + r ⊙ (h·Uh + bUh)) (Keras default, CuDNN, PyTorch)
 * @category Weights and converters
 */
export type GruFamily = 'reset-before'|'reset-after';

/**
 * A plain object of tensors under one framework's own names.
 * @category Weights and converters
 */
export type WeightMap = Record<string, tf.Tensor>;

/**
 * Input size D and units U of a GRU, as read from its weights.
 * @category Weights and converters
 */
export interface GruSize {
  inputSize: number;
  units: number;
}

/**
 * One weight layout: its tensors and its exact mapping to and from the
 * sequence kernel's canonical layout (column blocks r | z | h, see
 * {@link GruKernelWeights}). Every mapping only slices, concatenates and
 * transposes, so conversions are bit-exact.
 */
export interface LayoutSpec {
  name: string;
  family: GruFamily;
  /** Every tensor: its symbolic shape in D and U ('[D+U, 2U]'). */
  tensors: Record<string, string>;
  /** Tensors that may be absent (a layer without bias). */
  optional?: string[];
  /** Where D and U are read from, for error messages. */
  sizeFrom: string;
  /** The concrete shape of every tensor for a D and U. */
  shapes(size: GruSize): Record<string, number[]>;
  /** D and U from the tensors (their ranks are already checked). */
  inferSize(w: WeightMap): GruSize;
  /** To the canonical layout (call inside a tidy). */
  toKernel(w: WeightMap, size: GruSize): GruKernelWeights;
  /** From the canonical layout (call inside a tidy). */
  fromKernel(k: GruKernelWeights, size: GruSize): WeightMap;
}

/**
 * Swaps the first two of three equal column blocks along `axis`: r | z | h ⇄
 * z | r | h (Keras's order). Its own inverse.
 */
export function swapFirstBlocks<T extends tf.Tensor>(m: T, axis: number): T {
  const [a, b, c] = tf.split(m, 3, axis);
  return tf.concat([b, a, c], axis) as T;
}

/** The three column blocks r, z, h of a canonical matrix [*, 3U] or bias [3U]. */
export function gateBlocks<T extends tf.Tensor>(m: T): [T, T, T] {
  return tf.split(m, 3, m.rank - 1) as [T, T, T];
}

/** A zero bias of U·n numbers, for layouts that require a bias the source lacks (exact: no bias = zero bias). */
export function zeroBias(n: number): tf.Tensor1D {
  return tf.zeros([n]);
}
