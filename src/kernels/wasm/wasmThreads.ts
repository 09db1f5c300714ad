/**
 * The threaded wasm kernel: native/wasm/threads.c's build of gru_kernel.wasm on
 * one shared WebAssembly.Memory, one instance per thread. This thread's
 * instance runs the calls (thread 0); the others are Web Workers (browsers,
 * when the page is cross-origin isolated) or worker_threads (Node), each
 * parked in gk_thread_main until a call hands them their share. Browser-safe:
 * worker_threads is reached through process.getBuiltinModule, never imported.
 *
 * Memory after __heap_base: per thread its thread-local block and packing
 * buffers, and a stack for each worker (thread 0 keeps the linked one); then
 * what WasmKernel lays out per call.
 */
import {GRU_KERNEL_THREADS_WASM_BASE64} from './gruKernelThreadsWasm.generated';
import {checkExports, GruKernelExports, WasmApi, wasmApi, WasmInstance, WasmMemory} from './wasmApi';
import {decodeBase64, WasmKernel} from './wasmKernel';

/** Why this engine cannot run the threaded kernel, or null if it can. */
export function wasmThreadsUnsupportedReason(): string|null {
  const g = globalThis as {SharedArrayBuffer?: unknown, crossOriginIsolated?: boolean, Worker?: unknown};
  if (wasmApi() === undefined) return 'this JavaScript engine has no WebAssembly';
  if (typeof g.SharedArrayBuffer !== 'function') {
    return g.crossOriginIsolated === false ?
      'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and ' +
        'Cross-Origin-Embedder-Policy: require-corp), so SharedArrayBuffer is off' :
      'this JavaScript engine has no SharedArrayBuffer';
  }
  if (nodeWorkerThreads() == null && typeof g.Worker !== 'function') {
    return 'there is no way to start a thread here (no Worker, no worker_threads)';
  }
  return null;
}

interface NodeWorker {
  postMessage(data: unknown): void;
  unref(): void;
  terminate(): Promise<number>;
}
interface NodeWorkerThreads { Worker: new (source: string, options: {eval: boolean}) => NodeWorker; }

function nodeWorkerThreads(): NodeWorkerThreads|null {
  const proc = (globalThis as {process?: {versions?: {node?: string}, getBuiltinModule?: (m: string) => unknown}}).process;
  if (proc?.versions?.node === undefined || typeof proc.getBuiltinModule !== 'function') return null;
  return (proc.getBuiltinModule('worker_threads') as NodeWorkerThreads|undefined) ?? null;
}

/*
 * A worker: one instance of the module on the shared memory, with its own
 * stack, thread-local block and packing buffers; then gk_thread_main until the
 * pool ends. Written for both a Web Worker and a worker_threads eval script.
 */
const WORKER_SOURCE = `
  'use strict';
  function start(data, post) {
    try {
      const e = new WebAssembly.Instance(data.module, {env: {memory: data.memory}}).exports;
      e.__stack_pointer.value = data.stackTop;
      e.__wasm_init_tls(data.tls);
      e.gk_set_pack_buffers(data.pack);
      post('ready');
      e.gk_thread_main(data.index);
      post('exit');
    } catch (err) {
      post('error: ' + (err && err.message || err));
    }
  }
  if (typeof require === 'function') {
    const builtin = 'worker_threads';  // a name, not a literal require: this text is no import of the package
    const {parentPort} = require(builtin);
    parentPort.once('message', (data) => start(data, (m) => parentPort.postMessage(m)));
  } else {
    self.onmessage = (ev) => start(ev.data, (m) => self.postMessage(m));
  }
`;

interface ThreadStart {
  module: object; memory: WasmMemory; index: number; stackTop: number; tls: number; pack: number;
}
interface Thread { terminate(): void; }

const STACK_BYTES = 256 * 1024;
const PAGE = 65536;

