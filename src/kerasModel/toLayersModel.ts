/**
 * A tfjs LayersModel from a Keras model file. By default the whole model: its config
 * translated into the topology tfjs-layers deserializes (./topology/), every layer mapped
 * exactly or refused (one error listing every refused layer), the weights from the file, and
 * a self-check of each layer that has an independent reference (./topology/selfCheck.ts).
 * With mode 'gru-stack' (or a named stack) only the GRU stack (and the linear Dense after it)
 * is converted, as for checkpoints, and the layers left out are listed with the reason.
 */
import * as tf from '@tensorflow/tfjs';

import {checkAgainstReference, chooseStack, ConversionDescription, ConvertedLayer, gruStackToLayersModel, ModelCheck,
        ToLayersModelOptions} from '../gruStackModel/toLayersModel';
import {KerasFile} from '../io/keras/kerasFile';
import {ConversionError} from '../io/modelFileError';
import {KerasModelPlan, planKerasModel} from './findKerasGrus';
import {buildKerasModel} from './topology/buildModel';
import {LayerCheckReport, selfCheck} from './topology/selfCheck';
import {storedWeights} from './topology/storedWeights';

/**
 * Options of {@link kerasToLayersModel}: those of checkpoints, and which conversion.
 * @category Conversion
 */
export interface KerasToLayersModelOptions extends ToLayersModelOptions {
  /** 'whole-model' (default): the whole model, or an error listing every layer that cannot be converted exactly; 'gru-stack': the GRU stack alone. */
  mode?: 'whole-model' | 'gru-stack';
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
  converted: Array<{name: string; className: string; as: string; notes?: string[]}>;
  leftOut: LeftOutLayer[];
  /** Whole model: Keras 3 operations dropped because they only compute masks tfjs propagates itself. */
  droppedMaskOps?: string[];
  /** Whole model: the layers checked against an independent reference, and those that could not be. */
  layerCheck?: LayerCheckReport;
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
  plan: KerasModelPlan | null;
  /** Checks `model` (e.g. the converted one as loaded back) against the reference on the file's tensors. */
  check(model: tf.LayersModel, seed?: number, tolerance?: number): ModelCheck;
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
      const reason = seen ? 'after the converted GRU stack' : 'before the converted GRU stack';
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

/** The GRU layers of the whole model as the common description lists them (from the GRU discovery, when there is one). */
function gruLayers(plan: KerasModelPlan | undefined, converted: KerasConversionInfo['converted']): ConvertedLayer[] {
  const out: ConvertedLayer[] = [];
  for (const p of plan?.layers ?? []) {
    if (p.kind !== 'gru') continue;
    const c0 = p.cells[0].found;
    out.push({index: out.length, className: converted.find((c) => c.name === p.layer.name)?.as ?? '?', bidirectional: p.bidirectional,
      inputSize: c0.inputSize, units: c0.units, cellType: c0.cellType, layout: c0.layout, resetAfter: c0.resetAfter,
      scopes: p.cells.map((c) => c.found.scope)});
  }
  return out;
}

async function wholeModel(kf: KerasFile, options: KerasToLayersModelOptions, plan?: KerasModelPlan): Promise<KerasConvertedModel> {
  const {model, translation, converted} = await buildKerasModel(kf);
  const stored = storedWeights(kf, translation.model);
  const tolerance0 = options.tolerance ?? 1e-5;
  const info: KerasConversionInfo = {mode: 'whole-model', kind: kf.kind, kerasVersion: kf.kerasVersion, modelClass: kf.config.class_name,
    wholeModelProblem: null, converted, leftOut: [],
    droppedMaskOps: translation.model.droppedMaskOps};
  const check = (m: tf.LayersModel, seed = options.seed ?? 1, tolerance = tolerance0): ModelCheck => {
    const r = selfCheck(kf, translation, stored, m, seed);
    info.layerCheck = r;
    const input = (m.inputs[0].shape as Array<number | null>).map((d, j) => d ?? (j === 0 ? 2 : 5));
    return {input, maxAbsError: r.maxAbsError, tolerance, pass: r.maxAbsError <= tolerance};
  };
  const shape = (s: any) => (Array.isArray(s[0]) || s[0] === undefined ? s[0] ?? [] : s) as Array<number | null>;
  const description: KerasConversionDescription = {
    stack: '', inputShape: shape(model.inputs[0].shape), outputShape: shape(model.outputs[0].shape), layers: gruLayers(plan, converted), dense: null,
    needsTfjsGru: converted.some((c) => /KerasGRU|CausalConv1D/.test(c.as)), check: null, keras: info,
  };
  if (options.check !== false) {
    try {
      description.check = check(model);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return {model, description, plan: plan ?? null, check};
}

/**
 * Builds the LayersModel of a Keras model file (see the module comment).
 * @category Conversion
 */
export async function kerasToLayersModel(kf: KerasFile, options: KerasToLayersModelOptions = {}, plan?: KerasModelPlan): Promise<KerasConvertedModel> {
  if ((options.mode ?? 'whole-model') === 'whole-model' && options.stack == null) return wholeModel(kf, options, plan);
  plan = plan ?? planKerasModel(kf);
  if (plan.discovery.grus.length === 0) {
    throw new ConversionError('NO_GRU', kf.file, `no GRU layer among the model's ${plan.layers.length} layers (${
      plan.layers.map((p) => `${p.layer.name}: ${p.layer.className}`).join(', ')})`);
  }
  const why = options.stack != null ? `the GRU stack '${options.stack}' was asked for` : 'the GRU stack was asked for (--gru-stack)';
  if (plan.discovery.stacks.every((s) => s.problem != null) && plan.discovery.stacks.length === 1) {
    throw new ConversionError('UNSUPPORTED', kf.file, `the GRU stack '${plan.discovery.stacks[0].name}' does not convert exactly: ${plan.discovery.stacks[0].problem}`);
  }
  return stackOnly(kf, plan, options, why);
}
