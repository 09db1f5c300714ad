import {GruFamily} from '../weights/layout';
import {LayoutName} from '../weights/layouts';

/**
 * Every layout explain can describe: those {@link convertWeights} converts, with
 * the same names ('onnx' / 'onnx-lbr' are one direction of an ONNX GRU node,
 * `linear_before_reset` 0 / 1), except 'keras-cudnn': its input kernel blocks
 * are reshaped, not sliced, so they have no slice expressions.
 * @category Explain
 */
export type ExplainLayoutName = Exclude<LayoutName, 'keras-cudnn'>;

/**
 * Part of one tensor: a fixed index or a half-open range `[from, to)` per
 * axis, the bounds written in D and U ('0', 'D', 'D+U', '2U'). An axis left
 * out is taken whole. `transpose`: the part is the transpose of the slice.
 * @category Explain
 */
export interface TensorSlice {
  tensor: string;
  at: Array<number|[string, string]>;
  transpose?: boolean;
  /** What this part of the tensor is called in its framework's docs, when that helps ('Wb', 'Rb'). */
  note?: string;
}

/** One explicit block (Wr, Ur, br, ...) as the sum of one or more tensor slices (ONNX's two reset-before biases add). */
export interface BlockMap {
  block: string;
  sources: TensorSlice[];
}

/** How one layout stores the explicit blocks of its family. */
export interface LayoutMap {
  name: ExplainLayoutName;
  family: GruFamily;
  /** Who writes or reads weights in this layout. */
  frameworks: string[];
  /** Each tensor and its shape in D and U. */
  tensors: Record<string, string>;
  /** What the layout calls the reset gate, the update gate and the candidate. */
  gateNames: {r: string, z: string, h: string};
  blocks: BlockMap[];
  notes: string[];
}

/** The explicit blocks of each family, with what they multiply or where they are added. */
export const FAMILY_BLOCKS: Record<GruFamily, Array<{block: string, gate: 'r'|'z'|'h', operand: string}>> = {
  'reset-before': [
    {block: 'Wr', gate: 'r', operand: 'x'}, {block: 'Wz', gate: 'z', operand: 'x'}, {block: 'Wh', gate: 'h', operand: 'x'},
    {block: 'Ur', gate: 'r', operand: 'h'}, {block: 'Uz', gate: 'z', operand: 'h'}, {block: 'Uh', gate: 'h', operand: 'r ⊙ h'},
    {block: 'br', gate: 'r', operand: 'bias'}, {block: 'bz', gate: 'z', operand: 'bias'}, {block: 'bh', gate: 'h', operand: 'bias'},
  ],
  'reset-after': [
    {block: 'Wr', gate: 'r', operand: 'x'}, {block: 'Wz', gate: 'z', operand: 'x'}, {block: 'Wh', gate: 'h', operand: 'x'},
    {block: 'Ur', gate: 'r', operand: 'h'}, {block: 'Uz', gate: 'z', operand: 'h'}, {block: 'Uh', gate: 'h', operand: 'h'},
    {block: 'bWr', gate: 'r', operand: 'bias on x·W'}, {block: 'bWz', gate: 'z', operand: 'bias on x·W'},
    {block: 'bWh', gate: 'h', operand: 'bias on x·W'}, {block: 'bUr', gate: 'r', operand: 'bias on h·U'},
    {block: 'bUz', gate: 'z', operand: 'bias on h·U'}, {block: 'bUh', gate: 'h', operand: 'bias on h·U (inside r ⊙ (…))'},
  ],
};

/** The textbook equations of each family, with {block} and {gate} placeholders. */
export const FAMILY_EQUATIONS: Record<GruFamily, string[]> = {
  'reset-before': [
    '{r} = σ(x·{Wr} + h·{Ur} + {br})',
    '{z} = σ(x·{Wz} + h·{Uz} + {bz})',
    '{h} = tanh(x·{Wh} + ({r} ⊙ h)·{Uh} + {bh})',
    'h\' = {z} ⊙ h + (1 − {z}) ⊙ {h}',
  ],
  'reset-after': [
    '{r} = σ(x·{Wr} + {bWr} + h·{Ur} + {bUr})',
    '{z} = σ(x·{Wz} + {bWz} + h·{Uz} + {bUz})',
    '{h} = tanh(x·{Wh} + {bWh} + {r} ⊙ (h·{Uh} + {bUh}))',
    'h\' = {z} ⊙ h + (1 − {z}) ⊙ {h}',
  ],
};

