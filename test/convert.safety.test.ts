// Issue 20, in process: a failed convert leaves --out exactly as it was (files, bytes, times);
// a non-empty --out is refused unless force, which replaces only convert's own files;
// concurrent conversions into one folder give one winner and typed errors; a full disk is
// a typed WRITE_FAILED; the self-check scales with the outputs and names NaN/Inf weights;
// unwritten HDF5 data reads as its fill value; and no conversion that throws leaves a tensor.
import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {checkAgainstReference, chooseStack} from '../src/gruStackModel/toLayersModel';
import {findTorchGrus} from '../src/discovery/findTorchGrus';
import {readKerasFromBytes} from '../src/io/keras/kerasFile';
import {ConversionError, ModelFileError} from '../src/io/modelFileError';
import {readSafetensors} from '../src/io/safetensors';
import {OUTPUT_LOCK} from '../src/node/atomicOutput';
import {convertModelFileToDir} from '../src/node/convertModelFile';
import {convertOnnxGraphToDir} from '../src/node/convertOnnxGraph';
import {FileSystemError} from '../src/node/fileErrors';
import {loadLayersModelFromDir, saveLayersModelToDir, WEIGHTS_FILE} from '../src/node/layersModelFiles';
import {typedResourceError} from '../src/node/resourceErrors';
import {readRegularFile} from '../src/node/safeRead';
import {declareUnwritten, pointPastEnd} from './helpers/bombs';
import {FIXTURES} from './helpers/checkpointBytes';
import {fixtureModel} from './helpers/modelFiles';

const GRU1 = fixtureModel('pytorch_files/gru1');
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-safety-'));
});
afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

/** Every entry under `dir` with its bytes, mode and modification time. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    out[name] = `${st.mode} ${st.mtimeMs} ${st.isFile() ? fs.readFileSync(p).toString('base64') : st.isSymbolicLink() ? fs.readlinkSync(p) : 'dir'}`;
  }
  return out;
}

/** A user's folder holding their own model.json and weights, and another file. */
function userFolder(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'model.json'), '{"mine": true}');
  fs.writeFileSync(path.join(dir, WEIGHTS_FILE), Buffer.from([1, 2, 3]));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'keep me');
  return dir;
}

/** The safetensors fixture `name` with every float32 weight × `scale`, and its first one set to `first` if given. */
function scaledSafetensors(name: string, scale: number, first?: number): string {
  const b = Buffer.from(fs.readFileSync(fixtureModel(name)));
  const n = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + n).toString('utf8'));
  for (const [k, v] of Object.entries<any>(header)) {
    if (k === '__metadata__' || v.dtype !== 'F32') continue;
    const [s, e] = v.data_offsets.map((o: number) => o + 8 + n);
    for (let i = s; i < e; i += 4) b.writeFloatLE(b.readFloatLE(i) * scale, i);
    if (first != null) b.writeFloatLE(first, s);
  }
  const file = path.join(tmp, `${name.replace(/\W/g, '_')}_x${scale}_${first}.safetensors`);
  fs.writeFileSync(file, b);
  return file;
}

const leftBeside = (dir: string) => fs.readdirSync(path.dirname(dir)).filter((f) => f.startsWith(`.${path.basename(dir)}.tfjs-gru-`));

