import * as tf from '@tensorflow/tfjs';

import {gruShapedTensors, suggestTorchKeyMap} from '../discovery/gruShapedTensors';
import {applyKeyMap, KeyMap} from '../io/keyMap';
import {convertWeights} from '../weights/convert';
import {gru} from './kerasGru';

/**
 * Options of {@link fromPytorchGru}: the `torch.nn.GRU` constructor arguments that shape its state_dict.
 * @category Layers
 */
export interface FromPytorchGruOptions {
  /** `num_layers` of the nn.GRU. */
  numLayers: number;
  /** `bidirectional` of the nn.GRU (default false): `…_reverse` tensors, outputs concat(forward, reverse). */
  bidirectional?: boolean;
  /** `batch_first` of the nn.GRU (default false, PyTorch's): x [B, T, D] when true, else [T, B, D]. */
  batchFirst?: boolean;
  /**
   * The module path before the GRU's names, e.g. 'encoder.gru.'. Found by itself
   * when the dict holds one GRU; required when it holds several.
   */
  prefix?: string;
  /**
   * `dropout` of the nn.GRU: PyTorch drops the outputs of every layer but the last,
   * in training only. Here a tf.layers.dropout between the layers does the same in
   * training (model.fit, `training: true`); inference is unaffected. Default 0.
   */
  dropout?: number;
  /** Name prefix of the layers and the model (default 'pytorch_gru'). */
  name?: string;
  /**
   * A key map (see `parseKeyMap`) applied to the dict's keys first, for weights saved
   * under other names: `{enc_w_ih: 'enc.weight_ih_l0', …}`, `'enc_w_ih=enc.weight_ih_l0,…'`
   * or the pattern form `'enc_w_*=enc.weight_*_l0,enc_b_*=enc.bias_*_l0'`.
   */
  rename?: KeyMap;
}

/**
 * What PyTorch's `gru(x, h_0)` returns.
 * @category Layers
 */
export interface PytorchGruResult {
  /** [B, T, dirs·U] (batchFirst) or [T, B, dirs·U]: the last layer's output at every step. */
  output: tf.Tensor3D;
  /** Shape [layers·dirs, B, U]: the final state of every layer and direction, PyTorch's order (layer-major, forward first). */
  hN: tf.Tensor3D;
}

/**
 * Options of {@link PytorchGru.run}. A padded batch with `lengths` (or a `mask`) gives
 * what PyTorch gives for `pack_padded_sequence(x, lengths, enforce_sorted=False)` →
 * `gru(packed, h_0)` → `pad_packed_sequence(…, total_length=T)`: every layer and both
 * directions see only each sequence's first `length` steps (the reverse direction starts
 * at its last valid step), the output is zero past each length, and `hN` holds each
 * sequence's state at its last valid step (the reverse direction's after step 0). What the
 * padded steps of x hold does not matter.
 * @category Layers
 */
export interface PytorchGruRunOptions {
  /** Inter-layer dropout on (default false). */
  training?: boolean;
  /** Each sequence's length, 1..T (PyTorch refuses 0), in batch order: numbers or an int tensor [B]. */
  lengths?: ArrayLike<number> | tf.Tensor1D;
  /**
   * The same as a mask in x's layout ([B, T] batchFirst, else [T, B]), 1 (or true) on
   * valid steps: each row a run of ones then zeros, as packing can express (a mask with
   * holes is refused).
   */
  mask?: tf.Tensor2D;
}

/**
 * The stack {@link fromPytorchGru} built, and how to run it as PyTorch does.
 * @category Layers
 */
