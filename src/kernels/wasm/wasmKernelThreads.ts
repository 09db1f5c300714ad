/**
 * How many threads the wasm kernel runs on, and the SequenceKernel the
 * registry hands out for the wasm and cpu backends: the threaded kernel
 * (wasmThreads.ts) while a pool runs, else the single-threaded one. Both keep
 * the same workspace layout, so a forward pass on one and its backward pass on
 * the other agree.
 *
 * The count: setWasmKernelThreads(n) when called; else env TFJS_GRU_WASM_THREADS
 * (Node); else, on tfjs's wasm backend, that backend's own thread count
 * (tf.wasm.setThreadsCount; tfjs uses threads only on cross-origin isolated
 * pages). Without SharedArrayBuffer the kernel runs on one thread, with no error.
 */
import {
  SequenceKernel, SequenceKernelDims, SequenceKernelForward, SequenceKernelGradients, SequenceKernelInputs,
} from '../sequenceKernel';
import {loadWasmKernel, loadWasmKernelSync, WasmKernel, wasmKernelIfLoaded} from './wasmKernel';
import {WasmThreadPool, wasmThreadsUnsupportedReason} from './wasmThreads';
import {wasmSimdUnsupportedReason} from './wasmApi';

let pool: WasmThreadPool|null = null;
/** The pool being started (browsers: compiling, or its workers not parked yet). */
let starting: Promise<WasmThreadPool>|null = null;
/** What setWasmKernelThreads asked for; null: follow the environment / the backend. */
let requested: number|null = null;
let splitEveryCall = false;

function env(name: string): string|undefined {
  return (globalThis as {process?: {env?: Record<string, string|undefined>}}).process?.env?.[name];
}

/** env TFJS_GRU_WASM_THREADS_SPLIT: 'always' shares every call (tests), 'auto' (default) the calls big enough. */
function envSplitEveryCall(): boolean {
  const v = env('TFJS_GRU_WASM_THREADS_SPLIT');
  if (v === undefined || v === '' || v === 'auto') return false;
  if (v === 'always') return true;
  throw new Error(`TFJS_GRU_WASM_THREADS_SPLIT must be 'auto' or 'always', got '${v}'`);
}

function envThreads(): number|null {
  const v = env('TFJS_GRU_WASM_THREADS');
  if (v === undefined || v === '') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    throw new Error(`TFJS_GRU_WASM_THREADS must be an integer from 1 to 16, got '${v}'`);
  }
  return n;
}

function stopPool(): void {
  pool?.stop();  // a pool still starting is stopped when it is ready (startPool)
  pool = null;
  starting = null;
}

/** Starts a pool of n threads; resolves when it runs (at once in Node). Returns the threads used. */
function startPool(n: number): Promise<number> {
  stopPool();
  if (n <= 1 || wasmThreadsUnsupportedReason() != null) return Promise.resolve(1);
  if (isNode()) {  // the workers are waited for synchronously: the pool runs from the next call on
    pool = WasmThreadPool.start(n, splitEveryCall).pool;
    return Promise.resolve(n);
  }
  const s = WasmThreadPool.startAsync(n, splitEveryCall);
  starting = s;
  return s.then((p) => {
    if (starting !== s) {  // stopped or replaced meanwhile
      p.stop();
      return 1;
    }
    starting = null;
    pool = p;
    return n;
  }, (e) => {
    if (starting === s) starting = null;
    throw e;
  });
}

function isNode(): boolean {
  return (globalThis as {process?: {versions?: {node?: string}}}).process?.versions?.node !== undefined;
}

/**
 * Runs the wasm GRU kernel on `threads` threads (1: one thread, the default
 * outside a cross-origin isolated page): resolves with the threads it will use,
 * which is 1 where threads cannot run (no SharedArrayBuffer: a page that is not
 * cross-origin isolated), with no error. 'auto' goes back to following env
 * TFJS_GRU_WASM_THREADS or tfjs's wasm backend. Calls of batch 2 and more are
 * split by batch rows; calls of batch 1 with enough work per step split each
 * step's units (forward and backward); smaller calls stay on one thread
 * (options.splitEveryCall: share every call that can be shared, however small;
 * for tests).
 * @category Backends and kernels
 */
