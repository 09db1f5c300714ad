import * as tf from '@tensorflow/tfjs';

export interface StepLoopOptions {
  /** Process the steps last to first (outputs in processing order). */
  goBackwards?: boolean;
  /** [B, T] 0/1: a step whose mask is 0 carries state and output through. */
  mask?: tf.Tensor2D;
}

/**
 * The time loop of the unfused references, one step per iteration: calls
 * `step(x_t, h)` for every t and applies Keras's masking (a masked step keeps
 * the state and repeats the previous output, zeros before the first step).
 * Returns the output of every step [B, T, U] and the final state [B, U].
 */
export function runSteps(
    x: tf.Tensor3D, h0: tf.Tensor2D, step: (xt: tf.Tensor2D, h: tf.Tensor2D) => tf.Tensor2D,
    options: StepLoopOptions = {}): {outputs: tf.Tensor3D, state: tf.Tensor2D} {
  return tf.tidy(() => {
    const time = x.shape[1];
    const steps = tf.unstack(x, 1) as tf.Tensor2D[];
    const masks = options.mask == null ? null : tf.unstack(options.mask, 1);
    let h = h0;
    let out = tf.zerosLike(h0);
    const outputs: tf.Tensor2D[] = [];
    for (let i = 0; i < time; i++) {
      const t = options.goBackwards ? time - 1 - i : i;
      const hNew = step(steps[t], h);
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
