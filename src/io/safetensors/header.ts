/**
 * Parsing and validating a safetensors header, as the format's reference (Rust)
 * implementation does: an 8-byte little-endian header length N (at most 100,000,000),
 * N bytes of UTF-8 JSON starting with '{' (trailing spaces allowed), an object of
 * `name: {dtype, shape, data_offsets: [begin, end]}` plus an optional `__metadata__`
 * string map; offsets are relative to the byte buffer after the header, and the
 * tensors, sorted by offset, must tile that buffer exactly (no overlap, no hole, each
 * range exactly shape-product × dtype-size bytes, the last ending at the file's end).
 * Nothing is allocated from a length before it is checked against the file's size.
 */
import {check, SafetensorsError} from './errors';
import {DTYPE_BITS, isSafetensorsDtype, SafetensorsDtype} from './dtypes';

/**
 * The format's limit on the header length.
 * @category Readers
 */
export const MAX_HEADER_SIZE = 100_000_000;

/**
 * One tensor of a safetensors file: name, dtype, shape and its byte range in the file (absolute).
 * @category Readers
 */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte offsets in the file: [begin, end). */
  begin: number;
  end: number;
}

/** A parsed header: the tensors in file order, the metadata, and where the data starts. */
export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  metadata: Record<string, string> | null;
  /** 8 + N: the absolute offset of the byte buffer. */
  dataStart: number;
}

const describe = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(describe).join(', ')}]` :
  v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v));

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses and validates the header of the file's bytes (see the module comment). */
export function parseHeader(bytes: Uint8Array, file: string): SafetensorsHeader {
  check(bytes.length >= 8, 'TRUNCATED', file, () => `${bytes.length} byte(s): a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  check(n64 <= BigInt(MAX_HEADER_SIZE), 'HEADER_TOO_LARGE', file,
      () => `header length ${n64} exceeds the format's limit of ${MAX_HEADER_SIZE} bytes (not a safetensors file?)`);
  const n = Number(n64);
  check(8 + n <= bytes.length, 'TRUNCATED', file,
      () => `the header length says ${n} bytes, but only ${bytes.length - 8} follow the length prefix`);
  check(n >= 2, 'BAD_HEADER', file, () => `header length ${n}: too short for a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError('BAD_HEADER', file, `the ${n}-byte header is not valid UTF-8`);
  }
  check(text.startsWith('{'), 'BAD_HEADER', file, () => `the header must start with '{', found ${JSON.stringify(text.slice(0, 8))}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError('BAD_HEADER', file, `the header is not valid JSON (${(e as Error).message})`);
  }
  check(json != null && typeof json === 'object' && !Array.isArray(json), 'BAD_HEADER', file, () => 'the header is not a JSON object');
  const dataStart = 8 + n;
  const bufferSize = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      check(raw != null && typeof raw === 'object' && !Array.isArray(raw) &&
            Object.values(raw as object).every((v) => typeof v === 'string'), 'BAD_HEADER', file,
      () => `__metadata__ must map strings to strings, found ${describe(raw)}`);
      metadata = raw as Record<string, string>;
      continue;
    }
    const what = `tensor '${name}'`;
    check(raw != null && typeof raw === 'object' && !Array.isArray(raw), 'BAD_ENTRY', file,
        () => `${what}: expected {dtype, shape, data_offsets}, found ${describe(raw)}`);
    const e = raw as {dtype?: unknown; shape?: unknown; data_offsets?: unknown};
    check(isSafetensorsDtype(e.dtype), 'BAD_ENTRY', file,
        () => `${what}: dtype ${describe(e.dtype)} is not a safetensors dtype (${Object.keys(DTYPE_BITS).join(', ')})`);
    check(Array.isArray(e.shape) && e.shape.every(isIndex), 'BAD_ENTRY', file,
        () => `${what}: shape must be a list of non-negative integers, found ${describe(e.shape)}`);
    const off = e.data_offsets;
    check(Array.isArray(off) && off.length === 2 && off.every(isIndex) && off[0] <= off[1], 'BAD_ENTRY', file,
        () => `${what}: data_offsets must be [begin, end] with 0 <= begin <= end, found ${describe(off)}`);
    const shape = e.shape as number[];
    const [b, en] = off as number[];
    let elements = 1;
    for (const d of shape) {
      elements *= d;
      check(Number.isSafeInteger(elements), 'BAD_ENTRY', file, () => `${what}: shape [${shape.join(', ')}] overflows`);
    }
    const bits = elements * DTYPE_BITS[e.dtype];
    check(bits % 8 === 0, 'BAD_ENTRY', file, () => `${what}: ${elements} ${e.dtype} element(s) do not fill whole bytes`);
    check(en - b === bits / 8, 'BAD_ENTRY', file,
        () => `${what}: ${e.dtype} [${shape.join(', ')}] needs ${bits / 8} bytes, data_offsets [${b}, ${en}] hold ${en - b}`);
    check(en <= bufferSize, 'TRUNCATED', file,
        () => `${what}: data_offsets [${b}, ${en}] reach past the ${bufferSize}-byte buffer after the header`);
    entries.push({name, dtype: e.dtype, shape, begin: dataStart + b, end: dataStart + en});
  }
  // the tensors must tile the buffer: sorted by offset, each starts where the previous ended
  const sorted = [...entries].sort((x, y) => x.begin - y.begin || x.end - y.end);
  let at = dataStart;
  for (const e of sorted) {
    check(e.begin === at, 'BAD_OFFSETS', file, () => (e.begin < at ?
      `tensor '${e.name}' (bytes ${e.begin - dataStart}..${e.end - dataStart}) overlaps the tensor before it (which ends at ${at - dataStart})` :
      `a hole of ${e.begin - at} byte(s) before tensor '${e.name}' (buffer offset ${at - dataStart} to ${e.begin - dataStart})`));
    at = e.end;
  }
  check(at === bytes.length, 'BAD_OFFSETS', file,
      () => `the tensors end at buffer offset ${at - dataStart}, but the buffer holds ${bufferSize} bytes`);
  return {entries: sorted, metadata, dataStart};
}
