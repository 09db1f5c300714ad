import * as tf from '@tensorflow/tfjs';

/**
 * Splits [B, T, ...] into T tensors [B, ...] along the time axis.
 *
 * tf.unstack would do, but tfjs 4.22's gradient of unstack fails when T is 1
 * ("Argument tensors passed to stack must be a `Tensor[]`": the tape hands the
 * Unpack gradient a single tensor, not a list), so one step is a reshape.
 */
export function timeSteps<T extends tf.Tensor>(x: tf.Tensor): T[] {
  if (x.shape[1] === 1) return [tf.reshape(x, [x.shape[0], ...x.shape.slice(2)]) as T];
  return tf.unstack(x, 1) as T[];
}
