/**
 * A tfjs LayersModel from a Keras model file. When every layer is one this converter
 * maps exactly (Embedding, Masking, Dropout, SpatialDropout1D, Dense, Activation, GRU,
 * CuDNNGRU, Bidirectional(GRU)) and the model is one chain, the whole model is rebuilt
 * from its config with the file's weights ('whole-model'); otherwise only its GRU stack
 * (and the linear Dense after it) is converted, as for checkpoints ('gru-stack'), and the
 * layers left out are listed with the reason.
 *
 * Reset-before GRUs become tfjs's built-in GRU (recurrentActivation as in the file, not
 * tfjs's default hardSigmoid); reset-after GRUs and CuDNNGRU (its weights through
 * layout 'keras-cudnn') become this package's KerasGRU. The model is checked against
 * the layer-by-layer reference on the file's tensors (./reference.ts).
 */
import * as tf from '@tensorflow/tfjs';

import {CHECK_MAX_STEPS, checkAgainstReference, checkInput, chooseStack, ConversionDescription, ConvertedLayer, disposeModel, gruStackToLayersModel,
        judgeCheck, ModelCheck, predictForCheck, ToLayersModelOptions} from '../checkpointModel/toLayersModel';
import {KerasFile} from '../io/keras/kerasFile';
import {ConversionError} from '../io/modelFileError';
import {gru} from '../layers/kerasGru';
import {convertWeights} from '../weights/convert';
import {KerasGruCell, KerasModelPlan, PlannedLayer, planKerasModel} from './findKerasGrus';
import {kerasReferenceForward} from './reference';

/**
 * Options of {@link kerasToLayersModel}: those of checkpoints, and which conversion.
 * @category Conversion
 */
export interface KerasToLayersModelOptions extends ToLayersModelOptions {
  /** 'auto' (default): the whole model when it converts exactly, else the GRU stack; 'gru-stack': the stack only. */
  mode?: 'auto' | 'gru-stack';
}

/**
 * A layer of the Keras model that the converted model does not contain, and why.
 * @category Conversion
 */
export interface LeftOutLayer {
  name: string;
  className: string;
  reason: string;
}

/**
 * What a Keras conversion did beyond the common description.
 * @category Conversion
 */
export interface KerasConversionInfo {
  mode: 'whole-model' | 'gru-stack';
  kind: KerasFile['kind'];
  kerasVersion: string | null;
  modelClass: string;
  /** Why the whole model was not converted (mode 'gru-stack'), or null. */
  wholeModelProblem: string | null;
  /** Each Keras layer converted and the tfjs class it became. */
  converted: Array<{name: string; className: string; as: string}>;
  leftOut: LeftOutLayer[];
}

/**
 * The description of a Keras conversion: shapes may hold nulls (batch, time) and an Embedding model takes [batch, time].
 * @category Conversion
 */
export interface KerasConversionDescription extends Omit<ConversionDescription, 'inputShape' | 'outputShape'> {
  inputShape: Array<number | null>;
  outputShape: Array<number | null>;
  keras: KerasConversionInfo;
}

/**
 * What {@link kerasToLayersModel} returns: the model, its description, and the check to run on a loaded copy.
 * @category Conversion
 */
export interface KerasConvertedModel {
  model: tf.LayersModel;
  description: KerasConversionDescription;
  plan: KerasModelPlan;
  /** Checks `model` (e.g. the converted one as loaded back) against the reference on the file's tensors. */
  check(model: tf.LayersModel, seed?: number, tolerance?: number): ModelCheck;
}

type GruPlan = Extract<PlannedLayer, {kind: 'gru'}>;

function actName(a: {name: string} | {refused: string}): string {
  if (!('name' in a)) throw new Error(a.refused);  // planned layers with refused activations never reach here
  return a.name;
}

