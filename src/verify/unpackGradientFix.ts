import * as tf from '@tensorflow/tfjs';

/**
 * tfjs 4.22's gradient of Unpack (tf.unstack) fails when the unstacked axis
 * has length 1: the tape then hands the gradient function a single tensor,
 * not a list, and tf.stack rejects it. tfjs's own tf.layers.gru unstacks its
 * input, so its gradients cannot be computed on a one-step sequence. This
 * package's kernels avoid unstack for one step (src/math/timeSteps.ts); verify
 * installs this corrected gradient so it can also check tfjs's built-in GRU
 * on such sequences. It changes nothing but that failure.
 */
let installed = false;

export function installUnpackGradientFix(): void {
  if (installed) return;
  tf.registerGradient({
    kernelName: 'Unpack',
    gradFunc: (dy: tf.Tensor|tf.Tensor[], _saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const axis = attrs.axis as number;
      const parts = Array.isArray(dy) ? dy : [dy];
      return {value: () => tf.stack(parts, axis)};
    },
  });
  installed = true;
}
