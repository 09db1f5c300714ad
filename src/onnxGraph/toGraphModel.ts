/**
 * A whole ONNX graph → a tfjs GraphModel (model.json topology + weights), browser-safe.
 *
 * Pipeline: refuse what cannot be computed exactly (every unsupported op, attribute
 * and dtype, listed in one error) → fold every node whose inputs are constants (the
 * exporters' shape arithmetic: Shape of a static input, Gather, Unsqueeze, Concat,
 * ConstantOfShape, Cast of constants) with the same mappers that run at run time →
 * rewrite GRU nodes with their weights in the kernel layout → drop what no output
 * needs → emit one graph node per remaining ONNX node (op `onnx.<OpType>`), Const
 * nodes for the weights, Placeholders for the inputs and one Identity per output.
 *
 * A drop-in: the model's signature keeps the ONNX inputs' and outputs' names and
 * order; shapes and axis layouts are the ONNX ones (dynamic dims stay -1). tfjs has
 * no int64: int64 inputs, outputs and constants are int32 (constants checked to fit,
 * except int64 extremes that only mean "to the end" in Slice, which saturate).
 */
import * as tf from '@tensorflow/tfjs';

import {ConversionError} from '../io/modelFileError';
import type {OnnxModel, OnnxNode, OnnxValueInfo} from '../io/onnx';
import type {TensorProto} from '../io/onnx/protos';
import {decodeTensor} from '../io/onnx/tensors';
import {Attrs, AttrValue, TensorAttr} from './op';
import {GRU_KERNEL_OP, gruKernelParts, gruRefusals} from './ops/gru';
import {shapeSlice} from './ops/shape';
import {encodePayload, PAYLOAD_ATTR} from './payload';
import {GRAPH_OP_PREFIX, onnxOp} from './registry';

/**
 * The dtypes a converted graph computes in (tfjs has no int64: ONNX integers become int32).
 * @category Conversion
 */
export type TfDtype = 'float32' | 'int32' | 'bool';

/**
 * A graph input or output of the converted model: its ONNX name, tfjs dtype and shape (-1 = dynamic).
 * @category Conversion
 */
export interface GraphTensorInfo {
  name: string;
  dtype: TfDtype;
  /** null when the ONNX file declares no shape. */
  shape: number[] | null;
  /** The ONNX dims as declared (names of dynamic axes kept). */
  onnxShape: Array<number | string | null> | null;
  onnxDtype: string | null;
}

/**
 * What {@link onnxToGraphModel} made.
 * @category Conversion
 */
export interface OnnxGraphConversion {
  artifacts: tf.io.ModelArtifacts;
  inputs: GraphTensorInfo[];
  outputs: GraphTensorInfo[];
  /** ONNX op type → how many nodes of it run in the converted graph. */
  ops: Record<string, number>;
  /** ONNX nodes computed at conversion time (constants folded), and nodes dropped because no output needs them. */
  folded: number;
  dropped: number;
  /** GRU nodes, now on the whole-sequence kernels. */
  grus: number;
  /** Bytes of weights written. */
  weightBytes: number;
}

