/**
 * One mapper per Keras layer class: a Keras 3 / tf.keras layer config → the config of the
 * tfjs-layers class that computes exactly the same function (in tf.keras's pythonic spelling,
 * which tf.models.modelFromJSON reads), or the reason there is none. Where tfjs's defaults or
 * semantics differ from Keras's, the mapper keeps Keras's: activations are copied explicitly
 * (recurrent_activation, Keras 3's hard_sigmoid refused), epsilons and axes are written out,
 * reset_after GRUs become this package's KerasGRU, and layers whose Keras behaviour under a
 * mask tfjs does not reproduce are refused when a mask reaches them.
 */
import * as tf from '@tensorflow/tfjs';

import {convertWeights} from '../../weights/convert';
import {tfjsActivation} from '../activations';
import {dtypeName, isSerialized, Json, tfjsConstraint, tfjsInitializer, tfjsRegularizer} from './serialized';

/** What a mapper knows beyond the config. */
export interface MapContext {
  /** Whether the file was written by Keras 3 (null: unknown). */
  keras3: boolean | null;
  /** Whether a Keras mask reaches the layer's input. */
  masked: boolean;
  /** Inside a Bidirectional with return_sequences under a mask: Keras then writes zeros at masked steps. */
  zeroOutputForMask?: boolean;
}

/** A layer as tfjs will build it. */
export interface MappedLayer {
  class_name: string;
  config: Json;
  /** The file's weights (in Keras's order) → the tensors tfjs's layer.weights takes, when they differ. */
  weights?: (stored: tf.Tensor[]) => tf.Tensor[];
  /** Facts the user should know (e.g. an initializer tfjs lacks, replaced; the weights come from the file). */
  notes: string[];
}

/** A mapper's answer: the layer, or every reason it cannot be converted exactly. */
export type MapResult = MappedLayer | {refused: string[]};

type Mapper = (cfg: Json, ctx: MapContext) => MapResult;

/** Keras 3 keys that carry nothing at inference, with the value that keeps them harmless (undefined: any). */
const DROPPED_KEYS: Record<string, unknown> = {
  quantization_config: null, lora_rank: null, lora_alpha: undefined, seed: undefined, use_cudnn: undefined,
  synchronized: undefined, optional: false, ragged: false, autocast: undefined, input_length: undefined,
};

