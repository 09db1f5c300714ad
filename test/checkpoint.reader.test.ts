// The tensor-bundle reader on checkpoints that real TensorFlow wrote (fixtures/checkpoints/),
// compared value for value with what tf.train.load_checkpoint read (variables.json), and
// on broken copies of them.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {CheckpointError, readCheckpointFromBytes} from '../src/io/checkpoint';
import {crc32c, maskCrc} from '../src/io/checkpoint/crc32c';
import {readCheckpoint} from '../src/node/readCheckpoint';
import {buildTable, ckptPrefix, editEntry, entriesOf, FIXTURES, readFixtureBytes} from './helpers/checkpointBytes';

const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8'));
const CASES: string[] = manifest.checkpoints.map((c: string) => c.replace(/^checkpoints\//, ''));

function expected(name: string): Record<string, {dtype: string; shape: number[]; values: any[]}> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, 'checkpoints', name, 'variables.json'), 'utf8'));
}

function asJsonValues(dtype: string, values: any): any[] {
  if (dtype === 'string') return (values as Uint8Array[]).map((b) => Buffer.from(b).toString('base64'));
  if (dtype === 'bool') return Array.from(values as Uint8Array, (b) => b === 1);
  if (dtype === 'int64' || dtype === 'uint64') return Array.from(values as BigInt64Array, (b) => Number(b));
  return Array.from(values as ArrayLike<number>);
}

function expectCode(fn: () => unknown, code: string, ...inMessage: (string | RegExp)[]): CheckpointError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CheckpointError);
  const ce = err as CheckpointError;
  expect(ce.code).toBe(code);
  for (const m of inMessage) expect(ce.message).toMatch(m);
  return ce;
}

function tmpCopy(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-ckpt-'));
  for (const f of fs.readdirSync(path.dirname(ckptPrefix(name)))) {
    fs.copyFileSync(path.join(path.dirname(ckptPrefix(name)), f), path.join(dir, f));
  }
  return path.join(dir, 'model.ckpt');
}

describe('reads every fixture checkpoint exactly as TensorFlow does', () => {
  test('the fixtures include 2 shards, slots, every dtype and an object graph', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(14);
    const part = readCheckpoint(ckptPrefix('tf1_partitioned'));
    expect(part.variables.filter((v) => v.partitioned).map((v) => v.name)).toEqual(['embedding']);
    part.close();
    const ck = readCheckpoint(ckptPrefix('tf1_multi3_sharded'));
    expect(ck.header.numShards).toBe(2);
    expect(new Set(ck.variables.map((v) => v.shard))).toEqual(new Set([0, 1]));
    ck.close();
  });

  test.each(CASES)('%s: variables, dtypes, shapes and values', (name) => {
    const want = expected(name);
    const ck = readCheckpoint(ckptPrefix(name));
    try {
      expect(ck.variables.map((v) => v.name)).toEqual(Object.keys(want).sort());
      for (const v of ck.variables) {
        expect([v.name, v.dtype, v.shape]).toEqual([v.name, want[v.name].dtype, want[v.name].shape]);
        if (v.partitioned) {  // TF reassembles slices; this reader refuses them by name
          expectCode(() => ck.readValues(v.name), 'PARTITIONED', `variable '${v.name}' is partitioned into 2 slice(s)`);
          continue;
        }
        const t = ck.readValues(v.name);
        expect([v.name, asJsonValues(v.dtype, t.values)]).toEqual([v.name, want[v.name].values]);
      }
    } finally {
      ck.close();
    }
  });

  test('tf1_adam_dtypes: each dtype decodes to its exact values; read() gives tfjs tensors without leaks', () => {
    const ck = readCheckpoint(ckptPrefix('tf1_adam_dtypes'));
    const extras = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'checkpoints/tf1_adam_dtypes/case.json'), 'utf8')).config.extras;
    expect(Object.keys(extras).length).toBe(12);
    const before = tf.memory().numTensors;
    for (const [name, e] of Object.entries<any>(extras)) {
      const t = ck.readValues(name);
      if (e.dtype === 'string') {
        expect((t.values as Uint8Array[]).map((b) => Buffer.from(b).toString('utf8'))).toEqual(e.values);
      } else {
        expect([name, asJsonValues(e.dtype, t.values)]).toEqual([name, e.values]);
      }
      if (e.dtype === 'float64') {
        expectCode(() => ck.read(name), 'UNSUPPORTED_DTYPE', /float64/, /extras\/f64/);
        const r = ck.read(name, {float64: 'round'});
        expect(r.dtype).toBe('float32');
        expect(Array.from(r.dataSync())).toEqual(e.values.map((x: number) => Math.fround(x)));
        r.dispose();
        continue;
      }
      if (e.dtype === 'int64') {  // -(2^40) - 3 and 2^50 + 1 do not fit tfjs's int32
        expectCode(() => ck.read(name), 'UNSUPPORTED_DTYPE', /element 0 = -1099511627779 does not fit/);
        continue;
      }
      const r = ck.read(name);
      expect(r.shape).toEqual(e.shape);
      if (e.dtype === 'string') {
        expect((r.dataSync() as unknown as Uint8Array[]).map((b) => Buffer.from(b).toString('utf8'))).toEqual(e.values);
      } else if (e.dtype === 'bool') {
        expect(Array.from(r.dataSync(), (b) => b === 1)).toEqual(e.values);
      } else {
        expect(Array.from(r.dataSync())).toEqual(e.values);
      }
      r.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    ck.close();
  });

  test('TF2 object graph: readable paths, aliases and optimizer slots', () => {
    const ck = readCheckpoint(ckptPrefix('keras_bidi_adam'));
    const g = ck.objectGraph!;
    expect(g).not.toBeNull();
    const k = 'model/layer_with_weights-0/forward_layer/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE';
    const info = ck.objectInfo(k)!;
    expect(info.path).toBe('model/layer_with_weights-0/forward_layer/cell/kernel');
    expect(info.paths).toContain('model/layer-0/forward_layer/cell/kernel');
    expect(info.slot).toBeUndefined();
    const m = ck.objectInfo('model/layer_with_weights-0/forward_layer/cell/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE')!;
    expect(m.slot).toEqual({name: 'm', of: 'model/layer_with_weights-0/forward_layer/cell/kernel'});
    expect(readCheckpoint(ckptPrefix('tf1_single')).objectGraph).toBeNull();
    ck.close();
  });
});

