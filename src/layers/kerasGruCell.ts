import * as tf from '@tensorflow/tfjs';

import {kerasSource} from '../kernels/weightSource';
import {activationName, getActivation} from '../math/activations';
import {KERAS_LAYOUT, KERAS_RESET_AFTER_LAYOUT} from '../weights/kerasLayout';
import {GruCellBase, GruKernelSpec} from './gruCellBase';
import {defaultLayerName} from './layerNames';
import {ConstraintLike, InitializerLike, RegularizerLike, resolveConstraint, resolveInitializer, resolveRegularizer, serialize} from './serializables';

/**
 * Arguments of {@link kerasGruCell} / {@link KerasGRUCell}: Keras's GRUCell arguments, camelCase, Keras's defaults.
 * @category Layers
 */
export interface KerasGRUCellArgs {
  /** Number of units U (the size of the state). */
  units: number;
  /** Candidate activation; default 'tanh'. null means linear, as Keras's None. */
  activation?: string|null;
  /** Gate activation; default 'sigmoid' (Keras's default; tfjs's own GRU defaults to 'hardSigmoid'). */
  recurrentActivation?: string|null;
  /** Whether the layer has a bias; default true. */
  useBias?: boolean;
  /** Default 'glorotUniform' (Keras's; tfjs's own GRU uses glorotNormal). */
  kernelInitializer?: InitializerLike;
  /** Default 'orthogonal'. */
  recurrentInitializer?: InitializerLike;
  /** Default 'zeros'. */
  biasInitializer?: InitializerLike;
  kernelRegularizer?: RegularizerLike;
  recurrentRegularizer?: RegularizerLike;
  biasRegularizer?: RegularizerLike;
  kernelConstraint?: ConstraintLike;
  recurrentConstraint?: ConstraintLike;
  biasConstraint?: ConstraintLike;
  /** Fraction of the input features dropped in training, one mask per call fixed across time; default 0. */
  dropout?: number;
  /** Fraction of the state dropped in the recurrent matmuls in training; default 0. */
  recurrentDropout?: number;
  /** true (default, Keras 2/3, CuDNN, PyTorch): reset after the recurrent matmul, bias [2, 3U]. false: before it, bias [3U]. */
  resetAfter?: boolean;
  /**
   * Keras's implementation: 2 (default) shares one dropout mask between the
   * gates, 1 draws one per gate. Keras uses 1 whenever recurrentDropout > 0,
   * and so does this cell. The numbers computed are otherwise the same.
   */
  implementation?: number;
  /** Keras's dropout seed: accepted and kept in the config; masks come from tfjs's random generator. */
  seed?: number|null;
  name?: string;
  trainable?: boolean;
  dtype?: tf.DataType;
}

function rate(value: unknown, argName: string): number {
  if (value == null) return 0;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new Error(`${argName}: expected a number in [0, 1], got ${JSON.stringify(value)}`);
  }
  return Math.min(1, Math.max(0, value));  // Keras clips the same way
}

/**
 * Keras's `GRUCell` (tf.keras, Keras 3), both reset conventions.
 *
 *     z  = σ(x·W_z + b_z + h·R_z [+ rb_z])       r = σ(x·W_r + b_r + h·R_r [+ rb_r])
 *     reset_after=False: hh = act(x·W_h + b_h + (r ⊙ h)·R_h)
 *     reset_after=True:  hh = act(x·W_h + b_h + r ⊙ (h·R_h + rb_h))
 *     h' = z ⊙ h + (1 − z) ⊙ hh
 *
 * | weight             | shape   | columns   | rows (reset_after=True)        | initial value |
 * | ------------------ | ------- | --------- | ------------------------------ | ------------- |
 * | `kernel`           | [D, 3U] | z ∣ r ∣ h |                                | glorotUniform |
 * | `recurrent_kernel` | [U, 3U] | z ∣ r ∣ h |                                | orthogonal    |
 * | `bias`             | [3U]    | z ∣ r ∣ h | (reset_after=False)            | zeros         |
 * | `bias`             | [2, 3U] | z ∣ r ∣ h | 0: b (input), 1: rb (recurrent) | zeros         |
 *
 * No bias when useBias is false. Dropout (training only) follows Keras: masks
 * drawn once per call and fixed across time; the input mask multiplies x, the
 * recurrent mask multiplies h inside the recurrent matmuls only.
 * @category Layers
 */
export class KerasGRUCell extends GruCellBase {
  static className = 'KerasGRUCell';

  readonly activation: string;
  readonly recurrentActivation: string;
  readonly useBias: boolean;
  readonly resetAfter: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly implementation: number;
  readonly seed: number|null;
  private readonly kernelInitializer: ReturnType<typeof resolveInitializer>;
  private readonly recurrentInitializer: ReturnType<typeof resolveInitializer>;
  private readonly biasInitializer: ReturnType<typeof resolveInitializer>;
  private readonly kernelRegularizer: ReturnType<typeof resolveRegularizer>;
  private readonly recurrentRegularizer: ReturnType<typeof resolveRegularizer>;
  private readonly biasRegularizer: ReturnType<typeof resolveRegularizer>;
  private readonly kernelConstraint: ReturnType<typeof resolveConstraint>;
  private readonly recurrentConstraint: ReturnType<typeof resolveConstraint>;
  private readonly biasConstraint: ReturnType<typeof resolveConstraint>;

