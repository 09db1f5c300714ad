import * as tf from '@tensorflow/tfjs';

/**
 * tf.tidy for functions that return a plain object of tensors, some of which
 * may be null (tfjs's TensorContainer type does not admit null, its runtime does).
 */
export function tidyObject<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
