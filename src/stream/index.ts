/**
 * tfjs-gru/stream: run a GRU model one frame at a time on the wasm GRU kernel
 * alone — no tfjs, no Node, no fetch, nothing but this code, the kernel's bytes
 * and the model's files — so it fits an AudioWorklet or a Web Worker.
 *
 *   const stream = createGruStreamSync({modelJson, weights}, {wasm: kernelBytesOrModule});
 *   const out = stream.step(frame);  // Float32Array in, Float32Array out; state kept inside
 *   stream.reset();                  // a new sequence
 *
 * `modelJson` is a tfjs LayersModel's model.json (what `tfjs-gru convert` writes),
 * `weights` its weight file(s); `wasm` the kernel: the bytes of gru_kernel.wasm
 * (`tfjs-gru/gru_kernel.wasm` in the package) or a WebAssembly.Module compiled
 * from them (a Module can be posted to a worklet or worker). What runs: see
 * src/stream/streamPlan.ts. Rule: nothing here imports tfjs or Node.
 */
import {checkExports, GruKernelExports, wasmApi, WasmKernelUnavailableError, wasmSimdUnsupportedReason} from '../kernels/wasm/wasmApi';
import {StreamModelError} from './errors';
import {GruStream} from './gruStream';
import {Bytes, readWeights, WeightFiles, WeightsManifestGroup} from './modelWeights';
import {StreamPlan, streamPlan} from './streamPlan';

export {GruStream} from './gruStream';
export type {StreamLayerInfo} from './gruStream';
export {StreamModelError} from './errors';
export type {StreamErrorCode} from './errors';
export type {Bytes, WeightFiles, WeightsManifestGroup} from './modelWeights';
export type {CanonicalArrays} from '../kernels/canonicalLayout';
export type {StreamPlan, PlanNode, GruNode, DenseNode, ActivationNode, MergeNode, MergeKind} from './streamPlan';
export {WasmKernelUnavailableError};

/**
 * A model as files: model.json (parsed, or its text) and its weight files.
 * @category Backends and kernels
 */
export interface StreamModelSource {
  /** model.json: the object or its JSON text (modelTopology + weightsManifest). */
  modelJson: unknown;
  /** The weight files the manifest lists (see {@link WeightFiles}). */
  weights: WeightFiles;
  /** The name errors give the model (default 'model.json'). */
  name?: string;
}

/**
 * The kernel: gru_kernel.wasm's bytes, or a WebAssembly.Module compiled from them.
 * @category Backends and kernels
 */
export type KernelModuleSource = Bytes|object;

/**
 * Options of {@link createGruStream} / {@link createGruStreamSync}.
 * @category Backends and kernels
 */
export interface GruStreamOptions {
  /** The kernel module (required: this entry embeds no wasm). */
  wasm: KernelModuleSource;
  /** Rows per frame (default 1). */
  batch?: number;
}

/**
 * The per-frame program of a model's files (what a stream would run), or a StreamModelError.
 * @category Backends and kernels
 */
export function planFromModelFiles(source: StreamModelSource): StreamPlan {
  const file = source.name ?? 'model.json';
  let json = source.modelJson;
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch (e) {
      throw new StreamModelError('BAD_MODEL', file, `is not JSON: ${(e as Error).message}`);
    }
  }
  const m = json as {modelTopology?: unknown; weightsManifest?: WeightsManifestGroup[]};
  if (m == null || typeof m !== 'object' || m.modelTopology == null || m.weightsManifest == null) {
    throw new StreamModelError('BAD_MODEL', file, 'needs modelTopology and weightsManifest (a tfjs LayersModel model.json)');
  }
  return streamPlan(file, m.modelTopology, readWeights(file, m.weightsManifest, source.weights));
}

function isBytes(b: unknown): b is Bytes {
  return b instanceof ArrayBuffer || ArrayBuffer.isView(b);
}

function bytesOf(b: Bytes): Uint8Array {
  return b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function api() {
  const why = wasmSimdUnsupportedReason();
  if (why != null) throw new WasmKernelUnavailableError(why);
  return wasmApi()!;
}

/** A fresh instance's exports (each stream has its own memory). */
function instantiateSync(wasm: KernelModuleSource): GruKernelExports {
  const a = api();
  const module = isBytes(wasm) ? new a.Module(bytesOf(wasm)) : wasm;
  return checkExports(new a.Instance(module, {}).exports);
}

/**
 * A stream, made synchronously (a worklet or worker; on a browser's main thread
 * use {@link createGruStream} unless `wasm` is an already compiled Module).
 * @category Backends and kernels
 */
export function createGruStreamSync(source: StreamModelSource|StreamPlan, options: GruStreamOptions): GruStream {
  if (options == null || options.wasm == null) {
    throw new Error('createGruStreamSync: options.wasm (the bytes of gru_kernel.wasm or a WebAssembly.Module) is required');
  }
  const plan = 'nodes' in source ? source : planFromModelFiles(source);
  return new GruStream(plan, instantiateSync(options.wasm), options.batch ?? 1);
}

/**
 * A stream; compiles the kernel asynchronously when given bytes (allowed everywhere, e.g. a page's main thread).
 * @category Backends and kernels
 */
export async function createGruStream(source: StreamModelSource|StreamPlan, options: GruStreamOptions): Promise<GruStream> {
  if (options == null || options.wasm == null) {
    throw new Error('createGruStream: options.wasm (the bytes of gru_kernel.wasm or a WebAssembly.Module) is required');
  }
  const plan = 'nodes' in source ? source : planFromModelFiles(source);
  const module = isBytes(options.wasm) ? await api().compile(bytesOf(options.wasm)) : options.wasm;
  return new GruStream(plan, instantiateSync(module), options.batch ?? 1);
}
