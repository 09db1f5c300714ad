// Stateful models: tfjs's LayersModel.resetStates() resets every stateful GRU of ours
// (plain, inside tf.layers.bidirectional, inside a nested model), and streaming one
// step at a time (T=1 calls carrying the state) gives the full-sequence result.
import * as tf from '@tensorflow/tfjs';

import {gru, tf1Gru} from '../src';
import {maxAbsDiff} from './helpers/tensors';

const B = 3;
const T = 7;
const D = 4;

function statesOf(layer: tf.layers.Layer): tf.Tensor[] {
  const l = layer as any;
  if (l.forwardLayer != null) return [...l.forwardLayer.states, ...l.backwardLayer.states];
  return (layer as tf.RNN).states;
}

/** A stateful stack: KerasGRU (reset after), TF1GRU, KerasGRU (reset before); seeded weights. */
function statefulStack(batchTime: number | null): tf.Sequential {
  const model = tf.sequential();
  model.add(gru({units: 5, stateful: true, returnSequences: true, batchInputShape: [B, batchTime, D], name: 's_a'}));
  model.add(tf1Gru({units: 4, stateful: true, returnSequences: true, name: 's_b'}));
  model.add(gru({units: 3, stateful: true, returnSequences: true, resetAfter: false, name: 's_c'}));
  tf.tidy(() => model.setWeights(model.getWeights().map((w, i) => tf.randomUniform(w.shape, -0.5, 0.5, 'float32', 10 + i))));
  return model;
}

describe('streaming one step at a time == the whole sequence', () => {
  test('a stateful stack fed T=1 chunks reproduces the full-sequence outputs and states', () => {
    const before = tf.memory().numTensors;
    const model = statefulStack(null);
    tf.tidy(() => {
      const x = tf.randomUniform([B, T, D], -1, 1, 'float32', 1);
      model.resetStates();
      const full = model.predict(x, {batchSize: B}) as tf.Tensor;
      const fullStates = model.layers.map((l) => statesOf(l).map((s) => s.clone()));
      model.resetStates();
      const steps: tf.Tensor[] = [];
      for (let t = 0; t < T; t++) steps.push(model.predict(tf.slice(x, [0, t, 0], [B, 1, D]), {batchSize: B}) as tf.Tensor);
      const streamed = tf.concat(steps, 1);
      const err = maxAbsDiff(streamed, full);
      // eslint-disable-next-line no-console
      console.log(`streamed vs full sequence: max |diff| ${err.toExponential(2)} on ${tf.getBackend()}`);
      expect(err).toBeLessThanOrEqual(1e-6);
      model.layers.forEach((l, i) => statesOf(l).forEach((s, j) => expect(maxAbsDiff(s, fullStates[i][j])).toBeLessThanOrEqual(1e-6)));
    });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a streamed call equals a fresh non-stateful layer run on the whole sequence from zeros', () => {
    const model = statefulStack(1);
    tf.tidy(() => {
      const x = tf.randomUniform([B, T, D], -1, 1, 'float32', 2);
      const plain = tf.sequential();
      plain.add(gru({units: 5, returnSequences: true, inputShape: [T, D]}));
      plain.add(tf1Gru({units: 4, returnSequences: true}));
      plain.add(gru({units: 3, returnSequences: true, resetAfter: false}));
      plain.setWeights(model.getWeights());
      const want = plain.predict(x) as tf.Tensor;
      model.resetStates();
      const got: tf.Tensor[] = [];
      for (let t = 0; t < T; t++) got.push(model.predict(tf.slice(x, [0, t, 0], [B, 1, D]), {batchSize: B}) as tf.Tensor);
      expect(maxAbsDiff(tf.concat(got, 1), want)).toBeLessThanOrEqual(1e-6);
      plain.dispose();
    });
    model.dispose();
  });
});

describe('LayersModel.resetStates() resets every stateful GRU', () => {
  test('plain, Bidirectional and nested-model GRUs all go back to zeros; the next call starts from zeros', () => {
    const before = tf.memory().numTensors;
    const inner = tf.sequential({name: 'inner'});
    inner.add(tf1Gru({units: 3, stateful: true, returnSequences: true, batchInputShape: [B, 2, 4]}));
    const model = tf.sequential();
    model.add(gru({units: 4, stateful: true, returnSequences: true, batchInputShape: [B, 2, D]}));
    model.add(tf.layers.bidirectional({layer: gru({units: 2, stateful: true, returnSequences: true}) as unknown as tf.RNN,
      mergeMode: 'concat'}));
    model.add(inner);
    const x = tf.randomUniform([B, 2, D], -1, 1, 'float32', 3);
    const gruLayers = [model.layers[0], model.layers[1], inner.layers[0]];
    const first = model.predict(x, {batchSize: B}) as tf.Tensor;
    for (const l of gruLayers) for (const s of statesOf(l)) expect(tf.tidy(() => tf.max(tf.abs(s)).dataSync()[0])).toBeGreaterThan(0);
    const second = model.predict(x, {batchSize: B}) as tf.Tensor;
    expect(maxAbsDiff(first, second)).toBeGreaterThan(1e-3);  // the state carried over
    model.resetStates();
    for (const l of gruLayers) for (const s of statesOf(l)) expect(tf.tidy(() => tf.max(tf.abs(s)).dataSync()[0])).toBe(0);
    const third = model.predict(x, {batchSize: B}) as tf.Tensor;
    expect(maxAbsDiff(first, third)).toBe(0);
    tf.dispose([x, first, second, third]);
    model.dispose();
    inner.dispose();  // a nested model is held by its own graph too (tfjs's reference counts)
    // tfjs's Bidirectional disposes its two layers' weights but never calls their
    // dispose(), so a stateful Bidirectional leaves its two [B, U] state tensors
    // (tfjs's own GRU as well); our layers free their states on dispose.
    expect(tf.memory().numTensors).toBe(before + 2);
  });

  test('a disposed stateful layer frees its state tensors', () => {
    const before = tf.memory().numTensors;
    const model = tf.sequential();
    model.add(gru({units: 4, stateful: true, returnSequences: true, batchInputShape: [B, 2, D]}));
    model.add(tf1Gru({units: 3, stateful: true}));
    tf.tidy(() => {
      model.predict(tf.zeros([B, 2, D]), {batchSize: B});
    });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
