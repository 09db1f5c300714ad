import * as tf from '@tensorflow/tfjs';

import {GruSize, LayoutSpec} from './layout';

/**
 * PyTorch `nn.GRU` weights of layer 0, under PyTorch's names (no biases when bias=False).
 * @category Weights and converters
 */
export interface PyTorchGruWeights {
  weight_ih_l0: tf.Tensor2D;  // [3U, D], rows r | z | n
  weight_hh_l0: tf.Tensor2D;  // [3U, U], rows r | z | n
  bias_ih_l0: tf.Tensor1D;    // [3U]
  bias_hh_l0: tf.Tensor1D;    // [3U]
}

/**
 * Layout 'pytorch' (reset-after): `torch.nn.GRU`, one layer, one direction.
 *
 *     r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))     h' = (1 − z) ⊙ n + z ⊙ h
 *
 * | tensor                   | shape   | rows      |
 * | ------------------------ | ------- | --------- |
 * | `weight_ih_l0`           | [3U, D] | r ∣ z ∣ n |
 * | `weight_hh_l0`           | [3U, U] | r ∣ z ∣ n |
 * | `bias_ih_l0` (optional)  | [3U]    | r ∣ z ∣ n |
 * | `bias_hh_l0` (optional)  | [3U]    | r ∣ z ∣ n |
 *
 * PyTorch's row order is the canonical r | z | h: the mapping is a transpose.
 */
export const PYTORCH_LAYOUT: LayoutSpec = {
  name: 'pytorch',
  family: 'reset-after',
  tensors: {weight_ih_l0: '[3U, D]', weight_hh_l0: '[3U, U]', bias_ih_l0: '[3U]', bias_hh_l0: '[3U]'},
  optional: ['bias_ih_l0', 'bias_hh_l0'],
  sizeFrom: "D = columns of 'weight_ih_l0', U = columns of 'weight_hh_l0'",
  shapes: ({inputSize: d, units: u}: GruSize) => ({
    weight_ih_l0: [3 * u, d], weight_hh_l0: [3 * u, u], bias_ih_l0: [3 * u], bias_hh_l0: [3 * u],
  }),
  inferSize: (w) => ({inputSize: w.weight_ih_l0.shape[1] as number, units: w.weight_hh_l0.shape[1] as number}),
  toKernel: (w) => ({
    inputKernel: tf.transpose(w.weight_ih_l0 as tf.Tensor2D),
    recurrentKernel: tf.transpose(w.weight_hh_l0 as tf.Tensor2D),
    inputBias: (w.bias_ih_l0 as tf.Tensor1D | undefined) ?? null,
    recurrentBias: (w.bias_hh_l0 as tf.Tensor1D | undefined) ?? null,
  }),
  fromKernel: (k, {units: u}) => {
    const out: Record<string, tf.Tensor> = {
      weight_ih_l0: tf.transpose(k.inputKernel),
      weight_hh_l0: tf.transpose(k.recurrentKernel),
    };
    if (k.inputBias != null || k.recurrentBias != null) {
      out.bias_ih_l0 = k.inputBias ?? tf.zeros([3 * u]);
      out.bias_hh_l0 = k.recurrentBias ?? tf.zeros([3 * u]);
    }
    return out;
  },
};
