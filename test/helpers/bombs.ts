// Generators of the crafted inputs of issue 20 ("no small file costs gigabytes"): each
// writes a small file (from a real fixture, edited) that declares far more than it holds,
// or a file-system trap, into a folder. test/bombs.test.ts runs `tfjs-gru convert` on each
// in a child process and checks that it ends, under a fixed RSS bound, with its typed error.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import {strToU8, unzipSync, zipSync} from 'fflate';

import {decode, encode} from '../../src/io/checkpoint/protos';
import {readTable} from '../../src/io/checkpoint/table';
import {decodeModel, encode as encodeOnnx} from '../../src/io/onnx/protos';
import {buildTable, FIXTURES} from './checkpointBytes';
import {fixtureModel} from './modelFiles';

// jsfive is plain JavaScript without types
// eslint-disable-next-line @typescript-eslint/no-var-requires
const jsfive = require('jsfive');

const ALL_ONES = BigInt('0xffffffffffffffff');

/**
 * HDF5 bytes with dataset `name` re-declared as `shape` and its storage made "never
 * written" (layout address undefined, as h5py leaves a dataset created without data).
 * Only version-1 dataspace and version-3 contiguous layout messages (what h5py writes) are edited.
 */
export function declareUnwritten(bytes: Uint8Array, name: string, shape: number[]): Uint8Array {
  const out = bytes.slice();
  const f = new jsfive.File(out.buffer.slice(0), 'x');
  const d = f.get(name)._dataobjects;
  const at = (type: number) => d.msgs.find((m: any) => m.get('type') === type).get('offset_to_message') as number;
  const dv = new DataView(out.buffer);
  const ds = at(1);
  if (dv.getUint8(ds) !== 1 || dv.getUint8(ds + 1) !== shape.length) throw new Error(`${name}: not a v1 dataspace of rank ${shape.length}`);
  const hasMax = (dv.getUint8(ds + 2) & 1) !== 0;
  shape.forEach((n, i) => {
    dv.setBigUint64(ds + 8 + 8 * i, BigInt(n), true);
    if (hasMax) dv.setBigUint64(ds + 8 + 8 * (shape.length + i), BigInt(n), true);
  });
  const lay = at(8);
  if (dv.getUint8(lay) !== 3 || dv.getUint8(lay + 1) !== 1) throw new Error(`${name}: not a v3 contiguous layout`);
  dv.setBigUint64(lay + 2, ALL_ONES, true);
  dv.setBigUint64(lay + 10, BigInt(shape.reduce((a, b) => a * b, 1) * 4), true);
  return out;
}

/** HDF5 bytes with dataset `name`'s contiguous data moved past the end of the file (a truncated file, as far as it is concerned). */
export function pointPastEnd(bytes: Uint8Array, name: string): Uint8Array {
  const out = bytes.slice();
  const d = new jsfive.File(out.buffer.slice(0), 'x').get(name)._dataobjects;
  const lay = d.msgs.find((m: any) => m.get('type') === 8).get('offset_to_message') as number;
  new DataView(out.buffer).setBigUint64(lay + 2, BigInt(out.length), true);
  return out;
}

/** A raw-deflated stream of `gib` GiB of zeros and its CRC-32 (streamed: never holds the inflated data). */
async function deflatedZeros(gib: number): Promise<{data: Buffer; crc: number; size: number}> {
  const d = zlib.createDeflateRaw({level: 9});
  const parts: Buffer[] = [];
  d.on('data', (c: Buffer) => parts.push(c));
  const zeros = Buffer.alloc(1 << 20);
  let crc = 0;
  for (let i = 0; i < gib * 1024; i++) {
    crc = zlib.crc32(zeros, crc);
    if (!d.write(zeros)) await new Promise((r) => d.once('drain', r));
  }
  await new Promise((r) => { d.on('end', r); d.end(); });
  return {data: Buffer.concat(parts), crc, size: gib * 2 ** 30};
}

