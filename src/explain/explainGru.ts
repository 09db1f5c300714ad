import * as tf from '@tensorflow/tfjs';

import {getActivation} from '../math/activations';
import {gruSequence} from '../math/gruSequence';
import {unfusedGru} from '../unfused/unfusedGru';
import {unfusedResetAfterGru} from '../unfused/unfusedResetAfterGru';
import {toKernelWeights} from '../weights/convert';
import {GruFamily, WeightMap} from '../weights/layout';
import {getLayout, LayoutName} from '../weights/layouts';
import {ExplicitGruWeights, ExplicitResetAfterGruWeights} from '../weights/unfusedLayout';
import {validateWeights} from '../weights/validate';
import {evalDim, ExplainLayoutName, FAMILY_BLOCKS, FAMILY_EQUATIONS, LAYOUT_MAPS, layoutMap, LayoutMap, shapeAxes,
        TensorSlice} from './layoutMaps';

/**
 * Arguments of {@link explainGru}.
 * @category Explain
 */
export interface ExplainGruOptions {
  /** D, the input features. Inferred from `weights` when they are given. */
  inputSize?: number;
  /** U, the units. Inferred from `weights` when they are given. */
  units?: number;
  /** The layout to explain (default 'tf1', the seed question's GRUCell); the layout of `weights`. */
  layout?: ExplainLayoutName;
  /** Real weights in `layout`: adds each block's numbers and the recombination check. */
  weights?: WeightMap;
  /** Show only this layout next to `layout` (a layout of the other family is explained as having no equivalent). */
  to?: ExplainLayoutName;
  /** A name for the GRU (the layer's name in a model). */
  name?: string;
  /** The candidate activation (default 'tanh'), used by the check. */
  activation?: string;
  /** The gate activation (default 'sigmoid'), used by the check. */
  recurrentActivation?: string;
  /** Seed of the check's random input (default 1). */
  seed?: number;
}

/**
 * Summary numbers of a tensor or block.
 * @category Explain
 */