type R = [string, string];
const r = (from: string, to: string): R => [from, to];
const ALL: R = ['0', ''];  // '' = to the end of the axis

/** Three column blocks of width U in a given gate order, as ranges along one axis. */
function thirds(order: Array<'r'|'z'|'h'>): Record<'r'|'z'|'h', R> {
  const bounds = ['0', 'U', '2U', '3U'];
  const out = {} as Record<'r'|'z'|'h', R>;
  order.forEach((g, i) => out[g] = r(bounds[i], bounds[i + 1]));
  return out;
}

const TF1: LayoutMap = {
  name: 'tf1', family: 'reset-before',
  frameworks: ['TensorFlow 1.x tf.nn.rnn_cell.GRUCell (tf.compat.v1)', 'TF1 GRUBlockCell / GRUBlockCellV2',
               'tfjs-gru TF1GRU / TF1GRUCell'],
  tensors: {'gates/kernel': '[D+U, 2U]', 'gates/bias': '[2U]', 'candidate/kernel': '[D+U, U]', 'candidate/bias': '[U]'},
  gateNames: {r: 'r', z: 'u', h: 'c'},
  blocks: [
    {block: 'Wr', sources: [{tensor: 'gates/kernel', at: [r('0', 'D'), r('0', 'U')]}]},
    {block: 'Wz', sources: [{tensor: 'gates/kernel', at: [r('0', 'D'), r('U', '2U')]}]},
    {block: 'Wh', sources: [{tensor: 'candidate/kernel', at: [r('0', 'D'), ALL]}]},
    {block: 'Ur', sources: [{tensor: 'gates/kernel', at: [r('D', 'D+U'), r('0', 'U')]}]},
    {block: 'Uz', sources: [{tensor: 'gates/kernel', at: [r('D', 'D+U'), r('U', '2U')]}]},
    {block: 'Uh', sources: [{tensor: 'candidate/kernel', at: [r('D', 'D+U'), ALL]}]},
    {block: 'br', sources: [{tensor: 'gates/bias', at: [r('0', 'U')]}]},
    {block: 'bz', sources: [{tensor: 'gates/bias', at: [r('U', '2U')]}]},
    {block: 'bh', sources: [{tensor: 'candidate/bias', at: [ALL]}]},
  ],
  notes: [
    'TF1\'s u is the update gate Keras calls z; its candidate c is Keras\'s h̃.',
    'Names by TF generation: 0.x GRUCell/Gates/Linear/Matrix|Bias, GRUCell/Candidate/Linear/Matrix|Bias; ' +
        '1.0–1.1 gru_cell/gates/weights|biases, gru_cell/candidate/weights|biases; 1.2+ gru_cell/gates/kernel|bias, ' +
        'gru_cell/candidate/kernel|bias.',
    'gates/bias starts at 1.0 (bias_start), candidate/bias at 0.0; a TF 1.2+ bias_initializer sets both.',
  ],
};

function kerasBlocks(resetAfter: boolean): BlockMap[] {
  const c = thirds(['z', 'r', 'h']);
  const blocks: BlockMap[] = (['r', 'z', 'h'] as const).flatMap((g) => [
    {block: `W${g}`, sources: [{tensor: 'kernel', at: [ALL, c[g]]}]},
    {block: `U${g}`, sources: [{tensor: 'recurrent_kernel', at: [ALL, c[g]]}]},
  ]);
  const order = (name: string) => ['Wr', 'Wz', 'Wh', 'Ur', 'Uz', 'Uh'].indexOf(name);
  blocks.sort((a, b) => order(a.block) - order(b.block));
  if (resetAfter) {
    for (const g of ['r', 'z', 'h'] as const) blocks.push({block: `bW${g}`, sources: [{tensor: 'bias', at: [0, c[g]]}]});
    for (const g of ['r', 'z', 'h'] as const) blocks.push({block: `bU${g}`, sources: [{tensor: 'bias', at: [1, c[g]]}]});
  } else {
    for (const g of ['r', 'z', 'h'] as const) blocks.push({block: `b${g}`, sources: [{tensor: 'bias', at: [c[g]]}]});
  }
  return blocks;
}

