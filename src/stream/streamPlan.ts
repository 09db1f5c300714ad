/**
 * A tfjs LayersModel topology (model.json's modelTopology, Sequential or
 * functional) and its weights → the per-frame program a GruStream runs: GRU
 * steps, Dense layers, activations and element-wise merges, in order, each
 * reading earlier nodes' outputs. No tfjs: this is plain data.
 *
 * What runs frame by frame: GRU (tfjs's), TF1GRU and KerasGRU (reset before or
 * after; not goBackwards, returnState, Bidirectional), Dense, Activation,
 * inference-time identities (Dropout and the like), and Add / Subtract /
 * Multiply / Average / Maximum / Minimum / Concatenate over the feature axis.
 * Anything else is refused with a StreamModelError naming the layer.
 */
import {ACTIVATION_CODES} from '../kernels/sequenceKernel';
import {CanonicalArrays, kerasCanonical, tf1Canonical} from '../kernels/canonicalLayout';
import {StreamModelError} from './errors';
import {frameActivationName} from './frameActivations';
import {NamedWeight} from './modelWeights';

/**
 * A GRU layer's step.
 * @category Backends and kernels
 */
export interface GruNode {
  op: 'gru';
  name: string;
  className: string;
  input: number;
  inputSize: number;
  units: number;
  resetAfter: boolean;
  /** ACTIVATION_CODES values */
  activation: number;
  recurrentActivation: number;
  weights: CanonicalArrays;
}

/**
 * A Dense layer: y = act(x·kernel + bias).
 * @category Backends and kernels
 */
export interface DenseNode {
  op: 'dense';
  name: string;
  input: number;
  inputSize: number;
  units: number;
  kernel: Float32Array;
  bias: Float32Array|null;
  /** frameActivationName() */
  activation: string;
}

/**
 * An Activation layer.
 * @category Backends and kernels
 */
export interface ActivationNode {
  op: 'activation';
  name: string;
  input: number;
  size: number;
  activation: string;
}

/**
 * What a merge node computes: element-wise (no broadcasting) or a concatenation of features.
 * @category Backends and kernels
 */
export type MergeKind = 'add'|'subtract'|'multiply'|'average'|'maximum'|'minimum'|'concatenate';

/**
 * An element-wise merge of several nodes (or a concatenation of their features).
 * @category Backends and kernels
 */
export interface MergeNode {
  op: 'merge';
  name: string;
  kind: MergeKind;
  inputs: number[];
  size: number;
}

/**
 * One node of a stream's program.
 * @category Backends and kernels
 */
export type PlanNode = GruNode|DenseNode|ActivationNode|MergeNode;

/**
 * The program. Node ids: 0 is the model's input frame [D]; node k ≥ 1 is
 * nodes[k − 1]. `output` is the id of the node whose value is the model's output.
 * @category Backends and kernels
 */
export interface StreamPlan {
  inputSize: number;
  outputSize: number;
  nodes: PlanNode[];
  output: number;
  /** Each node's feature count, by id (sizes[0] = inputSize). */
  sizes: number[];
}

/** Layers that are the identity at inference. */
const IDENTITY = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'InputLayer']);
const MERGES: Record<string, MergeKind> = {
  Add: 'add', Subtract: 'subtract', Multiply: 'multiply', Average: 'average', Maximum: 'maximum', Minimum: 'minimum',
  Concatenate: 'concatenate',
};
const GRUS = new Set(['GRU', 'TF1GRU', 'KerasGRU']);

interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  inbound_nodes?: unknown;
}

/** A layer with the names of the layers it reads. */
interface Layer {
  json: LayerJson;
  name: string;
  inbound: string[];
}

function config(l: LayerJson): Record<string, unknown> {
  return (l.config ?? {}) as Record<string, unknown>;
}

