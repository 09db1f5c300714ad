/**
 * TensorFlow's DataType numbers (tensorflow/core/framework/types.proto) and how
 * this reader decodes each. `itemSize` is the bytes per element in a bundle
 * (little-endian, C order); string tensors have their own layout (see values.ts).
 */
/**
 * The dtypes this reader decodes (TensorFlow's names; tfjs has only some of them).
 * @category Readers
 */
export type CheckpointDtype =
    | 'float32' | 'float64' | 'float16' | 'bfloat16'
    | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64'
    | 'bool' | 'string';

interface DtypeInfo { name: string; decoded?: CheckpointDtype; itemSize?: number }

/** Every DataType TensorFlow defines; those without `decoded` are listed but not read. */
const DTYPES: Record<number, DtypeInfo> = {
  1: {name: 'float32', decoded: 'float32', itemSize: 4},
  2: {name: 'float64', decoded: 'float64', itemSize: 8},
  3: {name: 'int32', decoded: 'int32', itemSize: 4},
  4: {name: 'uint8', decoded: 'uint8', itemSize: 1},
  5: {name: 'int16', decoded: 'int16', itemSize: 2},
  6: {name: 'int8', decoded: 'int8', itemSize: 1},
  7: {name: 'string', decoded: 'string'},
  8: {name: 'complex64'},
  9: {name: 'int64', decoded: 'int64', itemSize: 8},
  10: {name: 'bool', decoded: 'bool', itemSize: 1},
  11: {name: 'qint8'},
  12: {name: 'quint8'},
  13: {name: 'qint32'},
  14: {name: 'bfloat16', decoded: 'bfloat16', itemSize: 2},
  15: {name: 'qint16'},
  16: {name: 'quint16'},
  17: {name: 'uint16', decoded: 'uint16', itemSize: 2},
  18: {name: 'complex128'},
  19: {name: 'float16', decoded: 'float16', itemSize: 2},
  20: {name: 'resource'},
  21: {name: 'variant'},
  22: {name: 'uint32', decoded: 'uint32', itemSize: 4},
  23: {name: 'uint64', decoded: 'uint64', itemSize: 8},
  24: {name: 'float8_e5m2'},
  25: {name: 'float8_e4m3fn'},
  26: {name: 'float8_e4m3fnuz'},
  27: {name: 'float8_e4m3b11fnuz'},
  28: {name: 'float8_e5m2fnuz'},
  29: {name: 'int4'},
  30: {name: 'uint4'},
  31: {name: 'int2'},
  32: {name: 'uint2'},
};

/** The dtype's name (TensorFlow's, e.g. 'float16', 'complex64'), or null for a number TF does not define. */
export function dtypeName(n: number): string | null {
  const info = DTYPES[n >= 100 && n < 200 ? n - 100 : n];  // 1xx: reference types, as TF stores them
  return info == null ? null : info.name;
}

export function dtypeInfo(n: number): DtypeInfo | null {
  return DTYPES[n >= 100 && n < 200 ? n - 100 : n] ?? null;
}