describe('bytes API (browser-safe)', () => {
  test('same variables and values from ArrayBuffers, and listing reads no shard', () => {
    const {index, shards} = readFixtureBytes('tf1_multi3_sharded');
    let shardReads = 0;
    const ck = readCheckpointFromBytes({index: index.slice().buffer, shards: (i) => {
      shardReads++;
      return shards[i].slice().buffer;
    }, prefix: 'mem'});
    expect(ck.variables.length).toBe(12);
    expect(ck.variables.map((v) => v.bytes).reduce((a, b) => a + b, 0)).toBe(shards[0].length + shards[1].length);
    expect(shardReads).toBe(0);
    const want = expected('tf1_multi3_sharded');
    for (const v of ck.variables) expect(Array.from(ck.readValues(v.name).values as Float32Array)).toEqual(want[v.name].values);
    expect(shardReads).toBe(2);
    expectCode(() => readCheckpointFromBytes({index, shards: [shards[0]]}), 'NOT_FOUND', /2 data shard\(s\), 1 given/);
  });

  test('a Snappy-compressed index with many small blocks and restart points reads the same', () => {
    const {index, shards} = readFixtureBytes('tf1_adam_dtypes');
    const entries = entriesOf(index);
    const snappy = buildTable(entries, {snappy: true, perBlock: 3, restartInterval: 2});
    expect(snappy[snappy.length - 48]).toBeDefined();
    const a = readCheckpointFromBytes({index, shards});
    const b = readCheckpointFromBytes({index: snappy, shards});
    expect(b.variables).toEqual(a.variables);
    for (const v of a.variables) expect(b.readValues(v.name)).toEqual(a.readValues(v.name));
  });
});

