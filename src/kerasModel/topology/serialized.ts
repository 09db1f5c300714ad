/**
 * Keras 3 and tf.keras spell serialized objects differently; tfjs-layers reads tf.keras's.
 * Keras 3 wraps every object as `{module, class_name, config, registered_name}` (plus
 * `shared_object_id`, `build_config`, `compile_config`), writes dtypes as DTypePolicy objects
 * and initializers with extra keys. This module turns such values into the plain
 * `{class_name, config}` / string forms tfjs deserializes.
 */

/**
 * A plain object of a JSON config.
 * @category Conversion
 */
export type Json = Record<string, any>;

/** Whether `v` is a serialized object `{class_name, config}`. */
export function isSerialized(v: unknown): v is {class_name: string; config: Json} {
  return v != null && typeof v === 'object' && !Array.isArray(v) && typeof (v as Json).class_name === 'string';
}

/** A dtype: 'float32' from a string, a Keras 3 DTypePolicy / DTypePolicyMap object, or null. */
export function dtypeName(v: unknown): string | null {
  if (v == null) return null;
  if (typeof v === 'string') return v;
  if (isSerialized(v)) {
    const name = v.config?.name;
    if (typeof name === 'string') return name;
  }
  return null;
}

/** `{module, class_name, config, registered_name, shared_object_id}` → `{class_name, config}`. */
export function plainObject(v: {class_name: string; config?: Json}): {class_name: string; config: Json} {
  return {class_name: v.class_name, config: {...(v.config ?? {})}};
}

/** Initializers tfjs-layers knows by class name (Keras 3 and tf.keras spell them alike). */
const TFJS_INITIALIZERS = new Set(['Zeros', 'Ones', 'Constant', 'RandomUniform', 'RandomNormal', 'TruncatedNormal',
  'VarianceScaling', 'GlorotUniform', 'GlorotNormal', 'HeNormal', 'HeUniform', 'LeCunNormal', 'LeCunUniform',
  'Orthogonal', 'Identity']);

const INITIALIZER_KEYS: Record<string, string[]> = {
  Constant: ['value'], RandomUniform: ['minval', 'maxval', 'seed'], RandomNormal: ['mean', 'stddev', 'seed'],
  TruncatedNormal: ['mean', 'stddev', 'seed'], VarianceScaling: ['scale', 'mode', 'distribution', 'seed'],
  GlorotUniform: ['seed'], GlorotNormal: ['seed'], HeNormal: ['seed'], HeUniform: ['seed'], LeCunNormal: ['seed'],
  LeCunUniform: ['seed'], Orthogonal: ['gain', 'seed'], Identity: ['gain'],
};

/**
 * An initializer for tfjs: the same class with the keys tfjs reads, or null when tfjs has no
 * such class. Initializers only matter when the model is re-initialized: the weights come from the file.
 */
export function tfjsInitializer(v: unknown): Json | string | null {
  if (v == null) return null;
  if (typeof v === 'string') return v;
  if (!isSerialized(v) || !TFJS_INITIALIZERS.has(v.class_name)) return null;
  const config: Json = {};
  for (const k of INITIALIZER_KEYS[v.class_name] ?? []) if (v.config?.[k] !== undefined) config[k] = v.config[k];
  if (typeof config.seed !== 'number') delete config.seed;
  return {class_name: v.class_name, config};
}

/** A regularizer for tfjs (which has L1L2 only), or undefined when it cannot be expressed. */
export function tfjsRegularizer(v: unknown): Json | null | undefined {
  if (v == null) return null;
  if (!isSerialized(v)) return undefined;
  const c = v.config ?? {};
  if (v.class_name === 'L2') return {class_name: 'L1L2', config: {l1: 0, l2: Number(c.l2 ?? 0.01)}};
  if (v.class_name === 'L1') return {class_name: 'L1L2', config: {l1: Number(c.l1 ?? 0.01), l2: 0}};
  if (v.class_name === 'L1L2') return {class_name: 'L1L2', config: {l1: Number(c.l1 ?? 0), l2: Number(c.l2 ?? 0)}};
  return undefined;
}

const TFJS_CONSTRAINTS: Record<string, string[]> = {
  MaxNorm: ['max_value', 'axis'], UnitNorm: ['axis'], NonNeg: [], MinMaxNorm: ['min_value', 'max_value', 'rate', 'axis'],
};

/** A constraint for tfjs, or undefined when tfjs has no such class. */
export function tfjsConstraint(v: unknown): Json | null | undefined {
  if (v == null) return null;
  if (!isSerialized(v) || !(v.class_name in TFJS_CONSTRAINTS)) return undefined;
  const config: Json = {};
  for (const k of TFJS_CONSTRAINTS[v.class_name]) if (v.config?.[k] !== undefined) config[k] = v.config[k];
  return {class_name: v.class_name, config};
}
