// verify's Keras and PyTorch runners pass on every fixture and leave no tensors behind.
import * as tf from '@tensorflow/tfjs';

import {loadCase, loadManifest} from '../src/fixtures/fixtures';
import {runKerasCase} from '../src/verify/kerasRunner';
import {runPytorchCase} from '../src/verify/pytorchRunner';

const cases = loadManifest().cases.filter((n) => n.startsWith('keras/') || n.startsWith('pytorch/'));

test.each(cases)('%s', (name) => {
  const c = loadCase(name);
  const before = tf.memory().numTensors;
  const results = c.kind === 'keras' ? runKerasCase(c) : runPytorchCase(c);
  expect(tf.memory().numTensors).toBe(before);
  expect(results.filter((r) => !r.pass)).toEqual([]);
  expect(results.length).toBeGreaterThanOrEqual(c.config.initial_state ? 7 : 6);
});
