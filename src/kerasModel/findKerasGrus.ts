/**
 * GRU discovery in a Keras model file, from its config (architecture) and its weights:
 * every GRU / CuDNNGRU layer (Bidirectional halves as fw/bw cells) as the same
 * {@link Discovery} structure findGrus gives for checkpoints, plus a per-layer plan used by
 * `--gru-stack` (the GRU stack alone, the rest reported as left out) and by `inspect`'s GRU
 * details. The whole model is converted by ./topology/.
 */
import {CheckpointVariable} from '../io/checkpoint/bundle';
import {KerasFileError} from '../io/keras/errors';
import {KerasFile, KerasWeight} from '../io/keras/kerasFile';
import {Discovery, Direction, FoundDense, FoundGru, FoundLayout, GruLayer, GruStack} from '../discovery/findGrus';
import {KerasArchitecture, KerasLayerConfig, readArchitecture} from './architecture';
import {isKeras3, tfjsActivation} from './activations';
import {GruCellWeights, gruCellWeights, plainWeights, weightsByLayer} from './layerWeights';

/**
 * One GRU cell of the model: what discovery found, its weights and its settings.
 * @category Conversion
 */
export interface KerasGruCell {
  found: FoundGru;
  weights: GruCellWeights;
  /** tfjs activation names (or the reason there is none). */
  activation: {name: string} | {refused: string};
  recurrentActivation: {name: string} | {refused: string};
  goBackwards: boolean;
}

/**
 * What one layer of the config becomes.
 * @category Conversion
 */
export type PlannedLayer =
  | {kind: 'embedding'; layer: KerasLayerConfig; embeddings: KerasWeight; maskZero: boolean}
  | {kind: 'masking'; layer: KerasLayerConfig; maskValue: number}
  | {kind: 'identity'; layer: KerasLayerConfig; tfjsClass: 'Dropout' | 'SpatialDropout1D'; rate: number}
  | {kind: 'dense'; layer: KerasLayerConfig; kernel: KerasWeight; bias: KerasWeight | null; activation: {name: string} | {refused: string}}
  | {kind: 'activation'; layer: KerasLayerConfig; activation: {name: string} | {refused: string}}
  | {kind: 'gru'; layer: KerasLayerConfig; cells: KerasGruCell[]; bidirectional: boolean; mergeMode: string | null;
      returnSequences: boolean; useBias: boolean; unsupported: string | null;
      /** A mask reaches the layer and Keras writes zeros at masked steps: Bidirectional with
       * return_sequences (it sets zero_output_for_mask on both layers) or zero_output_for_mask=True. */
      zeroOutputForMask: boolean}
  | {kind: 'other'; layer: KerasLayerConfig; reason: string};

/**
 * The model of a Keras file: its architecture, every layer's plan, the GRU discovery, and whether the whole model converts.
 * @category Conversion
 */
export interface KerasModelPlan {
  architecture: KerasArchitecture;
  layers: PlannedLayer[];
  discovery: Discovery;
  /**
   * This planner's own chain check (null when the model is one chain of the layers it plans); `convert` no
   * longer uses it: the whole model goes through ./topology/ (translateKerasConfig lists what it refuses).
   */
  wholeModelProblem: string | null;
}

const GRU_CLASSES = new Set(['GRU', 'CuDNNGRU', 'GRUV2', 'GRUV1']);

function shapeIs(w: KerasWeight | null, ...dims: number[]): boolean {
  return w != null && w.shape.length === dims.length && w.shape.every((d, i) => d === dims[i]);
}

