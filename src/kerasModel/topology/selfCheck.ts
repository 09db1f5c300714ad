/**
 * The self-check of a whole-model conversion: each layer that has an independent reference
 * (GRU of either convention as the unfused textbook GRUs of src/unfused/; LSTM, SimpleRNN,
 * Conv1D, BatchNormalization and LayerNormalization written out in ./referenceLayers.ts; Bidirectional
 * around those; Dense as a matmul; Activation through src/math/activations) is run on the
 * input that reaches it in the converted model, with the file's own weights, and compared
 * with what the converted layer outputs. Layers without such a reference, or that a mask
 * reaches, or that are shared or nested, are listed as not checked independently.
 */
import * as tf from '@tensorflow/tfjs';

import {CHECK_MAX_STEPS} from '../../gruStackModel/toLayersModel';

import {explicitWeights} from '../../gruStackModel/checkAgainstUnfused';
import type {FoundGru} from '../../discovery/findGrus';
import {KerasFile} from '../../io/keras/kerasFile';
import {getActivation} from '../../math/activations';
import {unfusedGru} from '../../unfused/unfusedGru';
import {unfusedResetAfterGru} from '../../unfused/unfusedResetAfterGru';
import {batchNormReference, conv1dReference, layerNormReference, lstmReference, simpleRnnReference} from './referenceLayers';
import {Json} from './serialized';
import {StoredLayer} from './storedWeights';
import {TranslatedLayer, Translation} from './translate';

/**
 * The outcome of the self-check.
 * @category Conversion
 */
export interface LayerCheckReport {
  /** Layers compared with an independent reference, and their max |error|. */
  checked: Array<{name: string; className: string; maxAbsError: number}>;
  /** Layers with no independent reference here, and why. */
  notChecked: Array<{name: string; className: string; why: string}>;
  maxAbsError: number;
}

function act(name: unknown): (x: tf.Tensor) => tf.Tensor {
  const n = typeof name === 'string' ? name : 'linear';
  if (n === 'softmax') return (x) => tf.softmax(x, -1);
  return getActivation(n);  // throws for a name it lacks: the layer is then reported as not checked
}

/** The tfjs layer config as written in the topology (pythonic keys), by layer name. */
function topologyConfigs(topology: Json): Map<string, Json> {
  const layers: Json[] = topology.config?.layers ?? [];
  return new Map(layers.map((l) => [l.config?.name ?? l.name, l]));
}

function gruReference(kf: KerasFile, cfg: Json, weights: StoredLayer['weights'], x: tf.Tensor3D, goBackwards: boolean): tf.Tensor3D | null {
  if (weights.length !== 3) return null;
  const [k, rk, b] = weights as [StoredLayer['weights'][0], StoredLayer['weights'][0], StoredLayer['weights'][0]];
  const resetAfter = b.shape.length === 2;
  const u = rk.shape[0];
  const found = {layout: resetAfter ? 'keras-reset-after' : 'keras', inputSize: k.shape[0], units: u, scope: '', resetAfter,
    variables: {kernel: k.path, recurrent_kernel: rk.path, bias: b.path}} as unknown as FoundGru;
  const e = explicitWeights(kf, found);
  const h0 = tf.zeros([x.shape[0], u]) as tf.Tensor2D;
  const options = {goBackwards, activation: act(cfg.activation ?? 'tanh'), recurrentActivation: act(cfg.recurrent_activation ?? 'sigmoid')};
  const out = e.resetAfter ? unfusedResetAfterGru(x, h0, e.w, options).outputs : unfusedGru(x, h0, e.w, options).outputs;
  return out;
}

/** A recurrent layer's outputs ([B, T, U], processing order) from its reference, or why there is none. */
function rnnReference(kf: KerasFile, cls: string, cfg: Json, ws: StoredLayer['weights'], x: tf.Tensor3D, goBackwards: boolean): tf.Tensor3D | string {
  if (cls === 'GRU' || cls === 'KerasGRU') {
    return gruReference(kf, cfg, ws, x, goBackwards) ?? 'use_bias=False (the reference takes a bias)';
  }
  const read = (i: number) => (ws[i] == null ? null : kf.read(ws[i].path));
  if (cls === 'LSTM') {
    return lstmReference(x, read(0) as tf.Tensor2D, read(1) as tf.Tensor2D, read(2) as tf.Tensor1D | null,
        act(cfg.activation ?? 'tanh'), act(cfg.recurrent_activation ?? 'sigmoid'), goBackwards);
  }
  if (cls === 'SimpleRNN') {
    return simpleRnnReference(x, read(0) as tf.Tensor2D, read(1) as tf.Tensor2D, read(2) as tf.Tensor1D | null, act(cfg.activation ?? 'tanh'), goBackwards);
  }
  return `no independent reference for ${cls}`;
}

