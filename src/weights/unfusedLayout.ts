import * as tf from '@tensorflow/tfjs';

import {GruKernelWeights} from '../math/gruSequence';
import {gateBlocks, GruSize, LayoutSpec, WeightMap, zeroBias} from './layout';

/**
 * The nine explicit tensors of the textbook reset-before GRU, named as in the
 * question this project grew from: W* multiply the input x [B, D], U* multiply
 * the state h [B, U], b* are biases. r = reset gate, z = update gate, h = candidate.
 * @category Weights and converters
 */
export interface ExplicitGruWeights extends ExplicitGruMatrices {
  br: tf.Tensor1D;  // [U]
  bz: tf.Tensor1D;  // [U]
  bh: tf.Tensor1D;  // [U]
}

/** The six matrices both textbook GRUs share: W* [D, U] multiply x, U* [U, U] multiply h. */
export interface ExplicitGruMatrices {
  Wr: tf.Tensor2D;  // [D, U]
  Wz: tf.Tensor2D;  // [D, U]
  Wh: tf.Tensor2D;  // [D, U]
  Ur: tf.Tensor2D;  // [U, U]
  Uz: tf.Tensor2D;  // [U, U]
  Uh: tf.Tensor2D;  // [U, U]
}

/**
 * The explicit tensors of the textbook reset-after GRU: as
 * {@link ExplicitGruWeights}, but each gate has two biases, bW* added to x·W*
 * and bU* added to h·U* (the candidate's bUh sits inside the reset product).
 * @category Weights and converters
 */
export interface ExplicitResetAfterGruWeights extends ExplicitGruMatrices {
  bWr: tf.Tensor1D;  // [U]
  bWz: tf.Tensor1D;  // [U]
  bWh: tf.Tensor1D;  // [U]
  bUr: tf.Tensor1D;  // [U]
  bUz: tf.Tensor1D;  // [U]
  bUh: tf.Tensor1D;  // [U]
}

const MATRICES = {Wr: '[D, U]', Wz: '[D, U]', Wh: '[D, U]', Ur: '[U, U]', Uz: '[U, U]', Uh: '[U, U]'};
const SIZE_FROM = "D = rows of 'Wr', U = columns of 'Wr'";

function matrixShapes({inputSize: d, units: u}: GruSize): Record<string, number[]> {
  return {Wr: [d, u], Wz: [d, u], Wh: [d, u], Ur: [u, u], Uz: [u, u], Uh: [u, u]};
}

function inferSize(w: WeightMap): GruSize {
  return {inputSize: w.Wr.shape[0] as number, units: w.Wr.shape[1] as number};
}

/** Three per-gate tensors r, z, h side by side: the canonical r | z | h. */
function fuse(w: WeightMap, r: string, z: string, h: string): tf.Tensor {
  return tf.concat([w[r], w[z], w[h]], w[r].rank - 1);
}

function matricesToCanonical(w: WeightMap) {
  return {
    inputKernel: fuse(w, 'Wr', 'Wz', 'Wh') as tf.Tensor2D,
    recurrentKernel: fuse(w, 'Ur', 'Uz', 'Uh') as tf.Tensor2D,
  };
}

function matricesFromCanonical(k: GruKernelWeights): WeightMap {
  const [Wr, Wz, Wh] = gateBlocks(k.inputKernel);
  const [Ur, Uz, Uh] = gateBlocks(k.recurrentKernel);
  return {Wr, Wz, Wh, Ur, Uz, Uh};
}

function biasesFromCanonical(b: tf.Tensor1D|null, units: number, names: [string, string, string]): WeightMap {
  const [r, z, h] = gateBlocks(b ?? zeroBias(3 * units));
  return {[names[0]]: r, [names[1]]: z, [names[2]]: h};
}

/**
 * Layout 'unfused' (reset-before): the textbook GRU of src/unfused/unfusedGru.ts.
 *
 *     r = σ(x·Wr + h·Ur + br)    z = σ(x·Wz + h·Uz + bz)
 *     hh = act(x·Wh + (r ⊙ h)·Uh + bh)    h' = z ⊙ h + (1 − z) ⊙ hh
 *
 * | tensor           | shape  |
 * | ---------------- | ------ |
 * | `Wr`, `Wz`, `Wh` | [D, U] |
 * | `Ur`, `Uz`, `Uh` | [U, U] |
 * | `br`, `bz`, `bh` | [U]    |
 */
export const UNFUSED_LAYOUT: LayoutSpec = {
  name: 'unfused',
  family: 'reset-before',
  tensors: {...MATRICES, br: '[U]', bz: '[U]', bh: '[U]'},
  sizeFrom: SIZE_FROM,
  shapes: (size) => ({...matrixShapes(size), br: [size.units], bz: [size.units], bh: [size.units]}),
  inferSize,
  toKernel: (w) => ({...matricesToCanonical(w), inputBias: fuse(w, 'br', 'bz', 'bh') as tf.Tensor1D, recurrentBias: null}),
  fromKernel: (k, {units}) => ({...matricesFromCanonical(k), ...biasesFromCanonical(k.inputBias, units, ['br', 'bz', 'bh'])}),
};

/**
 * Layout 'unfused-reset-after' (reset-after): the textbook reset-after GRU of
 * src/unfused/unfusedResetAfterGru.ts.
 *
 *     r = σ(x·Wr + bWr + h·Ur + bUr)    z = σ(x·Wz + bWz + h·Uz + bUz)
 *     hh = act(x·Wh + bWh + r ⊙ (h·Uh + bUh))    h' = z ⊙ h + (1 − z) ⊙ hh
 *
 * | tensor              | shape  | added to |
 * | ------------------- | ------ | -------- |
 * | `Wr`, `Wz`, `Wh`    | [D, U] |          |
 * | `Ur`, `Uz`, `Uh`    | [U, U] |          |
 * | `bWr`, `bWz`, `bWh` | [U]    | x·W*     |
 * | `bUr`, `bUz`, `bUh` | [U]    | h·U*     |
 */
export const UNFUSED_RESET_AFTER_LAYOUT: LayoutSpec = {
  name: 'unfused-reset-after',
  family: 'reset-after',
  tensors: {...MATRICES, bWr: '[U]', bWz: '[U]', bWh: '[U]', bUr: '[U]', bUz: '[U]', bUh: '[U]'},
  sizeFrom: SIZE_FROM,
  shapes: (size) => {
    const u = [size.units];
    return {...matrixShapes(size), bWr: u, bWz: u, bWh: u, bUr: u, bUz: u, bUh: u};
  },
  inferSize,
  toKernel: (w) => ({
    ...matricesToCanonical(w),
    inputBias: fuse(w, 'bWr', 'bWz', 'bWh') as tf.Tensor1D,
    recurrentBias: fuse(w, 'bUr', 'bUz', 'bUh') as tf.Tensor1D,
  }),
  fromKernel: (k, {units}) => ({
    ...matricesFromCanonical(k),
    ...biasesFromCanonical(k.inputBias, units, ['bWr', 'bWz', 'bWh']),
    ...biasesFromCanonical(k.recurrentBias, units, ['bUr', 'bUz', 'bUh']),
  }),
};