/** The FoundGru of one cell: sizes and layout from the weights' shapes, checked against the layer config. */
function foundCell(file: string, layer: KerasLayerConfig, cellConfig: Record<string, any>, className: string,
                   w: GruCellWeights, direction: Direction): FoundGru {
  const scope = direction === 'forward' ? layer.name : `${layer.name}/${direction === 'fw' ? 'forward_layer' : 'backward_layer'}`;
  const u = w.recurrent_kernel.shape[0];
  const d = w.kernel.shape[0];
  const units = Number(cellConfig.units);
  if (!(w.kernel.shape.length === 2 && shapeIs(w.kernel, d, 3 * u) && shapeIs(w.recurrent_kernel, u, 3 * u) && u === units)) {
    throw new KerasFileError('BAD_SHAPE', file, `layer '${scope}' (${className}, units ${cellConfig.units}): kernel [${w.kernel.shape}] and ` +
        `recurrent_kernel [${w.recurrent_kernel.shape}] should be [D, ${3 * units}] and [${units}, ${3 * units}]`);
  }
  let layout: FoundLayout;
  const cudnn = className === 'CuDNNGRU';
  const resetAfter = cudnn || cellConfig.reset_after === true || (cellConfig.reset_after == null && w.bias != null && w.bias.shape.length === 2);
  if (w.bias == null) {
    layout = resetAfter ? 'keras-reset-after' : 'keras';
  } else if (cudnn) {
    if (!shapeIs(w.bias, 6 * u)) throw new KerasFileError('BAD_SHAPE', file, `layer '${scope}' (CuDNNGRU): bias [${w.bias.shape}] should be [${6 * u}]`);
    layout = 'keras-cudnn';
  } else if (resetAfter) {
    if (!shapeIs(w.bias, 2, 3 * u)) {
      throw new KerasFileError('BAD_SHAPE', file, `layer '${scope}' (GRU, reset_after=True): bias [${w.bias.shape}] should be [2, ${3 * u}]`);
    }
    layout = 'keras-reset-after';
  } else {
    if (!shapeIs(w.bias, 3 * u)) {
      throw new KerasFileError('BAD_SHAPE', file, `layer '${scope}' (GRU, reset_after=False): bias [${w.bias.shape}] should be [${3 * u}]`);
    }
    layout = 'keras';
  }
  const variables: Record<string, string> = {kernel: w.kernel.path, recurrent_kernel: w.recurrent_kernel.path};
  if (w.bias != null) variables.bias = w.bias.path;
  return {scope, cellType: cudnn ? 'keras.CuDNNGRU' : 'keras.GRU', layout, resetAfter, inputSize: d, units: u,
    stack: '', layer: -1, direction, variables};
}

function planGru(kf: KerasFile, layer: KerasLayerConfig, group: ReturnType<typeof weightsByLayer> extends Map<string, infer G> ? G : never,
                 keras3: boolean | null): PlannedLayer {
  const bidirectional = layer.className === 'Bidirectional';
  const inner = bidirectional ? layer.config.layer : {class_name: layer.className, config: layer.config};
  const className = inner?.class_name;
  const cfg: Record<string, any> = inner?.config ?? {};
  const bwCfg: Record<string, any> = bidirectional && layer.config.backward_layer?.config ? layer.config.backward_layer.config : cfg;
  const cudnn = className === 'CuDNNGRU';
  const useBias = cudnn ? true : cfg.use_bias !== false;
  const weights = gruCellWeights(kf.file, layer, group, bidirectional, useBias);
  const dirs: Direction[] = bidirectional ? ['fw', 'bw'] : ['forward'];
  const cells: KerasGruCell[] = weights.map((w, i) => {
    const c = i === 0 ? cfg : bwCfg;
    return {
      found: foundCell(kf.file, layer, c, className, w, dirs[i]),
      weights: w,
      activation: cudnn ? {name: 'tanh'} : tfjsActivation(c.activation ?? 'tanh', keras3),
      recurrentActivation: cudnn ? {name: 'sigmoid'} : tfjsActivation(c.recurrent_activation ?? 'sigmoid', keras3),
      goBackwards: bidirectional ? false : c.go_backwards === true,
    };
  });
  const problems: string[] = [];
  for (const c of cells) {
    for (const a of [c.activation, c.recurrentActivation]) if ('refused' in a) problems.push(`${c.found.scope}: ${a.refused}`);
  }
  if (cfg.return_state === true) problems.push(`${layer.name}: return_state=True (a second output) is not part of a chain model`);
  if (cfg.time_major === true) problems.push(`${layer.name}: time_major=True`);
  if (cfg.stateful === true) problems.push(`${layer.name}: stateful=True (a state carried across calls)`);
  const mergeMode = bidirectional ? (layer.config.merge_mode ?? null) : null;
  if (bidirectional && !['concat', 'sum', 'mul', 'ave'].includes(mergeMode)) problems.push(`${layer.name}: merge_mode ${JSON.stringify(mergeMode)}`);
  return {kind: 'gru', layer, cells, bidirectional, mergeMode, returnSequences: cfg.return_sequences === true, useBias,
    unsupported: problems.length ? problems.join('; ') : null, zeroOutputForMask: false};
}