/** Sequential or functional topology → layers in order with their inputs. */
function layersOf(file: string, topology: unknown): {layers: Layer[]; input: string; output: string; batchInputShape: unknown} {
  const t = topology as {class_name?: string; config?: unknown; model_config?: unknown};
  const top = (t && t.model_config ? t.model_config : t) as {class_name?: string; config?: unknown};
  if (top == null || typeof top !== 'object' || typeof top.class_name !== 'string') {
    throw new StreamModelError('BAD_MODEL', file, 'modelTopology must be an object with class_name and config (a tfjs LayersModel)');
  }
  if (top.class_name === 'Sequential') {
    const cfg = top.config as {layers?: LayerJson[]}|LayerJson[];
    const list = Array.isArray(cfg) ? cfg : cfg?.layers;
    if (!Array.isArray(list) || list.length === 0) throw new StreamModelError('BAD_MODEL', file, 'Sequential model has no layers');
    const layers: Layer[] = [];
    let prev = '__input__';
    for (const [i, l] of list.entries()) {
      const name = String(config(l).name ?? l.name ?? `layer_${i}`);
      if (l.class_name === 'InputLayer') continue;
      layers.push({json: l, name, inbound: [prev]});
      prev = name;
    }
    const first = list[0];
    return {layers, input: '__input__', output: prev, batchInputShape: config(first).batch_input_shape ?? config(first).batchInputShape};
  }
  if (top.class_name === 'Model' || top.class_name === 'Functional') {
    const cfg = top.config as {layers?: LayerJson[]; input_layers?: unknown[]; output_layers?: unknown[]};
    if (!Array.isArray(cfg?.layers)) throw new StreamModelError('BAD_MODEL', file, 'functional model has no layers array');
    const ins = cfg.input_layers as Array<[string, number, number]>;
    const outs = cfg.output_layers as Array<[string, number, number]>;
    if (!Array.isArray(ins) || ins.length !== 1 || !Array.isArray(outs) || outs.length !== 1) {
      throw new StreamModelError('UNSUPPORTED', file,
          `a stream takes one input and gives one output; the model has ${ins?.length ?? 0} input(s) and ${outs?.length ?? 0} output(s)`);
    }
    const layers: Layer[] = [];
    let batchInputShape: unknown;
    for (const l of cfg.layers) {
      const name = String(l.name ?? config(l).name);
      if (l.class_name === 'InputLayer') {
        if (name === ins[0][0]) batchInputShape = config(l).batch_input_shape ?? config(l).batchInputShape;
        continue;
      }
      const nodes = l.inbound_nodes;
      if (!Array.isArray(nodes) || nodes.length !== 1 || !Array.isArray(nodes[0])) {
        throw new StreamModelError('UNSUPPORTED', file,
            `layer '${name}' (${l.class_name}) is applied ${Array.isArray(nodes) ? nodes.length : 0} times or in a form this reader ` +
            'does not know; a stream needs each layer applied once (tfjs inbound_nodes [[[name, 0, 0, {}], ...]])');
      }
      const inbound = (nodes[0] as unknown[]).map((e) => {
        if (!Array.isArray(e) || typeof e[0] !== 'string' || e[2] !== 0) {
          throw new StreamModelError('UNSUPPORTED', file, `layer '${name}': inbound node ${JSON.stringify(e)} is not [layer, 0, 0, kwargs]`);
        }
        const kwargs = e[3] as Record<string, unknown>|undefined;
        if (kwargs != null && Object.keys(kwargs).length > 0) {
          throw new StreamModelError('UNSUPPORTED', file, `layer '${name}' is called with ${JSON.stringify(kwargs)}; a stream cannot pass call arguments`);
        }
        return e[0] === ins[0][0] ? '__input__' : e[0];
      });
      layers.push({json: l, name, inbound});
    }
    return {layers, input: '__input__', output: outs[0][0], batchInputShape};
  }
  throw new StreamModelError('BAD_MODEL', file, `modelTopology.class_name is '${top.class_name}', expected Sequential, Model or Functional`);
}

/** A layer's weight by its name within the layer ('kernel', 'gates/kernel', ...). */
function weightOf(file: string, weights: Map<string, NamedWeight>, layer: string, suffix: string, optional = false): NamedWeight|null {
  const exact = weights.get(`${layer}/${suffix}`);
  if (exact) return exact;
  const found = [...weights.keys()].filter((k) => k.startsWith(`${layer}/`) && k.endsWith(`/${suffix}`));
  if (found.length === 1) return weights.get(found[0])!;
  if (found.length > 1) {
    throw new StreamModelError('BAD_MODEL', file, `layer '${layer}' has several weights named */${suffix}: ${found.join(', ')}`);
  }
  if (optional) return null;
  const held = [...weights.keys()].filter((k) => k.startsWith(`${layer}/`));
  throw new StreamModelError('BAD_WEIGHTS', file,
      `layer '${layer}' needs the weight '${layer}/${suffix}'; the manifest has ${held.length ? held.join(', ') : 'none of this layer'}`);
}

function expectShape(file: string, what: string, w: NamedWeight, shape: number[]): void {
  if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
    throw new StreamModelError('BAD_WEIGHTS', file, `${what} has shape [${w.shape}], expected [${shape}]`);
  }
}

function kernelActivation(file: string, layer: string, key: string, name: unknown): number {
  const n = frameActivationName(file, layer, key, name);
  const code = ACTIVATION_CODES[n];
  if (code == null) {
    throw new StreamModelError('UNSUPPORTED', file,
        `layer '${layer}': ${key} '${n}' is not one the GRU kernel computes (${Object.keys(ACTIVATION_CODES).join(', ')})`);
  }
  return code;
}

