/**
 * Backend selection, browser-safe (design.md section 4). The package root
 * knows the backends every JavaScript engine can have: WebAssembly ('wasm',
 * @tensorflow/tfjs-backend-wasm, loaded on first request), WebGL ('webgl', in
 * browsers) and pure JS ('cpu'). tfjs-node ('tensorflow') is added by the Node
 * entry, `tfjs-gru/node` (src/node/backend.ts), which runs the same selection
 * with its own list of candidates.
 *
 * tf is imported only as '@tensorflow/tfjs' so that the layers code, tfjs-node
 * (which registers 'tensorflow' on the same @tensorflow/tfjs-core instance) and
 * the wasm backend share one engine.
 */
import * as tf from '@tensorflow/tfjs';

import {sequenceKernelDescription} from './kernels/registry';
import {loadWasmKernel} from './kernels/wasm/wasmKernel';

/**
 * A TensorFlow.js backend this package can run on: tfjs-node ('tensorflow', Node only), WebAssembly, WebGL, or pure JS.
 * @category Backends and kernels
 */
export type BackendName = 'tensorflow' | 'wasm' | 'webgl' | 'cpu';

/**
 * The active backend and why it was chosen (see {@link selectBackend}).
 * @category Backends and kernels
 */
export interface BackendInfo {
  /** Active backend, as tf.getBackend() names it. */
  name: string;
  /** What runs GRU sequences there: e.g. 'native-openblas whole-sequence kernel', or 'tfjs ops (...)'. */
  gruKernel: string;
  /** Why this backend: what was chosen and why the better ones were not available. */
  reason: string;
}

/**
 * Options of {@link selectBackend}.
 * @category Backends and kernels
 */
export interface SelectBackendOptions {
  /**
   * Where the wasm backend finds its .wasm files (`tfjs-backend-wasm.wasm`,
   * `-simd.wasm`, `-threaded-simd.wasm`): a URL prefix ending in '/', or a map
   * from file name to URL; passed to tfjs-backend-wasm's `setWasmPaths` before
   * the backend starts. Browsers need it unless the files sit next to the page's
   * script; Node finds them in the installed package.
   */
  wasmPaths?: string | Record<string, string>;
}

/**
 * Every backend name this package knows (the package root can activate all but 'tensorflow').
 * @category Backends and kernels
 */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'webgl', 'cpu'];

/**
 * Thrown when an explicitly requested backend cannot be had.
 * @category Backends and kernels
 */
export class BackendUnavailableError extends Error {
  constructor(readonly backend: BackendName, readonly why: string) {
    super(`backend '${backend}' was requested but is not available: ${why}`);
    this.name = 'BackendUnavailableError';
  }
}

/** The outcome of making a backend ready. */
export interface BackendAttempt {
  /** Whether the backend's package loaded and registered. */
  ok: boolean;
  /** Why not, when not ok. */
  why: string;
}

/**
 * What a selection may choose from, in order of preference, and how each
 * backend's package is loaded before tf.setBackend. The root and the Node
 * entry each pass their own.
 * @internal
 */
export interface BackendCandidates {
  /** Tried in this order when no backend is requested. */
  order: readonly BackendName[];
  /** Loads a backend's package (registers its factory); backends without one are built into @tensorflow/tfjs. */
  prepare: Partial<Record<BackendName, (options: SelectBackendOptions) => Promise<BackendAttempt>>>;
  /** Says why a backend outside `order` is not available here. */
  notHere: (name: BackendName) => string;
  /** Extra words for the reason, e.g. the native TensorFlow version. */
  describe?: (name: BackendName) => string;
}

let wasmLoadAttempt: BackendAttempt | undefined;
let current: BackendInfo | undefined;

/** Loads @tensorflow/tfjs-backend-wasm once (registers the 'wasm' backend), then applies `wasmPaths`. */
async function loadWasmBackend(options: SelectBackendOptions): Promise<BackendAttempt> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm') | undefined;
  if (!wasmLoadAttempt) {
    try {
      wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasmLoadAttempt = tf.findBackendFactory('wasm') ?
          {ok: true, why: ''} :
          {ok: false, why: '@tensorflow/tfjs-backend-wasm registered on another copy of @tensorflow/tfjs-core'};
    } catch (e) {
      wasmLoadAttempt = {ok: false, why: `@tensorflow/tfjs-backend-wasm failed to load (${String((e as Error).message).split('\n')[0]})`};
    }
  }
  // The paths matter only until the backend has started (its .wasm is loaded once).
  const started = (tf.engine().registry as Record<string, unknown>).wasm !== undefined;
  if (wasmLoadAttempt.ok && options.wasmPaths !== undefined && !started) {
    wasm = wasm ?? await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(options.wasmPaths as never);
  }
  return wasmLoadAttempt;
}