export interface PytorchGru {
  /**
   * A functional LayersModel, batch-first: input x [B, T, D], outputs [sequence
   * [B, T, dirs·U], final state of layer 0 forward, (layer 0 reverse), layer 1
   * forward, …] (each [B, U]), from zero initial states (PyTorch's default h_0).
   * Trainable with fit, savable with model.save; each GRU is a KerasGRU
   * (resetAfter), bidirectional layers are tf.layers.bidirectional, mergeMode 'concat'.
   * For a given h_0 use {@link PytorchGru.run}.
   */
  model: tf.LayersModel;
  /** One layer per PyTorch layer: a KerasGRU, or a Bidirectional around one. */
  layers: tf.layers.Layer[];
  /** The module prefix the weights were found under ('' for none). */
  prefix: string;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  /**
   * Runs it as PyTorch's `gru(x, h_0)`: x in the module's layout (batchFirst or
   * not), h0 [layers·dirs, B, U] or zeros when omitted; the layers run with those
   * initial states. Differentiable (tf.grads / variableGrads); `training` (or
   * `{training: true}`) turns on the inter-layer dropout. With `{lengths}` or `{mask}`
   * a padded batch gives what PyTorch gives for it packed (see
   * {@link PytorchGruRunOptions}). Returns new tensors only.
   */
  run(x: tf.Tensor3D, h0?: tf.Tensor3D, options?: boolean | PytorchGruRunOptions): PytorchGruResult;
  /** PyTorch's h_0 [layers·dirs, B, U] as each layer's initial states: [[forward, (reverse)], …], [B, U] each (new tensors). */
  initialStates(h0: tf.Tensor3D): tf.Tensor2D[][];
}

const GRU_PARAM = /(weight|bias)_(ih|hh)_l(\d+)(_reverse)?$/;

/** The prefixes under which a dict holds nn.GRU parameters (the text before `weight_ih_l0`). */
function gruPrefixes(keys: string[]): string[] {
  return [...new Set(keys.filter((k) => k.endsWith('weight_ih_l0')).map((k) => k.slice(0, -'weight_ih_l0'.length)))];
}

function choosePrefix(keys: string[], given: string | undefined, shapes: Record<string, number[]>): string {
  if (given != null) {
    if (!keys.some((k) => k === `${given}weight_ih_l0`)) {
      const found = gruPrefixes(keys);
      throw new Error(`fromPytorchGru: no '${given}weight_ih_l0' in the state dict; ${
        found.length ? `GRUs found under ${found.map((p) => `'${p}'`).join(', ')}` : 'it holds no nn.GRU weights (weight_ih_l0)'}`);
    }
    return given;
  }
  const found = gruPrefixes(keys);
  if (found.length === 0) throw new Error(noGruMessage(keys, shapes));
  if (found.length > 1) {
    throw new Error(`fromPytorchGru: the state dict holds ${found.length} GRUs (${
      found.map((p) => `'${p}'`).join(', ')}); choose one with the option prefix`);
  }
  return found[0];
}

/** No nn.GRU names: the keys, those shaped like a GRU's, and the key map that would name them. */
function noGruMessage(keys: string[], shapes: Record<string, number[]>): string {
  const shown = keys.slice(0, 8).join(', ') + (keys.length > 8 ? ', ...' : '');
  const vars = keys.map((name) => ({name, dtype: 'float32', shape: shapes[name]}));
  const shaped = gruShapedTensors(vars);
  const suggestion = suggestTorchKeyMap(vars);
  return `fromPytorchGru: the state dict holds no nn.GRU weights (no key ending in 'weight_ih_l0'); keys: ${shown || '(none)'}` +
      (shaped.length === 0 ? '' : `. Shaped like a GRU's: ${shaped.map((v) => `${v.name} [${v.shape.join(', ')}]`).join(', ')}; ` +
        `nn.GRU's names are weight_ih_l0 [3U, D], weight_hh_l0 [3U, U], bias_ih_l0 [3U], bias_hh_l0 [3U] (after a module ` +
        `prefix); rename with the option rename${suggestion != null ? `, e.g. rename: '${suggestion}'` : ''}`);
}

