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
