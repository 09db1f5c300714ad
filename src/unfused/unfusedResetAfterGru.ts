import * as tf from '@tensorflow/tfjs';

import {ExplicitResetAfterGruWeights} from './explicitWeights';
import {runSteps} from './stepLoop';
import {UnfusedGruOptions} from './unfusedGru';

/**
 * The textbook reset-after GRU (Keras reset_after=True, CuDNN, PyTorch),
 * written out so that each line can be checked against design.md §2: every
 * gate its own matmul, one step per loop iteration. The reset gate multiplies
 * the candidate's recurrent term after its matmul, bias included. A second,
 * independent implementation for the tests; not meant to be fast.
 *
 * Returns the output of every step [B, T, U] and the final state [B, U].
 * @category Verify
 */
export function unfusedResetAfterGru(
    x: tf.Tensor3D, h0: tf.Tensor2D, w: ExplicitResetAfterGruWeights,
    options: UnfusedGruOptions = {}): {outputs: tf.Tensor3D, state: tf.Tensor2D} {
  const act = options.activation ?? tf.tanh;
  const sigma = options.recurrentActivation ?? tf.sigmoid;
  return runSteps(x, h0, (xt, h) => {
    // r  = σ(x·Wr + bWr + h·Ur + bUr)
    const r = sigma(tf.add(tf.add(tf.matMul(xt, w.Wr), w.bWr), tf.add(tf.matMul(h, w.Ur), w.bUr)));
    // z  = σ(x·Wz + bWz + h·Uz + bUz)
    const z = sigma(tf.add(tf.add(tf.matMul(xt, w.Wz), w.bWz), tf.add(tf.matMul(h, w.Uz), w.bUz)));
    // hh = act(x·Wh + bWh + r ⊙ (h·Uh + bUh))
    const hh = act(tf.add(tf.add(tf.matMul(xt, w.Wh), w.bWh), tf.mul(r, tf.add(tf.matMul(h, w.Uh), w.bUh))));
    // h' = z ⊙ h + (1 − z) ⊙ hh
    return tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh)) as tf.Tensor2D;
  }, options);
}
