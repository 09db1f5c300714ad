// The TF1 layer as a tfjs layer: variables, published TF value, serialization,
// training, state handling, tensor hygiene and errors.
import * as tf from '@tensorflow/tfjs';

import {TF1GRU, tf1Gru, TF1GRUCell, tf1GruCell} from '../src';
import {maxAbsDiff, uniform} from './helpers/tensors';

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

describe('TF1GRU variables', () => {
  test('fresh variables: names, shapes, gates/bias 1.0, candidate/bias 0', () => {
    const layer = tf1Gru({units: 5});
    tf.tidy(() => {
      layer.apply(tf.zeros([2, 3, 4]));
    });
    expect(layer.weights.map((w) => w.name.split('/').slice(1).join('/')))
        .toEqual(['gates/kernel', 'gates/bias', 'candidate/kernel', 'candidate/bias']);
    const [gk, gb, ck, cb] = layer.getWeights();
    expect(gk.shape).toEqual([4 + 5, 10]);
    expect(gb.shape).toEqual([10]);
    expect(ck.shape).toEqual([4 + 5, 5]);
    expect(cb.shape).toEqual([5]);
    expect(values(gb).every((v) => v === 1)).toBe(true);
    expect(values(cb).every((v) => v === 0)).toBe(true);
    // glorotUniform: limit sqrt(6 / (fanIn + fanOut)), not all equal.
    const limit = Math.sqrt(6 / (9 + 10));
    expect(values(gk).every((v) => Math.abs(v) <= limit)).toBe(true);
    expect(new Set(values(gk)).size).toBeGreaterThan(1);
    layer.dispose();
  });

  test('biasInitializer sets both biases (TF 1.2+ semantics)', () => {
    const layer = tf1Gru({units: 3, biasInitializer: tf.initializers.constant({value: 0.25})});
    tf.tidy(() => {
      layer.apply(tf.zeros([1, 2, 2]));
    });
    const [, gb, , cb] = layer.getWeights();
    expect(values(gb)).toEqual(new Array(6).fill(0.25));
    expect(values(cb)).toEqual(new Array(3).fill(0.25));
    layer.dispose();
  });

  test('getWeights/setWeights order is gates/kernel, gates/bias, candidate/kernel, candidate/bias', () => {
    const layer = tf1Gru({units: 2});
    tf.tidy(() => {
      layer.apply(tf.zeros([1, 1, 3]));
    });
    const ws = [uniform([5, 4], 1), uniform([4], 2), uniform([5, 2], 3), uniform([2], 4)];
    layer.setWeights(ws);
    layer.getWeights().forEach((w, i) => expect(maxAbsDiff(w, ws[i])).toBe(0));
    tf.dispose(ws);
    layer.dispose();
  });
});

describe('TensorFlow\'s published GRUCell test value', () => {
  // tensorflow/python/kernel_tests/rnn_cell_test.py, testGRUCell: every
  // variable initialised to 0.5 except the biases (gates 1.0, candidate 0),
  // x = [[1, 1]], h = [[0.1, 0.1]] → [[0.175991, 0.175991]].
  const expected = [0.175991, 0.175991];

  test('the cell', () => {
    const cell = tf1GruCell({units: 2, kernelInitializer: tf.initializers.constant({value: 0.5})});
    const [h] = tf.tidy(() => {
      cell.build([1, 2]);
      return cell.call([tf.ones([1, 2]), tf.fill([1, 2], 0.1)], {}) as tf.Tensor[];
    }) as unknown as tf.Tensor[];
    values(h).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    tf.dispose(h);
  });

  test('the sequence layer with an initial state', () => {
    const layer = tf1Gru({units: 2, kernelInitializer: tf.initializers.constant({value: 0.5})});
    const out = layer.apply(tf.ones([1, 1, 2]), {initialState: [tf.fill([1, 2], 0.1)]}) as tf.Tensor;
    values(out).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    out.dispose();
    layer.dispose();
  });
});

/** A small model: TF1GRU (last output) → dense. */
function makeModel(units = 4): tf.Sequential {
  const model = tf.sequential();
  model.add(tf1Gru({units, inputShape: [6, 2]}));
  model.add(tf.layers.dense({units: 1}));
  model.compile({optimizer: tf.train.adam(0.05), loss: 'meanSquaredError'});
  return model;
}

/** Toy task: predict the mean of the first feature over the sequence. */
function toyData(n: number): {xs: tf.Tensor3D, ys: tf.Tensor2D} {
  return tf.tidy(() => {
    const xs = tf.randomUniform([n, 6, 2], -1, 1, 'float32', 7) as tf.Tensor3D;
    const ys = tf.mean(tf.slice(xs, [0, 0, 0], [n, 6, 1]), 1) as tf.Tensor2D;
    return {xs, ys};
  });
}

