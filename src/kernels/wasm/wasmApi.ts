/**
 * The little of the WebAssembly JS API the kernel's loaders use, and the SIMD
 * check. Kept apart from wasmKernel.ts (which embeds the module's bytes) so that
 * the tfjs-free streaming entry (src/stream/) can use it without those bytes.
 */
/*
 * The little of the WebAssembly JS API used here, typed locally: the package's
 * TypeScript lib settings (ES2019, no DOM) do not declare WebAssembly, and
 * declaring it globally would clash with users' DOM typings.
 */
export interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number; }
export interface WasmGlobal { readonly value: unknown; }
export interface WasmInstance { readonly exports: Record<string, unknown>; }
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  instantiate(bytes: Uint8Array, imports: object): Promise<{instance: WasmInstance}>;
  compile(bytes: Uint8Array): Promise<object>;
}
export function wasmApi(): WasmApi|undefined {
  const api = (globalThis as {WebAssembly?: WasmApi}).WebAssembly;
  return typeof api === 'object' && api !== null && typeof api.validate === 'function' ? api : undefined;
}

/** What the module exports (tools/build-wasm.sh). Pointers and sizes are byte offsets / i32. */
export interface GruKernelExports {
  memory: WasmMemory;
  __heap_base: WasmGlobal;
  gk_sgemm(transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, lda: number,
           b: number, ldb: number, beta: number, c: number, ldc: number): void;
  gk_forward(dims: number, x: number, W: number, R: number, bx: number, bh: number, h0: number, mask: number,
             y: number, hT: number, ws: number, scratch: number): number;
  gk_backward(dims: number, x: number, W: number, R: number, bx: number, bh: number, h0: number, mask: number,
              ws: number, dy: number, dhT: number, dx: number, dW: number, dR: number, dbx: number, dbh: number,
              dh0: number, scratch: number): number;
  gk_workspace_floats(dims: number): number;
  gk_forward_scratch_floats(dims: number): number;
  gk_backward_scratch_floats(dims: number): number;
  /** transposed 1: W [3U, D], R [3U, U] (the layer's transposes); 0: W [D, 3U], R [U, 3U]. */
  gk_step(dims: number, x: number, W: number, R: number, bx: number, bh: number, h: number, scratch: number,
          transposed: number): number;
  gk_step_scratch_floats(dims: number): number;
  /** transposed 1: K [n, k]; 0: K [k, n]. */
  gk_dense(rows: number, k: number, n: number, x: number, K: number, b: number, activation: number, y: number,
           transposed: number): void;
  gk_activate(kind: number, v: number, n: number): void;
  gk_test_exp(x: number, y: number, n: number): void;
  gk_test_tanh(x: number, y: number, n: number): void;
  gk_test_sigmoid(x: number, y: number, n: number): void;
  gk_test_tanh_array(x: number, y: number, n: number): void;
  gk_test_sigmoid_array(x: number, y: number, n: number): void;
}

export const REQUIRED_EXPORTS = [
  'memory', '__heap_base', 'gk_sgemm', 'gk_forward', 'gk_backward', 'gk_workspace_floats',
  'gk_forward_scratch_floats', 'gk_backward_scratch_floats', 'gk_step', 'gk_step_scratch_floats', 'gk_dense',
  'gk_activate',
];

/** Parameters of the exports whose signature changed between versions: a module of another version is refused. */
const EXPORT_ARITY: Record<string, number> = {gk_step: 9, gk_dense: 9};

/** The instance's exports, typed, after checking that every required one is there, with this version's signatures. */
export function checkExports(found: Record<string, unknown>): GruKernelExports {
  const missing = REQUIRED_EXPORTS.filter((name) => !(name in found));
  if (missing.length > 0) {
    throw new Error(`gru_kernel.wasm lacks the exports ${missing.join(', ')} ` +
                    '(was it built without native/gru_kernel.c? run tools/build-wasm.sh)');
  }
  for (const [name, arity] of Object.entries(EXPORT_ARITY)) {
    const n = (found[name] as {length: number}).length;
    if (n !== arity) {
      throw new Error(`gru_kernel.wasm is from another version of tfjs-gru: its ${name} takes ${n} arguments, ` +
                      `this version's takes ${arity} (use this package's tfjs-gru/gru_kernel.wasm or wasmKernelBytes())`);
    }
  }
  return found as unknown as GruKernelExports;
}

/**
 * Thrown when this JavaScript engine cannot run the kernel (no WebAssembly, or no SIMD).
 * @category Backends and kernels
 */
export class WasmKernelUnavailableError extends Error {
  constructor(why: string) {
    super(`the SIMD wasm GRU kernel cannot run here: ${why}`);
    this.name = 'WasmKernelUnavailableError';
  }
}

/*
 * The smallest module using SIMD: (func (result v128) i32.const 0 i8x16.splat).
 * Engines without SIMD reject it; validating it tells that apart from other failures.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,        // type section: () -> v128
  0x03, 0x02, 0x01, 0x00,                          // function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b,  // code: i32.const 0; i8x16.splat; end
]);

/** Why the kernel cannot run in this engine, or null if it can. */
export function wasmSimdUnsupportedReason(): string|null {
  const api = wasmApi();
  if (api === undefined) return 'this JavaScript engine has no WebAssembly';
  try {
    if (!api.validate(SIMD_PROBE)) {
      return 'this JavaScript engine has WebAssembly but not its SIMD128 extension ' +
          '(needs Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+)';
    }
  } catch (e) {
    return `WebAssembly.validate failed: ${(e as Error).message}`;
  }
  return null;
}

