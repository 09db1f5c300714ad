/**
 * A tfjs LayersModel from the GRUs found in a checkpoint: input [batch, time, D],
 * output the top GRU layer's full sequence (then the Dense layer, applied at every
 * step, when one was found). Stacks become stacked layers, fw/bw pairs
 * tf.layers.bidirectional with mergeMode 'concat' (fw first, what tf.concat of
 * bidirectional_dynamic_rnn's outputs gives).
 *
 * Reset-before cells (TF1 GRUCell / GRUBlockCell, Keras reset_after=False) become
 * tfjs's built-in GRU with the weights mapped exactly (recurrentActivation
 * 'sigmoid', not tfjs's default hardSigmoid), so the model needs plain tfjs only;
 * with `layers: 'tfjs-gru'` they become this package's TF1GRU with the checkpoint's
 * own four tensors. Reset-after cells (CudnnCompatibleGRUCell, Keras
 * reset_after=True) become this package's KerasGRU (resetAfter: true): loading such
 * a model needs `import 'tfjs-gru'` (and registerKerasGru() only for Keras's 'GRU').
 *
 * The model is checked against the unfused reference run on the checkpoint's own
 * tensors (reference.ts) for a random input.
 */
import * as tf from '@tensorflow/tfjs';

import {Checkpoint} from '../io/checkpoint/checkpoint';
import {ConversionError} from '../io/modelFileError';
import {TensorSource} from '../io/tensorSource';
import {convertWeights} from '../weights/convert';
import {cudnnCompatibleToKeras, CudnnCompatibleGruWeights} from '../weights/cudnnCompatibleLayout';
import {kerasCudnnToResetAfter} from '../weights/kerasCudnnLayout';
import {gru} from '../layers/kerasGru';
import {tf1Gru} from '../layers/tf1Gru';
import {reverseTime} from '../layers/reverseTime';
import {readCellWeights} from '../discovery/cellTensors';
import {Discovery, findGrus, FoundGru, GruStack} from '../discovery/findGrus';
import {noGruHint} from '../discovery/gruShapedTensors';
import {referenceForward} from './checkAgainstUnfused';

/**
 * Options of {@link checkpointToLayersModel}.
 * @category Conversion
 */
export interface ToLayersModelOptions {
  /** 'builtin' (default): reset-before cells as tfjs's GRU; 'tfjs-gru': as this package's TF1GRU. */
  layers?: 'builtin' | 'tfjs-gru';
  /** Which stack to convert when the checkpoint holds several (its name as findGrus gives it). */
  stack?: string;
  /** Check the model against the reference (default true). */
  check?: boolean;
  /** Seed of the random check input (default 1). */
  seed?: number;
  /** Tolerance of the check (default 1e-5), relative to max(1, max |reference output|) ({@link ModelCheck}). */
  tolerance?: number;
  /**
   * Masked steps output zeros (zeroOutputForMask) in this package's layers. Default:
   * true for TF1 cells (what dynamic_rnn(sequence_length) writes past each length),
   * false for Keras cells (Keras's default). tfjs's built-in GRU (`layers: 'builtin'`)
   * always carries the previous output: it has no such option.
   */
  zeroOutputForMask?: boolean;
}

/**
 * One layer of the converted model: the tfjs class it became and the checkpoint cell(s) it came from.
 * @category Conversion
 */
export interface ConvertedLayer {
  index: number;
  className: string;
  bidirectional: boolean;
  inputSize: number;
  units: number;
  cellType: string;
  layout: string;
  resetAfter: boolean;
  scopes: string[];
}

/**
 * The check of a converted model against the reference: input shape, max abs error,
 * tolerance and verdict. The tolerance scales with the reference output's magnitude:
 * `tolerance = relTolerance · max(1, max |reference output|)` (float32 rounding grows with
 * the numbers; a model whose weights were scaled ×1000 has outputs and rounding errors ×1000).
 * @category Conversion
 */
