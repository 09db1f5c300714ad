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

test('convert: the whole model with Conv1D; --gru-stack names what was left out; a Keras 3 hard_sigmoid exits 1 with [UNSUPPORTED]', () => {
  const conv = loadCase('keras_files/tf_keras/conv_gru_h5');
  const whole = runThroughPipe(['convert', path.join(conv.dir, 'model.h5'), '--out', path.join(tmp, 'convw')], {TFJS_GRU_BACKEND: 'wasm'});
  expect(whole.code).toBe(0);
  expect(whole.stdout).toMatch(/whole model \(Sequential, Keras 2\.21\.0\): conv1d(_\d+)? → Conv1D, gru(_\d+)? → KerasGRU, dense(_\d+)? → Dense/);
  expect(whole.stdout).toMatch(/checked against an independent reference: conv1d(_\d+)?, gru(_\d+)?, dense(_\d+)?\n/);
  const r = runThroughPipe(['convert', path.join(conv.dir, 'model.h5'), '--out', path.join(tmp, 'conv'), '--gru-stack'], {TFJS_GRU_BACKEND: 'wasm'});
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/GRU stack only \(the GRU stack was asked for \(--gru-stack\)\)/);
  expect(r.stdout).toMatch(/left out: conv1d(_\d+)? \(Conv1D\): before the converted GRU stack/);
  const hs = loadCase('keras_files/keras3/hard_sigmoid_gru_h5');
  const bad = runThroughPipe(['convert', path.join(hs.dir, 'model.h5'), '--out', path.join(tmp, 'hs')], {TFJS_GRU_BACKEND: 'wasm'});
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/gru(_\d+)? \(GRU\): recurrent_activation: Keras 3.s hard_sigmoid.*\[UNSUPPORTED\]/s);
});

test('--config: a .weights.h5 with its config elsewhere converts and inspects; bad or misplaced configs are named', async () => {
  const c = loadCase('keras_files/keras3/gru_ra1_dense_weights');
  const alone = path.join(tmp, 'alone');
  fs.mkdirSync(alone);
  const weights = path.join(alone, 'model.weights.h5');
  fs.copyFileSync(path.join(c.dir, 'model.weights.h5'), weights);
  const config = path.join(c.dir, 'config.json');
  const env = {TFJS_GRU_BACKEND: 'wasm'};

  const missing = runThroughPipe(['convert', weights, '--out', path.join(tmp, 'w0')], env);
  expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/looked for .*model\.config\.json.*\[NOT_FOUND\]/s)]);

  const out = path.join(tmp, 'w1');
  const r = runThroughPipe(['convert', weights, '--config', config, '--out', out, '--json'], env);
  expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
  expect(JSON.parse(r.stdout).loadedCheck.pass).toBe(true);
  const model = await loadLayersModelFromDir(out);
  const y = model.predict(caseTensor(c, 'x')) as tf.Tensor;
  expect(tf.max(tf.abs(tf.sub(y, caseTensor(c, 'y')))).dataSync()[0]).toBeLessThanOrEqual(1e-5);
  model.dispose();

  const ins = runThroughPipe(['inspect', weights, '--config', config, '--json'], env);
  expect(ins.code).toBe(0);
  expect(JSON.stringify(JSON.parse(ins.stdout))).toMatch(/gru/i);

  const nowhere = path.join(alone, 'nope.json');
  const gone = runThroughPipe(['inspect', weights, '--config', nowhere], env);
  expect([gone.code, gone.stderr]).toEqual([1, expect.stringContaining(`${nowhere}: no such config file (given for ${weights}) [NOT_FOUND]`)]);

  const notJson = path.join(alone, 'broken.json');
  fs.writeFileSync(notJson, '{"class_name": ');
  const broken = runThroughPipe(['convert', weights, '--config', notJson, '--out', path.join(tmp, 'w2')], env);
  expect([broken.code, broken.stderr]).toEqual([1, expect.stringMatching(new RegExp(`the config file ${notJson.replace(/[.]/g, '\\.')} is not JSON.*\\[BAD_CONFIG\\]`))]);

  const k = loadCase('keras_files/keras3/gru_ra1_seq_keras');
  const misplaced = runThroughPipe(['inspect', path.join(k.dir, 'model.keras'), '--config', config], env);
  expect([misplaced.code, misplaced.stderr]).toEqual([1, expect.stringMatching(/applies only to Keras \.h5 \/ \.weights\.h5 files, and this is a keras file.*\[BAD_OPTION\]/)]);

  const noValue = runThroughPipe(['inspect', weights, '--config'], env);
  expect(noValue.code).toBe(2);
});
