import * as tf from '@tensorflow/tfjs';

import {tidyObject} from '../math/tidy';
import {TF1GruWeights} from '../reference/explicitWeights';

/** Keras reset_after=False GRU weights (also tfjs's built-in layout): column blocks z | r | h. */
export interface KerasGruWeights {
  kernel: tf.Tensor2D;            // [D, 3U]
  recurrent_kernel: tf.Tensor2D;  // [U, 3U]
  bias: tf.Tensor1D;              // [3U]
}

/**
 * TF1 GRUCell variables → Keras reset_after=False (design.md §2). Exact: a
 * permutation of blocks. TF1's u is Keras's z, so r | u becomes z | r.
 */
export function tf1ToKeras(w: TF1GruWeights): KerasGruWeights {
  return tidyObject(() => {
    const gk = w['gates/kernel'];
    const ck = w['candidate/kernel'];
    const units = ck.shape[1];
    const inputDim = ck.shape[0] - units;
    const rows = (m: tf.Tensor2D, from: number, n: number) => tf.slice(m, [from, 0], [n, m.shape[1]]);
    const reorder = (g: tf.Tensor2D, c: tf.Tensor2D) =>
        tf.concat([tf.slice(g, [0, units], [-1, units]), tf.slice(g, [0, 0], [-1, units]), c], 1);
    const gb = w['gates/bias'];
    return {
      kernel: reorder(rows(gk, 0, inputDim), rows(ck, 0, inputDim)),
      recurrent_kernel: reorder(rows(gk, inputDim, units), rows(ck, inputDim, units)),
      bias: tf.concat([tf.slice(gb, [units], [units]), tf.slice(gb, [0], [units]), w['candidate/bias']]),
    };
  });
}
