import * as tf from '@tensorflow/tfjs';

import {GateMasks} from './gruSequence';

/**
 * A GRU's dropout, as Keras's GRUCell takes it.
 * @category Backends and kernels
 */
export interface GruDropout {
  /** Fraction of the input features dropped (Keras `dropout`). */
  input: number;
  /** Fraction of the state units dropped in the recurrent matmuls (Keras `recurrent_dropout`). */
  recurrent: number;
  /**
   * One independent mask per gate (Keras `implementation=1`, which Keras
   * forces whenever recurrent_dropout > 0) instead of one mask shared by all
   * gates (implementation 2).
   */
  perGate: boolean;
}

/**
 * Keras's dropout masks for one call: drawn once, fixed across time steps.
 * Inverted dropout: kept entries are 1 / (1 − rate), dropped ones 0. A rate
 * outside (0, 1) means no dropout, as in Keras (`0 < dropout < 1`).
 */
export function makeDropoutMasks(
    dropout: GruDropout, batch: number, inputDim: number,
    units: number): {inputMasks: GateMasks|null, recurrentMasks: GateMasks|null} {
  const masks = (rate: number, size: number): GateMasks|null => {
    if (!(rate > 0 && rate < 1)) return null;
    const draw = () => tf.dropout(tf.ones([batch, size]), rate) as tf.Tensor2D;
    if (dropout.perGate) return [draw(), draw(), draw()];
    const shared = draw();
    return [shared, shared, shared];
  };
  return {inputMasks: masks(dropout.input, inputDim), recurrentMasks: masks(dropout.recurrent, units)};
}
