/**
 * Decoding a tensor's bytes from a bundle shard (little-endian, C order) into
 * exact JavaScript values, with the CRC32C check TensorFlow's own reader does.
 *
 * String tensors are stored as `[varint64 len_0 .. len_n-1][fixed32 masked CRC of
 * the lengths][bytes_0 .. bytes_n-1]`; their checksum covers each length as a
 * uint32 (a uint64 above 2^32-1), then the 4 checksum bytes, then the strings, not
 * the varint bytes. Every other dtype's checksum covers its bytes as stored.
 */
import {Crc32c} from '@aws-crypto/crc32c';

import {CheckpointDtype} from './dtypes';
import {CheckpointError} from './errors';
import {crc32c, maskCrc} from './crc32c';
import {ByteCursor, readUint32LE} from './varint';

/**
 * A decoded tensor's values: a typed array per dtype (BigInt64Array for int64, 0/1 bytes for bool), byte strings for string.
 * @category Readers
 */
export type CheckpointValues =
    | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array
    | Uint32Array | BigInt64Array | BigUint64Array | Uint8Array[];

/** IEEE half → float32 value (exact). */
export function halfToFloat(h: number): number {
  const s = (h & 0x8000) ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function le(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes fixed-size elements. Float16 and bfloat16 become exact float32 values; bool becomes 0/1 bytes. */
export function decodeFixed(dtype: Exclude<CheckpointDtype, 'string'>, bytes: Uint8Array, n: number): CheckpointValues {
  const v = le(bytes);
  switch (dtype) {
    case 'float32': { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = v.getFloat32(4 * i, true); return o; }
    case 'float64': { const o = new Float64Array(n); for (let i = 0; i < n; i++) o[i] = v.getFloat64(8 * i, true); return o; }
    case 'float16': { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = halfToFloat(v.getUint16(2 * i, true)); return o; }
    case 'bfloat16': {
      const o = new Float32Array(n);
      const w = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        w.setUint32(0, v.getUint16(2 * i, true) << 16, false);
        o[i] = w.getFloat32(0, false);
      }
      return o;
    }
    case 'int8': return Int8Array.from(bytes.subarray(0, n), (b) => (b << 24) >> 24);
    case 'uint8': return Uint8Array.from(bytes.subarray(0, n));
    case 'bool': return Uint8Array.from(bytes.subarray(0, n), (b) => (b !== 0 ? 1 : 0));
    case 'int16': { const o = new Int16Array(n); for (let i = 0; i < n; i++) o[i] = v.getInt16(2 * i, true); return o; }
    case 'uint16': { const o = new Uint16Array(n); for (let i = 0; i < n; i++) o[i] = v.getUint16(2 * i, true); return o; }
    case 'int32': { const o = new Int32Array(n); for (let i = 0; i < n; i++) o[i] = v.getInt32(4 * i, true); return o; }
    case 'uint32': { const o = new Uint32Array(n); for (let i = 0; i < n; i++) o[i] = v.getUint32(4 * i, true); return o; }
    case 'int64': { const o = new BigInt64Array(n); for (let i = 0; i < n; i++) o[i] = v.getBigInt64(8 * i, true); return o; }
    case 'uint64': { const o = new BigUint64Array(n); for (let i = 0; i < n; i++) o[i] = v.getBigUint64(8 * i, true); return o; }
  }
}

/** Checks a fixed-size tensor's CRC32C (`want` unmasked). */
export function checkFixedCrc(bytes: Uint8Array, want: number, file: string, name: string): void {
  const got = crc32c(bytes);
  if (got !== want) {
    throw new CheckpointError('TENSOR_CRC', file,
        `variable '${name}': CRC32C mismatch (entry says 0x${want.toString(16)}, the ${bytes.length} bytes give 0x${got.toString(16)})`);
  }
}

/** Decodes and checks a string tensor of `n` elements occupying exactly `bytes`. */
export function decodeStrings(bytes: Uint8Array, n: number, want: number, file: string, name: string): Uint8Array[] {
  const what = `variable '${name}' (string tensor)`;
  const cur = new ByteCursor(bytes, file, what);
  const lengths: number[] = [];
  const crc = new Crc32c();
  const word = new DataView(new ArrayBuffer(8));
  let total = 0;
  for (let i = 0; i < n; i++) {
    const len = cur.varint64(`length of element ${i}`);
    total += len;
    if (total > bytes.length) {
      throw new CheckpointError('BAD_ENTRY', file,
          `${what}: element lengths add up to more than the tensor's ${bytes.length} bytes (at element ${i})`);
    }
    lengths.push(len);
    if (len <= 0xffffffff) {
      word.setUint32(0, len, true);
      crc.update(new Uint8Array(word.buffer, 0, 4));
    } else {
      word.setBigUint64(0, BigInt(len), true);
      crc.update(new Uint8Array(word.buffer, 0, 8));
    }
  }
  const lenCrcAt = cur.pos;
  const lenCrcBytes = cur.take(4, 'checksum of the lengths');
  const storedLenCrc = readUint32LE(lenCrcBytes, 0);
  const lenCrc = maskCrc(crc.digest() >>> 0);
  if (storedLenCrc !== lenCrc) {
    throw new CheckpointError('TENSOR_CRC', file,
        `${what}: checksum of the lengths at byte ${lenCrcAt} is 0x${storedLenCrc.toString(16)}, the lengths give 0x${lenCrc.toString(16)}`);
  }
  crc.update(lenCrcBytes);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const s = cur.take(lengths[i], `bytes of element ${i}`);
    crc.update(s);
    out.push(Uint8Array.from(s));
  }
  if (cur.remaining !== 0) {
    throw new CheckpointError('BAD_ENTRY', file, `${what}: ${cur.remaining} bytes left over after ${n} elements`);
  }
  const got = crc.digest() >>> 0;
  if (got !== want) {
    throw new CheckpointError('TENSOR_CRC', file,
        `${what}: CRC32C mismatch (entry says 0x${want.toString(16)}, the data give 0x${got.toString(16)})`);
  }
  return out;
}
