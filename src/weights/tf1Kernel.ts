import * as tf from '@tensorflow/tfjs';

import {GruKernelWeights} from '../math/gruSequence';
import {tidyObject} from '../math/tidy';

/**
 * TF1 GRUCell's four variables in the kernel's canonical r | z | h layout.
 *
 * Rows 0..D-1 of both TF1 matrices multiply x, rows D.. multiply h; the gates
 * matrix's columns are r | u and TF1's u is the update gate z, so putting the
 * gates and candidate matrices side by side already gives r | z | h.
 * @category Weights and converters
 */
export function tf1ToKernelWeights(
    gatesKernel: tf.Tensor2D, gatesBias: tf.Tensor1D, candidateKernel: tf.Tensor2D,
    candidateBias: tf.Tensor1D): GruKernelWeights {
  return tidyObject((): GruKernelWeights => {
    const units = candidateKernel.shape[1];
    const inputDim = candidateKernel.shape[0] - units;
    const rowsX = (m: tf.Tensor2D) => tf.slice(m, [0, 0], [inputDim, m.shape[1]]);
    const rowsH = (m: tf.Tensor2D) => tf.slice(m, [inputDim, 0], [units, m.shape[1]]);
    return {
      inputKernel: tf.concat([rowsX(gatesKernel), rowsX(candidateKernel)], 1),
      recurrentKernel: tf.concat([rowsH(gatesKernel), rowsH(candidateKernel)], 1),
      inputBias: tf.concat([gatesBias, candidateBias]),
      recurrentBias: null,
    };
  });
}
