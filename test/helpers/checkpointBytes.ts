// Builds table/index bytes for tests: re-encodes a real checkpoint's entries with
// chosen block options (Snappy, restart interval) or edited BundleEntryProtos.
import * as fs from 'fs';
import * as path from 'path';
import * as SnappyJS from 'snappyjs';

import {crc32c, maskCrc} from '../../src/io/checkpoint/crc32c';
import {decode, encode} from '../../src/io/checkpoint/protos';
import {readTable, TableEntry, TABLE_MAGIC_HI, TABLE_MAGIC_LO} from '../../src/io/checkpoint/table';

export const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures');

export function ckptPrefix(name: string): string {
  return path.join(FIXTURES, 'checkpoints', name, 'model.ckpt');
}

export function readFixtureBytes(name: string): {index: Uint8Array; shards: Uint8Array[]} {
  const prefix = ckptPrefix(name);
  const dir = path.dirname(prefix);
  const shards = fs.readdirSync(dir).filter((f) => f.startsWith('model.ckpt.data-')).sort()
      .map((f) => new Uint8Array(fs.readFileSync(path.join(dir, f))));
  return {index: new Uint8Array(fs.readFileSync(`${prefix}.index`)), shards};
}

function varint(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

function u32(n: number, out: number[]): void {
  out.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

function block(entries: TableEntry[], restartInterval: number): Uint8Array {
  const out: number[] = [];
  const restarts: number[] = [];
  let last: Uint8Array = new Uint8Array(0);
  entries.forEach((e, i) => {
    let shared = 0;
    if (i % restartInterval === 0) {
      restarts.push(out.length);
    } else {
      while (shared < last.length && shared < e.key.length && last[shared] === e.key[shared]) shared++;
    }
    varint(shared, out);
    varint(e.key.length - shared, out);
    varint(e.value.length, out);
    out.push(...e.key.subarray(shared), ...e.value);
    last = e.key;
  });
  if (restarts.length === 0) restarts.push(0);
  for (const r of restarts) u32(r, out);
  u32(restarts.length, out);
  return Uint8Array.from(out);
}

/** A table file holding `entries` (sorted), `perBlock` entries per data block. */
export function buildTable(entries: TableEntry[], opts: {snappy?: boolean; perBlock?: number; restartInterval?: number} = {}): Uint8Array {
  const out: number[] = [];
  const perBlock = opts.perBlock ?? 1000;
  const ri = opts.restartInterval ?? 16;
  const writeBlock = (contents: Uint8Array): [number, number] => {
    let stored = contents;
    let type = 0;
    if (opts.snappy) {
      stored = new Uint8Array(SnappyJS.compress(contents) as Uint8Array);
      type = 1;
    }
    const offset = out.length;
    out.push(...stored, type);
    const crc = maskCrc(crc32c(Uint8Array.from([...stored, type])));
    u32(crc, out);
    return [offset, stored.length];
  };
  const index: TableEntry[] = [];
  for (let i = 0; i < entries.length; i += perBlock) {
    const chunk = entries.slice(i, i + perBlock);
    const [off, size] = writeBlock(block(chunk, ri));
    const h: number[] = [];
    varint(off, h);
    varint(size, h);
    index.push({key: chunk[chunk.length - 1].key, value: Uint8Array.from(h)});
  }
  const [moff, msize] = writeBlock(block([], ri));
  const [ioff, isize] = writeBlock(block(index, 1));
  const footer: number[] = [];
  varint(moff, footer);
  varint(msize, footer);
  varint(ioff, footer);
  varint(isize, footer);
  while (footer.length < 40) footer.push(0);
  u32(TABLE_MAGIC_LO, footer);
  u32(TABLE_MAGIC_HI, footer);
  out.push(...footer);
  return Uint8Array.from(out);
}

const utf8 = new TextEncoder();

/** The index of fixture `name` with variable `variable`'s BundleEntryProto edited by `edit`. */
export function editEntry(index: Uint8Array, variable: string, edit: (e: any) => void): Uint8Array {
  const entries = readTable(index, 'test.index');
  const key = utf8.encode(variable);
  const hit = entries.find((e) => e.key.length === key.length && e.key.every((b, i) => b === key[i]));
  if (hit == null) throw new Error(`no ${variable}`);
  const obj: any = decode('BundleEntryProto', hit.value);
  edit(obj);
  hit.value = encode('BundleEntryProto', obj);
  return buildTable(entries);
}

export function entriesOf(index: Uint8Array): TableEntry[] {
  return readTable(index, 'test.index');
}