function lastStep(o: tf.Tensor3D): tf.Tensor2D {
  return o.slice([0, o.shape[1] - 1, 0], [o.shape[0], 1, o.shape[2]]).reshape([o.shape[0], o.shape[2]]);
}

/** The reference output of one layer for input x, or the reason there is none. */
function reference(kf: KerasFile, l: TranslatedLayer, entry: Json, stored: StoredLayer | undefined, x: tf.Tensor): tf.Tensor | string {
  const cfg: Json = entry.config ?? {};
  const ws = stored?.weights ?? [];
  switch (l.kerasClass) {
    case 'Dense': {
      if (ws.length === 0) return 'no weights';
      const k = kf.read(ws[0].path) as tf.Tensor2D;
      let y: tf.Tensor = tf.matMul(x.reshape([-1, x.shape[x.rank - 1] as number]) as tf.Tensor2D, k);
      if (ws[1] != null) y = tf.add(y, kf.read(ws[1].path));
      return act(cfg.activation)(y.reshape([...x.shape.slice(0, -1), k.shape[1]]));
    }
    case 'Activation':
      return act(cfg.activation)(x);
    case 'GRU': case 'LSTM': case 'SimpleRNN': {
      if (x.rank !== 3) return 'input is not [batch, time, features]';
      const o = rnnReference(kf, l.kerasClass, cfg, ws, x as tf.Tensor3D, cfg.go_backwards === true);
      if (typeof o === 'string') return o;
      return cfg.return_sequences ? o : lastStep(o);
    }
    case 'Conv1D': {
      if (x.rank !== 3 || (cfg.data_format ?? 'channels_last') !== 'channels_last') return 'channels_first (the reference is channels last)';
      const one = (v: unknown) => Number(Array.isArray(v) ? v[0] : v ?? 1);
      const y = conv1dReference(x as tf.Tensor3D, kf.read(ws[0].path) as tf.Tensor3D, ws[1] != null ? kf.read(ws[1].path) as tf.Tensor1D : null,
          one(cfg.strides), one(cfg.dilation_rate), String(cfg.padding ?? 'valid'));
      return act(cfg.activation)(y);
    }
    case 'BatchNormalization': {
      const n = (cfg.scale !== false ? 1 : 0) + (cfg.center !== false ? 1 : 0);
      if (ws.length !== n + 2) return `expected ${n + 2} weights, the file has ${ws.length}`;
      const gamma = cfg.scale !== false ? kf.read(ws[0].path) : null;
      const beta = cfg.center !== false ? kf.read(ws[n - 1].path) : null;
      return batchNormReference(x, gamma, beta, kf.read(ws[n].path), kf.read(ws[n + 1].path), Number(cfg.epsilon ?? 1e-3));
    }
    case 'LayerNormalization': {
      const axes = (Array.isArray(cfg.axis) ? cfg.axis : [cfg.axis ?? -1]).map(Number);
      const gamma = cfg.scale !== false ? kf.read(ws[0].path) : null;
      const beta = cfg.center !== false ? kf.read(ws[cfg.scale !== false ? 1 : 0].path) : null;
      return layerNormReference(x, axes, gamma, beta, Number(cfg.epsilon ?? 1e-3));
    }
    case 'Bidirectional': {
      const inner = cfg.layer ?? {};
      if (x.rank !== 3) return 'input is not [batch, time, features]';
      const ic = inner.config ?? {};
      const half = ws.length / 2;
      const fw = rnnReference(kf, inner.class_name, ic, ws.slice(0, half), x as tf.Tensor3D, false);
      const bw = rnnReference(kf, inner.class_name, ic, ws.slice(half), x as tf.Tensor3D, true);
      if (typeof fw === 'string') return fw;
      if (typeof bw === 'string') return bw;
      const [a, b] = ic.return_sequences ? [fw, tf.reverse(bw, 1)] : [lastStep(fw), lastStep(bw)];
      const mode = cfg.merge_mode;
      return mode === 'concat' ? tf.concat([a, b], -1) : mode === 'sum' ? tf.add(a, b) : mode === 'mul' ? tf.mul(a, b) :
        mode === 'ave' ? tf.div(tf.add(a, b), 2) : 'merge_mode None (two outputs)';
    }
    default:
      return `no independent reference for ${l.kerasClass}`;
  }
}