describe('a failed convert leaves --out exactly as it was', () => {
  test.each([
    ['the loaded model fails its check (a negative tolerance)', 'CHECK_FAILED'],
    ['NaN weights', 'NON_FINITE'],
  ])('%s: %s, with --force', async (_label, code) => {
    const out = userFolder(`failed-${code}`);
    const before = snapshot(out);
    const baseline = tf.memory().numTensors;
    const file = code === 'CHECK_FAILED' ? GRU1 : scaledSafetensors('pytorch_files/gru1', 1, NaN);
    const e = await convertModelFileToDir(file, out, {force: true, ...(code === 'CHECK_FAILED' ? {tolerance: -1} : {})}).catch((x) => x);
    expect(e).toBeInstanceOf(ConversionError);
    expect(e.code).toBe(code);
    expect(snapshot(out)).toEqual(before);
    expect(leftBeside(out)).toEqual([]);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  test('CHECK_FAILED says "this is a bug"; NON_FINITE names the tensors holding NaN and does not', async () => {
    const out = path.join(tmp, 'nan-msg');
    const e = await convertModelFileToDir(scaledSafetensors('pytorch_files/gru1', 1, NaN), out).catch((x) => x);
    expect(e.message).toMatch(/'weight_ih_l0': 1 NaN/);
    expect(e.message).not.toMatch(/bug/);
    expect(fs.existsSync(out)).toBe(false);
    const f = await convertModelFileToDir(GRU1, out, {tolerance: -1}).catch((x) => x);
    expect(f.message).toMatch(/this is a bug/);
  });
});

test('a non-empty --out is refused with OUT_EXISTS before any work; --force replaces only model.json and the weights', async () => {
  const out = userFolder('user');
  const before = snapshot(out);
  const e = await convertModelFileToDir(GRU1, out).catch((x) => x);
  expect(e).toBeInstanceOf(FileSystemError);
  expect([e.code, e.file]).toEqual(['OUT_EXISTS', out]);
  expect(e.message).toMatch(/'group1-shard1of1.bin', 'model.json', 'notes.txt'.*--force/);
  expect(snapshot(out)).toEqual(before);

  const r = await convertModelFileToDir(GRU1, out, {force: true});
  expect(r.files).toEqual([path.join(out, 'model.json'), path.join(out, WEIGHTS_FILE)]);
  expect(fs.readdirSync(out).sort()).toEqual([WEIGHTS_FILE, 'model.json', 'notes.txt']);
  expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('keep me');
  const m = await loadLayersModelFromDir(out);
  m.dispose();
  expect(leftBeside(out)).toEqual([]);
});

test('--out missing parents are created; an empty --out is used', async () => {
  const deep = path.join(tmp, 'a', 'b', 'c');
  await convertModelFileToDir(GRU1, deep);
  expect(fs.readdirSync(deep).sort()).toEqual([WEIGHTS_FILE, 'model.json']);
  const empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
  await convertModelFileToDir(GRU1, empty);
  expect(fs.readdirSync(empty).sort()).toEqual([WEIGHTS_FILE, 'model.json']);
});

describe('20 concurrent conversions into one folder: one winner, typed errors for the rest, no leak', () => {
  test.each([['absent'], ['empty']])('the folder is %s at the start', async (state) => {
    const out = path.join(tmp, `race-${state}`);
    if (state === 'empty') fs.mkdirSync(out);
    const baseline = tf.memory().numTensors;
    const results = await Promise.allSettled(Array.from({length: 20}, () => convertModelFileToDir(GRU1, out)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(won.length).toBe(1);
    for (const e of lost) {
      expect(e).toBeInstanceOf(FileSystemError);
      expect(['OUT_EXISTS', 'OUT_BUSY']).toContain(e.code);
    }
    expect(fs.readdirSync(out).sort()).toEqual([WEIGHTS_FILE, 'model.json']);
    const m = await loadLayersModelFromDir(out);
    m.dispose();
    expect(leftBeside(out)).toEqual([]);
    expect(tf.memory().numTensors).toBe(baseline);
  }, 120000);

  test('with --force each either replaced both files under the lock or got OUT_BUSY; the folder holds one whole model', async () => {
    const out = userFolder('race-force');
    const results = await Promise.allSettled(Array.from({length: 10}, () => convertModelFileToDir(GRU1, out, {force: true})));
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    for (const r of results) if (r.status === 'rejected') expect(r.reason.code).toBe('OUT_BUSY');
    expect(fs.readdirSync(out).sort()).toEqual([WEIGHTS_FILE, 'model.json', 'notes.txt']);
    const m = await loadLayersModelFromDir(out);
    m.dispose();
  }, 120000);

  test("a stale lock (its process gone) is taken over; a live one is OUT_BUSY", async () => {
    const out = userFolder('stale');
    fs.writeFileSync(path.join(out, OUTPUT_LOCK), '999999999\n');
    await convertModelFileToDir(GRU1, out, {force: true});
    expect(fs.existsSync(path.join(out, OUTPUT_LOCK))).toBe(false);
    fs.writeFileSync(path.join(out, OUTPUT_LOCK), `${process.ppid}\n`);
    const e = await convertModelFileToDir(GRU1, out, {force: true}).catch((x) => x);
    expect(e.code).toBe('OUT_BUSY');
    fs.rmSync(path.join(out, OUTPUT_LOCK));
  }, 60000);
});

test('a full disk is a typed WRITE_FAILED naming the file; convert --force replaces such a symlink, never writes through it', async () => {
  const model = tf.sequential({layers: [tf.layers.dense({units: 2, inputShape: [3]})]});
  const dir = path.join(tmp, 'full');
  fs.mkdirSync(dir);
  fs.symlinkSync('/dev/full', path.join(dir, WEIGHTS_FILE));
  const e = await saveLayersModelToDir(model, dir).catch((x) => x);
  model.dispose();
  expect(e).toBeInstanceOf(FileSystemError);
  expect([e.code, e.file]).toEqual(['WRITE_FAILED', path.join(dir, WEIGHTS_FILE)]);
  expect(e.message).toMatch(/ENOSPC/);
  expect(fs.existsSync(path.join(dir, 'model.json'))).toBe(false);  // the weights are written first

  await convertModelFileToDir(GRU1, dir, {force: true});
  expect(fs.lstatSync(path.join(dir, WEIGHTS_FILE)).isFile()).toBe(true);
});

/** A 64 KiB tmpfs (root only; null where mounting is not allowed), filled up after `prepare` ran in it. */
function fullFileSystem(prepare: (dir: string) => void): string | null {
  const dir = path.join(tmp, 'tmpfs');
  fs.mkdirSync(dir);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status !== 0) return null;
  prepare(dir);
  const fd = fs.openSync(path.join(dir, 'filler'), 'w');
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(4096));
  } catch { /* ENOSPC: full */ } finally {
    fs.closeSync(fd);
  }
  return dir;
}

test('a full disk during convert (a real ENOSPC where a tmpfs can be mounted): WRITE_FAILED, --out unchanged', async () => {
  const disk = fullFileSystem((d) => {
    fs.mkdirSync(path.join(d, 'out'));
    fs.writeFileSync(path.join(d, 'out', 'model.json'), '{"mine": true}');
  });
  if (disk == null) return;  // not root: the /dev/full test below covers the error's mapping
  try {
    const out = path.join(disk, 'out');
    const before = snapshot(out);
    const baseline = tf.memory().numTensors;
    const e = await convertModelFileToDir(GRU1, out, {force: true}).catch((x) => x);
    expect(e).toBeInstanceOf(FileSystemError);
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.message).toMatch(/ENOSPC/);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(disk).sort()).toEqual(['filler', 'out']);
    expect(tf.memory().numTensors).toBe(baseline);
  } finally {
    spawnSync('umount', [disk]);
  }
});

