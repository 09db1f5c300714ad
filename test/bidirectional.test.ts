// Our GRUs inside tf.layers.bidirectional and stacked, against real tf-keras
// Bidirectional(GRU) (every merge_mode, masks, initial states of both directions,
// return_state), Keras models with Masking + stacked Bidirectional GRUs converted by
// the real tensorflowjs_converter, and TF1 bidirectional_dynamic_rnn / MultiRNNCell:
// outputs at every step (padded ones included) and gradients; save → load round
// trips; training steps through them.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {gru, KerasGRU, registerKerasGru, tf1Gru} from '../src';
import {caseTensor, defaultFixturesDir, FixtureCase, loadCase, loadManifest} from '../src/fixtures/fixtures';
import {maxAbsDiff, worstErrors, saveAndLoad} from './helpers/tensors';

const TOL = 1e-5;
const GRAD_TOL = 1e-4;
const stacks = loadManifest().stacks as string[];
const close = worstErrors('reference', TOL);

const list = (c: FixtureCase, prefix: string) =>
  Object.keys(c.tensors).filter((n) => new RegExp(`^${prefix}\\d+$`).test(n))
      .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length))).map((n) => caseTensor(c, n));

/** d loss / d [trainable weights..., extra...] and the loss's parts, under variableGrads. */
function gradsOf(f: () => tf.Scalar, weights: tf.LayerVariable[], extra: tf.Variable[]): tf.Tensor[] {
  const vars = [...weights.map((w) => w.read() as tf.Variable), ...extra];
  const {value, grads} = tf.variableGrads(f, vars);
  value.dispose();
  return vars.map((v) => grads[v.name]);
}

