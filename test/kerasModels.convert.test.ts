// Whole Keras models (issue 18): models written by the real tf-keras 2.21 (.h5) and Keras 3.15
// (.keras) with one model per layer family tfjs-layers implements (fixtures/keras_models,
// tools/keras_model_fixtures.py), converted by `convert`, loaded back with tf.loadLayersModel and
// run: every output within 1e-5 · max(1, max|reference|) of the framework's own; no tensor leaks.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {caseTensor, loadCase, loadManifest} from '../src/fixtures/fixtures';
import {disposeModelFully} from '../src/kerasModel/topology/buildModel';
import {convertModelFileToDir} from '../src/node/convertModelFile';
import {loadLayersModelFromDir} from '../src/node/layersModelFiles';

const cases = ((loadManifest() as any).keras_models as string[]).filter((c) => loadCase(c).config.refused == null);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-keras-models-'));
afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

test('the fixtures cover both frameworks and the issue\'s four models', () => {
  for (const fw of ['tf_keras', 'keras3']) {
    for (const m of ['conv_bn_gru_ln_bidi', 'two_input_residual', 'embedding_lstm_gru', 'conv_pool_gru_td_flatten']) {
      expect(cases).toContain(`keras_models/${fw}/${m}`);
    }
  }
});

describe("converted whole models reproduce Keras's outputs", () => {
  test.each(cases)('%s', async (name) => {
    const c = loadCase(name);
    const out = path.join(tmp, name.replace(/\//g, '_'));
    const before = tf.memory().numTensors;
    const r = await convertModelFileToDir(path.join(c.dir, c.config.file), out);
    expect(r.keras?.mode).toBe('whole-model');
    const model = await loadLayersModelFromDir(out);
    const xs = (c.config.inputs as string[]).map((n) => caseTensor(c, n));
    const ys = (c.config.outputs as string[]).map((n) => caseTensor(c, n));
    const got = model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor | tf.Tensor[];
    const gotList = Array.isArray(got) ? got : [got];
    expect(gotList.length).toBe(ys.length);
    ys.forEach((y, i) => {
      expect(gotList[i].shape).toEqual(y.shape);
      const ref = y.dataSync();
      const tol = 1e-5 * Math.max(1, ...Array.from(ref, Math.abs));
      const err = tf.tidy(() => tf.max(tf.abs(tf.sub(gotList[i], y))).dataSync()[0]);
      expect(err).toBeLessThanOrEqual(tol);
    });
    tf.dispose([...xs, ...ys, ...gotList]);
    disposeModelFully(model);  // a shared layer's weights too (tfjs's dispose() leaves them)
    expect(tf.memory().numTensors).toBe(before);
  });
});