export interface ModelCheck {
  input: number[];
  maxAbsError: number;
  /** The bound applied: relTolerance · max(1, referenceMaxAbs). */
  tolerance: number;
  pass: boolean;
  /** The tolerance option (default 1e-5), relative to max(1, referenceMaxAbs). */
  relTolerance?: number;
  /** max |reference output| (NaN when the reference holds NaN). */
  referenceMaxAbs?: number;
  /** The reference or the model's output holds NaN or ±Inf: the check cannot judge the model. */
  nonFinite?: boolean;
}

/**
 * What a conversion produced: the stack converted, the model's shapes and layers, and the check's result (null with `check: false`).
 * @category Conversion
 */
export interface ConversionDescription {
  stack: string;
  inputShape: [null, null, number];
  outputShape: [null, null, number];
  layers: ConvertedLayer[];
  dense: {scope: string; inputSize: number; units: number; activation: 'linear'} | null;
  /** true when the model holds this package's layers (loading needs `import 'tfjs-gru'`). */
  needsTfjsGru: boolean;
  check: ModelCheck | null;
}

/**
 * What {@link checkpointToLayersModel} returns: the model, its description and the discovery it came from.
 * @category Conversion
 */
export interface ConvertedModel {
  model: tf.LayersModel;
  description: ConversionDescription;
  discovery: Discovery;
}

/** The stack to convert: the only one, or the one named; a typed error otherwise. */
export function chooseStack(ck: TensorSource, discovery: Discovery, name?: string): GruStack {
  const {stacks} = discovery;
  const label = (s: GruStack) => (s.name === '' ? '(root)' : s.name);
  if (stacks.length === 0) {
    const held = ck.variables.slice(0, 8).map((v) => `${v.name} ${v.dtype}[${v.shape.join(',')}]`);
    throw new ConversionError('NO_GRU', ck.file,
        `no GRU found among ${ck.variables.length} variable(s): ${held.join('; ')}${ck.variables.length > 8 ? '; ...' : ''}. ` +
        noGruHint(ck.variables, ck.file));
  }
  let stack: GruStack | undefined;
  if (name != null) {
    stack = stacks.find((s) => s.name === name || label(s) === name);
    if (stack == null) {
      throw new ConversionError('NO_GRU', ck.file,
          `no GRU stack '${name}'; the checkpoint has ${stacks.map(label).join(', ')}`);
    }
  } else if (stacks.length > 1) {
    throw new ConversionError('AMBIGUOUS', ck.file,
        `${stacks.length} GRU stacks (${stacks.map(label).join(', ')}); choose one (option stack / --stack)`);
  } else {
    stack = stacks[0];
  }
  if (stack.problem != null) {
    throw new ConversionError(stack.problemCode ?? 'AMBIGUOUS', ck.file, `GRU stack '${label(stack)}' cannot be converted: ${stack.problem}`);
  }
  return stack;
}

/** Whether a cell comes from TF1's RNN API (dynamic_rnn semantics: zeros past each length). */
function isTf1Cell(cell: FoundGru): boolean {
  return ['GRUCell', 'GRUBlockCell', 'CudnnCompatibleGRUCell'].includes(cell.cellType);
}