/** The most elements the check feeds one input: a config's declared dims never size the check alone (issue 20). */
const CHECK_MAX_ELEMENTS = 1 << 22;

/**
 * Seeded inputs for the model: floats in [-1, 1), token ids in [1, vocab) for int32 inputs; unknown dims 2 (batch)
 * and 5. Where the declared dims would exceed {@link CHECK_MAX_ELEMENTS} (a config declaring a time dimension of 1e8),
 * the time axis is cut to {@link CHECK_MAX_STEPS} steps.
 */
export function checkInputs(model: tf.LayersModel, seed: number): tf.Tensor[] {
  const vocab = Math.min(...model.layers.filter((l) => l.getClassName() === 'Embedding').map((l) => (l as any).inputDim as number), 1e9);
  return model.inputs.map((inp, i) => {
    let shape = inp.shape.map((d, j) => d ?? (j === 0 ? 2 : 5));
    if (shape.reduce((a, b) => a * b, 1) > CHECK_MAX_ELEMENTS && shape.length >= 3) {
      shape = shape.map((d, j) => (j === 1 ? Math.min(d, CHECK_MAX_STEPS) : d));
    }
    if (inp.dtype === 'int32') {
      const hi = Number.isFinite(vocab) && vocab < 1e9 ? vocab : 2;
      return tf.randomUniform(shape, Math.min(1, hi - 1), hi, 'int32', seed + i);
    }
    return tf.randomUniform(shape, -1, 1, 'float32', seed + i);
  });
}

/** The layer's max |error| against its reference on the input that reaches it in `model`, or why there is none. */
function probeLayer(kf: KerasFile, l: TranslatedLayer, entry: Json, stored: StoredLayer | undefined, model: tf.LayersModel,
                    layer: tf.layers.Layer, xs: tf.Tensor[]): number | string {
  return tf.tidy(() => {
    const probe = tf.model({inputs: model.inputs, outputs: [layer.input as tf.SymbolicTensor, layer.output as tf.SymbolicTensor]});
    const [x, y] = probe.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor[];
    let want: tf.Tensor | string;
    try {
      want = reference(kf, l, entry, stored, x);
    } catch (e) {
      want = `no independent reference: ${(e as Error).message}`;
    }
    if (typeof want === 'string') return want;
    return tf.max(tf.abs(tf.sub(want, y))).dataSync()[0];
  });
}

/** Runs the self-check on `model` (see the module comment). */
export function selfCheck(kf: KerasFile, t: Translation, stored: Map<string, StoredLayer>, model: tf.LayersModel, seed: number): LayerCheckReport {
  const report: LayerCheckReport = {checked: [], notChecked: [], maxAbsError: 0};
  const entries = topologyConfigs(t.topology);
  const xs = checkInputs(model, seed);
  try {
    for (const l of t.model.layers) {
      if (l.kerasClass === 'InputLayer') continue;
      const skip = (why: string) => report.notChecked.push({name: l.name, className: l.kerasClass, why});
      if (l.children != null) { skip('a nested model (its layers are not checked one by one)'); continue; }
      if (l.masked) { skip('a mask reaches it'); continue; }
      const layer = model.getLayer(l.name);
      if (layer.inboundNodes.length !== 1 || layer.inboundNodes[0].inputTensors.length !== 1 || Array.isArray(layer.output)) {
        skip('a shared layer, or one with several inputs or outputs');
        continue;
      }
      let err: number | string;
      try {
        err = probeLayer(kf, l, entries.get(l.name) ?? {}, stored.get(l.name), model, layer, xs);
      } catch (e) {
        err = `the probe failed: ${(e as Error).message}`;
      }
      if (typeof err === 'string') { skip(err); continue; }
      report.checked.push({name: l.name, className: l.kerasClass, maxAbsError: err});
      report.maxAbsError = Math.max(report.maxAbsError, err);
    }
  } finally {
    tf.dispose(xs);
  }
  return report;
}