describe('bad input: typed errors that name the file and the fault', () => {
  const {index, shards} = readFixtureBytes('tf1_single');
  const open = (idx: Uint8Array, sh: Uint8Array[] = shards) => readCheckpointFromBytes({index: idx, shards: sh, prefix: 'ck'});
  const readAll = (idx: Uint8Array, sh: Uint8Array[] = shards) => {
    const ck = open(idx, sh);
    for (const v of ck.variables) ck.readValues(v.name);
  };

  test('a prefix that does not exist says which files were looked for', () => {
    expectCode(() => readCheckpoint('/nonexistent/model.ckpt'), 'NOT_FOUND', '/nonexistent/model.ckpt.index');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-empty-'));
    expectCode(() => readCheckpoint(dir), 'NOT_FOUND', path.join(dir, 'checkpoint'), /\*\.index \(0 found\)/);
  });

  test('a folder, the .index file or a data file name the checkpoint too', () => {
    for (const p of [path.dirname(ckptPrefix('tf1_single')), `${ckptPrefix('tf1_single')}.index`,
      `${ckptPrefix('tf1_single')}.data-00000-of-00001`]) {
      const ck = readCheckpoint(p);
      expect(ck.prefix).toBe(ckptPrefix('tf1_single'));
      ck.close();
    }
  });

  test('missing shard', () => {
    const p = tmpCopy('tf1_multi3_sharded');
    fs.unlinkSync(`${p}.data-00001-of-00002`);
    expectCode(() => readCheckpoint(p), 'NOT_FOUND', `${p}.data-00001-of-00002`);
  });

  test('truncated index, wrong magic, flipped block byte, unknown compression', () => {
    expectCode(() => open(index.subarray(0, 20)), 'TRUNCATED', /shorter than the 48-byte table footer/);
    expectCode(() => open(index.subarray(0, index.length - 1)), 'BAD_MAGIC', /ck\.index/);
    const bad = index.slice();
    bad[bad.length - 1] ^= 0xff;
    expectCode(() => open(bad), 'BAD_MAGIC', /expected 0xdb4775248b80fb57/);
    const flipped = index.slice();
    flipped[30] ^= 0x04;
    expectCode(() => open(flipped), 'BLOCK_CRC', /CRC32C mismatch/);
    const table = buildTable(entriesOf(index));
    const size = table.length - 48;  // first data block at offset 0; find its trailer via a rebuilt table
    expect(size).toBeGreaterThan(0);
    const t2 = table.slice();
    // the data block is the first block: its size is in the index; rebuild with a type byte of 2
    const firstSize = entriesOf(index).length > 0 ? findFirstBlockSize(t2) : 0;
    t2[firstSize] = 2;
    const crc = maskCrc(crc32c(t2.subarray(0, firstSize + 1)));
    new DataView(t2.buffer).setUint32(firstSize + 1, crc, true);
    expectCode(() => open(t2), 'BAD_COMPRESSION', /compression type 2/);
  });

  test('flipped tensor byte, truncated shard, entry past the end of its shard', () => {
    const sh = shards[0].slice();
    sh[5] ^= 0x10;
    expectCode(() => readAll(index, [sh]), 'TENSOR_CRC', /ck\.data-00000-of-00001/, /variable 'rnn\/gru_cell\//);
    expectCode(() => readAll(index, [shards[0].subarray(0, 100)]), 'TRUNCATED', /past the end of the 100-byte shard/);
    const far = editEntry(index, 'rnn/gru_cell/gates/bias', (e) => { e.offset = 1e9; });
    expectCode(() => open(far).readValues('rnn/gru_cell/gates/bias'), 'TRUNCATED', /gates\/bias/, /1000000000/);
  });

  test('absurd shapes, size mismatches, bad shard ids, unknown dtypes, partitioned variables', () => {
    const v = 'rnn/gru_cell/gates/bias';
    expectCode(() => open(editEntry(index, v, (e) => { e.shape.dim[0].size = -1; })), 'BAD_ENTRY', /dimension -1/);
    expectCode(() => open(editEntry(index, v, (e) => { e.shape.dim = [{size: 1e6}, {size: 1e6}]; })), 'BAD_ENTRY', /more than 2147483647 elements/);
    expectCode(() => open(editEntry(index, v, (e) => { e.size = 31; })), 'BAD_ENTRY', /size 31 bytes, but float32 \[8\] needs 32/);
    expectCode(() => open(editEntry(index, v, (e) => { e.shard_id = 3; })), 'BAD_ENTRY', /shard_id 3/);
    expectCode(() => open(editEntry(index, v, (e) => { e.dtype = 77; })), 'UNKNOWN_DTYPE', /dtype 77/, /gates\/bias/);
    const cplx = open(editEntry(index, v, (e) => { e.dtype = 8; }));
    expect(cplx.variable(v).dtype).toBe('complex64');
    expectCode(() => cplx.readValues(v), 'UNSUPPORTED_DTYPE', /complex64/);
    const part = open(editEntry(index, v, (e) => { e.slices = [{extent: [{start: 0, length: 4}]}]; }));
    expect(part.variable(v).partitioned).toBe(true);
    expectCode(() => part.read(v), 'PARTITIONED', /'rnn\/gru_cell\/gates\/bias' is partitioned/);
    expectCode(() => open(index).read('nope'), 'NO_SUCH_VARIABLE', /no variable 'nope'/);
  });
});

/** The stored size of the first block of a table built by buildTable (it starts at offset 0). */
function findFirstBlockSize(table: Uint8Array): number {
  // index handle is the second varint pair of the footer; the index block's first entry's value is
  // the first data block's handle (offset 0, size varint)
  const footer = table.subarray(table.length - 48);
  const vals: number[] = [];
  let p = 0;
  while (vals.length < 4) {
    let v = 0;
    let s = 1;
    for (;;) {
      const b = footer[p++];
      v += (b & 0x7f) * s;
      s *= 128;
      if (!(b & 0x80)) break;
    }
    vals.push(v);
  }
  const indexBlock = table.subarray(vals[2], vals[2] + vals[3]);
  // entry: shared(0) unshared keylen valuelen key value
  let q = 0;
  const rd = () => { let v = 0; let s = 1; for (;;) { const b = indexBlock[q++]; v += (b & 0x7f) * s; s *= 128; if (!(b & 0x80)) return v; } };
  rd();
  const kl = rd();
  rd();
  q += kl;
  rd();  // offset 0
  return rd();
}
