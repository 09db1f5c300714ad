/**
 * A safetensors file opened from bytes (browser-safe): the header parsed and checked
 * at open, tensors decoded on demand from the little-endian buffer.
 */
import * as tf from '@tensorflow/tfjs';

import {SourceVariable, TensorSource} from '../tensorSource';
import {halfToFloat} from '../checkpoint/values';
import {DECODED_DTYPES, isFloatDtype, SafetensorsDtype} from './dtypes';
import {check, SAFETENSORS_EXPORT_HINT, SafetensorsError} from './errors';
import {parseHeader, SafetensorsEntry} from './header';

/**
 * Options of {@link SafetensorsFile.read} and {@link SafetensorsFile.tensors}.
 * @category Readers
 */
export interface SafetensorsReadOptions {
  /** tfjs has no float64: 'round' reads F64 as float32 (rounded to nearest); default: refuse. */
  float64?: 'refuse' | 'round';
}

/**
 * A tensor's exact values: float32 for F32/F16/BF16 (exact), float64, int32 for ints that fit, bool as 0/1.
 * @category Readers
 */
export interface SafetensorsValues {
  dtype: SafetensorsDtype;
  shape: number[];
  values: Float32Array | Float64Array | Int32Array | Uint8Array;
}

/**
 * An open safetensors file (see the module comment); a {@link TensorSource}.
 * @category Readers
 */
export interface SafetensorsFile extends TensorSource {
  /** Every tensor (name, the safetensors dtype, shape) in the file's order. */
  readonly variables: SourceVariable[];
  /** The header's `__metadata__` (e.g. {format: 'pt'}), or null. */
  readonly metadata: Record<string, string> | null;
  /** Whether the file holds a tensor of that name. */
  has(name: string): boolean;
  /** The tensor's header entry; SafetensorsError 'NO_SUCH_TENSOR' if absent. */
  entry(name: string): SafetensorsEntry;
  /** The tensor's exact values (see {@link SafetensorsValues}). */
  readValues(name: string): SafetensorsValues;
  /** The tensor as a tf.Tensor: floats float32 (F16/BF16 exactly), integers int32 (if they fit), BOOL bool. */
  read(name: string, options?: SafetensorsReadOptions): tf.Tensor;
  /** Every tensor, by name, as {@link read} gives them: e.g. a PyTorch state_dict. The caller owns them. */
  tensors(options?: SafetensorsReadOptions): Record<string, tf.Tensor>;
}

function decode(e: SafetensorsEntry, bytes: Uint8Array, file: string): SafetensorsValues {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const v = new DataView(bytes.buffer, bytes.byteOffset + e.begin, e.end - e.begin);
  const ints = (get: (i: number) => number | bigint) => {
    const o = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const x = get(i);
      const num = Number(x);
      check(num >= -0x80000000 && num <= 0x7fffffff, 'UNSUPPORTED_DTYPE', file,
          () => `tensor '${e.name}' (${e.dtype}): element ${i} = ${x} does not fit tfjs's int32`);
      o[i] = num;
    }
    return o;
  };
  let values: SafetensorsValues['values'];
  switch (e.dtype) {
    case 'F32': values = new Float32Array(n); for (let i = 0; i < n; i++) values[i] = v.getFloat32(4 * i, true); break;
    case 'F64': values = new Float64Array(n); for (let i = 0; i < n; i++) values[i] = v.getFloat64(8 * i, true); break;
    case 'F16': values = new Float32Array(n); for (let i = 0; i < n; i++) values[i] = halfToFloat(v.getUint16(2 * i, true)); break;
    case 'BF16': {
      // bfloat16 is the top half of a float32: widening is exact
      const u = new Uint32Array(n);
      for (let i = 0; i < n; i++) u[i] = v.getUint16(2 * i, true) << 16;
      values = new Float32Array(u.buffer);
      break;
    }
    case 'BOOL': values = new Uint8Array(n); for (let i = 0; i < n; i++) values[i] = v.getUint8(i) !== 0 ? 1 : 0; break;
    case 'U8': values = ints((i) => v.getUint8(i)); break;
    case 'I8': values = ints((i) => v.getInt8(i)); break;
    case 'I16': values = ints((i) => v.getInt16(2 * i, true)); break;
    case 'U16': values = ints((i) => v.getUint16(2 * i, true)); break;
    case 'I32': values = ints((i) => v.getInt32(4 * i, true)); break;
    case 'U32': values = ints((i) => v.getUint32(4 * i, true)); break;
    case 'I64': values = ints((i) => v.getBigInt64(8 * i, true)); break;
    case 'U64': values = ints((i) => v.getBigUint64(8 * i, true)); break;
    default:
      throw new SafetensorsError('UNSUPPORTED_DTYPE', file,
          `tensor '${e.name}' is ${e.dtype}, which this reader does not decode (it reads ${[...DECODED_DTYPES].join(', ')})`);
  }
  return {dtype: e.dtype, shape: e.shape, values};
}

