// Every TF1 GRUCell case that real TensorFlow produced (tools/make_fixtures.py):
// the TF1 layer, tfjs's built-in GRU (weights mapped) and the unfused
// reference must reproduce TensorFlow's outputs (≤ 1e-5) and gradients (≤ 1e-4).
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {tf1Gru} from '../src';
import {defaultFixturesDir, loadCase, loadManifest} from '../src/fixtures/fixtures';
import {runTf1Case, TF1_IMPLEMENTATIONS} from '../src/verify/tf1Runner';

const manifest = loadManifest();
const tf1Cases = manifest.cases.filter((c) => c.startsWith('tf1/'));

describe('TF1 fixtures from real TensorFlow', () => {
  test('the manifest has the cases the harness needs', () => {
    expect(tf1Cases.length).toBeGreaterThanOrEqual(8);
    const configs = tf1Cases.map((name) => loadCase(name).config);
    expect(configs.some((c) => c.batch === 1 && c.time === 1 && c.input_dim === 1 && c.units === 1)).toBe(true);
    expect(configs.some((c) => c.input_dim === 64 && c.units === 128 && c.batch === 16 && c.time === 50)).toBe(true);
    expect(configs.some((c) => c.initial_state)).toBe(true);
    expect(configs.some((c) => c.sequence_length)).toBe(true);
  });

  test.each(tf1Cases)('%s', (name) => {
    const before = tf.memory().numTensors;
    const results = runTf1Case(loadCase(name));
    expect(tf.memory().numTensors).toBe(before);
    const c = loadCase(name);
    // output, state, 4 variables, x (+ h0) for each implementation.
    const perImpl = 7 + (c.config.initial_state ? 1 : 0);
    expect(results).toHaveLength(perImpl * Object.keys(TF1_IMPLEMENTATIONS).length);
    const failures = results.filter((r) => !r.pass);
    expect(failures).toEqual([]);
  });
});

describe('TensorFlow\'s initialisation facts', () => {
  const init = JSON.parse(fs.readFileSync(path.join(defaultFixturesDir(), 'init', 'tf1_gru_cell.json'), 'utf8'));

  test('fresh TF1GRU variables have TF\'s names (suffixes), shapes and bias values', () => {
    const facts = init.default;
    const layer = tf1Gru({units: facts.units});
    tf.tidy(() => {
      layer.apply(tf.zeros([1, 1, facts.input_dim]));
    });
    const suffix = (n: string) => n.replace(/^.*?gru_cell\//, '').replace(/:0$/, '');
    expect(layer.weights.map((w) => w.name.split('/').slice(1).join('/')))
        .toEqual(facts.variables.map((v: {name: string}) => suffix(v.name)));
    expect(layer.weights.map((w) => w.shape)).toEqual(facts.variables.map((v: {shape: number[]}) => v.shape));
    const [, gb, , cb] = layer.getWeights();
    expect(Array.from(gb.dataSync())).toEqual(facts.gates_bias);
    expect(Array.from(cb.dataSync())).toEqual(facts.candidate_bias);
    layer.dispose();
  });

  test('a bias initializer sets both biases, as TF 1.2+ does', () => {
    const facts = init.bias_initializer_constant_0_25;
    const layer = tf1Gru({units: facts.units, biasInitializer: tf.initializers.constant({value: 0.25})});
    tf.tidy(() => {
      layer.apply(tf.zeros([1, 1, facts.input_dim]));
    });
    const [, gb, , cb] = layer.getWeights();
    expect(Array.from(gb.dataSync())).toEqual(facts.gates_bias);
    expect(Array.from(cb.dataSync())).toEqual(facts.candidate_bias);
    layer.dispose();
  });

  test('TF\'s published GRUCell test, as TF 2.21 computes it', () => {
    for (const t of init.tf_published_tests) {
      const layer = tf1Gru({units: t.units});
      const x = tf.tensor(t.x).expandDims(1);
      const h = tf.tensor(t.h);
      tf.tidy(() => {
        layer.apply(x, {initialState: [h]});
      });
      const weights = t.variables.map((v: {value: number[]}) => tf.tensor(v.value));
      layer.setWeights(weights);
      const out = layer.apply(x, {initialState: [h]}) as tf.Tensor;
      const got = Array.from(out.dataSync());
      (t.output as number[][]).flat().forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(1e-6));
      tf.dispose([x, h, out, ...weights]);
      layer.dispose();
    }
  });
});
