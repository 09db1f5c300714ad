import * as tf from '@tensorflow/tfjs';

/**
 * Reverses a sequence [B, T, F] along time (axis 1). After a `goBackwards` GRU it puts
 * the outputs back in input order, which is what a lone reverse-direction RNN
 * computes in ONNX (a `GRU` node with direction 'reverse': Y[t] is the state after
 * reading steps T-1 … t), while tfjs and Keras return goBackwards outputs in
 * processing order. Registered as 'ReverseTime': loading a model holding one needs
 * `import 'tfjs-gru'`. No weights; masks are not propagated.
 * @category Layers
 */
export class ReverseTime extends tf.layers.Layer {
  static className = 'ReverseTime';

  constructor(args: {name?: string; inputShape?: tf.Shape} = {}) {
    super(args as any);
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.reverse(Array.isArray(inputs) ? inputs[0] : inputs, 1));
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
}
tf.serialization.registerClass(ReverseTime);

/**
 * A {@link ReverseTime} layer.
 * @category Layers
 */
export function reverseTime(args: {name?: string; inputShape?: tf.Shape} = {}): ReverseTime {
  return new ReverseTime(args);
}