function gruLayer(ck: TensorSource, cell: FoundGru, mode: 'builtin' | 'tfjs-gru', name: string, inputShape?: number[],
                  zeroOutputForMask?: boolean): {layer: tf.layers.Layer; weights: () => tf.Tensor[]; className: string} {
  const r = (role: string) => ck.read(cell.variables[role]);
  const common = {units: cell.units, returnSequences: true, name, ...(inputShape ? {inputShape} : {}),
    ...(cell.direction === 'reverse' ? {goBackwards: true} : {})};
  const zero = {zeroOutputForMask: zeroOutputForMask ?? isTf1Cell(cell)};
  const tf1Tensors = () => ({'gates/kernel': r('gates_kernel'), 'gates/bias': r('gates_bias'),
    'candidate/kernel': r('candidate_kernel'), 'candidate/bias': r('candidate_bias')});
  const kerasTensors = () => ({kernel: r('kernel'), recurrent_kernel: r('recurrent_kernel'), bias: r('bias')});
  switch (cell.layout) {
    case 'tf1': case 'keras': {
      if (mode === 'tfjs-gru') {
        const layer = tf1Gru({...common, ...zero, activation: 'tanh'});
        return {layer, className: 'TF1GRU', weights: () => tf.tidy(() => {
          const w = cell.layout === 'tf1' ? tf1Tensors() : convertWeights(kerasTensors() as any, 'keras', 'tf1') as any;
          return [w['gates/kernel'], w['gates/bias'], w['candidate/kernel'], w['candidate/bias']];
        })};
      }
      const layer = tf.layers.gru({...common, activation: 'tanh', recurrentActivation: 'sigmoid',
        kernelInitializer: 'zeros', recurrentInitializer: 'zeros'});
      return {layer, className: 'GRU', weights: () => tf.tidy(() => {
        const k = cell.layout === 'keras' ? kerasTensors() as any : convertWeights(tf1Tensors() as any, 'tf1', 'keras');
        return [k.kernel, k.recurrent_kernel, k.bias];
      })};
    }
    case 'keras-reset-after': case 'cudnn-compatible': case 'keras-cudnn': {
      const layer = gru({...common, ...zero, resetAfter: true, activation: 'tanh', recurrentActivation: 'sigmoid',
        kernelInitializer: 'zeros', recurrentInitializer: 'zeros'});
      return {layer, className: 'KerasGRU', weights: () => tf.tidy(() => {
        if (cell.layout === 'keras-reset-after') {
          const k = kerasTensors();
          return [k.kernel, k.recurrent_kernel, k.bias];
        }
        if (cell.layout === 'keras-cudnn') {
          const k = kerasCudnnToResetAfter(kerasTensors() as any);
          return [k.kernel, k.recurrent_kernel, k.bias];
        }
        const roles = ['gates_kernel', 'gates_bias', 'input_kernel', 'input_bias', 'hidden_kernel', 'hidden_bias'];
        const w = Object.fromEntries(roles.map((x) => [x, r(x)])) as unknown as CudnnCompatibleGruWeights;
        const k = cudnnCompatibleToKeras(w);
        return [k.kernel, k.recurrent_kernel, k.bias];
      })};
    }
    case 'onnx': {
      // ONNX linear_before_reset=0: the reset-before GRU, as tfjs's own GRU (or TF1GRU)
      const useBias = cell.variables.B != null;
      if (mode === 'tfjs-gru') {
        const layer = tf1Gru({...common, activation: 'tanh'});
        return {layer, className: 'TF1GRU', weights: () => tf.tidy(() => {
          const w = convertWeights(readCellWeights(ck, cell), 'onnx', 'tf1');
          return [w['gates/kernel'], w['gates/bias'], w['candidate/kernel'], w['candidate/bias']];
        })};
      }
      const layer = tf.layers.gru({...common, useBias, activation: 'tanh', recurrentActivation: 'sigmoid',
        kernelInitializer: 'zeros', recurrentInitializer: 'zeros'});
      return {layer, className: 'GRU', weights: () => tf.tidy(() => {
        const k = convertWeights(readCellWeights(ck, cell), 'onnx', 'keras');
        return [k.kernel, k.recurrent_kernel, ...(useBias ? [k.bias] : [])];
      })};
    }
    case 'pytorch': case 'onnx-lbr': {
      // nn.GRU and ONNX linear_before_reset=1: the reset-after GRU, as this package's KerasGRU
      const useBias = cell.layout === 'pytorch' ? cell.variables.bias_ih_l0 != null : cell.variables.B != null;
      const layer = gru({...common, resetAfter: true, useBias, activation: 'tanh', recurrentActivation: 'sigmoid',
        kernelInitializer: 'zeros', recurrentInitializer: 'zeros'});
      return {layer, className: 'KerasGRU', weights: () => tf.tidy(() => {
        const k = convertWeights(readCellWeights(ck, cell), cell.layout as 'pytorch' | 'onnx-lbr', 'keras-reset-after');
        return [k.kernel, k.recurrent_kernel, ...(useBias ? [k.bias] : [])];
      })};
    }
    default:
      throw new ConversionError('UNSUPPORTED', ck.file,
          `${cell.scope}: ${cell.cellType} (layout ${cell.layout}) is found but not converted`);
  }
}

