/**
 * Backend selection (design.md section 4): tfjs-node ('tensorflow'), then
 * @tensorflow/tfjs-backend-wasm ('wasm'), then the pure-JS 'cpu' backend.
 *
 * tf is imported only as '@tensorflow/tfjs' so that the layers code, tfjs-node
 * (which registers 'tensorflow' on the same @tensorflow/tfjs-core instance) and
 * the wasm backend share one engine.
 */
import * as tf from '@tensorflow/tfjs';

import {registerSequenceKernel, sequenceKernelDescription} from './kernels/registry';

// On tfjs-node, GRU sequences run on the native kernel when it is built. It is
// required only once the 'tensorflow' backend runs, i.e. in Node (it reads files).
registerSequenceKernel('tensorflow', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const {loadNativeKernel} = require('./node/nativeKernel') as typeof import('./node/nativeKernel');
  return loadNativeKernel().kernel;
});

/** A TensorFlow.js backend this package can run on: tfjs-node ('tensorflow'), WebAssembly, or pure JS. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** The active backend and why it was chosen (see {@link selectBackend}). */
export interface BackendInfo {
  /** Active backend, as tf.getBackend() names it. */
  name: string;
  /** What runs GRU sequences there: e.g. 'native-openblas whole-sequence kernel', or 'tfjs ops (...)'. */
  gruKernel: string;
  /** Why this backend: what was chosen and why the better ones were not available. */
  reason: string;
}

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Thrown when an explicitly requested backend cannot be had. */
export class BackendUnavailableError extends Error {
  constructor(readonly backend: BackendName, readonly why: string) {
    super(`backend '${backend}' was requested but is not available: ${why}`);
    this.name = 'BackendUnavailableError';
  }
}

interface Attempt { ok: boolean; why: string; }

const SETUP_HINT = 'run `npx tfjs-gru setup-node` to build it from the TensorFlow Python wheel';
let tensorflowAttempt: Attempt | undefined;
let wasmLoadAttempt: Attempt | undefined;
let current: BackendInfo | undefined;

/** Loads @tensorflow/tfjs-node once (a failed load is remembered: re-requiring would re-register kernels). */
function loadTfjsNode(): Attempt {
  if (tensorflowAttempt) return tensorflowAttempt;
  const previous = safeGetBackend();
  if (process.env.TF_CPP_MIN_LOG_LEVEL === undefined) process.env.TF_CPP_MIN_LOG_LEVEL = '2';
  try {
    // tfjs-node registers and *activates* the 'tensorflow' backend as a side effect.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require('@tensorflow/tfjs-node');
    if (!tf.findBackendFactory('tensorflow')) {
      tensorflowAttempt = {
        ok: false,
        why: '@tensorflow/tfjs-node loaded but registered its backend on another copy of @tensorflow/tfjs-core ' +
            '(run `npm ls @tensorflow/tfjs-core`; there must be one copy)',
      };
    } else {
      tensorflowAttempt = {ok: true, why: ''};
    }
  } catch (e) {
    tensorflowAttempt = {ok: false, why: describeTfjsNodeError(e as NodeJS.ErrnoException)};
  }
  // Do not let the side effect of loading decide the backend; selectBackend sets it.
  if (previous && previous !== safeGetBackend()) void tf.setBackend(previous);
  return tensorflowAttempt;
}

function describeTfjsNodeError(e: NodeJS.ErrnoException): string {
  const msg = String(e && e.message || e);
  if (e && e.code === 'MODULE_NOT_FOUND' && /'@tensorflow\/tfjs-node'/.test(msg)) {
    return '@tensorflow/tfjs-node is not installed (optional peer dependency: npm install @tensorflow/tfjs-node@4.22.0, ' +
        `then ${SETUP_HINT.replace(/^run /, '')})`;
  }
  if (/tfjs_binding\.node\) can not be found/.test(msg)) return `tfjs-node addon not built: ${SETUP_HINT}`;
  return `tfjs-node failed to load (${msg.split('\n')[0]}); ${SETUP_HINT}`;
}

function loadWasm(): Attempt {
  if (wasmLoadAttempt) return wasmLoadAttempt;
  try {
    // Registers the 'wasm' backend; its .wasm files are found next to the module (dist/) in Node.
    require('@tensorflow/tfjs-backend-wasm');
    wasmLoadAttempt = tf.findBackendFactory('wasm') ?
        {ok: true, why: ''} :
        {ok: false, why: '@tensorflow/tfjs-backend-wasm registered on another copy of @tensorflow/tfjs-core'};
  } catch (e) {
    wasmLoadAttempt = {ok: false, why: `@tensorflow/tfjs-backend-wasm failed to load (${String((e as Error).message).split('\n')[0]})`};
  }
  return wasmLoadAttempt;
}

async function activate(name: BackendName): Promise<Attempt> {
  if (name === 'tensorflow') {
    const a = loadTfjsNode();
    if (!a.ok) return a;
  } else if (name === 'wasm') {
    const a = loadWasm();
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
  return {ok: true, why: ''};
}

/**
 * Chooses and activates the backend. With `preferred`, that backend or an error
 * (BackendUnavailableError); without, the first of tensorflow, wasm, cpu that works.
 */
export async function selectBackend(preferred?: BackendName): Promise<BackendInfo> {
  if (preferred !== undefined) {
    if (!BACKEND_NAMES.includes(preferred)) {
      throw new Error(`unknown backend '${preferred}'; expected one of ${BACKEND_NAMES.join(', ')}`);
    }
    const a = await activate(preferred);
    if (!a.ok) throw new BackendUnavailableError(preferred, a.why);
    current = {name: preferred, reason: `requested explicitly${describeNative(preferred)}`,
               gruKernel: sequenceKernelDescription(preferred)};
    return current;
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    const a = await activate(name);
    if (a.ok) {
      const why = name === 'tensorflow' ? `tfjs-node is available${describeNative(name)}` :
          `${skipped.join('; ')}`;
      current = {name, reason: why, gruKernel: sequenceKernelDescription(name)};
      return current;
    }
    skipped.push(`${name}: ${a.why}`);
  }
  throw new Error(`no TensorFlow.js backend could be initialised (${skipped.join('; ')})`);
}

function describeNative(name: BackendName): string {
  if (name !== 'tensorflow') return '';
  try {
    const v = (tf.backend() as unknown as {binding?: {TF_Version?: string}}).binding?.TF_Version;
    return v ? ` (native TensorFlow ${v})` : '';
  } catch {
    return '';
  }
}

/** The active backend and why. Before selectBackend, reports whatever tfjs has activated by itself. */
export function backendInfo(): BackendInfo {
  const name = safeGetBackend() ?? 'none';
  if (current && current.name === name) return current;
  return {name, gruKernel: sequenceKernelDescription(name), reason: current ? `changed outside selectBackend (selected was '${current.name}')` :
                                  'selectBackend() was not called; tfjs default'};
}

/** Parses a backend name (e.g. from env TFJS_GRU_BACKEND or a CLI flag); '' / undefined -> undefined. */
export function parseBackendName(value: string | undefined): BackendName | undefined {
  if (value === undefined || value.trim() === '' || value === 'auto') return undefined;
  const v = value.trim().toLowerCase() === 'node' ? 'tensorflow' : value.trim().toLowerCase();
  if (!(BACKEND_NAMES as readonly string[]).includes(v)) {
    throw new Error(`unknown backend '${value}'; expected one of ${BACKEND_NAMES.join(', ')} (or 'auto')`);
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