export async function setWasmKernelThreads(threads: number|'auto', options: {splitEveryCall?: boolean} = {}):
    Promise<number> {
  if (threads !== 'auto' && (!Number.isInteger(threads) || threads < 1 || threads > 16)) {
    throw new Error(`setWasmKernelThreads: threads must be an integer from 1 to 16 or 'auto', got ${threads}`);
  }
  requested = threads === 'auto' ? null : threads;
  splitEveryCall = options.splitEveryCall ?? envSplitEveryCall();
  if (threads === 'auto') {
    stopPool();
    followed = false;  // the next call follows env / the wasm backend again
    const n = envThreads();
    if (n == null) return 1;
    followed = true;
    return startPool(n);
  }
  return startPool(threads);
}

/**
 * The threads the wasm kernel runs on now (1 while a pool is still starting, or without one).
 * @category Backends and kernels
 */
export function wasmKernelThreads(): number {
  return pool?.threads ?? 1;
}

/**
 * Why the wasm kernel cannot use threads here, or null if it can.
 * @category Backends and kernels
 */
export function wasmKernelThreadsUnavailableReason(): string|null {
  return wasmSimdUnsupportedReason() ?? wasmThreadsUnsupportedReason();
}

interface WasmBackendLike { wasm?: {tfjs?: {getThreadsCount?: () => number}}; }

/**
 * Starts the pool the settings ask for, once, when the kernel is first used:
 * env TFJS_GRU_WASM_THREADS, else the wasm backend's thread count.
 */
let followed = false;
function followSettings(backend: WasmBackendLike|undefined): void {
  if (followed || requested != null || pool != null || starting != null) return;
  followed = true;
  splitEveryCall = envSplitEveryCall();
  const n = envThreads() ?? backend?.wasm?.tfjs?.getThreadsCount?.() ?? 1;
  if (n > 1) startPool(n).catch(() => undefined);  // until it runs (and if it cannot), one thread
}

/**
 * The wasm kernel the registry hands out: forwards each call to the threaded
 * kernel while a pool runs, else to the single-threaded one.
 */
class WasmKernelChoice implements SequenceKernel {
  constructor(private readonly single: WasmKernel, private readonly backend: () => WasmBackendLike|undefined) {}
  private get current(): WasmKernel {
    followSettings(this.backend());
    return pool?.kernel ?? this.single;
  }
  get name(): string { return this.current.name; }
  workspaceFloats(d: SequenceKernelDims): number { return this.single.workspaceFloats(d); }
  forward(d: SequenceKernelDims, i: SequenceKernelInputs, keepWorkspace: boolean): SequenceKernelForward {
    return this.current.forward(d, i, keepWorkspace);
  }
  backward(d: SequenceKernelDims, i: SequenceKernelInputs, workspace: Float32Array, dy: Float32Array,
           dhT: Float32Array): SequenceKernelGradients {
    return this.current.backward(d, i, workspace, dy, dhT);
  }
}

let choice: WasmKernelChoice|undefined;

/**
 * A provider for src/kernels/registry.ts: the wasm kernel (threaded when the
 * settings ask for threads), compiled synchronously if the engine allows it;
 * else (a browser's main thread) null for now, and the asynchronous compile is
 * started so that a later call has it. `backend` finds tfjs's wasm backend.
 */
export function wasmKernelProvider(backend: () => WasmBackendLike|undefined): () => SequenceKernel|null {
  return () => {
    if (choice) return choice;
    if (wasmSimdUnsupportedReason() != null) return null;
    let single = wasmKernelIfLoaded();
    if (single == null) {
      try {
        single = loadWasmKernelSync();
      } catch (e) {
        loadWasmKernel().catch(() => undefined);
        return null;
      }
    }
    choice = new WasmKernelChoice(single, backend);
    return choice;
  };
}
