/**
 * A GruStream from a tfjs LayersModel in memory (e.g. one `tfjs-gru convert`
 * wrote, loaded with tf.loadLayersModel): its topology and weights read once
 * into the same per-frame program the tfjs-free entry builds from files, run
 * on the embedded wasm kernel. Part of the package root (it needs tfjs), not
 * of the `tfjs-gru/stream` entry.
 */
import * as tf from '@tensorflow/tfjs';

import {wasmKernelModule, wasmKernelModuleSync} from '../kernels/wasm/wasmKernel';
import {createGruStreamSync} from './index';
import {GruStream} from './gruStream';
import {NamedWeight} from './modelWeights';
import {StreamPlan, streamPlan} from './streamPlan';

/**
 * Options of {@link gruStreamFromLayersModel}.
 * @category Backends and kernels
 */
export interface LayersModelStreamOptions {
  /** Rows per frame (default 1). */
  batch?: number;
}

/**
 * The per-frame program of a LayersModel (its weights' values as they are now).
 * @category Backends and kernels
 */
export function planFromLayersModel(model: tf.LayersModel): StreamPlan {
  const topology = model.toJSON(null, false) as unknown;
  const weights = new Map<string, NamedWeight>();
  for (const w of model.weights) {
    const t = w.read();
    if (t.dtype !== 'float32') throw new Error(`gruStreamFromLayersModel: weight '${w.originalName}' is ${t.dtype}, expected float32`);
    weights.set(w.originalName, {shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array)});
  }
  return streamPlan(model.name, topology, weights);
}

/**
 * A stream of `model` (see src/stream/gruStream.ts): later changes to the
 * model's weights do not reach it. Synchronous; on a browser's main thread use
 * {@link gruStreamFromLayersModel}, which compiles the kernel asynchronously.
 * @category Backends and kernels
 */
export function gruStreamFromLayersModelSync(model: tf.LayersModel, options: LayersModelStreamOptions = {}): GruStream {
  return createGruStreamSync(planFromLayersModel(model), {wasm: wasmKernelModuleSync(), batch: options.batch});
}

/**
 * {@link gruStreamFromLayersModelSync}, with the kernel compiled asynchronously (any thread).
 * @category Backends and kernels
 */
export async function gruStreamFromLayersModel(model: tf.LayersModel, options: LayersModelStreamOptions = {}): Promise<GruStream> {
  const plan = planFromLayersModel(model);
  return createGruStreamSync(plan, {wasm: await wasmKernelModule(), batch: options.batch});
}
