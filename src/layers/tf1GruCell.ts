import * as tf from '@tensorflow/tfjs';

import {tf1Source} from '../kernels/weightSource';
import {activationName, getActivation} from '../math/activations';
import {tf1ToKernelWeights} from '../weights/tf1Kernel';
import {GruCellBase, GruKernelSpec} from './gruCellBase';
import {defaultLayerName} from './layerNames';
import {ConstraintLike, InitializerLike, RegularizerLike, resolveConstraint, resolveInitializer, resolveRegularizer, serialize} from './serializables';

/**
 * Arguments of {@link tf1GruCell} / {@link TF1GRUCell}: TF1 GRUCell's constructor arguments, camelCase.
 * @category Layers
 */
export interface TF1GRUCellArgs {
  /** Number of units U (the size of the state). */
  units: number;
  /** Candidate activation; default 'tanh' (TF1's default). The gates always use sigmoid, as in TF1. */
  activation?: string;
  /** Initializer of both kernels; default 'glorotUniform' (TF1's default for float variables). */
  kernelInitializer?: InitializerLike;
  /** Initializer of gates/bias; default constant 1.0 (TF1's bias_start). */
  gatesBiasInitializer?: InitializerLike;
  /** Initializer of candidate/bias; default zeros. */
  candidateBiasInitializer?: InitializerLike;
  /**
   * TF 1.2+'s bias_initializer: when given it initialises BOTH biases (the
   * gates bias is then no longer 1.0). Cannot be combined with the two above.
   */
  biasInitializer?: InitializerLike;
  kernelRegularizer?: RegularizerLike;
  biasRegularizer?: RegularizerLike;
  kernelConstraint?: ConstraintLike;
  biasConstraint?: ConstraintLike;
  name?: string;
  trainable?: boolean;
  dtype?: tf.DataType;
}

/**
 * TensorFlow 1.x `GRUCell` with its variables made explicit.
 *
 *     [r_bar | u_bar] = [x, h] · gates/kernel + gates/bias
 *     r = σ(r_bar)   (first U columns)      u = σ(u_bar)   (last U columns)
 *     c  = act([x, r ⊙ h] · candidate/kernel + candidate/bias)
 *     h' = u ⊙ h + (1 − u) ⊙ c
 *
 * | weight             | shape        | rows 0..D-1 | rows D..D+U-1 | columns        | initial value |
 * | ------------------ | ------------ | ----------- | ------------- | -------------- | ------------- |
 * | `gates/kernel`     | [D+U, 2U]    | multiply x  | multiply h    | r ∣ u          | glorotUniform |
 * | `gates/bias`       | [2U]         |             |               | r ∣ u          | 1.0           |
 * | `candidate/kernel` | [D+U, U]     | multiply x  | multiply r⊙h  | c              | glorotUniform |
 * | `candidate/bias`   | [U]          |             |               | c              | 0.0           |
 *
 * The same computation as TF's raw op GRUBlockCell. TF1 checkpoints store
 * these four variables as they are (see the README for the names of every TF
 * generation).
 * @category Layers
 */
export class TF1GRUCell extends GruCellBase {
  static className = 'TF1GRUCell';

  readonly activation: string;
  private readonly kernelInitializer: ReturnType<typeof resolveInitializer>;
  private readonly biasInitializer: ReturnType<typeof resolveInitializer>;
  private readonly gatesBiasInitializer: ReturnType<typeof resolveInitializer>;
  private readonly candidateBiasInitializer: ReturnType<typeof resolveInitializer>;
  private readonly kernelRegularizer: ReturnType<typeof resolveRegularizer>;
  private readonly biasRegularizer: ReturnType<typeof resolveRegularizer>;
  private readonly kernelConstraint: ReturnType<typeof resolveConstraint>;
  private readonly biasConstraint: ReturnType<typeof resolveConstraint>;

  private gatesKernel?: tf.LayerVariable;
  private gatesBias?: tf.LayerVariable;
  private candidateKernel?: tf.LayerVariable;
  private candidateBias?: tf.LayerVariable;

