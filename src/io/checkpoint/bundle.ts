/**
 * TensorFlow's V2 checkpoint (tensor bundle) from bytes: the `.index` table
 * (tensorflow/core/util/tensor_bundle, tensor_bundle.proto) and its data shards.
 *
 * The index table's entry under the empty key is a BundleHeaderProto (number of
 * shards, endianness, version); every other entry maps a variable's name to a
 * BundleEntryProto (dtype, shape, shard id, byte offset and size in that shard,
 * masked CRC32C of the bytes). Listing the variables reads only the index; a
 * tensor's bytes are read from its shard when asked for, and CRC-checked.
 */
import {CheckpointDtype, dtypeInfo, dtypeName} from './dtypes';
import {CheckpointError} from './errors';
import {unmaskCrc} from './crc32c';
import {BundleEntry, BundleHeader, decode, VersionDef} from './protos';
import {readTable} from './table';
import {checkFixedCrc, CheckpointValues, decodeFixed, decodeStrings} from './values';

/** Where a data shard's bytes come from: whole bytes in memory, or a file read by range. */
export interface ShardSource {
  readonly name: string;
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
  close?(): void;
}

export function bytesShard(name: string, bytes: ArrayBuffer | Uint8Array): ShardSource {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return {name, size: b.length, read: (offset, length) => b.subarray(offset, offset + length)};
}

/**
 * A variable as the index lists it (no tensor data read).
 * @category Readers
 */
export interface CheckpointVariable {
  name: string;
  /** TensorFlow's dtype name ('float32', 'float16', 'string', 'resource', ...). */
  dtype: string;
  shape: number[];
  /** Bytes the tensor occupies in its shard (0 for a partitioned variable's full entry). */
  bytes: number;
  shard: number;
  /** true for a partitioned (sliced) variable, which read() refuses. */
  partitioned: boolean;
}

/**
 * The bundle header (BundleHeaderProto): number of data shards, byte order and format version.
 * @category Readers
 */
export interface CheckpointHeader {
  numShards: number;
  endianness: 'little' | 'big';
  version: VersionDef | null;
}

/** The largest element count accepted for one tensor (2^31 - 1, what a JS typed array can hold). */
export const MAX_ELEMENTS = 0x7fffffff;

export const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';