const KERAS: LayoutMap = {
  name: 'keras', family: 'reset-before',
  frameworks: ['Keras GRU(reset_after=False) (tf.keras, Keras 3)', 'tfjs tf.layers.gru (weights gru/kernel, ' +
               'gru/recurrent_kernel, gru/bias)', 'tfjs-gru gru({resetAfter: false})'],
  tensors: {kernel: '[D, 3U]', recurrent_kernel: '[U, 3U]', bias: '[3U]'},
  gateNames: {r: 'r', z: 'z', h: 'h̃'},
  blocks: kerasBlocks(false),
  notes: [
    'tfjs\'s tf.layers.gru defaults to recurrentActivation \'hardSigmoid\' (0.2x + 0.5, clipped): pass ' +
        'recurrentActivation: \'sigmoid\' to compute what Keras computes.',
    'Keras legacy H5 names: gru/gru_cell/kernel:0 (tf.keras ≥ 2.2), gru/kernel:0 before; Keras 3 .keras: ' +
        'layers/gru/cell/vars/0..2.',
  ],
};

const KERAS_RA: LayoutMap = {
  name: 'keras-reset-after', family: 'reset-after',
  frameworks: ['Keras GRU(reset_after=True), the default of Keras 2 and 3 (CuDNN-compatible)',
               'tfjs-gru gru() / KerasGRU (tf.layers.gru refuses resetAfter: true)'],
  tensors: {kernel: '[D, 3U]', recurrent_kernel: '[U, 3U]', bias: '[2, 3U]'},
  gateNames: {r: 'r', z: 'z', h: 'h̃'},
  blocks: kerasBlocks(true),
  notes: ['bias row 0 is added to x·kernel, row 1 to h·recurrent_kernel; the reset gate multiplies row 1\'s h̃ part too.',
          'Keras CuDNNGRU (TF 1.x) stores the same numbers with bias (6U,) = [row 0 | row 1].'],
};

const PYTORCH: LayoutMap = {
  name: 'pytorch', family: 'reset-after',
  frameworks: ['PyTorch torch.nn.GRU (layer 0; _reverse for the backward direction, l{k} for layer k)'],
  tensors: {weight_ih_l0: '[3U, D]', weight_hh_l0: '[3U, U]', bias_ih_l0: '[3U]', bias_hh_l0: '[3U]'},
  gateNames: {r: 'r', z: 'z', h: 'n'},
  blocks: (() => {
    const c = thirds(['r', 'z', 'h']);
    const g3 = ['r', 'z', 'h'] as const;
    return [
      ...g3.map((g) => ({block: `W${g}`, sources: [{tensor: 'weight_ih_l0', at: [c[g], ALL], transpose: true}]})),
      ...g3.map((g) => ({block: `U${g}`, sources: [{tensor: 'weight_hh_l0', at: [c[g], ALL], transpose: true}]})),
      ...g3.map((g) => ({block: `bW${g}`, sources: [{tensor: 'bias_ih_l0', at: [c[g]]}]})),
      ...g3.map((g) => ({block: `bU${g}`, sources: [{tensor: 'bias_hh_l0', at: [c[g]]}]})),
    ];
  })(),
  notes: ['PyTorch multiplies W·x (weights [out, in]): each block is the transpose of a row band.',
          'nn.GRU is always reset-after; PyTorch has no reset-before GRU.'],
};

function onnx(resetAfter: boolean): LayoutMap {
  const c = thirds(['z', 'r', 'h']);
  const rb: Record<'r'|'z'|'h', R> = {z: r('3U', '4U'), r: r('4U', '5U'), h: r('5U', '6U')};
  const g3 = ['r', 'z', 'h'] as const;
  const w = (g: 'r'|'z'|'h', tensor: string) => ({tensor, at: [c[g], ALL], transpose: true});
  const biases: BlockMap[] = resetAfter ?
      [...g3.map((g) => ({block: `bW${g}`, sources: [{tensor: 'B', at: [c[g]], note: `Wb${g}`}]})),
       ...g3.map((g) => ({block: `bU${g}`, sources: [{tensor: 'B', at: [rb[g]], note: `Rb${g}`}]}))] :
      g3.map((g) => ({block: `b${g}`, sources: [{tensor: 'B', at: [c[g]], note: `Wb${g}`}, {tensor: 'B', at: [rb[g]], note: `Rb${g}`}]}));
  return {
    name: resetAfter ? 'onnx-lbr' : 'onnx', family: resetAfter ? 'reset-after' : 'reset-before',
    frameworks: [`ONNX GRU operator, linear_before_reset=${resetAfter ? 1 : 0}: one direction of a node`],
    tensors: {W: '[3U, D]', R: '[3U, U]', B: '[6U]'},
    gateNames: {r: 'r', z: 'z', h: 'h̃'},
    blocks: [...g3.map((g) => ({block: `W${g}`, sources: [w(g, 'W')]})), ...g3.map((g) => ({block: `U${g}`, sources: [w(g, 'R')]})),
             ...biases],
    notes: [
      'A node stores W [dirs, 3U, D], R [dirs, 3U, U], B [dirs, 6U]: this is one direction (index 0 forward, 1 reverse). ' +
          'B = [Wb z|r|h, Rb z|r|h]. `tfjs-gru convert model.onnx` converts whole models.',
      ...(resetAfter ? [] : ['With linear_before_reset=0 ONNX adds Wb and Rb of each gate outside the reset product, so ' +
                             'each textbook bias is their sum: from another layout, put it in Wb and zeros in Rb.']),
    ],
  };
}