/** Seeded uniform [-1, 1) input, identical on every backend. */
export function checkInput(shape: number[], seed: number): tf.Tensor3D {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 2 ** 32) * 2 - 1;
  }
  return tf.tensor3d(v, shape as [number, number, number]);
}

/** max |a - b| (disposes nothing it is given). */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/**
 * The self-check's input size limits: at most {@link CHECK_MAX_STEPS} time steps and
 * {@link CHECK_MAX_BATCH} samples, whatever a config declares (a `.keras` whose input had a
 * fixed time dimension of 1e8 made the check allocate 19.5 GB). A model whose input has a
 * larger fixed time dimension is checked on the first CHECK_MAX_STEPS steps
 * ({@link predictForCheck}): every layer this converter writes works step by step.
 */
export const CHECK_MAX_STEPS = 64;
export const CHECK_MAX_BATCH = 4;

/**
 * `model.predict(x)`, or, when `x` has fewer time steps than the model's fixed input
 * shape (see {@link CHECK_MAX_STEPS}), the model applied to `x` without predict's shape check.
 */
export function predictForCheck(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const want = model.inputs[0].shape;
  if (want.every((d, i) => i === 0 || d == null || d === x.shape[i])) return model.predict(x) as tf.Tensor;
  return tf.tidy(() => model.apply(x, {training: false}) as tf.Tensor);
}

/** Disposes a model that may hold no layer yet (tfjs throws on disposing those). */
export function disposeModel(model: tf.LayersModel): void {
  try {
    model.dispose();
  } catch { /* nothing built: nothing to free */ }
}

/** Judges `got` against the reference `want` (see {@link ModelCheck}); disposes nothing it is given. */
export function judgeCheck(want: tf.Tensor, got: tf.Tensor, input: number[], relTolerance: number): ModelCheck {
  const [maxAbsError, referenceMaxAbs, finite] = tf.tidy(() => {
    const w = tf.cast(want, 'float32');
    const g = tf.cast(got, 'float32');
    const allFinite = tf.logicalAnd(tf.all(tf.isFinite(w)), tf.all(tf.isFinite(g)));
    return [tf.max(tf.abs(tf.sub(w, g))), tf.max(tf.abs(w)), allFinite].map((t) => t.dataSync()[0]);
  });
  const tolerance = relTolerance * Math.max(1, Number.isFinite(referenceMaxAbs) ? referenceMaxAbs : 1);
  const nonFinite = !finite;
  return {input, maxAbsError, tolerance, pass: !nonFinite && maxAbsError <= tolerance, relTolerance, referenceMaxAbs,
    ...(nonFinite ? {nonFinite} : {})};
}

/** Checks `model` against the reference forward pass on the checkpoint's tensors. */
export function checkAgainstReference(ck: TensorSource, stack: GruStack, model: tf.LayersModel,
                                      seed = 1, tolerance = 1e-5): ModelCheck {
  const input = [2, 7, stack.inputSize];
  const x = checkInput(input, seed);
  let want: tf.Tensor | null = null;
  let got: tf.Tensor | null = null;
  try {
    want = referenceForward(ck, stack, x);
    got = predictForCheck(model, x);
    return judgeCheck(want, got, input, tolerance);
  } finally {
    tf.dispose([x, ...(want ? [want] : []), ...(got ? [got] : [])]);
  }
}

/**
 * Builds the LayersModel of a checkpoint's GRU stack (see the module comment).
 * @category Conversion
 */
export function checkpointToLayersModel(ck: Checkpoint, options: ToLayersModelOptions = {}): ConvertedModel {
  return gruStackToLayersModel(ck, findGrus(ck), options);
}

/**
 * Builds the LayersModel of a GRU stack found in any model file (see the module
 * comment): `discovery` is what that format's GRU discovery found among `ck`'s tensors.
 * @category Conversion
 */
