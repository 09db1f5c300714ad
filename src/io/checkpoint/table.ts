/**
 * A reader of the sorted-string table that TensorFlow writes as a checkpoint's
 * `.index` file (tensorflow/core/lib/io/table, the leveldb table format):
 *
 *     [data block 0][trailer] ... [data block N][trailer]
 *     [metaindex block][trailer] [index block][trailer]
 *     [footer: metaindex handle, index handle (varint64 offset, varint64 size each),
 *              zero padding to 40 bytes, magic 0xdb4775248b80fb57 (fixed64 LE)]
 *
 * A block is a run of prefix-compressed entries (varint32 shared key bytes,
 * varint32 unshared, varint32 value length, the unshared key bytes, the value),
 * then uint32 restart offsets (entries stored with shared = 0) and their uint32
 * count. Each block is followed by a 5-byte trailer: its compression type
 * (0 none, 1 Snappy) and the masked CRC32C of the stored block and that type byte.
 * The index block maps a key >= every key of a data block to that block's handle.
 */
import {CheckpointError} from './errors';
import {crc32c, unmaskCrc} from './crc32c';
import {snappyUncompress} from './snappy';
import {ByteCursor, readUint32LE} from './varint';

export const TABLE_MAGIC_LO = 0x8b80fb57;
export const TABLE_MAGIC_HI = 0xdb477524;
export const FOOTER_SIZE = 48;
const TRAILER_SIZE = 5;

export interface TableEntry {
  key: Uint8Array;
  value: Uint8Array;
}

export interface BlockHandle {
  offset: number;
  size: number;
}

function readHandle(cur: ByteCursor, what: string): BlockHandle {
  return {offset: cur.varint64(`${what} offset`), size: cur.varint64(`${what} size`)};
}

/** The stored bytes of the block at `h`, CRC-checked and decompressed. */
export function readBlock(file: Uint8Array, h: BlockHandle, fileName: string, what: string): Uint8Array {
  const end = h.offset + h.size + TRAILER_SIZE;
  if (end > file.length - FOOTER_SIZE) {
    throw new CheckpointError('BAD_BLOCK', fileName,
        `${what}: block handle [offset ${h.offset}, size ${h.size}] + ${TRAILER_SIZE}-byte trailer ends at ${end}, ` +
        `past the blocks' end (${file.length - FOOTER_SIZE})`);
  }
  const stored = file.subarray(h.offset, h.offset + h.size);
  const type = file[h.offset + h.size];
  const want = unmaskCrc(readUint32LE(file, h.offset + h.size + 1));
  const got = crc32c(file.subarray(h.offset, h.offset + h.size + 1));
  if (want !== got) {
    throw new CheckpointError('BLOCK_CRC', fileName,
        `${what} at offset ${h.offset}: CRC32C mismatch (trailer says 0x${want.toString(16)}, ` +
        `the ${h.size} bytes give 0x${got.toString(16)})`);
  }
  if (type === 0) return stored;
  if (type === 1) return snappyUncompress(stored, fileName, `${what} at offset ${h.offset}`);
  throw new CheckpointError('BAD_COMPRESSION', fileName,
      `${what} at offset ${h.offset}: compression type ${type} (expected 0 = none or 1 = Snappy)`);
}