/** One GRU cell's tfjs layer and its weights in the order setWeights takes them. */
function gruCellLayer(kf: KerasFile, p: GruPlan, c: KerasGruCell, name: string, extra: Record<string, unknown>):
    {layer: tf.layers.Layer; weights: () => tf.Tensor[]; className: string} {
  const read = () => {
    const w: Record<string, tf.Tensor> = {kernel: kf.read(c.weights.kernel.path), recurrent_kernel: kf.read(c.weights.recurrent_kernel.path)};
    if (c.weights.bias) w.bias = kf.read(c.weights.bias.path);
    return w;
  };
  const common = {units: c.found.units, returnSequences: p.returnSequences, goBackwards: c.goBackwards, useBias: p.useBias, name,
    activation: actName(c.activation), recurrentActivation: actName(c.recurrentActivation),
    kernelInitializer: 'zeros', recurrentInitializer: 'zeros', ...extra} as any;
  const ordered = (w: Record<string, tf.Tensor>) => [w.kernel, w.recurrent_kernel, ...(w.bias ? [w.bias] : [])];
  if (p.zeroOutputForMask) {
    // Zeros at masked steps: only this package's layers have zeroOutputForMask (tfjs's GRU carries the output).
    common.zeroOutputForMask = true;
    if (c.found.layout === 'keras') return {layer: gru({...common, resetAfter: false}), className: 'KerasGRU', weights: () => ordered(read())};
  }
  if (c.found.layout === 'keras') {
    return {layer: tf.layers.gru(common), className: 'GRU', weights: () => ordered(read())};
  }
  const layer = gru({...common, resetAfter: true});
  if (c.found.layout === 'keras-cudnn') {
    return {layer, className: 'KerasGRU', weights: () => tf.tidy(() => ordered(convertWeights(read() as any, 'keras-cudnn', 'keras-reset-after') as any))};
  }
  return {layer, className: 'KerasGRU', weights: () => ordered(read())};
}

/** A seeded input for the check: random features (or token ids) with padded steps where the model masks. */
function kerasCheckInput(plan: KerasModelPlan, seed: number): tf.Tensor {
  const shape = plan.architecture.inputShape!;
  const time = Math.min(shape[0] ?? 7, CHECK_MAX_STEPS);  // never sized by a declared number alone
  const first = plan.layers[0];
  return tf.tidy(() => {
    if (first?.kind === 'embedding') {
      const n = first.embeddings.shape[0];
      const u = checkInput([2, time, 1], seed).dataSync();
      const ids = new Int32Array(2 * time);
      for (let i = 0; i < ids.length; i++) ids[i] = Math.min(n - 1, Math.max(first.maskZero ? 1 : 0, Math.floor((u[i] + 1) * n / 2)));
      if (first.maskZero && time > 2) ids[time - 2] = ids[time - 1] = 0;  // the first sample's last two steps padded
      return tf.tensor2d(ids, [2, time], 'int32');
    }
    let x: tf.Tensor = checkInput([2, time, shape[shape.length - 1] as number], seed);
    const masking = plan.layers.find((p) => p.kind === 'masking');
    if (masking != null && masking.kind === 'masking' && time > 2) {
      // the first sample's last two steps padded with the mask value
      const keep = tf.concat([tf.ones([1, time - 2, 1]), tf.zeros([1, 2, 1])], 1);
      const m = tf.concat([keep, tf.ones([1, time, 1])], 0);
      x = tf.add(tf.mul(x, m), tf.mul(tf.sub(1, m), masking.maskValue));
    }
    return x;
  });
}

