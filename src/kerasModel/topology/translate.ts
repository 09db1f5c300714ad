/**
 * A Keras model config (Keras 3 or tf.keras; Sequential, Functional, nested models) → the
 * topology JSON tfjs-layers deserializes (tf.models.modelFromJSON), every layer through its
 * mapper (./layerMappers.ts), Bidirectional / TimeDistributed around any mapped layer, and
 * every layer that cannot be expressed exactly collected into one list of refusals.
 *
 * Keras 3 writes a Functional model's call arguments as `{args, kwargs}` with
 * `__keras_tensor__` objects, and the masks between layers as explicit operations (an
 * Embedding's mask is `NotEqual(ids, 0)` passed as `mask=`); tfjs propagates masks itself, so
 * operations that only compute masks are dropped when the converter's own mask analysis says
 * the same mask reaches that layer in tfjs. Keras 3 counts a nested Sequential's calls from 0,
 * tf.keras and tfjs from 1 (its own first node): those indices are shifted.
 */
import {KerasFileError} from '../../io/keras/errors';
import {MappedLayer, mapperOf, maskFlow, whyNotMapped} from './layerMappers';
import {Json} from './serialized';

/**
 * A layer the converter cannot express exactly.
 * @category Conversion
 */
export interface RefusedLayer {
  /** The layer's path in the model ('dense', 'inner/dense' inside a nested model). */
  name: string;
  className: string;
  reason: string;
}

/**
 * One translated layer: what weights it takes and how (nested models hold their own layers).
 * @category Conversion
 */
export interface TranslatedLayer {
  name: string;
  kerasClass: string;
  tfjsClass: string;
  /** The converter's weight transform, if tfjs's order or layout differs from the file's. */
  weights?: MappedLayer['weights'];
  /** A nested model's layers. */
  children?: TranslatedModel;
  notes: string[];
  /** Whether a mask reaches the layer's input (Keras's masks, as the converter follows them). */
  masked: boolean;
}

/**
 * A translated model (or nested model).
 * @category Conversion
 */
export interface TranslatedModel {
  kind: 'Sequential' | 'Functional';
  /** Every layer as Keras lists it (InputLayers included), in order. */
  layers: TranslatedLayer[];
  /** Keras 3 op layers dropped because they only compute masks tfjs propagates itself. */
  droppedMaskOps: string[];
}

/**
 * The translation: the tfjs topology, the layer tree, and everything refused.
 * @category Conversion
 */
export interface Translation {
  topology: Json;
  model: TranslatedModel;
  refused: RefusedLayer[];
}

