/**
 * Keras's `Conv1D(padding='causal')`, which tfjs-layers' Conv1D refuses at run time ("CAUSAL
 * padding mode … is not implemented yet"): the input padded on the left with
 * dilation_rate · (kernel_size − 1) zero steps, then a 'valid' convolution, so output step t sees
 * input steps ≤ t only. Weights as Keras's and tfjs's Conv1D: `kernel` [kernel_size, in, filters],
 * `bias` [filters]. Channels last only.
 */
import * as tf from '@tensorflow/tfjs';

import {getActivation} from '../math/activations';

/**
 * Constructor arguments (tfjs's camelCase; Keras's model config spells them in snake_case).
 * @category Layers
 */
export interface CausalConv1DArgs {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  dilationRate?: number | number[];
  activation?: string;
  useBias?: boolean;
  name?: string;
  trainable?: boolean;
  batchInputShape?: Array<number | null>;
  dtype?: string;
  /** Kept for the config round trip; weights come from the converted file. */
  kernelInitializer?: unknown;
  biasInitializer?: unknown;
}

const one = (v: number | number[] | undefined, d: number) => (Array.isArray(v) ? v[0] : v ?? d);

/**
 * Keras's causal Conv1D (see the module comment).
 * @category Layers
 */
export class CausalConv1D extends tf.layers.Layer {
  static className = 'CausalConv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly dilationRate: number;
  readonly activation: string;
  readonly useBias: boolean;
  private readonly initializers: {kernel: unknown; bias: unknown};
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: CausalConv1DArgs) {
    super(args as any);
    this.filters = args.filters;
    this.kernelSize = one(args.kernelSize, 1);
    this.strides = one(args.strides, 1);
    this.dilationRate = one(args.dilationRate, 1);
    this.activation = args.activation ?? 'linear';
    this.useBias = args.useBias ?? true;
    this.initializers = {kernel: args.kernelInitializer ?? null, bias: args.biasInitializer ?? null};
    getActivation(this.activation);  // throws now for an activation it lacks
    for (const [k, v] of Object.entries({filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, dilationRate: this.dilationRate})) {
      if (!(Number.isInteger(v) && v > 0)) throw new Error(`CausalConv1D '${this.name}': ${k} must be a positive integer, got ${JSON.stringify(v)}`);
    }
    if (this.strides > 1 && this.dilationRate > 1) throw new Error(`CausalConv1D '${this.name}': strides > 1 with dilation_rate > 1`);
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = s[s.length - 1];
    if (channels == null) throw new Error(`CausalConv1D '${this.name}': the channel axis of the input must be known`);
    this.kernel = this.addWeight('kernel', [this.kernelSize, channels, this.filters], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const t = s[1];
    return [s[0], t == null ? null : Math.ceil(t / this.strides), this.filters];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const padded = tf.pad(x, [[0, 0], [this.dilationRate * (this.kernelSize - 1), 0], [0, 0]]);
      let y: tf.Tensor = tf.conv1d(padded, this.kernel!.read() as tf.Tensor3D, this.strides, 'valid', 'NWC', this.dilationRate);
      if (this.bias != null) y = tf.add(y, this.bias.read());
      return getActivation(this.activation)(y);
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return {...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides,
      dilationRate: this.dilationRate, activation: this.activation, useBias: this.useBias, padding: 'causal',
      kernelInitializer: this.initializers.kernel as any, biasInitializer: this.initializers.bias as any};
  }

  static fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>,
                                                             config: tf.serialization.ConfigDict): T {
    const c = {...config} as any;
    delete c.padding;
    return new cls(c);
  }
}
tf.serialization.registerClass(CausalConv1D);
