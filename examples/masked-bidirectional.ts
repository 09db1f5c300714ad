// A Keras model (Masking + two Bidirectional(GRU), reset_after=True) converted by
// tensorflowjs_converter, loaded after registerKerasGru(): Keras's output at every step,
// the zeros at padded steps included.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {registerKerasGru, selectBackend} from '../src';  // your code: from 'tfjs-gru'
import {caseTensor, defaultFixturesDir, loadCase} from '../src/fixtures/fixtures';

async function main(): Promise<void> {
  await selectBackend(process.env.TFJS_GRU_BACKEND === 'cpu' ? 'cpu' : 'wasm');
  const name = 'stacks/keras_model_masking_bidi_ra1';
  const dir = path.join(defaultFixturesDir(), name);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const bin = fs.readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
  registerKerasGru();
  // with tfjs-node: tf.loadLayersModel('file://' + dir + '/model.json')
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: any) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  }));
  const c = loadCase(name);
  const y = model.predict(caseTensor(c, 'x')) as tf.Tensor;            // x: zeros at the padded steps
  const err = tf.max(tf.abs(tf.sub(y, caseTensor(c, 'output')))).dataSync()[0];
  const padded = tf.sum(tf.sub(1, caseTensor(c, 'mask'))).dataSync()[0];
  const zeroRows = tf.sum(tf.cast(tf.all(tf.equal(y, 0), -1), 'int32')).dataSync()[0];
  console.log(`output ${y.shape}: ${zeroRows} of ${padded} padded steps are zeros, max |ours − Keras| = ${err.toExponential(2)}`);
  if (!(err < 1e-5) || zeroRows !== padded) throw new Error('the model differs from Keras');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