export function shardFileName(prefix: string, shard: number, numShards: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${prefix}.data-${pad(shard)}-of-${pad(numShards)}`;
}

interface Stored {
  variable: CheckpointVariable;
  entry: BundleEntry;
  decoded?: CheckpointDtype;
  itemSize?: number;
  numElements: number;
}

const utf8 = new TextDecoder('utf-8');

function decodeProto<T>(type: string, bytes: Uint8Array, file: string, what: string): T {
  try {
    return decode<T>(type, bytes);
  } catch (e) {
    throw new CheckpointError('BAD_PROTO', file, `${what}: not a valid ${type} (${(e as Error).message})`);
  }
}

/** The bundle's header and variables, parsed and validated from the index bytes (no shard is read). */
export function parseIndex(index: Uint8Array, indexName: string): {header: CheckpointHeader; stored: Map<string, Stored>; sliceEntries: number} {
  const entries = readTable(index, indexName);
  if (entries.length === 0 || entries[0].key.length !== 0) {
    throw new CheckpointError('BAD_HEADER', indexName, 'no header entry (the empty key) in the index table');
  }
  const h = decodeProto<BundleHeader>('BundleHeaderProto', entries[0].value, indexName, 'header entry');
  if (h.endianness !== 0) {
    throw new CheckpointError('BAD_HEADER', indexName,
        `header: endianness ${h.endianness === 1 ? 'BIG' : h.endianness} (this reader reads little-endian bundles, 0 = LITTLE)`);
  }
  if (!(h.num_shards >= 1 && h.num_shards <= 100000)) {
    throw new CheckpointError('BAD_HEADER', indexName, `header: num_shards ${h.num_shards} (expected 1..100000)`);
  }
  const header: CheckpointHeader = {numShards: h.num_shards, endianness: 'little', version: h.version ?? null};
  const stored = new Map<string, Stored>();
  let sliceEntries = 0;
  for (let i = 1; i < entries.length; i++) {
    const {key, value} = entries[i];
    if (key[0] === 0) {  // a slice of a partitioned variable (its key is an encoded name + slice)
      sliceEntries++;
      continue;
    }
    const name = utf8.decode(key);
    const what = `variable '${name}'`;
    const e = decodeProto<BundleEntry>('BundleEntryProto', value, indexName, what);
    const dt = dtypeName(e.dtype);
    if (dt == null) {
      throw new CheckpointError('UNKNOWN_DTYPE', indexName, `${what}: dtype ${e.dtype} is not a TensorFlow DataType`);
    }
    const info = dtypeInfo(e.dtype)!;
    const shapeProto = e.shape ?? {dim: [], unknown_rank: false};
    if (shapeProto.unknown_rank) {
      throw new CheckpointError('BAD_ENTRY', indexName, `${what}: shape has unknown rank (a saved tensor has a known shape)`);
    }
    const shape = shapeProto.dim.map((d) => d.size);
    let numElements = 1;
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new CheckpointError('BAD_ENTRY', indexName, `${what}: shape [${shape.join(', ')}] has dimension ${d} (expected >= 0)`);
      }
      numElements *= d;
      if (numElements > MAX_ELEMENTS) {
        throw new CheckpointError('BAD_ENTRY', indexName,
            `${what}: shape [${shape.join(', ')}] has more than ${MAX_ELEMENTS} elements`);
      }
    }
    const partitioned = e.slices.length > 0;
    if (!partitioned) {
      if (!(e.shard_id >= 0 && e.shard_id < header.numShards)) {
        throw new CheckpointError('BAD_ENTRY', indexName,
            `${what}: shard_id ${e.shard_id} (the header says ${header.numShards} shard(s))`);
      }
      if (!(Number.isSafeInteger(e.offset) && e.offset >= 0 && Number.isSafeInteger(e.size) && e.size >= 0)) {
        throw new CheckpointError('BAD_ENTRY', indexName, `${what}: offset ${e.offset}, size ${e.size} (expected >= 0)`);
      }
      if (info.itemSize != null && e.size !== numElements * info.itemSize) {
        throw new CheckpointError('BAD_ENTRY', indexName,
            `${what}: size ${e.size} bytes, but ${dt} [${shape.join(', ')}] needs ${numElements * info.itemSize}`);
      }
      if (info.decoded === 'string' && numElements > 0 && e.size < numElements + 4) {
        throw new CheckpointError('BAD_ENTRY', indexName,
            `${what}: size ${e.size} bytes is too small for ${numElements} strings (at least ${numElements + 4})`);
      }
    }
    if (stored.has(name)) throw new CheckpointError('BAD_BLOCK', indexName, `${what}: listed twice`);
    stored.set(name, {
      variable: {name, dtype: dt, shape, bytes: partitioned ? 0 : e.size, shard: e.shard_id, partitioned},
      entry: e, decoded: info.decoded, itemSize: info.itemSize, numElements,
    });
  }
  return {header, stored, sliceEntries};
}

/**
 * A decoded tensor: exact values in C order.
 * @category Readers
 */
export interface CheckpointTensor {
  name: string;
  dtype: CheckpointDtype;
  shape: number[];
  values: CheckpointValues;
}

export class TensorBundle {
  readonly header: CheckpointHeader;
  readonly variables: CheckpointVariable[];
  /** How many slice entries of partitioned variables the index holds (not listed as variables). */
  readonly sliceEntries: number;
  private readonly stored: Map<string, Stored>;
  private closed = false;
  private readonly opened = new Map<number, ShardSource>();

  /**
   * @param shards one source per shard, in order, or a function giving shard i's source
   *     (called the first time shard i is needed).
   */
  constructor(readonly indexName: string, index: Uint8Array,
              private readonly shards: ShardSource[] | ((shard: number, numShards: number) => ShardSource)) {
    const parsed = parseIndex(index, indexName);
    this.header = parsed.header;
    this.stored = parsed.stored;
    this.sliceEntries = parsed.sliceEntries;
    this.variables = [...this.stored.values()].map((s) => s.variable);
    if (Array.isArray(shards) && shards.length !== this.header.numShards) {
      throw new CheckpointError('NOT_FOUND', indexName,
          `the header says ${this.header.numShards} data shard(s), ${shards.length} given`);
    }
  }

  has(name: string): boolean {
    return this.stored.has(name);
  }

  variable(name: string): CheckpointVariable {
    return this.lookup(name).variable;
  }

  private lookup(name: string): Stored {
    if (this.closed) throw new CheckpointError('CLOSED', this.indexName, `read of '${name}' after close()`);
    const s = this.stored.get(name);
    if (s == null) {
      throw new CheckpointError('NO_SUCH_VARIABLE', this.indexName,
          `no variable '${name}' (the checkpoint has ${this.stored.size}; see .variables)`);
    }
    return s;
  }

  private shard(i: number): ShardSource {
    if (Array.isArray(this.shards)) return this.shards[i];
    let src = this.opened.get(i);
    if (src == null) {
      src = this.shards(i, this.header.numShards);
      this.opened.set(i, src);
    }
    return src;
  }

  /** The tensor's stored bytes, CRC-checked (strings: checked while decoding). */
  readBytes(name: string): Uint8Array {
    return this.fetch(this.lookup(name), true);
  }

  private fetch(s: Stored, checkCrc: boolean): Uint8Array {
    const {name} = s.variable;
    if (s.variable.partitioned) {
      throw new CheckpointError('PARTITIONED', this.indexName,
          `variable '${name}' is partitioned into ${s.entry.slices.length} slice(s); partitioned variables are not supported`);
    }
    const src = this.shard(s.entry.shard_id);
    if (s.entry.offset + s.entry.size > src.size) {
      throw new CheckpointError('TRUNCATED', src.name,
          `variable '${name}': bytes [${s.entry.offset}, ${s.entry.offset + s.entry.size}) lie past the end of the ` +
          `${src.size}-byte shard`);
    }
    const bytes = src.read(s.entry.offset, s.entry.size);
    if (bytes.length !== s.entry.size) {
      throw new CheckpointError('TRUNCATED', src.name, `variable '${name}': read ${bytes.length} of ${s.entry.size} bytes`);
    }
    if (checkCrc && s.decoded !== 'string') checkFixedCrc(bytes, unmaskCrc(s.entry.crc32c), src.name, name);
    return bytes;
  }

  /** The variable's exact values (see values.ts for each dtype's JS type). */
  readValues(name: string): CheckpointTensor {
    const s = this.lookup(name);
    if (s.decoded == null) {
      throw new CheckpointError('UNSUPPORTED_DTYPE', this.indexName,
          `variable '${name}': dtype ${s.variable.dtype} is not supported (float32, float64, float16, bfloat16, ` +
          'int8/16/32/64, uint8/16/32/64, bool and string are)');
    }
    const bytes = this.fetch(s, true);
    const values = s.decoded === 'string'
      ? decodeStrings(bytes, s.numElements, unmaskCrc(s.entry.crc32c), this.shard(s.entry.shard_id).name, name)
      : decodeFixed(s.decoded, bytes, s.numElements);
    return {name, dtype: s.decoded, shape: s.variable.shape.slice(), values};
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const shards = Array.isArray(this.shards) ? this.shards : [...this.opened.values()];
    for (const s of shards) s.close?.();
  }
}
