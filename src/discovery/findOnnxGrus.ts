/**
 * GRU discovery in an ONNX graph: every `GRU` node (ai.onnx domain) with its weights
 * W [dirs, 3U, D], R [dirs, 3U, U], B [dirs, 6U] from constants (initializers or
 * Constant nodes), its attributes checked against what tfjs computes exactly
 * (linear_before_reset 0 → layout 'onnx', 1 → 'onnx-lbr'; direction forward / reverse
 * / bidirectional; layout 0 / 1; activations Sigmoid, Tanh only; no clip; no
 * sequence_lens; initial_h absent or zeros), stacked when one node's X is the previous
 * node's Y reshaped to a sequence by the Transpose / Reshape / Squeeze nodes
 * exporters put between them (torch.onnx.export writes Transpose(0, 2, 1, 3) +
 * Reshape(0, 0, -1), or Squeeze(1) when unidirectional), and the `MatMul` (+ `Add`)
 * that applies a constant [F, K] matrix (+ [K] bias) to the top node's sequence as
 * the Dense layer. Everything after that is left out, and said so in `notes`.
 */
import {OnnxModel, OnnxNode} from '../io/onnx/model';
import {TensorProto} from '../io/onnx/protos';
import {decodeTensor} from '../io/onnx/tensors';
import {SourceVariable} from '../io/tensorSource';
import {assembleStack} from './gruStack';
import {Discovery, FoundDense, FoundGru, GruStack, IgnoredVariable} from './findGrus';

/**
 * What {@link findOnnxGrus} found, with notes on the parts of the graph the conversion leaves out.
 * @category Conversion
 */
export interface OnnxDiscovery extends Discovery {
  notes: string[];
}

const LAYOUT_OPS = new Set(['Transpose', 'Reshape', 'Squeeze', 'Identity']);

/** A value as a labelled sequence: axes T (time), B (batch), D (direction), U (units) or F (features). */
interface Seq { gru: OnnxNode; axes: string[] }

function ints(model: OnnxModel, name: string): number[] | null {
  if (!model.has(name)) return null;
  try {
    const v = model.readValues(name);
    return Array.from(v.values as ArrayLike<number>);
  } catch {
    return null;
  }
}

function attrInts(n: OnnxNode, key: string): number[] | null {
  const a = n.attributes[key];
  return Array.isArray(a) && a.every((x) => typeof x === 'number') ? a as number[] : null;
}

/** What `value` is in terms of a GRU node's Y (through layout-only ops), or null. */
function traceSeq(model: OnnxModel, value: string, dirsOf: (n: OnnxNode) => number, depth = 0): Seq | null {
  if (depth > 16) return null;
  const p = model.producer_of(value);
  if (p == null || p.domain !== '') return null;
  if (p.opType === 'GRU') {
    if (p.outputs[0] !== value) return null;  // Y_h is not a sequence
    return {gru: p, axes: (p.attributes.layout ?? 0) === 1 ? ['B', 'T', 'D', 'U'] : ['T', 'D', 'B', 'U']};
  }
  if (!LAYOUT_OPS.has(p.opType)) return null;
  const s = traceSeq(model, p.inputs[0], dirsOf, depth + 1);
  if (s == null) return null;
  switch (p.opType) {
    case 'Identity': return s;
    case 'Transpose': {
      const perm = attrInts(p, 'perm') ?? s.axes.map((_, i) => s.axes.length - 1 - i);
      if (perm.length !== s.axes.length || !perm.every((x, i) => perm.indexOf(x) === i && x >= 0 && x < s.axes.length)) return null;
      return {gru: s.gru, axes: perm.map((i) => s.axes[i])};
    }
    case 'Squeeze': {
      const axes = attrInts(p, 'axes') ?? (p.inputs[1] ? ints(model, p.inputs[1]) : null);
      if (axes == null || axes.length !== 1) return null;
      const ax = axes[0] < 0 ? axes[0] + s.axes.length : axes[0];
      if (s.axes[ax] !== 'D' || dirsOf(s.gru) !== 1) return null;
      return {gru: s.gru, axes: s.axes.filter((_, i) => i !== ax).map((a) => (a === 'U' ? 'F' : a))};
    }
    case 'Reshape': {
      // merging the last two axes D, U into F: shape [0 | n, 0 | n, -1 | dirs·U]
      const shape = p.inputs[1] ? ints(model, p.inputs[1]) : null;
      const n = s.axes.length;
      if (shape == null || n !== 4 || s.axes[2] !== 'D' || s.axes[3] !== 'U' || shape.length !== 3) return null;
      const r = model.variables.find((v) => v.name === s.gru.inputs[2]);
      const units = Number(s.gru.attributes.hidden_size ?? r?.shape[2] ?? 0);
      if (!(shape[2] === -1 || (units > 0 && shape[2] === dirsOf(s.gru) * units)) || shape[0] < 0 || shape[1] < 0) return null;
      return {gru: s.gru, axes: [s.axes[0], s.axes[1], 'F']};
    }
  }
  return null;
}

