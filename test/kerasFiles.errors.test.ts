// Bad Keras files get a typed error (KerasFileError / ConversionError) with a code, naming the
// file and the fault: truncated zips and HDF5 files, a corrupt zip entry (CRC-32), a zip
// without its entries, configs that are not JSON or do not fit the weights, weights missing,
// a .weights.h5 without a config; and a few hundred seeded mutations (test/helpers/kerasFuzz.ts).
import * as fs from 'fs';
import * as path from 'path';
import {strFromU8, strToU8, unzipSync, zipSync} from 'fflate';
import * as tf from '@tensorflow/tfjs';

import {ConversionError} from '../src';
import {loadCase} from '../src/fixtures/fixtures';
import {KerasFileError, readKerasFromBytes} from '../src/io/keras';
import {planKerasModel} from '../src/kerasModel/findKerasGrus';
import {kerasToLayersModel} from '../src/kerasModel/toLayersModel';
import {runKerasFuzz} from './helpers/kerasFuzz';

function fixture(name: string): {file: string; bytes: Uint8Array; config?: string} {
  const c = loadCase(`keras_files/${name}`);
  const file = path.join(c.dir, c.config.file);
  const config = c.config.config_file ? fs.readFileSync(path.join(c.dir, c.config.config_file), 'utf8') : undefined;
  return {file, bytes: new Uint8Array(fs.readFileSync(file)), config};
}

/** Reads, plans and reads every tensor: the whole path a conversion takes through the file. */
function readAll(bytes: Uint8Array, file: string, config?: string): void {
  const kf = readKerasFromBytes({bytes, file, config});
  planKerasModel(kf);
  for (const v of kf.variables) kf.read(v.name).dispose();
}

function thrown(f: () => void): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const keras = fixture('keras3/gru_ra1_seq_keras');
const h5 = fixture('tf_keras/gru_ra1_seq_h5');

function rezip(edit: (entries: Record<string, Uint8Array>) => void): Uint8Array {
  const entries = unzipSync(keras.bytes);
  edit(entries);
  return zipSync(entries);
}

test.each([0.1, 0.5, 0.9, 0.999])('a .keras file truncated to %p of its bytes: BAD_ZIP naming the file', (frac) => {
  const e = thrown(() => readAll(keras.bytes.slice(0, Math.floor(keras.bytes.length * frac)), keras.file));
  expect(e).toBeInstanceOf(KerasFileError);
  expect([e.code, e.file]).toEqual(['BAD_ZIP', keras.file]);
  expect(e.message.startsWith(`${keras.file}: `)).toBe(true);
});

test.each([0.05, 0.3, 0.6, 0.95])('an .h5 file truncated to %p of its bytes: BAD_HDF5 naming the file', (frac) => {
  const e = thrown(() => readAll(h5.bytes.slice(0, Math.floor(h5.bytes.length * frac)), h5.file));
  expect(e).toBeInstanceOf(KerasFileError);
  expect([e.code, e.message]).toEqual(['TRUNCATED', expect.stringMatching(/HDF5 file of \d+ bytes, its superblock says \d+ \(truncated\)/)]);
  expect(e.file).toBe(h5.file);
});

test('a flipped byte inside the stored model.weights.h5 is caught by the zip CRC-32', () => {
  const bytes = keras.bytes.slice();
  const at = Buffer.from(bytes).indexOf(Buffer.from('\x89HDF', 'latin1')) + 3000;
  bytes[at] ^= 0x10;
  const e = thrown(() => readAll(bytes, keras.file));
  expect([e.code, e.message]).toEqual(['BAD_ZIP', expect.stringMatching(/zip entry 'model\.weights\.h5': CRC-32 [0-9a-f]{8} .* says [0-9a-f]{8} \(corrupt\)/)]);
});

test('not a zip or HDF5, a zip without config.json, an HDF5 without Keras weights', () => {
  expect(thrown(() => readAll(strToU8('{"not": "a model"}'), 'x.keras')).code).toBe('UNKNOWN_CONTAINER');
  const noConfig = rezip((e) => { delete e['config.json']; });
  const e = thrown(() => readAll(noConfig, keras.file));
  expect([e.code, e.message]).toEqual(['MISSING_ENTRY', expect.stringMatching(/holds 'config\.json', this zip has 'metadata\.json', 'model\.weights\.h5'/)]);
  const notKeras = rezip((x) => { x['config.json'] = strToU8('[1, 2'); });
  expect(thrown(() => readAll(notKeras, keras.file)).message).toMatch(/config\.json is not JSON/);
});