export function gruStackToLayersModel(ck: TensorSource, discovery: Discovery,
                                      options: ToLayersModelOptions = {}): ConvertedModel {
  const stack = chooseStack(ck, discovery, options.stack);
  const mode = options.layers ?? 'builtin';
  const model = tf.sequential({name: 'checkpoint_gru'});
  // Layers are built (their weights allocated from the shapes found) only after every weight
  // was read from the file, so a file that declares huge shapes without the bytes fails on its
  // read, with a typed error, before anything is allocated from the declared sizes.
  const toAdd: tf.layers.Layer[] = [];
  const setters: Array<{read: () => tf.Tensor[]; set: (w: tf.Tensor[]) => void}> = [];
  const layers: ConvertedLayer[] = [];
  let needsTfjsGru = false;
  for (const l of stack.layers) {
    const inputShape = l.index === 0 ? [null as unknown as number, l.inputSize] : undefined;
    const fw = l.cells[0];
    let className: string;
    if (l.bidirectional) {
      const inner = gruLayer(ck, fw, mode, `gru_${l.index}`, undefined, options.zeroOutputForMask);
      const bw = gruLayer(ck, l.cells[1], mode, `gru_${l.index}_bw_weights`, undefined, options.zeroOutputForMask);
      const bi = tf.layers.bidirectional({layer: inner.layer as any, mergeMode: 'concat', name: `bidirectional_${l.index}`,
        ...(inputShape ? {inputShape} : {})});
      toAdd.push(bi);
      setters.push({read: () => [...inner.weights(), ...bw.weights()], set: (w) => bi.setWeights(w)});
      className = `Bidirectional(${inner.className})`;
      needsTfjsGru = needsTfjsGru || inner.className !== 'GRU';
    } else {
      const g = gruLayer(ck, fw, mode, `gru_${l.index}`, inputShape, options.zeroOutputForMask);
      toAdd.push(g.layer);
      setters.push({read: g.weights, set: (w) => g.layer.setWeights(w)});
      className = g.className;
      needsTfjsGru = needsTfjsGru || g.className !== 'GRU';
      if (fw.direction === 'reverse') {
        // goBackwards returns outputs in processing order; a reverse RNN's are in input order
        toAdd.push(reverseTime({name: `reverse_time_${l.index}`}));
        className = `${g.className}(goBackwards) + ReverseTime`;
        needsTfjsGru = true;
      }
    }
    layers.push({index: l.index, className, bidirectional: l.bidirectional, inputSize: l.inputSize, units: fw.units,
      cellType: fw.cellType, layout: fw.layout, resetAfter: fw.resetAfter, scopes: l.cells.map((c) => c.scope)});
  }
  let outputSize = stack.outputSize;
  if (stack.dense != null) {
    const dn = stack.dense;
    const dense = tf.layers.dense({units: dn.units, useBias: dn.variables.bias != null, name: 'dense', kernelInitializer: 'zeros'});
    toAdd.push(dense);
    setters.push({read: () => tf.tidy(() => {
      const kernel = dn.transposedKernel ? tf.transpose(ck.read(dn.variables.kernel)) : ck.read(dn.variables.kernel);
      return [kernel, ...(dn.variables.bias != null ? [ck.read(dn.variables.bias)] : [])];
    }), set: (w) => dense.setWeights(w)});
    outputSize = dn.units;
  }
  const values: tf.Tensor[][] = [];
  try {
    for (const s of setters) values.push(s.read());
    for (const layer of toAdd) model.add(layer);
    setters.forEach((s, i) => s.set(values[i]));
  } catch (e) {
    disposeModel(model);
    throw e;
  } finally {
    tf.dispose(values);
  }
  const description: ConversionDescription = {
    stack: stack.name, inputShape: [null, null, stack.inputSize], outputShape: [null, null, outputSize], layers,
    dense: stack.dense == null ? null : {scope: stack.dense.scope, inputSize: stack.dense.inputSize, units: stack.dense.units, activation: 'linear'},
    needsTfjsGru, check: null,
  };
  if (options.check !== false) {
    try {
      description.check = checkAgainstReference(ck, stack, model, options.seed ?? 1, options.tolerance ?? 1e-5);
    } catch (e) {
      model.dispose();  // a check that throws leaves no model behind
      throw e;
    }
  }
  return {model, description, discovery};
}