const DIRECTIONS: Record<string, number> = {forward: 1, reverse: 1, bidirectional: 2};

/**
 * Every GRU node of the graph, its stacks and Dense layer, and what the conversion leaves out.
 * @category Conversion
 */
export function findOnnxGrus(model: OnnxModel): OnnxDiscovery {
  const grusNodes = model.nodes.filter((n) => n.opType === 'GRU' && n.domain === '');
  const byName = new Map(model.variables.map((v) => [v.name, v]));
  const dirsOf = (n: OnnxNode) => DIRECTIONS[String(n.attributes.direction ?? 'forward')] ?? 0;
  const label = (n: OnnxNode) => (n.name !== '' ? n.name : `GRU#${n.index}`);
  const used = new Set<string>();
  const notes: string[] = [];

  interface Layer { node: OnnxNode; cells: FoundGru[]; problem?: string; prev: OnnxNode | null }
  const layers = new Map<OnnxNode, Layer>();
  for (const n of grusNodes) {
    const where = `GRU node '${label(n)}'`;
    let problem: string | undefined;
    const need = (ok: boolean, why: () => string) => { if (!ok && problem == null) problem = `${where}: ${why()}`; };
    const [x, wName, rName, bName, seqLens, h0] = [0, 1, 2, 3, 4, 5].map((i) => n.inputs[i] ?? '');
    const direction = String(n.attributes.direction ?? 'forward');
    const dirs = DIRECTIONS[direction];
    need(dirs != null, () => `direction ${JSON.stringify(direction)} is not forward, reverse or bidirectional`);
    const w = byName.get(wName);
    const r = byName.get(rName);
    const b = bName === '' ? undefined : byName.get(bName);
    need(w != null && r != null, () => `W ('${wName}') and R ('${rName}') must be constants (initializers or Constant nodes)`);
    need(bName === '' || b != null, () => `B ('${bName}') must be a constant`);
    const lbr = Number(n.attributes.linear_before_reset ?? 0);
    need(lbr === 0 || lbr === 1, () => `linear_before_reset ${lbr} is not 0 or 1`);
    const layout = Number(n.attributes.layout ?? 0);
    need(layout === 0 || layout === 1, () => `layout ${layout} is not 0 or 1`);
    const acts = n.attributes.activations;
    if (acts != null) {
      const a = Array.isArray(acts) ? acts.map(String) : [String(acts)];
      const ok = a.length === 2 * (dirs ?? 1) && a.every((s, i) => s === (i % 2 === 0 ? 'Sigmoid' : 'Tanh'));
      need(ok, () => `activations [${a.join(', ')}]: only Sigmoid (gates) and Tanh (candidate), ONNX's defaults, ` +
          'are converted; tfjs has no exact equivalent of the others\' ONNX parameterisations');
    }
    need(n.attributes.clip == null, () => `clip ${n.attributes.clip} is set: tfjs's GRU does not clip its cell inputs`);
    need(seqLens === '', () => `sequence_lens ('${seqLens}') is given: per-example lengths are not converted ` +
        '(mask the input in tfjs instead)');
    if (h0 !== '' && !initialStateIsZero(model, h0)) {
      need(false, () => `initial_h ('${h0}') is not zeros: the converted model starts from a zero state`);
    }
    let units = 0;
    let inputSize = 0;
    const attributeProblem = problem;
    problem = undefined;
    if (w != null && r != null && dirs != null) {
      const u = r.shape[2];
      units = u;
      inputSize = w.shape[2];
      need(w.shape.length === 3 && r.shape.length === 3 && u > 0 && w.shape[2] > 0 && isFloat(w) && isFloat(r),
          () => `W ${w.dtype} [${w.shape}] and R ${r.dtype} [${r.shape}] must be float [dirs, 3U, D] and [dirs, 3U, U]`);
      need(w.shape[0] === dirs && r.shape[0] === dirs && w.shape[1] === 3 * u && r.shape[1] === 3 * u, () =>
        `direction ${direction} needs W [${dirs}, 3U, D] and R [${dirs}, 3U, U]; found W [${w.shape}], R [${r.shape}]`);
      need(b == null || (isFloat(b) && b.shape.length === 2 && b.shape[0] === dirs && b.shape[1] === 6 * u),
          () => `B ${b!.dtype} [${b!.shape}] must be float [${dirs}, ${6 * u}]`);
      const hs = n.attributes.hidden_size;
      need(hs == null || hs === u, () => `hidden_size ${hs} but R [${r.shape}] has U = ${u}`);
    }
    // a node whose weights fit is listed with its cells even when an attribute makes it unconvertible
    const weightsFit = problem == null && w != null && r != null && dirs != null;
    problem = problem ?? attributeProblem;
    const cells: FoundGru[] = [];
    if (weightsFit) {
      const names = (i: number): FoundGru => ({
        scope: `${label(n)}${dirs === 2 ? (i === 0 ? ' [forward]' : ' [backward]') : ''}`, cellType: 'onnx.GRU',
        layout: lbr === 1 ? 'onnx-lbr' : 'onnx', resetAfter: lbr === 1, inputSize, units, stack: '', layer: -1,
        direction: dirs === 2 ? (i === 0 ? 'fw' : 'bw') : direction === 'reverse' ? 'reverse' : 'forward',
        variables: {W: wName, R: rName, ...(bName !== '' ? {B: bName} : {})}, directionIndex: i,
      });
      for (let i = 0; i < dirs!; i++) cells.push(names(i));
    }
    const prevSeq = traceSeq(model, x, dirsOf);
    const wantAxes = layout === 1 ? 'B,T,F' : 'T,B,F';
    const prev = prevSeq != null && prevSeq.axes.join(',') === wantAxes ? prevSeq.gru : null;
    if (prevSeq != null && prev == null) {
      notes.push(`${where} reads the output of '${label(prevSeq.gru)}' rearranged as [${prevSeq.axes.join(', ')}], not as its ` +
          `[${wantAxes.split(',').join(', ')}] input: taken as a separate stack`);
    }
    layers.set(n, {node: n, cells, problem, prev});
  }

  // chains of GRU nodes: each starts at a node whose X is no GRU's sequence
  const next = new Map<OnnxNode, OnnxNode[]>();
  for (const l of layers.values()) {
    if (l.prev != null) next.set(l.prev, [...(next.get(l.prev) ?? []), l.node]);
  }
  const stacks: GruStack[] = [];
  const grus: FoundGru[] = [];
  for (const l of layers.values()) {
    if (l.prev != null && layers.has(l.prev) && (next.get(l.prev)?.length ?? 0) === 1) continue;  // not a chain's start
    const chain: Layer[] = [l];
    for (;;) {
      const after = next.get(chain[chain.length - 1].node) ?? [];
      if (after.length !== 1) {
        if (after.length > 1) notes.push(`'${label(chain[chain.length - 1].node)}' feeds ${after.length} GRU nodes: each starts its own stack`);
        break;
      }
      chain.push(layers.get(after[0])!);
    }
    const name = label(l.node);
    const problem = chain.find((c) => c.problem != null)?.problem;
    for (const c of chain) for (const g of c.cells) g.stack = name;
    const stack = assembleStack(name, chain.map((c) => c.cells), null, problem);
    if (problem != null) stack.problemCode = 'UNSUPPORTED';
    if (problem == null) for (const c of chain) for (const g of c.cells) for (const v of Object.values(g.variables)) used.add(v);
    grus.push(...chain.flatMap((c) => c.cells));
    stacks.push(stack);
    if (problem == null) findDense(model, stack, chain[chain.length - 1].node, byName, used, dirsOf, notes);
  }

  const ignored: IgnoredVariable[] = [];
  const unexplained: SourceVariable[] = [];
  for (const v of model.variables) {
    if (used.has(v.name)) continue;
    if (!isFloat(v) || v.shape.length === 0 || (model.producer_of(v.name)?.opType === 'Constant' && v.shape.length <= 1 && v.shape[0] <= 8)) {
      ignored.push({name: v.name, reason: 'graph constant (shapes, indices, small values)'});
    } else {
      unexplained.push(v);
    }
  }
  return {grus, stacks, ignored, unexplained, notes};
}