const DT: Record<TfDtype, string> = {float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL'};
const INT_TYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32']);
const INT32_MAX = 2147483647;
/** Ops that carry a saturated int64 extreme through unchanged (so Slice may still read it as "to the end"). */
const SATURATION_PASSES = new Set(['Concat', 'Unsqueeze', 'Squeeze', 'Identity', 'Reshape', 'Cast']);
/** Folding stops at outputs larger than this (the weights would grow, not shrink). */
const FOLD_MAX_ELEMENTS = 1 << 20;

function tfDtype(onnx: string | null): TfDtype | null {
  if (onnx == null || onnx === 'float32') return 'float32';
  if (INT_TYPES.has(onnx)) return 'int32';
  if (onnx === 'bool') return 'bool';
  return null;
}

/** A value of the graph while converting: a constant (tensor) or computed at run time (the graph ref). */
interface Value {
  tensor?: tf.Tensor;
  /** the graph ref `node:k` once emitted */
  ref?: string;
  /** static shape, when known at conversion time */
  shape?: number[] | null;
  /** holds int64 extremes saturated to int32 */
  saturated?: boolean;
}

function sanitize(s: string): string {
  const t = s.replace(/[^A-Za-z0-9_./-]/g, '_').replace(/^[^A-Za-z0-9]+/, '');
  return t === '' ? 'v' : t;
}

class Names {
  private readonly used = new Set<string>();
  take(base: string): string {
    let name = sanitize(base);
    for (let k = 1; this.used.has(name); k++) name = `${sanitize(base)}_${k}`;
    this.used.add(name);
    return name;
  }
}

/** An attribute as the mappers take it (tensors decoded to plain values). */
function mapperAttrs(node: OnnxNode, file: string): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(node.attributes)) {
    if (v == null) {
      throw new ConversionError('UNSUPPORTED', file, `node '${node.name}' (${node.opType}): attribute '${k}' is a graph or of a ` +
          'type this converter does not read (subgraphs and sparse tensors are not supported)');
    }
    out[k] = typeof v === 'object' && !Array.isArray(v) ? tensorAttr(v as TensorProto, `attribute '${k}' of node '${node.name}'`, file) :
      v as AttrValue;
  }
  return out;
}

function tensorAttr(t: TensorProto, what: string, file: string): TensorAttr {
  const v = decodeTensor(t, file, what);
  const dtype = tfDtype(v.dtype);
  if (dtype == null) throw new ConversionError('UNSUPPORTED', file, `${what} is ${v.dtype}, which tfjs cannot compute exactly`);
  const values = Array.from(v.values as ArrayLike<number>, (x) => (dtype === 'int32' ? Math.max(Math.min(x, INT32_MAX), -INT32_MAX - 1) : x));
  return {dtype, shape: v.shape, values};
}

/**
 * What of a graph cannot be converted: op types (with counts and their first nodes) and attribute/value refusals.
 * @category Conversion
 */
export interface OnnxGraphRefusals {
  ops: Array<{op: string; count: number; nodes: string[]}>;
  details: string[];
}

/**
 * Everything in `model` that the whole-graph conversion refuses (empty lists: it converts).
 * @category Conversion
 */
export function unsupportedOnnxParts(model: OnnxModel): OnnxGraphRefusals {
  const opset = model.opsets[''] ?? 0;
  const byOp = new Map<string, string[]>();
  const details: string[] = [];
  for (const n of model.nodes) {
    const key = n.domain === '' ? n.opType : `${n.domain}.${n.opType}`;
    const op = n.domain === '' ? onnxOp(n.opType === 'GRU' ? GRU_KERNEL_OP : n.opType) : undefined;
    if (op == null) {
      if (!byOp.has(key)) byOp.set(key, []);
      byOp.get(key)!.push(n.name || `#${n.index}`);
      continue;
    }
    let attrs: Attrs;
    try {
      attrs = mapperAttrs(n, model.file);
    } catch (e) {
      details.push((e as Error).message.replace(`${model.file}: `, ''));
      continue;
    }
    const why = n.opType === 'GRU' ? gruRefusals(attrs) : (op.check?.(attrs, {opset, outputs: n.outputs.length, node: n.name}) ?? []);
    if (n.opType === 'GRU') {
      if (!n.inputs[0] || !n.inputs[1] || !n.inputs[2]) why.push('X, W and R are required inputs');
      for (const [slot, what] of [[1, 'W'], [2, 'R'], [3, 'B']] as const) {
        const name = n.inputs[slot];
        if (name && !model.has(name)) why.push(`${what} ('${name}') is computed by the graph; only constant GRU weights are converted`);
      }
    }
    for (const w of why) details.push(`node '${n.name}' (${n.opType}): ${w}`);
  }
  for (const v of model.variables) {
    if (tfDtype(v.dtype) == null) details.push(`tensor '${v.name}' is ${v.dtype} (tfjs computes float32, int32 and bool)`);
  }
  for (const i of [...model.inputInfo, ...model.outputInfo]) {
    if (tfDtype(i.dtype) == null) details.push(`graph input/output '${i.name}' is ${i.dtype} (tfjs computes float32, int32 and bool)`);
  }
  const ops = [...byOp].map(([op, nodes]) => ({op, count: nodes.length, nodes: nodes.slice(0, 3)}));
  return {ops, details};
}