test('a config that does not fit the weights: BAD_SHAPE / MISSING_WEIGHTS naming the layer', () => {
  const edited = (f: (c: any) => void) => rezip((e) => {
    const c = JSON.parse(strFromU8(e['config.json']));
    f(c);
    e['config.json'] = strToU8(JSON.stringify(c));
  });
  const units = thrown(() => readAll(edited((c) => { c.config.layers[1].config.units = 5; }), keras.file));
  expect([units.code, units.message]).toEqual(['BAD_SHAPE', expect.stringMatching(/layer 'gru(_\d+)?' \(GRU, units 5\): kernel \[3,12\] and recurrent_kernel \[4,12\] should be \[D, 15\] and \[5, 15\]/)]);
  const ra = thrown(() => readAll(edited((c) => { c.config.layers[1].config.reset_after = false; }), keras.file));
  expect([ra.code, ra.message]).toEqual(['BAD_SHAPE', expect.stringMatching(/reset_after=False\): bias \[2,12\] should be \[12\]/)]);
  const renamed = thrown(() => readAll(edited((c) => { c.config.layers[1].class_name = 'CuDNNGRU'; c.config.layers[1].config.name = 'x'; }), keras.file));
  expect([renamed.code, renamed.message]).toEqual(['MISSING_WEIGHTS', expect.stringMatching(/layer 'x' \(CuDNNGRU\) has no weights in the file/)]);
});

test('a .weights.h5 without its config, and a model with no GRU', async () => {
  const before = tf.memory().numTensors;
  const w = fixture('keras3/gru_ra1_dense_weights');
  const e = thrown(() => readAll(w.bytes, w.file));
  expect([e.code, e.message]).toEqual(['BAD_CONFIG', expect.stringMatching(/holds no architecture: give the model's config JSON/)]);
  const cfg = JSON.parse(w.config!);
  cfg.config.layers = cfg.config.layers.filter((l: any) => l.class_name !== 'GRU');
  const kf = readKerasFromBytes({bytes: w.bytes, file: w.file, config: JSON.stringify(cfg)});
  const none = await kerasToLayersModel(kf, {mode: 'gru-stack'}).catch((e) => e);
  expect(none).toBeInstanceOf(ConversionError);
  expect([none.code, none.message]).toEqual(['NO_GRU', expect.stringMatching(/no GRU layer among the model's \d layers/)]);
  // the whole model: the Dense now takes the input's 3 features, the file's kernel has 4 rows
  const whole = await kerasToLayersModel(kf).catch((e) => e);
  expect(whole).toBeInstanceOf(KerasFileError);
  expect(whole.code).toBe('BAD_SHAPE');
  expect(whole.message).toMatch(/layer 'dense(_\d+)?' \(Dense → Dense\) takes weight 0 .* should be \[3,2\], the file's 'vars\/0' is \[4,2\]/);
  expect(tf.memory().numTensors).toBe(before);
});

test('read() of an unknown name and after close()', () => {
  const kf = readKerasFromBytes({bytes: h5.bytes, file: h5.file});
  expect(thrown(() => kf.read('nope')).code).toBe('NO_SUCH_VARIABLE');
  kf.close();
  expect(thrown(() => kf.read(kf.variables[0].name)).code).toBe('CLOSED');
});

test('400 seeded mutations of .keras and .h5 files: only typed errors naming the file; no corrupted tensor from a zip; no leaks', () => {
  const before = tf.memory().numTensors;
  const report = runKerasFuzz(400, 20261202);
  expect(report.untyped).toEqual([]);
  expect(report.wrongTensors).toBe(0);
  expect(report.leakedTensors).toBe(0);
  expect(Object.values(report.outcomes).reduce((a, b) => a + b, 0)).toBe(400);
  for (const code of ['BAD_ZIP', 'BAD_HDF5', 'TRUNCATED', 'BAD_CONFIG', 'MISSING_WEIGHTS']) {
    expect([code, (report.outcomes[`KerasFileError ${code}`] ?? 0) > 0]).toEqual([code, true]);
  }
  expect(tf.memory().numTensors).toBe(before);
});