/** A zip whose entries `names` all hold the same deflated stream (a zip bomb of names.length × size bytes). */
function zipOf(names: string[], entry: {data: Buffer; crc: number; size: number}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const n = Buffer.from(name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(8, 8);
    h.writeUInt32LE(entry.crc, 14); h.writeUInt32LE(entry.data.length, 18); h.writeUInt32LE(entry.size, 22); h.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(8, 10);
    c.writeUInt32LE(entry.crc, 16); c.writeUInt32LE(entry.data.length, 20); c.writeUInt32LE(entry.size, 24); c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(offset, 42);
    locals.push(h, n, entry.data);
    central.push(c, n);
    offset += 30 + n.length + entry.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(names.length, 8); end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** One crafted case: the CLI arguments (after `convert`), and what must happen. */
export interface Bomb {
  name: string;
  /** The table row it stands for. */
  row: string;
  args: string[];
  /** The error code expected, or 'converts' for a valid file. */
  expect: string;
  /** The path the error must name (default the model file, args[0]). */
  names?: string;
  env?: Record<string, string>;
  /** Run the child as this user (uid = gid), for permission cases when the tests run as root. */
  uid?: number;
}

const KERAS3 = path.join(FIXTURES, 'keras_files', 'keras3');

/** Writes every crafted case into `dir` (async: the zip bomb is deflated as a stream, ~2 s). */
export async function makeBombs(dir: string): Promise<Bomb[]> {
  const p = (f: string) => path.join(dir, f);
  const bombs: Bomb[] = [];

  // 14.7 KB legacy .h5 whose GRU (D = U = 8000) datasets are declared but never written
  const h5 = new Uint8Array(fs.readFileSync(path.join(KERAS3, 'gru_ra1_seq_h5', 'model.h5')));
  const cell = 'model_weights/gru/sequential/gru/gru_cell';
  let big = declareUnwritten(h5, `${cell}/kernel`, [8000, 24000]);
  big = declareUnwritten(big, `${cell}/recurrent_kernel`, [8000, 24000]);
  big = declareUnwritten(big, `${cell}/bias`, [2, 24000]);
  fs.writeFileSync(p('unwritten.h5'), big);
  const config = JSON.parse(new jsfive.File(h5.buffer.slice(h5.byteOffset, h5.byteOffset + h5.byteLength), 'x').attrs.model_config);
  config.config.layers[0].config.batch_shape = [null, null, 8000];
  config.config.layers[1].config.units = 8000;
  fs.writeFileSync(p('unwritten.config.json'), JSON.stringify(config));
  bombs.push({name: 'h5 declaring 8000×24000, never written', row: '14.7 KB .h5 declaring an 8000×24000 dataset',
    args: [p('unwritten.h5'), '--config', p('unwritten.config.json')], expect: 'TOO_LARGE'});

  // .keras whose config fixes the time dimension at 1e8 (the weights are real: it converts)
  const zip = unzipSync(new Uint8Array(fs.readFileSync(path.join(KERAS3, 'gru_ra1_seq_keras', 'model.keras'))));
  const kc = JSON.parse(Buffer.from(zip['config.json']).toString('utf8'));
  kc.config.layers[0].config.batch_shape = [null, 1e8, 3];
  zip['config.json'] = strToU8(JSON.stringify(kc));
  fs.writeFileSync(p('time1e8.keras'), zipSync(zip));
  bombs.push({name: '.keras with batch_shape [null, 1e8, 3]', row: '14.6 KB .keras with a fixed time dimension 1e8',
    args: [p('time1e8.keras')], expect: 'converts'});

  // ONNX GRU declaring D = U = 16000 with no data
  const onnx = decodeModel(fs.readFileSync(fixtureModel('onnx/lbr0_forward'))) as any;
  const dims: Record<string, number[]> = {W: [1, 48000, 16000], R: [1, 48000, 16000], B: [1, 96000]};
  for (const t of onnx.graph.initializer) {
    const role = ['W', 'R', 'B'].find((r) => onnx.graph.node.find((n: any) => n.op_type === 'GRU').input[['W', 'R', 'B'].indexOf(r) + 1] === t.name);
    if (role != null) {
      t.dims = dims[role];
      t.raw_data = new Uint8Array(0);
    }
  }
  for (const a of onnx.graph.node.find((n: any) => n.op_type === 'GRU').attribute) if (a.name === 'hidden_size') a.i = 16000;
  fs.writeFileSync(p('d16000.onnx'), encodeOnnx('ModelProto', onnx));
  bombs.push({name: 'ONNX D = U = 16000, no data, --layers tfjs-gru', row: '105 B ONNX declaring D = U = 16000',
    args: [p('d16000.onnx'), '--layers', 'tfjs-gru'], expect: 'BAD_TENSOR'});
  // a valid graph whose input has a fixed time dimension of 1e8 (the whole-graph check is sized by the graph's inputs)
  const fixed = decodeModel(fs.readFileSync(fixtureModel('onnx/lbr0_forward'))) as any;
  const x = fixed.graph.input.find((i: any) => i.name === fixed.graph.node.find((n: any) => n.op_type === 'GRU').input[0]);
  x.type = {tensor_type: {elem_type: 1, shape: {dim: [{dim_value: 1e8}, {dim_value: 1}, {dim_value: 3}]}}};
  fs.writeFileSync(p('time1e8.onnx'), encodeOnnx('ModelProto', fixed));
  bombs.push({name: 'ONNX graph input [1e8, 1, 3]', row: 'a fixed time dimension 1e8 (ONNX graph)', args: [p('time1e8.onnx')], expect: 'UNSUPPORTED'});

  // W/R dims whose product overflows any typed array
  for (const t of onnx.graph.initializer) if (t.dims.length === 3) t.dims = [1, 3 * 2 ** 30, 2 ** 30];
  fs.writeFileSync(p('huge_dims.onnx'), encodeOnnx('ModelProto', onnx));
  bombs.push({name: 'ONNX W/R dims 3·2^30 × 2^30', row: 'an ONNX GRU with huge W/R dims', args: [p('huge_dims.onnx')], expect: 'BAD_TENSOR'});

  // TF1 checkpoint declaring D = U = 16000 (its entries' sizes to match) over the fixture's 384-byte shard
  const ck = path.join(FIXTURES, 'checkpoints', 'tf1_single');
  const shapes: Record<string, number[]> = {'gates/kernel': [32000, 32000], 'gates/bias': [32000], 'candidate/kernel': [32000, 16000], 'candidate/bias': [16000]};
  const entries = readTable(new Uint8Array(fs.readFileSync(path.join(ck, 'model.ckpt.index'))), 'index');
  for (const e of entries) {
    const key = Buffer.from(e.key).toString('utf8');
    const role = Object.keys(shapes).find((r) => key.endsWith(`/${r}`));
    if (role == null) continue;
    const entry: any = decode('BundleEntryProto', e.value);
    entry.shape = {dim: shapes[role].map((size) => ({size, name: ''})), unknown_rank: false};
    entry.size = shapes[role].reduce((a, b) => a * b, 1) * 4;
    e.value = encode('BundleEntryProto', entry);
  }
  fs.mkdirSync(p('ckpt'));
  fs.writeFileSync(p('ckpt/model.ckpt.index'), buildTable(entries));
  fs.copyFileSync(path.join(ck, 'model.ckpt.data-00000-of-00001'), p('ckpt/model.ckpt.data-00000-of-00001'));
  bombs.push({name: 'checkpoint D = U = 16000, 384 bytes of data, --layers tfjs-gru', row: '670 B checkpoint declaring D = U = 16000',
    args: [p('ckpt/model.ckpt'), '--layers', 'tfjs-gru'], expect: 'TRUNCATED', names: p('ckpt/model.ckpt.data-00000-of-00001')});

  // a checkpoint whose data shard is /dev/zero
  fs.mkdirSync(p('ckpt-zero'));
  fs.copyFileSync(path.join(ck, 'model.ckpt.index'), p('ckpt-zero/model.ckpt.index'));
  fs.symlinkSync('/dev/zero', p('ckpt-zero/model.ckpt.data-00000-of-00001'));
  bombs.push({name: 'checkpoint shard → /dev/zero', row: 'symlink to /dev/zero', args: [p('ckpt-zero/model.ckpt')], expect: 'NOT_A_FILE',
    names: p('ckpt-zero/model.ckpt.data-00000-of-00001')});

  // /dev/zero behind model names, a FIFO, a folder named like a model
  fs.symlinkSync('/dev/zero', p('zero.onnx'));
  fs.symlinkSync('/dev/zero', p('zero.safetensors'));
  fs.symlinkSync('/dev/zero', p('zero.keras'));
  require('child_process').execFileSync('mkfifo', [p('fifo.onnx')]);
  fs.mkdirSync(p('folder.keras'));
  for (const f of ['zero.onnx', 'zero.safetensors', 'zero.keras', 'fifo.onnx', 'folder.keras']) {
    bombs.push({name: f, row: f.startsWith('zero') ? 'symlink to /dev/zero' : f.startsWith('fifo') ? 'a FIFO' : 'a directory named x.keras',
      args: [p(f)], expect: 'NOT_A_FILE'});
  }

  // 3 MB .keras zip bomb: config.json, model.weights.h5, metadata.json each 1 GiB of zeros
  fs.writeFileSync(p('bomb.keras'), zipOf(['config.json', 'model.weights.h5', 'metadata.json'], await deflatedZeros(1)));
  bombs.push({name: '.keras zip bomb 3 × 1 GiB', row: '3 MB .keras zip bomb', args: [p('bomb.keras')], expect: 'TOO_LARGE'});

  // --out under /proc
  const valid = fixtureModel('pytorch_files/gru1');
  bombs.push({name: '--out /proc/x', row: '--out /proc/x', args: [valid, '--out', '/proc/tfjs-gru-x'], expect: 'WRITE_FAILED', names: '/proc/tfjs-gru-x'});

  // --out that is a file; an unreadable model file and a read-only --out (run as nobody)
  fs.writeFileSync(p('a-file'), 'not a folder');
  bombs.push({name: '--out is a file', row: '--out that is a file', args: [valid, '--out', p('a-file')], expect: 'NOT_A_DIRECTORY', names: p('a-file')});
  // as root the permission cases run as nobody; as anyone else, as themselves (mode 000 and 555 hold for the owner too)
  const nobody = process.getuid?.() === 0 ? 65534 : undefined;
  fs.copyFileSync(valid, p('unreadable.safetensors'));
  fs.chmodSync(p('unreadable.safetensors'), 0o000);
  bombs.push({name: 'unreadable .safetensors (as nobody)', row: 'unreadable files', args: [p('unreadable.safetensors')], expect: 'PERMISSION', uid: nobody});
  fs.copyFileSync(path.join(KERAS3, 'gru_ra1_seq_keras', 'model.keras'), p('unreadable.keras'));
  fs.chmodSync(p('unreadable.keras'), 0o000);
  bombs.push({name: 'unreadable .keras (as nobody)', row: 'unreadable files', args: [p('unreadable.keras')], expect: 'PERMISSION', uid: nobody});
  fs.mkdirSync(p('readonly'));
  fs.mkdirSync(p('readonly/mine'));
  if (nobody != null) fs.chownSync(p('readonly/mine'), nobody, nobody);
  fs.chmodSync(p('readonly'), 0o555);
  bombs.push({name: 'read-only --out parent (as nobody)', row: '--out read-only', args: [valid, '--out', p('readonly/out')], expect: 'PERMISSION', names: p('readonly/out'), uid: nobody});
  bombs.push({name: 'existing empty --out in a read-only parent (as nobody)', row: '--out read-only (its parent)',
    args: [valid, '--out', p('readonly/mine')], expect: 'converts', uid: nobody});
  return bombs;
}
