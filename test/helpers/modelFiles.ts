// Converting a fixture model file with the library call `tfjs-gru convert` uses, loading the
// folder with tf.loadLayersModel, and comparing with the framework's own outputs.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {caseTensor, loadCase} from '../../src/fixtures/fixtures';
import {convertModelFileToDir, ConvertModelFileResult} from '../../src/node/convertModelFile';
import {dirLoadHandler} from '../../src/node/layersModelFiles';
import {ToLayersModelOptions} from '../../src/gruStackModel/toLayersModel';
import {FIXTURES} from './checkpointBytes';

/** The model file of fixture case `name` (`pytorch_files/gru1` → …/model.safetensors). */
export function fixtureModel(name: string): string {
  const dir = path.join(FIXTURES, ...name.split('/'));
  const file = fs.readdirSync(dir).find((f) => f.startsWith('model.'));
  if (file == null) throw new Error(`${name}: no model file`);
  return path.join(dir, file);
}

/** Converts case `name`'s model file, loads the folder with tf.loadLayersModel, predicts the case's x. */
export async function convertAndRun(name: string, options: ToLayersModelOptions = {}):
    Promise<{result: ConvertModelFileResult; maxAbsError: number; model: tf.LayersModel; numTensorsLeft: number}> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-mf-'));
  const before = tf.memory().numTensors;
  const result = await convertModelFileToDir(fixtureModel(name), out, options);
  const numTensorsLeft = tf.memory().numTensors - before;
  const model = await tf.loadLayersModel(dirLoadHandler(out));
  const c = loadCase(name);
  const [x, want] = [caseTensor(c, 'x'), caseTensor(c, 'y')];
  const got = model.predict(x) as tf.Tensor;
  expect(got.shape).toEqual(want.shape);
  const maxAbsError = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]);
  tf.dispose([x, want, got]);
  return {result, maxAbsError, model, numTensorsLeft};
}
