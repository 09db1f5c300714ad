/**
 * The whole Keras model as a tfjs LayersModel: the translated topology
 * (./translate.ts) deserialized by tfjs-layers itself (tf.models.modelFromJSON), then every
 * layer's weights set from the file's own tensors (./storedWeights.ts), shapes checked first.
 * Anything the translation refused is thrown as one error listing every refused layer.
 */
import * as tf from '@tensorflow/tfjs';

import {KerasFileError} from '../../io/keras/errors';
import {KerasFile} from '../../io/keras/kerasFile';
import {ConversionError} from '../../io/modelFileError';
import '../../layers/causalConv1d';  // registers CausalConv1D for tfjs's deserializer
import '../../layers/kerasGru';  // registers KerasGRU
import {isKeras3} from '../activations';
import {storedWeights, walkLayers} from './storedWeights';
import {Translation, translateKerasConfig} from './translate';

/**
 * The built model and what the translation found.
 * @category Conversion
 */
export interface BuiltKerasModel {
  model: tf.LayersModel;
  translation: Translation;
  /** Keras layer → tfjs class (nested layers as 'outer/inner'), with notes. */
  converted: Array<{name: string; className: string; as: string; notes: string[]}>;
}

/** Whether the file was written by Keras 3 (a .keras or .weights.h5 always is). */
export function fileIsKeras3(kf: KerasFile): boolean | null {
  return isKeras3(kf.kerasVersion) ?? (kf.kind !== 'legacy-h5' ? true : null);
}

/** The error listing every layer refused (one line each). */
export function refusalError(file: string, t: Translation): ConversionError {
  const lines = t.refused.map((r) => `  ${r.name} (${r.className}): ${r.reason}`);
  const layers = new Set(t.refused.map((r) => r.name)).size;
  return new ConversionError('UNSUPPORTED', file, `the whole model cannot be converted exactly: ${layers} layer(s) refused\n${lines.join('\n')}\n` +
      '(--gru-stack converts the GRU stack alone)');
}

/** What only the built model shows: tfjs-layers' BatchNormalization normalizes the wrong axis at inference unless it is the last (measured). */
function builtRefusals(model: tf.LayersModel, prefix = ''): Translation['refused'] {
  const out: Translation['refused'] = [];
  for (const l of model.layers) {
    if (l instanceof tf.LayersModel) {
      out.push(...builtRefusals(l, `${prefix}${l.name}/`));
    } else if (l.getClassName() === 'BatchNormalization') {
      const rank = (l.inputSpec?.[0]?.ndim ?? (l.batchInputShape?.length) ?? (Array.isArray(l.inboundNodes[0]?.inputShapes[0]) ?
        (l.inboundNodes[0].inputShapes[0] as Array<number | null>).length : null)) as number | null;
      const axis = (l as any).axis as number;
      if (rank != null && axis !== -1 && axis !== rank - 1) {
        out.push({name: prefix + l.name, className: 'BatchNormalization',
          reason: `axis ${axis} of a rank-${rank} input: tfjs-layers applies the moving statistics along the wrong axis unless it is the last`});
      }
    }
  }
  return out;
}

/**
 * Disposes a model with every weight, also of layers it calls several times (tfjs's dispose() counts one call per dispose).
 * @category Conversion
 */
export function disposeModelFully(model: tf.LayersModel): void {
  const weights = model.weights;
  model.dispose();
  for (const w of weights) if (!((w as any).val as tf.Variable).isDisposed) w.dispose();
}

/**
 * Translates, builds and fills the model (see the module comment).
 * @category Conversion
 */
export async function buildKerasModel(kf: KerasFile): Promise<BuiltKerasModel> {
  const translation = translateKerasConfig(kf.config, kf.file, fileIsKeras3(kf));
  if (translation.refused.length) throw refusalError(kf.file, translation);
  // Every weight is read (each checked against the bytes the file holds) before any layer is
  // built: a file declaring more than it holds fails on its read, not after tfjs allocated the
  // declared shapes (issue 20).
  const stored = storedWeights(kf, translation.model);
  const values = new Map<string, tf.Tensor[]>();
  let model: tf.LayersModel | null = null;
  const converted: BuiltKerasModel['converted'] = [];
  try {
    for (const {path, layer, stored: s} of walkLayers(translation.model, stored)) {
      const have = s?.weights ?? [];
      if (layer.kerasClass === 'InputLayer' || have.length === 0) continue;
      const transform = layer.weights;
      values.set(path.join('/'), tf.tidy(() => {
        const read = have.map((w) => kf.read(w.path));
        return transform ? transform(read) : read;
      }));
    }
    try {
      model = await tf.models.modelFromJSON({modelTopology: translation.topology} as any);
    } catch (e) {
      throw new ConversionError('UNSUPPORTED', kf.file, `tfjs-layers could not build the translated model: ${(e as Error).message}`);
    }
    const late = builtRefusals(model);
    if (late.length) {
      translation.refused.push(...late);
      throw refusalError(kf.file, translation);
    }
    for (const {path, layer, stored: s} of walkLayers(translation.model, stored)) {
      const name = path.join('/');
      if (layer.kerasClass === 'InputLayer') continue;
      converted.push({name, className: layer.kerasClass, as: layer.tfjsClass, notes: layer.notes});
      let target: tf.layers.Layer = model;
      for (const p of path) target = (target as tf.LayersModel).getLayer(p);
      const want = target.weights;
      const have = s?.weights ?? [];
      if (want.length === 0 && have.length === 0) continue;
      const tensors = values.get(name) ?? [];
      const where = `layer '${name}' (${layer.kerasClass} → ${layer.tfjsClass}) takes`;
      if (tensors.length !== want.length) {
        throw new KerasFileError('MISSING_WEIGHTS', kf.file, `${where} ${want.length} weight(s) [${want.map((w) => `[${w.shape}]`).join(', ')}] ` +
            `but the file has ${have.length} [${have.map((w) => `'${w.name}' [${w.shape}]`).join(', ')}]`);
      }
      const bad = tensors.map((t, i) => (tf.util.arraysEqual(t.shape, want[i].shape as number[]) ? null :
        `weight ${i} (${want[i].originalName}) should be [${want[i].shape}], the file's '${have[i]?.name}' is [${t.shape}]`)).find((x) => x != null);
      if (bad) throw new KerasFileError('BAD_SHAPE', kf.file, `${where} ${bad}: the config does not fit the weights`);
      target.setWeights(tensors);
    }
  } catch (e) {
    if (model != null) disposeModelFully(model);
    throw e;
  } finally {
    for (const t of values.values()) tf.dispose(t);
  }
  return {model, translation, converted};
}