/** The shared part of every mapper: name, trainable, dtype, initializers, regularizers, constraints, activations. */
function common(cfg: Json, ctx: MapContext, refused: string[], notes: string[]): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (k in DROPPED_KEYS) {
      const harmless = DROPPED_KEYS[k];
      if (harmless !== undefined && v != null && v !== harmless) refused.push(`${k}=${JSON.stringify(v)} has no tfjs equivalent`);
      continue;
    }
    if (k === 'dtype') {
      const d = dtypeName(v);
      if (d != null && d !== 'float32' && !/^u?int\d+$/.test(d)) refused.push(`dtype policy '${d}': tfjs-layers computes in float32`);
      if (d != null) out.dtype = d.startsWith('int') || d.startsWith('uint') ? 'int32' : d;
      continue;
    }
    if (k.endsWith('_initializer')) {
      const init = tfjsInitializer(v);
      if (init == null && v != null) {
        notes.push(`${k} ${isSerialized(v) ? v.class_name : JSON.stringify(v)} is not in tfjs: written as Zeros (the weights come from the file)`);
        out[k] = {class_name: 'Zeros', config: {}};
      } else {
        out[k] = init;
      }
      continue;
    }
    if (k.endsWith('_regularizer')) {
      const r = tfjsRegularizer(v);
      if (r === undefined) refused.push(`${k} ${isSerialized(v) ? v.class_name : JSON.stringify(v)} has no tfjs equivalent (it changes training)`);
      else out[k] = r;
      continue;
    }
    if (k.endsWith('_constraint')) {
      const c = tfjsConstraint(v);
      if (c === undefined) refused.push(`${k} ${isSerialized(v) ? v.class_name : JSON.stringify(v)} has no tfjs equivalent (it changes training)`);
      else out[k] = c;
      continue;
    }
    if (k === 'activation' || k === 'recurrent_activation') {
      const a = tfjsActivation(v ?? (k === 'activation' ? 'linear' : 'sigmoid'), ctx.keras3);
      if ('refused' in a) refused.push(`${k}: ${a.refused}`);
      else out[k] = a.name;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** A mapper from a function that edits the common config (and may refuse). */
function layer(tfjsClass: string | ((cfg: Json, ctx: MapContext) => string),
               edit?: (c: Json, refuse: (why: string) => void, ctx: MapContext, notes: string[]) => MappedLayer['weights'] | void): Mapper {
  return (cfg, ctx) => {
    const refused: string[] = [];
    const notes: string[] = [];
    const c = common(cfg, ctx, refused, notes);
    const weights = edit?.(c, (why) => refused.push(why), ctx, notes) ?? undefined;
    if (refused.length) return {refused};
    return {class_name: typeof tfjsClass === 'string' ? tfjsClass : tfjsClass(cfg, ctx), config: c, notes, ...(weights ? {weights} : {})};
  };
}

const requireDefault = (c: Json, refuse: (why: string) => void, key: string, ok: (v: any) => boolean, why: string) => {
  if (c[key] !== undefined && !ok(c[key])) refuse(`${key}=${JSON.stringify(c[key])}: ${why}`);
  delete c[key];
};

/** Keras's causal Conv1D → this package's CausalConv1D (tfjs's Conv1D throws on 'causal' at run time). */
function causalConv1D(c: Json, refuse: (why: string) => void): void {
  if ((c.data_format ?? 'channels_last') !== 'channels_last') refuse(`padding='causal' with data_format '${c.data_format}'`);
  if (!CAUSAL_ACTIVATIONS.has(c.activation ?? 'linear')) refuse(`padding='causal' with activation '${c.activation}' (CausalConv1D computes ${[...CAUSAL_ACTIVATIONS].join(', ')})`);
  for (const k of ['kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint']) {
    if (c[k] != null) refuse(`padding='causal' with ${k} (CausalConv1D has none)`);
    delete c[k];
  }
  delete c.data_format;
}

const CAUSAL_ACTIVATIONS = new Set(['linear', 'tanh', 'sigmoid', 'hardSigmoid', 'relu', 'relu6', 'elu', 'selu', 'softplus', 'softsign', 'swish']);

const conv = (cls: string): Mapper => layer((cfg) => (cls === 'Conv1D' && cfg.padding === 'causal' ? 'CausalConv1D' : cls), (c, refuse) => {
  if (cls === 'Conv1D' && c.padding === 'causal') causalConv1D(c, refuse);
  requireDefault(c, refuse, 'groups', (v) => v == null || v === 1, 'tfjs-layers has no grouped convolution');
  if (cls === 'SeparableConv2D' || cls === 'DepthwiseConv2D') {
    // Keras writes the unused kernel_* keys of its base class; tfjs refuses them
    for (const k of ['kernel_initializer', 'kernel_regularizer', 'kernel_constraint']) delete c[k];
  }
  if (cls === 'Conv2DTranspose' || cls === 'Conv3DTranspose') {
    requireDefault(c, refuse, 'output_padding', (v) => v == null, 'tfjs-layers has no output_padding');
  }
});

const pooling = (cls: string): Mapper => layer(cls);

const globalPooling = (cls: string): Mapper => layer(cls, (c, refuse, ctx) => {
  requireDefault(c, refuse, 'keepdims', (v) => v === false, 'tfjs-layers has no keepdims');
  if (ctx.masked && cls === 'GlobalAveragePooling1D') {
    refuse('a mask reaches it: Keras averages over the unmasked steps only, tfjs-layers over all steps');
  }
});

/**
 * tfjs-layers' elementwise merges compute the output mask as the first input's mask with an extra
 * leading axis ([1, batch, time]; Keras ANDs all of them into [batch, time]), which the RNNs after
 * them cannot take: refused when a mask reaches them (Concatenate computes Keras's mask).
 */
const merge = (cls: string): Mapper => layer(cls, (c, refuse, ctx) => {
  if (ctx.masked) refuse(`a mask reaches it: tfjs-layers' ${cls} computes the output mask wrongly (the first input's, shaped [1, batch, time])`);
});

function oneAxis(v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

/** The activation of an RNN config as Keras computes it; Keras ≥ 2.3 and Keras 3 default recurrent_activation to sigmoid. */
function rnnCommon(cls: 'GRU' | 'LSTM' | 'SimpleRNN', c: Json, refuse: (why: string) => void, ctx: MapContext): void {
  requireDefault(c, refuse, 'time_major', (v) => v === false, 'inputs must be [batch, time, features]');
  if (c.stateful === true) refuse('stateful=True: a state carried across calls');
  const zero = c.zero_output_for_mask === true || ctx.zeroOutputForMask === true;
  delete c.zero_output_for_mask;
  if (ctx.masked && zero && cls !== 'GRU') {
    refuse(`a mask reaches it and Keras writes zeros at masked steps (${ctx.zeroOutputForMask ? 'inside Bidirectional with return_sequences' :
      'zero_output_for_mask=True'}); tfjs-layers' ${cls} carries the previous output there`);
  }
  if (zero && ctx.masked) c.zero_output_for_mask = true;
  if (cls === 'SimpleRNN') delete c.recurrent_activation;
}

const MAPPERS: Record<string, Mapper> = {
  InputLayer: (cfg) => {
    const shape = cfg.batch_shape ?? cfg.batch_input_shape ?? (Array.isArray(cfg.shape) ? [null, ...cfg.shape] : null);
    const refused: string[] = [];
    if (!Array.isArray(shape)) refused.push('no batch_shape: the input shape is unknown');
    if (cfg.sparse === true) refused.push('sparse=True: tfjs has no sparse tensors');
    if (cfg.ragged === true) refused.push('ragged=True: tfjs has no ragged tensors');
    if (refused.length) return {refused};
    const d = dtypeName(cfg.dtype) ?? 'float32';
    return {class_name: 'InputLayer', notes: [],
      config: {batch_input_shape: shape, dtype: /int/.test(d) ? 'int32' : 'float32', sparse: false, name: cfg.name}};
  },
  Dense: layer('Dense'),
  Activation: layer('Activation'),
  Conv1D: conv('Conv1D'), Conv2D: conv('Conv2D'), Conv3D: conv('Conv3D'), Conv2DTranspose: conv('Conv2DTranspose'),
  Conv3DTranspose: conv('Conv3DTranspose'), SeparableConv2D: conv('SeparableConv2D'), DepthwiseConv2D: conv('DepthwiseConv2D'),
  MaxPooling1D: pooling('MaxPooling1D'), MaxPooling2D: pooling('MaxPooling2D'), MaxPooling3D: pooling('MaxPooling3D'),
  AveragePooling1D: pooling('AveragePooling1D'), AveragePooling2D: pooling('AveragePooling2D'), AveragePooling3D: pooling('AveragePooling3D'),
  MaxPool1D: pooling('MaxPooling1D'), MaxPool2D: pooling('MaxPooling2D'), AvgPool1D: pooling('AveragePooling1D'), AvgPool2D: pooling('AveragePooling2D'),
  GlobalAveragePooling1D: globalPooling('GlobalAveragePooling1D'), GlobalAveragePooling2D: globalPooling('GlobalAveragePooling2D'),
  GlobalMaxPooling1D: globalPooling('GlobalMaxPooling1D'), GlobalMaxPooling2D: globalPooling('GlobalMaxPooling2D'),
  GlobalAvgPool1D: globalPooling('GlobalAveragePooling1D'), GlobalAvgPool2D: globalPooling('GlobalAveragePooling2D'),
  GlobalMaxPool1D: globalPooling('GlobalMaxPooling1D'), GlobalMaxPool2D: globalPooling('GlobalMaxPooling2D'),
  BatchNormalization: layer('BatchNormalization', (c, refuse) => {
    c.axis = oneAxis(c.axis ?? -1);
    if (Array.isArray(c.axis)) refuse(`axis ${JSON.stringify(c.axis)}: tfjs normalizes over one axis`);
    requireDefault(c, refuse, 'renorm', (v) => v === false, 'batch renormalization is not in tfjs');
    requireDefault(c, refuse, 'virtual_batch_size', (v) => v == null, 'not in tfjs');
    requireDefault(c, refuse, 'adjustment', (v) => v == null, 'not in tfjs');
    for (const k of ['renorm_clipping', 'renorm_momentum', 'fused']) delete c[k];
    c.epsilon = c.epsilon ?? 1e-3;
  }),
  LayerNormalization: layer('LayerNormalization', (c, refuse) => {
    requireDefault(c, refuse, 'rms_scaling', (v) => v === false, 'RMS scaling is not in tfjs');
    c.axis = c.axis ?? -1;
    c.epsilon = c.epsilon ?? 1e-3;
  }),
  GRU: layer((cfg, ctx) => gruClass(cfg, ctx), (c, refuse, ctx) => {
    rnnCommon('GRU', c, refuse, ctx);
    c.reset_after = c.reset_after ?? true;  // written out: KerasGRU (and registerKerasGru's 'GRU') defaults to true
  }),
  CuDNNGRU: (cfg, ctx) => {
    const m = MAPPERS.GRU({...cfg, activation: 'tanh', recurrent_activation: 'sigmoid', reset_after: true, use_bias: true}, ctx);
    if ('refused' in m) return m;
    return {...m, class_name: 'KerasGRU', weights: (w) => {
      const out = convertWeights({kernel: w[0], recurrent_kernel: w[1], bias: w[2]} as any, 'keras-cudnn', 'keras-reset-after') as any;
      return [out.kernel, out.recurrent_kernel, out.bias];
    }};
  },
  LSTM: layer('LSTM', (c, refuse, ctx, notes) => {
    rnnCommon('LSTM', c, refuse, ctx);
    if (c.unit_forget_bias !== false) {
      // tfjs-layers' initializer for it leaks 4 tensors per LSTM built (its CustomInit); it only initializes
      notes.push('unit_forget_bias written as false: an initializer only (the weights come from the file), and tfjs-layers leaks tensors with it');
      c.unit_forget_bias = false;
    }
  }),
  SimpleRNN: layer('SimpleRNN', (c, refuse, ctx) => rnnCommon('SimpleRNN', c, refuse, ctx)),
  Embedding: layer('Embedding', (c, refuse) => {
    requireDefault(c, refuse, 'sparse', (v) => v === false, 'tfjs has no sparse gradients');
  }),
  Masking: layer('Masking'),
  Dropout: layer('Dropout', (c, refuse) => requireDefault(c, refuse, 'noise_shape', (v) => v == null, 'tfjs Dropout has no noise_shape')),
  SpatialDropout1D: layer('SpatialDropout1D'),
  GaussianDropout: layer('GaussianDropout'),
  GaussianNoise: layer('GaussianNoise'),
  AlphaDropout: layer('AlphaDropout', (c, refuse) => requireDefault(c, refuse, 'noise_shape', (v) => v == null, 'not in tfjs')),
  ReLU: layer('ReLU', (c, refuse) => {
    requireDefault(c, refuse, 'negative_slope', (v) => Number(v) === 0, "tfjs's ReLU has no negative slope");
    requireDefault(c, refuse, 'threshold', (v) => Number(v) === 0, "tfjs's ReLU has no threshold");
  }),
  LeakyReLU: layer('LeakyReLU', (c) => {
    c.alpha = c.negative_slope ?? c.alpha ?? 0.3;
    delete c.negative_slope;
  }),
  PReLU: layer('PReLU'),
  ELU: layer('ELU', (c, refuse) => {
    c.alpha = c.alpha ?? 1.0;
    if (Number(c.alpha) !== 1) refuse(`alpha=${c.alpha}: tfjs-layers' ELU layer computes alpha=1 only`);
  }),
  ThresholdedReLU: layer('ThresholdedReLU'),
  Softmax: layer('Softmax', (c, refuse, ctx) => {
    c.axis = oneAxis(c.axis ?? -1);
    if (ctx.masked) refuse('a mask reaches it: Keras gives masked positions no weight, tfjs ignores the mask');
  }),
  Add: merge('Add'), Multiply: merge('Multiply'), Average: merge('Average'), Maximum: merge('Maximum'), Minimum: merge('Minimum'),
  Concatenate: layer('Concatenate', (c) => {
    c.axis = c.axis ?? -1;
  }),
  Dot: layer('Dot', (c, refuse, ctx) => {
    if (ctx.masked) refuse('a mask reaches it (Keras drops it; tfjs-layers refuses masks here)');
  }),
  Flatten: layer('Flatten'),
  Reshape: layer('Reshape'),
  Permute: layer('Permute'),
  RepeatVector: layer('RepeatVector'),
  Cropping2D: layer('Cropping2D'),
  ZeroPadding2D: layer('ZeroPadding2D'),
  UpSampling2D: layer('UpSampling2D', (c, refuse) => {
    // tfjs resizes bilinearly without half-pixel centers (Keras's tf.image.resize uses them): measured 1.7e-2 apart
    if (c.interpolation != null && c.interpolation !== 'nearest') {
      refuse(`interpolation '${c.interpolation}': tfjs-layers' UpSampling2D samples ${c.interpolation === 'bilinear' ? 'without half-pixel centers, unlike Keras' : 'nearest or bilinear only'}`);
    }
  }),
  Rescaling: layer('Rescaling'),
};

function gruClass(cfg: Json, ctx: MapContext): string {
  const resetAfter = cfg.reset_after ?? true;
  return resetAfter || (ctx.masked && (cfg.zero_output_for_mask === true || ctx.zeroOutputForMask === true)) ? 'KerasGRU' : 'GRU';
}

/** Why tfjs-layers cannot express a Keras class that has no mapper. */
const NOT_IN_TFJS: Record<string, string> = {
  Lambda: 'a Lambda layer holds Python code, which cannot run in TensorFlow.js',
  TFOpLambda: 'a TensorFlow operation recorded as a layer (Python code)',
  SlicingOpLambda: 'a TensorFlow slicing operation recorded as a layer (Python code)',
  Subtract: 'tfjs-layers has no Subtract layer',
  Cropping1D: 'tfjs-layers has no Cropping1D', ZeroPadding1D: 'tfjs-layers has no ZeroPadding1D',
  UpSampling1D: 'tfjs-layers has no UpSampling1D', SeparableConv1D: 'tfjs-layers has no SeparableConv1D',
  DepthwiseConv1D: 'tfjs-layers has no DepthwiseConv1D', Conv1DTranspose: 'tfjs-layers has no Conv1DTranspose',
  SpatialDropout2D: 'tfjs-layers has no SpatialDropout2D', SpatialDropout3D: 'tfjs-layers has no SpatialDropout3D',
  Attention: 'tfjs-layers has no Attention layer', AdditiveAttention: 'tfjs-layers has no AdditiveAttention layer',
  MultiHeadAttention: "tfjs-layers' MultiHeadAttention is not exported as a deserializable layer",
  GroupNormalization: 'tfjs-layers has no GroupNormalization', UnitNormalization: 'tfjs-layers has no UnitNormalization',
  CuDNNLSTM: 'CuDNNLSTM is not converted (only CuDNNGRU)', ConvLSTM1D: 'tfjs-layers has no ConvLSTM1D',
};

/** The mapper of a Keras class, or null. */
export function mapperOf(className: string): Mapper | null {
  return MAPPERS[className] ?? null;
}

/** Why a class without a mapper is refused. */
export function whyNotMapped(className: string, module: unknown): string {
  if (className in NOT_IN_TFJS) return NOT_IN_TFJS[className];
  const where = typeof module === 'string' && module !== '' ? ` (module ${module})` : '';
  return `${className}${where} is a custom layer or one tfjs-layers does not implement`;
}

/** Layers through which tfjs and Keras both pass a mask on unchanged. */
const MASK_PASS = new Set(['Dense', 'Activation', 'Dropout', 'SpatialDropout1D', 'GaussianDropout', 'GaussianNoise', 'AlphaDropout',
  'BatchNormalization', 'LayerNormalization', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'TimeDistributed',
  'Add', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Rescaling']);

/** Layers that take a mask and use it (or end it) the same way in Keras and tfjs. */
const MASK_USE = new Set(['LSTM', 'GRU', 'SimpleRNN', 'CuDNNGRU', 'Bidirectional', 'Masking', 'Embedding', 'GlobalAveragePooling1D', 'Softmax', 'Dot']);

/**
 * Whether Keras's mask survives this layer (its output carries one), and whether the layer
 * can take a mask at all in tfjs (else a masked input is refused: Keras 3 silently drops the
 * mask there, tfjs-layers throws).
 */
export function maskFlow(className: string, cfg: Json, inputMasked: boolean): {outMasked: boolean; acceptsMask: boolean} {
  if (className === 'Embedding') return {outMasked: cfg.mask_zero === true, acceptsMask: true};
  if (className === 'Masking') return {outMasked: true, acceptsMask: true};
  if (['LSTM', 'GRU', 'SimpleRNN', 'CuDNNGRU'].includes(className)) return {outMasked: inputMasked && cfg.return_sequences === true, acceptsMask: true};
  if (className === 'Bidirectional') {
    const inner = cfg.layer?.config ?? {};
    return {outMasked: inputMasked && inner.return_sequences === true, acceptsMask: true};
  }
  if (MASK_PASS.has(className)) return {outMasked: inputMasked, acceptsMask: true};
  if (MASK_USE.has(className)) return {outMasked: false, acceptsMask: true};
  return {outMasked: false, acceptsMask: !inputMasked};
}
