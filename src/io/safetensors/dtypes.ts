/**
 * The safetensors dtypes (the names of the format's Rust `Dtype` enum) and how each
 * decodes: bytes per element, and what tfjs tensor it becomes.
 */

/**
 * A dtype name as a safetensors header writes it.
 * @category Readers
 */
export type SafetensorsDtype =
    | 'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64'
    | 'F8_E5M2' | 'F8_E4M3' | 'F8_E8M0' | 'F4' | 'F6_E2M3' | 'F6_E3M2' | 'C64';

/** Bits per element of each dtype (F4 and F6 pack below a byte). */
export const DTYPE_BITS: Record<SafetensorsDtype, number> = {
  BOOL: 8, U8: 8, I8: 8, I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32, F64: 64, I64: 64,
  U64: 64, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6, C64: 64,
};

/** The dtypes this reader decodes into tfjs tensors (floats as float32, integers as int32, BOOL as bool). */
export const DECODED_DTYPES = new Set<SafetensorsDtype>(
    ['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']);

/** Whether `name` is a dtype of the format. */
export function isSafetensorsDtype(name: unknown): name is SafetensorsDtype {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BITS, name);
}

/** Float dtypes (read as float32). */
export function isFloatDtype(d: SafetensorsDtype): boolean {
  return d === 'F16' || d === 'BF16' || d === 'F32' || d === 'F64';
}
