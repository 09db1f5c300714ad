// The SIMD wasm build (native/gru_kernel.c + native/wasm): its gemm against a
// plain JS gemm, its libm-free math against Math.*, and the whole kernel's
// forward and backward against the tfjs-op GRU (opsGruSequence) and tf.grads
// through it. Runs on whatever tfjs backend is active (the reference is tfjs ops).
import * as tf from '@tensorflow/tfjs';

import {getActivation} from '../src';
import {ACTIVATION_CODES, SequenceKernelDims, SequenceKernelInputs} from '../src/kernels/sequenceKernel';
import {GRU_KERNEL_WASM_BASE64} from '../src/kernels/wasm/gruKernelWasm.generated';
import {
  WasmKernel, decodeBase64, loadWasmKernel, loadWasmKernelSync, wasmKernelIfLoaded, wasmSimdUnsupportedReason,
} from '../src/kernels/wasm/wasmKernel';
import {checkExports, REQUIRED_EXPORTS} from '../src/kernels/wasm/wasmApi';
import {GruSequenceOptions, opsGruSequence} from '../src/math/gruSequence';
import {expectNoNewTensors, randInt, rng} from './helpers/tensors';

function randomArray(n: number, rand: () => number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (2 * rand() - 1) * scale;
  return a;
}

/** Row-major C = alpha·op(A)·op(B) + beta·C in float64. */
function naiveGemm(ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array,
                   lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): Float64Array {
  const out = Float64Array.from(c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
      out[i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * c[i * ldc + j]);
    }
  }
  return out;
}

let kernel: WasmKernel;
beforeAll(() => {
  kernel = loadWasmKernelSync();
});

describe('loading', () => {
  test('this engine has SIMD and the module loads, once, sync and async alike', async () => {
    expect(wasmSimdUnsupportedReason()).toBeNull();
    expect(kernel.name).toBe('wasm-simd');
    expect(loadWasmKernelSync()).toBe(kernel);
    expect(wasmKernelIfLoaded()).toBe(kernel);
    expect(await loadWasmKernel()).toBe(kernel);
  });

  test('the embedded base64 decodes to the same bytes as Buffer does, a wasm module', () => {
    const bytes = decodeBase64(GRU_KERNEL_WASM_BASE64);
    expect(Buffer.from(bytes).equals(Buffer.from(GRU_KERNEL_WASM_BASE64, 'base64'))).toBe(true);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
    expect(Buffer.from(decodeBase64('aGk=')).toString()).toBe('hi');
    expect(() => decodeBase64('a*==')).toThrow(/invalid character '\*' at 1/);
  });
});

describe('a module of another version', () => {
  test('an export whose signature changed (gk_step without its transposed flag) is refused, naming it', () => {
    const fake: Record<string, unknown> = Object.fromEntries(REQUIRED_EXPORTS.map((name) => [name, () => 0]));
    fake.gk_dense = (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, t: number) =>
      a + b + c + d + e + f + g + h + t;
    fake.gk_step = (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number) =>
      a + b + c + d + e + f + g + h;
    expect(() => checkExports(fake)).toThrow(/another version of tfjs-gru: its gk_step takes 8 arguments, this version's takes 9/);
    fake.gk_step = fake.gk_dense;
    expect(() => checkExports(fake)).not.toThrow();
  });
});

describe('engines without SIMD', () => {
  test('the probe says so, and a fresh loader throws WasmKernelUnavailableError instead of compiling', () => {
    const wasm = (globalThis as unknown as {WebAssembly: {validate(b: Uint8Array): boolean}}).WebAssembly;
    const spy = jest.spyOn(wasm, 'validate').mockReturnValue(false);
    try {
      expect(wasmSimdUnsupportedReason()).toMatch(/has WebAssembly but not its SIMD128 extension/);
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const fresh = require('../src/kernels/wasm/wasmKernel') as typeof import('../src/kernels/wasm/wasmKernel');
        expect(fresh.wasmKernelIfLoaded()).toBeNull();
        expect(() => fresh.loadWasmKernelSync()).toThrow(fresh.WasmKernelUnavailableError);
        expect(() => fresh.loadWasmKernelSync()).toThrow(/the SIMD wasm GRU kernel cannot run here: .*SIMD128/);
      });
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const fresh = require('../src/kernels/wasm/wasmKernelThreads') as typeof import('../src/kernels/wasm/wasmKernelThreads');
        expect(fresh.wasmKernelProvider(() => undefined)()).toBeNull();  // callers fall back to tfjs ops
      });
    } finally {
      spy.mockRestore();
    }
    expect(wasmSimdUnsupportedReason()).toBeNull();
  });
});

