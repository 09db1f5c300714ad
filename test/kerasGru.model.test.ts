// The Keras GRU as a tfjs layer: Keras's weight order, getConfig and
// model.save / tf.loadLayersModel round trips, loading a model.json made by the
// tensorflowjs converter from tf.keras (reset_after=True), dropout only in training.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {gru, KerasGRU, registerKerasGru} from '../src';
import {caseTensor, defaultFixturesDir, loadCase} from '../src/fixtures/fixtures';
import {expectNoNewTensors, maxAbsDiff, saveAndLoad} from './helpers/tensors';

describe('KerasGRU layer', () => {
  test('weights are Keras\'s [kernel, recurrent_kernel, bias], bias [2, 3U] by default, none without bias', () => {
    const a = gru({units: 4, recurrentInitializer: 'zeros'});
    a.apply(tf.zeros([1, 2, 3]));
    expect(a.getWeights().map((w) => w.shape)).toEqual([[3, 12], [4, 12], [2, 12]]);
    expect(a.weights.map((w) => w.originalName.split('/').slice(-1)[0])).toEqual(['kernel', 'recurrent_kernel', 'bias']);
    const b = gru({units: 4, resetAfter: false, useBias: false, recurrentInitializer: 'zeros'});
    b.apply(tf.zeros([1, 2, 3]));
    expect(b.getWeights().map((w) => w.shape)).toEqual([[3, 12], [4, 12]]);
    expect(() => b.setWeights([tf.zeros([3, 12]), tf.zeros([4, 11])]))
        .toThrow(/'recurrent_kernel' expects shape \[4,12\], got \[4,11\]/);
    const c = gru({units: 4, resetAfter: false, recurrentInitializer: 'zeros'});
    c.apply(tf.zeros([1, 2, 3]));
    expect(c.getWeights().map((w) => w.shape)).toEqual([[3, 12], [4, 12], [12]]);
  });

  test('Keras defaults and getConfig round trip of every argument', () => {
    const layer = gru({units: 3});
    const cell = layer.kerasCell;
    expect([cell.resetAfter, cell.recurrentActivation, cell.activation, cell.useBias]).toEqual([true, 'sigmoid', 'tanh', true]);
    const config = layer.getConfig() as any;
    // tfjs serializes glorotUniform as what it is, VarianceScaling(1, fanAvg, uniform), like its own GRU
    expect(config.kernelInitializer).toEqual(
        {className: 'VarianceScaling', config: {scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: undefined}});
    expect(config.recurrentInitializer.className).toBe('Orthogonal');
    expect(config.biasInitializer.className).toBe('Zeros');

    const full = gru({
      units: 5, activation: 'relu', recurrentActivation: 'hardSigmoid', useBias: true, resetAfter: false,
      kernelInitializer: 'heNormal', recurrentInitializer: 'zeros', biasInitializer: 'ones',
      kernelRegularizer: 'l1l2', recurrentRegularizer: tf.regularizers.l2({l2: 0.1}), biasRegularizer: 'l1l2',
      activityRegularizer: 'l1l2', kernelConstraint: 'nonNeg', recurrentConstraint: 'unitNorm', biasConstraint: 'maxNorm',
      dropout: 0.25, recurrentDropout: 0.5, returnSequences: true, returnState: true, goBackwards: true,
      stateful: false, name: 'my_gru',
    });
    const cfg = full.getConfig();
    const again = KerasGRU.fromConfig(KerasGRU, JSON.parse(JSON.stringify(cfg))) as KerasGRU;
    expect(again.getConfig()).toEqual(cfg);
    expect((cfg as any).implementation).toBe(1);  // Keras forces implementation 1 with recurrent dropout
  });

  test('model.save / tf.loadLayersModel round trip keeps the config, the weights and the outputs', async () => {
    const input = tf.input({shape: [5, 3]});
    const out = gru({units: 4, returnSequences: true, recurrentInitializer: 'zeros', kernelInitializer: 'glorotUniform',
                     biasInitializer: 'randomUniform'}).apply(input) as tf.SymbolicTensor;
    const model = tf.model({inputs: input, outputs: out});
    const loaded = await saveAndLoad(model);
    expect(loaded.layers[1].getClassName()).toBe('KerasGRU');
    // a seed absent (undefined) is saved as null by model.json
    const json = (l: tf.layers.Layer) => JSON.parse(JSON.stringify(l.getConfig(), (_, v) => v ?? undefined));
    expect(json(loaded.layers[1])).toEqual(json(model.layers[1]));
    const x = tf.randomUniform([2, 5, 3]);
    expect(maxAbsDiff(loaded.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
  });

  test('dropout acts only in training, with masks fixed across time', () => {
    const layer = gru({units: 6, dropout: 0.5, recurrentDropout: 0.5, returnSequences: true, recurrentInitializer: 'zeros'});
    const plain = gru({units: 6, returnSequences: true, recurrentInitializer: 'zeros'});
    const x = tf.randomUniform([4, 7, 5]);
    layer.apply(x);
    plain.apply(x);
    plain.setWeights(layer.getWeights());
    const ref = plain.apply(x) as tf.Tensor;
    expect(maxAbsDiff(layer.apply(x) as tf.Tensor, ref)).toBe(0);
    expect(maxAbsDiff(layer.apply(x, {training: false}) as tf.Tensor, ref)).toBe(0);
    const t1 = layer.apply(x, {training: true}) as tf.Tensor;
    expect(maxAbsDiff(t1, ref)).toBeGreaterThan(1e-3);
    // Input dropout alone, one mask per sequence: with z = 0 and hh = x_0 (linear), every step's output is
    // x_0 ⊙ m_0 = m_0, so each row is constant across time and is 0 or 1/(1 − 0.5) = 2.
    const probe = gru({units: 1, dropout: 0.5, useBias: false, activation: 'linear', recurrentActivation: 'linear',
                       resetAfter: false, returnSequences: true, recurrentInitializer: 'zeros'});
    const ones = tf.ones([64, 6, 2]);
    probe.apply(ones);
    probe.setWeights([tf.tensor2d([[0, 0, 1], [0, 0, 0]]), tf.zeros([1, 3])]);  // columns z | r | h
    const out = (probe.apply(ones, {training: true}) as tf.Tensor).arraySync() as number[][][];
    const firstSteps = out.map((row) => row[0][0]);
    for (const row of out) expect(new Set(row.map((v) => v[0])).size).toBe(1);
    expect(new Set(firstSteps)).toEqual(new Set([0, 2]));
  });

  test('apply and predict leave no tensors behind', async () => {
    const layer = gru({units: 4, returnState: true, recurrentInitializer: 'zeros', dropout: 0.2, recurrentDropout: 0.2});
    const x = tf.randomUniform([2, 3, 5]);
    const h0 = tf.randomUniform([2, 4]);
    tf.dispose(layer.apply(x, {initialState: [h0]}) as tf.Tensor[]);
    await expectNoNewTensors(() => tf.dispose(layer.apply(x, {initialState: [h0], training: true}) as tf.Tensor[]));
    await expectNoNewTensors(() => tf.dispose(layer.apply(x) as tf.Tensor[]));
  });
});

describe('registerKerasGru: loading a tf.keras model converted by the tensorflowjs converter', () => {
  const dir = path.join(defaultFixturesDir(), 'tfjs_model', 'keras_reset_after');
  const artifacts = (): tf.io.ModelArtifacts => {
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const bin = fs.readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
    return {
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g: any) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    };
  };

  test('tfjs alone refuses the reset_after=True GRU', async () => {
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts()))).rejects.toThrow(/reset_after/);
  });

  test('after registerKerasGru it loads, finds the weights under gru/gru_cell/*, and matches Keras', async () => {
    const restore = registerKerasGru();
    try {
      const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts()));
      const layer = model.layers[1] as KerasGRU;
      expect(layer).toBeInstanceOf(KerasGRU);
      expect([layer.kerasCell.resetAfter, layer.kerasCell.recurrentActivation, layer.returnSequences]).toEqual([true, 'sigmoid', true]);
      const c = loadCase('tfjs_model/keras_reset_after');
      const [kernel, recurrent, bias] = layer.getWeights();
      expect(maxAbsDiff(kernel, caseTensor(c, 'kernel'))).toBe(0);
      expect(maxAbsDiff(recurrent, caseTensor(c, 'recurrent_kernel'))).toBe(0);
      expect(maxAbsDiff(bias, caseTensor(c, 'bias'))).toBe(0);
      const diff = maxAbsDiff(model.predict(caseTensor(c, 'x')) as tf.Tensor, caseTensor(c, 'output'));
      // eslint-disable-next-line no-console
      console.log(`converter model.json, max |ours − Keras| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-5);
      // Saved again by tfjs (on every backend, tfjs-node included), it loads back identical.
      const again = await saveAndLoad(model);
      const x = caseTensor(c, 'x');
      expect(maxAbsDiff(again.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
    } finally {
      restore();
    }
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts()))).rejects.toThrow(/reset_after/);
  });

  test('a Keras snake_case config with every field arrives and is handled', async () => {
    const restore = registerKerasGru();
    try {
      const a = artifacts();
      const topology = JSON.parse(JSON.stringify(a.modelTopology));
      const cfg = topology.model_config.config.layers[1].config;
      Object.assign(cfg, {
        recurrent_activation: 'hard_sigmoid', use_bias: true, dropout: 0.1, recurrent_dropout: 0.2,
        kernel_regularizer: {module: 'keras.regularizers', class_name: 'L2', config: {l2: 0.01}, registered_name: null},
        kernel_constraint: {module: 'keras.constraints', class_name: 'NonNeg', config: {}, registered_name: null},
        dtype: {module: 'keras', class_name: 'DTypePolicy', config: {name: 'float32'}, registered_name: null},
      });
      const model = await tf.loadLayersModel(tf.io.fromMemory({...a, modelTopology: topology}));
      const layer = model.layers[1] as KerasGRU;
      const c = layer.getConfig() as any;
      expect([c.recurrentActivation, c.dropout, c.recurrentDropout, c.implementation, c.resetAfter]).toEqual(['hardSigmoid', 0.1, 0.2, 1, true]);
      expect(c.kernelRegularizer).toEqual({className: 'L1L2', config: {l1: 0, l2: 0.01}});
      expect(c.kernelConstraint.className).toBe('NonNeg');
      const withPolicy = new KerasGRU({
        units: 2, batchInputShape: [null, 3, 2], dtype: {className: 'DTypePolicy', config: {name: 'float32'}},
      } as any);
      expect(withPolicy.dtype).toBe('float32');
      cfg.time_major = true;
      await expect(tf.loadLayersModel(tf.io.fromMemory({...a, modelTopology: topology}))).rejects.toThrow(/time_major/);
    } finally {
      restore();
    }
  });
});
