// saveLayersModelToDir writes a folder tf.loadLayersModel reads back, and stamps
// `convertedBy` only when asked to (convert does; a plain save was not a conversion).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import '../src';
import {CONVERTED_BY, convertModelFileToDir} from '../src/node/convertModelFile';
import {loadLayersModelFromDir, saveLayersModelToDir} from '../src/node/layersModelFiles';
import {ckptPrefix} from './helpers/checkpointBytes';

function modelJson(dir: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
}

describe('model.json convertedBy', () => {
  test('a model saved with saveLayersModelToDir has no convertedBy, and loads back equal', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-save-'));
    const model = tf.sequential({layers: [tf.layers.dense({units: 3, inputShape: [4]})]});
    await saveLayersModelToDir(model, dir);
    const json = modelJson(dir);
    expect(json.generatedBy).toBe('tfjs-gru');
    expect(json).not.toHaveProperty('convertedBy');
    const loaded = await loadLayersModelFromDir(dir);
    const x = tf.randomNormal([2, 4], 0, 1, 'float32', 3);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
    fs.rmSync(dir, {recursive: true});
  });

  test('a caller may name its own converter', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-save-'));
    const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
    await saveLayersModelToDir(model, dir, 'my-app 1.0', 'my-converter');
    expect(modelJson(dir)).toMatchObject({generatedBy: 'my-app 1.0', convertedBy: 'my-converter'});
    model.dispose();
    fs.rmSync(dir, {recursive: true});
  });

  test('what convert writes says tfjs-gru convert', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-conv-'));
    await convertModelFileToDir(ckptPrefix('tf1_single'), dir);
    expect(modelJson(dir).convertedBy).toBe(CONVERTED_BY);
    expect(CONVERTED_BY).toBe('tfjs-gru convert');
    fs.rmSync(dir, {recursive: true});
  });
});