function flag(c: Record<string, unknown>, snake: string, camel: string): boolean {
  return (c[snake] ?? c[camel]) === true;
}

function gruNode(file: string, l: Layer, input: number, inputSize: number, weights: Map<string, NamedWeight>): GruNode {
  const c = config(l.json);
  const cls = l.json.class_name;
  for (const [snake, camel, why] of [['go_backwards', 'goBackwards', 'it reads the sequence from its end'],
    ['return_state', 'returnState', 'it returns its state as a second output']] as const) {
    if (flag(c, snake, camel)) throw new StreamModelError('UNSUPPORTED', file, `layer '${l.name}' (${cls}) has ${camel}: ${why}, which a stream cannot do`);
  }
  const units = Number(c.units);
  if (!Number.isInteger(units) || units < 1) throw new StreamModelError('BAD_MODEL', file, `layer '${l.name}': units must be a positive integer, got ${c.units}`);
  const U = units, D = inputSize;
  const activation = kernelActivation(file, l.name, 'activation', c.activation ?? 'tanh');
  if (cls === 'TF1GRU') {
    const gk = weightOf(file, weights, l.name, 'gates/kernel')!, gb = weightOf(file, weights, l.name, 'gates/bias')!;
    const ck = weightOf(file, weights, l.name, 'candidate/kernel')!, cb = weightOf(file, weights, l.name, 'candidate/bias')!;
    expectShape(file, `${l.name} gates/kernel`, gk, [D + U, 2 * U]);
    expectShape(file, `${l.name} gates/bias`, gb, [2 * U]);
    expectShape(file, `${l.name} candidate/kernel`, ck, [D + U, U]);
    expectShape(file, `${l.name} candidate/bias`, cb, [U]);
    return {op: 'gru', name: l.name, className: cls, input, inputSize: D, units: U, resetAfter: false, activation,
      recurrentActivation: ACTIVATION_CODES.sigmoid, weights: tf1Canonical(gk.data, gb.data, ck.data, cb.data, D, U)};
  }
  // tfjs's GRU (reset before only) and KerasGRU: kernel, recurrent_kernel, bias (z | r | h).
  const resetAfter = flag(c, 'reset_after', 'resetAfter');
  const useBias = (c.use_bias ?? c.useBias) !== false;
  // tfjs's GRU defaults to hardSigmoid, KerasGRU to sigmoid; a saved config names it anyway.
  const recurrentActivation = kernelActivation(file, l.name, 'recurrentActivation',
      c.recurrent_activation ?? c.recurrentActivation ?? (cls === 'GRU' ? 'hardSigmoid' : 'sigmoid'));
  const k = weightOf(file, weights, l.name, 'kernel')!, rk = weightOf(file, weights, l.name, 'recurrent_kernel')!;
  expectShape(file, `${l.name} kernel`, k, [D, 3 * U]);
  expectShape(file, `${l.name} recurrent_kernel`, rk, [U, 3 * U]);
  const b = useBias ? weightOf(file, weights, l.name, 'bias')! : null;
  if (b) expectShape(file, `${l.name} bias`, b, resetAfter ? [2, 3 * U] : [3 * U]);
  return {op: 'gru', name: l.name, className: cls, input, inputSize: D, units: U, resetAfter, activation, recurrentActivation,
    weights: kerasCanonical(k.data, rk.data, b ? b.data : null, D, U, resetAfter)};
}

function denseNode(file: string, l: Layer, input: number, inputSize: number, weights: Map<string, NamedWeight>): DenseNode {
  const c = config(l.json);
  const units = Number(c.units);
  const kernel = weightOf(file, weights, l.name, 'kernel')!;
  expectShape(file, `${l.name} kernel`, kernel, [inputSize, units]);
  const useBias = (c.use_bias ?? c.useBias) !== false;
  const bias = useBias ? weightOf(file, weights, l.name, 'bias')! : null;
  if (bias) expectShape(file, `${l.name} bias`, bias, [units]);
  return {op: 'dense', name: l.name, input, inputSize, units, kernel: kernel.data, bias: bias ? bias.data : null,
    activation: frameActivationName(file, l.name, 'activation', c.activation ?? 'linear')};
}

/** The last axis of a merge must be the features (-1, or 2 of [batch, time, features]). */
function checkMergeAxis(file: string, l: Layer): void {
  const axis = config(l.json).axis;
  if (l.json.class_name === 'Concatenate' && axis != null && axis !== -1 && axis !== 2) {
    throw new StreamModelError('UNSUPPORTED', file, `layer '${l.name}' concatenates along axis ${axis}; a stream concatenates features (axis -1) only`);
  }
}