/** Every entry of one block, in order; keys are reconstructed from their shared prefixes. */
export function parseBlock(block: Uint8Array, fileName: string, what: string): TableEntry[] {
  if (block.length < 4) {
    throw new CheckpointError('TRUNCATED', fileName, `${what}: ${block.length} bytes, a block needs at least 4`);
  }
  const numRestarts = readUint32LE(block, block.length - 4);
  const maxRestarts = Math.floor((block.length - 4) / 4);
  if (numRestarts > maxRestarts || (numRestarts === 0 && block.length > 4)) {
    throw new CheckpointError('BAD_BLOCK', fileName,
        `${what}: restart count ${numRestarts} (expected 1..${maxRestarts} for a ${block.length}-byte block)`);
  }
  const limit = block.length - 4 - 4 * numRestarts;
  const restarts = new Set<number>();
  let prev = -1;
  for (let i = 0; i < numRestarts; i++) {
    const r = readUint32LE(block, limit + 4 * i);
    if (r >= Math.max(limit, 1) || r <= prev) {
      throw new CheckpointError('BAD_BLOCK', fileName,
          `${what}: restart point ${i} = ${r} (expected increasing offsets below ${limit})`);
    }
    restarts.add(r);
    prev = r;
  }
  const entries: TableEntry[] = [];
  const cur = new ByteCursor(block, fileName, what, 0, limit);
  let lastKey = new Uint8Array(0);
  while (cur.pos < limit) {
    const at = cur.pos;
    const shared = cur.varint32('shared key length');
    const unshared = cur.varint32('unshared key length');
    const valueLength = cur.varint32('value length');
    if (shared > lastKey.length || (restarts.has(at) && shared !== 0)) {
      throw new CheckpointError('BAD_BLOCK', fileName,
          `${what}: entry at ${at} shares ${shared} key bytes (expected ${restarts.has(at) ? 0 : `<= ${lastKey.length}`})`);
    }
    const suffix = cur.take(unshared, `key of entry at ${at}`);
    const value = cur.take(valueLength, `value of entry at ${at}`);
    const key = new Uint8Array(shared + unshared);
    key.set(lastKey.subarray(0, shared), 0);
    key.set(suffix, shared);
    entries.push({key, value});
    lastKey = key;
  }
  if (entries.length > 0 && !restarts.has(0)) {
    throw new CheckpointError('BAD_BLOCK', fileName, `${what}: the first entry is not a restart point`);
  }
  return entries;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** All entries of a table file, in key order (checked). */
export function readTable(file: Uint8Array, fileName: string): TableEntry[] {
  if (file.length < FOOTER_SIZE) {
    throw new CheckpointError('TRUNCATED', fileName,
        `${file.length} bytes, shorter than the ${FOOTER_SIZE}-byte table footer`);
  }
  const footerAt = file.length - FOOTER_SIZE;
  const lo = readUint32LE(file, file.length - 8);
  const hi = readUint32LE(file, file.length - 4);
  if (lo !== TABLE_MAGIC_LO || hi !== TABLE_MAGIC_HI) {
    const hex = (v: number) => v.toString(16).padStart(8, '0');
    throw new CheckpointError('BAD_MAGIC', fileName,
        `table magic 0x${hex(hi)}${hex(lo)} (expected 0xdb4775248b80fb57: not a TensorFlow checkpoint index, or truncated)`);
  }
  const cur = new ByteCursor(file, fileName, 'footer', footerAt, file.length - 8);
  readHandle(cur, 'metaindex handle');  // TensorFlow writes an empty metaindex; nothing in it is needed
  const indexHandle = readHandle(cur, 'index handle');
  const index = parseBlock(readBlock(file, indexHandle, fileName, 'index block'), fileName, 'index block');
  const entries: TableEntry[] = [];
  let lastBlockEnd = 0;
  for (let i = 0; i < index.length; i++) {
    const hc = new ByteCursor(index[i].value, fileName, `index entry ${i}`);
    const h = readHandle(hc, 'data block handle');
    if (h.offset < lastBlockEnd) {
      throw new CheckpointError('BAD_BLOCK', fileName,
          `index entry ${i}: data block at offset ${h.offset} overlaps the previous block (ends at ${lastBlockEnd})`);
    }
    lastBlockEnd = h.offset + h.size + TRAILER_SIZE;
    const block = parseBlock(readBlock(file, h, fileName, `data block ${i}`), fileName, `data block ${i}`);
    for (const e of block) {
      const prev = entries[entries.length - 1];
      if (prev != null && compareBytes(prev.key, e.key) >= 0) {
        throw new CheckpointError('BAD_BLOCK', fileName, `data block ${i}: keys out of order`);
      }
      if (compareBytes(e.key, index[i].key) > 0) {
        throw new CheckpointError('BAD_BLOCK', fileName, `data block ${i}: a key sorts after its index key`);
      }
      entries.push(e);
    }
  }
  return entries;
}