describe('gk_sgemm', () => {
  const sizes = [1, 3, 4, 8, 17, 65];
  const rand = rng(7);
  const cases: Array<[boolean, boolean, number, number, number, number, number, number]> = [];
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      for (let i = 0; i < 14; i++) {
        const [alpha, beta] = ([[1, 0], [1, 1], [0.5, -2], [-1.5, 0], [2, 0.25]] as const)[randInt(rand, 0, 4)];
        cases.push([ta, tb, sizes[randInt(rand, 0, 5)], sizes[randInt(rand, 0, 5)], sizes[randInt(rand, 0, 5)],
                    alpha, beta, randInt(rand, 0, 3)]);
      }
      // Bigger than one cache block in every direction (KC = NC = 256), with a ragged edge.
      cases.push([ta, tb, 37, 300, 517, 1, 1, 5]);
      // Enough rows (>= 128) that B is packed even when not transposed.
      cases.push([ta, tb, 130, 19, 270, 0.5, 1, 3]);
    }
  }
  test.each(cases)('transA %p transB %p M %i N %i K %i alpha %p beta %p (ld padding %i)',
                   (ta, tb, m, n, k, alpha, beta, pad) => {
    const r = rng(m * 1000 + n * 10 + k);
    const lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    const a = randomArray((ta ? k : m) * lda, r), b = randomArray((tb ? n : k) * ldb, r);
    const c = randomArray(m * ldc, r);
    if (beta === 0) c.fill(NaN);  // beta = 0 must not read C
    const want = naiveGemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    const got = kernel.sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c.slice(), ldc);
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < ldc; j++) {
        const at = i * ldc + j;
        if (j >= n) {
          // Padding columns are not C's: untouched.
          expect(Object.is(got[at], c[at])).toBe(true);
          continue;
        }
        worst = Math.max(worst, Math.abs(got[at] - want[at]));
      }
    }
    // float32 sums of k products of values in [-1, 1]
    expect(worst).toBeLessThanOrEqual(4e-7 * k * Math.max(1, Math.abs(alpha)) + 2e-7);
  });

  /** The largest |got − want| over C's n columns (the padding checked untouched), and the error bound. */
  function gemmError(ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number, beta: number,
                     pad: number, seed: number): {worst: number, bound: number, paddingKept: boolean} {
    const r = rng(seed);
    const lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    const a = randomArray((ta ? k : m) * lda, r), b = randomArray((tb ? n : k) * ldb, r);
    const c = randomArray(m * ldc, r);
    if (beta === 0) c.fill(NaN);
    const want = naiveGemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    const got = kernel.sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c.slice(), ldc);
    let worst = 0, paddingKept = true;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < ldc; j++) {
        const at = i * ldc + j;
        if (j >= n) paddingKept = paddingKept && Object.is(got[at], c[at]);
        else worst = Math.max(worst, Number.isNaN(got[at]) ? Infinity : Math.abs(got[at] - want[at]));
      }
    }
    return {worst, bound: 4e-7 * k * Math.max(1, Math.abs(alpha)) + 2e-7, paddingKept};
  }

  // The kernel's tiles are 2 rows x 16 columns (a last odd row has its own kernel), op(A) is packed in
  // blocks of 64 rows and k-major pairs (four k at a time, then one by one), B^T in 4 x 4 transposes
  // (then single columns), one-row products take 24 columns at a time, then 4, then 1, and up to 4 rows
  // with B transposed are dot products, 4 columns at a time and 4 k per vector: every remainder of
  // each, for every layout and the alpha/beta cases.
  test('every edge of the tiles, the packing and the one-row product', () => {
    const ms = [1, 2, 3, 5, 64, 67];
    const ns = [1, 3, 4, 7, 15, 16, 17, 23, 24, 25, 28, 31, 33, 52];
    const ks = [1, 2, 3, 4, 5, 7, 8, 13];
    const ab: Array<[number, number]> = [[1, 0], [1, 1], [0.5, -2], [-1.5, 0], [2, 0.25], [1, -1]];
    const failures: string[] = [];
    let count = 0;
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        for (const m of ms) {
          for (const n of ns) {
            for (const k of ks) {
              const [alpha, beta] = ab[count % ab.length];
              const pad = count % 3;
              const e = gemmError(ta, tb, m, n, k, alpha, beta, pad, ++count);
              if (!(e.worst <= e.bound) || !e.paddingKept) {
                failures.push(`transA ${ta} transB ${tb} M ${m} N ${n} K ${k} alpha ${alpha} beta ${beta} pad ${pad}: ` +
                              `max error ${e.worst} (bound ${e.bound})${e.paddingKept ? '' : ', padding overwritten'}`);
              }
            }
          }
        }
      }
    }
    expect(count).toBe(4 * ms.length * ns.length * ks.length);
    expect(failures).toEqual([]);
  });

  test('blocks of the reduction, of the columns and of the rows, B packed or read in place, one-row products', () => {
    // [M, N, K]: K over two KC = 256 blocks with a ragged end; N over NC = 256 packed columns;
    // M over blocks of 64 rows; M >= 128 packs B; one row over long reductions and wide rows.
    const shapes: Array<[number, number, number]> = [
      [5, 40, 600], [66, 300, 259], [129, 33, 261], [131, 270, 9], [1, 1001, 300], [1, 77, 513], [2, 530, 70],
    ];
    const failures: string[] = [];
    let count = 0;
    for (const [m, n, k] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const [alpha, beta] of [[1, 0], [1, 1], [0.5, -2]] as const) {
            const e = gemmError(ta, tb, m, n, k, alpha, beta, count % 2, 1000 + ++count);
            if (!(e.worst <= e.bound) || !e.paddingKept) {
              failures.push(`transA ${ta} transB ${tb} M ${m} N ${n} K ${k} alpha ${alpha} beta ${beta}: ` +
                            `max error ${e.worst} (bound ${e.bound})${e.paddingKept ? '' : ', padding overwritten'}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  test('one-row products with a strided row of A (A transposed, lda > 1) equal the plain ones bit for bit', () => {
    const r = rng(11);
    for (const n of [5, 24, 29, 100]) {
      const k = 37, lda = 3;
      const at = randomArray(k * lda, r), b = randomArray(k * n, r);
      const row = new Float32Array(k);
      for (let p = 0; p < k; p++) row[p] = at[p * lda];
      for (const [alpha, beta] of [[1, 0], [1, 1], [0.5, -2]] as const) {
        const c = randomArray(n, r);
        const strided = kernel.sgemm(true, false, 1, n, k, alpha, at, lda, b, n, beta, c.slice(), n);
        const plain = kernel.sgemm(false, false, 1, n, k, alpha, row, k, b, n, beta, c.slice(), n);
        expect(Array.from(strided)).toEqual(Array.from(plain));
        const want = naiveGemm(false, false, 1, n, k, alpha, row, k, b, n, beta, c, n);
        for (let j = 0; j < n; j++) expect(Math.abs(strided[j] - want[j])).toBeLessThanOrEqual(4e-7 * k + 2e-7);
      }
    }
  });

  test('k = 0 gives beta·C, and beta = 0 gives zeros even over NaN', () => {
    const c = Float32Array.from([1, 2, 3, 4]);
    kernel.sgemm(false, false, 2, 2, 0, 1, new Float32Array(0), 1, new Float32Array(0), 2, 0.5, c, 2);
    expect(Array.from(c)).toEqual([0.5, 1, 1.5, 2]);
    c.fill(NaN);
    kernel.sgemm(false, false, 2, 2, 0, 1, new Float32Array(0), 1, new Float32Array(0), 2, 0, c, 2);
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
  });

  test('too short arrays are refused with what was expected', () => {
    expect(() => kernel.sgemm(false, false, 2, 3, 4, 1, new Float32Array(7), 4, new Float32Array(12), 3, 0,
                              new Float32Array(6), 3)).toThrow('sgemm: a needs at least 8 values, got 7');
  });
});

describe('gk_math.h', () => {
  const u32 = new Uint32Array(1), f32 = new Float32Array(u32.buffer);
  /** Every 4093rd float32 bit pattern that is finite: ~1M values over the whole range. */
  const xs = (() => {
    const out: number[] = [];
    for (let bits = 0; bits < 2 ** 32; bits += 4093) {
      u32[0] = bits;
      if (Number.isFinite(f32[0])) out.push(f32[0]);
    }
    // and densely around 0 and the places where the methods switch
    for (let i = -20000; i <= 20000; i++) out.push(i * 1e-4, 0.55 + i * 1e-7, -0.55 + i * 1e-7);
    return Float32Array.from(out);
  })();
  function ulp(r: number): number {
    const a = Math.abs(Math.fround(r));
    if (a < 2 ** -126) return 2 ** -149;
    let e = Math.floor(Math.log2(a));
    if (2 ** e > a) e--;
    return 2 ** (e - 23);
  }
  function maxUlp(fn: 'exp'|'tanh'|'sigmoid', ref: (x: number) => number): {ulps: number, abs: number} {
    const ys = kernel.math(fn, xs);
    let ulps = 0, abs = 0;
    for (let i = 0; i < xs.length; i++) {
      const r = ref(xs[i]);
      const rf = Math.fround(r);
      if (!Number.isFinite(rf)) {
        // overflow: inf, or the largest float when the exact value is within an ulp of it
        if (!(ys[i] === rf || ys[i] >= 3.4e38)) throw new Error(`${fn}(${xs[i]}) = ${ys[i]}, want ${rf}`);
        continue;
      }
      ulps = Math.max(ulps, Math.abs(ys[i] - r) / ulp(r));
      abs = Math.max(abs, Math.abs(ys[i] - r));
    }
    return {ulps, abs};
  }

  test('exp: within 1 ulp of Math.exp over the float range, subnormals included', () => {
    const {ulps} = maxUlp('exp', Math.exp);
    expect(ulps).toBeLessThanOrEqual(1);  // measured 0.98 over every 64th float
  });

  test('tanh: within 2 ulp of Math.tanh, exact for tiny x', () => {
    const {ulps} = maxUlp('tanh', Math.tanh);
    expect(ulps).toBeLessThanOrEqual(2);  // measured 1.42 (near 0.55, the formula's side)
    const tiny = Float32Array.from([1e-30, -1e-30, 1e-45, -1e-45, 1e-10, 2 ** -20]);
    expect(Array.from(kernel.math('tanh', tiny))).toEqual(Array.from(tiny));
  });

  test('sigmoid: within 3 ulp of 1/(1+exp(−x)), no overflow for large negative x', () => {
    const {ulps} = maxUlp('sigmoid', (x) => 1 / (1 + Math.exp(-x)));
    expect(ulps).toBeLessThanOrEqual(3);  // measured 2.4 (e^x/(1+e^x) side)
  });

  test('special values: NaN passes, infinities saturate, overflow to inf, underflow to 0', () => {
    const x = Float32Array.from([NaN, Infinity, -Infinity, 0, -0, 88.72, 88.73, 89, 1000, -87.4, -103.9, -104, -1000]);
    const e = kernel.math('exp', x), t = kernel.math('tanh', x), s = kernel.math('sigmoid', x);
    expect(Number.isNaN(e[0]) && Number.isNaN(t[0]) && Number.isNaN(s[0])).toBe(true);
    expect(Array.from(e.subarray(1))).toEqual([
      Infinity, 0, 1, 1, Math.fround(Math.exp(Math.fround(88.72))), Infinity, Infinity, Infinity,
      Math.fround(Math.exp(Math.fround(-87.4))), 2 ** -149, 0, 0,
    ]);
    expect(Array.from(t.subarray(1))).toEqual([1, -1, 0, -0, 1, 1, 1, 1, -1, -1, -1, -1]);
    expect(Object.is(t[4], -0)).toBe(true);
    expect(s[1]).toBe(1);
    expect(s[2]).toBe(0);
    expect(s[3]).toBe(0.5);
    expect(s[12]).toBe(0);
    expect(s[9]).toBe(Math.fround(Math.exp(Math.fround(-87.4))));  // e^x/(1+e^x) keeps tiny values
  });

  test('the four-lane tanh and sigmoid the kernel runs equal the scalar functions bit for bit', () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 2 ** -149, -(2 ** -149), 2 ** -12, -(2 ** -12), 0.55, -0.55,
                      Math.fround(0.55) - 2 ** -24, 88.72, 89, -104, -1000, 1000, 3.4e38, -3.4e38];
    const all = Float32Array.from([...specials, ...xs]);
    const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (const fn of ['tanh', 'sigmoid'] as const) {
      const want = kernel.math(fn, all);
      const got = kernel.math(`${fn}-array`, all);
      const differ = bits(want).findIndex((w, i) => w !== bits(got)[i] && !(Number.isNaN(want[i]) && Number.isNaN(got[i])));
      expect([fn, differ === -1 ? 'equal' : `x = ${all[differ]}: ${got[differ]}, scalar ${want[differ]}`]).toEqual([fn, 'equal']);
      // every length around the vector width: the scalar tail and the lanes agree
      for (let n = 0; n <= 9; n++) {
        const x = all.subarray(5, 5 + n);
        expect(Array.from(bits(kernel.math(`${fn}-array`, x)))).toEqual(Array.from(bits(kernel.math(fn, x))));
      }
    }
  });
});

interface Case {
  B: number; T: number; D: number; U: number; resetAfter: boolean; goBackwards: boolean;
  mask: 'none'|'padding'|'random'; bx: boolean; bh: boolean; activation: string; recurrentActivation: string;
}

const ACTS = ['tanh', 'sigmoid', 'hardSigmoid', 'linear', 'relu'];

function kernelCases(): Case[] {
  const rand = rng(20261202);
  const out: Case[] = [];
  for (let i = 0; i < 24; i++) {
    const activation = ACTS[i % ACTS.length];
    const unbounded = activation === 'linear' || activation === 'relu';
    const resetAfter = rand() < 0.5;
    out.push({
      B: randInt(rand, 1, 9), T: randInt(rand, 1, 11), D: randInt(rand, 1, 21), U: randInt(rand, 1, 19),
      resetAfter, goBackwards: rand() < 0.4, mask: (['none', 'padding', 'random'] as const)[randInt(rand, 0, 2)],
      bx: rand() < 0.8, bh: resetAfter && rand() < 0.7, activation,
      // bounded gates keep unbounded candidates from amplifying rounding chaotically
      recurrentActivation: ACTS[unbounded ? randInt(rand, 1, 2) : randInt(rand, 0, 2)],
    });
  }
  // Unbounded gate activations (few steps, so the state stays finite).
  out.push({B: 3, T: 4, D: 5, U: 7, resetAfter: false, goBackwards: false, mask: 'random', bx: true, bh: false,
            activation: 'tanh', recurrentActivation: 'linear'});
  out.push({B: 4, T: 3, D: 6, U: 9, resetAfter: true, goBackwards: true, mask: 'none', bx: true, bh: true,
            activation: 'tanh', recurrentActivation: 'relu'});
  // Shapes past the gemm's 4x8 tile and 256 blocks, and memory growth beyond the initial 4 MiB.
  out.push({B: 33, T: 40, D: 70, U: 130, resetAfter: false, goBackwards: true, mask: 'padding', bx: true, bh: false,
            activation: 'tanh', recurrentActivation: 'sigmoid'});
  out.push({B: 5, T: 64, D: 300, U: 96, resetAfter: true, goBackwards: false, mask: 'random', bx: true, bh: true,
            activation: 'tanh', recurrentActivation: 'hardSigmoid'});
  return out;
}

function makeMask(c: Case, rand: () => number): Float32Array|null {
  if (c.mask === 'none') return null;
  const m = new Float32Array(c.B * c.T);
  for (let b = 0; b < c.B; b++) {
    const len = randInt(rand, 0, c.T);
    for (let t = 0; t < c.T; t++) m[b * c.T + t] = c.mask === 'padding' ? (t < len ? 1 : 0) : (rand() < 0.6 ? 1 : 0);
  }
  return m;
}

function dimsOf(c: Case): SequenceKernelDims {
  return {
    batch: c.B, time: c.T, inputSize: c.D, units: c.U, resetAfter: c.resetAfter,
    activation: ACTIVATION_CODES[c.activation], recurrentActivation: ACTIVATION_CODES[c.recurrentActivation],
    goBackwards: c.goBackwards,
  };
}

function inputsOf(c: Case, seed: number): SequenceKernelInputs {
  const r = rng(seed);
  return {
    x: randomArray(c.B * c.T * c.D, r), W: randomArray(c.D * 3 * c.U, r, 0.6 / Math.sqrt(c.D / 8 + 1)),
    R: randomArray(c.U * 3 * c.U, r, 0.6 / Math.sqrt(c.U / 8 + 1)),
    bx: c.bx ? randomArray(3 * c.U, r, 0.5) : null, bh: c.bh ? randomArray(3 * c.U, r, 0.5) : null,
    h0: randomArray(c.B * c.U, r, 0.5), mask: makeMask(c, r),
  };
}

/** tfjs ops: y [B,T,U], hT, and the gradients of sum(y⊙dy) + sum(hT⊙dhT). */
function reference(c: Case, i: SequenceKernelInputs, dy: Float32Array, dhT: Float32Array) {
  return tf.tidy(() => {
    const x = tf.tensor3d(i.x, [c.B, c.T, c.D]), h0 = tf.tensor2d(i.h0, [c.B, c.U]);
    const W = tf.tensor2d(i.W, [c.D, 3 * c.U]), R = tf.tensor2d(i.R, [c.U, 3 * c.U]);
    const bx = tf.tensor1d(i.bx ?? new Float32Array(3 * c.U)), bh = tf.tensor1d(i.bh ?? new Float32Array(3 * c.U));
    const options: GruSequenceOptions = {
      resetAfter: c.resetAfter, activation: getActivation(c.activation),
      recurrentActivation: getActivation(c.recurrentActivation), goBackwards: c.goBackwards,
      mask: i.mask ? tf.tensor2d(i.mask, [c.B, c.T]) : null, returnSequences: true,
    };
    const dyT = tf.tensor3d(dy, [c.B, c.T, c.U]), dhTT = tf.tensor2d(dhT, [c.B, c.U]);
    const f = (xv: tf.Tensor, hv: tf.Tensor, Wv: tf.Tensor, Rv: tf.Tensor, bxv: tf.Tensor, bhv: tf.Tensor) => {
      const r = opsGruSequence(xv as tf.Tensor3D, hv as tf.Tensor2D, {
        inputKernel: Wv as tf.Tensor2D, recurrentKernel: Rv as tf.Tensor2D,
        inputBias: i.bx ? bxv as tf.Tensor1D : null, recurrentBias: i.bh ? bhv as tf.Tensor1D : null,
      }, options);
      return {r, loss: tf.add(tf.sum(tf.mul(r.outputs!, dyT)), tf.sum(tf.mul(r.state, dhTT)))};
    };
    const {r} = f(x, h0, W, R, bx, bh);
    const wrt = [x, h0, W, R, ...(i.bx ? [bx] : []), ...(i.bh ? [bh] : [])];
    const g = tf.grads((...a: tf.Tensor[]) => {
      const [xv, hv, Wv, Rv] = a;
      const bxv = i.bx ? a[4] : bx, bhv = i.bh ? a[i.bx ? 5 : 4] : bh;
      return f(xv, hv, Wv, Rv, bxv, bhv).loss;
    })(wrt);
    const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
    return {
      y: read(r.outputs!), hT: read(r.state), dx: read(g[0]), dh0: read(g[1]), dW: read(g[2]), dR: read(g[3]),
      dbx: i.bx ? read(g[4]) : new Float32Array(3 * c.U),
      dbh: i.bh ? read(g[i.bx ? 5 : 4]) : new Float32Array(3 * c.U),
    };
  });
}

/** max |a − b| / max(1, max |b|). */
function relErr(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let d = 0, m = 1;
  for (let k = 0; k < a.length; k++) {
    d = Math.max(d, Math.abs(a[k] - b[k]));
    m = Math.max(m, Math.abs(b[k]));
  }
  return Number.isNaN(d) ? Infinity : d / m;
}

describe('gk_forward and gk_backward (wasm) against tfjs ops', () => {
  const all = kernelCases();
  test.each(all.map((c, i) => [i, JSON.stringify(c), c] as const))('case %i %s', (i, _s, c) => {
    const d = dimsOf(c);
    const inputs = inputsOf(c, 100 + i);
    const r = rng(900 + i);
    const dy = randomArray(c.B * c.T * c.U, r), dhT = randomArray(c.B * c.U, r);
    const fwd = kernel.forward(d, inputs, true);
    const ref = reference(c, inputs, dy, dhT);
    expect(relErr(fwd.y, ref.y)).toBeLessThanOrEqual(1e-5);
    expect(relErr(fwd.hT, ref.hT)).toBeLessThanOrEqual(1e-5);
    expect(fwd.workspace!.length).toBe(kernel.workspaceFloats(d));
    const g = kernel.backward(d, inputs, fwd.workspace!, dy, dhT);
    for (const name of ['dx', 'dh0', 'dW', 'dR', 'dbx', 'dbh'] as const) {
      const e = relErr(g[name], ref[name]);
      if (!(e <= 2e-5)) throw new Error(`${name}: relative error ${e}`);
    }
    // Inference (no workspace) gives the same outputs.
    const inf = kernel.forward(d, inputs, false);
    expect(inf.workspace).toBeNull();
    expect(Buffer.from(inf.y.buffer).equals(Buffer.from(fwd.y.buffer))).toBe(true);
  });

  test('calls are independent: a backward after another forward uses only its own workspace', () => {
    const a = all[all.length - 2], b = all[3];
    const ia = inputsOf(a, 1), ib = inputsOf(b, 2);
    const r = rng(3);
    const dy = randomArray(a.B * a.T * a.U, r), dhT = randomArray(a.B * a.U, r);
    const fa = kernel.forward(dimsOf(a), ia, true);
    const direct = kernel.backward(dimsOf(a), ia, fa.workspace!, dy, dhT);
    const fb = kernel.forward(dimsOf(b), ib, true);
    kernel.backward(dimsOf(b), ib, fb.workspace!, randomArray(b.B * b.T * b.U, r), randomArray(b.B * b.U, r));
    const later = kernel.backward(dimsOf(a), ia, fa.workspace!, dy, dhT);
    expect(Buffer.from(later.dW.buffer).equals(Buffer.from(direct.dW.buffer))).toBe(true);
    expect(Buffer.from(later.dx.buffer).equals(Buffer.from(direct.dx.buffer))).toBe(true);
  });

  test('resident weights (weightsKey): the same results as copying them each call, across other sets, sgemm calls and new keys', () => {
    const a = all[all.length - 2], b = all[3];
    const ia = inputsOf(a, 4), ib = inputsOf(b, 5);
    const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');
    const plain = [kernel.forward(dimsOf(a), ia, false).y, kernel.forward(dimsOf(b), ib, false).y].map(bits);
    const keyA = {}, keyB = {};
    for (let round = 0; round < 2; round++) {
      expect(bits(kernel.forward(dimsOf(a), {...ia, weightsKey: keyA}, false).y)).toBe(plain[0]);
      expect(bits(kernel.forward(dimsOf(b), {...ib, weightsKey: keyB}, false).y)).toBe(plain[1]);
      kernel.sgemm(false, false, 8, 8, 8, 1, new Float32Array(64).fill(3), 8, new Float32Array(64).fill(5), 8, 0, new Float32Array(64), 8);
    }
    // New values under a new key (what a layer's setWeights leads to): the new weights are used.
    const ia2 = {...inputsOf(a, 6), x: ia.x, h0: ia.h0, mask: ia.mask};
    expect(bits(kernel.forward(dimsOf(a), {...ia2, weightsKey: {}}, false).y)).toBe(bits(kernel.forward(dimsOf(a), ia2, false).y));
    expect(bits(kernel.forward(dimsOf(a), {...ia2, weightsKey: {}}, false).y)).not.toBe(plain[0]);
    // The same key with other arrays is not trusted: the arrays are compared too.
    expect(bits(kernel.forward(dimsOf(a), {...ia2, weightsKey: keyA}, false).y)).toBe(bits(kernel.forward(dimsOf(a), ia2, false).y));
    const dy = randomArray(a.B * a.T * a.U, rng(7)), dhT = randomArray(a.B * a.U, rng(8));
    const f = kernel.forward(dimsOf(a), {...ia, weightsKey: keyA}, true);
    const g1 = kernel.backward(dimsOf(a), {...ia, weightsKey: keyA}, f.workspace!, dy, dhT);
    const f2 = kernel.forward(dimsOf(a), ia, true);
    const g2 = kernel.backward(dimsOf(a), ia, f2.workspace!, dy, dhT);
    expect(bits(g1.dW)).toBe(bits(g2.dW));
    expect(bits(g1.dx)).toBe(bits(g2.dx));
  });

  test('no tensors are created by the kernel itself', async () => {
    const c = all[0];
    await expectNoNewTensors(() => {
      const f = kernel.forward(dimsOf(c), inputsOf(c, 1), true);
      kernel.backward(dimsOf(c), inputsOf(c, 1), f.workspace!, new Float32Array(c.B * c.T * c.U),
                      new Float32Array(c.B * c.U));
    });
  });

  test('bad input: clear errors naming the array, the expected and the actual size', () => {
    const c = all[0];
    const d = dimsOf(c), i = inputsOf(c, 1);
    expect(() => kernel.forward(d, {...i, W: new Float32Array(3)}, false))
        .toThrow(`wasm GRU kernel: W must have ${c.D * 3 * c.U} values [${c.D}, ${3 * c.U}], got 3`);
    expect(() => kernel.forward({...d, resetAfter: false}, {...i, bh: new Float32Array(3 * c.U)}, false))
        .toThrow(/bh \(recurrent bias\) is only defined with resetAfter/);
    expect(() => kernel.forward({...d, activation: 7}, i, false)).toThrow(/dims.activation must be an activation code 0..4.*got 7/);
    expect(() => kernel.forward({...d, batch: 0}, i, false)).toThrow(/dims.batch must be a positive integer, got 0/);
    expect(() => kernel.backward(d, i, new Float32Array(5), new Float32Array(c.B * c.T * c.U), new Float32Array(c.B * c.U)))
        .toThrow(/workspace must have \d+ values .*got 5/);
    expect(() => kernel.forward({...d, batch: 100000, time: 100000}, {...i}, false)).toThrow(/x must have/);
  });

  test('dims too large for wasm32 memory are refused before the kernel runs', () => {
    const d: SequenceKernelDims = {batch: 1000, time: 1000, inputSize: 1, units: 1000, resetAfter: false,
                                   activation: 0, recurrentActivation: 1, goBackwards: false};
    expect(() => kernel.workspaceFloats(d)).toThrow(/a wasm32 module has at most 4294967296/);
  });
});