const UNFUSED: LayoutMap = {
  name: 'unfused', family: 'reset-before',
  frameworks: ['the textbook GRU with explicit Wr, Wz, Wh, Ur, Uz, Uh, br, bz, bh (tfjs-gru unfusedGru)'],
  tensors: {Wr: '[D, U]', Wz: '[D, U]', Wh: '[D, U]', Ur: '[U, U]', Uz: '[U, U]', Uh: '[U, U]', br: '[U]', bz: '[U]', bh: '[U]'},
  gateNames: {r: 'r', z: 'z', h: 'h̃'},
  blocks: FAMILY_BLOCKS['reset-before'].map(({block}) => ({block, sources: [{tensor: block, at: []}]})),
  notes: [],
};

const UNFUSED_RA: LayoutMap = {
  name: 'unfused-reset-after', family: 'reset-after',
  frameworks: ['the textbook reset-after GRU with explicit matrices and two biases per gate (tfjs-gru unfusedResetAfterGru)'],
  tensors: Object.fromEntries(FAMILY_BLOCKS['reset-after'].map(({block}) => [block, block.startsWith('b') ? '[U]' :
                                                                  block.startsWith('W') ? '[D, U]' : '[U, U]'])),
  gateNames: {r: 'r', z: 'z', h: 'h̃'},
  blocks: FAMILY_BLOCKS['reset-after'].map(({block}) => ({block, sources: [{tensor: block, at: []}]})),
  notes: [],
};

/** Every layout explain knows, by name, in the order it lists them. */
export const LAYOUT_MAPS: Record<ExplainLayoutName, LayoutMap> = {
  'tf1': TF1, 'keras': KERAS, 'onnx': onnx(false), 'unfused': UNFUSED,
  'keras-reset-after': KERAS_RA, 'pytorch': PYTORCH, 'onnx-lbr': onnx(true), 'unfused-reset-after': UNFUSED_RA,
};

/**
 * Every {@link ExplainLayoutName}, in the order explain lists them.
 * @category Explain
 */
export const EXPLAIN_LAYOUT_NAMES = Object.keys(LAYOUT_MAPS) as ExplainLayoutName[];

/** The map of a layout name; throws naming the known ones. */
export function layoutMap(name: string, argName = 'layout'): LayoutMap {
  const m = (LAYOUT_MAPS as Record<string, LayoutMap>)[name];
  if (m == null) {
    throw new Error(`${argName}: unknown layout ${JSON.stringify(name)}; expected one of ${EXPLAIN_LAYOUT_NAMES.join(', ')}`);
  }
  return m;
}

/** Evaluates a bound written in D and U ('D+U', '2U', '0'). */
export function evalDim(expr: string, d: number, u: number): number {
  let total = 0;
  for (const term of expr.replace(/\s+/g, '').split('+')) {
    const m = /^(\d*)([DU]?)$/.exec(term);
    if (m == null || (m[1] === '' && m[2] === '')) throw new Error(`evalDim: cannot read '${expr}'`);
    const k = m[1] === '' ? 1 : Number(m[1]);
    total += m[2] === 'D' ? k * d : m[2] === 'U' ? k * u : k;
  }
  return total;
}

/** The axes of a shape string '[D+U, 2U]'. */
export function shapeAxes(shape: string): string[] {
  return shape.replace(/^\[|\]$/g, '').split(',').map((s) => s.trim());
}
