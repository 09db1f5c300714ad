// Seeded mutations of the fixture checkpoints and what the reader does with each:
// bit flips, truncations, splices and length-field edits of the index and the shards,
// raw (the block CRC catches them) and with the table rebuilt around the mutation (valid
// CRCs, so the protobuf, entry and dtype checks are reached). Shared by the jest fuzz test
// and bench/fuzzCheckpoint.ts.
import * as fs from 'fs';
import * as path from 'path';

import {CheckpointError, readCheckpointFromBytes} from '../../src/io/checkpoint';
import {findGrus} from '../../src/discovery/findGrus';
import {decode, encode} from '../../src/io/checkpoint/protos';
import {TableEntry} from '../../src/io/checkpoint/table';
import {buildTable, entriesOf, FIXTURES, readFixtureBytes} from './checkpointBytes';

import {rng} from './tensors';  // the seeded PRNG (mulberry32) the other tests use

export {rng};

interface Fixture { name: string; index: Uint8Array; shards: Uint8Array[]; entries: TableEntry[]; values: Map<string, string> }

export function loadFuzzFixtures(): Fixture[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8'));
  return manifest.checkpoints.map((c: string) => {
    const name = c.replace(/^checkpoints\//, '');
    const {index, shards} = readFixtureBytes(name);
    const ck = readCheckpointFromBytes({index, shards});
    const values = new Map(ck.variables.filter((v) => !v.partitioned).map((v) => [v.name, fingerprint(ck.readValues(v.name).values)]));
    return {name, index, shards, entries: entriesOf(index), values};
  });
}

function fingerprint(values: unknown): string {
  if (Array.isArray(values)) return values.map((b: Uint8Array) => Buffer.from(b).toString('hex')).join(',');
  const v = values as ArrayLike<number | bigint>;
  return Buffer.from((v as any).buffer, (v as any).byteOffset, (v as any).byteLength).toString('hex');
}

type Mutation = {kind: string; index: Uint8Array; shards: Uint8Array[]; repaired: boolean};

const int = (r: () => number, n: number) => Math.floor(r() * n);

function flipBits(b: Uint8Array, r: () => number): Uint8Array {
  const out = b.slice();
  const n = 1 + int(r, 8);
  for (let i = 0; i < n && out.length > 0; i++) out[int(r, out.length)] ^= 1 << int(r, 8);
  return out;
}

function splice(a: Uint8Array, src: Uint8Array, r: () => number): Uint8Array {
  const from = int(r, src.length + 1);
  const len = int(r, Math.min(64, src.length - from + 1));
  const at = int(r, a.length + 1);
  const cut = r() < 0.5 ? len : 0;  // overwrite or insert
  const out = new Uint8Array(a.length - Math.min(cut, a.length - at) + len);
  out.set(a.subarray(0, at), 0);
  out.set(src.subarray(from, from + len), at);
  out.set(a.subarray(at + Math.min(cut, a.length - at)), at + len);
  return out;
}

const BIG_VARINTS = [[0xff, 0xff, 0xff, 0xff, 0x0f], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80], [0xff, 0xff, 0xff, 0x7f], [0x00], [0x7f]];

function lengthEdit(b: Uint8Array, r: () => number): Uint8Array {
  const out = b.slice();
  const v = BIG_VARINTS[int(r, BIG_VARINTS.length)];
  const at = int(r, Math.max(1, out.length - v.length));
  out.set(v.slice(0, out.length - at), at);
  return out;
}

const ENTRY_EDITS: Array<(e: any, r: () => number) => void> = [
  (e, r) => { e.offset = [1e12, -1, 2 ** 53, int(r, 5000)][int(r, 4)]; },
  (e, r) => { e.size = [1e12, -5, 2 ** 40, int(r, 5000)][int(r, 4)]; },
  (e, r) => { if (e.shape?.dim?.length) e.shape.dim[int(r, e.shape.dim.length)].size = [-1, 2 ** 40, 0, 1e9][int(r, 4)]; },
  (e, r) => { e.dtype = [0, 8, 20, 21, 99, 255, 1e6, -3][int(r, 8)]; },
  (e, r) => { e.shard_id = [-1, 1, 5, 1e6][int(r, 4)]; },
  (e) => { e.slices = [{extent: [{start: 0, length: 2}]}]; },
  (e, r) => { e.crc32c = int(r, 2 ** 32); },
  (e) => { e.shape = {dim: Array.from({length: 40}, () => ({size: 3}))}; },
];