/** The lengths of a padded run ({@link PytorchGruRunOptions}), checked, or null for a full batch. */
function paddedLengths(opts: PytorchGruRunOptions, batch: number, time: number, batchFirst: boolean): number[] | null {
  if (opts.lengths != null && opts.mask != null) throw new Error('fromPytorchGru: run takes lengths or mask, not both');
  let lengths: number[];
  if (opts.mask != null) {
    const m = opts.mask;
    const want = batchFirst ? [batch, time] : [time, batch];
    if (m.rank !== 2 || m.shape[0] !== want[0] || m.shape[1] !== want[1]) {
      throw new Error(`fromPytorchGru: mask must have x's layout [${batchFirst ? 'batch, time' : 'time, batch'}] = [${want}], got [${m.shape}]`);
    }
    const v = m.dataSync();
    lengths = [];
    for (let b = 0; b < batch; b++) {
      const at = (t: number) => v[batchFirst ? b * time + t : t * batch + b] !== 0;
      let n = 0;
      while (n < time && at(n)) n++;
      for (let t = n; t < time; t++) {
        if (at(t)) {
          throw new Error(`fromPytorchGru: mask row ${b} has a valid step ${t} after the padding that starts at step ${n}; ` +
              'a packed sequence is a run of valid steps then padding (give lengths, or mask [1, …, 1, 0, …, 0])');
        }
      }
      lengths.push(n);
    }
  } else if (opts.lengths != null) {
    const l = opts.lengths;
    lengths = l instanceof tf.Tensor ? Array.from(l.dataSync()) : Array.from(l);
    if (l instanceof tf.Tensor && l.rank !== 1) throw new Error(`fromPytorchGru: lengths must have shape [batch], got [${l.shape}]`);
    if (lengths.length !== batch) throw new Error(`fromPytorchGru: lengths has ${lengths.length} entries, x has batch ${batch}`);
  } else {
    return null;
  }
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 1 || n > time) {
      throw new Error(`fromPytorchGru: the length of sequence ${b} is ${n}; expected a whole number in 1..${time} ` +
          '(T of x; PyTorch refuses empty sequences too)');
    }
  });
  return lengths;
}

function positiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`fromPytorchGru: ${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkShape(name: string, t: tf.Tensor, want: number[]): void {
  if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
    throw new Error(`fromPytorchGru: '${name}' must have shape [${want}], got [${t.shape}]`);
  }
}

/**
 * Builds the equivalent of a `torch.nn.GRU(input_size, hidden_size, num_layers,
 * bidirectional=…, batch_first=…)` from its state_dict, as a stack of this
 * package's KerasGRU layers (reset after, PyTorch's cell), weights loaded
 * exactly (`convertWeights(…, 'pytorch', 'keras-reset-after')`).
 *
 *     const sd = {'encoder.gru.weight_ih_l0': …, 'encoder.gru.weight_hh_l0': …, …, 'fc.weight': …};
 *     const g = fromPytorchGru(sd, {numLayers: 2, bidirectional: true, batchFirst: true});
 *     const {output, hN} = g.run(x, h0);      // == torch: output, h_n = gru(x, h_0)
 *
 * | key (after the prefix)      | shape                                  |
 * | --------------------------- | -------------------------------------- |
 * | `weight_ih_l{k}[_reverse]`  | [3U, D] for k = 0, [3U, dirs·U] above  |
 * | `weight_hh_l{k}[_reverse]`  | [3U, U]                                |
 * | `bias_ih_l{k}[_reverse]`    | [3U] (absent for bias=False)           |
 * | `bias_hh_l{k}[_reverse]`    | [3U] (absent for bias=False)           |
 *
 * Keys of other modules are ignored; under the GRU's prefix a missing, extra or
 * misshapen tensor is an error that names it. The dict's tensors are not kept
 * (the caller still owns and disposes them).
 * @category Layers
 */
export function fromPytorchGru(stateDict: Record<string, tf.Tensor>, options: FromPytorchGruOptions): PytorchGru {
  if (stateDict == null || typeof stateDict !== 'object') {
    throw new Error(`fromPytorchGru: stateDict must be a Record<string, tf.Tensor>, got ${stateDict === null ? 'null' : typeof stateDict}`);
  }
  const numLayers = positiveInt(options?.numLayers, 'numLayers');
  const bidirectional = options.bidirectional ?? false;
  const batchFirst = options.batchFirst ?? false;
  const dropout = options.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new Error(`fromPytorchGru: dropout must be a number in [0, 1), got ${JSON.stringify(options.dropout)}`);
  }
  if (options.rename != null) {
    const renamed = applyKeyMap(Object.keys(stateDict), options.rename);
    stateDict = Object.fromEntries([...renamed].map(([from, to]) => [to, stateDict[from]]));
  }
  const keys = Object.keys(stateDict);
  const shapes = Object.fromEntries(keys.map((k) => [k, stateDict[k]?.shape ?? []]));
  const prefix = choosePrefix(keys, options.prefix, shapes);
  const dirs = bidirectional ? 2 : 1;
  const suffixes = bidirectional ? ['', '_reverse'] : [''];

  const ih0 = stateDict[`${prefix}weight_ih_l0`];
  const hh0 = stateDict[`${prefix}weight_hh_l0`];
  if (hh0 == null) throw new Error(`fromPytorchGru: '${prefix}weight_hh_l0' is missing`);
  if (hh0.rank !== 2 || hh0.shape[0] !== 3 * (hh0.shape[1] as number)) {
    throw new Error(`fromPytorchGru: '${prefix}weight_hh_l0' must have shape [3·hidden_size, hidden_size], got [${hh0.shape}]`);
  }
  if (ih0.rank !== 2) throw new Error(`fromPytorchGru: '${prefix}weight_ih_l0' must have shape [3·hidden_size, input_size], got [${ih0.shape}]`);
  const units = hh0.shape[1] as number;
  const inputSize = ih0.shape[1] as number;
  const hasBias = `${prefix}bias_ih_l0` in stateDict || `${prefix}bias_hh_l0` in stateDict;

  // every expected tensor, with its shape
  const expected = new Map<string, number[]>();
  for (let k = 0; k < numLayers; k++) {
    const inSize = k === 0 ? inputSize : dirs * units;
    for (const s of suffixes) {
      expected.set(`weight_ih_l${k}${s}`, [3 * units, inSize]);
      expected.set(`weight_hh_l${k}${s}`, [3 * units, units]);
      if (hasBias) {
        expected.set(`bias_ih_l${k}${s}`, [3 * units]);
        expected.set(`bias_hh_l${k}${s}`, [3 * units]);
      }
    }
  }
  const mine = keys.filter((k) => k.startsWith(prefix) && GRU_PARAM.test(k.slice(prefix.length)) &&
                                  !k.slice(prefix.length).includes('.'));
  const extra = mine.filter((k) => !expected.has(k.slice(prefix.length)));
  if (extra.length > 0) {
    throw new Error(`fromPytorchGru: unexpected tensor(s) ${extra.map((k) => `'${k}'`).join(', ')} for numLayers ${
      numLayers}, bidirectional ${bidirectional}${hasBias ? '' : ', bias=False'} (check the options against the nn.GRU)`);
  }
  const missing = [...expected.keys()].filter((n) => stateDict[prefix + n] == null);
  if (missing.length > 0) {
    throw new Error(`fromPytorchGru: missing tensor(s) ${missing.map((n) => `'${prefix}${n}'`).join(', ')} for numLayers ${
      numLayers}, bidirectional ${bidirectional}`);
  }
  for (const [n, shape] of expected) {
    const t = stateDict[prefix + n];
    if (t.dtype !== 'float32') throw new Error(`fromPytorchGru: '${prefix}${n}' must be float32, got ${t.dtype}`);
    checkShape(prefix + n, t, shape);
  }

  const base = options.name ?? 'pytorch_gru';
  const layers: tf.layers.Layer[] = [];
  const dropouts: Array<tf.layers.Layer | null> = [];
  const setters: Array<() => void> = [];
  const x = tf.input({shape: [null, inputSize], name: `${base}_x`});
  const finalStates: tf.SymbolicTensor[] = [];
  let h: tf.SymbolicTensor = x;
  for (let k = 0; k < numLayers; k++) {
    const drop = k > 0 && dropout > 0 ? tf.layers.dropout({rate: dropout, name: `${base}_dropout_${k}`}) : null;
    dropouts.push(drop);
    if (drop != null) h = drop.apply(h) as tf.SymbolicTensor;
    const kerasWeights = () => suffixes.flatMap((s) => {
      const pick = (n: string) => stateDict[`${prefix}${n}_l${k}${s}`];
      const w: Record<string, tf.Tensor> = {weight_ih_l0: pick('weight_ih'), weight_hh_l0: pick('weight_hh')};
      if (hasBias) {
        w.bias_ih_l0 = pick('bias_ih');
        w.bias_hh_l0 = pick('bias_hh');
      }
      const c = convertWeights(w as any, 'pytorch', 'keras-reset-after') as unknown as Record<string, tf.Tensor>;
      return hasBias ? [c.kernel, c.recurrent_kernel, c.bias] : [c.kernel, c.recurrent_kernel];
    });
    const cell = gru({units, resetAfter: true, useBias: hasBias, returnSequences: true, returnState: true,
      kernelInitializer: 'zeros', recurrentInitializer: 'zeros', name: `${base}_l${k}`});
    const layer = bidirectional ?
        tf.layers.bidirectional({layer: cell as unknown as tf.RNN, mergeMode: 'concat', name: `${base}_bidirectional_l${k}`}) :
        cell;
    const [out, ...fin] = layer.apply(h) as tf.SymbolicTensor[];
    h = out;
    finalStates.push(...fin);
    layers.push(layer);
    setters.push(() => {
      const w = kerasWeights();
      try {
        layer.setWeights(w);
      } finally {
        tf.dispose(w);
      }
    });
  }
  const model = tf.model({inputs: x, outputs: [h, ...finalStates], name: base});
  try {
    for (const s of setters) s();
  } catch (e) {
    model.dispose();
    throw e;
  }

  const initialStates = (h0: tf.Tensor3D): tf.Tensor2D[][] => {
    if (h0.rank !== 3 || h0.shape[0] !== numLayers * dirs || h0.shape[2] !== units) {
      throw new Error(`fromPytorchGru: h0 must have shape [num_layers·dirs = ${numLayers * dirs}, batch, ${units}], got [${h0.shape}]`);
    }
    const all = tf.unstack(h0, 0) as tf.Tensor2D[];
    return Array.from({length: numLayers}, (_, k) => all.slice(k * dirs, (k + 1) * dirs));
  };
  const run = (xIn: tf.Tensor3D, h0?: tf.Tensor3D, options: boolean | PytorchGruRunOptions = {}): PytorchGruResult => tf.tidy(() => {
    const opts: PytorchGruRunOptions = typeof options === 'boolean' ? {training: options} : (options ?? {});
    const training = opts.training ?? false;
    if (xIn.rank !== 3 || xIn.shape[2] !== inputSize) {
      throw new Error(`fromPytorchGru: x must have shape [${batchFirst ? 'batch, time' : 'time, batch'}, ${inputSize}], got [${xIn.shape}]`);
    }
    let seq = batchFirst ? xIn : tf.transpose(xIn, [1, 0, 2]) as tf.Tensor3D;
    const batch = seq.shape[0];
    if (h0 != null && h0.shape[1] !== batch) {
      throw new Error(`fromPytorchGru: h0 has batch ${h0.shape[1]}, x has batch ${batch}`);
    }
    const states = h0 != null ? initialStates(h0) : null;
    const lengths = paddedLengths(opts, batch, seq.shape[1], batchFirst);
    // [B, T] true on each sequence's valid steps: tfjs's RNN mask skips the others (state
    // carried), and Bidirectional reverses it for the backward layer, which then starts at
    // each sequence's last valid step, as packed PyTorch does.
    const mask = lengths == null ? null :
        tf.less(tf.expandDims(tf.range(0, seq.shape[1], 1, 'int32'), 0), tf.expandDims(tf.tensor1d(lengths, 'int32'), 1));
    const zeroPadding = (t: tf.Tensor3D) => mask == null ? t : tf.mul(t, tf.expandDims(tf.cast(mask, 'float32'), 2)) as tf.Tensor3D;
    const fin: tf.Tensor[] = [];
    layers.forEach((layer, k) => {
      const drop = dropouts[k];
      if (drop != null) seq = drop.apply(seq, {training}) as tf.Tensor3D;
      const [out, ...s] = layer.apply(seq, {training, ...(states ? {initialState: states[k]} : {}),
                                            ...(mask != null ? {mask} : {})}) as tf.Tensor[];
      seq = zeroPadding(out as tf.Tensor3D);
      fin.push(...s);
    });
    return {
      output: (batchFirst ? seq : tf.transpose(seq, [1, 0, 2])) as tf.Tensor3D,
      hN: tf.stack(fin, 0) as tf.Tensor3D,
    };
  });
  return {model, layers, prefix, inputSize, hiddenSize: units, numLayers, bidirectional, batchFirst, run, initialStates};
}
