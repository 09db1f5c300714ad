/**
 * A Keras model's architecture from its config (a .keras file's config.json, a legacy
 * .h5's `model_config`, `model.to_json()`): the layers in order, when the model is a
 * single chain (Sequential, or a Functional model whose layers each take the one before).
 * Keras 3 and tf.keras spell configs differently (`batch_shape` / `batch_input_shape`,
 * inbound nodes as `keras_history` objects / nested lists); both are read here.
 */
import {KerasFileError} from '../io/keras/errors';

/**
 * One layer of the config: its class, name and config (the nested layer of a Bidirectional inside it).
 * @category Conversion
 */
export interface KerasLayerConfig {
  className: string;
  name: string;
  config: Record<string, any>;
}

/**
 * The layers of a Keras model config, in order, and the model's input shape.
 * @category Conversion
 */
export interface KerasArchitecture {
  /** 'Sequential', 'Functional', 'Model'. */
  modelClass: string;
  /** Every layer but the InputLayer, input to output (for a non-chain model: in config order). */
  layers: KerasLayerConfig[];
  /** The input's shape without the batch axis ([time, features], [time] for token ids); null when the config lacks it. */
  inputShape: Array<number | null> | null;
  /** The input's dtype ('float32', 'int32', …). */
  inputDtype: string;
  /** Why the model is not one chain of layers (then only its GRU stack can be converted). */
  notAChain?: string;
}

function layerOf(raw: any, file: string, where: string): KerasLayerConfig {
  if (raw == null || typeof raw.class_name !== 'string' || raw.config == null || typeof raw.config !== 'object') {
    throw new KerasFileError('BAD_CONFIG', file, `${where}: expected a layer {"class_name": …, "config": {…}}`);
  }
  const name = typeof raw.config.name === 'string' ? raw.config.name : typeof raw.name === 'string' ? raw.name : '';
  return {className: raw.class_name, name, config: raw.config};
}

function shapeOf(c: Record<string, any>): Array<number | null> | null {
  const s = c.batch_shape ?? c.batch_input_shape;
  if (Array.isArray(s) && s.length >= 1) return s.slice(1);
  return null;
}

/** The source layer names of one inbound node (tf.keras lists, Keras 3 keras_history objects), tensors only. */
function nodeSources(node: any): string[] {
  if (Array.isArray(node)) return node.filter((t) => Array.isArray(t) && typeof t[0] === 'string').map((t) => t[0]);
  const out: string[] = [];
  for (const a of Array.isArray(node?.args) ? node.args : []) {
    const h = a?.config?.keras_history;
    if (a?.class_name === '__keras_tensor__' && Array.isArray(h)) out.push(String(h[0]));
  }
  return out;
}

/** Layer names fed in through a Keras 3 node's kwargs (e.g. `mask`). */
function kwargSources(node: any): string[] {
  const kw = node?.kwargs;
  if (kw == null || typeof kw !== 'object' || Array.isArray(kw)) return [];
  return Object.values(kw).map((v: any) => v?.config?.keras_history?.[0]).filter((n): n is string => typeof n === 'string');
}

function firstName(list: any): string | null {
  // tf.keras: [["input_1", 0, 0]]; Keras 3: ["input_layer", 0, 0] or [["input_layer", 0, 0]]
  if (!Array.isArray(list) || list.length === 0) return null;
  if (typeof list[0] === 'string') return list[0];
  return Array.isArray(list[0]) && typeof list[0][0] === 'string' ? list[0][0] : null;
}

function countOf(list: any): number {
  if (!Array.isArray(list) || list.length === 0) return 0;
  return typeof list[0] === 'string' ? 1 : list.length;
}

/**
 * Reads the architecture of a model config (see the module comment).
 * @category Conversion
 */