/**
 * A PyTorch `torch.save` file (a zip holding `data.pkl` since PyTorch 1.6, a bare pickle
 * before) is not safetensors and is never unpickled here: say so, with the export to run.
 */
export function refusePickle(bytes: Uint8Array, file: string): void {
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const pickle = bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
  // a safetensors file has '{' at byte 8 whatever its header length's bytes are
  if ((zip || pickle) && bytes[8] !== 0x7b) {
    throw new SafetensorsError('PICKLE', file,
        `this is a PyTorch ${zip ? 'torch.save zip archive' : 'pickle'}, not a safetensors file; pickles can run code ` +
        `when loaded and are not read here. Export the weights in Python with: ${SAFETENSORS_EXPORT_HINT}`);
  }
}

class BytesSafetensors implements SafetensorsFile {
  readonly variables: SourceVariable[];
  readonly metadata: Record<string, string> | null;
  private readonly byName: Map<string, SafetensorsEntry>;
  private bytes: Uint8Array | null;

  constructor(bytes: Uint8Array, readonly file: string) {
    const header = parseHeader(bytes, file);
    this.bytes = bytes;
    this.metadata = header.metadata;
    this.byName = new Map(header.entries.map((e) => [e.name, e]));
    this.variables = header.entries.map((e) => ({name: e.name, dtype: e.dtype, shape: e.shape.slice()}));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  entry(name: string): SafetensorsEntry {
    const e = this.byName.get(name);
    if (e == null) {
      const some = [...this.byName.keys()].slice(0, 8);
      throw new SafetensorsError('NO_SUCH_TENSOR', this.file,
          `no tensor '${name}'; the file holds ${this.byName.size}: ${some.join(', ')}${this.byName.size > 8 ? ', ...' : ''}`);
    }
    return e;
  }

  readValues(name: string): SafetensorsValues {
    const e = this.entry(name);
    check(this.bytes != null, 'CLOSED', this.file, () => `tensor '${name}': the file was closed`);
    return decode(e, this.bytes, this.file);
  }

  read(name: string, options: SafetensorsReadOptions = {}): tf.Tensor {
    const t = this.readValues(name);
    if (t.dtype === 'F64') {
      check(options.float64 === 'round', 'UNSUPPORTED_DTYPE', this.file,
          () => `tensor '${name}' is F64, which tfjs does not have; read it with {float64: 'round'} to get float32, ` +
          'or readValues() for the exact values');
      return tf.tensor(Float32Array.from(t.values), t.shape, 'float32');
    }
    if (isFloatDtype(t.dtype)) return tf.tensor(t.values as Float32Array, t.shape, 'float32');
    if (t.dtype === 'BOOL') return tf.tensor(t.values as Uint8Array, t.shape, 'bool');
    return tf.tensor(t.values as Int32Array, t.shape, 'int32');
  }

  tensors(options: SafetensorsReadOptions = {}): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    try {
      for (const v of this.variables) out[v.name] = this.read(v.name, options);
    } catch (e) {
      tf.dispose(Object.values(out));
      throw e;
    }
    return out;
  }

  close(): void {
    this.bytes = null;
  }
}

/**
 * Opens a safetensors file from its bytes (browser-safe). The header is parsed and
 * validated at once (see header.ts); `file` names it in errors. Throws
 * {@link SafetensorsError} on every fault.
 * @category Readers
 */
export function readSafetensors(bytes: Uint8Array, file = 'model.safetensors'): SafetensorsFile {
  refusePickle(bytes, file);
  return new BytesSafetensors(bytes, file);
}
