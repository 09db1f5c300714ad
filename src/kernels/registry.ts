/**
 * Which whole-sequence kernel runs a GRU on which tfjs backend.
 *
 * Kernels outside tfjs's op loop (the native addon on tfjs-node, the SIMD wasm
 * module on wasm and cpu) are offered by providers registered per backend
 * name; the first provider that yields a kernel wins and is remembered. With
 * none, or with the mode 'ops' (env TFJS_GRU_KERNEL=ops, or
 * setSequenceKernelMode('ops')), GRUs run on tfjs ops with a hand-written BPTT
 * (src/math/opsBpttGruSequence.ts); the mode 'tape' runs the plain per-step op
 * loop differentiated by tfjs's tape (the reference the fast paths are tested
 * against). Browser-safe.
 */
import * as tf from '@tensorflow/tfjs';

import {SequenceKernel} from './sequenceKernel';
import {wasmKernelProvider} from './wasm/wasmKernelThreads';

/**
 * Returns a kernel, or null when it cannot be had (e.g. the addon is not built); tried when the backend's kernel is first chosen.
 * @category Backends and kernels
 */
export type SequenceKernelProvider = () => SequenceKernel|null;
/**
 * 'auto': a whole-sequence kernel where one is available, else tfjs ops with a hand-written BPTT;
 * 'ops': always tfjs ops with the hand-written BPTT; 'tape': the per-step op loop differentiated by tfjs's tape.
 * @category Backends and kernels
 */
export type SequenceKernelMode = 'auto'|'ops'|'tape';
const MODES: SequenceKernelMode[] = ['auto', 'ops', 'tape'];

const providers = new Map<string, SequenceKernelProvider[]>();
const chosen = new Map<string, SequenceKernel>();
let mode: SequenceKernelMode|undefined;

/**
 * Offers a kernel for a tfjs backend ('tensorflow', 'wasm', 'cpu', ...); later providers are tried after earlier ones.
 * @category Backends and kernels
 */
export function registerSequenceKernel(backend: string, provider: SequenceKernelProvider): void {
  const list = providers.get(backend) ?? [];
  list.push(provider);
  providers.set(backend, list);
  chosen.delete(backend);
}

// The SIMD wasm kernel serves the wasm and cpu backends, in Node and in browsers; its
// thread count follows tfjs's wasm backend's once that backend is initialized (the engine's
// registry holds initialized backends only; findBackend would start initializing it).
type WasmBackendLike = {wasm?: {tfjs?: {getThreadsCount?: () => number}}};
const wasmProvider = wasmKernelProvider(
    () => (tf.engine() as unknown as {registry: Record<string, WasmBackendLike|undefined>}).registry.wasm);
registerSequenceKernel('wasm', wasmProvider);
registerSequenceKernel('cpu', wasmProvider);

/** TFJS_GRU_KERNEL from the environment where there is one (Node); undefined in a browser. */
function envMode(): SequenceKernelMode {
  const proc = (globalThis as {process?: {env?: Record<string, string|undefined>}}).process;
  const env = proc?.env?.TFJS_GRU_KERNEL;
  if (env === undefined || env === '' || env === 'auto') return 'auto';
  if (env === 'ops' || env === 'tape') return env;
  throw new Error(`TFJS_GRU_KERNEL must be one of ${MODES.join(', ')}, got '${env}'`);
}

/**
 * Sets the mode (see {@link SequenceKernelMode}) for this process, over env TFJS_GRU_KERNEL.
 * @category Backends and kernels
 */
export function setSequenceKernelMode(m: SequenceKernelMode): void {
  if (!MODES.includes(m)) throw new Error(`sequence kernel mode must be one of ${MODES.join(', ')}, got '${m}'`);
  mode = m;
}

/**
 * The current mode: the one set by setSequenceKernelMode, else env TFJS_GRU_KERNEL (default 'auto').
 * @category Backends and kernels
 */
export function sequenceKernelMode(): SequenceKernelMode {
  return mode ?? envMode();
}

/**
 * The kernel for a backend, or null (then the tfjs-op path runs).
 * @category Backends and kernels
 */
export function sequenceKernelFor(backend: string): SequenceKernel|null {
  if (sequenceKernelMode() !== 'auto') return null;
  const known = chosen.get(backend);
  if (known != null) return known;
  // Providers are asked again until one yields a kernel: one may become ready
  // later (the wasm module compiles asynchronously on a browser's main thread).
  for (const provider of providers.get(backend) ?? []) {
    const kernel = provider();
    if (kernel != null) {
      chosen.set(backend, kernel);
      return kernel;
    }
  }
  return null;
}

/** What runs GRU sequences on a backend: a kernel's name, or 'tfjs ops' and why. */
export function sequenceKernelDescription(backend: string): string {
  const m = sequenceKernelMode();
  if (m === 'ops') return "tfjs ops with a hand-written BPTT (kernel mode 'ops')";
  if (m === 'tape') return "tfjs ops differentiated by the tape (kernel mode 'tape')";
  const k = sequenceKernelFor(backend);
  return k != null ? `${k.name} whole-sequence kernel` :
    'tfjs ops with a hand-written BPTT (no whole-sequence kernel for this backend)';
}