/**
 * The refusals as lines a person reads (empty when the graph converts).
 * @category Conversion
 */
export function formatOnnxRefusals(r: OnnxGraphRefusals, opset: number): string {
  const lines = r.ops.map(({op, count, nodes}) => `  ${op} ×${count} (${nodes.map((s) => `'${s}'`).join(', ')}${count > nodes.length ? ', …' : ''})`);
  return (lines.length ? `Unsupported operators (opset ${opset}):\n${lines.join('\n')}` : '') +
    (r.details.length ? `${lines.length ? '\n' : ''}Unsupported attributes or values:\n${r.details.map((d) => `  ${d}`).join('\n')}` : '');
}

function refuseUnsupported(model: OnnxModel, opset: number): void {
  const r = unsupportedOnnxParts(model);
  if (r.ops.length === 0 && r.details.length === 0) return;
  throw new ConversionError('UNSUPPORTED', model.file, 'the graph cannot be converted exactly; nothing was written.\n' +
      formatOnnxRefusals(r, opset) + '\n`tfjs-gru convert --gru-stack` converts the GRU stack alone.');
}

/**
 * Converts the whole graph of `model` (see the module comment). Throws
 * ConversionError 'UNSUPPORTED' listing everything that cannot be converted.
 * Leaves no tensor behind (the returned artifacts hold bytes, not tensors).
 * @category Conversion
 */
export async function onnxToGraphModel(model: OnnxModel): Promise<OnnxGraphConversion> {
  const file = model.file;
  const opset = model.opsets[''];
  if (opset == null) throw new ConversionError('UNSUPPORTED', file, `the model imports no ai.onnx opset (it has ${JSON.stringify(model.opsets)})`);
  refuseUnsupported(model, opset);

  const values = new Map<string, Value>();
  const made: tf.Tensor[] = [];
  try {
    return await convert(model, opset, values, made);
  } finally {
    tf.dispose(made);
  }
}

