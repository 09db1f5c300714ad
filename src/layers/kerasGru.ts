import * as tf from '@tensorflow/tfjs';

import {GruSequenceArgs, GruSequenceLayer} from './gruSequenceLayer';
import {fromKerasConfig} from './kerasConfig';
import {KerasGRUCell, KerasGRUCellArgs} from './kerasGruCell';
import {defaultLayerName} from './layerNames';
import {RegularizerLike, resolveRegularizer, serialize} from './serializables';

/**
 * Arguments of {@link gru} / {@link KerasGRU}: the cell's (Keras's GRU arguments) and the sequence layer's.
 * @category Layers
 */
export type KerasGRUArgs = KerasGRUCellArgs&GruSequenceArgs&{
  /** Regularizer of the layer's output. */
  activityRegularizer?: RegularizerLike;
};

const CELL_ARGS: Array<keyof KerasGRUCellArgs> = [
  'units', 'activation', 'recurrentActivation', 'useBias', 'kernelInitializer', 'recurrentInitializer',
  'biasInitializer', 'kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer', 'kernelConstraint',
  'recurrentConstraint', 'biasConstraint', 'dropout', 'recurrentDropout', 'resetAfter', 'implementation', 'seed',
  'dtype', 'trainable',
];

/**
 * Keras's `GRU` layer (tf.keras, Keras 3) on this package's sequence kernel,
 * including the `reset_after=True` GRU (Keras's default) that tfjs-layers
 * refuses to build. Defaults are Keras's: resetAfter true,
 * recurrentActivation 'sigmoid', kernel glorotUniform, recurrent orthogonal,
 * bias zeros.
 *
 * Weights, in getWeights()/setWeights() order (Keras's): `kernel` [D, 3U],
 * `recurrent_kernel` [U, 3U], `bias` [2, 3U] (resetAfter) or [3U], absent
 * when useBias is false; see {@link KerasGRUCell} for the equations and layout.
 *
 * Registered as 'KerasGRU' (tfjs keeps its own 'GRU'); after
 * {@link registerKerasGru}, tf.loadLayersModel builds this class for every
 * 'GRU' in a model.json, so converted Keras models load.
 * @category Layers
 */
export class KerasGRU extends GruSequenceLayer {
  static className = 'KerasGRU';

  constructor(rawArgs: KerasGRUArgs) {
    const args = fromKerasConfig(rawArgs as unknown as Record<string, unknown>, 'KerasGRU') as unknown as KerasGRUArgs;
    const cellArgs: Record<string, unknown> = {name: defaultLayerName('keras_gru_cell')};
    for (const key of CELL_ARGS) cellArgs[key] = args[key];
    super({...args, name: args.name ?? defaultLayerName('keras_gru'), cell: new KerasGRUCell(cellArgs as unknown as KerasGRUCellArgs)});
    this.activityRegularizer = resolveRegularizer(args.activityRegularizer, 'KerasGRU: activityRegularizer')!;
  }

  /** The cell, typed as the Keras GRU cell. */
  get kerasCell(): KerasGRUCell {
    return this.cell as unknown as KerasGRUCell;
  }

  /** Every constructor argument, as Keras's GRU config, for model.save / tf.loadLayersModel. */
  getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      activityRegularizer: serialize(this.activityRegularizer ?? null),
    } as unknown as tf.serialization.ConfigDict;
  }
}
tf.serialization.registerClass(KerasGRU);

/**
 * Factory in the style of `tf.layers.gru`: a Keras-compatible GRU (resetAfter defaults to true, as in Keras).
 * @category Layers
 */
export function gru(args: KerasGRUArgs): KerasGRU {
  return new KerasGRU(args);
}

/**
 * Makes tf.loadLayersModel build {@link KerasGRU} for every layer whose class
 * is 'GRU' in a model.json (tfjs's own GRU cannot build Keras's default
 * reset_after=True GRU). Weights are found under the converter's names
 * ('gru/gru_cell/kernel': tfjs drops the cell scope and matches 'gru/kernel').
 * tfjs's own GRU saves resetAfter: false and loads as this class unchanged.
 *
 * Returns a function that restores the previous registration of 'GRU'.
 * @category Layers
 */
export function registerKerasGru(): () => void {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  const previous = map['GRU'];
  map['GRU'] = [KerasGRU, KerasGRU.fromConfig] as unknown as typeof previous;
  return () => {
    if (previous != null) {
      map['GRU'] = previous;
    } else {
      delete map['GRU'];
    }
  };
}