  constructor(args: TF1GRUCellArgs) {
    super({...args, name: args.name ?? defaultLayerName('tf1_gru_cell')} as unknown as tf.serialization.ConfigDict&
          {units: number});
    const name = 'TF1GRUCell';
    this.activation = activationName(args.activation ?? 'tanh', `${name}: activation`);
    this.kernelInitializer =
        resolveInitializer(args.kernelInitializer ?? 'glorotUniform', `${name}: kernelInitializer`);
    this.biasInitializer = resolveInitializer(args.biasInitializer, `${name}: biasInitializer`);
    if (this.biasInitializer != null &&
        (args.gatesBiasInitializer != null || args.candidateBiasInitializer != null)) {
      throw new Error(
          `${name}: biasInitializer sets both biases (TF1's bias_initializer); ` +
          `do not combine it with gatesBiasInitializer or candidateBiasInitializer`);
    }
    this.gatesBiasInitializer = this.biasInitializer == null ?
        resolveInitializer(args.gatesBiasInitializer ?? tf.initializers.constant({value: 1}),
                           `${name}: gatesBiasInitializer`) :
        null;
    this.candidateBiasInitializer = this.biasInitializer == null ?
        resolveInitializer(args.candidateBiasInitializer ?? 'zeros', `${name}: candidateBiasInitializer`) :
        null;
    this.kernelRegularizer = resolveRegularizer(args.kernelRegularizer, `${name}: kernelRegularizer`);
    this.biasRegularizer = resolveRegularizer(args.biasRegularizer, `${name}: biasRegularizer`);
    this.kernelConstraint = resolveConstraint(args.kernelConstraint, `${name}: kernelConstraint`);
    this.biasConstraint = resolveConstraint(args.biasConstraint, `${name}: biasConstraint`);
  }

  build(inputShape: tf.Shape|tf.Shape[]): void {
    const inputDim = this.inputSizeOf(inputShape);
    const u = this.units;
    const gatesBiasInit = this.biasInitializer ?? this.gatesBiasInitializer!;
    const candidateBiasInit = this.biasInitializer ?? this.candidateBiasInitializer!;
    this.gatesKernel = this.addGruWeight(
        'gates/kernel', [inputDim + u, 2 * u], this.kernelInitializer!, this.kernelRegularizer, this.kernelConstraint);
    this.gatesBias = this.addGruWeight('gates/bias', [2 * u], gatesBiasInit, this.biasRegularizer, this.biasConstraint);
    this.candidateKernel = this.addGruWeight(
        'candidate/kernel', [inputDim + u, u], this.kernelInitializer!, this.kernelRegularizer, this.kernelConstraint);
    this.candidateBias =
        this.addGruWeight('candidate/bias', [u], candidateBiasInit, this.biasRegularizer, this.biasConstraint);
    this.built = true;
  }

  weightNames(): string[] {
    return ['gates/kernel', 'gates/bias', 'candidate/kernel', 'candidate/bias'];
  }

  kernelSpec(): GruKernelSpec {
    if (this.gatesKernel == null) throw new Error(`${this.name}: called before it was built`);
    const [gk, gb, ck, cb] = [this.gatesKernel, this.gatesBias!, this.candidateKernel!, this.candidateBias!].map(
        (v) => v.read());
    return {
      weights: () => tf1ToKernelWeights(gk as tf.Tensor2D, gb as tf.Tensor1D, ck as tf.Tensor2D, cb as tf.Tensor1D),
      source: tf1Source(gk, gb, ck, cb),
      resetAfter: false,
      activation: getActivation(this.activation),
      recurrentActivation: getActivation('sigmoid'),
    };
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      kernelInitializer: serialize(this.kernelInitializer),
      gatesBiasInitializer: serialize(this.gatesBiasInitializer),
      candidateBiasInitializer: serialize(this.candidateBiasInitializer),
      biasInitializer: serialize(this.biasInitializer),
      kernelRegularizer: serialize(this.kernelRegularizer),
      biasRegularizer: serialize(this.biasRegularizer),
      kernelConstraint: serialize(this.kernelConstraint),
      biasConstraint: serialize(this.biasConstraint),
    } as unknown as tf.serialization.ConfigDict;
  }
}
tf.serialization.registerClass(TF1GRUCell);

/**
 * Factory in the style of `tf.layers.gruCell`.
 * @category Layers
 */
export function tf1GruCell(args: TF1GRUCellArgs): TF1GRUCell {
  return new TF1GRUCell(args);
}
