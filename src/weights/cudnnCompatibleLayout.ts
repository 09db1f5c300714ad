import * as tf from '@tensorflow/tfjs';

import {KerasResetAfterGruWeights} from './kerasLayout';

/**
 * TF1 `tf.contrib.cudnn_rnn.CudnnCompatibleGRUCell`'s six variables, for input size D and U units:
 *
 * | tensor | shape | meaning |
 * | --- | --- | --- |
 * | `gates/kernel` | [D+U, 2U] | rows x then h; columns r ∣ u |
 * | `gates/bias` | [2U] | r ∣ u |
 * | `candidate/input_projection/kernel` | [D, U] | x → candidate |
 * | `candidate/input_projection/bias` | [U] | |
 * | `candidate/hidden_projection/kernel` | [U, U] | h → candidate |
 * | `candidate/hidden_projection/bias` | [U] | |
 *
 *     [r | u] = σ([x, h]·Wg + bg)
 *     c = tanh(x·Wi + bi + r ⊙ (h·Wh + bh))        (reset AFTER the recurrent matmul)
 *     h' = u ⊙ h + (1 − u) ⊙ c
 *
 * It is the Keras reset_after=True GRU (z = u) with no recurrent bias on the gates.
 */
export interface CudnnCompatibleGruWeights {
  gates_kernel: tf.Tensor2D;
  gates_bias: tf.Tensor1D;
  input_kernel: tf.Tensor2D;
  input_bias: tf.Tensor1D;
  hidden_kernel: tf.Tensor2D;
  hidden_bias: tf.Tensor1D;
}

/**
 * Exact mapping to Keras `reset_after=True` weights (slices and concatenations only):
 * kernel = [Wg[:D, U:] | Wg[:D, :U] | Wi], recurrent_kernel = [Wg[D:, U:] | Wg[D:, :U] | Wh],
 * bias = [[bg[U:] | bg[:U] | bi], [0 | 0 | bh]].
 */
export function cudnnCompatibleToKeras(w: CudnnCompatibleGruWeights): KerasResetAfterGruWeights {
  const [d, u] = w.input_kernel.shape;
  const expect = (name: string, got: number[], want: number[]) => {
    if (got.length !== want.length || got.some((g, i) => g !== want[i])) {
      throw new Error(`cudnnCompatibleToKeras: '${name}' expects shape [${want}], got [${got}]`);
    }
  };
  expect('gates_kernel', w.gates_kernel.shape, [d + u, 2 * u]);
  expect('gates_bias', w.gates_bias.shape, [2 * u]);
  expect('input_bias', w.input_bias.shape, [u]);
  expect('hidden_kernel', w.hidden_kernel.shape, [u, u]);
  expect('hidden_bias', w.hidden_bias.shape, [u]);
  return tf.tidy(() => {
    const g = w.gates_kernel;
    const kernel = tf.concat([g.slice([0, u], [d, u]), g.slice([0, 0], [d, u]), w.input_kernel], 1) as tf.Tensor2D;
    const recurrent = tf.concat([g.slice([d, u], [u, u]), g.slice([d, 0], [u, u]), w.hidden_kernel], 1) as tf.Tensor2D;
    const b = w.gates_bias;
    const zeros = tf.zeros([u]);
    const bias = tf.stack([
      tf.concat([b.slice([u], [u]), b.slice([0], [u]), w.input_bias]),
      tf.concat([zeros, zeros, w.hidden_bias]),
    ]) as tf.Tensor2D;
    return {kernel, recurrent_kernel: recurrent, bias};
  });
}