interface Ctx {
  keras3: boolean | null;
  file: string;
  refused: RefusedLayer[];
  prefix: string;
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** Keras 3 operations that its masks are computed with (NotEqual for Embedding(mask_zero), Any for Masking, …). */
const MASK_OP_CLASSES = new Set(['NotEqual', 'Equal', 'Any', 'All', 'LogicalAnd', 'LogicalOr', 'LogicalNot', 'Cast', 'ExpandDims', 'Squeeze',
  'ZerosLike', 'OnesLike']);

function layerName(raw: Json): string {
  return typeof raw?.config?.name === 'string' ? raw.config.name : typeof raw?.name === 'string' ? raw.name : '';
}

/** A layer config (leaf or wrapper) → its tfjs config; refusals go to ctx. */
function translateLayerConfig(raw: Json, ctx: Ctx, masked: boolean, extra: {zeroOutputForMask?: boolean} = {}):
    {out: Json; layer: TranslatedLayer} | null {
  const className = String(raw.class_name);
  const cfg: Json = raw.config ?? {};
  const name = layerName(raw);
  const refuse = (reason: string) => {
    ctx.refused.push({name: ctx.prefix + name, className, reason});
    return null;
  };
  if (className === 'Bidirectional' || className === 'TimeDistributed') {
    const inner = cfg.layer;
    if (inner == null || typeof inner.class_name !== 'string') return refuse(`${className} without a wrapped layer config`);
    const innerSeq = inner.config?.return_sequences === true;
    const before = ctx.refused.length;
    const t = translateLayerConfig(inner, {...ctx, prefix: `${ctx.prefix}${name}/`}, className === 'Bidirectional' && masked,
        {zeroOutputForMask: className === 'Bidirectional' && masked && innerSeq});
    const problems: string[] = [];
    if (className === 'Bidirectional') {
      const mode = cfg.merge_mode === undefined ? 'concat' : cfg.merge_mode;
      if (!['concat', 'sum', 'mul', 'ave', null].includes(mode)) problems.push(`merge_mode ${JSON.stringify(mode)} is not in tfjs`);
      const bw = cfg.backward_layer;
      if (bw != null && t != null) {
        // shared_object_id only pairs up Keras 3's shared objects
        const strip = (c: Json) => JSON.stringify({...c, name: undefined, go_backwards: undefined}, (k, v) => (k === 'shared_object_id' ? undefined : v));
        if (bw.class_name !== inner.class_name || strip(bw.config ?? {}) !== strip(inner.config ?? {})) {
          problems.push('a backward_layer that differs from the forward layer (tfjs builds the backward layer from the forward one)');
        }
      }
    }
    for (const p of problems) refuse(p);
    if (t == null || problems.length || ctx.refused.length > before) return null;
    const out: Json = {name, trainable: cfg.trainable ?? true, layer: t.out};
    if (className === 'Bidirectional') out.merge_mode = cfg.merge_mode === undefined ? 'concat' : cfg.merge_mode;
    const innerW = t.layer.weights;
    const weights = innerW == null ? undefined : className === 'Bidirectional' ?
      (w: any[]) => [...innerW(w.slice(0, w.length / 2)), ...innerW(w.slice(w.length / 2))] : innerW;
    return {out: {class_name: className, config: out},
      layer: {name, kerasClass: className, tfjsClass: `${className}(${t.layer.tfjsClass})`, notes: t.layer.notes, masked,
        ...(weights ? {weights} : {})}};
  }
  const mapper = mapperOf(className);
  if (mapper == null) return refuse(whyNotMapped(className, raw.module));
  if (className === 'InputLayer' && raw.config?.batch_shape == null && raw.config?.batch_input_shape == null && Array.isArray(raw.build_config?.input_shape)) {
    cfg.batch_shape = raw.build_config.input_shape;
  }
  const m = mapper({...cfg}, {keras3: ctx.keras3, masked, zeroOutputForMask: extra.zeroOutputForMask});
  if ('refused' in m) {
    for (const r of m.refused) refuse(r);
    return null;
  }
  return {out: {class_name: m.class_name, config: m.config},
    layer: {name, kerasClass: className, tfjsClass: m.class_name, notes: m.notes, masked, ...(m.weights ? {weights: m.weights} : {})}};
}

/** The batch input shape a Sequential's first layer declares (tf.keras), or its build_config's (Keras 3). */
function declaredShape(raw: Json): unknown[] | null {
  const c = raw.config ?? {};
  const s = c.batch_input_shape ?? c.batch_shape ?? raw.build_config?.input_shape;
  return Array.isArray(s) ? s : null;
}

function translateSequential(body: Json, ctx: Ctx, name: string): {out: Json; model: TranslatedModel} {
  const raws: Json[] = Array.isArray(body) ? body : body.layers;
  if (!Array.isArray(raws)) throw new KerasFileError('BAD_CONFIG', ctx.file, `Sequential '${name}' has no 'layers' list`);
  const layers: Json[] = [];
  const tl: TranslatedLayer[] = [];
  let masked = false;
  raws.forEach((raw, i) => {
    const className = String(raw?.class_name);
    if (MODEL_CLASSES.has(className)) {
      const sub = translateModelConfig(raw, {...ctx, prefix: `${ctx.prefix}${layerName(raw)}/`});
      if (masked) ctx.refused.push({name: ctx.prefix + layerName(raw), className, reason: 'a mask reaches a nested model (not converted)'});
      layers.push(sub.out);
      tl.push({name: layerName(raw), kerasClass: className, tfjsClass: sub.out.class_name, children: sub.model, notes: [], masked});
      masked = false;
      return;
    }
    const flow = maskFlow(className, raw.config ?? {}, masked);
    if (!flow.acceptsMask) {
      ctx.refused.push({name: ctx.prefix + layerName(raw), className, reason: 'a Keras mask reaches it: Keras 3 drops the mask here, tfjs-layers refuses it'});
    }
    const t = translateLayerConfig(raw, ctx, masked);
    if (t != null) {
      if (i === 0 && className !== 'InputLayer') {
        const shape = declaredShape(raw);
        if (shape == null) {
          ctx.refused.push({name: ctx.prefix + layerName(raw), className, reason: "the model's input shape is not in the config"});
        } else {
          t.out.config.batch_input_shape = shape;
          delete t.out.config.batch_shape;
        }
      }
      layers.push(t.out);
      tl.push(t.layer);
    }
    masked = flow.outMasked;
  });
  return {out: {class_name: 'Sequential', config: {name, layers}}, model: {kind: 'Sequential', layers: tl, droppedMaskOps: []}};
}

/** A tensor reference in a tf.keras inbound node: [layer, node, tensor]. */
type Ref = [string, number, number];

/** A node's input tensors and mask source, from tf.keras's list or Keras 3's {args, kwargs}. */
function readNode(node: any, where: string, ctx: Ctx): {inputs: Ref[]; maskFrom: Ref | null; otherKwargs: string[]} {
  const other: string[] = [];
  if (Array.isArray(node)) {
    const inputs: Ref[] = [];
    for (const t of node) {
      if (!Array.isArray(t) || typeof t[0] !== 'string') throw new KerasFileError('BAD_CONFIG', ctx.file, `${where}: an inbound tensor ${JSON.stringify(t)}`);
      inputs.push([t[0], Number(t[1] ?? 0), Number(t[2] ?? 0)]);
      const kw = t[3];
      if (kw != null && typeof kw === 'object') for (const [k, v] of Object.entries(kw)) if (k !== 'training' && k !== 'mask' && v != null) other.push(k);
    }
    return {inputs, maskFrom: null, otherKwargs: other};
  }
  const ref = (v: any): Ref | null => {
    const h = v?.config?.keras_history;
    return v?.class_name === '__keras_tensor__' && Array.isArray(h) ? [String(h[0]), Number(h[1]), Number(h[2])] : null;
  };
  const inputs: Ref[] = [];
  for (const a of Array.isArray(node?.args) ? node.args : []) {
    const items = Array.isArray(a) ? a : [a];
    for (const it of items) {
      const r = ref(it);
      if (r != null) inputs.push(r);
    }
  }
  let maskFrom: Ref | null = null;
  for (const [k, v] of Object.entries(node?.kwargs ?? {})) {
    if (k === 'training' || v == null) continue;
    if (k === 'mask') {
      const r = ref(v);
      if (r == null) other.push('mask (not a tensor)');
      maskFrom = r;
    } else {
      other.push(k);
    }
  }
  return {inputs, maskFrom, otherKwargs: other};
}

/** Names given as [[name, 0, 0], …] or (Keras 3, one tensor) [name, 0, 0]. */
function refsOf(list: any): Ref[] {
  if (!Array.isArray(list) || list.length === 0) return [];
  if (typeof list[0] === 'string') return [[list[0], Number(list[1] ?? 0), Number(list[2] ?? 0)]];
  return list.map((r: any) => [String(r[0]), Number(r[1] ?? 0), Number(r[2] ?? 0)] as Ref);
}

function translateFunctional(body: Json, ctx: Ctx, name: string): {out: Json; model: TranslatedModel} {
  const raws: Json[] = body.layers;
  if (!Array.isArray(raws)) throw new KerasFileError('BAD_CONFIG', ctx.file, `model '${name}' has no 'layers' list`);
  const byName = new Map<string, Json>(raws.map((r) => [layerName(r), r]));
  const nodesOf = new Map<string, Array<ReturnType<typeof readNode>>>();
  for (const r of raws) {
    const n = layerName(r);
    nodesOf.set(n, (Array.isArray(r.inbound_nodes) ? r.inbound_nodes : []).map((node: any, i: number) => readNode(node, `layer '${n}' node ${i}`, ctx)));
  }
  const outputs = refsOf(body.output_layers);
  const inputs = refsOf(body.input_layers);
  // Keras 3 operations (module keras.src.ops.*; a Keras 3 legacy .h5 records no module, and an operation's config,
  // unlike a layer's, has no 'trainable') that only compute masks are dropped: tfjs propagates the masks itself.
  const isOp = (r: Json) => (typeof r.module === 'string' ? r.module.includes('.ops.') :
    MASK_OP_CLASSES.has(String(r.class_name)) ||
      (r.config != null && !('trainable' in r.config) && String(r.class_name) !== 'InputLayer' && !MODEL_CLASSES.has(String(r.class_name))));
  const maskOnly = new Set(raws.filter(isOp).map(layerName));
  for (let changed = true; changed;) {
    changed = false;
    for (const r of raws) {
      const n = layerName(r);
      if (maskOnly.has(n)) continue;
      for (const node of nodesOf.get(n)!) {
        for (const [src] of node.inputs) if (maskOnly.delete(src)) changed = true;
      }
    }
    for (const [src] of outputs) if (maskOnly.delete(src)) changed = true;
  }
  const keras3Nodes = raws.some((r) => Array.isArray(r.inbound_nodes) && r.inbound_nodes.some((nd: any) => nd != null && !Array.isArray(nd)));
  // Follow Keras's masks through the graph (each layer node's output), in passes until all nodes are known.
  const outMasked = new Map<string, boolean>();  // `${layer}:${node}` → output carries a mask
  const layerMasked = new Map<string, boolean>();
  for (let pass = 0; pass <= raws.length; pass++) {
    for (const r of raws) {
      const n = layerName(r);
      if (maskOnly.has(n)) continue;
      nodesOf.get(n)!.forEach((node, i) => {
        const key = `${n}:${i}`;
        if (outMasked.has(key)) return;
        const ins = node.inputs.map(([s, ni]) => (byName.get(s) && isOp(byName.get(s)!) ? false : outMasked.get(`${s}:${nodeIndexIn(s, ni)}`)));
        if (ins.some((v) => v === undefined)) return;
        const m = ins.some((v) => v === true);
        layerMasked.set(n, (layerMasked.get(n) ?? false) || m);
        const cls = String(r.class_name);
        outMasked.set(key, MODEL_CLASSES.has(cls) ? false : maskFlow(cls, r.config ?? {}, m).outMasked);
      });
      if (String(r.class_name) === 'InputLayer') outMasked.set(`${n}:0`, false);
    }
  }
  /** A referenced node's position in the layer's inbound_nodes list (a nested model's own first node is not listed). */
  function nodeIndexIn(layer: string, index: number): number {
    const cls = byName.get(layer)?.class_name;
    return !MODEL_CLASSES.has(cls) || (keras3Nodes && cls === 'Sequential') ? index : index - 1;
  }
  /** The node index tfjs uses: Keras 3 counts a nested Sequential's calls from 0, tfjs from 1 (its own first node). */
  function shift(src: string, nodeIndex: number): number {
    return keras3Nodes && byName.get(src)?.class_name === 'Sequential' ? nodeIndex + 1 : nodeIndex;
  }
  const layers: Json[] = [];
  const tl: TranslatedLayer[] = [];
  for (const r of raws) {
    const n = layerName(r);
    const cls = String(r.class_name);
    if (maskOnly.has(n)) continue;
    const masked = layerMasked.get(n) ?? false;
    const nodes = nodesOf.get(n)!;
    const refuse = (reason: string) => ctx.refused.push({name: ctx.prefix + n, className: cls, reason});
    for (const node of nodes) {
      if (node.otherKwargs.length) refuse(`called with ${node.otherKwargs.join(', ')}: tfjs-layers' model format passes only tensors`);
      if (node.maskFrom != null && !masked) refuse(`an explicit mask from '${node.maskFrom[0]}' that is not a mask tfjs propagates`);
    }
    let entry: Json | null;
    let t: TranslatedLayer | null = null;
    if (isOp(r)) {
      refuse(`a Keras operation (${typeof r.module === 'string' ? `${r.module}.` : ''}${cls}) applied to the model's tensors, not a layer: ` +
          'tfjs-layers has no such layer (only operations that compute masks are dropped)');
      continue;
    }
    if (MODEL_CLASSES.has(cls)) {
      const sub = translateModelConfig(r, {...ctx, prefix: `${ctx.prefix}${n}/`});
      if (masked) refuse('a mask reaches a nested model (not converted)');
      entry = {class_name: sub.out.class_name, config: sub.out.config};
      t = {name: n, kerasClass: cls, tfjsClass: sub.out.class_name, children: sub.model, notes: [], masked};
    } else {
      if (!maskFlow(cls, r.config ?? {}, masked).acceptsMask) refuse('a Keras mask reaches it: Keras 3 drops the mask here, tfjs-layers refuses it');
      const x = translateLayerConfig(r, ctx, masked);
      entry = x?.out ?? null;
      t = x?.layer ?? null;
    }
    if (entry == null || t == null) continue;
    entry.name = n;
    entry.inbound_nodes = nodes.map((node) => node.inputs.map(([s, ni, ti]) => [s, shift(s, ni), ti, {}]));
    layers.push(entry);
    tl.push(t);
  }
  const dropped = [...maskOnly];
  return {
    out: {class_name: 'Functional', config: {name, layers, input_layers: inputs.map(([s, ni, ti]) => [s, shift(s, ni), ti]),
      output_layers: outputs.map(([s, ni, ti]) => [s, shift(s, ni), ti])}},
    model: {kind: 'Functional', layers: tl, droppedMaskOps: dropped},
  };
}

function translateModelConfig(raw: Json, ctx: Ctx): {out: Json; model: TranslatedModel} {
  const cls = String(raw.class_name);
  const body = raw.config;
  const name = typeof body?.name === 'string' ? body.name : layerName(raw) || 'model';
  if (cls === 'Sequential') return translateSequential(body, ctx, name);
  if (cls === 'Functional' || cls === 'Model') return translateFunctional(body ?? {}, ctx, name);
  throw new KerasFileError('BAD_CONFIG', ctx.file, `model class '${cls}': expected Sequential, Functional or Model`);
}

/**
 * Translates a model config (see the module comment); refusals are collected, not thrown.
 * @category Conversion
 */
export function translateKerasConfig(config: {class_name: string; config: any}, file: string, keras3: boolean | null): Translation {
  const refused: RefusedLayer[] = [];
  const {out, model} = translateModelConfig(config, {keras3, file, refused, prefix: ''});
  const topology = {...out, keras_version: 'tfjs-layers 4.22 (from tfjs-gru)', backend: 'tensor_flow.js'};
  return {topology, model, refused};
}