  private kernel?: tf.LayerVariable;
  private recurrentKernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: KerasGRUCellArgs) {
    super({...args, name: args.name ?? defaultLayerName('keras_gru_cell')} as unknown as
          tf.serialization.ConfigDict&{units: number});
    const name = 'KerasGRUCell';
    // undefined: Keras's default; null: Keras's None, the identity.
    this.activation = activationName(
        args.activation === undefined ? 'tanh' : args.activation ?? 'linear', `${name}: activation`);
    this.recurrentActivation = activationName(
        args.recurrentActivation === undefined ? 'sigmoid' : args.recurrentActivation ?? 'linear',
        `${name}: recurrentActivation`);
    this.useBias = args.useBias ?? true;
    this.resetAfter = args.resetAfter ?? true;
    if (typeof this.useBias !== 'boolean') throw new Error(`${name}: useBias must be a boolean, got ${JSON.stringify(args.useBias)}`);
    if (typeof this.resetAfter !== 'boolean') {
      throw new Error(`${name}: resetAfter must be a boolean, got ${JSON.stringify(args.resetAfter)}`);
    }
    this.dropout = rate(args.dropout, `${name}: dropout`);
    this.recurrentDropout = rate(args.recurrentDropout, `${name}: recurrentDropout`);
    const implementation = args.implementation ?? 2;
    if (implementation !== 1 && implementation !== 2) {
      throw new Error(`${name}: implementation must be 1 or 2, got ${JSON.stringify(args.implementation)}`);
    }
    this.implementation = this.recurrentDropout !== 0 ? 1 : implementation;
    this.seed = args.seed ?? null;
    this.kernelInitializer = resolveInitializer(args.kernelInitializer ?? 'glorotUniform', `${name}: kernelInitializer`);
    this.recurrentInitializer =
        resolveInitializer(args.recurrentInitializer ?? 'orthogonal', `${name}: recurrentInitializer`);
    this.biasInitializer = resolveInitializer(args.biasInitializer ?? 'zeros', `${name}: biasInitializer`);
    this.kernelRegularizer = resolveRegularizer(args.kernelRegularizer, `${name}: kernelRegularizer`);
    this.recurrentRegularizer = resolveRegularizer(args.recurrentRegularizer, `${name}: recurrentRegularizer`);
    this.biasRegularizer = resolveRegularizer(args.biasRegularizer, `${name}: biasRegularizer`);
    this.kernelConstraint = resolveConstraint(args.kernelConstraint, `${name}: kernelConstraint`);
    this.recurrentConstraint = resolveConstraint(args.recurrentConstraint, `${name}: recurrentConstraint`);
    this.biasConstraint = resolveConstraint(args.biasConstraint, `${name}: biasConstraint`);
  }

  build(inputShape: tf.Shape|tf.Shape[]): void {
    const inputDim = this.inputSizeOf(inputShape);
    const u = this.units;
    this.kernel = this.addGruWeight(
        'kernel', [inputDim, 3 * u], this.kernelInitializer!, this.kernelRegularizer, this.kernelConstraint);
    this.recurrentKernel = this.addGruWeight(
        'recurrent_kernel', [u, 3 * u], this.recurrentInitializer!, this.recurrentRegularizer,
        this.recurrentConstraint);
    if (this.useBias) {
      this.bias = this.addGruWeight(
          'bias', this.resetAfter ? [2, 3 * u] : [3 * u], this.biasInitializer!, this.biasRegularizer,
          this.biasConstraint);
    }
    this.built = true;
  }

  weightNames(): string[] {
    return this.useBias ? ['kernel', 'recurrent_kernel', 'bias'] : ['kernel', 'recurrent_kernel'];
  }

  kernelSpec(): GruKernelSpec {
    if (this.kernel == null) throw new Error(`${this.name}: called before it was built`);
    const layout = this.resetAfter ? KERAS_RESET_AFTER_LAYOUT : KERAS_LAYOUT;
    const w: Record<string, tf.Tensor> = {kernel: this.kernel.read(), recurrent_kernel: this.recurrentKernel!.read()};
    if (this.bias != null) w.bias = this.bias.read();
    const size = {inputSize: this.kernel.shape[0] as number, units: this.units};
    return {
      weights: () => layout.toKernel(w, size),
      source: kerasSource(w.kernel, w.recurrent_kernel, w.bias ?? null),
      resetAfter: this.resetAfter,
      activation: getActivation(this.activation),
      recurrentActivation: getActivation(this.recurrentActivation),
      dropout: this.dropout === 0 && this.recurrentDropout === 0 ? null : {
        input: this.dropout,
        recurrent: this.recurrentDropout,
        perGate: this.implementation === 1,
      },
    };
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      recurrentActivation: this.recurrentActivation,
      useBias: this.useBias,
      kernelInitializer: serialize(this.kernelInitializer),
      recurrentInitializer: serialize(this.recurrentInitializer),
      biasInitializer: serialize(this.biasInitializer),
      kernelRegularizer: serialize(this.kernelRegularizer),
      recurrentRegularizer: serialize(this.recurrentRegularizer),
      biasRegularizer: serialize(this.biasRegularizer),
      kernelConstraint: serialize(this.kernelConstraint),
      recurrentConstraint: serialize(this.recurrentConstraint),
      biasConstraint: serialize(this.biasConstraint),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      implementation: this.implementation,
      resetAfter: this.resetAfter,
      seed: this.seed,
    } as unknown as tf.serialization.ConfigDict;
  }
}
tf.serialization.registerClass(KerasGRUCell);

/**
 * Factory in the style of `tf.layers.gruCell`.
 * @category Layers
 */
export function kerasGruCell(args: KerasGRUCellArgs): KerasGRUCell {
  return new KerasGRUCell(args);
}
