/**
 * The streaming rows of the peer benchmark (issue 19 item 6): per-frame time of a real-time model at batch 1,
 * one frame per call with the GRU states carried between calls, RNNoise's shape: 3 × GRU(384) (reset-before,
 * Keras layout) + Dense(22, sigmoid) on 42 input features. Shared by the orchestrator (stream.ts) and the
 * worker (workers/stream.ts); the data comes from the seed alone, so every worker makes the same.
 */
import {rng, uniform} from './data';

export const STREAM = {D: 42, U: 384, layers: 3, O: 22, frames: 100} as const;

/** The job of one streaming worker (JSON, path passed as the only argument). */
export interface StreamJob {
  /** 'ours-stream', 'ours-layers@tensorflow', 'ours-layers@wasm', 'ort-node', 'ort-web' */
  peer: string;
  seed: number;
  threads: number;
  /** Timed passes over all frames (each pass starts from zero states). */
  runs: number;
  warmup: number;
  maxSeconds: number;
  /** Where the worker writes its StreamResult. */
  resultFile: string;
  /** Where the first pass's outputs go: [frames, O] raw float32. */
  outputFile: string;
}

export interface StreamResult {
  peer: string;
  notes: string[];
  /** Per pass: its time divided by the number of frames, ms. */
  perFrameMs: number[];
  unavailable?: string;
}

export interface StreamData {
  /** [frames, D] */
  x: Float32Array;
  grus: Array<{inputSize: number, kernel: Float32Array, recurrentKernel: Float32Array, bias: Float32Array}>;
  dense: {kernel: Float32Array, bias: Float32Array};
}

export function streamData(seed: number): StreamData {
  const {D, U, layers, O, frames} = STREAM;
  const next = rng(seed * 1000003 + 424242);
  const lim = 1 / Math.sqrt(U);
  const grus = Array.from({length: layers}, (_, k) => {
    const inputSize = k === 0 ? D : U;
    return {inputSize, kernel: uniform(inputSize * 3 * U, lim, next), recurrentKernel: uniform(U * 3 * U, lim, next),
      bias: uniform(3 * U, lim, next)};
  });
  return {x: uniform(frames * D, 1, next), grus, dense: {kernel: uniform(U * O, lim, next), bias: uniform(O, lim, next)}};
}

/** model.json (tfjs LayersModel format) and its one weight file, written by hand: nothing of tfjs needed. */
export function streamModelFiles(d: StreamData): {modelJson: object, weights: ArrayBuffer} {
  const {U, O} = STREAM;
  const layers: object[] = d.grus.map((g, k) => ({class_name: 'KerasGRU', config: {
    name: `gru_${k}`, units: U, reset_after: false, return_sequences: true, activation: 'tanh', recurrent_activation: 'sigmoid',
    ...(k === 0 ? {batch_input_shape: [null, null, STREAM.D]} : {})}}));
  layers.push({class_name: 'Dense', config: {name: 'dense', units: O, activation: 'sigmoid'}});
  const specs: Array<{name: string, shape: number[], dtype: string}> = [];
  const parts: Float32Array[] = [];
  const add = (name: string, shape: number[], data: Float32Array) => { specs.push({name, shape, dtype: 'float32'}); parts.push(data); };
  d.grus.forEach((g, k) => {
    add(`gru_${k}/kernel`, [g.inputSize, 3 * U], g.kernel);
    add(`gru_${k}/recurrent_kernel`, [U, 3 * U], g.recurrentKernel);
    add(`gru_${k}/bias`, [3 * U], g.bias);
  });
  add('dense/kernel', [U, O], d.dense.kernel);
  add('dense/bias', [O], d.dense.bias);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return {modelJson: {modelTopology: {class_name: 'Sequential', config: {name: 'rnnoise_shape', layers}},
    weightsManifest: [{paths: ['weights.bin'], weights: specs}]}, weights: all.buffer};
}
