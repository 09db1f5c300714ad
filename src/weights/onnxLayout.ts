import * as tf from '@tensorflow/tfjs';

import {GruKernelWeights} from '../math/gruSequence';
import {GruSize, LayoutSpec, swapFirstBlocks, WeightMap} from './layout';

/**
 * One direction of an ONNX `GRU` node's weights (W, R, B with the leading num_directions axis taken off).
 * @category Weights and converters
 */
export interface OnnxGruWeights {
  W: tf.Tensor2D;  // [3U, D], rows z | r | h
  R: tf.Tensor2D;  // [3U, U], rows z | r | h
  B: tf.Tensor1D;  // [6U] = [Wb z | r | h, Rb z | r | h]
}

const TENSORS = {W: '[3U, D]', R: '[3U, U]', B: '[6U]'};
const SIZE_FROM = "D = columns of 'W', U = columns of 'R'";

function shapes({inputSize: d, units: u}: GruSize): Record<string, number[]> {
  return {W: [3 * u, d], R: [3 * u, u], B: [6 * u]};
}

function inferSize(w: WeightMap): GruSize {
  return {inputSize: w.W.shape[1] as number, units: w.R.shape[1] as number};
}

/** ONNX's rows z | r | h, transposed, are Keras's columns; the canonical r | z | h swaps the first two blocks. */
function kernelsToCanonical(w: WeightMap) {
  return {
    inputKernel: swapFirstBlocks(tf.transpose(w.W as tf.Tensor2D), 1),
    recurrentKernel: swapFirstBlocks(tf.transpose(w.R as tf.Tensor2D), 1),
  };
}

function kernelsFromCanonical(k: GruKernelWeights): WeightMap {
  return {W: tf.transpose(swapFirstBlocks(k.inputKernel, 1)), R: tf.transpose(swapFirstBlocks(k.recurrentKernel, 1))};
}

/** B's two halves [Wb | Rb], each in the canonical r | z | h order. */
function biasHalves(w: WeightMap): [tf.Tensor1D, tf.Tensor1D] | null {
  if (w.B == null) return null;
  const [wb, rb] = tf.split(w.B as tf.Tensor1D, 2) as [tf.Tensor1D, tf.Tensor1D];
  return [swapFirstBlocks(wb, 0), swapFirstBlocks(rb, 0)];
}

function biasFrom(wb: tf.Tensor1D | null, rb: tf.Tensor1D | null, u: number): tf.Tensor1D {
  const half = (b: tf.Tensor1D | null) => (b == null ? tf.zeros([3 * u]) as tf.Tensor1D : swapFirstBlocks(b, 0));
  return tf.concat([half(wb), half(rb)]);
}

/**
 * Layout 'onnx' (reset-before): one direction of an ONNX `GRU` node with
 * `linear_before_reset = 0` (the default), W/R/B sliced on their num_directions axis.
 *
 *     z = σ(x·Wzᵀ + h·Rzᵀ + Wbz + Rbz)     r = σ(x·Wrᵀ + h·Rrᵀ + Wbr + Rbr)
 *     h~ = tanh(x·Whᵀ + (r ⊙ h)·Rhᵀ + Rbh + Wbh)     h' = (1 − z) ⊙ h~ + z ⊙ h
 *
 * | tensor          | shape   | rows                               |
 * | --------------- | ------- | ---------------------------------- |
 * | `W`             | [3U, D] | z ∣ r ∣ h                          |
 * | `R`             | [3U, U] | z ∣ r ∣ h                          |
 * | `B` (optional)  | [6U]    | Wb z ∣ r ∣ h, then Rb z ∣ r ∣ h    |
 *
 * Every bias here is added outside the reset product, so Wb + Rb is the one bias of
 * the reset-before family: to other layouts the halves are summed (one float32
 * addition, the sum ONNX's equations add), from them Rb is zero. Any layout → 'onnx'
 * → back is bit-exact; 'onnx' → another layout → 'onnx' gives the same function with
 * the bias moved into Wb.
 */
export const ONNX_LAYOUT: LayoutSpec = {
  name: 'onnx',
  family: 'reset-before',
  tensors: TENSORS,
  optional: ['B'],
  sizeFrom: SIZE_FROM,
  shapes,
  inferSize,
  toKernel: (w) => {
    const halves = biasHalves(w);
    return {...kernelsToCanonical(w), inputBias: halves == null ? null : tf.add(halves[0], halves[1]) as tf.Tensor1D, recurrentBias: null};
  },
  fromKernel: (k, {units: u}) => {
    const out = kernelsFromCanonical(k);
    if (k.inputBias != null) out.B = biasFrom(k.inputBias, null, u);
    return out;
  },
};

/**
 * Layout 'onnx-lbr' (reset-after): one direction of an ONNX `GRU` node with
 * `linear_before_reset = 1` (what torch.onnx.export writes for nn.GRU).
 *
 *     h~ = tanh(x·Whᵀ + Wbh + r ⊙ (h·Rhᵀ + Rbh))     (z, r and h' as in 'onnx')
 *
 * Same tensors as 'onnx'; Wb is the input bias and Rb the recurrent bias of the
 * reset-after family (Keras reset_after's bias rows 0 and 1), so every mapping is exact.
 */
export const ONNX_LBR_LAYOUT: LayoutSpec = {
  name: 'onnx-lbr',
  family: 'reset-after',
  tensors: TENSORS,
  optional: ['B'],
  sizeFrom: SIZE_FROM,
  shapes,
  inferSize,
  toKernel: (w) => {
    const halves = biasHalves(w);
    return {...kernelsToCanonical(w), inputBias: halves?.[0] ?? null, recurrentBias: halves?.[1] ?? null};
  },
  fromKernel: (k, {units: u}) => {
    const out = kernelsFromCanonical(k);
    if (k.inputBias != null || k.recurrentBias != null) out.B = biasFrom(k.inputBias, k.recurrentBias, u);
    return out;
  },
};
