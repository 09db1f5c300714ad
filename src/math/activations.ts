import * as tf from '@tensorflow/tfjs';

/**
 * An element-wise activation, as the GRU kernels take it.
 * @category Backends and kernels
 */
export type ActivationFn = (x: tf.Tensor) => tf.Tensor;

/**
 * Activations by the names tfjs-layers uses (camelCase), with Keras's snake_case
 * spellings accepted as aliases. 'hardSigmoid' is tfjs's and tf-keras's
 * 0.2·x + 0.5 clipped to [0, 1] (Keras 3's hard_sigmoid is x/6 + 0.5: not this).
 */
const ACTIVATIONS: Record<string, ActivationFn> = {
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  hardSigmoid: (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1),
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  softplus: (x) => tf.softplus(x),
  softsign: (x) => tf.div(x, tf.add(tf.abs(x), 1)),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
};

const ALIASES: Record<string, string> = {
  hard_sigmoid: 'hardSigmoid',
};

/**
 * The canonical (tfjs) name of an activation; throws on an unknown one.
 * @category Backends and kernels
 */
export function activationName(name: string, argName = 'activation'): string {
  const canonical = ALIASES[name] ?? name;
  if (!(canonical in ACTIVATIONS)) {
    throw new Error(
        `${argName}: unknown activation '${name}'; expected one of ` +
        Object.keys(ACTIVATIONS).join(', '));
  }
  return canonical;
}

/**
 * The function for an activation name (see {@link activationName}).
 * @category Backends and kernels
 */
export function getActivation(name: string, argName = 'activation'): ActivationFn {
  return ACTIVATIONS[activationName(name, argName)];
}

/** The canonical name of a function getActivation returned, or undefined for any other function. */
export function activationNameOf(fn: ActivationFn): string|undefined {
  return NAMES.get(fn);
}

/** Function → name, made once: every GRU call asks (a scan of Object.entries allocated each time). */
const NAMES = new Map<ActivationFn, string>(Object.entries(ACTIVATIONS).map(([name, f]) => [f, name]));
