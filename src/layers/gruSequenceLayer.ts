import * as tf from '@tensorflow/tfjs';

import {makeDropoutMasks} from '../math/dropoutMasks';
import {runGruSequence} from '../math/gruSequence';
import {checkWeightShapes, GruCellBase} from './gruCellBase';

/**
 * The sequence options every GRU layer of this package takes, as `tf.layers.gru` does.
 * @category Layers
 */
export interface GruSequenceArgs {
  /** Return the output of every step [B, T, U] (default false: the last one, [B, U]). */
  returnSequences?: boolean;
  /** Also return the final state: [output, state]. */
  returnState?: boolean;
  /** Process the sequence last step first (outputs come in processing order). */
  goBackwards?: boolean;
  /** Keep the final state of each batch entry as the initial state of the next call. */
  stateful?: boolean;
  /**
   * Keras's `zero_output_for_mask` (default false): at a masked step the output
   * is zeros instead of the previous step's output; the state is carried through
   * either way. Inside `tf.layers.bidirectional` it is forced to returnSequences,
   * as Keras's Bidirectional does. TF1's `dynamic_rnn(sequence_length=…)` is true.
   */
  zeroOutputForMask?: boolean;
  /** Accepted for tfjs compatibility; the loop is never unrolled. */
  unroll?: boolean;
  inputShape?: tf.Shape;
  batchInputShape?: tf.Shape;
  batchSize?: number;
  inputDim?: number;
  inputLength?: number;
  name?: string;
  trainable?: boolean;
  dtype?: tf.DataType;
}

/**
 * A sequence layer whose time loop is this package's GRU kernel
 * (src/math/gruSequence.ts) rather than tfjs's generic `rnn()` loop.
 *
 * It is a `tf.RNN` so that tfjs's own machinery for initial states
 * (`layer.apply(x, {initialState: [h0]})`, symbolic or concrete), stateful
 * layers (`resetStates`), masks and output shapes applies unchanged.
 */
export abstract class GruSequenceLayer extends tf.RNN {
  /** Keras's `zero_output_for_mask`: zeros, not the previous output, at masked steps (see {@link GruSequenceArgs}). */
  zeroOutputForMask: boolean;
  /** The name the layer was built with; tf.layers.bidirectional renames its copies 'forward_' / 'backward_' + it. */
  private readonly constructedName: string;

  constructor(args: GruSequenceArgs&{cell: GruCellBase}) {
    super(args as any);
    const zero = args.zeroOutputForMask ?? false;
    if (typeof zero !== 'boolean') {
      throw new Error(`${this.name}: zeroOutputForMask must be a boolean, got ${JSON.stringify(zero)}`);
    }
    this.zeroOutputForMask = zero;
    this.constructedName = this.name;
  }

  /**
   * Whether tf.layers.bidirectional made this layer one of its two directions.
   * tfjs's Bidirectional clones the wrapped layer from its config and renames the
   * clones 'forward_' / 'backward_' + the name; Keras's Bidirectional then sets
   * zero_output_for_mask = return_sequences on both, and so do we.
   */
  get isBidirectionalDirection(): boolean {
    return this.name === `forward_${this.constructedName}` || this.name === `backward_${this.constructedName}`;
  }

  /** Whether masked steps output zeros in this call: zeroOutputForMask, or returnSequences inside a Bidirectional. */
  get zeroesMaskedOutputs(): boolean {
    return this.isBidirectionalDirection ? this.returnSequences : this.zeroOutputForMask;
  }

  /** The cell, typed as this package's GRU cell. */
  get gruCell(): GruCellBase {
    return this.cell as unknown as GruCellBase;
  }

  /** Checks the initial state before tfjs does (its message names neither the shape nor the layer). */
  apply(inputs: tf.Tensor|tf.Tensor[]|tf.SymbolicTensor|tf.SymbolicTensor[], kwargs?: any):
      tf.Tensor|tf.Tensor[]|tf.SymbolicTensor|tf.SymbolicTensor[] {
    const states = kwargs?.initialState;
    if (states != null) {
      const list = Array.isArray(states) ? states : [states];
      const units = this.gruCell.units;
      if (list.length !== 1) {
        throw new Error(`${this.name}: a GRU has one state; got ${list.length} initial states`);
      }
      const shape = list[0].shape as Array<number|null>;
      if (shape.length !== 2 || (shape[1] != null && shape[1] !== units)) {
        throw new Error(`${this.name}: initial state must have shape [batch, ${units}], got [${shape}]`);
      }
    }
    // A copy: tfjs's RNN.apply writes initialState into the kwargs it is given, and a
    // LayersModel's executor hands one kwargs object to every layer (model.apply, fit),
    // so the next RNN of a model with symbolic initial states would see this one's.
    return super.apply(inputs, kwargs == null ? kwargs : {...kwargs});
  }