describe('TF1GRU in tf.sequential', () => {
  test('fit lowers the loss and updates all four variables', async () => {
    const model = makeModel();
    const {xs, ys} = toyData(64);
    const before = model.getWeights().slice(0, 4).map((w) => w.clone());
    const history = await model.fit(xs, ys, {epochs: 30, batchSize: 32, verbose: 0});
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
    const after = model.getWeights().slice(0, 4);
    after.forEach((w, i) => expect(maxAbsDiff(w, before[i])).toBeGreaterThan(0));
    tf.dispose([xs, ys, ...before]);
    model.dispose();
  });

  test('gradients reach all four variables', () => {
    const model = makeModel();
    const {xs, ys} = toyData(8);
    const vars = model.getLayer(undefined as unknown as string, 0).trainableWeights.map((w) => w.read() as tf.Variable);
    expect(vars).toHaveLength(4);
    const {value, grads} = tf.variableGrads(
        () => tf.losses.meanSquaredError(ys, model.apply(xs) as tf.Tensor) as tf.Scalar, vars);
    for (const v of vars) {
      expect(grads[v.name]).toBeDefined();
      expect(tf.tidy(() => tf.max(tf.abs(grads[v.name])).dataSync()[0])).toBeGreaterThan(0);
    }
    tf.dispose([value, xs, ys, ...Object.values(grads)]);
    model.dispose();
  });

  test('save + tf.loadLayersModel restores identical outputs', async () => {
    const model = makeModel(3);
    const x = uniform([5, 6, 2], 11, 1);
    const y1 = model.predict(x) as tf.Tensor;
    let artifacts: tf.io.ModelArtifacts|undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }));
    const topology = JSON.stringify(artifacts!.modelTopology);
    expect(topology).toContain('"class_name":"TF1GRU"');
    const names = artifacts!.weightSpecs!.map((s) => s.name);
    expect(names.filter((n) => /\/(gates|candidate)\/(kernel|bias)$/.test(n))).toHaveLength(4);
    const restored = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const y2 = restored.predict(x) as tf.Tensor;
    expect(maxAbsDiff(y1, y2)).toBe(0);
    expect(restored.layers[0]).toBeInstanceOf(TF1GRU);
    tf.dispose([x, y1, y2]);
    model.dispose();
    restored.dispose();
  });

  test('getConfig round-trips every argument', () => {
    const args = {
      units: 3, activation: 'relu', kernelInitializer: 'heNormal',
      gatesBiasInitializer: tf.initializers.constant({value: 2}), candidateBiasInitializer: 'ones',
      kernelRegularizer: tf.regularizers.l2({l2: 0.01}), biasRegularizer: 'l1l2',
      kernelConstraint: tf.constraints.maxNorm({maxValue: 2}), biasConstraint: 'nonNeg',
      returnSequences: true, returnState: true, goBackwards: true, name: 'rt',
    };
    const layer = tf1Gru(args);
    const config = layer.getConfig();
    const copy = TF1GRU.fromConfig(TF1GRU, config) as TF1GRU;
    expect(copy.getConfig()).toEqual(config);
    expect(config.units).toBe(3);
    expect(config.activation).toBe('relu');
    expect(config.returnSequences).toBe(true);
    expect(config.goBackwards).toBe(true);
    expect((config.gatesBiasInitializer as any).config.value).toBe(2);
    expect((config.kernelRegularizer as any).className).toBe('L1L2');
    expect((config.biasConstraint as any).className).toBe('NonNeg');
    const cell = tf1GruCell({units: 2, biasInitializer: 'ones'});
    const cellCopy = TF1GRUCell.fromConfig(TF1GRUCell, cell.getConfig()) as TF1GRUCell;
    expect(cellCopy.getConfig()).toEqual(cell.getConfig());
  });
});