export function readArchitecture(config: {class_name: string; config: any}, file: string): KerasArchitecture {
  const modelClass = config.class_name;
  const body = config.config;
  const rawLayers = Array.isArray(body) ? body : body?.layers;  // Keras < 2.2.3 Sequential: the config is the list
  if (!Array.isArray(rawLayers)) throw new KerasFileError('BAD_CONFIG', file, `model config '${modelClass}' has no 'layers' list`);
  const all = rawLayers.map((r: any, i: number) => ({raw: r, layer: layerOf(r, file, `layer ${i} of the model config`)}));
  const input = all.find((l) => l.layer.className === 'InputLayer');
  let inputShape = input ? shapeOf(input.layer.config) : null;
  let inputDtype = typeof input?.layer.config.dtype === 'string' ? input.layer.config.dtype : 'float32';
  if (modelClass === 'Sequential') {
    const layers = all.filter((l) => l.layer.className !== 'InputLayer').map((l) => l.layer);
    if (inputShape == null && layers.length > 0) {
      inputShape = shapeOf(layers[0].config) ?? (Array.isArray(all[0].raw.build_config?.input_shape) ? all[0].raw.build_config.input_shape.slice(1) : null);
      if (typeof layers[0].config.dtype === 'string') inputDtype = layers[0].config.dtype;
    }
    return {modelClass, layers, inputShape, inputDtype};
  }
  if (modelClass !== 'Functional' && modelClass !== 'Model') {
    throw new KerasFileError('BAD_CONFIG', file, `model class '${modelClass}': expected Sequential, Functional or Model`);
  }
  // A Functional model: follow the chain from the one output back to the one input.
  const byName = new Map(all.map((l) => [l.layer.name || l.raw.name, l]));
  const configOrder = all.filter((l) => l.layer.className !== 'InputLayer').map((l) => l.layer);
  const notChain = (why: string): KerasArchitecture => ({modelClass, layers: configOrder, inputShape, inputDtype, notAChain: why});
  if (countOf(body.input_layers) !== 1 || countOf(body.output_layers) !== 1) {
    return notChain(`${countOf(body.input_layers)} inputs and ${countOf(body.output_layers)} outputs (a chain has one of each)`);
  }
  const inName = firstName(body.input_layers);
  let at = firstName(body.output_layers);
  const chain: KerasLayerConfig[] = [];
  const onChain = new Set<string>();
  const maskFeeders = new Set<string>();
  for (let guard = 0; at != null && at !== inName; guard++) {
    const l = byName.get(at);
    if (l == null || guard > all.length) return notChain(`layer '${at}' is referenced but not defined`);
    const nodes = Array.isArray(l.raw.inbound_nodes) ? l.raw.inbound_nodes : [];
    if (nodes.length !== 1) return notChain(`layer '${at}' is called ${nodes.length} times (shared or unused layers)`);
    const sources = nodeSources(nodes[0]);
    if (sources.length !== 1) return notChain(`layer '${at}' takes ${sources.length} inputs (${sources.join(', ')})`);
    for (const k of kwargSources(nodes[0])) maskFeeders.add(k);
    chain.unshift(l.layer);
    onChain.add(at);
    at = sources[0];
  }
  if (at !== inName) return notChain('the output does not lead back to the input');
  // Keras 3 writes Embedding(mask_zero)'s mask as a NotEqual op fed to the next layer's `mask`: the same mask.
  for (const l of all) {
    const name = l.layer.name || l.raw.name;
    if (onChain.has(name) || name === inName) continue;
    const nodes = Array.isArray(l.raw.inbound_nodes) ? l.raw.inbound_nodes : [];
    const fromInput = nodes.length === 1 && nodeSources(nodes[0]).every((s) => s === inName);
    const embeddingMask = chain.some((c) => c.className === 'Embedding' && c.config.mask_zero === true);
    if (!(l.layer.className === 'NotEqual' && maskFeeders.has(name) && fromInput && embeddingMask)) {
      return notChain(`layer '${name}' (${l.layer.className}) is off the input→output chain`);
    }
  }
  return {modelClass, layers: chain, inputShape, inputDtype};
}