/** The root's candidates: wasm, then webgl, then cpu (tfjs-node needs `tfjs-gru/node`). */
export const BROWSER_BACKENDS: BackendCandidates = {
  order: ['wasm', 'webgl', 'cpu'],
  prepare: {wasm: loadWasmBackend},
  notHere: (name) => name === 'tensorflow' ?
      "tfjs-node runs only in Node: use selectBackend of the Node entry, tfjs-gru/node" :
      `'${name}' is not a backend of this entry`,
};

/** @internal The wasm backend's loader, shared with the Node entry. */
export const prepareWasmBackend = loadWasmBackend;

async function activate(c: BackendCandidates, name: BackendName, options: SelectBackendOptions): Promise<BackendAttempt> {
  if (!c.order.includes(name)) return {ok: false, why: c.notHere(name)};
  const prepare = c.prepare[name];
  if (prepare) {
    const a = await prepare(options);
    if (!a.ok) return a;
  }
  let ok = false;
  let err = '';
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    err = String((e as Error).message || e);
  }
  if (!ok || tf.getBackend() !== name) {
    return {ok: false, why: `tf.setBackend('${name}') failed${err ? `: ${err}` : ''}`};
  }
  await tf.ready();
  if (name === 'wasm' || name === 'cpu') {
    // The SIMD wasm GRU kernel serves these backends; a browser's main thread
    // compiles it only asynchronously, so have it ready before the first GRU.
    await loadWasmKernel().catch(() => undefined);
  }
  return {ok: true, why: ''};
}

/**
 * Chooses and activates a backend from `candidates` (the root's or the Node
 * entry's). With `preferred`, that backend or a BackendUnavailableError;
 * without, the first of `candidates.order` that works.
 * @internal
 */
export async function selectBackendFrom(c: BackendCandidates, preferred: BackendName | undefined,
                                        options: SelectBackendOptions = {}): Promise<BackendInfo> {
  const extra = (name: BackendName) => c.describe?.(name) ?? '';
  if (preferred !== undefined) {
    if (!BACKEND_NAMES.includes(preferred)) {
      throw new Error(`unknown backend '${preferred}'; expected one of ${c.order.join(', ')}`);
    }
    const a = await activate(c, preferred, options);
    if (!a.ok) throw new BackendUnavailableError(preferred, a.why);
    current = {name: preferred, reason: `requested explicitly${extra(preferred)}`,
               gruKernel: sequenceKernelDescription(preferred)};
    return current;
  }
  const skipped: string[] = [];
  for (const name of c.order) {
    const a = await activate(c, name, options);
    if (a.ok) {
      const why = skipped.length === 0 ? `first choice of ${c.order.join(', ')}${extra(name)}` : skipped.join('; ');
      current = {name, reason: why, gruKernel: sequenceKernelDescription(name)};
      return current;
    }
    skipped.push(`${name}: ${a.why}`);
  }
  throw new Error(`no TensorFlow.js backend could be initialised (${skipped.join('; ')})`);
}

/**
 * Chooses and activates the backend. With `preferred` ('wasm', 'webgl' or
 * 'cpu'), that backend or a BackendUnavailableError; without, the first of
 * wasm, webgl, cpu that works. tfjs-node ('tensorflow') is chosen by the
 * `selectBackend` of `tfjs-gru/node`.
 * @category Backends and kernels
 */
export function selectBackend(preferred?: BackendName, options: SelectBackendOptions = {}): Promise<BackendInfo> {
  return selectBackendFrom(BROWSER_BACKENDS, preferred, options);
}

/**
 * The active backend and why. Before selectBackend, reports whatever tfjs has activated by itself.
 * @category Backends and kernels
 */
export function backendInfo(): BackendInfo {
  const name = safeGetBackend() ?? 'none';
  if (current && current.name === name) return current;
  return {name, gruKernel: sequenceKernelDescription(name), reason: current ? `changed outside selectBackend (selected was '${current.name}')` :
                                  'selectBackend() was not called; tfjs default'};
}

/**
 * Parses a backend name (e.g. from env TFJS_GRU_BACKEND, a CLI flag or a page's
 * picker); '' / 'auto' / undefined -> undefined, 'node' -> 'tensorflow'.
 * @category Backends and kernels
 */
export function parseBackendName(value: string | undefined, allowed: readonly BackendName[] = BACKEND_NAMES): BackendName | undefined {
  if (value === undefined || value.trim() === '' || value === 'auto') return undefined;
  const v = value.trim().toLowerCase() === 'node' ? 'tensorflow' : value.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) {
    throw new Error(`unknown backend '${value}'; expected one of ${allowed.join(', ')} (or 'auto')`);
  }
  return v as BackendName;
}

function safeGetBackend(): string | undefined {
  try {
    // getBackend() initialises the best registered backend if none is active yet.
    return tf.engine().backendName ?? undefined;
  } catch {
    return undefined;
  }
}
