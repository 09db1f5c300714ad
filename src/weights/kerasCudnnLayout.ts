import * as tf from '@tensorflow/tfjs';

import {KERAS_RESET_AFTER_LAYOUT} from './kerasLayout';
import {GruSize, LayoutSpec, WeightMap} from './layout';

/**
 * Keras `CuDNNGRU` weights (tf.compat.v1.keras.layers.CuDNNGRU, TF 1.x), as its layer and
 * its .h5 files hold them: the reset-after GRU in cuDNN's own memory order.
 * @category Weights and converters
 */
export interface KerasCudnnGruWeights {
  kernel: tf.Tensor2D;            // [D, 3U]: per gate z | r | h, cuDNN's [U, D] matrix stored under the shape [D, U]
  recurrent_kernel: tf.Tensor2D;  // [U, 3U]: per gate z | r | h, the transposed [U, U] matrix
  bias: tf.Tensor1D;              // [6U]: input z r h, then recurrent z r h
}

/** Each of the three column blocks of `m` [rows, 3U] through `f` (Keras's `transform_kernels`). */
function perGate(m: tf.Tensor2D, f: (block: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
  return tf.concat(tf.split(m, 3, 1).map((b) => f(b as tf.Tensor2D)), 1) as tf.Tensor2D;
}

/**
 * The input kernel block of CuDNNGRU → GRU: tf-keras's `kernel.T.reshape(kernel.shape, order='F')`,
 * i.e. the block's row-major numbers read as a [U, D] matrix, transposed to [D, U].
 */
function inputBlockFromCudnn(b: tf.Tensor2D): tf.Tensor2D {
  const [d, u] = b.shape;
  return tf.transpose(tf.reshape(b, [u, d])) as tf.Tensor2D;
}

/** GRU → CuDNNGRU for one input kernel block: `kernel.T.reshape(kernel.shape, order='C')`. */
function inputBlockToCudnn(b: tf.Tensor2D): tf.Tensor2D {
  return tf.reshape(tf.transpose(b), b.shape) as tf.Tensor2D;
}

const transposeBlock = (b: tf.Tensor2D) => tf.transpose(b) as tf.Tensor2D;

/** CuDNNGRU weights → Keras GRU(reset_after=True) weights, exactly as tf-keras converts them on loading. */
function toResetAfter(w: WeightMap, units: number): WeightMap {
  return {
    kernel: perGate(w.kernel as tf.Tensor2D, inputBlockFromCudnn),
    recurrent_kernel: perGate(w.recurrent_kernel as tf.Tensor2D, transposeBlock),
    bias: tf.reshape(w.bias, [2, 3 * units]),
  };
}

/**
 * Layout 'keras-cudnn' (reset-after): Keras `CuDNNGRU` (TF 1.x, tf.compat.v1.keras).
 *
 * | tensor             | shape   | blocks (columns) | each block                                         |
 * | ------------------ | ------- | ---------------- | -------------------------------------------------- |
 * | `kernel`           | [D, 3U] | z ∣ r ∣ h        | cuDNN's [U, D] input matrix, its numbers laid out under the shape [D, U] |
 * | `recurrent_kernel` | [U, 3U] | z ∣ r ∣ h        | the transpose of the [U, U] matrix GRU holds       |
 * | `bias`             | [6U]    | input z r h, recurrent z r h | the rows of GRU(reset_after=True)'s [2, 3U] bias |
 *
 * The mapping is the one tf-keras applies when it loads CuDNNGRU weights into
 * `GRU(reset_after=True)` (`hdf5_format._convert_rnn_weights`): per gate, the input
 * kernel becomes `k.T.reshape(k.shape, order='F')`, the recurrent kernel `k.T`, the bias
 * `reshape(2, -1)`. Only reshapes and transposes: exact both ways.
 */
export const KERAS_CUDNN_LAYOUT: LayoutSpec = {
  name: 'keras-cudnn',
  family: 'reset-after',
  tensors: {kernel: '[D, 3U]', recurrent_kernel: '[U, 3U]', bias: '[6U]'},
  sizeFrom: "D = rows of 'kernel', U = rows of 'recurrent_kernel'",
  shapes: ({inputSize: d, units: u}: GruSize) => ({kernel: [d, 3 * u], recurrent_kernel: [u, 3 * u], bias: [6 * u]}),
  inferSize: (w) => ({inputSize: w.kernel.shape[0], units: w.recurrent_kernel.shape[0]}),
  toKernel: (w, size) => KERAS_RESET_AFTER_LAYOUT.toKernel(toResetAfter(w, size.units), size),
  fromKernel: (k, size) => {
    const ra = KERAS_RESET_AFTER_LAYOUT.fromKernel(k, size);
    const bias = ra.bias == null ? tf.zeros([6 * size.units]) : tf.reshape(ra.bias, [6 * size.units]);
    return {
      kernel: perGate(ra.kernel as tf.Tensor2D, inputBlockToCudnn),
      recurrent_kernel: perGate(ra.recurrent_kernel as tf.Tensor2D, transposeBlock),
      bias,
    };
  },
};

/** CuDNNGRU weights as Keras GRU(reset_after=True) weights (tf-keras's own loading conversion; exact). */
export function kerasCudnnToResetAfter(w: KerasCudnnGruWeights): {kernel: tf.Tensor2D; recurrent_kernel: tf.Tensor2D; bias: tf.Tensor2D} {
  return tf.tidy(() => toResetAfter(w as unknown as WeightMap, w.recurrent_kernel.shape[0])) as any;
}