  /** Runs the GRU over a sequence [B, T, D] (tf.layers' Layer.call; kwargs: mask, initialState, training). */
  call(inputs: tf.Tensor|tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor|tf.Tensor[] {
    return tf.tidy(() => {
      // A symbolic initial state arrives as extra inputs: [x, h0].
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const x = list[0] as tf.Tensor3D;
      let initialState = (kwargs?.initialState as unknown as tf.Tensor[] | undefined) ??
          (list.length > 1 ? list.slice(1) : undefined);
      let mask = kwargs?.mask as unknown as tf.Tensor | tf.Tensor[] | undefined;
      if (Array.isArray(mask)) mask = mask[0];
      const training = kwargs?.training === true;

      if (x.rank !== 3) {
        throw new Error(`${this.name}: expected input of rank 3 [batch, time, features], got shape [${x.shape}]`);
      }
      const units = this.gruCell.units;
      const batch = x.shape[0];
      if (initialState == null) {
        initialState = this.stateful ? this.states : [tf.zeros([batch, units])];
      }
      if (initialState.length !== 1 || initialState[0] == null) {
        throw new Error(`${this.name}: a GRU has one state; got ${initialState.length} initial states`);
      }
      const h0 = initialState[0] as tf.Tensor2D;
      if (h0.rank !== 2 || h0.shape[0] !== batch || h0.shape[1] !== units) {
        throw new Error(`${this.name}: initial state must have shape [${batch}, ${units}], got [${h0.shape}]`);
      }

      const spec = this.gruCell.kernelSpec(training);
      const dropoutMasks = training && spec.dropout != null ?
          makeDropoutMasks(spec.dropout, batch, x.shape[2], units) :
          {inputMasks: null, recurrentMasks: null};
      const result = runGruSequence(x, h0, spec.weights, {
        resetAfter: spec.resetAfter,
        activation: spec.activation,
        recurrentActivation: spec.recurrentActivation,
        ...dropoutMasks,
        goBackwards: this.goBackwards,
        mask: mask ?? null,
        returnSequences: this.returnSequences,
      }, spec.source, {
        outputs: this.returnSequences,
        lastOutput: !this.returnSequences,
        state: this.returnState || this.stateful,
      });
      if (this.stateful) this.resetStates([result.state!], training);
      let output = this.returnSequences ? result.outputs! : result.lastOutput!;
      if (mask != null && this.zeroesMaskedOutputs) output = zeroMaskedOutputs(output, mask, this.goBackwards) as typeof output;
      return this.returnState ? [output, result.state!] : output;
    });
  }

  /** Disposes the weights (tfjs's Layer.dispose) and, once no model holds the layer, a stateful layer's state tensors. */
  dispose(): ReturnType<tf.layers.Layer['dispose']> {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0) {
      if (this.states_ != null) tf.dispose(this.states_);
      if (this.keptStates != null) this.keptStates.forEach((s) => tf.dispose(s));
      this.states_ = null as unknown as tf.Tensor[];
      this.keptStates = [];
    }
    return result;
  }

  setWeights(weights: tf.Tensor[]): void {
    checkWeightShapes(this.name, this.gruCell.weightNames(), this.weights.map((w) => w.shape), weights);
    super.setWeights(weights);
  }

  /** Every constructor argument, for model.save / tf.loadLayersModel. */
  getConfig(): tf.serialization.ConfigDict {
    const config = super.getConfig();
    delete config.cell;
    // As Keras writes it: the key only when true (tfjs saves it as zero_output_for_mask).
    if (this.zeroOutputForMask) config.zeroOutputForMask = true;
    return config;
  }

  /** Layers of this package rebuild their cell from the flat config. */
  static fromConfig<T extends tf.serialization.Serializable>(
      cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config);
  }
}

/**
 * The layer's output with masked steps set to zeros: the carried outputs times
 * the mask, which equals Keras's zero_output_for_mask in value and gradient (a
 * carried output multiplied by 0 passes no gradient, as Keras's zeros do).
 * `output` is [B, T, U] in processing order (mask reversed for goBackwards) or
 * the last processed step's [B, U].
 */
function zeroMaskedOutputs(output: tf.Tensor, mask: tf.Tensor, goBackwards: boolean): tf.Tensor {
  let m = tf.cast(mask, 'float32') as tf.Tensor2D;
  if (goBackwards) m = tf.reverse(m, 1);
  if (output.rank === 3) return tf.mul(output, tf.expandDims(m, 2));
  const time = m.shape[1];
  return tf.mul(output, tf.slice(m, [0, time - 1], [-1, 1]));
}