describe('tf.layers.bidirectional(our KerasGRU) == tf-keras Bidirectional(GRU)', () => {
  const cases = stacks.filter((n) => n.startsWith('stacks/keras_bidi_'));
  test.each(cases)('%s', (name) => {
    const c = loadCase(name);
    const cfg = c.config;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.variable(caseTensor(c, 'x'));
      const mask = caseTensor(c, 'mask');
      const h0 = list(c, 'h0_').map((h) => tf.variable(h));
      const layer = tf.layers.bidirectional({
        layer: gru({units: cfg.units, resetAfter: cfg.reset_after, returnSequences: cfg.return_sequences,
          returnState: cfg.return_state}) as unknown as tf.RNN,
        mergeMode: cfg.merge_mode,
      });
      const run = (input: tf.Tensor) =>
        [layer.apply(input, {mask, ...(h0.length ? {initialState: h0} : {})})].flat() as tf.Tensor[];
      run(x);  // builds
      layer.setWeights(list(c, 'w'));
      const res = run(x);
      const outs = res.slice(0, cfg.outputs);
      const states = res.slice(cfg.outputs);
      expect(states.length).toBe(cfg.states);
      list(c, 'output').forEach((o, i) => close(`bidi output (${cfg.merge_mode})`, outs[i], o));
      list(c, 'state').forEach((s, i) => close('bidi state', states[i], s));
      const gs = list(c, 'g');
      const gStates = list(c, 'g_state');
      const grads = gradsOf(() => tf.tidy(() => {
        const r = run(x);
        let loss = tf.scalar(0);
        r.slice(0, cfg.outputs).forEach((o, i) => loss = tf.add(loss, tf.sum(tf.mul(o, gs[i]))));
        r.slice(cfg.outputs).forEach((s, i) => loss = tf.add(loss, tf.sum(tf.mul(s, gStates[i]))));
        return loss as tf.Scalar;
      }), layer.trainableWeights, [x, ...h0]);
      const want = [...list(c, 'grad_w'), caseTensor(c, 'grad_x'), ...list(c, 'grad_h0_')];
      expect(grads.length).toBe(want.length);
      grads.forEach((g, i) => close('bidi gradient', g, want[i], GRAD_TOL));
      layer.dispose();
      tf.dispose([x, ...h0]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

function artifactsOf(dir: string): tf.io.ModelArtifacts {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const bin = fs.readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g: any) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
  };
}

/** The same model as the fixture's Keras model, built in JS from our layers. */
function buildInJs(c: FixtureCase): tf.Sequential {
  const cfg = c.config;
  const ra = cfg.reset_after as boolean;
  const bidi = (c.name as string).includes('_bidi_');
  const model = tf.sequential();
  model.add(tf.layers.masking({maskValue: 0, inputShape: [cfg.time, cfg.input_dim]}));
  for (const units of [5, 4]) {
    const layer = gru({units, resetAfter: ra, returnSequences: true});
    model.add(bidi ? tf.layers.bidirectional({layer: layer as unknown as tf.RNN, mergeMode: 'concat'}) : layer);
  }
  tf.tidy(() => model.setWeights(list(c, 'w')));
  return model;
}

function checkModel(what: string, model: tf.LayersModel, c: FixtureCase): void {
  tf.tidy(() => {
    const x = caseTensor(c, 'x');
    const y = model.predict(x) as tf.Tensor;
    close(`${what} output (every step)`, y, caseTensor(c, 'output'));
    // value by value: the padded steps are zeros exactly when Keras's are
    const want = caseTensor(c, 'output').arraySync() as number[][][];
    const got = y.arraySync() as number[][][];
    const mask = caseTensor(c, 'mask').arraySync() as number[][];
    mask.forEach((row, b) => row.forEach((m, t) => {
      if (m === 0) expect(got[b][t].every((v) => v === 0)).toBe(want[b][t].every((v) => v === 0));
    }));
    const g = caseTensor(c, 'g');
    // d/dx is not compared here: tfjs's Masking layer has no gradient for its input
    // ("gradient function not found for Any"); the layer cases above compare d/dx.
    const grads = gradsOf(() => tf.sum(tf.mul(model.apply(x) as tf.Tensor, g)) as tf.Scalar, model.trainableWeights, []);
    const ref = list(c, 'grad_w');
    expect(grads.length).toBe(ref.length);
    grads.forEach((gr, i) => close(`${what} gradient`, gr, ref[i], GRAD_TOL));
  });
}

describe('Keras models with Masking + stacked (Bidirectional) GRUs, converted by tensorflowjs_converter', () => {
  const cases = stacks.filter((n) => n.startsWith('stacks/keras_model_'));
  test.each(cases)('%s: loads after registerKerasGru() and matches Keras at every step, padded ones included', async (name) => {
    const c = loadCase(name);
    expect(c.config.produced_by).toBe('tensorflowjs-converter');
    const restore = registerKerasGru();
    const before = tf.memory().numTensors;
    try {
      const model = await tf.loadLayersModel(tf.io.fromMemory(artifactsOf(path.join(defaultFixturesDir(), name))));
      checkModel('converted', model, c);
      // save → load: identical
      const again = await saveAndLoad(model);
      tf.tidy(() => {
        const x = caseTensor(c, 'x');
        expect(maxAbsDiff(again.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
      });
      again.dispose();
      model.dispose();
    } finally {
      restore();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test.each(cases)('%s: the same model built in JS from gru() matches Keras and survives save → load', async (name) => {
    const c = loadCase(name);
    const before = tf.memory().numTensors;
    const model = buildInJs(c);
    checkModel('built in JS', model, c);
    const again = await saveAndLoad(model);
    tf.tidy(() => {
      const x = caseTensor(c, 'x');
      expect(maxAbsDiff(again.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
    });
    model.dispose();
    again.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('tfjs\'s own GRU inside Bidirectional (ra0 model, no registerKerasGru) carries outputs at padded steps: the bug this fixes', async () => {
    const name = 'stacks/keras_model_masking_bidi_ra0';
    const c = loadCase(name);
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifactsOf(path.join(defaultFixturesDir(), name))));
    expect(model.layers[2].getConfig().layer).toMatchObject({className: 'GRU'});
    tf.tidy(() => {
      const y = model.predict(caseTensor(c, 'x')) as tf.Tensor;
      const m = tf.cast(caseTensor(c, 'mask'), 'float32').expandDims(2);
      // Keras's output at the valid steps (tfjs's GRU is Keras's reset_after=False GRU) ...
      close('tfjs GRU valid steps', tf.mul(y, m), tf.mul(caseTensor(c, 'output'), m));
      // ... but not the zeros Keras writes at the padded steps
      expect(tf.max(tf.abs(tf.mul(y, tf.sub(1, m)))).dataSync()[0]).toBeGreaterThan(1e-2);
    });
    model.dispose();
  });

  test('training: one SGD step through the converted model moves every weight by −lr·(Keras\'s gradient)', async () => {
    const name = 'stacks/keras_model_masking_bidi_ra1';
    const c = loadCase(name);
    const restore = registerKerasGru();
    try {
      const model = await tf.loadLayersModel(tf.io.fromMemory(artifactsOf(path.join(defaultFixturesDir(), name))));
      const lr = 0.1;
      const opt = tf.train.sgd(lr);
      const x = caseTensor(c, 'x');
      const g = caseTensor(c, 'g');
      opt.minimize(() => tf.sum(tf.mul(model.apply(x, {training: true}) as tf.Tensor, g)) as tf.Scalar);
      const w = list(c, 'w');
      const dw = list(c, 'grad_w');
      model.getWeights().forEach((got, i) => close('sgd step', got, tf.sub(w[i], tf.mul(lr, dw[i])), 1e-5));
      // and model.fit trains it (the loss goes down on a fixed target)
      model.compile({optimizer: tf.train.adam(0.01), loss: 'meanSquaredError'});
      const target = tf.onesLike(model.predict(x) as tf.Tensor);
      const h = await model.fit(x, target, {epochs: 5, verbose: 0, batchSize: 3});
      const losses = h.history.loss as number[];
      expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
      tf.dispose([x, g, target, ...w, ...dw]);
      opt.dispose();
      model.dispose();
    } finally {
      restore();
    }
  });
});

describe('TF1: bidirectional_dynamic_rnn and MultiRNNCell with sequence_length', () => {
  const lengthMask = (c: FixtureCase) => tf.tidy(() =>
    tf.cast(tf.less(tf.range(0, c.config.time).expandDims(0), caseTensor(c, 'seq_len').expandDims(1)), 'int32'));

  test('tf.layers.bidirectional(tf1Gru), concat, initial states of both directions == bidirectional_dynamic_rnn', () => {
    const c = loadCase('stacks/tf1_bidirectional_len');
    const cfg = c.config;
    expect(cfg.variables[0]).toMatch(/\/fw\//);
    expect(cfg.variables[4]).toMatch(/\/bw\//);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.variable(caseTensor(c, 'x'));
      const mask = lengthMask(c);
      const h0 = list(c, 'h0_').map((h) => tf.variable(h));
      const layer = tf.layers.bidirectional({
        layer: tf1Gru({units: cfg.units, returnSequences: true, returnState: true}) as unknown as tf.RNN, mergeMode: 'concat'});
      const run = () => layer.apply(x, {mask, initialState: h0}) as tf.Tensor[];
      run();
      layer.setWeights(list(c, 'w'));
      const [out, sf, sb] = run();
      close('tf1 bidi outputs', out, caseTensor(c, 'outputs'));
      close('tf1 bidi state', sf, caseTensor(c, 'state_fw'));
      close('tf1 bidi state', sb, caseTensor(c, 'state_bw'));
      const gs = list(c, 'g');
      const grads = gradsOf(() => tf.tidy(() => {
        const r = run();
        return r.map((t, i) => tf.sum(tf.mul(t, gs[i]))).reduce((a, b) => tf.add(a, b)) as tf.Scalar;
      }), layer.trainableWeights, [x, ...h0]);
      const want = [...list(c, 'grad_w'), caseTensor(c, 'grad_x'), ...list(c, 'grad_h0_')];
      grads.forEach((g, i) => close('tf1 bidi gradient', g, want[i], GRAD_TOL));
      layer.dispose();
      tf.dispose([x, ...h0]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('two stacked tf1Gru(zeroOutputForMask) in a functional model == dynamic_rnn(MultiRNNCell)', async () => {
    const c = loadCase('stacks/tf1_multi_len');
    const cfg = c.config;
    const before = tf.memory().numTensors;
    const input = tf.input({shape: [cfg.time, cfg.input_dim]});
    const l0 = tf1Gru({units: cfg.units[0], returnSequences: true, returnState: true, zeroOutputForMask: true});
    const l1 = tf1Gru({units: cfg.units[1], returnSequences: true, returnState: true, zeroOutputForMask: true});
    const [seq0, s0] = l0.apply(input) as tf.SymbolicTensor[];
    const [seq1, s1] = l1.apply(seq0) as tf.SymbolicTensor[];
    const model = tf.model({inputs: input, outputs: [seq1, s0, s1]});
    tf.tidy(() => model.setWeights(list(c, 'w')));
    tf.tidy(() => {
      const x = tf.variable(caseTensor(c, 'x'));
      const mask = lengthMask(c);
      // the mask reaches both layers as a Masking layer would pass it
      const run = () => {
        const [a, sa] = l0.apply(x, {mask}) as tf.Tensor[];
        const [b, sb] = l1.apply(a, {mask}) as tf.Tensor[];
        return [b, sa, sb];
      };
      const [out, st0, st1] = run();
      close('tf1 multi outputs', out, caseTensor(c, 'outputs'));
      close('tf1 multi state', st0, caseTensor(c, 'state0'));
      close('tf1 multi state', st1, caseTensor(c, 'state1'));
      const gs = list(c, 'g');
      const grads = gradsOf(() => tf.tidy(() =>
        run().map((t, i) => tf.sum(tf.mul(t, gs[i]))).reduce((p, q) => tf.add(p, q)) as tf.Scalar),
      model.trainableWeights, [x]);
      const want = [...list(c, 'grad_w'), caseTensor(c, 'grad_x')];
      grads.forEach((g, i) => close('tf1 multi gradient', g, want[i], GRAD_TOL));
      // without a mask (every length = T) the functional model runs the same stack
      const full = model.predict(x) as tf.Tensor[];
      expect(full.length).toBe(3);
      x.dispose();
    });
    const again = await saveAndLoad(model);
    tf.tidy(() => {
      const x = caseTensor(c, 'x');
      (again.predict(x) as tf.Tensor[]).forEach((t, i) => expect(maxAbsDiff(t, (model.predict(x) as tf.Tensor[])[i])).toBe(0));
    });
    again.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('stacked in a functional model with symbolic initial states', () => {
  test('model.predict, model.apply and model.fit run (each layer gets its own initial state)', async () => {
    const x = tf.input({shape: [4, 2]});
    const h0a = tf.input({shape: [3]});
    const h0b = tf.input({shape: [2]});
    const a = gru({units: 3, returnSequences: true, name: 'stack_a'});
    const b = tf1Gru({units: 2, returnSequences: true, name: 'stack_b'});
    const ya = a.apply(x, {initialState: [h0a]}) as tf.SymbolicTensor;
    const yb = b.apply(ya, {initialState: [h0b]}) as tf.SymbolicTensor;
    const model = tf.model({inputs: [x, h0a, h0b], outputs: yb});
    const xs = tf.randomUniform([5, 4, 2], -1, 1, 'float32', 1);
    const ha = tf.randomUniform([5, 3], -1, 1, 'float32', 2);
    const hb = tf.randomUniform([5, 2], -1, 1, 'float32', 3);
    const inTidy = tf.memory().numTensors;
    tf.tidy(() => {
      const want = b.apply(a.apply(xs, {initialState: [ha]}), {initialState: [hb]}) as tf.Tensor;
      expect(maxAbsDiff(model.predict([xs, ha, hb]) as tf.Tensor, want)).toBe(0);
      expect(maxAbsDiff(model.apply([xs, ha, hb]) as tf.Tensor, want)).toBe(0);
    });
    expect(tf.memory().numTensors).toBe(inTidy);
    model.compile({optimizer: 'adam', loss: 'meanSquaredError'});
    const target = tf.onesLike(model.predict([xs, ha, hb]) as tf.Tensor);
    const h = await model.fit([xs, ha, hb], target, {epochs: 3, verbose: 0});
    expect((h.history.loss as number[]).length).toBe(3);
    tf.dispose([xs, ha, hb, target]);
    model.dispose();
  });
});

describe('inside tf.layers.bidirectional', () => {
  test('both directions zero masked steps only with returnSequences; the wrapped layer keeps its own setting', () => {
    tf.tidy(() => {
      const inner = gru({units: 3, returnSequences: true, name: 'inner_gru'});
      const bi = tf.layers.bidirectional({layer: inner as unknown as tf.RNN});
      const x = tf.randomUniform([2, 4, 2], -1, 1, 'float32', 3);
      const mask = tf.tensor2d([[1, 1, 1, 0], [0, 1, 1, 1]]);
      const y = (bi.apply(x, {mask}) as tf.Tensor).arraySync() as number[][][];
      expect(y[0][3].every((v) => v === 0)).toBe(true);
      expect(y[1][0].every((v) => v === 0)).toBe(true);
      expect(inner.zeroOutputForMask).toBe(false);
      expect(inner.zeroesMaskedOutputs).toBe(false);
      expect((bi.getConfig().layer as any).config.zeroOutputForMask).toBeUndefined();
      const forward = (bi as any).forwardLayer as KerasGRU;
      expect([forward.name, forward.isBidirectionalDirection, forward.zeroesMaskedOutputs]).toEqual(['forward_inner_gru', true, true]);
      bi.dispose();
    });
  });

  test('a plain layer named forward_* is not mistaken for a Bidirectional direction', () => {
    const layer = gru({units: 2, name: 'forward_gru'});
    expect(layer.isBidirectionalDirection).toBe(false);
  });
});
