// `tfjs-gru convert` on Keras files written by the real tf-keras 2.21 and Keras 3.15.1
// (fixtures/keras_files, tools/make_keras_file_fixtures.py): the folder it writes, loaded
// with tf.loadLayersModel, reproduces the framework's own outputs within 1e-5 (the whole
// model, Conv1D included); --gru-stack converts the GRU stack alone and says what was left
// out; a Keras 3 hard_sigmoid is refused, never approximated; no tensor leaks.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {ConversionError} from '../src';
import {caseTensor, loadCase, loadManifest} from '../src/fixtures/fixtures';
import {convertModelFileToDir} from '../src/node/convertModelFile';
import {loadLayersModelFromDir} from '../src/node/layersModelFiles';

const cases = (loadManifest() as any).keras_files as string[];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-keras-'));
afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

const REFUSED = /keras3\/hard_sigmoid/;
const matching = cases.filter((c) => !REFUSED.test(c));

function fileOf(name: string): string {
  const c = loadCase(name);
  return path.join(c.dir, c.config.file);
}

test('the fixtures cover both frameworks, both containers and CuDNNGRU', () => {
  for (const want of ['tf_keras/gru_ra1_seq_keras', 'tf_keras/gru_ra1_seq_h5', 'keras3/gru_ra1_seq_keras', 'keras3/bidi_gru_h5',
    'tf_keras/cudnn_gru_h5', 'keras3/gru_ra1_dense_weights', 'keras3/embedding_gru_dense_keras', 'tf_keras/masking_gru_dense_h5']) {
    expect(cases).toContain(`keras_files/${want}`);
  }
});

describe("converted models reproduce the framework's outputs (within 1e-5)", () => {
  test.each(matching)('%s', async (name) => {
    const c = loadCase(name);
    const out = path.join(tmp, name.replace(/\//g, '_'));
    const before = tf.memory().numTensors;
    const r = await convertModelFileToDir(fileOf(name), out);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.loadedCheck.pass).toBe(true);
    expect(r.keras!.mode).toBe('whole-model');
    const model = await loadLayersModelFromDir(out);
    const x = caseTensor(c, 'x');
    const want = caseTensor(c, 'y');
    const got = model.predict(x) as tf.Tensor;
    expect(got.shape).toEqual(want.shape);
    const err = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0];
    expect(err).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, want, got]);
    model.dispose();
  });
});

test('CuDNNGRU becomes KerasGRU through the keras-cudnn layout, a reset-before GRU tfjs\'s own GRU', async () => {
  const cu = await convertModelFileToDir(fileOf('keras_files/tf_keras/cudnn_gru_h5'), path.join(tmp, 'cudnn'));
  expect(cu.layers.map((l) => [l.className, l.cellType, l.layout])).toEqual([['KerasGRU', 'keras.CuDNNGRU', 'keras-cudnn']]);
  expect(cu.needsTfjsGru).toBe(true);
  const rb = await convertModelFileToDir(fileOf('keras_files/keras3/gru_ra0_dense_keras'), path.join(tmp, 'rb'));
  expect(rb.layers.map((l) => l.className)).toEqual(['GRU']);
  expect(rb.needsTfjsGru).toBe(false);
  const json = JSON.parse(fs.readFileSync(path.join(tmp, 'rb', 'model.json'), 'utf8'));
  const topology = json.modelTopology.model_config ?? json.modelTopology;
  const gruLayer = topology.config.layers.find((l: any) => l.class_name === 'GRU');
  expect(gruLayer.config.recurrent_activation).toBe('sigmoid');
});

test('--gru-stack: the GRU stack alone, and what was left out', async () => {
  const c = loadCase('keras_files/keras3/conv_gru_keras');
  const r = await convertModelFileToDir(fileOf('keras_files/keras3/conv_gru_keras'), path.join(tmp, 'conv'), {gruStack: true});
  expect(r.keras!.mode).toBe('gru-stack');
  expect(r.keras!.wholeModelProblem).toMatch(/--gru-stack/);
  const model = await loadLayersModelFromDir(path.join(tmp, 'conv'));
  const [x, want] = [caseTensor(c, 'stack_x'), caseTensor(c, 'y')];
  const got = model.predict(x) as tf.Tensor;
  expect(tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0])).toBeLessThanOrEqual(1e-5);
  tf.dispose([x, want, got]);
  model.dispose();
  expect(r.keras!.leftOut).toEqual([expect.objectContaining({name: 'conv1d', className: 'Conv1D'})]);
  expect(r.keras!.converted.map((c) => c.className)).toEqual(['GRU', 'Dense']);
});

describe('Masking + Bidirectional(return_sequences): the whole model, zeros at the padded steps as Keras writes', () => {
  test.each(cases.filter((c) => /masking_bidi_seq/.test(c)))('%s', async (name) => {
    const c = loadCase(name);
    const out = path.join(tmp, `zeros_${name.replace(/\//g, '_')}`);
    const r = await convertModelFileToDir(fileOf(name), out);
    expect(r.keras!.mode).toBe('whole-model');
    expect(r.layers.map((l) => l.className)).toEqual(['Bidirectional(KerasGRU)']);
    const model = await loadLayersModelFromDir(out);
    const x = caseTensor(c, 'x');
    const want = caseTensor(c, 'y');
    const got = model.predict(x) as tf.Tensor;
    // The GRUs output zeros at the padded steps (all features equal the mask value), so Keras's
    // Dense after them gives its bias there: in Keras's own output, and in ours.
    const padded = tf.tidy(() => tf.logicalNot(tf.any(tf.notEqual(x, 0), -1)));
    const paddedCount = tf.tidy(() => tf.sum(tf.cast(padded, 'int32')).dataSync()[0]);
    expect(paddedCount).toBeGreaterThan(0);
    const bias = model.layers[model.layers.length - 1].getWeights()[1];
    const atPadded = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.mul(tf.sub(t, bias), tf.expandDims(tf.cast(padded, 'float32'), -1)))).dataSync()[0]);
    expect(atPadded(want)).toBeLessThanOrEqual(1e-6);
    expect(atPadded(got)).toBeLessThanOrEqual(1e-6);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0])).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, want, got, padded]);
    model.dispose();
  });
});

describe("Keras 3's hard_sigmoid (x/6 + 0.5) is refused, tf.keras's (0.2x + 0.5) converted", () => {
  test.each(cases.filter((c) => REFUSED.test(c)))('%s', async (name) => {
    const before = tf.memory().numTensors;
    const err = await convertModelFileToDir(fileOf(name), path.join(tmp, 'hs')).catch((e) => e);
    expect(err).toBeInstanceOf(ConversionError);
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toMatch(/gru(_\d+)? \(GRU\): recurrent_activation: Keras 3's hard_sigmoid is clip\(x\/6 \+ 0\.5, 0, 1\)/);
    expect(err.message).toContain(fileOf(name));
    expect(fs.existsSync(path.join(tmp, 'hs', 'model.json'))).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });
});