function isFloat(v: SourceVariable): boolean {
  return v.dtype === 'float32' || v.dtype === 'float16' || v.dtype === 'bfloat16' || v.dtype === 'float64';
}

/** initial_h computed as zeros: a ConstantOfShape of 0 (its default), through Slice / Expand / Identity / Cast, or a zero constant. */
function initialStateIsZero(model: OnnxModel, value: string, depth = 0): boolean {
  if (depth > 8) return false;
  if (model.has(value)) {
    try {
      return Array.from(model.readValues(value).values as ArrayLike<number>).every((x) => x === 0);
    } catch {
      return false;
    }
  }
  const p = model.producer_of(value);
  if (p == null || p.domain !== '') return false;
  if (p.opType === 'ConstantOfShape') {
    const t = p.attributes.value;  // absent: a float 0
    if (t == null) return true;
    if (typeof t !== 'object' || Array.isArray(t)) return false;
    try {
      return Array.from(decodeTensor(t as TensorProto, model.file, `ConstantOfShape '${p.name}' value`).values as ArrayLike<number>)
          .every((x) => x === 0);
    } catch {
      return false;
    }
  }
  if (['Slice', 'Expand', 'Identity', 'Cast', 'Unsqueeze', 'Reshape'].includes(p.opType)) {
    return initialStateIsZero(model, p.inputs[0], depth + 1);
  }
  return false;
}

