/**
 * Decoding an ONNX TensorProto's values (raw_data little-endian, or the typed
 * repeated fields), checked against its dims before anything is allocated.
 */
import {halfToFloat} from '../checkpoint/values';
import {check, OnnxError} from './errors';
import {TensorProto} from './protos';

/** ONNX TensorProto.DataType numbers → names (onnx.proto), with bytes per element where fixed. */
export const ONNX_DTYPES: Record<number, {name: string; size: number}> = {
  1: {name: 'float32', size: 4}, 2: {name: 'uint8', size: 1}, 3: {name: 'int8', size: 1}, 4: {name: 'uint16', size: 2},
  5: {name: 'int16', size: 2}, 6: {name: 'int32', size: 4}, 7: {name: 'int64', size: 8}, 8: {name: 'string', size: 0},
  9: {name: 'bool', size: 1}, 10: {name: 'float16', size: 2}, 11: {name: 'float64', size: 8}, 12: {name: 'uint32', size: 4},
  13: {name: 'uint64', size: 8}, 14: {name: 'complex64', size: 8}, 15: {name: 'complex128', size: 16},
  16: {name: 'bfloat16', size: 2},
};

/**
 * A tensor's exact values: float32 (float16/bfloat16 widened exactly), float64, or int values as JS numbers.
 * @category Readers
 */
export interface OnnxValues {
  dtype: string;
  shape: number[];
  values: Float32Array | Float64Array | Int32Array | number[];
}

/** The dtype name of a data_type number ('unknown(N)' for one onnx.proto does not define). */
export function dtypeName(n: number): string {
  return ONNX_DTYPES[n]?.name ?? `unknown(${n})`;
}

/** Number of elements of `dims`, checked (non-negative safe integers). */
export function elementCount(t: TensorProto, file: string, what: string): number {
  let n = 1;
  for (const d of t.dims) {
    check(Number.isSafeInteger(d) && d >= 0, 'BAD_TENSOR', file, () => `${what}: dims [${t.dims.join(', ')}] are not non-negative integers`);
    n *= d;
    check(Number.isSafeInteger(n), 'BAD_TENSOR', file, () => `${what}: dims [${t.dims.join(', ')}] overflow`);
  }
  return n;
}

/** Decodes `t` (named `what` in errors); float64 only when asked ('keep'); ints must fit a JS number exactly. */
export function decodeTensor(t: TensorProto, file: string, what: string): OnnxValues {
  check(t.data_location !== 1 && t.external_data.length === 0, 'EXTERNAL_DATA', file,
      () => `${what}: its data is stored outside the model (external_data ${t.external_data.map((e) => `${e.key}=${e.value}`).join(', ')}); ` +
      'save the model with its weights inside (onnx.save_model(model, path, save_as_external_data=False))');
  const dt = ONNX_DTYPES[t.data_type];
  check(dt != null, 'BAD_TENSOR', file, () => `${what}: data_type ${t.data_type} is not an ONNX data type`);
  const n = elementCount(t, file, what);
  const shape = t.dims.slice();
  const fail = (why: string) => new OnnxError('UNSUPPORTED_DTYPE', file, `${what}: ${dt.name} ${why}`);
  if (dt.name === 'string' || dt.name.startsWith('complex')) throw fail('tensors are not read by this reader');
  const raw = t.raw_data != null && t.raw_data.length > 0 ? t.raw_data : null;
  if (raw != null) {
    check(raw.length === n * dt.size, 'BAD_TENSOR', file,
        () => `${what}: ${dt.name} [${shape.join(', ')}] needs ${n * dt.size} bytes of raw_data, found ${raw.length}`);
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    switch (dt.name) {
      case 'float32': { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = v.getFloat32(4 * i, true); return {dtype: dt.name, shape, values: o}; }
      case 'float64': { const o = new Float64Array(n); for (let i = 0; i < n; i++) o[i] = v.getFloat64(8 * i, true); return {dtype: dt.name, shape, values: o}; }
      case 'float16': { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = halfToFloat(v.getUint16(2 * i, true)); return {dtype: dt.name, shape, values: o}; }
      case 'bfloat16': { const u = new Uint32Array(n); for (let i = 0; i < n; i++) u[i] = v.getUint16(2 * i, true) << 16; return {dtype: dt.name, shape, values: new Float32Array(u.buffer)}; }
      default: {
        const o: number[] = new Array(n);
        for (let i = 0; i < n; i++) {
          switch (dt.name) {
            case 'uint8': o[i] = v.getUint8(i); break;
            case 'int8': o[i] = v.getInt8(i); break;
            case 'bool': o[i] = v.getUint8(i) !== 0 ? 1 : 0; break;
            case 'uint16': o[i] = v.getUint16(2 * i, true); break;
            case 'int16': o[i] = v.getInt16(2 * i, true); break;
            case 'int32': o[i] = v.getInt32(4 * i, true); break;
            case 'uint32': o[i] = v.getUint32(4 * i, true); break;
            case 'int64': o[i] = Number(v.getBigInt64(8 * i, true)); break;
            case 'uint64': o[i] = Number(v.getBigUint64(8 * i, true)); break;
          }
        }
        return {dtype: dt.name, shape, values: o};
      }
    }
  }
  // the typed repeated fields
  const field = dt.name === 'float32' ? t.float_data : dt.name === 'float64' ? t.double_data :
    dt.name === 'int64' ? t.int64_data : dt.name === 'uint32' || dt.name === 'uint64' ? t.uint64_data : t.int32_data;
  check(field.length === n, 'BAD_TENSOR', file,
      () => `${what}: ${dt.name} [${shape.join(', ')}] needs ${n} values, found ${field.length} (and no raw_data)`);
  switch (dt.name) {
    case 'float32': return {dtype: dt.name, shape, values: Float32Array.from(field)};
    case 'float64': return {dtype: dt.name, shape, values: Float64Array.from(field)};
    case 'float16': return {dtype: dt.name, shape, values: Float32Array.from(field, (b) => halfToFloat(b & 0xffff))};
    case 'bfloat16': return {dtype: dt.name, shape, values: new Float32Array(Uint32Array.from(field, (b) => (b & 0xffff) << 16).buffer)};
    default: return {dtype: dt.name, shape, values: field.slice()};
  }
}
