/**
 * GRU discovery in a TensorFlow checkpoint: every GRU cell, whatever TensorFlow
 * generation or API named it, identified by the shapes of its variables and the
 * scope structure around them (never by the last name alone), placed in its stack
 * (layer index, direction), plus the Dense layer after the stack, the optimizer and
 * bookkeeping variables that are ignored, and whatever is left unexplained.
 *
 * Works on the variable list alone (names, dtypes, shapes): no tensor data is read,
 * except a TF2 checkpoint's object graph, which gives optimizer slots and readable paths.
 */
import {Checkpoint} from '../io/checkpoint/checkpoint';
import {CheckpointVariable, OBJECT_GRAPH_KEY} from '../io/checkpoint/bundle';
import {SourceVariable} from '../io/tensorSource';

/**
 * Which TensorFlow / Keras cell a found GRU's variables come from.
 * @category Conversion
 */
export type GruCellType = 'GRUCell' | 'GRUBlockCell' | 'CudnnCompatibleGRUCell' | 'keras.GRU' | 'keras.CuDNNGRU'
    | 'torch.nn.GRU' | 'onnx.GRU';

/**
 * The weight layout of a found cell (the names of src/weights where one exists).
 * @category Conversion
 */
export type FoundLayout = 'tf1' | 'cudnn-compatible' | 'keras' | 'keras-reset-after' | 'keras-cudnn'
    | 'pytorch' | 'onnx' | 'onnx-lbr';

/** 'forward' for a unidirectional layer; 'fw' / 'bw' for the halves of a bidirectional one;
 * 'reverse' for a unidirectional layer that runs last step to first (ONNX direction 'reverse'), its outputs in input order.
 * @category Conversion
 */
export type Direction = 'forward' | 'fw' | 'bw' | 'reverse';

/**
 * One GRU cell found in a checkpoint: its type, layout, sizes, place in its stack and variables.
 * @category Conversion
 */
export interface FoundGru {
  /** The cell's scope (its variables' common prefix), e.g. `rnn/multi_rnn_cell/cell_1/gru_cell`. */
  scope: string;
  cellType: GruCellType;
  layout: FoundLayout;
  /** Which TF generation's names (GRUCell): 'tf0.x' | 'tf1.0-1.1' | 'tf1.2+'. */
  naming?: string;
  resetAfter: boolean;
  inputSize: number;
  units: number;
  /** The stack it belongs to (see {@link GruStack.name}). */
  stack: string;
  /** 0-based layer index within its stack. */
  layer: number;
  /** 'forward' for a unidirectional layer; 'fw' / 'bw' for the two halves of a bidirectional one. */
  direction: Direction;
  /** role → checkpoint key. Roles: tf1: gates_kernel, gates_bias, candidate_kernel, candidate_bias;
   * cudnn-compatible: gates_kernel, gates_bias, input_kernel, input_bias, hidden_kernel, hidden_bias;
   * keras*: kernel, recurrent_kernel, bias; pytorch: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (biases
   * absent with bias=False); onnx*: W, R, B (B absent when the node has none). */
  variables: Record<string, string>;
  /** When the cell's tensors hold several directions (ONNX W [dirs, 3U, D]): the cell's index on their first axis. */
  directionIndex?: number;
  /** GRUBlockCell whose kernels were stored under each other's names (assigned by shape). */
  swappedKernelNames?: boolean;
}

/**
 * The Dense layer found after a GRU stack: its scope, sizes and variables (bias null when it has none).
 * @category Conversion
 */
export interface FoundDense {
  scope: string;
  inputSize: number;
  units: number;
  variables: {kernel: string; bias: string | null};
  /** true when the kernel is stored [units, inputSize] (PyTorch nn.Linear's weight, ONNX Gemm transB=1): transpose it. */
  transposedKernel?: boolean;
}

/**
 * One layer of a GRU stack: a single cell, or a bidirectional fw/bw pair.
 * @category Conversion
 */
export interface GruLayer {
  index: number;
  bidirectional: boolean;
  /** fw (or forward) first, then bw. */
  cells: FoundGru[];
  inputSize: number;
  outputSize: number;
}