/** The MatMul(seq, const [F, K]) (+ Add const [K]) applied to `top`'s output sequence, if exactly one. */
function findDense(model: OnnxModel, stack: GruStack, top: OnnxNode, byName: Map<string, SourceVariable>, used: Set<string>,
                   dirsOf: (n: OnnxNode) => number, notes: string[]): void {
  const label = (n: OnnxNode) => (n.name !== '' ? n.name : `${n.opType}#${n.index}`);
  const fits: Array<{dense: FoundDense; end: string}> = [];
  for (const m of model.nodes) {
    if (m.opType !== 'MatMul' || m.domain !== '') continue;
    const s = traceSeq(model, m.inputs[0], dirsOf);
    const k = byName.get(m.inputs[1]);
    if (s == null || s.gru !== top || s.axes[2] !== 'F' || k == null || !isFloat(k) || k.shape.length !== 2 ||
        k.shape[0] !== stack.outputSize) continue;
    const add = model.consumers(m.outputs[0]).find((a) => a.opType === 'Add' && a.domain === '');
    const biasName = add?.inputs.find((i) => i !== m.outputs[0]);
    const bias = biasName != null ? byName.get(biasName) : undefined;
    const withBias = bias != null && isFloat(bias) && bias.shape.length === 1 && bias.shape[0] === k.shape[1] &&
        model.consumers(m.outputs[0]).length === 1;
    fits.push({dense: {scope: label(m), inputSize: k.shape[0], units: k.shape[1],
      variables: {kernel: k.name, bias: withBias ? bias!.name : null}}, end: withBias ? add!.outputs[0] : m.outputs[0]});
  }
  if (fits.length === 1) {
    const {dense, end} = fits[0];
    stack.dense = dense;
    used.add(dense.variables.kernel);
    if (dense.variables.bias != null) used.add(dense.variables.bias);
    const after = downstream(model, end);
    if (after.length > 0) notes.push(`the converted model ends at '${end}' (the Dense layer); left out after it: ${after.join(', ')}`);
  } else {
    if (fits.length > 1) notes.push(`${fits.length} MatMul nodes read the top GRU's sequence: none is taken as the Dense layer`);
    const after = downstream(model, top.outputs[0] ?? '');
    if (after.length > 0) notes.push(`the converted model ends at the top GRU's sequence; left out after it: ${after.join(', ')}`);
  }
}

/** The op types (with counts) of the nodes that read `value`, directly or not, layout-only ops skipped. */
function downstream(model: OnnxModel, value: string): string[] {
  const seen = new Set<OnnxNode>();
  const todo = [value];
  while (todo.length > 0) {
    for (const n of model.consumers(todo.pop()!)) {
      if (seen.has(n)) continue;
      seen.add(n);
      todo.push(...n.outputs.filter((o) => o !== ''));
    }
  }
  const counts = new Map<string, number>();
  for (const n of seen) if (!LAYOUT_OPS.has(n.opType)) counts.set(n.opType, (counts.get(n.opType) ?? 0) + 1);
  return [...counts].map(([op, c]) => (c > 1 ? `${op} ×${c}` : op));
}