async function convert(model: OnnxModel, opset: number, values: Map<string, Value>, made: tf.Tensor[]): Promise<OnnxGraphConversion> {
  const file = model.file;
  const keep = <T extends tf.Tensor>(t: T): T => { made.push(t); return t; };

  // graph inputs
  const inputs: GraphTensorInfo[] = model.inputInfo.map((info) => graphInfo(info, file, 'input'));
  for (const i of inputs) values.set(i.name, {shape: i.shape != null && i.shape.every((d) => d >= 0) ? i.shape : null});

  // constants: initializers (int64 saturated where they exceed int32; see the module comment)
  const constant = (name: string): Value => {
    const v = model.readValues(name);
    const dtype = tfDtype(v.dtype);
    if (dtype == null) {
      throw new ConversionError('UNSUPPORTED', file, `tensor '${name}' is ${v.dtype}; tfjs computes float32, int32 and bool ` +
          '(convert the model to float32 first, e.g. onnxconverter-common\'s float16 → float32)');
    }
    let saturated = false;
    const vals = dtype === 'int32' ? Int32Array.from(v.values as ArrayLike<number>, (x) => {
      if (x > INT32_MAX || x < -INT32_MAX - 1) { saturated = true; return x > 0 ? INT32_MAX : -INT32_MAX - 1; }
      return x;
    }) : dtype === 'bool' ? Uint8Array.from(v.values as ArrayLike<number>) : v.values as Float32Array;
    return {tensor: keep(tf.tensor(vals, v.shape, dtype)), saturated};
  };

  const valueOf = (name: string, node: OnnxNode): Value => {
    let v = values.get(name);
    if (v == null && model.has(name) && model.producer_of(name) == null) {
      v = constant(name);
      values.set(name, v);
    }
    if (v == null) {
      throw new ConversionError('BAD_GRAPH', file, `node '${node.name}' (${node.opType}) reads '${name}', which no earlier node, ` +
          'initializer or graph input defines (a dangling input, a cycle, or nodes out of topological order)');
    }
    return v;
  };

  // walk the nodes: fold constants, collect the rest
  interface Pending { node: OnnxNode; attrs: Attrs; opType: string; inputs: Array<string | null> }
  const pending: Pending[] = [];
  let folded = 0;
  for (const node of model.nodes) {
    for (const o of node.outputs) {
      if (o !== '' && (values.has(o) || model.inputs.includes(o) || (model.has(o) && model.producer_of(o) !== node))) {
        throw new ConversionError('BAD_GRAPH', file, `node '${node.name}' (${node.opType}) writes '${o}', which the graph already ` +
            'defines (an input, an initializer or another node\'s output): every value has one producer');
      }
    }
    const attrs = mapperAttrs(node, file);
    const ins = node.inputs.map((n) => (n === '' ? null : valueOf(n, node)));
    const ctx = {opset, outputs: node.outputs.length, node: node.name};
    const satIn = ins.some((v, slot) => v?.saturated && !(node.opType === 'Slice' && (slot === 1 || slot === 2)));
    if (satIn && !SATURATION_PASSES.has(node.opType)) {
      throw new ConversionError('UNSUPPORTED', file, `node '${node.name}' (${node.opType}) reads an int64 value beyond int32's range ` +
          '(tfjs has no int64); only Slice\'s starts and ends may hold such values ("to the end")');
    }
    if (node.opType === 'GRU') {
      const g = rewriteGru(node, attrs, ins, keep, file);
      g.kernelInputs.forEach((n, j) => values.set(n, {tensor: g.kernelTensors[j]}));
      for (const o of node.outputs) if (o !== '') values.set(o, {});
      pending.push({node, attrs, opType: GRU_KERNEL_OP, inputs: g.inputs});
      continue;
    }
    const op = onnxOp(node.opType)!;
    // Shape of a value whose shape is known statically folds too.
    const allConst = ins.every((v) => v == null || v.tensor != null);
    if (node.opType === 'Shape' && ins[0]?.tensor == null && ins[0]?.shape != null) {
      values.set(node.outputs[0], {tensor: keep(tf.tensor1d(shapeSlice(ins[0].shape, attrs), 'int32'))});
      folded++;
      continue;
    }
    if (allConst) {
      let outs: tf.Tensor[];
      try {
        outs = tf.tidy(() => op.run(ins.map((v) => v?.tensor ?? null), attrs, ctx));
      } catch (e) {
        // a node of constants that cannot be computed (wrong ranks, shapes, values): the graph is wrong
        throw new ConversionError('BAD_GRAPH', file, `node '${node.name}' (${node.opType}) on its constant inputs ` +
            `[${ins.map((v) => (v?.tensor == null ? '-' : `[${v.tensor.shape}] ${v.tensor.dtype}`)).join(', ')}]: ${(e as Error).message}`);
      }
      if (outs.every((t) => t.size <= FOLD_MAX_ELEMENTS)) {
        outs.forEach((t, k) => { if (node.outputs[k]) values.set(node.outputs[k], {tensor: keep(t), saturated: satIn}); else t.dispose(); });
        folded++;
        continue;
      }
      tf.dispose(outs);
    }
    for (const o of node.outputs) if (o !== '') values.set(o, {});
    pending.push({node, attrs, opType: node.opType, inputs: node.inputs.map((n) => (n === '' ? null : n))});
  }

  // outputs that are missing
  for (const o of model.outputs) {
    if (!values.has(o)) throw new ConversionError('BAD_GRAPH', file, `graph output '${o}' is produced by no node, initializer or input`);
  }

  // keep only what the outputs need
  const needed = new Set<string>(model.outputs);
  const live: Pending[] = [];
  for (let i = pending.length - 1; i >= 0; i--) {
    const p = pending[i];
    if (!p.node.outputs.some((o) => needed.has(o))) continue;
    live.unshift(p);
    for (const n of p.inputs) if (n != null) needed.add(n);
  }
  const dropped = pending.length - live.length;

  // emit the graph
  const names = new Names();
  const graphNodes: Array<Record<string, unknown>> = [];
  const weights: tf.NamedTensorMap = {};
  for (const i of inputs) {
    const node = names.take(i.name);
    graphNodes.push({name: node, op: 'Placeholder', attr: {dtype: {type: DT[i.dtype]}, shape: {shape: shapeProto(i.shape)}}});
    values.get(i.name)!.ref = `${node}:0`;
  }
  const refOf = (name: string): string => {
    const v = values.get(name);
    if (v == null || (v.ref == null && v.tensor == null)) {
      throw new ConversionError('BAD_GRAPH', file, `'${name}' is read before the node that produces it`);
    }
    if (v.ref == null) {
      // a constant read by a run-time node: a weight
      const node = names.take(`const/${name}`);
      const t = v.tensor!;
      graphNodes.push({name: node, op: 'Const', attr: {value: {tensor: {dtype: DT[t.dtype as TfDtype], tensorShape: shapeProto(t.shape)}},
        dtype: {type: DT[t.dtype as TfDtype]}}});
      weights[node] = t;
      v.ref = `${node}:0`;
    }
    return v.ref;
  };
  const ops: Record<string, number> = {};
  let grus = 0;
  for (const p of live) {
    const node = names.take(p.node.name || `${p.node.opType}_${p.node.index}`);
    const slots: number[] = [];
    const refs: string[] = [];
    p.inputs.forEach((n, slot) => { if (n != null) { slots.push(slot); refs.push(refOf(n)); } });
    const payload = encodePayload({attrs: p.attrs, slots, arity: p.inputs.length, outputs: p.node.outputs.length, opset, node: p.node.name});
    graphNodes.push({name: node, op: GRAPH_OP_PREFIX + p.opType, input: refs, attr: {[PAYLOAD_ATTR]: payload}});
    p.node.outputs.forEach((o, k) => { if (o !== '') values.get(o)!.ref = `${node}:${k}`; });
    const counted = p.opType === GRU_KERNEL_OP ? 'GRU' : p.opType;
    ops[counted] = (ops[counted] ?? 0) + 1;
    if (p.opType === GRU_KERNEL_OP) grus++;
  }
  const outputs: GraphTensorInfo[] = model.outputInfo.map((info) => graphInfo(info, file, 'output'));
  const signature = {inputs: {} as Record<string, unknown>, outputs: {} as Record<string, unknown>};
  for (const i of inputs) {
    signature.inputs[i.name] = {name: values.get(i.name)!.ref, dtype: DT[i.dtype], tensorShape: shapeProto(i.shape)};
  }
  for (const o of outputs) {
    const node = names.take(`output/${o.name}`);
    const src = refOf(o.name);
    const v = values.get(o.name)!;
    if (v.tensor != null) o.dtype = v.tensor.dtype as TfDtype;
    graphNodes.push({name: node, op: 'Identity', input: [src], attr: {T: {type: DT[o.dtype]}}});
    signature.outputs[o.name] = {name: `${node}:0`, dtype: DT[o.dtype], tensorShape: shapeProto(o.shape)};
  }

  const {data, specs} = await tf.io.encodeWeights(weights);
  const artifacts: tf.io.ModelArtifacts = {
    format: 'graph-model',
    generatedBy: `onnx ${model.producer || '(unknown producer)'}, opset ${opset}`,
    convertedBy: null,
    modelTopology: {node: graphNodes, library: {}, versions: {producer: 1}},
    weightSpecs: specs,
    weightData: data,
    signature,
    userDefinedMetadata: {
      onnx: {inputs: inputs.map((i) => i.name), outputs: outputs.map((o) => o.name), opset, producer: model.producer},
    },
  };
  return {artifacts, inputs, outputs, ops, folded, dropped, grus, weightBytes: data.byteLength};
}

