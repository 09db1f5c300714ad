/**
 * The SIMD wasm GRU kernel: native/gru_kernel.c with our wasm32 SIMD128 gemm
 * (native/wasm/), embedded as base64 by tools/build-wasm.sh. Browser-safe: no
 * Node modules; the bytes come from a generated TS module, not from a file.
 *
 * Each call lays its arrays out in the module's memory after __heap_base
 * (growing it as needed), copies the inputs in, runs gk_forward/gk_backward and
 * copies the results out; the workspace travels in a JS Float32Array, so calls
 * are independent of each other. Over the threaded build's instance
 * (wasmThreads.ts) the same calls run on its pool of threads.
 */
import {
  SequenceKernel, SequenceKernelDims, SequenceKernelForward, SequenceKernelGradients, SequenceKernelInputs,
} from '../sequenceKernel';
import {GRU_KERNEL_WASM_BASE64} from './gruKernelWasm.generated';
import {
  checkExports, GruKernelExports, WasmApi, wasmApi, WasmKernelUnavailableError, wasmSimdUnsupportedReason,
} from './wasmApi';

export type {GruKernelExports};
export {WasmKernelUnavailableError, wasmSimdUnsupportedReason};

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** base64 → bytes, without atob or Buffer (neither is everywhere). */
export function decodeBase64(s: string): Uint8Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) table[B64.charCodeAt(i)] = i;
  let len = s.length;
  while (len > 0 && s[len - 1] === '=') len--;
  if (s.length % 4 !== 0) throw new Error(`decodeBase64: length must be a multiple of 4, got ${s.length}`);
  const out = new Uint8Array((len * 3) >> 2);
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? table[c] : -1;
    if (v < 0) throw new Error(`decodeBase64: invalid character '${s[i]}' at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

let bytesCache: Uint8Array|undefined;
function moduleBytes(): Uint8Array {
  if (bytesCache === undefined) bytesCache = decodeBase64(GRU_KERNEL_WASM_BASE64);
  return bytesCache;
}

/**
 * The bytes of gru_kernel.wasm (a copy): what a worklet or worker compiles for tfjs-gru/stream.
 * @category Backends and kernels
 */
export function wasmKernelBytes(): Uint8Array {
  return moduleBytes().slice();
}

let compiled: object|undefined;

/** gru_kernel.wasm compiled once, synchronously (not on a browser's main thread: see loadWasmKernelSync). */
export function wasmKernelModuleSync(): object {
  if (compiled === undefined) compiled = new (api().Module)(moduleBytes());
  return compiled;
}

/**
 * gru_kernel.wasm compiled once, asynchronously (a WebAssembly.Module: can be posted to a worklet or worker).
 * @category Backends and kernels
 */
export async function wasmKernelModule(): Promise<object> {
  if (compiled === undefined) compiled = await api().compile(moduleBytes());
  return compiled;
}

function api(): WasmApi {
  const why = wasmSimdUnsupportedReason();
  if (why != null) throw new WasmKernelUnavailableError(why);
  return wasmApi()!;
}

let kernel: WasmKernel|undefined;
let pending: Promise<WasmKernel>|undefined;

/**
 * The kernel, compiled synchronously on first use (Node, workers; Chrome refuses
 * synchronous compiles of modules over 4 KB on a page's main thread: use
 * loadWasmKernel there). Throws WasmKernelUnavailableError without SIMD.
 * @category Backends and kernels
 */
export function loadWasmKernelSync(): WasmKernel {
  if (kernel) return kernel;
  const wasm = api();
  const instance = new wasm.Instance(new wasm.Module(moduleBytes()), {});
  kernel = new WasmKernel(checkExports(instance.exports));
  return kernel;
}

/**
 * The kernel, compiled asynchronously once (browsers). Rejects with WasmKernelUnavailableError without SIMD.
 * @category Backends and kernels
 */
export function loadWasmKernel(): Promise<WasmKernel> {
  if (kernel) return Promise.resolve(kernel);
  if (!pending) {
    pending = (async () => {
      const {instance} = await api().instantiate(moduleBytes(), {});
      kernel = kernel ?? new WasmKernel(checkExports(instance.exports));
      return kernel;
    })();
    pending.catch(() => { pending = undefined; });
  }
  return pending;
}

/**
 * The kernel if a load has finished, else null.
 * @category Backends and kernels
 */
export function wasmKernelIfLoaded(): WasmKernel|null {
  return kernel ?? null;
}

const PAGE = 65536;
const MAX_BYTES = 4 * 1024 * 1024 * 1024;

/** Bump allocation of 16-byte aligned float arrays in the module memory, from __heap_base. */
/** Where the kernel's inputs go in the module's memory (0: a null input). */
interface InputPointers {
  x: number; W: number; R: number; bx: number; bh: number; h0: number; mask: number;
}

/** Places the inputs after `layout`; the weights only when they are not resident (WasmKernel.residentWeights). */
function placeInputs(layout: Layout, i: SequenceKernelInputs, resident: ResidentWeights|null): InputPointers {
  const w = resident ?? {
    W: layout.take(i.W.length), R: layout.take(i.R.length),
    bx: i.bx ? layout.take(i.bx.length) : 0, bh: i.bh ? layout.take(i.bh.length) : 0,
  };
  return {
    x: layout.take(i.x.length), W: w.W, R: w.R, bx: w.bx, bh: w.bh,
    h0: layout.take(i.h0.length), mask: i.mask ? layout.take(i.mask.length) : 0,
  };
}

function copyInputs(heap: Float32Array, p: InputPointers, i: SequenceKernelInputs, weightsToo: boolean): void {
  heap.set(i.x, p.x >> 2);
  if (weightsToo) copyWeights(heap, p, i);
  heap.set(i.h0, p.h0 >> 2);
  if (i.mask) heap.set(i.mask, p.mask >> 2);
}

function copyWeights(heap: Float32Array, p: {W: number, R: number, bx: number, bh: number}, i: SequenceKernelInputs): void {
  heap.set(i.W, p.W >> 2);
  heap.set(i.R, p.R >> 2);
  if (i.bx) heap.set(i.bx, p.bx >> 2);
  if (i.bh) heap.set(i.bh, p.bh >> 2);
}

/** Where one set of weights sits in the module's memory, valid while `generation` is the kernel's. */
interface ResidentWeights {
  generation: number;
  R: number; W: number; bx: number; bh: number;
  /** The arrays copied there (their key is inputs.weightsKey). */
  arrays: [Float32Array, Float32Array, Float32Array|null, Float32Array|null];
}

/** Bytes of memory the resident weights may take before all are dropped and placed anew. */
const RESIDENT_LIMIT = 256 * 1024 * 1024;

class Layout {
  private end: number;
  constructor(start: number) { this.end = start; }
  /** Byte offset of `floats` floats (0 floats still gets an address; callers pass 0 for "none"). */
  take(floats: number): number {
    const at = (this.end + 15) & ~15;
    this.end = at + 4 * floats;
    return at;
  }
  get bytes(): number { return this.end; }
}

function checkLength(what: string, a: Float32Array|null|undefined, expected: number, shape: string): void {
  if (!(a instanceof Float32Array)) {
    throw new Error(`wasm GRU kernel: ${what} must be a Float32Array of ${expected} values ${shape}, got ${a === null ? 'null' : typeof a}`);
  }
  if (a.length !== expected) {
    throw new Error(`wasm GRU kernel: ${what} must have ${expected} values ${shape}, got ${a.length}`);
  }
}

function checkDims(d: SequenceKernelDims): void {
  for (const key of ['batch', 'time', 'inputSize', 'units'] as const) {
    const v = d[key];
    if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff) {
      throw new Error(`wasm GRU kernel: dims.${key} must be a positive integer, got ${v}`);
    }
  }
  for (const key of ['activation', 'recurrentActivation'] as const) {
    const v = d[key];
    if (!Number.isInteger(v) || v < 0 || v > 4) {
      throw new Error(`wasm GRU kernel: dims.${key} must be an activation code 0..4 (ACTIVATION_CODES), got ${v}`);
    }
  }
}

function checkInputs(d: SequenceKernelDims, i: SequenceKernelInputs): void {
  const {batch: B, time: T, inputSize: D, units: U} = d;
  checkLength('x', i.x, B * T * D, `[${B}, ${T}, ${D}]`);
  checkLength('W', i.W, D * 3 * U, `[${D}, ${3 * U}]`);
  checkLength('R', i.R, U * 3 * U, `[${U}, ${3 * U}]`);
  if (i.bx != null) checkLength('bx', i.bx, 3 * U, `[${3 * U}]`);
  if (i.bh != null) {
    if (!d.resetAfter) throw new Error('wasm GRU kernel: bh (recurrent bias) is only defined with resetAfter, got resetAfter false');
    checkLength('bh', i.bh, 3 * U, `[${3 * U}]`);
  }
  checkLength('h0', i.h0, B * U, `[${B}, ${U}]`);
  if (i.mask != null) checkLength('mask', i.mask, B * T, `[${B}, ${T}]`);
}

/**
 * A SequenceKernel over one instance of gru_kernel.wasm. Use the loaders above.
 * @category Backends and kernels
 */
export class WasmKernel implements SequenceKernel {
  readonly name: string;
  private readonly heapBase: number;
  /*
   * Weights stay in the module's memory between calls with the same
   * inputs.weightsKey (the layers pass one per weight version, see
   * kernelGruSequence's cache), so such a call copies only x, h0 and the mask in.
   * Memory: [dims 32 B][resident weights ... residentEnd)[this call's arrays].
   */
  private resident = new WeakMap<object, ResidentWeights>();
  private generation = 0;
  private residentEnd: number;

  /**
   * options.heapStart: where this kernel's memory use starts (default __heap_base; the
   * threaded kernel keeps its threads' stacks before it); options.name: the kernel's name.
   */
  constructor(readonly exports: GruKernelExports, options: {heapStart?: number, name?: string} = {}) {
    this.heapBase = options.heapStart ?? (exports.__heap_base.value as number) >>> 0;
    this.name = options.name ?? 'wasm-simd';
    this.residentEnd = this.residentStart;
  }

  private get residentStart(): number {
    return ((this.heapBase + 15) & ~15) + 32;
  }

  /** The weights' place in memory, copying them there if this version is not there yet. */
  private residentWeights(i: SequenceKernelInputs, key: object): ResidentWeights {
    const hit = this.resident.get(key);
    const [W, R, bx, bh] = hit?.arrays ?? [];
    if (hit && hit.generation === this.generation && W === i.W && R === i.R && bx === i.bx && bh === i.bh) return hit;
    const bytes = 4 * (i.W.length + i.R.length + (i.bx?.length ?? 0) + (i.bh?.length ?? 0)) + 64;
    if (this.residentEnd + bytes > this.residentStart + RESIDENT_LIMIT) {
      this.generation++;  // drops every resident set: they are placed again when next used
      this.residentEnd = this.residentStart;
    }
    const layout = new Layout(this.residentEnd);
    const w: ResidentWeights = {
      generation: this.generation, W: layout.take(i.W.length), R: layout.take(i.R.length),
      bx: i.bx ? layout.take(i.bx.length) : 0, bh: i.bh ? layout.take(i.bh.length) : 0, arrays: [i.W, i.R, i.bx, i.bh],
    };
    copyWeights(this.ensureMemory(layout.bytes), w, i);
    this.residentEnd = (layout.bytes + 15) & ~15;
    this.resident.set(key, w);
    return w;
  }

  /** Grows the memory to `bytes` at least; returns a fresh Float32Array view of all of it. */
  ensureMemory(bytes: number): Float32Array {
    if (bytes > MAX_BYTES) {
      throw new Error(`wasm GRU kernel: this call needs ${bytes} bytes of wasm memory, a wasm32 module has at most ${MAX_BYTES}`);
    }
    const mem = this.exports.memory;
    const have = mem.buffer.byteLength;
    if (bytes > have) {
      try {
        mem.grow(Math.ceil((bytes - have) / PAGE));
      } catch (e) {
        throw new Error(`wasm GRU kernel: could not grow wasm memory from ${have} to ${bytes} bytes: ${(e as Error).message}`);
      }
    }
    return new Float32Array(mem.buffer);
  }

  /** Writes dims at the heap base; returns its address and the layout of this call's arrays (after the resident weights). */
  private writeDims(d: SequenceKernelDims): {ptr: number, layout: Layout} {
    checkDims(d);
    // The kernel's size_t is 32 bits here: refuse what cannot fit before it could wrap.
    const {batch: B, time: T, inputSize: D, units: U} = d;
    const bound = 4 * (B * T * (2 * D + 24 * U) + 6 * D * U + 6 * U * U + 16 * B * U);
    if (bound > MAX_BYTES) {
      throw new Error(`wasm GRU kernel: dims ${JSON.stringify(d)} need about ${bound} bytes of wasm memory, ` +
                      `a wasm32 module has at most ${MAX_BYTES}`);
    }
    const ptr = (this.heapBase + 15) & ~15;
    this.ensureMemory(ptr + 32);
    new Int32Array(this.exports.memory.buffer, ptr, 8).set([
      d.batch, d.time, d.inputSize, d.units, d.resetAfter ? 1 : 0, d.activation, d.recurrentActivation,
      d.goBackwards ? 1 : 0,
    ]);
    return {ptr, layout: new Layout(this.residentEnd)};
  }

  private sizes(dimsPtr: number) {
    const e = this.exports;
    return {
      ws: e.gk_workspace_floats(dimsPtr) >>> 0,
      fwd: e.gk_forward_scratch_floats(dimsPtr) >>> 0,
      bwd: e.gk_backward_scratch_floats(dimsPtr) >>> 0,
    };
  }

  /** The threads a call (forward or backward) with these dims runs on: 1 unless this is the threaded kernel. */
  callThreads(d: SequenceKernelDims): number {
    const f = (this.exports as {gk_call_threads?: (dims: number) => number}).gk_call_threads;
    return f ? f(this.writeDims(d).ptr) : 1;
  }

  /** Floats of workspace a forward pass with these dims keeps. */
  workspaceFloats(d: SequenceKernelDims): number {
    return this.sizes(this.writeDims(d).ptr).ws;
  }

  forward(d: SequenceKernelDims, i: SequenceKernelInputs, keepWorkspace: boolean): SequenceKernelForward {
    checkDims(d);
    checkInputs(d, i);
    const resident = i.weightsKey != null ? this.residentWeights(i, i.weightsKey) : null;
    const {ptr, layout} = this.writeDims(d);
    const size = this.sizes(ptr);
    const {batch: B, time: T, units: U} = d;
    const p = {
      ...placeInputs(layout, i, resident),
      y: layout.take(B * T * U), hT: layout.take(B * U),
      ws: keepWorkspace ? layout.take(size.ws) : 0, scratch: layout.take(size.fwd),
    };
    const heap = this.ensureMemory(layout.bytes);
    copyInputs(heap, p, i, resident == null);
    const rc = this.exports.gk_forward(ptr, p.x, p.W, p.R, p.bx, p.bh, p.h0, p.mask, p.y, p.hT, p.ws, p.scratch);
    if (rc !== 0) throw new Error(`wasm GRU kernel: gk_forward rejected dims ${JSON.stringify(d)} (code ${rc})`);
    return {
      y: heap.slice(p.y >> 2, (p.y >> 2) + B * T * U),
      hT: heap.slice(p.hT >> 2, (p.hT >> 2) + B * U),
      workspace: keepWorkspace ? heap.slice(p.ws >> 2, (p.ws >> 2) + size.ws) : null,
    };
  }

  backward(d: SequenceKernelDims, i: SequenceKernelInputs, workspace: Float32Array, dy: Float32Array,
           dhT: Float32Array): SequenceKernelGradients {
    checkDims(d);
    checkInputs(d, i);
    const resident = i.weightsKey != null ? this.residentWeights(i, i.weightsKey) : null;
    const {ptr, layout} = this.writeDims(d);
    const size = this.sizes(ptr);
    const {batch: B, time: T, inputSize: D, units: U} = d;
    checkLength('workspace', workspace, size.ws, '(from a forward pass with keepWorkspace and the same dims)');
    checkLength('dy', dy, B * T * U, `[${B}, ${T}, ${U}]`);
    checkLength('dhT', dhT, B * U, `[${B}, ${U}]`);
    const p = {
      ...placeInputs(layout, i, resident),
      ws: layout.take(size.ws), dy: layout.take(dy.length), dhT: layout.take(dhT.length),
      dx: layout.take(B * T * D), dW: layout.take(D * 3 * U), dR: layout.take(U * 3 * U),
      dbx: i.bx ? layout.take(3 * U) : 0, dbh: i.bh ? layout.take(3 * U) : 0, dh0: layout.take(B * U),
      scratch: layout.take(size.bwd),
    };
    const heap = this.ensureMemory(layout.bytes);
    copyInputs(heap, p, i, resident == null);
    heap.set(workspace, p.ws >> 2);
    heap.set(dy, p.dy >> 2);
    heap.set(dhT, p.dhT >> 2);
    const rc = this.exports.gk_backward(ptr, p.x, p.W, p.R, p.bx, p.bh, p.h0, p.mask, p.ws, p.dy, p.dhT, p.dx,
                                        p.dW, p.dR, p.dbx, p.dbh, p.dh0, p.scratch);
    if (rc !== 0) throw new Error(`wasm GRU kernel: gk_backward rejected dims ${JSON.stringify(d)} (code ${rc})`);
    const out = (at: number, n: number) => heap.slice(at >> 2, (at >> 2) + n);
    return {
      dx: out(p.dx, B * T * D), dW: out(p.dW, D * 3 * U), dR: out(p.dR, U * 3 * U),
      dbx: i.bx ? out(p.dbx, 3 * U) : new Float32Array(3 * U),
      dbh: i.bh ? out(p.dbh, 3 * U) : new Float32Array(3 * U),
      dh0: out(p.dh0, B * U),
    };
  }

  /**
   * Row-major C = alpha·op(A)·op(B) + beta·C on JS arrays, through the module's
   * gk_sgemm (for tests and benchmarks; copies in and out). Returns C.
   */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, lda: number,
        b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): Float32Array {
    const need = (name: string, arr: Float32Array, rows: number, cols: number, ld: number) => {
      if (ld < Math.max(1, cols)) throw new Error(`sgemm: ld${name} must be at least ${cols}, got ${ld}`);
      const min = rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
      if (arr.length < min) throw new Error(`sgemm: ${name} needs at least ${min} values, got ${arr.length}`);
    };
    need('a', a, transA ? k : m, transA ? m : k, lda);
    need('b', b, transB ? n : k, transB ? k : n, ldb);
    need('c', c, m, n, ldc);
    const layout = new Layout(this.residentEnd);
    const pa = layout.take(a.length), pb = layout.take(b.length), pc = layout.take(c.length);
    const heap = this.ensureMemory(layout.bytes);
    heap.set(a, pa >> 2);
    heap.set(b, pb >> 2);
    heap.set(c, pc >> 2);
    this.exports.gk_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    c.set(heap.subarray(pc >> 2, (pc >> 2) + c.length));
    return c;
  }

  /**
   * gk_exp / gk_tanh / gk_sigmoid of gk_math.h over an array (tests); 'tanh-array' /
   * 'sigmoid-array': the four-lane versions the kernel's loops run.
   */
  math(fn: 'exp'|'tanh'|'sigmoid'|'tanh-array'|'sigmoid-array', x: Float32Array): Float32Array {
    const layout = new Layout(this.residentEnd);
    const px = layout.take(x.length), py = layout.take(x.length);
    const heap = this.ensureMemory(layout.bytes);
    heap.set(x, px >> 2);
    const e = this.exports;
    const f = {exp: e.gk_test_exp, tanh: e.gk_test_tanh, sigmoid: e.gk_test_sigmoid,
               'tanh-array': e.gk_test_tanh_array, 'sigmoid-array': e.gk_test_sigmoid_array}[fn];
    f(px, py, x.length);
    return heap.slice(py >> 2, (py >> 2) + x.length);
  }
}
