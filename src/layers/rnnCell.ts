import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-layers' `RNNCell` base class. tfjs does not export it by name, so it is
 * taken from the registered `GRUCell` (its direct subclass) of the very tfjs
 * instance this package shares with the user: `instanceof` checks and the
 * serialization registry then see one class.
 */
function findRNNCell(): typeof tf.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap['GRUCell'];
  if (entry == null) throw new Error('tfjs-layers did not register GRUCell: is @tensorflow/tfjs loaded?');
  const base = Object.getPrototypeOf(entry[0]);
  if (!(base.prototype instanceof tf.layers.Layer)) {
    throw new Error('tfjs-layers GRUCell does not extend a Layer subclass: unsupported tfjs version');
  }
  return base as typeof tf.layers.Layer;
}

export const RNNCell = findRNNCell();