test('weights ×1000 convert: the tolerance scales with the reference output (1e-5 × max(1, max |output|))', async () => {
  const file = scaledSafetensors('pytorch_files/gru2_bidi_linear', 1000);
  const r = await convertModelFileToDir(file, path.join(tmp, 'x1000'));
  expect(r.loadedCheck.pass).toBe(true);
  expect(r.loadedCheck.referenceMaxAbs!).toBeGreaterThan(100);
  expect(r.loadedCheck.tolerance).toBeCloseTo(1e-5 * r.loadedCheck.referenceMaxAbs!, 12);
  expect(r.loadedCheck.maxAbsError).toBeGreaterThan(1e-5);  // what the old absolute 1e-5 refused
});

describe('HDF5 data checked against its storage', () => {
  const h5 = () => new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'keras_files', 'keras3', 'stack_gru_dense_h5', 'model.h5')));
  const kernel = 'model_weights/gru_4/sequential_3/gru_4/gru_cell/recurrent_kernel';

  test('a dataset never written reads as its fill value (h5py: 0), not NaN', () => {
    const kf = readKerasFromBytes({bytes: declareUnwritten(h5(), kernel, [3, 9]), file: 'unwritten.h5'});
    const t = kf.read(kernel);
    expect(Array.from(t.dataSync())).toEqual(new Array(27).fill(0));
    t.dispose();
  });

  test('a read failing in the middle of a Keras conversion leaks nothing and writes nothing', async () => {
    const file = path.join(tmp, 'truncated-dense.h5');
    fs.writeFileSync(file, pointPastEnd(h5(), 'model_weights/dense_1/sequential_3/dense_1/kernel'));
    const out = path.join(tmp, 'truncated-out');
    const baseline = tf.memory().numTensors;
    const e = await convertModelFileToDir(file, out).catch((x) => x);
    expect(e).toBeInstanceOf(ModelFileError);
    expect([e.code, e.file]).toEqual(['TRUNCATED', file]);
    expect(e.message).toMatch(/dense_1\/kernel/);
    expect(tf.memory().numTensors).toBe(baseline);
    expect(fs.existsSync(out)).toBe(false);
  });
});