interface ThreadExports extends GruKernelExports {
  __stack_pointer: {value: number};
  __tls_size: {value: unknown}; __tls_align: {value: unknown};
  __wasm_init_tls(at: number): void;
  gk_pack_buffer_floats(): number;
  gk_set_pack_buffers(at: number): void;
  gk_threads_init(threads: number, callerMayBlock: number, always: number): void;
  gk_threads_exit(): void;
  gk_threads_started(): number;
}

/** A running pool: thread 0's kernel and the workers. */
export class WasmThreadPool {
  private stopped = false;
  private constructor(readonly kernel: WasmKernel, readonly threads: number, private readonly exports: ThreadExports,
                      private readonly workers: Thread[]) {}

  /**
   * Starts `threads` threads (this one and threads − 1 workers). In Node the workers
   * are waited for here, synchronously (ready: null); elsewhere `ready` resolves when they are parked.
   * splitEveryCall: share every call that can be shared, however small (tests).
   */
  static start(threads: number, splitEveryCall = false): {pool: WasmThreadPool, ready: Promise<void>|null} {
    checkThreads(threads);
    const api = threadsApi();
    const module = new api.Module(decodeBase64(GRU_KERNEL_THREADS_WASM_BASE64));
    const memory = new api.Memory(MEMORY);
    return WasmThreadPool.run(threads, splitEveryCall, module, memory, new api.Instance(module, {env: {memory}}));
  }

  /**
   * As start, compiling and instantiating asynchronously (a browser's main thread may not
   * compile modules of this size synchronously); resolves when the workers are parked.
   */
  static async startAsync(threads: number, splitEveryCall = false): Promise<WasmThreadPool> {
    checkThreads(threads);
    const api = threadsApi();
    const module = await api.compile(decodeBase64(GRU_KERNEL_THREADS_WASM_BASE64));
    const memory = new api.Memory(MEMORY);
    const instance = await (api.instantiate as unknown as (m: object, i: object) => Promise<WasmInstance>)(
        module, {env: {memory}});
    const {pool, ready} = WasmThreadPool.run(threads, splitEveryCall, module, memory, instance);
    if (ready) await ready;
    return pool;
  }

  private static run(threads: number, splitEveryCall: boolean, module: object, memory: WasmMemory,
                     instance: WasmInstance): {pool: WasmThreadPool, ready: Promise<void>|null} {
    // The memory is imported (shared), not exported: WasmKernel finds it with the exports.
    const e = checkExports({...instance.exports, memory}) as ThreadExports;

    // Each thread's thread-local block, packing buffers and (workers) stack.
    const tlsSize = Number(e.__tls_size.value), tlsAlign = Math.max(16, Number(e.__tls_align.value));
    const packBytes = 4 * e.gk_pack_buffer_floats();
    let end = ((e.__heap_base.value as number) + 15) & ~15;
    const place = (bytes: number, align = 16) => {
      const at = Math.ceil(end / align) * align;
      end = at + bytes;
      return at;
    };
    const starts: Omit<ThreadStart, 'module'|'memory'>[] = [];
    for (let index = 0; index < threads; index++) {
      const tls = place(Math.max(tlsSize, 16), tlsAlign);
      const pack = place(packBytes);
      const stackTop = index === 0 ? 0 : place(STACK_BYTES) + STACK_BYTES;
      starts.push({index, tls, pack, stackTop});
    }
    const have = memory.buffer.byteLength;
    if (end > have) memory.grow(Math.ceil((end - have) / PAGE));
    e.__wasm_init_tls(starts[0].tls);
    e.gk_set_pack_buffers(starts[0].pack);
    const browserMainThread = typeof (globalThis as {document?: unknown}).document !== 'undefined';
    e.gk_threads_init(threads, browserMainThread ? 0 : 1, splitEveryCall ? 1 : 0);

    const node = nodeWorkerThreads();
    const workers: Thread[] = [];
    const readies: Promise<void>[] = [];
    for (const s of starts.slice(1)) {
      const data: ThreadStart = {...s, module, memory};
      if (node) {
        workers.push(startNodeWorker(node, data));  // waited for below, on the start count
      } else {
        const {thread, ready} = startWebWorker(data);
        workers.push(thread);
        readies.push(ready);
      }
    }
    const pool = new WasmThreadPool(
        new WasmKernel(e, {heapStart: end, name: `wasm-simd ×${threads} threads`}), threads, e, workers);
    if (node) {
      try {
        waitForWorkers(e, memory, threads - 1);
      } catch (err) {
        pool.stop();
        throw err;
      }
      return {pool, ready: null};
    }
    const ready = Promise.all(readies).then(() => undefined, (err) => {
      pool.stop();
      throw err;
    });
    return {pool, ready};
  }

