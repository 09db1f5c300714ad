import * as tf from '@tensorflow/tfjs';

import {ExplicitGruWeights} from './explicitWeights';

export interface UnfusedGruOptions {
  /** Candidate activation; default tf.tanh. */
  activation?: (x: tf.Tensor) => tf.Tensor;
  /** Process the steps last to first (outputs in processing order). */
  goBackwards?: boolean;
  /** [B, T] 0/1: a step whose mask is 0 carries state and output through. */
  mask?: tf.Tensor2D;
}

/**
 * The textbook reset-before GRU, written out so that each line can be checked
 * against design.md §2. Deliberately naive: every gate its own matmul, one step
 * per loop iteration, no fusion. The test harness uses it as an independent
 * second implementation; it is not meant to be fast.
 *
 * Returns the output of every step [B, T, U] and the final state [B, U].
 */
export function unfusedGru(
    x: tf.Tensor3D, h0: tf.Tensor2D, w: ExplicitGruWeights,
    options: UnfusedGruOptions = {}): {outputs: tf.Tensor3D, state: tf.Tensor2D} {
  return tf.tidy(() => {
    const act = options.activation ?? tf.tanh;
    const time = x.shape[1];
    const steps = tf.unstack(x, 1) as tf.Tensor2D[];
    const masks = options.mask == null ? null : tf.unstack(options.mask, 1);
    let h = h0;
    let out = tf.zerosLike(h0);
    const outputs: tf.Tensor2D[] = [];
    for (let i = 0; i < time; i++) {
      const t = options.goBackwards ? time - 1 - i : i;
      const xt = steps[t];
      // r  = σ(x·Wr + h·Ur + br)
      const r = tf.sigmoid(tf.add(tf.add(tf.matMul(xt, w.Wr), tf.matMul(h, w.Ur)), w.br));
      // z  = σ(x·Wz + h·Uz + bz)
      const z = tf.sigmoid(tf.add(tf.add(tf.matMul(xt, w.Wz), tf.matMul(h, w.Uz)), w.bz));
      // hh = act(x·Wh + (r ⊙ h)·Uh + bh)
      const hh = act(tf.add(tf.add(tf.matMul(xt, w.Wh), tf.matMul(tf.mul(r, h), w.Uh)), w.bh));
      // h' = z ⊙ h + (1 − z) ⊙ hh
      const hNew = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh)) as tf.Tensor2D;
      if (masks == null) {
        h = hNew;
        out = hNew;
      } else {
        const keep = tf.greater(tf.reshape(masks[t], [-1, 1]), 0.5);  // [B, 1]
        h = tf.where(tf.broadcastTo(keep, h.shape), hNew, h);
        out = tf.where(tf.broadcastTo(keep, out.shape), hNew, out);
      }
      outputs.push(out);
    }
    return {outputs: tf.stack(outputs, 1) as tf.Tensor3D, state: h};
  });
}