/**
 * GRU layers stacked under one container scope, in order, with the Dense layer after them if any.
 * @category Conversion
 */
export interface GruStack {
  /** The container scope, e.g. `rnn/multi_rnn_cell`, `encoder/bidirectional_rnn`, `model`. */
  name: string;
  layers: GruLayer[];
  inputSize: number;
  outputSize: number;
  dense: FoundDense | null;
  /** Set when the stack cannot be converted to a layer sequence, saying why. */
  problem?: string;
  /** The ConversionError code of `problem`: 'UNSUPPORTED' for a GRU recognised but not convertible exactly
   * (an activation tfjs lacks, clip, sequence_lens); 'AMBIGUOUS' (the default) for a stack that is not one model. */
  problemCode?: 'AMBIGUOUS' | 'UNSUPPORTED';
}

/**
 * A variable set aside as not part of the model (optimizer slot, bookkeeping, object graph) and why.
 * @category Conversion
 */
export interface IgnoredVariable { name: string; reason: string }

/**
 * What {@link findGrus} found in a checkpoint: the GRU cells, their stacks, the ignored and the unexplained variables.
 * @category Conversion
 */
export interface Discovery {
  grus: FoundGru[];
  stacks: GruStack[];
  ignored: IgnoredVariable[];
  /** Variables that are neither a GRU's, the Dense layer's, nor known bookkeeping. */
  unexplained: SourceVariable[];
}

const TF2_SUFFIX = '/.ATTRIBUTES/VARIABLE_VALUE';
const TF1_SLOT_NAMES = /^(Adam|Adam_\d+|Momentum|RMSProp|RMSProp_\d+|Adagrad|Adadelta|Adadelta_\d+|Ftrl|Ftrl_\d+|Nadam|Nadam_\d+|AdamW|AdamW_\d+|ExponentialMovingAverage|accumulator|gradient_accumulator|Momentum_\d+)$/;
const BOOKKEEPING = /^(global_step|beta1_power|beta2_power|beta\d_power(_\d+)?|save_counter|learning_rate|iterations?|OptimizeLoss\/.*|.*\/ExponentialMovingAverage)$/;

interface Var { key: string; path: string; v: CheckpointVariable }