function shapeProto(shape: number[] | null): Record<string, unknown> {
  if (shape == null) return {unknownRank: true};
  return {dim: shape.map((d) => ({size: String(d)}))};
}

function graphInfo(info: OnnxValueInfo, file: string, what: string): GraphTensorInfo {
  const dtype = tfDtype(info.dtype);
  if (dtype == null) {
    throw new ConversionError('UNSUPPORTED', file, `graph ${what} '${info.name}' is ${info.dtype}; tfjs computes float32, int32 and bool`);
  }
  return {name: info.name, dtype, shape: info.shape == null ? null : info.shape.map((d) => (typeof d === 'number' ? d : -1)),
    onnxShape: info.shape, onnxDtype: info.dtype};
}

/** A GRU node with constant W, R, B → the kernel-layout node (see ops/gru.ts). */
function rewriteGru(node: OnnxNode, attrs: Attrs, ins: Array<Value | null>, keep: <T extends tf.Tensor>(t: T) => T, file: string):
    {kernelInputs: string[]; kernelTensors: tf.Tensor[]; inputs: Array<string | null>} {
  const [, W, R, B] = ins;
  if (W?.tensor == null || R?.tensor == null) {
    throw new ConversionError('UNSUPPORTED', file, `GRU node '${node.name}': W and R must be constant tensors (initializers or Constant nodes)`);
  }
  const dirs = (attrs.direction === 'bidirectional') ? 2 : 1;
  const lbr = attrs.linear_before_reset === 1;
  const w = W!.tensor!;
  const r = R!.tensor!;
  const units = r.shape[2]!;
  if (w.rank !== 3 || r.rank !== 3 || w.shape[0] !== dirs || r.shape[0] !== dirs || w.shape[1] !== 3 * units || r.shape[1] !== 3 * units) {
    throw new ConversionError('UNSUPPORTED', file, `GRU node '${node.name}': W [${w.shape}] and R [${r.shape}] do not fit ` +
        `${dirs} direction(s) of [3U, D] and [3U, U]`);
  }
  if (typeof attrs.hidden_size === 'number' && attrs.hidden_size !== units) {
    throw new ConversionError('UNSUPPORTED', file, `GRU node '${node.name}': hidden_size ${attrs.hidden_size} but R is [${r.shape}]`);
  }
  const kernelTensors: tf.Tensor[] = [];
  const kernelInputs: string[] = [];
  const b0 = B?.tensor ?? null;
  if (b0 != null && (b0.rank !== 2 || b0.shape[0] !== dirs || b0.shape[1] !== 6 * units)) {
    throw new ConversionError('BAD_GRAPH', file, `GRU node '${node.name}': B is [${b0.shape}], expected [${dirs}, ${6 * units}] ` +
        `(num_directions, 6·hidden_size)`);
  }
  for (let k = 0; k < dirs; k++) {
    let parts: tf.Tensor[];
    try {
      parts = tf.tidy(() => gruKernelParts(tf.gather(w, k, 0), tf.gather(r, k, 0), b0 == null ? null : tf.gather(b0, k, 0), lbr));
    } catch (e) {
      throw new ConversionError('BAD_GRAPH', file, `GRU node '${node.name}': its weights do not form a GRU: ${(e as Error).message}`);
    }
    parts.forEach((t, j) => {
      kernelInputs.push(`${node.name || node.outputs[0]}#kernel${k}.${j}`);
      kernelTensors.push(keep(t));
    });
  }
  return {kernelInputs, kernelTensors,
    inputs: [node.inputs[0], node.inputs[4] || null, node.inputs[5] || null, ...kernelInputs] as Array<string | null>};
}