function planLayer(kf: KerasFile, layer: KerasLayerConfig, group: any, keras3: boolean | null): PlannedLayer {
  const c = layer.config;
  switch (layer.className) {
    case 'GRU': case 'CuDNNGRU': case 'GRUV2': case 'GRUV1':
      return planGru(kf, {...layer, className: GRU_CLASSES.has(layer.className) && layer.className !== 'CuDNNGRU' ? 'GRU' : layer.className}, group, keras3);
    case 'Bidirectional': {
      const inner = c.layer?.class_name;
      if (!GRU_CLASSES.has(inner)) return {kind: 'other', layer, reason: `Bidirectional(${inner}): only Bidirectional(GRU) is converted`};
      return planGru(kf, layer, group, keras3);
    }
    case 'Embedding': {
      const [embeddings] = plainWeights(kf.file, layer, group, 1);
      if (!shapeIs(embeddings, Number(c.input_dim), Number(c.output_dim))) {
        throw new KerasFileError('BAD_SHAPE', file(kf), `layer '${layer.name}' (Embedding ${c.input_dim}→${c.output_dim}): embeddings [${embeddings.shape}]`);
      }
      return {kind: 'embedding', layer, embeddings, maskZero: c.mask_zero === true};
    }
    case 'Masking':
      return {kind: 'masking', layer, maskValue: Number(c.mask_value ?? 0)};
    case 'Dropout': case 'SpatialDropout1D':
      return {kind: 'identity', layer, tfjsClass: layer.className, rate: Number(c.rate ?? 0)};
    case 'Dense': {
      const useBias = c.use_bias !== false;
      const ws = plainWeights(kf.file, layer, group, useBias ? 2 : 1);
      const units = Number(c.units);
      if (!(ws[0].shape.length === 2 && ws[0].shape[1] === units && (!useBias || shapeIs(ws[1], units)))) {
        throw new KerasFileError('BAD_SHAPE', kf.file, `layer '${layer.name}' (Dense, units ${units}): kernel [${ws[0].shape}]` +
            `${useBias ? `, bias [${ws[1].shape}]` : ''} should be [in, ${units}]${useBias ? ` and [${units}]` : ''}`);
      }
      return {kind: 'dense', layer, kernel: ws[0], bias: useBias ? ws[1] : null, activation: tfjsActivation(c.activation, keras3)};
    }
    case 'Activation':
      return {kind: 'activation', layer, activation: tfjsActivation(c.activation, keras3)};
    default:
      return {kind: 'other', layer, reason: `${layer.className} is not among the layers this converter maps to tfjs ` +
          '(Embedding, Masking, Dropout, SpatialDropout1D, Dense, Activation, GRU, CuDNNGRU, Bidirectional(GRU))'};
  }
}

function file(kf: KerasFile): string {
  return kf.file;
}

/** Marks the GRU layers a mask reaches whose Keras semantics write zeros at masked steps. */
function markZeroOutputs(layers: PlannedLayer[]): void {
  let masked = false;  // does a mask reach this layer?
  for (const p of layers) {
    if (p.kind === 'gru') {
      const inner = p.bidirectional ? p.layer.config.layer?.config ?? {} : p.layer.config;
      p.zeroOutputForMask = masked && ((p.bidirectional && p.returnSequences) || inner.zero_output_for_mask === true);
      if (!p.returnSequences) masked = false;
    }
    if (p.kind === 'masking' || (p.kind === 'embedding' && p.maskZero)) masked = true;
  }
}

/** Why the whole model cannot be converted exactly, or null. */
function wholeModelProblem(arch: KerasArchitecture, layers: PlannedLayer[]): string | null {
  if (arch.notAChain) return `not a chain of layers: ${arch.notAChain}`;
  const problems: string[] = [];
  if (arch.inputShape == null) problems.push('the config does not give the input shape');
  for (const p of layers) {
    if (p.kind === 'other') problems.push(`${p.layer.name}: ${p.reason}`);
    if ((p.kind === 'dense' || p.kind === 'activation') && 'refused' in p.activation) problems.push(`${p.layer.name}: ${p.activation.refused}`);
    if (p.kind === 'gru' && p.unsupported) problems.push(p.unsupported);
  }
  return problems.length ? problems.join('; ') : null;
}