test('the self-check leaks nothing when predict throws', () => {
  const src = readSafetensors(new Uint8Array(fs.readFileSync(GRU1)), GRU1);
  const stack = chooseStack(src, findTorchGrus(src));
  const wrong = tf.sequential({layers: [tf.layers.dense({units: 2, inputShape: [null, stack.inputSize + 1]})]});
  const baseline = tf.memory().numTensors;
  expect(() => checkAgainstReference(src, stack, wrong)).toThrow();
  expect(tf.memory().numTensors).toBe(baseline);
  wrong.dispose();
});

describe('limits: refused above them with TOO_LARGE naming how to raise them; raising them lets the same file through', () => {
  const keras = path.join(FIXTURES, 'keras_files', 'keras3', 'gru_ra1_seq_keras', 'model.keras');

  test("a .keras's model.weights.h5 above limits.maxZipEntryBytes", () => {
    const bytes = new Uint8Array(fs.readFileSync(keras));
    let e: any = null;
    try {
      readKerasFromBytes({bytes, file: keras, limits: {maxZipEntryBytes: 1000}});
    } catch (x) {
      e = x;
    }
    expect([e?.code, e?.file]).toEqual(['TOO_LARGE', keras]);
    expect(e.message).toMatch(/'model.weights.h5' declares .* more than the limit of 1,000 bytes .*maxZipEntryBytes.*TFJS_GRU_MAX_ZIP_ENTRY_MB/);
    expect(readKerasFromBytes({bytes, file: keras, limits: {maxZipEntryBytes: 1 << 20}}).variables.length).toBeGreaterThan(0);
  });

  test('a model file above limits.maxFileBytes, or above TFJS_GRU_MAX_FILE_MB', async () => {
    const e = await convertModelFileToDir(keras, path.join(tmp, 'limit-out'), {limits: {maxFileBytes: 1000}}).catch((x) => x);
    expect(e).toBeInstanceOf(FileSystemError);
    expect([e.code, e.file]).toEqual(['TOO_LARGE', keras]);
    expect(e.message).toMatch(/TFJS_GRU_MAX_FILE_MB/);
    process.env.TFJS_GRU_MAX_FILE_MB = '0.001';
    try {
      expect(() => readRegularFile(keras)).toThrow(/larger than the limit of 1,048 bytes/);
      expect(readRegularFile(keras, {maxFileBytes: 1 << 20}).length).toBe(fs.statSync(keras).size);
    } finally {
      delete process.env.TFJS_GRU_MAX_FILE_MB;
    }
    expect(fs.existsSync(path.join(tmp, 'limit-out'))).toBe(false);
  });
});

test('the last line of defence: an allocation failure (RangeError, wasm trap) becomes OUT_OF_MEMORY naming the file; other errors pass', () => {
  const typed = typedResourceError(new RangeError('Invalid typed array length: 3458764513820540928'), 'model.onnx') as ModelFileError;
  expect(typed).toBeInstanceOf(ModelFileError);
  expect([typed.code, typed.file]).toEqual(['OUT_OF_MEMORY', 'model.onnx']);
  const trap = new ((globalThis as any).WebAssembly.RuntimeError)('memory access out of bounds');
  expect((typedResourceError(trap, 'x.ckpt') as ModelFileError).code).toBe('OUT_OF_MEMORY');
  const other = new TypeError('x is not a function');
  expect(typedResourceError(other, 'model.onnx')).toBe(other);
});

test('the ONNX whole-graph convert goes through the same writer: OUT_EXISTS without force, only its two files replaced with it', async () => {
  const onnx = fixtureModel('onnx/lbr0_forward');
  const out = userFolder('onnx-graph');
  const before = snapshot(out);
  const e = await convertOnnxGraphToDir(onnx, out).catch((x) => x);
  expect([e?.code, e?.file]).toEqual(['OUT_EXISTS', out]);
  expect(snapshot(out)).toEqual(before);
  const r = await convertOnnxGraphToDir(onnx, out, {force: true});
  expect(r.files).toEqual([path.join(out, 'model.json'), path.join(out, WEIGHTS_FILE)]);
  expect(fs.readdirSync(out).sort()).toEqual([WEIGHTS_FILE, 'model.json', 'notes.txt']);
  expect(JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')).format).toBe('graph-model');
  expect(leftBeside(out)).toEqual([]);
}, 60000);
