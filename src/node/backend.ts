/**
 * Backend selection in Node (`tfjs-gru/node`): tfjs-node ('tensorflow'), then
 * wasm, then cpu (design.md section 4). The same selection as the package
 * root's (src/backend.ts), with tfjs-node loaded on request and, as a side
 * effect of importing this module, the native GRU kernel offered for the
 * 'tensorflow' backend.
 */
import * as tf from '@tensorflow/tfjs';

import {
  BackendAttempt, BackendCandidates, BackendInfo, BackendName, parseBackendName as parseAnyBackendName,
  prepareWasmBackend, selectBackendFrom, SelectBackendOptions,
} from '../backend';
import {registerSequenceKernel} from '../kernels/registry';
import {loadTensorflowQuietly} from './quietLoad';

// On tfjs-node, GRU sequences run on the native kernel when it is built. The
// addon is required only once the 'tensorflow' backend runs a GRU.
registerSequenceKernel('tensorflow', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const {loadNativeKernel} = require('./nativeKernel') as typeof import('./nativeKernel');
  return loadNativeKernel().kernel;
});

/**
 * The backends Node can run, in order of preference.
 * @category Backends and kernels
 */
export const NODE_BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

const SETUP_HINT = 'run `npx tfjs-gru setup-node` to build it from the TensorFlow Python wheel';
let tensorflowAttempt: BackendAttempt | undefined;

/** Loads @tensorflow/tfjs-node once (a failed load is remembered: re-requiring would re-register kernels). */
function loadTfjsNode(): BackendAttempt {
  if (tensorflowAttempt) return tensorflowAttempt;
  const previous = safeBackendName();
  try {
    // tfjs-node registers and *activates* the 'tensorflow' backend as a side effect;
    // loaded without TensorFlow's start-up noise on stderr (./quietLoad).
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    loadTensorflowQuietly(() => require('@tensorflow/tfjs-node'));
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
  if (previous && previous !== safeBackendName()) void tf.setBackend(previous);
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

function describeNative(name: BackendName): string {
  if (name !== 'tensorflow') return '';
  try {
    const v = (tf.backend() as unknown as {binding?: {TF_Version?: string}}).binding?.TF_Version;
    return v ? ` (native TensorFlow ${v})` : '';
  } catch {
    return '';
  }
}

function safeBackendName(): string | undefined {
  try {
    return tf.engine().backendName ?? undefined;
  } catch {
    return undefined;
  }
}

const NODE_BACKENDS: BackendCandidates = {
  order: NODE_BACKEND_NAMES,
  prepare: {tensorflow: async () => loadTfjsNode(), wasm: prepareWasmBackend},
  notHere: (name) => name === 'webgl' ? 'WebGL needs a browser (Node has tensorflow, wasm and cpu)' : `'${name}' is not a Node backend`,
  describe: describeNative,
};

/**
 * Chooses and activates the backend in Node. With `preferred`, that backend or
 * an error (BackendUnavailableError); without, the first of tensorflow, wasm,
 * cpu that works.
 * @category Backends and kernels
 */
export function selectBackend(preferred?: BackendName, options: SelectBackendOptions = {}): Promise<BackendInfo> {
  return selectBackendFrom(NODE_BACKENDS, preferred, options);
}

/**
 * Parses a Node backend name (env TFJS_GRU_BACKEND, a CLI flag): tensorflow | node | wasm | cpu | auto | ''.
 * @category Backends and kernels
 */
export function parseBackendName(value: string | undefined): BackendName | undefined {
  return parseAnyBackendName(value, NODE_BACKEND_NAMES);
}

export {BackendInfo, BackendName, BackendUnavailableError, backendInfo, SelectBackendOptions} from '../backend';