export interface WeightStats {
  shape: number[];
  /** Euclidean (Frobenius) norm. */
  norm: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * A run of indices `[from, to)` along one axis of a fused tensor and what it holds.
 * @category Explain
 */
export interface AxisSegment {
  /** 0 = rows (first axis), 1 = columns, ... */
  axis: number;
  /** The bounds in D and U ('D', 'D+U'). */
  symbolic: [string, string];
  /** The bounds as numbers for this D and U. */
  range: [number, number];
  /** 'multiply x', 'u (update gate)', 'added to x·W', ... */
  meaning: string;
  /** The explicit blocks that lie in this run. */
  blocks: string[];
  /** The gate ('r', 'z', 'h') when the run is a gate's columns (rows when transposed), for coloring. */
  gate?: 'r'|'z'|'h';
}

/**
 * One tensor of a layout: its shape and the meaning of each run of its axes.
 * @category Explain
 */
export interface TensorView {
  name: string;
  /** Its shape in D and U ('[D+U, 2U]'). */
  shape: string;
  dims: number[];
  segments: AxisSegment[];
  /** With real weights. */
  stats?: WeightStats;
}

/**
 * One explicit block in one layout.
 * @category Explain
 */
export interface BlockView {
  /** Textbook name: Wr, Uz, bh, bWr, ... */
  block: string;
  /** Canonical gate: r reset, z update, h candidate. */
  gate: 'r'|'z'|'h';
  /** The layout's own name of that gate (TF1: u for z, c for h). */
  gateName: string;
  /** What it multiplies ('x', 'h', 'r ⊙ h') or where it is added ('bias', 'bias on x·W'). */
  operand: string;
  shape: number[];
  /** The slice of the layout's tensors, in D and U: 'gates/kernel[:D, :U]' (sums joined by ' + '). */
  expression: string;
  /** The same slice with numbers: 'gates/kernel[:3, :2]'. */
  numeric: string;
  /** The slices it is made of. */
  sources: ResolvedSlice[];
  /** With real weights. */
  stats?: WeightStats;
}

/**
 * A {@link TensorSlice} with its bounds evaluated: begin and size per axis of the tensor.
 * @category Explain
 */
export interface ResolvedSlice {
  tensor: string;
  begin: number[];
  size: number[];
  /** Axes taken at one index (dropped from the block). */
  indexAxes: number[];
  transpose: boolean;
  note?: string;
}

/**
 * One layout's view of the cell: tensors, blocks and equations.
 * @category Explain
 */
export interface LayoutView {
  layout: ExplainLayoutName;
  family: GruFamily;
  frameworks: string[];
  gateNames: {r: string, z: string, h: string};
  tensors: TensorView[];
  blocks: BlockView[];
  /** The family's equations written with this layout's slices. */
  equations: string[];
  notes: string[];
}

/**
 * A layout of the other family, and why it cannot hold this cell.
 * @category Explain
 */
export interface NoEquivalent {
  layout: ExplainLayoutName;
  family: GruFamily;
  frameworks: string[];
  reason: string;
}

/**
 * Recombining the explicit blocks gives the fused cell's output.
 * @category Explain
 */
export interface RecombinationCheck {
  /** Shape of the random input x [B, T, D] (the initial state is random too). */
  input: number[];
  /** max |textbook GRU on the blocks − fused layout's GRU|, over every output step. */
  maxAbsError: number;
  tolerance: number;
  pass: boolean;
  description: string;
}

/**
 * Everything explain says about one GRU: {@link explainGru}'s result, plain data (JSON-ready).
 * @category Explain
 */
export interface GruExplanation {
  name?: string;
  inputSize: number;
  units: number;
  family: GruFamily;
  activation: string;
  recurrentActivation: string;
  /** The family's equations with the textbook block names. */
  textbook: string[];
  /** The layout explained (the weights' layout). */
  explained: LayoutView;
  /** The same cell in the other layouts of its family. */
  equivalents: LayoutView[];
  /** The layouts of the other family, each with why it has no equivalent. */
  noEquivalent: NoEquivalent[];
  /** Why the other family has no equivalent (null when no layout of it is listed). */
  crossFamilyReason: string|null;
  /** With real weights: the recombination check. */
  check: RecombinationCheck|null;
}

const GATE_ROLE = {r: 'reset gate', z: 'update gate', h: 'candidate'};

const FAMILY_FORMULA: Record<GruFamily, string> = {
  'reset-before': 'h̃ = tanh(x·Wh + bh + (r ⊙ h)·Uh): the reset gate scales h before the candidate matmul',
  'reset-after': 'h̃ = tanh(x·Wh + bWh + r ⊙ (h·Uh + bUh)): the reset gate scales the candidate matmul\'s result',
};

function checkSize(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`explainGru: ${what} must be a whole number ≥ 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Resolves a slice's bounds for D and U against the tensor's shape. */
function resolve(s: TensorSlice, map: LayoutMap, d: number, u: number): {slice: ResolvedSlice, axes: Array<number|[string, string]>} {
  const full = shapeAxes(map.tensors[s.tensor]);
  const dims = full.map((a) => evalDim(a, d, u));
  const axes = full.map((a, i) => {
    const at = s.at[i];
    if (at === undefined) return ['0', a] as [string, string];
    if (typeof at === 'number') return at;
    return [at[0], at[1] === '' ? a : at[1]] as [string, string];
  });
  const begin = axes.map((a) => typeof a === 'number' ? a : evalDim(a[0], d, u));
  const size = axes.map((a, i) => typeof a === 'number' ? 1 : evalDim(a[1], d, u) - begin[i]);
  size.forEach((n, i) => {
    if (!(n >= 1) || begin[i] + n > dims[i]) throw new Error(`explain: bad slice of ${s.tensor} axis ${i}`);
  });
  const indexAxes = axes.flatMap((a, i) => typeof a === 'number' ? [i] : []);
  return {slice: {tensor: s.tensor, begin, size, indexAxes, transpose: !!s.transpose, note: s.note}, axes};
}

/** numpy-style text of a slice: start 0 and end = the whole axis are left out, trailing whole axes dropped. */
function sliceText(s: TensorSlice, map: LayoutMap, num: ((e: string) => string)|null): string {
  const full = shapeAxes(map.tensors[s.tensor]);
  const parts = full.map((a, i) => {
    const at = s.at[i];
    if (at === undefined) return ':';
    if (typeof at === 'number') return String(at);
    const to = at[1] === '' ? a : at[1];
    const from = at[0] === '0' ? '' : num ? num(at[0]) : at[0];
    return `${from}:${to === a ? '' : num ? num(to) : to}`;
  });
  while (parts.length && parts[parts.length - 1] === ':') parts.pop();
  return `${s.tensor}${parts.length ? `[${parts.join(', ')}]` : ''}${s.transpose ? 'ᵀ' : ''}`;
}

function blockShape(block: string, d: number, u: number): number[] {
  return block.startsWith('b') ? [u] : block.startsWith('W') ? [d, u] : [u, u];
}

function layoutView(map: LayoutMap, d: number, u: number): LayoutView {
  const num = (e: string) => String(evalDim(e, d, u));
  const info = new Map(FAMILY_BLOCKS[map.family].map((b) => [b.block, b]));
  const segments = new Map<string, AxisSegment[]>();
  for (const name of Object.keys(map.tensors)) segments.set(name, []);
  const addSegment = (tensor: string, seg: AxisSegment, block: string) => {
    const list = segments.get(tensor)!;
    const same = list.find((s) => s.axis === seg.axis && s.range[0] === seg.range[0] && s.range[1] === seg.range[1] &&
                                  s.meaning === seg.meaning);
    if (same) {
      if (!same.blocks.includes(block)) same.blocks.push(block);
    } else {
      list.push({...seg, blocks: [block]});
    }
  };

  const blocks: BlockView[] = map.blocks.map(({block, sources}) => {
    const b = info.get(block);
    if (b == null) throw new Error(`explain: layout ${map.name} maps unknown block ${block}`);
    const resolved = sources.map((s) => {
      const {slice, axes} = resolve(s, map, d, u);
      const ranges = axes.flatMap((a, i) => typeof a === 'number' ? [] : [i]);
      const [operandAxis, gateAxis] = ranges.length === 1 ? [-1, ranges[0]] :
          s.transpose ? [ranges[1], ranges[0]] : [ranges[0], ranges[1]];
      axes.forEach((a, i) => {
        const range: [number, number] = [slice.begin[i], slice.begin[i] + slice.size[i]];
        let meaning: string;
        let symbolic: [string, string];
        let gate: 'r'|'z'|'h'|undefined;
        if (typeof a === 'number') {
          symbolic = [String(a), String(a + 1)];
          meaning = b.operand.startsWith('bias on') ? `added to ${b.operand.slice('bias on '.length).replace(/ \(.*\)$/, '')}` : `index ${a}`;
        } else {
          symbolic = a;
          if (i === gateAxis) {
            gate = b.gate;
            meaning = `${s.note ? s.note + ': ' : ''}${map.gateNames[b.gate]} (${GATE_ROLE[b.gate]})`;
          } else if (i === operandAxis) {
            meaning = `multiply ${b.operand}`;
          } else {
            meaning = 'whole axis';
          }
        }
        addSegment(s.tensor, {axis: i, symbolic, range, meaning, blocks: [], gate}, block);
      });
      return slice;
    });
    return {
      block, gate: b.gate, gateName: map.gateNames[b.gate], operand: b.operand, shape: blockShape(block, d, u),
      expression: sources.map((s) => sliceText(s, map, null)).join(' + '),
      numeric: sources.map((s) => sliceText(s, map, num)).join(' + '),
      sources: resolved,
    };
  });

  const tensors: TensorView[] = Object.entries(map.tensors).map(([name, shape]) => ({
    name, shape, dims: shapeAxes(shape).map((a) => evalDim(a, d, u)),
    segments: segments.get(name)!.sort((a, b) => a.axis - b.axis || a.range[0] - b.range[0]),
  }));
  const byName = new Map(blocks.map((b) => [b.block, b]));
  const equations = FAMILY_EQUATIONS[map.family].map((eq) => eq.replace(/\{(\w+)\}/g, (_, key: string) => {
    if (key === 'r' || key === 'z' || key === 'h') return map.gateNames[key];
    const expr = byName.get(key)!.expression;
    return expr.includes(' + ') ? `(${expr})` : expr;
  }));
  return {
    layout: map.name, family: map.family, frameworks: map.frameworks, gateNames: map.gateNames, tensors, blocks,
    equations, notes: map.notes,
  };
}

/** Why a layout of one family cannot hold a cell of the other (`to` names the layouts in question). */
export function crossFamilyReason(from: LayoutMap, toFamily: GruFamily, to: string): string {
  return `'${from.name}' is the ${from.family} GRU, ${FAMILY_FORMULA[from.family]}; ${to} the ${toFamily} GRU, ${
      FAMILY_FORMULA[toFamily]}. These are different functions of x and h: no weights there compute what these ` +
      'compute, so there is nothing to convert to (convertWeights refuses; nothing is approximated).';
}

function noEquivalent(from: LayoutMap, to: LayoutMap): NoEquivalent {
  return {layout: to.name, family: to.family, frameworks: to.frameworks,
          reason: crossFamilyReason(from, to.family, `'${to.name}' is`)};
}

function stats(t: tf.Tensor): WeightStats {
  return tf.tidy(() => {
    const v = t.dataSync();
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < v.length; i++) {
      min = Math.min(min, v[i]);
      max = Math.max(max, v[i]);
      sum += v[i];
      sq += v[i] * v[i];
    }
    return {shape: t.shape.slice(), norm: Math.sqrt(sq), min, max, mean: v.length ? sum / v.length : 0};
  });
}

/**
 * The explicit blocks (Wr, Ur, br, …) of real weights in a layout view, as
 * new tensors the caller owns: each block is its slices of the layout's
 * tensors (transposed where marked, summed where a layout splits it; zeros
 * for an absent bias).
 * @category Explain
 */
export function explicitBlocks(view: LayoutView, weights: WeightMap): WeightMap {
  const out: WeightMap = {};
  for (const b of view.blocks) out[b.block] = extractBlock(b, weights);
  return out;
}

/** The block's numbers: its slices of the real tensors (transposed where marked), summed; zeros for an absent bias. */
function extractBlock(view: BlockView, weights: WeightMap): tf.Tensor {
  return tf.tidy(() => {
    const parts = view.sources.map((s) => {
      const t = weights[s.tensor];
      if (t == null) return tf.zeros(view.shape);
      let part = tf.slice(t, s.begin, s.size);
      if (s.indexAxes.length) part = tf.reshape(part, s.size.filter((_, i) => !s.indexAxes.includes(i)));
      return s.transpose ? tf.transpose(part) : part;
    });
    return parts.length === 1 ? parts[0] : tf.addN(parts);
  });
}

function recombinationCheck(
    view: LayoutView, weights: WeightMap, d: number, u: number, activation: string, recurrentActivation: string,
    seed: number): RecombinationCheck {
  const input: [number, number, number] = [2, 3, d];
  const tolerance = 1e-5;
  const maxAbsError = tf.tidy(() => {
    const x = tf.randomNormal(input, 0, 1, 'float32', seed) as tf.Tensor3D;
    const h0 = tf.randomNormal([2, u], 0, 1, 'float32', seed + 1) as tf.Tensor2D;
    const act = getActivation(activation, 'activation');
    const rec = getActivation(recurrentActivation, 'recurrentActivation');
    const explicit = explicitBlocks(view, weights);
    const textbook = view.family === 'reset-after' ?
        unfusedResetAfterGru(x, h0, explicit as unknown as ExplicitResetAfterGruWeights, {activation: act, recurrentActivation: rec}) :
        unfusedGru(x, h0, explicit as unknown as ExplicitGruWeights, {activation: act, recurrentActivation: rec});
    const {kernel, resetAfter} = toKernelWeights(weights, view.layout as LayoutName);
    const fused = gruSequence(x, h0, kernel, {resetAfter, activation: act, recurrentActivation: rec, returnSequences: true});
    return tf.max(tf.abs(tf.sub(textbook.outputs, fused.outputs!))).dataSync()[0];
  });
  return {
    input, maxAbsError, tolerance, pass: Number.isFinite(maxAbsError) && maxAbsError <= tolerance,
    description: `the textbook ${view.family} GRU on the explicit blocks above vs. the fused '${view.layout}' weights ` +
        `through the sequence kernel, on a random x [${input.join(', ')}] and h0 [2, ${u}]`,
  };
}

/**
 * Where a GRU's weights are: for sizes D and U (or real weights) in one
 * layout, each fused tensor's shape and what each run of its rows and columns
 * holds (which rows multiply x and which h or r ⊙ h; which columns are r, z/u
 * and the candidate), each textbook block (Wr, Ur, br, …) as a slice of them,
 * the equations written with those slices, the same cell in every other
 * layout of its family, and why the other family's layouts have no equivalent.
 *
 * With `weights`: each block's and tensor's norm, min, max and mean, and a
 * check that the textbook GRU on the blocks reproduces the fused weights'
 * output on a random input. Browser-safe (no Node modules), tidy (no tensor
 * outlives the call), returns plain data.
 *
 * ```ts
 * const e = explainGru({inputSize: 3, units: 2});              // TF1 GRUCell
 * e.explained.blocks.find((b) => b.block === 'Wr')!.expression  // 'gates/kernel[:D, :U]'
 * ```
 * @category Explain
 */
export function explainGru(options: ExplainGruOptions): GruExplanation {
  const map = layoutMap(options.layout ?? 'tf1', 'explainGru: layout');
  const target = options.to == null ? null : layoutMap(options.to, 'explainGru: to');
  let d: number;
  let u: number;
  if (options.weights != null) {
    const size = validateWeights(options.weights, getLayout(map.name), 'explainGru');
    for (const [key, got] of [['inputSize', size.inputSize], ['units', size.units]] as const) {
      if (options[key] != null && options[key] !== got) {
        throw new Error(`explainGru: ${key} is ${options[key]} but the weights have ${got}`);
      }
    }
    [d, u] = [size.inputSize, size.units];
  } else {
    d = checkSize(options.inputSize, 'inputSize (D)');
    u = checkSize(options.units, 'units (U)');
  }
  const activation = options.activation ?? 'tanh';
  const recurrentActivation = options.recurrentActivation ?? 'sigmoid';
  getActivation(activation, 'explainGru: activation');
  getActivation(recurrentActivation, 'explainGru: recurrentActivation');

  const explained = layoutView(map, d, u);
  const others = Object.values(LAYOUT_MAPS).filter((m) => m.name !== map.name && (target == null || m.name === target.name));
  const equivalents = others.filter((m) => m.family === map.family).map((m) => layoutView(m, d, u));
  const none = others.filter((m) => m.family !== map.family).map((m) => noEquivalent(map, m));

  let check: RecombinationCheck|null = null;
  if (options.weights != null) {
    const w = options.weights;
    for (const t of explained.tensors) if (w[t.name] != null) t.stats = stats(w[t.name]);
    for (const b of explained.blocks) {
      const block = extractBlock(b, w);
      b.stats = stats(block);
      block.dispose();
    }
    check = recombinationCheck(explained, w, d, u, activation, recurrentActivation, options.seed ?? 1);
  }
  const textbook = FAMILY_EQUATIONS[map.family].map((eq) => eq.replace(/\{(\w+)\}/g, (_, k: string) => k === 'h' ? 'h̃' : k));
  return {
    name: options.name, inputSize: d, units: u, family: map.family, activation, recurrentActivation, textbook,
    explained, equivalents, noEquivalent: none, check,
    crossFamilyReason: none.length === 0 ? null :
        crossFamilyReason(map, none[0].family, `${none.map((n) => `'${n.layout}'`).join(', ')} ${none.length > 1 ? 'are' : 'is'}`),
  };
}
