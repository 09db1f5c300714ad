import * as tf from '@tensorflow/tfjs';

import {ActivationFn} from '../math/activations';
import {GruDropout} from '../math/dropoutMasks';
import {KernelWeightSource} from '../kernels/weightSource';
import {GruKernelWeights, runGruSequence} from '../math/gruSequence';
import {RNNCell} from './rnnCell';
import {Constraint, Initializer, Regularizer} from './serializables';

/** How a cell's variables feed the sequence kernel. */
export interface GruKernelSpec {
  /** The weights in the canonical layout, built by tfjs ops (only the op path calls it). */
  weights: () => GruKernelWeights;
  /** The cell's own variables as whole-sequence kernels take them, with no tfjs op. */
  source: KernelWeightSource;
  resetAfter: boolean;
  activation: ActivationFn;
  recurrentActivation: ActivationFn;
  /**
   * Dropout to apply in training, masks fixed across time (the sequence layer
   * draws them once per call; the single-step `call` applies none).
   */
  dropout?: GruDropout|null;
}

/** Checks the `units` argument of every GRU cell. */
export function checkUnits(units: unknown, layer: string): number {
  if (typeof units !== 'number' || !Number.isInteger(units) || units <= 0) {
    throw new Error(`${layer}: units must be a positive integer, got ${JSON.stringify(units)}`);
  }
  return units;
}

/**
 * What the GRU cells of this package share: a state of `units` numbers, a step
 * that runs the sequence kernel for one time step, and setWeights that names
 * the variable whose shape is wrong.
 */
export abstract class GruCellBase extends RNNCell {
  readonly units: number;
  readonly stateSize: number;

  constructor(args: tf.serialization.ConfigDict&{units: number}) {
    super(args as {});
    this.units = checkUnits(args.units, (this.constructor as any).className ?? 'GRU cell');
    this.stateSize = this.units;
  }

  /** The input size D from the shape build() receives ([B, D], or a list whose first entry is). */
  protected inputSizeOf(inputShape: tf.Shape|tf.Shape[]): number {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = shape[shape.length - 1];
    if (inputDim == null) throw new Error(`${this.name}: the last input dimension must be known, got [${shape}]`);
    return inputDim;
  }

  /** A trainable float32 weight with its initializer, regularizer and constraint. */
  protected addGruWeight(
      name: string, shape: number[], initializer: Initializer, regularizer: Regularizer|null,
      constraint: Constraint|null): tf.LayerVariable {
    return this.addWeight(
        name, shape, 'float32', initializer, regularizer ?? undefined, true, constraint ?? undefined);
  }

  /** The tensors and functions the sequence kernel runs on (call inside a tidy). */
  abstract kernelSpec(training: boolean): GruKernelSpec;

  /** The short names of the weights, in getWeights() order. */
  abstract weightNames(): string[];

  /** One time step: inputs = [x [B, D], h [B, U]] → [h', h']. */
  call(inputs: tf.Tensor|tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor[] {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new Error(`${this.name}: a GRU cell is called with [x, h], got ${
            Array.isArray(inputs) ? inputs.length + ' tensors' : 'one tensor'}`);
      }
      const [x, h] = inputs as [tf.Tensor2D, tf.Tensor2D];
      const spec = this.kernelSpec(kwargs?.training === true);
      const {state} = runGruSequence(tf.expandDims(x, 1) as tf.Tensor3D, h, spec.weights, {
        resetAfter: spec.resetAfter, activation: spec.activation, recurrentActivation: spec.recurrentActivation,
      }, spec.source, {outputs: false, lastOutput: false, state: true});
      return [state!, tf.clone(state!)];
    });
  }

  setWeights(weights: tf.Tensor[]): void {
    checkWeightShapes(this.name, this.weightNames(), this.weights.map((w) => w.shape), weights);
    super.setWeights(weights);
  }
}

/** Throws an error naming the weight, the expected and the actual shape. */
export function checkWeightShapes(
    layer: string, names: string[], expected: tf.Shape[], weights: tf.Tensor[]): void {
  if (expected.length === 0) {
    throw new Error(`${layer}: setWeights called before the layer was built (its input size is not known yet)`);
  }
  if (weights.length !== expected.length) {
    throw new Error(`${layer}: setWeights expects ${expected.length} tensors [${names.join(', ')}], got ${
        weights.length}`);
  }
  weights.forEach((w, i) => {
    const want = expected[i];
    if (w.shape.length !== want.length || w.shape.some((d, j) => d !== want[j])) {
      throw new Error(`${layer}: setWeights: '${names[i]}' expects shape [${want}], got [${w.shape}]`);
    }
  });
}
