// `tfjs-gru convert` on a Keras file as a user runs it: the real bin through a pipe, --json
// whole, then the folder loaded with tf.loadLayersModel and compared with Keras's outputs.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import '../src';  // registers KerasGRU for loading, as a user's import 'tfjs-gru' does
import {caseTensor, loadCase} from '../src/fixtures/fixtures';
import {loadLayersModelFromDir} from '../src/node/layersModelFiles';
import {runThroughPipe} from './helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-keras-cli-'));
afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

test('convert model.keras --json through a pipe, then tf.loadLayersModel reproduces Keras 3 (Bidirectional + mask)', async () => {
  const c = loadCase('keras_files/keras3/masking_bidi_last_keras');
  const out = path.join(tmp, 'mbl');
  const r = runThroughPipe(['convert', path.join(c.dir, 'model.keras'), '--out', out, '--json'], {TFJS_GRU_BACKEND: 'wasm'});
  expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
  const j = JSON.parse(r.stdout);
  expect([j.format, j.keras.mode, j.loadedCheck.pass]).toEqual(['keras', 'whole-model', true]);
  expect(j.keras.converted.map((l: any) => l.as)).toEqual(['Masking', 'Bidirectional(KerasGRU)', 'Dense']);
  const model = await loadLayersModelFromDir(out);
  const y = model.predict(caseTensor(c, 'x')) as tf.Tensor;
  expect(tf.max(tf.abs(tf.sub(y, caseTensor(c, 'y')))).dataSync()[0]).toBeLessThanOrEqual(1e-5);
});

test('convert: text names what was left out; a Keras 3 hard_sigmoid exits 1 with [UNSUPPORTED]', () => {
  const conv = loadCase('keras_files/tf_keras/conv_gru_h5');
  const r = runThroughPipe(['convert', path.join(conv.dir, 'model.h5'), '--out', path.join(tmp, 'conv')], {TFJS_GRU_BACKEND: 'wasm'});
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/GRU stack only \(conv1d: Conv1D is not among/);
  expect(r.stdout).toMatch(/left out: conv1d \(Conv1D\): Conv1D is not among/);
  const hs = loadCase('keras_files/keras3/hard_sigmoid_gru_h5');
  const bad = runThroughPipe(['convert', path.join(hs.dir, 'model.h5'), '--out', path.join(tmp, 'hs')], {TFJS_GRU_BACKEND: 'wasm'});
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/hard_sigmoid.*\[UNSUPPORTED\]/);
});