describe('TF1GRU sequence options', () => {
  test('stateful: two halves equal the whole sequence; resetStates starts over', () => {
    const x = uniform([2, 8, 3], 21, 1) as tf.Tensor3D;
    const whole = tf1Gru({units: 4, returnSequences: true});
    const full = whole.apply(x) as tf.Tensor;
    const stateful = tf1Gru({units: 4, returnSequences: true, stateful: true, batchInputShape: [2, 4, 3]});
    const first = tf.slice(x, [0, 0, 0], [2, 4, 3]);
    const second = tf.slice(x, [0, 4, 0], [2, 4, 3]);
    (stateful.apply(first) as tf.Tensor).dispose();
    stateful.setWeights(whole.getWeights());
    stateful.resetStates();
    const a = stateful.apply(first) as tf.Tensor;
    const b = stateful.apply(second) as tf.Tensor;
    const joined = tf.concat([a, b], 1);
    expect(maxAbsDiff(joined, full)).toBeLessThanOrEqual(1e-6);
    stateful.resetStates();
    const again = stateful.apply(first) as tf.Tensor;
    expect(maxAbsDiff(again, a)).toBe(0);
    tf.dispose([x, full, first, second, a, b, joined, again]);
  });

  test('a symbolic initial state in a functional model', () => {
    const xIn = tf.input({shape: [5, 3]});
    const hIn = tf.input({shape: [4]});
    const layer = tf1Gru({units: 4});
    const out = layer.apply(xIn, {initialState: [hIn]}) as tf.SymbolicTensor;
    const model = tf.model({inputs: [xIn, hIn], outputs: out});
    const x = uniform([2, 5, 3], 31, 1);
    const h0 = uniform([2, 4], 32, 1);
    const viaModel = model.predict([x, h0]) as tf.Tensor;
    const direct = layer.apply(x, {initialState: [h0]}) as tf.Tensor;
    const zeroState = layer.apply(x) as tf.Tensor;
    expect(maxAbsDiff(viaModel, direct)).toBe(0);
    expect(maxAbsDiff(viaModel, zeroState)).toBeGreaterThan(1e-3);
    tf.dispose([x, h0, viaModel, direct, zeroState]);
  });

  test('returnState returns [output, state]; output shapes follow returnSequences', () => {
    const x = tf.zeros([2, 7, 3]);
    const [seq, state] = tf1Gru({units: 5, returnSequences: true, returnState: true}).apply(x) as tf.Tensor[];
    expect(seq.shape).toEqual([2, 7, 5]);
    expect(state.shape).toEqual([2, 5]);
    const last = tf1Gru({units: 5}).apply(x) as tf.Tensor;
    expect(last.shape).toEqual([2, 5]);
    tf.dispose([x, seq, state, last]);
  });
});

describe('TF1GRU tensor hygiene', () => {
  test('50 predicts and 5 fit steps leave tf.memory().numTensors at its baseline', async () => {
    const model = makeModel();
    const {xs, ys} = toyData(16);
    // Warm-up: creates optimizer slots and any lazily created tensors.
    (model.predict(xs) as tf.Tensor).dispose();
    await model.fit(xs, ys, {epochs: 1, batchSize: 16, verbose: 0});
    const baseline = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) (model.predict(xs) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    await model.fit(xs, ys, {epochs: 5, batchSize: 16, verbose: 0});
    expect(tf.memory().numTensors).toBe(baseline);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('apply with masks, initial state and goBackwards allocates only its outputs', () => {
    const layer = tf1Gru({units: 3, returnSequences: true, returnState: true, goBackwards: true});
    const x = uniform([2, 4, 2], 41, 1);
    const h0 = uniform([2, 3], 42, 1);
    const mask = tf.tensor2d([[1, 1, 0, 0], [1, 1, 1, 1]]);
    tf.dispose(layer.apply(x, {initialState: [h0], mask}) as tf.Tensor[]);  // builds
    const before = tf.memory().numTensors;
    const outs = layer.apply(x, {initialState: [h0], mask}) as tf.Tensor[];
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([...outs, x, h0, mask]);
  });
});

describe('TF1GRU bad input', () => {
  test('units must be a positive integer', () => {
    expect(() => tf1Gru({units: 0})).toThrow(/units must be a positive integer, got 0/);
    expect(() => tf1Gru({units: -2})).toThrow(/units must be a positive integer, got -2/);
    expect(() => tf1Gru({units: 2.5})).toThrow(/units must be a positive integer, got 2.5/);
    expect(() => tf1GruCell({units: '3' as unknown as number})).toThrow(/units must be a positive integer, got "3"/);
  });

  test('input of the wrong rank', () => {
    const layer = tf1Gru({units: 2});
    const x = tf.zeros([4, 3]);
    expect(() => layer.apply(x)).toThrow(/expected ndim=3, found ndim=2/);
    x.dispose();
  });

  test('setWeights with a wrong shape names the variable and both shapes', () => {
    const layer = tf1Gru({units: 2, name: 'named_gru'});
    tf.tidy(() => {
      layer.apply(tf.zeros([1, 1, 3]));
    });
    const ws = [tf.zeros([5, 4]), tf.zeros([4]), tf.zeros([4, 2]), tf.zeros([2])];
    expect(() => layer.setWeights(ws))
        .toThrow(`named_gru: setWeights: 'candidate/kernel' expects shape [5,2], got [4,2]`);
    expect(() => layer.setWeights(ws.slice(0, 3))).toThrow(/expects 4 tensors \[gates\/kernel, gates\/bias/);
    tf.dispose(ws);
  });

  test('an initial state of the wrong shape', () => {
    const layer = tf1Gru({units: 2});
    const x = tf.zeros([3, 2, 1]);
    const h0 = tf.zeros([3, 5]);
    expect(() => layer.apply(x, {initialState: [h0]})).toThrow(/initial state must have shape \[batch, 2\], got \[3,5\]/);
    tf.dispose([x, h0]);
  });

  test('unknown activation and combined bias initializers', () => {
    expect(() => tf1Gru({units: 2, activation: 'tanhh'})).toThrow(/unknown activation 'tanhh'/);
    expect(() => tf1Gru({units: 2, biasInitializer: 'ones', gatesBiasInitializer: 'zeros'}))
        .toThrow(/biasInitializer sets both biases/);
  });
});
