/**
 * tfjs's own weight quantization (the manifest's `quantization` entry, which every
 * tfjs loader dequantizes): float16 (2 bytes a value, ~3 significant digits) or uint8
 * (1 byte, affine: value = q · scale + min over each tensor's range, with 0 exact).
 * Only float32 tensors are quantized; int32 and bool weights stay as they are.
 * Browser-safe.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * How `convert --quantize` stores float32 weights.
 * @category Conversion
 */
export type QuantizeMode = 'float16' | 'uint8';

/**
 * Every {@link QuantizeMode}, for option parsing.
 * @category Conversion
 */
export const QUANTIZE_MODES: readonly QuantizeMode[] = ['float16', 'uint8'];

/** float32 → IEEE half bits, rounded to nearest even (overflow to ±Infinity, NaN kept). */
function toHalf(value: number, f32: Float32Array, u32: Uint32Array): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;  // a carry into the exponent is the right rounding
  return sign | half;
}

/**
 * The weights of a manifest (`specs` over the concatenated `data`) with every float32 tensor quantized.
 * @category Conversion
 */
export function quantizeWeights(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer, mode: QuantizeMode):
    {specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer} {
  const parts: Uint8Array[] = [];
  const out: tf.io.WeightsManifestEntry[] = [];
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  let offset = 0;
  for (const spec of specs) {
    if (spec.quantization != null) throw new Error(`weight '${spec.name}' is already quantized`);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const size = (spec.dtype === 'bool' ? 1 : 4) * n;
    const bytes = new Uint8Array(data, offset, size);
    offset += size;
    if (spec.dtype !== 'float32') {
      parts.push(bytes.slice());
      out.push(spec);
      continue;
    }
    const values = new Float32Array(data.slice(offset - size, offset));
    if (mode === 'float16') {
      const half = new Uint16Array(n);
      for (let i = 0; i < n; i++) half[i] = toHalf(values[i], f32, u32);
      parts.push(new Uint8Array(half.buffer));
      out.push({...spec, quantization: {dtype: 'float16'}});
      continue;
    }
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(values[i])) throw new Error(`weight '${spec.name}' holds ${values[i]}; uint8 quantization needs finite values`);
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
    }
    const scale = hi > lo ? (hi - lo) / 255 : 1;
    const zero = Math.round(-lo / scale);
    const min = -zero * scale;
    const q = new Uint8Array(n);
    for (let i = 0; i < n; i++) q[i] = Math.min(255, Math.max(0, Math.round((values[i] - min) / scale)));
    parts.push(q);
    out.push({...spec, quantization: {dtype: 'uint8', scale, min}});
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { joined.set(p, at); at += p.length; }
  return {specs: out, data: joined.buffer};
}
