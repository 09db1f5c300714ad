import * as tf from '@tensorflow/tfjs';

import {WeightMap} from '../weights/layout';
import {getLayout, LayoutName} from '../weights/layouts';

/**
 * The layouts a tfjs/Keras model.json's GRU layers hold.
 * @category Explain
 */
export type KerasModelLayout = Extract<LayoutName, 'tf1' | 'keras' | 'keras-reset-after'>;
import {explainGru, GruExplanation} from './explainGru';

/**
 * One GRU found in a model.json: where it is and which manifest weights are its tensors.
 * @category Explain
 */
export interface ModelGru {
  /** The layer's name (with its wrappers': 'bidirectional/forward_gru'). */
  name: string;
  /** Its class in the model.json ('GRU', 'KerasGRU', 'TF1GRU'). */
  className: string;
  layout: KerasModelLayout;
  activation: string;
  recurrentActivation: string;
  /** Layout tensor name → the weight's name in the manifest. */
  weightNames: Record<string, string>;
  /** Layout tensor name → its shape in the manifest. */
  shapes: Record<string, number[]>;
}

/**
 * explain's answer for a model.json: every GRU in it.
 * @category Explain
 */
export interface ModelExplanation {
  /** model.json's `format`, `generatedBy`, `convertedBy` when present. */
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  grus: GruExplanation[];
}

type Json = Record<string, any>;

const GRU_CLASSES = new Set(['GRU', 'KerasGRU', 'TF1GRU']);

/** A config value under its snake_case (Keras, model.json) or camelCase (tfjs) key. */
function pick(config: Json, snake: string): unknown {
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return config[snake] ?? config[camel];
}

function activationOf(value: unknown, fallback: string): string {
  if (value == null) return fallback;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && typeof (value as Json).class_name === 'string') return (value as Json).class_name;
  return String(value);
}

/** Every layer object of a topology, with the name prefix of the wrappers around it. */
function* layersOf(config: unknown, prefix: string): Generator<{layer: Json, prefix: string}> {
  if (config == null || typeof config !== 'object') return;
  const c = config as Json;
  const list: unknown = Array.isArray(c) ? c : c.layers;
  if (!Array.isArray(list)) return;
  for (const layer of list) {
    if (layer == null || typeof layer !== 'object') continue;
    yield {layer, prefix};
    const inner = layer.config ?? {};
    if (Array.isArray(inner.layers) || Array.isArray(inner)) yield* layersOf(inner, prefix);
    if (layer.class_name === 'Bidirectional' && inner.layer != null) {
      const name = inner.name ?? layer.name;
      const wrapped = inner.layer;
      const innerName = wrapped.config?.name ?? 'gru';
      for (const dir of ['forward', 'backward']) {
        const named = {...wrapped, config: {...wrapped.config, name: `${dir}_${innerName}`}};
        yield {layer: named, prefix: `${prefix}${name}/`};
      }
    }
  }
}

/** The topology's layer list, whichever way the model.json nests it. */
function topologyConfig(modelJson: Json): unknown {
  const topology = modelJson.modelTopology ?? modelJson;
  const model = topology.model_config ?? topology;
  return model.config;
}

/**
 * Finds every GRU layer of a model.json (tf.keras through the tensorflowjs
 * converter, or tfjs's own model.save) and the manifest weights that belong
 * to it, and decides its layout: TF1GRU → 'tf1'; GRU and KerasGRU by
 * reset_after, checked against the bias shape ([3U] reset-before, [2, 3U]
 * reset-after). Throws naming the layer on a missing or contradictory weight.
 * @category Explain
 */