/** The GRU stacks: runs of GRU layers (Dropout between them is the identity at inference), each with the linear Dense after it. */
function stacksOf(kf: KerasFile, layers: PlannedLayer[]): {stacks: GruStack[]; used: Set<string>} {
  const stacks: GruStack[] = [];
  const used = new Set<string>();
  let i = 0;
  while (i < layers.length) {
    if (layers[i].kind !== 'gru') {
      i++;
      continue;
    }
    const run: Array<Extract<PlannedLayer, {kind: 'gru'}>> = [];
    let j = i;
    while (j < layers.length && (layers[j].kind === 'gru' || layers[j].kind === 'identity')) {
      const p = layers[j];
      if (p.kind === 'gru') run.push(p);
      j++;
    }
    const name = run[0].layer.name;
    const gl: GruLayer[] = run.map((p, index) => {
      for (const c of p.cells) {
        c.found.stack = name;
        c.found.layer = index;
      }
      const cells = p.cells.map((c) => c.found);
      return {index, bidirectional: p.bidirectional, cells, inputSize: cells[0].inputSize, outputSize: cells[0].units * (p.bidirectional ? 2 : 1)};
    });
    const stack: GruStack = {name, layers: gl, inputSize: gl[0].inputSize, outputSize: gl[gl.length - 1].outputSize, dense: null};
    const problems: string[] = [];
    gl.forEach((l, k) => {
      if (k > 0 && l.inputSize !== gl[k - 1].outputSize) problems.push(`layer ${k} takes ${l.inputSize} features, layer ${k - 1} gives ${gl[k - 1].outputSize}`);
    });
    for (const p of run) {
      if (p.bidirectional && p.mergeMode !== 'concat') problems.push(`${p.layer.name}: merge_mode '${p.mergeMode}' (a stack is converted with concat)`);
      if (!p.useBias) problems.push(`${p.layer.name}: use_bias=False`);
      for (const c of p.cells) {
        const acts = [c.activation, c.recurrentActivation].map((a) => ('name' in a ? a.name : a.refused));
        if (acts[0] !== 'tanh' || acts[1] !== 'sigmoid') problems.push(`${c.found.scope}: activations ${acts.join(' / ')} (a stack is converted with tanh / sigmoid)`);
        if (c.goBackwards) problems.push(`${c.found.scope}: go_backwards=True`);
      }
    }
    if (problems.length) stack.problem = problems.join('; ');
    for (const p of run) for (const c of p.cells) for (const v of Object.values(c.found.variables)) used.add(v);
    const next = layers.slice(j).find((p) => p.kind !== 'identity');
    if (next?.kind === 'dense' && 'name' in next.activation && next.activation.name === 'linear' &&
        next.kernel.shape[0] === stack.outputSize) {
      const dense: FoundDense = {scope: next.layer.name, inputSize: next.kernel.shape[0], units: next.kernel.shape[1],
        variables: {kernel: next.kernel.path, bias: next.bias?.path ?? null}};
      stack.dense = dense;
      used.add(next.kernel.path);
      if (next.bias) used.add(next.bias.path);
    }
    stacks.push(stack);
    i = j;
  }
  return {stacks, used};
}

/**
 * Plans the conversion of a Keras model file and finds its GRUs (see the module comment).
 * @category Conversion
 */
export function planKerasModel(kf: KerasFile): KerasModelPlan {
  const architecture = readArchitecture(kf.config, kf.file);
  const groups = weightsByLayer(kf, architecture.layers);
  const keras3 = isKeras3(kf.kerasVersion) ?? (kf.kind === 'weights-h5' ? true : null);
  const layers = architecture.layers.map((l) => planLayer(kf, l, groups.get(l.name) ?? null, keras3));
  markZeroOutputs(layers);
  const {stacks, used} = stacksOf(kf, layers);
  const grus = layers.flatMap((p) => (p.kind === 'gru' ? p.cells.map((c) => c.found) : []));
  const unexplained: CheckpointVariable[] = kf.variables.filter((v) => !used.has(v.name))
      .map((v) => ({name: v.name, dtype: v.dtype, shape: v.shape, bytes: 0, shard: 0, partitioned: false}));
  return {architecture, layers, discovery: {grus, stacks, ignored: [], unexplained}, wholeModelProblem: wholeModelProblem(architecture, layers)};
}
