import {SerializedObject} from './serializables';

/**
 * What a Keras model.json's GRU config holds that tfjs's own classes do not
 * read as they are, once tfjs has camel-cased it (`reset_after` → `resetAfter`,
 * `{class_name, config}` → `{className, config}`, string values such as
 * 'hard_sigmoid' → 'hardSigmoid'):
 *
 * - `dtype` as a Keras 3 DTypePolicy object → its name;
 * - regularizers of Keras's classes L1 / L2 → tfjs's L1L2 with the other term 0;
 * - `timeMajor: true` → an error (not supported; false is the default);
 * - `customObjects` (added by tfjs's deserializer), `module`, `registeredName`: dropped.
 */
export function fromKerasConfig<T extends Record<string, unknown>>(args: T, layer: string): T {
  const out: Record<string, unknown> = {...args};
  delete out.customObjects;
  delete out.timeMajor;
  delete out.useCudnn;
  if (args.timeMajor === true) {
    throw new Error(`${layer}: time_major=True is not supported (inputs must be [batch, time, features]); got timeMajor: true`);
  }
  const dtype = args.dtype as unknown;
  if (dtype != null && typeof dtype === 'object') {
    const name = (dtype as SerializedObject).config?.name;
    if (typeof name !== 'string') throw new Error(`${layer}: cannot read dtype ${JSON.stringify(dtype)}`);
    out.dtype = name;
  }
  for (const key of Object.keys(out)) {
    if (key.endsWith('Regularizer')) out[key] = kerasRegularizer(out[key]);
  }
  return out as T;
}

function kerasRegularizer(value: unknown): unknown {
  if (value == null || typeof value !== 'object' || !('className' in (value as object))) return value;
  const {className, config} = value as SerializedObject;
  const c = (config ?? {}) as Record<string, unknown>;
  if (className === 'L2') return {className: 'L1L2', config: {l1: 0, l2: Number(c.l2 ?? 0.01)}};
  if (className === 'L1') return {className: 'L1L2', config: {l1: Number(c.l1 ?? 0.01), l2: 0}};
  if (className === 'L1L2') return {className: 'L1L2', config: {l1: Number(c.l1 ?? 0), l2: Number(c.l2 ?? 0)}};
  return value;
}