export function findModelGrus(modelJson: unknown): ModelGru[] {
  if (modelJson == null || typeof modelJson !== 'object') throw new Error('model.json: expected a JSON object');
  const json = modelJson as Json;
  const manifest: Array<{name: string, shape: number[]}> =
      (json.weightsManifest ?? []).flatMap((g: Json) => g.weights ?? []);
  const found: ModelGru[] = [];
  for (const {layer, prefix} of layersOf(topologyConfig(json), '')) {
    if (!GRU_CLASSES.has(layer.class_name)) continue;
    const config: Json = layer.config ?? {};
    const name = `${prefix}${config.name ?? layer.name}`;
    const mine = manifest.filter((w) => w.name === name || w.name.startsWith(`${name}/`) ||
                                        w.name.includes(`/${name}/`));
    const resetAfterConfig = pick(config, 'reset_after');
    const bias = mine.find((w) => /(^|\/)bias$/.test(w.name) && !/(gates|candidate)\/bias$/.test(w.name));
    let layout: KerasModelLayout;
    if (layer.class_name === 'TF1GRU') {
      layout = 'tf1';
    } else {
      const byShape = bias == null ? null : bias.shape.length === 2 ? true : false;
      const resetAfter = resetAfterConfig == null ? byShape ?? false : !!resetAfterConfig;
      if (byShape != null && byShape !== resetAfter) {
        throw new Error(`model.json: layer '${name}' says reset_after=${resetAfter} but its bias '${bias!.name}' has shape ` +
                        `[${bias!.shape}] (expected ${resetAfter ? '[2, 3U]' : '[3U]'})`);
      }
      layout = resetAfter ? 'keras-reset-after' : 'keras';
    }
    const spec = getLayout(layout);
    const weightNames: Record<string, string> = {};
    const shapes: Record<string, number[]> = {};
    for (const tensor of Object.keys(spec.tensors)) {
      const w = mine.find((m) => m.name === `${name}/${tensor}` || m.name.endsWith(`/${tensor}`) &&
                                 !(tensor === 'kernel' && /(recurrent_kernel|gates\/kernel|candidate\/kernel)$/.test(m.name)));
      if (w == null) {
        if ((spec.optional ?? []).includes(tensor) && pick(config, 'use_bias') === false) continue;
        throw new Error(`model.json: layer '${name}' (${layer.class_name}, layout '${layout}') has no weight '${tensor}' ` +
                        `(expected shape ${spec.tensors[tensor]}) in weightsManifest; its weights there: ${
                            mine.map((m) => m.name).join(', ') || 'none'}`);
      }
      weightNames[tensor] = w.name;
      shapes[tensor] = w.shape;
    }
    found.push({
      name, className: layer.class_name, layout, weightNames, shapes,
      activation: activationOf(pick(config, 'activation'), 'tanh'),
      recurrentActivation: activationOf(pick(config, 'recurrent_activation'),
                                        layer.class_name === 'GRU' && config.reset_after == null ? 'hardSigmoid' : 'sigmoid'),
    });
  }
  return found;
}

/** D and U of a GRU from its manifest shapes alone (the layout's own rule; only shapes are read). */
function sizeFromShapes(g: ModelGru): {inputSize: number, units: number} {
  const shapesOnly = Object.fromEntries(Object.entries(g.shapes).map(([k, shape]) => [k, {shape}])) as unknown as WeightMap;
  return getLayout(g.layout).inferSize(shapesOnly);
}

/**
 * explain for a model.json: {@link explainGru} for every GRU layer in it.
 * With `weightData` (the weight files' bytes, concatenated in manifest order)
 * each GRU's real numbers are decoded and checked; without, its sizes come
 * from the manifest shapes. Browser-safe: the caller reads the files
 * (the CLI does in Node). Leaves no tensors behind.
 * @category Explain
 */
export function explainModelJson(modelJson: unknown, weightData?: ArrayBuffer): ModelExplanation {
  const grus = findModelGrus(modelJson);
  const json = modelJson as Json;
  if (grus.length === 0) {
    const classes = [...layersOf(topologyConfig(json), '')].map(({layer}) => layer.class_name);
    throw new Error(`model.json: no GRU layer (GRU, KerasGRU or TF1GRU) found; its layers: ${classes.join(', ') || 'none'}`);
  }
  const specs: tf.io.WeightsManifestEntry[] = (json.weightsManifest ?? []).flatMap((g: Json) => g.weights ?? []);
  let decoded: tf.NamedTensorMap|null = null;
  if (weightData != null) {
    const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) *
                                  (s.quantization ? ({uint8: 1, uint16: 2, float16: 2} as Record<string, number>)[s.quantization.dtype] ?? 4 : 4), 0);
    if (weightData.byteLength !== expected) {
      throw new Error(`model.json: the weight files hold ${weightData.byteLength} bytes, weightsManifest describes ${expected}`);
    }
    decoded = tf.io.decodeWeights(weightData, specs);
  }
  try {
    return {
      format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
      grus: grus.map((g) => {
        const common = {name: g.name, layout: g.layout, activation: g.activation, recurrentActivation: g.recurrentActivation};
        if (decoded == null) return explainGru({...common, ...sizeFromShapes(g)});
        const weights: WeightMap = {};
        for (const [tensor, name] of Object.entries(g.weightNames)) weights[tensor] = decoded[name];
        return explainGru({...common, weights});
      }),
    };
  } finally {
    if (decoded != null) tf.dispose(Object.values(decoded));
  }
}