function wholeModel(kf: KerasFile, plan: KerasModelPlan, options: KerasToLayersModelOptions): KerasConvertedModel {
  const arch = plan.architecture;
  const model = tf.sequential({name: 'keras_model'});
  const setters: Array<{read: () => tf.Tensor[]; set: (w: tf.Tensor[]) => void}> = [];
  const layers: ConvertedLayer[] = [];
  const converted: KerasConversionInfo['converted'] = [];
  let needsTfjsGru = false;
  let gruIndex = 0;
  const batchInputShape = [null, ...arch.inputShape!] as number[];
  // every weight is read (checked against the file's bytes) before any layer is built (issue 20)
  const toAdd: tf.layers.Layer[] = [];
  const withWeights = (layer: tf.layers.Layer, weights: () => tf.Tensor[]) => setters.push({read: weights, set: (w) => layer.setWeights(w)});
  // an explicit input layer: token ids stay int32 without making the first layer's weights int32
  model.add(tf.layers.inputLayer({batchInputShape, dtype: arch.inputDtype.startsWith('int') ? 'int32' : 'float32', name: 'input'}));
  plan.layers.forEach((p) => {
    const name = p.layer.name;
    let layer: tf.layers.Layer;
    let as: string;
    switch (p.kind) {
      case 'embedding':
        layer = tf.layers.embedding({inputDim: p.embeddings.shape[0], outputDim: p.embeddings.shape[1], maskZero: p.maskZero,
          embeddingsInitializer: 'zeros', name} as any);
        withWeights(layer, () => [kf.read(p.embeddings.path)]);
        as = 'Embedding';
        break;
      case 'masking':
        layer = tf.layers.masking({maskValue: p.maskValue, name} as any);
        as = 'Masking';
        break;
      case 'identity':
        layer = p.tfjsClass === 'Dropout' ? tf.layers.dropout({rate: p.rate, name} as any) :
          tf.layers.spatialDropout1d({rate: p.rate, name} as any);
        as = p.tfjsClass;
        break;
      case 'dense':
        layer = tf.layers.dense({units: p.kernel.shape[1], useBias: p.bias != null, activation: actName(p.activation) as any,
          kernelInitializer: 'zeros', name} as any);
        withWeights(layer, () => [kf.read(p.kernel.path), ...(p.bias ? [kf.read(p.bias.path)] : [])]);
        as = 'Dense';
        break;
      case 'activation':
        layer = tf.layers.activation({activation: actName(p.activation) as any, name} as any);
        as = 'Activation';
        break;
      case 'gru': {
        const fw = gruCellLayer(kf, p, p.cells[0], p.bidirectional ? `${name}_forward` : name, {});
        if (p.bidirectional) {
          const bw = gruCellLayer(kf, p, p.cells[1], `${name}_backward_weights`, {});
          layer = tf.layers.bidirectional({layer: fw.layer as any, mergeMode: p.mergeMode as any, name} as any);
          withWeights(layer, () => [...fw.weights(), ...bw.weights()]);
          as = `Bidirectional(${fw.className})`;
        } else {
          layer = fw.layer;
          withWeights(layer, fw.weights);
          as = fw.className;
        }
        needsTfjsGru = needsTfjsGru || fw.className !== 'GRU';
        const c0 = p.cells[0].found;
        layers.push({index: gruIndex++, className: as, bidirectional: p.bidirectional, inputSize: c0.inputSize, units: c0.units,
          cellType: c0.cellType, layout: c0.layout, resetAfter: c0.resetAfter, scopes: p.cells.map((c) => c.found.scope)});
        break;
      }
      default:
        throw new ConversionError('UNSUPPORTED', kf.file, `layer '${p.layer.name}': ${p.reason}`);
    }
    toAdd.push(layer);
    converted.push({name, className: p.layer.className, as});
  });
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
  const check = (m: tf.LayersModel, seed = options.seed ?? 1, tolerance = options.tolerance ?? 1e-5): ModelCheck => {
    const x = kerasCheckInput(plan, seed);
    const input = x.shape;
    let want: tf.Tensor | null = null;
    let got: tf.Tensor | null = null;
    try {
      want = kerasReferenceForward(kf, plan, x);
      got = predictForCheck(m, x);
      return judgeCheck(want, got, input, tolerance);
    } finally {
      tf.dispose([x, ...(want ? [want] : []), ...(got ? [got] : [])]);
    }
  };
  const outShape = (model.outputs[0].shape as Array<number | null>);
  const lastDense = [...plan.layers].reverse().find((p) => p.kind === 'dense');
  const description: KerasConversionDescription = {
    stack: plan.discovery.stacks.map((s) => s.name).join(', '),
    inputShape: batchInputShape, outputShape: outShape, layers,
    dense: plan.layers[plan.layers.length - 1]?.kind === 'dense' && lastDense?.kind === 'dense' && 'name' in lastDense.activation &&
        lastDense.activation.name === 'linear' ?
      {scope: lastDense.layer.name, inputSize: lastDense.kernel.shape[0], units: lastDense.kernel.shape[1], activation: 'linear'} : null,
    needsTfjsGru, check: null,
    keras: {mode: 'whole-model', kind: kf.kind, kerasVersion: kf.kerasVersion, modelClass: arch.modelClass, wholeModelProblem: null,
      converted, leftOut: []},
  };
  if (options.check !== false) {
    try {
      description.check = check(model);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return {model, description, plan, check};
}

function stackOnly(kf: KerasFile, plan: KerasModelPlan, options: KerasToLayersModelOptions, why: string | null): KerasConvertedModel {
  const stack = chooseStack(kf, plan.discovery, options.stack);
  const {model, description} = gruStackToLayersModel(kf, plan.discovery, options);
  const inStack = new Set(stack.layers.flatMap((l) => l.cells.map((c) => c.scope.split('/')[0])));
  if (stack.dense) inStack.add(stack.dense.scope);
  const converted: KerasConversionInfo['converted'] = [];
  const leftOut: LeftOutLayer[] = [];
  let seen = false;
  for (const p of plan.layers) {
    const n = p.layer.name;
    if (inStack.has(n)) {
      seen = true;
      const l = description.layers.find((x) => x.scopes.some((s) => s.split('/')[0] === n));
      converted.push({name: n, className: p.layer.className, as: l?.className ?? 'Dense'});
    } else if (p.kind === 'identity' && seen && !converted.some((c) => c.name === stack.dense?.scope)) {
      converted.push({name: n, className: p.layer.className, as: '(identity at inference)'});
    } else {
      const reason = p.kind === 'other' ? p.reason : seen ? 'after the converted GRU stack' : 'before the converted GRU stack';
      leftOut.push({name: n, className: p.layer.className, reason});
    }
  }
  return {
    model, plan,
    description: {...description, keras: {mode: 'gru-stack', kind: kf.kind, kerasVersion: kf.kerasVersion,
      modelClass: plan.architecture.modelClass, wholeModelProblem: why, converted, leftOut}},
    check: (m, seed = options.seed ?? 1, tolerance = options.tolerance ?? 1e-5) => checkAgainstReference(kf, stack, m, seed, tolerance),
  };
}

/**
 * Builds the LayersModel of a Keras model file (see the module comment).
 * @category Conversion
 */
export function kerasToLayersModel(kf: KerasFile, options: KerasToLayersModelOptions = {}, plan = planKerasModel(kf)): KerasConvertedModel {
  if (plan.discovery.grus.length === 0) {
    throw new ConversionError('NO_GRU', kf.file, `no GRU layer among the model's ${plan.layers.length} layers (${
      plan.layers.map((p) => `${p.layer.name}: ${p.layer.className}`).join(', ')})`);
  }
  if ((options.mode ?? 'auto') === 'auto' && plan.wholeModelProblem == null && options.stack == null) {
    return wholeModel(kf, plan, options);
  }
  const why = options.mode === 'gru-stack' ? 'the GRU stack was asked for' : plan.wholeModelProblem;
  if (plan.discovery.stacks.every((s) => s.problem != null) && plan.discovery.stacks.length === 1) {
    throw new ConversionError('UNSUPPORTED', kf.file, `neither the whole model (${why}) nor its GRU stack ` +
        `'${plan.discovery.stacks[0].name}' (${plan.discovery.stacks[0].problem}) converts exactly`);
  }
  return stackOnly(kf, plan, options, why);
}