/** One seeded mutation of fixture `f`. */
export function mutate(f: Fixture, all: Fixture[], r: () => number): Mutation {
  const pick = int(r, 9);
  const shardNo = int(r, f.shards.length);
  const withShard = (s: Uint8Array) => f.shards.map((x, i) => (i === shardNo ? s : x));
  switch (pick) {
    case 0: return {kind: 'index bit flip', index: flipBits(f.index, r), shards: f.shards, repaired: false};
    case 1: return {kind: 'index truncation', index: f.index.subarray(0, int(r, f.index.length)), shards: f.shards, repaired: false};
    case 2: {
      const other = all[int(r, all.length)];
      return {kind: 'index splice', index: splice(f.index, r() < 0.5 ? other.index : other.shards[0], r), shards: f.shards, repaired: false};
    }
    case 3: return {kind: 'index length-field edit', index: lengthEdit(f.index, r), shards: f.shards, repaired: false};
    case 4: return {kind: 'shard bit flip', index: f.index, shards: withShard(flipBits(f.shards[shardNo], r)), repaired: false};
    case 5: {
      const s = f.shards[shardNo];
      return {kind: 'shard truncation', index: f.index, shards: withShard(s.subarray(0, int(r, s.length))), repaired: false};
    }
    case 6: {
      // a record's bytes mutated inside a rebuilt, CRC-valid table: reaches the protobuf decoder
      const entries = f.entries.map((e) => ({key: e.key, value: e.value}));
      const i = int(r, entries.length);
      const how = int(r, 3);
      entries[i] = {key: entries[i].key, value: how === 0 ? flipBits(entries[i].value, r) :
        how === 1 ? entries[i].value.subarray(0, int(r, entries[i].value.length)) : lengthEdit(entries[i].value, r)};
      return {kind: 'record edit (CRC-valid table)', index: buildTable(entries, {perBlock: 1 + int(r, 8)}), shards: f.shards, repaired: true};
    }
    case 7: {
      // a BundleEntryProto field set to an extreme value, table rebuilt with valid CRCs
      const entries = f.entries.map((e) => ({key: e.key, value: e.value}));
      const i = 1 + int(r, entries.length - 1);
      const obj: any = decode('BundleEntryProto', entries[i].value);
      ENTRY_EDITS[int(r, ENTRY_EDITS.length)](obj, r);
      let value: Uint8Array;
      try {
        value = encode('BundleEntryProto', obj);
      } catch {
        value = entries[i].value;
      }
      entries[i] = {key: entries[i].key, value};
      return {kind: 'entry field edit (CRC-valid table)', index: buildTable(entries, {snappy: r() < 0.5}), shards: f.shards, repaired: true};
    }
    default: {
      // a data-block of the index rebuilt with Snappy, then its compressed bytes flipped and the CRC made valid
      const t = buildTable(f.entries, {snappy: true, perBlock: 2 + int(r, 6)});
      const out = t.slice();
      const blocksEnd = out.length - 48;
      const at = int(r, Math.max(1, blocksEnd - 5));
      out[at] ^= 1 << int(r, 8);
      // recompute the CRC of the block containing `at`: find it by walking block handles is costly;
      // instead leave it raw (the CRC catches it) half the time, and otherwise flip a footer handle byte
      if (r() < 0.5) out[blocksEnd + int(r, 20)] ^= 1 << int(r, 8);
      return {kind: 'snappy table flip', index: out, shards: f.shards, repaired: false};
    }
  }
}

export type Outcome = string;

/** Opens, lists, reads every variable and runs findGrus; returns 'ok identical', 'ok changed' or the error class/code. */
export function exercise(f: Fixture, m: Mutation): Outcome {
  try {
    const ck = readCheckpointFromBytes({index: m.index, shards: m.shards, prefix: f.name});
    void ck.objectGraph;
    let changed = false;
    for (const v of ck.variables) {
      try {
        const t = ck.readValues(v.name);
        if (f.values.get(v.name) !== fingerprint(t.values)) changed = true;
      } catch (e) {
        if (e instanceof CheckpointError && (e.code === 'PARTITIONED' || e.code === 'UNSUPPORTED_DTYPE')) continue;
        throw e;
      }
    }
    findGrus(ck);
    return changed ? 'ok changed' : 'ok identical';
  } catch (e) {
    if (e instanceof CheckpointError) return `CheckpointError ${e.code}`;
    return `UNTYPED ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 120)}`;
  }
}

export interface FuzzReport {
  cases: number;
  seed: number;
  outcomes: Record<string, number>;
  byKind: Record<string, Record<string, number>>;
  untyped: string[];
  /** 'ok changed' where no CRC was repaired: a wrong tensor got through (must be 0). */
  wrongTensors: number;
  slowest: {ms: number; kind: string};
  maxRssMB: number;
}

export function runFuzz(cases: number, seed: number): FuzzReport {
  const all = loadFuzzFixtures();
  const r = rng(seed);
  const report: FuzzReport = {cases, seed, outcomes: {}, byKind: {}, untyped: [], wrongTensors: 0, slowest: {ms: 0, kind: ''}, maxRssMB: 0};
  for (let i = 0; i < cases; i++) {
    const f = all[int(r, all.length)];
    const m = mutate(f, all, r);
    const t0 = Date.now();
    const outcome = exercise(f, m);
    const ms = Date.now() - t0;
    if (ms > report.slowest.ms) report.slowest = {ms, kind: `${m.kind} of ${f.name}`};
    report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
    (report.byKind[m.kind] ??= {})[outcome] = ((report.byKind[m.kind] ?? {})[outcome] ?? 0) + 1;
    if (outcome.startsWith('UNTYPED') && report.untyped.length < 20) report.untyped.push(`case ${i} (${m.kind} of ${f.name}): ${outcome}`);
    if (outcome === 'ok changed' && !m.repaired) report.wrongTensors++;
    if (i % 500 === 0) report.maxRssMB = Math.max(report.maxRssMB, Math.round(process.memoryUsage().rss / 2 ** 20));
  }
  report.maxRssMB = Math.max(report.maxRssMB, Math.round(process.memoryUsage().rss / 2 ** 20));
  return report;
}
