// fromPytorchGru: a whole nn.GRU state_dict (multi-layer, bidirectional, h_0) as a
// stack of our layers, against real PyTorch (Debian's python3-torch): output, h_n and
// every gradient; prefix discovery; errors for missing, extra and misshapen tensors.
import * as tf from '@tensorflow/tfjs';

import {convertWeights, fromPytorchGru, KerasGRU} from '../src';
import {caseTensor, FixtureCase, hasTensor, loadCase, loadManifest} from '../src/fixtures/fixtures';
import {maxAbsDiff, worstErrors, saveAndLoad} from './helpers/tensors';

const TOL = 1e-5;
const cases = (loadManifest().stacks as string[]).filter((n) => n.startsWith('stacks/pytorch_'));
const close = worstErrors('PyTorch', TOL);

/** The case's state_dict under a module prefix, next to another module's tensor. */
function stateDict(c: FixtureCase, prefix: string): Record<string, tf.Tensor> {
  const sd: Record<string, tf.Tensor> = {'fc.weight': tf.zeros([2, 2]), 'fc.bias': tf.zeros([2])};
  for (const k of c.config.state_dict as string[]) sd[prefix + k] = caseTensor(c, k);
  return sd;
}

describe('fromPytorchGru == torch.nn.GRU', () => {
  test.each(cases)('%s', async (name) => {
    const c = loadCase(name);
    const cfg = c.config;
    const before = tf.memory().numTensors;
    const sd = stateDict(c, 'encoder.gru.');
    const g = fromPytorchGru(sd, {numLayers: cfg.num_layers, bidirectional: cfg.bidirectional, batchFirst: cfg.batch_first});
    tf.dispose(Object.values(sd));  // the stack keeps copies
    expect([g.prefix, g.inputSize, g.hiddenSize]).toEqual(['encoder.gru.', cfg.input_dim, cfg.units]);
    expect(g.layers.length).toBe(cfg.num_layers);
    tf.tidy(() => {
      const x = caseTensor(c, 'x') as tf.Tensor3D;
      const h0 = hasTensor(c, 'h0') ? caseTensor(c, 'h0') as tf.Tensor3D : undefined;
      const {output, hN} = g.run(x, h0);
      close('output', output, caseTensor(c, 'output'));
      close('h_n', hN, caseTensor(c, 'h_n'));

      // gradients of sum(output ⊙ g) + sum(h_n ⊙ g_h), batch-first inside the model
      const xb = tf.variable(cfg.batch_first ? x : tf.transpose(x, [1, 0, 2]));
      const h0v = tf.variable(h0 ?? tf.zeros([cfg.num_layers * (cfg.bidirectional ? 2 : 1), cfg.batch, cfg.units]));
      const gOut = cfg.batch_first ? caseTensor(c, 'g') : tf.transpose(caseTensor(c, 'g'), [1, 0, 2]);
      const gH = caseTensor(c, 'g_h');
      const vars = g.model.trainableWeights.map((w) => w.read() as tf.Variable);
      const {value, grads} = tf.variableGrads(() => {
        const r = g.run(cfg.batch_first ? xb : tf.transpose(xb, [1, 0, 2]) as tf.Tensor3D, h0v as tf.Tensor3D);
        const out = cfg.batch_first ? r.output : tf.transpose(r.output, [1, 0, 2]);
        return tf.add(tf.sum(tf.mul(out, gOut)), tf.sum(tf.mul(r.hN, gH))) as tf.Scalar;
      }, [...vars, xb, h0v]);
      value.dispose();
      // PyTorch's gradients in Keras's layout (the mapping is a permutation, so it maps gradients too)
      const dirs = cfg.bidirectional ? ['', '_reverse'] : [''];
      let i = 0;
      for (let k = 0; k < cfg.num_layers; k++) {
        for (const s of dirs) {
          const pt = (n: string) => caseTensor(c, `grad_${n}_l${k}${s}`);
          const w: Record<string, tf.Tensor> = {weight_ih_l0: pt('weight_ih'), weight_hh_l0: pt('weight_hh')};
          if (cfg.bias) Object.assign(w, {bias_ih_l0: pt('bias_ih'), bias_hh_l0: pt('bias_hh')});
          const want = convertWeights(w as any, 'pytorch', 'keras-reset-after') as any;
          for (const n of cfg.bias ? ['kernel', 'recurrent_kernel', 'bias'] : ['kernel', 'recurrent_kernel']) {
            close('weight gradients', grads[vars[i++].name], want[n], 1e-4);
          }
        }
      }
      expect(i).toBe(vars.length);
      const gx = grads[xb.name];
      close('grad x', cfg.batch_first ? gx : tf.transpose(gx, [1, 0, 2]), caseTensor(c, 'grad_x'), 1e-4);
      if (h0 != null) close('grad h_0', grads[h0v.name], caseTensor(c, 'grad_h0'), 1e-4);
      tf.dispose([xb, h0v]);
    });
    // save → load: identical
    const again = await saveAndLoad(g.model);
    tf.tidy(() => {
      const x = caseTensor(c, 'x');
      const xb = cfg.batch_first ? x : tf.transpose(x, [1, 0, 2]);
      const a = g.model.predict(xb) as tf.Tensor[];
      const b = again.predict(xb) as tf.Tensor[];
      // the model (zero h_0) is run() without h0
      const r = g.run(x as tf.Tensor3D);
      expect(maxAbsDiff(cfg.batch_first ? a[0] : tf.transpose(a[0], [1, 0, 2]), r.output)).toBe(0);
      expect(maxAbsDiff(tf.stack(a.slice(1), 0), r.hN)).toBe(0);
      a.forEach((t, j) => expect(maxAbsDiff(t, b[j])).toBe(0));
    });
    again.dispose();
    g.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('layers are KerasGRU (reset after) or Bidirectional(KerasGRU), concat', () => {
    const c = loadCase(cases[0]);
    const sd = stateDict(c, '');
    const g = fromPytorchGru(sd, {numLayers: 2, bidirectional: true, batchFirst: true});
    expect(g.prefix).toBe('');
    expect(g.layers.map((l) => l.getClassName())).toEqual(['Bidirectional', 'Bidirectional']);
    const inner = (g.layers[0] as any).forwardLayer as KerasGRU;
    expect(inner).toBeInstanceOf(KerasGRU);
    expect(inner.kerasCell.resetAfter).toBe(true);
    expect(g.layers[0].getConfig().mergeMode).toBe('concat');
    g.model.dispose();
    tf.dispose(Object.values(sd));
  });

  test('dropout: a training-only dropout between layers; inference unchanged', () => {
    const c = loadCase(cases[0]);
    const sd = stateDict(c, '');
    const a = fromPytorchGru(sd, {numLayers: 2, bidirectional: true, batchFirst: true});
    const b = fromPytorchGru(sd, {numLayers: 2, bidirectional: true, batchFirst: true, dropout: 0.5});
    expect(b.model.layers.filter((l) => l.getClassName() === 'Dropout').length).toBe(1);
    tf.tidy(() => {
      const x = caseTensor(c, 'x') as tf.Tensor3D;
      expect(maxAbsDiff(a.run(x).output, b.run(x).output)).toBe(0);
    });
    tf.dispose(Object.values(sd));
    a.model.dispose();
    b.model.dispose();
  });
});

test('model.fit trains the stack (2 bidirectional layers, inter-layer dropout active in training)', async () => {
  const c = loadCase(cases[0]);
  const sd = stateDict(c, '');
  const g = fromPytorchGru(sd, {numLayers: 2, bidirectional: true, batchFirst: true, dropout: 0.2});
  tf.dispose(Object.values(sd));
  const x = caseTensor(c, 'x');
  // the sequence output alone (a model whose outputs share its layers)
  const seqModel = tf.model({inputs: g.model.inputs, outputs: g.model.outputs[0]});
  const targets = tf.tidy(() => tf.onesLike(seqModel.predict(x) as tf.Tensor));
  seqModel.compile({optimizer: tf.train.adam(0.02), loss: 'meanSquaredError'});
  const h = await seqModel.fit(x, targets, {epochs: 6, verbose: 0});
  const losses = h.history.loss as number[];
  expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  tf.dispose([x, targets]);
  g.model.dispose();
});

test('model.fit trains the whole multi-output model (sequence and every h_n) with scalar losses per output', async () => {
  // tfjs-layers 4.22 adds the per-output losses before reducing them, so string losses
  // fail on outputs of different ranks ([B, T, F] beside [B, U]), for tfjs's own GRU too;
  // a loss that reduces to a scalar (tf.losses.*) sidesteps it.
  const c = loadCase(cases[0]);
  const sd = stateDict(c, '');
  const g = fromPytorchGru(sd, {numLayers: 2, bidirectional: true, batchFirst: true});
  tf.dispose(Object.values(sd));
  const x = caseTensor(c, 'x');
  const before = tf.memory().numTensors;
  const predicted = g.model.predict(x) as tf.Tensor[];
  expect(predicted.length).toBe(1 + 2 * 2);
  const targets = predicted.map((p) => tf.onesLike(p));
  tf.dispose(predicted);
  g.model.compile({optimizer: tf.train.adam(0.02),
    loss: g.model.outputs.map(() => (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.meanSquaredError(yTrue, yPred))});
  const h = await g.model.fit(x, targets, {epochs: 6, verbose: 0, batchSize: x.shape[0]});
  const losses = h.history.loss as number[];
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  // every output's own loss is reported, and each fell
  const perOutput = Object.keys(h.history).filter((k) => k !== 'loss');
  expect(perOutput.length).toBe(5);
  for (const k of perOutput) {
    const l = h.history[k] as number[];
    expect(l[l.length - 1]).toBeLessThan(l[0]);
  }
  tf.dispose(targets);
  g.model.optimizer.dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(x);
  g.model.dispose();
});

describe('fromPytorchGru: errors name the tensor, the expected and the actual', () => {
  const c = () => loadCase(cases[0]);  // 2 layers, bidirectional, D=3, U=4
  const opts = {numLayers: 2, bidirectional: true, batchFirst: true};
  function expectError(mutate: (sd: Record<string, tf.Tensor>) => void, o: any, message: RegExp): void {
    const sd = stateDict(c(), 'enc.gru.');
    mutate(sd);
    const before = tf.memory().numTensors;
    expect(() => fromPytorchGru(sd, o)).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(sd));
  }

  test('missing', () => expectError((sd) => delete sd['enc.gru.bias_hh_l1_reverse'], opts,
      /missing tensor\(s\) 'enc.gru.bias_hh_l1_reverse'/));
  test('extra (more layers than numLayers)', () => expectError(() => undefined, {...opts, numLayers: 1},
      /unexpected tensor\(s\) 'enc.gru.weight_ih_l1', .*for numLayers 1/));
  test('extra (_reverse without bidirectional)', () => expectError(() => undefined, {...opts, bidirectional: false},
      /unexpected tensor\(s\) 'enc.gru.weight_ih_l0_reverse'/));
  test('misshapen', () => expectError((sd) => {
    sd['enc.gru.weight_ih_l1'].dispose();
    sd['enc.gru.weight_ih_l1'] = tf.zeros([12, 4]);
  }, opts, /'enc.gru.weight_ih_l1' must have shape \[12,8\], got \[12,4\]/));
  test('two GRUs and no prefix', () => expectError((sd) => {
    sd['dec.gru.weight_ih_l0'] = tf.zeros([12, 3]);
  }, opts, /2 GRUs \('enc.gru.', 'dec.gru.'\); choose one with the option prefix/));
  test('a prefix that holds no GRU', () => expectError(() => undefined, {...opts, prefix: 'decoder.'},
      /no 'decoder.weight_ih_l0' in the state dict; GRUs found under 'enc.gru.'/));
  test('no GRU at all', () => {
    expect(() => fromPytorchGru({'fc.weight': tf.zeros([1])}, opts)).toThrow(/holds no nn.GRU weights .*keys: fc.weight/);
  });
  test('numLayers', () => expectError(() => undefined, {...opts, numLayers: 0}, /numLayers must be a positive integer, got 0/));
  test('h0 of the wrong shape', () => {
    const sd = stateDict(c(), '');
    const g = fromPytorchGru(sd, opts);
    tf.tidy(() => {
      expect(() => g.run(tf.zeros([3, 5, 3]) as tf.Tensor3D, tf.zeros([2, 3, 4]) as tf.Tensor3D))
          .toThrow(/h0 must have shape \[num_layers·dirs = 4, batch, 4\], got \[2,3,4\]/);
      expect(() => g.run(tf.zeros([3, 5, 2]) as tf.Tensor3D)).toThrow(/x must have shape \[batch, time, 3\], got \[3,5,2\]/);
    });
    g.model.dispose();
    tf.dispose(Object.values(sd));
  });
});