/** The program of a model (see the module comment). `file` names the model in errors. */
export function streamPlan(file: string, topology: unknown, weights: Map<string, NamedWeight>): StreamPlan {
  const {layers, input, output, batchInputShape} = layersOf(file, topology);
  const ids = new Map<string, number>([[input, 0]]);
  const sizes: number[] = [];
  // The input size: the input's last dimension, else what the first layer's weights expect.
  const shape = batchInputShape as Array<number|null>|undefined;
  if (Array.isArray(shape)) {
    if (shape.length !== 3) {
      throw new StreamModelError('UNSUPPORTED', file, `the model's input has shape [${shape}]; a stream needs sequences [batch, time, features]`);
    }
    sizes.push(Number(shape[2]));
  }
  const nodes: PlanNode[] = [];
  const done = new Set<string>();
  // Functional configs list layers in a topological order (tfjs writes them so); check it rather than assume.
  for (const l of layers) {
    const cls = l.json.class_name;
    const inputs = l.inbound.map((n) => {
      const id = ids.get(n);
      if (id == null) throw new StreamModelError('BAD_MODEL', file, `layer '${l.name}' reads '${n}', which no earlier layer produces`);
      return id;
    });
    if (sizes.length === 0) {
      // No declared input shape: take the first layer's weights' input dimension.
      const k = weightOf(file, weights, l.name, cls === 'TF1GRU' ? 'candidate/kernel' : 'kernel', true);
      if (k == null) throw new StreamModelError('BAD_MODEL', file, 'the model declares no input shape and its first layer has no kernel to tell it');
      const units = Number(config(l.json).units);
      sizes.push(cls === 'TF1GRU' ? k.shape[0] - units : k.shape[0]);
    }
    if (done.has(l.name)) throw new StreamModelError('BAD_MODEL', file, `two layers are named '${l.name}'`);
    done.add(l.name);
    const one = () => {
      if (inputs.length !== 1) throw new StreamModelError('UNSUPPORTED', file, `layer '${l.name}' (${cls}) has ${inputs.length} inputs, expected 1`);
      return inputs[0];
    };
    let node: PlanNode|null = null;
    let size: number;
    if (IDENTITY.has(cls)) {
      ids.set(l.name, one());
      continue;
    } else if (GRUS.has(cls)) {
      const g = gruNode(file, l, one(), sizes[one()], weights);
      node = g;
      size = g.units;
    } else if (cls === 'Dense') {
      const d = denseNode(file, l, one(), sizes[one()], weights);
      node = d;
      size = d.units;
    } else if (cls === 'Activation') {
      size = sizes[one()];
      node = {op: 'activation', name: l.name, input: one(), size,
        activation: frameActivationName(file, l.name, 'activation', config(l.json).activation)};
    } else if (cls in MERGES) {
      checkMergeAxis(file, l);
      const kind = MERGES[cls];
      const own = inputs.map((i) => sizes[i]);
      if (inputs.length < 2) throw new StreamModelError('BAD_MODEL', file, `layer '${l.name}' (${cls}) needs at least 2 inputs, got ${inputs.length}`);
      if (kind === 'subtract' && inputs.length !== 2) throw new StreamModelError('BAD_MODEL', file, `layer '${l.name}' (Subtract) needs exactly 2 inputs`);
      if (kind !== 'concatenate' && own.some((s) => s !== own[0])) {
        throw new StreamModelError('UNSUPPORTED', file, `layer '${l.name}' (${cls}) merges feature sizes [${own}]; a stream needs them equal (no broadcasting)`);
      }
      size = kind === 'concatenate' ? own.reduce((a, b) => a + b, 0) : own[0];
      node = {op: 'merge', name: l.name, kind, inputs, size};
    } else {
      const why = cls === 'Bidirectional' ? ': its backward direction reads the sequence from its end' :
        cls === 'ReverseTime' ? ': it reverses the sequence in time' : '';
      throw new StreamModelError('UNSUPPORTED', file,
          `layer '${l.name}' (${cls}) cannot run frame by frame${why}. A stream runs GRU, TF1GRU, KerasGRU, Dense, Activation, ` +
          `${Object.keys(MERGES).join(', ')} and inference identities (${[...IDENTITY].join(', ')})`);
    }
    nodes.push(node);
    sizes.push(size);
    ids.set(l.name, nodes.length);
  }
  const out = ids.get(output);
  if (out == null) throw new StreamModelError('BAD_MODEL', file, `the model's output layer '${output}' is not among its layers`);
  if (!nodes.some((n) => n.op === 'gru')) {
    throw new StreamModelError('UNSUPPORTED', file, 'the model has no GRU layer: nothing to stream');
  }
  return {inputSize: sizes[0], outputSize: sizes[out], nodes, output: out, sizes};
}
