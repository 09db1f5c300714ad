/**
 * Keras activation names → tfjs activation names, exact or not at all. Keras 3's
 * `hard_sigmoid` is relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1) while tfjs's and tf.keras's
 * is clip(0.2·x + 0.5, 0, 1): a Keras 3 hard_sigmoid has no tfjs equivalent and is refused,
 * a tf.keras one maps to 'hardSigmoid'. Activations tfjs computes differently or lacks
 * (gelu's approximation, exponential, mish, …) are refused too.
 */

const SAME: Record<string, string> = {
  tanh: 'tanh', sigmoid: 'sigmoid', relu: 'relu', linear: 'linear', softmax: 'softmax', elu: 'elu', selu: 'selu',
  softplus: 'softplus', softsign: 'softsign', relu6: 'relu6', swish: 'swish', silu: 'swish',
};

/** Whether a Keras version string is Keras 3 or later (null: unknown). */
export function isKeras3(version: string | null): boolean | null {
  if (version == null) return null;
  const major = Number(version.split('.')[0]);
  return Number.isFinite(major) ? major >= 3 : null;
}

/**
 * The tfjs name of a Keras activation, or `{refused}` saying why there is none. `keras3`:
 * whether the file was written by Keras 3 (null when the file does not say: hard_sigmoid is then refused too).
 */
export function tfjsActivation(name: unknown, keras3: boolean | null): {name: string} | {refused: string} {
  if (name == null) return {name: 'linear'};
  if (typeof name !== 'string') return {refused: `activation ${JSON.stringify(name)} is not a built-in activation name`};
  if (name in SAME) return {name: SAME[name]};
  if (name === 'hard_sigmoid') {
    if (keras3 === false) return {name: 'hardSigmoid'};  // tf.keras: 0.2x + 0.5, clipped = tfjs's
    return {refused: keras3 ? "Keras 3's hard_sigmoid is clip(x/6 + 0.5, 0, 1); tfjs's hardSigmoid is clip(0.2x + 0.5, 0, 1) " +
        'and tfjs has no other: not converted (never approximated)' :
      "hard_sigmoid from an unknown Keras version: Keras 3's (x/6 + 0.5) and tf.keras's (0.2x + 0.5) differ; not converted"};
  }
  return {refused: `activation '${name}' has no exact tfjs equivalent here`};
}
