import * as SnappyJS from 'snappyjs';

import {CheckpointError} from './errors';
import {ByteCursor} from './varint';

/**
 * Decompresses one Snappy block (the raw format leveldb tables use) with snappyjs,
 * after checking the stream's structure without copying anything: the declared
 * length must be reachable from the compressed size, every literal must lie inside
 * the input, every copy must point into what was already produced, and the output
 * must be exactly the declared length. snappyjs alone does not check the last two,
 * and a negative literal length read from a corrupt stream could make it loop.
 */
export function snappyUncompress(compressed: Uint8Array, file: string, what: string): Uint8Array {
  const cur = new ByteCursor(compressed, file, what);
  const fail = (why: string): never => {
    throw new CheckpointError('BAD_COMPRESSION', file, `${what}: corrupt Snappy block: ${why}`);
  };
  let declared: number;
  try {
    declared = cur.varint32('uncompressed length');
  } catch (e) {
    return fail((e as Error).message);
  }
  // A copy of at most 64 bytes costs at least 2 input bytes: output <= 32 * input.
  if (declared > 32 * compressed.length + 64) {
    fail(`declares ${declared} bytes from ${compressed.length} compressed bytes (at most ${32 * compressed.length + 64} possible)`);
  }
  let pos = cur.pos;
  let out = 0;
  const n = compressed.length;
  while (pos < n) {
    const c = compressed[pos++];
    const tag = c & 3;
    if (tag === 0) {
      let len = (c >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (pos + extra > n) fail(`literal length runs past the end at ${pos}`);
        len = 0;
        for (let i = 0; i < extra; i++) len += compressed[pos + i] * 2 ** (8 * i);
        len += 1;
        pos += extra;
      }
      if (pos + len > n) fail(`literal of ${len} bytes at ${pos} runs past the end (${n})`);
      pos += len;
      out += len;
    } else {
      let len: number;
      let offset: number;
      if (tag === 1) {
        if (pos + 1 > n) fail(`copy at ${pos - 1} runs past the end`);
        len = ((c >>> 2) & 7) + 4;
        offset = compressed[pos] + ((c >>> 5) << 8);
        pos += 1;
      } else if (tag === 2) {
        if (pos + 2 > n) fail(`copy at ${pos - 1} runs past the end`);
        len = (c >>> 2) + 1;
        offset = compressed[pos] + (compressed[pos + 1] << 8);
        pos += 2;
      } else {
        if (pos + 4 > n) fail(`copy at ${pos - 1} runs past the end`);
        len = (c >>> 2) + 1;
        offset = compressed[pos] + (compressed[pos + 1] << 8) + (compressed[pos + 2] << 16) + compressed[pos + 3] * 2 ** 24;
        pos += 4;
      }
      if (offset === 0 || offset > out) fail(`copy offset ${offset} at output position ${out}`);
      out += len;
    }
    if (out > declared) fail(`produces more than the declared ${declared} bytes`);
  }
  if (out !== declared) fail(`produces ${out} bytes, declared ${declared}`);
  try {
    return SnappyJS.uncompress(compressed, declared) as Uint8Array;
  } catch (e) {
    return fail((e as Error).message);
  }
}