  /** Ends the workers (their gk_thread_main returns) and terminates them; the kernel then runs on one thread. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.exports.gk_threads_exit();
    for (const w of this.workers) w.terminate();
  }
}

const MEMORY = {initial: 64, maximum: 65536, shared: true};  // as the module declares (tools/build-wasm.sh)

function checkThreads(threads: number): void {
  const why = wasmThreadsUnsupportedReason();
  if (why != null) throw new Error(`the threaded wasm GRU kernel cannot run here: ${why}`);
  if (!Number.isInteger(threads) || threads < 2 || threads > 16) {
    throw new Error(`wasm kernel threads must be an integer from 2 to 16, got ${threads}`);
  }
}

function threadsApi(): WasmApi & {Memory: new (d: object) => WasmMemory} {
  return wasmApi() as WasmApi & {Memory: new (d: object) => WasmMemory};
}

/*
 * Node: the workers start on their own threads, whatever this thread does, so it can
 * block until all have entered gk_thread_main (which counts them in).
 */
function waitForWorkers(e: ThreadExports, memory: WasmMemory, workers: number): void {
  const at = e.gk_threads_started() >> 2;
  const deadline = Date.now() + 30000;
  for (;;) {
    const words = new Int32Array(memory.buffer);
    const n = Atomics.load(words, at);
    if (n >= workers) return;
    if (Date.now() > deadline) throw new Error(`wasm kernel threads: ${n} of ${workers} workers started in 30 s`);
    Atomics.wait(words, at, n, 100);
  }
}

function startNodeWorker(wt: NodeWorkerThreads, data: ThreadStart): Thread {
  const worker = new wt.Worker(WORKER_SOURCE, {eval: true});
  worker.unref();  // a parked worker must not keep the process alive
  worker.postMessage(data);
  return {terminate: () => { worker.terminate().catch(() => undefined); }};
}

interface WebWorker {
  postMessage(data: unknown): void;
  onmessage: ((ev: {data: unknown}) => void)|null;
  onerror: ((ev: {message?: string}) => void)|null;
  terminate(): void;
}

function startWebWorker(data: ThreadStart): {thread: Thread, ready: Promise<void>} {
  const g = globalThis as unknown as {
    Worker: new (url: string) => WebWorker, Blob: new (parts: string[], o: object) => object,
    URL: {createObjectURL(b: object): string, revokeObjectURL(u: string): void},
  };
  const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], {type: 'text/javascript'}));
  const worker = new g.Worker(url);
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = (ev) => {
      if (ev.data === 'ready') resolve();
      else if (ev.data !== 'exit') reject(new Error(`wasm kernel thread ${data.index}: ${String(ev.data)}`));
    };
    worker.onerror = (ev) => reject(new Error(`wasm kernel thread ${data.index}: ${ev.message ?? 'failed to start'}`));
  });
  worker.postMessage(data);
  ready.finally(() => g.URL.revokeObjectURL(url)).catch(() => undefined);
  return {thread: {terminate: () => worker.terminate()}, ready};
}