function parent(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function last(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The checkpoint's variables under readable paths, with optimizer and bookkeeping ones set apart. */
function classify(ck: Checkpoint): {vars: Var[]; ignored: IgnoredVariable[]} {
  const ignored: IgnoredVariable[] = [];
  const vars: Var[] = [];
  const graph = ck.objectGraph;
  const byName = new Map(ck.variables.map((v) => [v.name, v]));
  for (const v of ck.variables) {
    if (v.name === OBJECT_GRAPH_KEY) {
      ignored.push({name: v.name, reason: 'TF2 object graph (metadata)'});
      continue;
    }
    const info = graph?.byKey.get(v.name) ?? null;
    if (info?.slot != null) {
      ignored.push({name: v.name, reason: `optimizer slot '${info.slot.name}' of ${info.slot.of}`});
      continue;
    }
    if (v.name.includes('/.OPTIMIZER_SLOT/')) {
      ignored.push({name: v.name, reason: 'optimizer slot'});
      continue;
    }
    const path = info?.path ?? (v.name.endsWith(TF2_SUFFIX) ? v.name.slice(0, -TF2_SUFFIX.length) : v.name);
    if (graph != null && (path === 'optimizer' || path.startsWith('optimizer/'))) {
      ignored.push({name: v.name, reason: 'optimizer state'});
      continue;
    }
    if (graph != null && path === 'save_counter') {
      ignored.push({name: v.name, reason: 'checkpoint save counter'});
      continue;
    }
    if (graph == null) {
      const base = parent(v.name);
      const baseVar = byName.get(base);
      if (baseVar != null && TF1_SLOT_NAMES.test(last(v.name)) &&
          JSON.stringify(baseVar.shape) === JSON.stringify(v.shape)) {
        ignored.push({name: v.name, reason: `optimizer slot '${last(v.name)}' of ${base}`});
        continue;
      }
      if (BOOKKEEPING.test(v.name) && v.shape.length === 0) {
        ignored.push({name: v.name, reason: 'optimizer / training bookkeeping'});
        continue;
      }
    }
    vars.push({key: v.name, path, v});
  }
  return {vars, ignored};
}

function isFloat(v: CheckpointVariable): boolean {
  return v.dtype === 'float32' || v.dtype === 'float16' || v.dtype === 'bfloat16' || v.dtype === 'float64';
}

/** A cell recognised at a scope, before it is placed in a stack. */
type CellMatch = Omit<FoundGru, 'stack' | 'layer' | 'direction' | 'directionIndex'>;

/** scope → {relative name → Var} for every scope prefix of every variable. */
function byScope(vars: Var[]): Map<string, Map<string, Var>> {
  const m = new Map<string, Map<string, Var>>();
  for (const x of vars) {
    const parts = x.path.split('/');
    for (let i = parts.length - 1; i >= 0 && i >= parts.length - 4; i--) {
      const scope = parts.slice(0, i).join('/');
      const rel = parts.slice(i).join('/');
      if (!m.has(scope)) m.set(scope, new Map());
      m.get(scope)!.set(rel, x);
    }
  }
  return m;
}

const TF1_NAMES: Array<{naming: string; names: Record<string, string>}> = [
  {naming: 'tf1.2+', names: {gates_kernel: 'gates/kernel', gates_bias: 'gates/bias', candidate_kernel: 'candidate/kernel', candidate_bias: 'candidate/bias'}},
  {naming: 'tf1.0-1.1', names: {gates_kernel: 'gates/weights', gates_bias: 'gates/biases', candidate_kernel: 'candidate/weights', candidate_bias: 'candidate/biases'}},
  {naming: 'tf0.x', names: {gates_kernel: 'Gates/Linear/Matrix', gates_bias: 'Gates/Linear/Bias', candidate_kernel: 'Candidate/Linear/Matrix', candidate_bias: 'Candidate/Linear/Bias'}},
];

const shapeIs = (v: Var | undefined, ...dims: number[]) =>
  v != null && isFloat(v.v) && v.v.shape.length === dims.length && v.v.shape.every((d, i) => d === dims[i]);

/** TF1 GRUCell / GRUBlockCellV2 at `scope`: Wg [D+U, 2U], bg [2U], Wc [D+U, U], bc [U]. */
function matchTF1(scope: string, rel: Map<string, Var>): CellMatch | null {
  for (const {naming, names} of TF1_NAMES) {
    const gk = rel.get(names.gates_kernel);
    const gb = rel.get(names.gates_bias);
    const ck = rel.get(names.candidate_kernel);
    const cb = rel.get(names.candidate_bias);
    if (gk == null || gb == null || ck == null || cb == null) continue;
    if (cb.v.shape.length !== 1) continue;
    const u = cb.v.shape[0];
    if (!(ck.v.shape.length === 2 && ck.v.shape[1] === u)) continue;
    const d = ck.v.shape[0] - u;
    if (!(u > 0 && d > 0 && shapeIs(gk, d + u, 2 * u) && shapeIs(gb, 2 * u) && shapeIs(ck, d + u, u) && shapeIs(cb, u))) continue;
    // CudnnCompatibleGRUCell has gates/* but candidate/{input,hidden}_projection: handled separately
    return {scope, cellType: 'GRUCell', layout: 'tf1', naming, resetAfter: false, inputSize: d, units: u,
      variables: {gates_kernel: gk.key, gates_bias: gb.key, candidate_kernel: ck.key, candidate_bias: cb.key}};
  }
  return null;
}

/** tf.contrib.rnn.GRUBlockCell at `scope`: w_ru, b_ru, w_c, b_c, assigned by shape (one release swapped the kernels' names). */
function matchBlock(scope: string, rel: Map<string, Var>): CellMatch | null {
  const a = rel.get('w_ru');
  const b = rel.get('w_c');
  const bru = rel.get('b_ru');
  const bc = rel.get('b_c');
  if (a == null || b == null || bru == null || bc == null) return null;
  const biases = [bru, bc].filter((x) => x.v.shape.length === 1).sort((x, y) => x.v.shape[0] - y.v.shape[0]);
  if (biases.length !== 2) return null;
  const u = biases[0].v.shape[0];
  if (!(u > 0 && biases[1].v.shape[0] === 2 * u)) return null;
  const kernels = [a, b].filter((x) => x.v.shape.length === 2 && x.v.shape[1] > 0);
  const gates = kernels.find((x) => x.v.shape[1] === 2 * u);
  const cand = kernels.find((x) => x.v.shape[1] === u);
  if (gates == null || cand == null) return null;
  const d = cand.v.shape[0] - u;
  if (!(d > 0 && shapeIs(gates, d + u, 2 * u) && shapeIs(cand, d + u, u))) return null;
  return {scope, cellType: 'GRUBlockCell', layout: 'tf1', resetAfter: false, inputSize: d, units: u,
    variables: {gates_kernel: gates.key, gates_bias: biases[1].key, candidate_kernel: cand.key, candidate_bias: biases[0].key},
    ...(gates === b ? {swappedKernelNames: true} : {})};
}

/** CudnnCompatibleGRUCell: gates/kernel [D+U, 2U], gates/bias [2U], candidate/input_projection/* [D, U] + [U],
 * candidate/hidden_projection/* [U, U] + [U] — the reset-after GRU. */
function matchCudnnCompatible(scope: string, rel: Map<string, Var>): CellMatch | null {
  const gk = rel.get('gates/kernel');
  const gb = rel.get('gates/bias');
  const ik = rel.get('candidate/input_projection/kernel');
  const ib = rel.get('candidate/input_projection/bias');
  const hk = rel.get('candidate/hidden_projection/kernel');
  const hb = rel.get('candidate/hidden_projection/bias');
  if (!gk || !gb || !ik || !ib || !hk || !hb || ik.v.shape.length !== 2) return null;
  const [d, u] = ik.v.shape;
  if (!(d > 0 && u > 0 && shapeIs(gk, d + u, 2 * u) && shapeIs(gb, 2 * u) && shapeIs(ib, u) && shapeIs(hk, u, u) && shapeIs(hb, u))) return null;
  return {scope, cellType: 'CudnnCompatibleGRUCell', layout: 'cudnn-compatible', resetAfter: true, inputSize: d, units: u,
    variables: {gates_kernel: gk.key, gates_bias: gb.key, input_kernel: ik.key, input_bias: ib.key, hidden_kernel: hk.key, hidden_bias: hb.key}};
}

/** Keras GRU cell: kernel [D, 3U], recurrent_kernel [U, 3U], bias (3U,) | (2, 3U) | (6U,) (CuDNNGRU). */
function matchKeras(scope: string, rel: Map<string, Var>): CellMatch | null {
  const k = rel.get('kernel');
  const r = rel.get('recurrent_kernel');
  const b = rel.get('bias');
  if (!k || !r || !b || r.v.shape.length !== 2) return null;
  const u = r.v.shape[0];
  if (!(u > 0 && r.v.shape[1] === 3 * u && k.v.shape.length === 2 && k.v.shape[1] === 3 * u && k.v.shape[0] > 0)) return null;
  const d = k.v.shape[0];
  if (!shapeIs(k, d, 3 * u) || !shapeIs(r, u, 3 * u)) return null;
  const base = {scope, inputSize: d, units: u, variables: {kernel: k.key, recurrent_kernel: r.key, bias: b.key}};
  if (shapeIs(b, 3 * u)) return {...base, cellType: 'keras.GRU', layout: 'keras', resetAfter: false};
  if (shapeIs(b, 2, 3 * u)) return {...base, cellType: 'keras.GRU', layout: 'keras-reset-after', resetAfter: true};
  if (shapeIs(b, 6 * u)) return {...base, cellType: 'keras.CuDNNGRU', layout: 'keras-cudnn', resetAfter: true};
  return null;
}

interface Placement { stack: string; layerKey: number; layerName: string; direction: Direction; problem?: string }

const LAYER_RE = [/^cell_(\d+)$/, /^Cell ?(\d+)$/, /^layer_with_weights-(\d+)$/];
const KERAS_LAYER_RE = /^(gru|cu_dnngru|cudnngru|bidirectional)(?:_(\d+))?$/;

/** Where a cell sits: the stack container, the layer and the direction, from its scope's structure. */
function place(m: CellMatch): Placement {
  let parts = m.scope.split('/');
  // the cell's own scope: TF1 cells (gru_cell, GRUCell, GRUBlockCell, a user name), Keras `cell` / `gru_cell`
  if (m.cellType.startsWith('keras')) {
    if (['cell', 'gru_cell', 'cu_dnngru_cell'].includes(parts[parts.length - 1]) || /^(gru_cell|cell)(_\d+)?$/.test(parts[parts.length - 1])) {
      parts = parts.slice(0, -1);
    }
  } else {
    parts = parts.slice(0, -1);
  }
  let direction: Direction = 'forward';
  let dirAt = -1;
  for (let i = parts.length - 1; i >= 0; i--) {
    const c = parts[i];
    if (c === 'fw' || c === 'forward_layer' || /^forward_/.test(c)) direction = 'fw';
    else if (c === 'bw' || c === 'backward_layer' || /^backward_/.test(c)) direction = 'bw';
    else continue;
    dirAt = i;
    break;
  }
  let layerAt = -1;
  let layerKey = 0;
  for (let i = parts.length - 1; i >= 0 && layerAt < 0; i--) {
    for (const re of LAYER_RE) {
      const mm = re.exec(parts[i]);
      if (mm != null) {
        layerAt = i;
        layerKey = Number(mm[1]);
        break;
      }
    }
  }
  if (layerAt < 0 && m.cellType.startsWith('keras')) {  // Keras layers in name-based checkpoints: gru, gru_1, bidirectional_2, ...
    for (let i = parts.length - 1; i >= 0; i--) {
      const mm = KERAS_LAYER_RE.exec(parts[i]);
      if (mm != null && (i === dirAt - 1 || (dirAt < 0 && i === parts.length - 1))) {
        layerAt = i;
        layerKey = mm[2] == null ? 0 : Number(mm[2]) + 1;
        break;
      }
    }
  }
  let problem: string | undefined;
  let stackParts: string[];
  if (layerAt >= 0) {
    stackParts = parts.slice(0, layerAt);
    if (dirAt >= 0 && dirAt < layerAt) {
      problem = `'${parts[dirAt]}' encloses the layers (a bidirectional pair of whole multi-layer stacks): ` +
          'its output is concat(fw stack, bw stack), which a sequence of Bidirectional layers does not compute';
      stackParts = parts.slice(0, dirAt);
    }
  } else {
    stackParts = dirAt >= 0 ? parts.slice(0, dirAt) : parts;
  }
  const layerName = layerAt >= 0 ? parts.slice(0, layerAt + 1).join('/') : stackParts.join('/');
  return {stack: stackParts.join('/'), layerKey, layerName, direction, problem};
}

/**
 * Every GRU in the checkpoint, its stacks and Dense layers, and what is left over.
 * @category Conversion
 */
export function findGrus(ck: Checkpoint): Discovery {
  const {vars, ignored} = classify(ck);
  const scopes = byScope(vars);
  const used = new Set<string>();
  const matches: CellMatch[] = [];
  const sortedScopes = [...scopes.keys()].sort();
  for (const scope of sortedScopes) {
    const rel = scopes.get(scope)!;
    const m = matchCudnnCompatible(scope, rel) ?? matchTF1(scope, rel) ?? matchBlock(scope, rel) ?? matchKeras(scope, rel);
    if (m == null || Object.values(m.variables).some((k) => used.has(k))) continue;
    for (const k of Object.values(m.variables)) used.add(k);
    matches.push(m);
  }

  // stacks: group by container, then by layer, renumbering layers 0.. in key order
  const groups = new Map<string, {problem?: string; layers: Map<string, {key: number; cells: FoundGru[]}>}>();
  const grus: FoundGru[] = [];
  for (const m of matches) {
    const p = place(m);
    if (!groups.has(p.stack)) groups.set(p.stack, {layers: new Map()});
    const g = groups.get(p.stack)!;
    if (p.problem != null) g.problem = p.problem;
    const lk = `${p.layerKey}\u0000${p.problem != null ? p.direction : ''}\u0000${p.layerName}`;
    if (!g.layers.has(lk)) g.layers.set(lk, {key: p.layerKey, cells: []});
    const gru: FoundGru = {...m, stack: p.stack, layer: -1, direction: p.direction};
    g.layers.get(lk)!.cells.push(gru);
    grus.push(gru);
  }
  const stacks: GruStack[] = [];
  for (const [name, g] of groups) {
    const layers = [...g.layers.values()].sort((a, b) => a.key - b.key);
    const stack: GruStack = {name, layers: [], inputSize: 0, outputSize: 0, dense: null};
    let problem = g.problem;
    layers.forEach((l, index) => {
      const cells = l.cells.sort((a, b) => (a.direction === 'bw' ? 1 : 0) - (b.direction === 'bw' ? 1 : 0));
      for (const c of cells) c.layer = index;
      const dirs = cells.map((c) => c.direction).join('+');
      const bidirectional = dirs === 'fw+bw';
      if (!(dirs === 'forward' || dirs === 'fw' || bidirectional) && problem == null) {
        problem = `layer ${index} has cells ${cells.map((c) => `${c.scope} (${c.direction})`).join(', ')}: expected one cell, or an fw and a bw cell`;
      }
      if (bidirectional && problem == null) {
        const [f, b] = cells;
        if (f.units !== b.units || f.inputSize !== b.inputSize || f.layout !== b.layout) {
          problem = `layer ${index}: the fw cell (${f.layout}, ${f.inputSize}→${f.units}) and the bw cell ` +
              `(${b.layout}, ${b.inputSize}→${b.units}) differ; tfjs's Bidirectional needs two alike`;
        }
      }
      const outputSize = cells[0].units * (bidirectional ? 2 : 1);
      const inputSize = cells[0].inputSize;
      if (index > 0 && problem == null && inputSize !== stack.layers[index - 1].outputSize) {
        problem = `layer ${index} (${cells[0].scope}) takes inputs of size ${inputSize}, but layer ${index - 1} ` +
            `outputs ${stack.layers[index - 1].outputSize}`;
      }
      stack.layers.push({index, bidirectional, cells, inputSize, outputSize});
    });
    stack.inputSize = stack.layers[0].inputSize;
    stack.outputSize = stack.layers[stack.layers.length - 1].outputSize;
    if (problem != null) stack.problem = problem;
    stacks.push(stack);
  }

  // Dense layers: a kernel [in, K] (+ bias [K]) in a scope of its own, `in` = a stack's output size
  const denseCandidates: FoundDense[] = [];
  for (const scope of sortedScopes) {
    const rel = scopes.get(scope)!;
    for (const [kn, bn] of [['kernel', 'bias'], ['weights', 'biases'], ['Matrix', 'Bias']]) {
      const k = rel.get(kn);
      if (k == null || used.has(k.key) || k.v.shape.length !== 2 || !isFloat(k.v)) continue;
      const b = rel.get(bn);
      const biasOk = b != null && !used.has(b.key) && shapeIs(b, k.v.shape[1]);
      if (b != null && !biasOk) continue;
      denseCandidates.push({scope, inputSize: k.v.shape[0], units: k.v.shape[1],
        variables: {kernel: k.key, bias: biasOk ? b!.key : null}});
    }
  }
  for (const stack of stacks) {
    const fits = denseCandidates.filter((d) => d.inputSize === stack.outputSize && !used.has(d.variables.kernel));
    const named = fits.filter((d) => /(^|\/)(dense|fully_connected|logits|output|projection|layer_with_weights-\d+)(_\d+)?$/.test(d.scope));
    const pick = fits.length === 1 ? fits[0] : named.length === 1 ? named[0] : null;
    if (pick != null) {
      stack.dense = pick;
      used.add(pick.variables.kernel);
      if (pick.variables.bias != null) used.add(pick.variables.bias);
    }
  }
  const unexplained = vars.filter((x) => !used.has(x.key)).map((x) => x.v);
  return {grus, stacks, ignored, unexplained};
}
