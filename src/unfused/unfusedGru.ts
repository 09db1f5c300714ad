import * as tf from '@tensorflow/tfjs';

import {ExplicitGruWeights} from './explicitWeights';
import {runSteps, StepLoopOptions} from './stepLoop';

/**
 * Options of {@link unfusedGru} and {@link unfusedResetAfterGru}: activations, direction, mask.
 * @category Verify
 */
export interface UnfusedGruOptions extends StepLoopOptions {
  /** Candidate activation; default tf.tanh. */
  activation?: (x: tf.Tensor) => tf.Tensor;
  /** Gate activation; default tf.sigmoid. */
  recurrentActivation?: (x: tf.Tensor) => tf.Tensor;
}

/**
 * The textbook reset-before GRU, written out so that each line can be checked
 * against design.md §2. Deliberately naive: every gate its own matmul, one step
 * per loop iteration, no fusion. The test harness uses it as an independent
 * second implementation; it is not meant to be fast.
 *
 * Returns the output of every step [B, T, U] and the final state [B, U].
 * @category Verify
 */
export function unfusedGru(
    x: tf.Tensor3D, h0: tf.Tensor2D, w: ExplicitGruWeights,
    options: UnfusedGruOptions = {}): {outputs: tf.Tensor3D, state: tf.Tensor2D} {
  const act = options.activation ?? tf.tanh;
  const sigma = options.recurrentActivation ?? tf.sigmoid;
  return runSteps(x, h0, (xt, h) => {
    // r  = σ(x·Wr + h·Ur + br)
    const r = sigma(tf.add(tf.add(tf.matMul(xt, w.Wr), tf.matMul(h, w.Ur)), w.br));
    // z  = σ(x·Wz + h·Uz + bz)
    const z = sigma(tf.add(tf.add(tf.matMul(xt, w.Wz), tf.matMul(h, w.Uz)), w.bz));
    // hh = act(x·Wh + (r ⊙ h)·Uh + bh)
    const hh = act(tf.add(tf.add(tf.matMul(xt, w.Wh), tf.matMul(tf.mul(r, h), w.Uh)), w.bh));
    // h' = z ⊙ h + (1 − z) ⊙ hh
    return tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh)) as tf.Tensor2D;
  }, options);
}
