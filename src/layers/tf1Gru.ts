import * as tf from '@tensorflow/tfjs';

import {GruSequenceArgs, GruSequenceLayer} from './gruSequenceLayer';
import {defaultLayerName} from './layerNames';
import {TF1GRUCell, TF1GRUCellArgs} from './tf1GruCell';

/**
 * Arguments of {@link tf1Gru} / {@link TF1GRU}: the TF1 cell's and the sequence layer's.
 * @category Layers
 */
export type TF1GRUArgs = TF1GRUCellArgs&GruSequenceArgs;

/**
 * A sequence of TF1 `GRUCell` steps, as `tf.compat.v1.nn.dynamic_rnn` runs it,
 * with the options `tf.layers.gru` users expect (returnSequences,
 * returnState, goBackwards, stateful, masking, initialState).
 *
 * Weights, in getWeights()/setWeights() order: `gates/kernel` [D+U, 2U],
 * `gates/bias` [2U], `candidate/kernel` [D+U, U], `candidate/bias` [U]; see
 * {@link TF1GRUCell} for the equations and layout.
 *
 * Masked steps carry the state through and repeat the previous output, as in
 * Keras and tfjs; with `zeroOutputForMask: true` they output zeros, as TF1's
 * dynamic_rnn with sequence_length writes past each length (the final state is
 * the same either way).
 * @category Layers
 */
export class TF1GRU extends GruSequenceLayer {
  static className = 'TF1GRU';

  constructor(args: TF1GRUArgs) {
    const cellArgs: TF1GRUCellArgs = {
      units: args.units,
      activation: args.activation,
      kernelInitializer: args.kernelInitializer,
      gatesBiasInitializer: args.gatesBiasInitializer,
      candidateBiasInitializer: args.candidateBiasInitializer,
      biasInitializer: args.biasInitializer,
      kernelRegularizer: args.kernelRegularizer,
      biasRegularizer: args.biasRegularizer,
      kernelConstraint: args.kernelConstraint,
      biasConstraint: args.biasConstraint,
      dtype: args.dtype,
      name: defaultLayerName('tf1_gru_cell'),
    };
    super({...args, name: args.name ?? defaultLayerName('tf1_gru'), cell: new TF1GRUCell(cellArgs)});
  }
}
tf.serialization.registerClass(TF1GRU);

/**
 * Factory in the style of `tf.layers.gru`.
 * @category Layers
 */
export function tf1Gru(args: TF1GRUArgs): TF1GRU {
  return new TF1GRU(args);
}
