import * as tf from '@tensorflow/tfjs';

import {FastOrthogonal} from './fastOrthogonal';

/**
 * Initializers, regularizers and constraints as tfjs layers take them: an
 * instance, a tfjs identifier ('glorotUniform', 'l1l2', 'nonNeg'), a Keras
 * snake_case identifier ('glorot_uniform'), or a serialized
 * `{className, config}` object. Resolved through tfjs's public factories and
 * its serialization registry, so a config written by getConfig() restores the
 * same object.
 */
export type Initializer = ReturnType<typeof tf.initializers.zeros>;
export type Regularizer = ReturnType<typeof tf.regularizers.l1l2>;
export type Constraint = ReturnType<typeof tf.constraints.nonNeg>;

/**
 * An initializer: a tfjs Initializer, its name ('glorotUniform'), or its serialized {className, config}.
 * @category Layers
 */
export type InitializerLike = Initializer|string|SerializedObject;
/**
 * A regularizer: a tfjs Regularizer, its name ('l1l2'), or its serialized {className, config}.
 * @category Layers
 */
export type RegularizerLike = Regularizer|string|SerializedObject;
/**
 * A constraint: a tfjs Constraint, its name ('nonNeg'), or its serialized {className, config}.
 * @category Layers
 */
export type ConstraintLike = Constraint|string|SerializedObject;

/**
 * A tfjs object in its serialized form, as model.json holds it.
 * @category Layers
 */
export interface SerializedObject {
  className: string;
  config: tf.serialization.ConfigDict;
}

type Factories = Record<string, (args?: any) => unknown>;

function camelCase(identifier: string): string {
  const special: Record<string, string> = {lecun_normal: 'leCunNormal', lecun_uniform: 'leCunUniform'};
  if (identifier in special) return special[identifier];
  return identifier.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function resolve<T>(
    value: T|string|SerializedObject|null|undefined, factories: Factories, kind: string,
    argName: string): T|null {
  if (value == null) return null;
  if (typeof value === 'string') {
    const name = camelCase(value);
    const factory = factories[name];
    if (typeof factory !== 'function') {
      throw new Error(
          `${argName}: unknown ${kind} '${value}'; expected one of ${Object.keys(factories).join(', ')}` +
          `, an instance, or a {className, config} object`);
    }
    return factory({}) as T;
  }
  if (typeof value === 'object' && 'className' in (value as object) &&
      !(value instanceof tf.serialization.Serializable)) {
    const {className, config} = value as SerializedObject;
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
    if (entry == null) {
      throw new Error(`${argName}: unknown ${kind} class '${className}' (not registered with tf.serialization)`);
    }
    const [cls, fromConfig] = entry;
    return fromConfig(cls, config ?? {}) as unknown as T;
  }
  if (value instanceof tf.serialization.Serializable) return value as T;
  throw new Error(`${argName}: expected a ${kind} (instance, identifier or {className, config}), got ${
      JSON.stringify(value)}`);
}

export function resolveInitializer(value: InitializerLike|null|undefined, argName: string): Initializer|null {
  // 'orthogonal' (Keras GRUs' recurrent default) by one Householder QR, not tfjs's op-by-op QR
  if (value === 'orthogonal' || value === 'Orthogonal') return new FastOrthogonal() as unknown as Initializer;
  if (value != null && typeof value === 'object' && !(value instanceof tf.serialization.Serializable) &&
      (value as SerializedObject).className === 'Orthogonal') {
    const c = ((value as SerializedObject).config ?? {}) as {gain?: number|null; seed?: number|null};
    return new FastOrthogonal({gain: c.gain ?? undefined, seed: c.seed ?? undefined}) as unknown as Initializer;
  }
  return resolve<Initializer>(value, tf.initializers as unknown as Factories, 'initializer', argName);
}

export function resolveRegularizer(value: RegularizerLike|null|undefined, argName: string): Regularizer|null {
  return resolve<Regularizer>(value, tf.regularizers as unknown as Factories, 'regularizer', argName);
}

export function resolveConstraint(value: ConstraintLike|null|undefined, argName: string): Constraint|null {
  return resolve<Constraint>(value, tf.constraints as unknown as Factories, 'constraint', argName);
}

/** `{className, config}` of a serializable, as tfjs writes it in model.json; null stays null. */
export function serialize(value: tf.serialization.Serializable|null): SerializedObject|null {
  if (value == null) return null;
  return {className: value.getClassName(), config: value.getConfig()};
}
