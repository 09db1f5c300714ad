// The Keras GRU against real Keras (both reset conventions) and, through the
// exact converters, against real PyTorch: outputs, final states and every
// gradient, plus the unfused references and tfjs's built-in GRU.
import * as tf from '@tensorflow/tfjs';

import {convertWeights, gru, LayoutName, unfusedGru, unfusedResetAfterGru} from '../src';
import {caseTensor, FixtureCase, hasTensor, loadCase, loadManifest} from '../src/fixtures/fixtures';
import {runLayerWithGradients} from '../src/verify/layerGradients';
import {maxAbsDiff} from './helpers/tensors';

const TOLERANCE = 1e-5;
const manifest = loadManifest();
const kerasCases = manifest.cases.filter((n) => n.startsWith('keras/'));
const pytorchCases = manifest.cases.filter((n) => n.startsWith('pytorch/'));
const worst: Record<string, number> = {};

function record(what: string, diff: number): void {
  worst[what] = Math.max(worst[what] ?? 0, diff);
  expect(diff).toBeLessThan(TOLERANCE);
}

afterAll(() => {
  // eslint-disable-next-line no-console
  console.log('max |ours − reference| over the fixtures:\n' +
              Object.entries(worst).map(([k, v]) => `  ${k}: ${v.toExponential(2)}`).join('\n'));
});

interface Run {
  output: tf.Tensor;
  state: tf.Tensor;
  grads: tf.Tensor[];  // d loss / d [kernel, recurrent_kernel, bias, x, h0]
}

/** Our Keras GRU on (x, h0, mask) with Keras weights; loss = sum(output ⊙ g). */
function runKerasGru(
    c: FixtureCase, weights: [tf.Tensor, tf.Tensor, tf.Tensor], resetAfter: boolean, returnSequences: boolean,
    goBackwards: boolean): Run {
  const x = caseTensor(c, 'x') as tf.Tensor3D;
  const units = weights[1].shape[0];
  const h0 = hasTensor(c, 'h0') ? caseTensor(c, 'h0') : tf.zeros([x.shape[0], units]);
  const mask = hasTensor(c, 'mask') ? caseTensor(c, 'mask') : null;
  const g = caseTensor(c, 'g');
  const layer = gru({units, resetAfter, returnSequences, goBackwards, returnState: true, recurrentInitializer: 'zeros'});
  const run = runLayerWithGradients(layer, weights, {x, h0: h0 as tf.Tensor2D, mask, g});
  tf.dispose([x, h0, g, ...(mask ? [mask] : [])]);
  return {output: run.output, state: run.state, grads: [...run.weightGrads, run.gradX, run.gradH0]};
}

describe('Keras GRU == Keras (tf_keras) on every Keras fixture', () => {
  test.each(kerasCases)('%s', (name) => {
    const c = loadCase(name);
    const cfg = c.config;
    const before = tf.memory().numTensors;
    const w = ['kernel', 'recurrent_kernel', 'bias'].map((n) => caseTensor(c, n)) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const run = runKerasGru(c, w, cfg.reset_after, cfg.return_sequences, cfg.go_backwards);
    const ra = cfg.reset_after ? 'ra1' : 'ra0';
    const ref = (n: string) => caseTensor(c, n);
    tf.tidy(() => {
      record(`KerasGRU ${ra} output`, maxAbsDiff(run.output, ref('output')));
      record(`KerasGRU ${ra} state`, maxAbsDiff(run.state, ref('final_state')));
      const names = ['grad_kernel', 'grad_recurrent_kernel', 'grad_bias', 'grad_x', 'grad_h0'];
      names.forEach((n, i) => {
        if (hasTensor(c, n)) record(`KerasGRU ${ra} ${n}`, maxAbsDiff(run.grads[i], ref(n)));
      });
    });
    tf.dispose([run.output, run.state, ...run.grads, ...w]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** The unfused reference of a family on explicit weights converted from `from`. */
function runUnfused(c: FixtureCase, weights: Record<string, tf.Tensor>, from: LayoutName, resetAfter: boolean,
                    goBackwards: boolean): {outputs: tf.Tensor3D, state: tf.Tensor2D} {
  return tf.tidy(() => {
    const x = caseTensor(c, 'x') as tf.Tensor3D;
    const units = c.config.units as number;
    const h0 = (hasTensor(c, 'h0') ? caseTensor(c, 'h0') : tf.zeros([x.shape[0], units])) as tf.Tensor2D;
    const mask = hasTensor(c, 'mask') ? tf.cast(caseTensor(c, 'mask'), 'float32') as tf.Tensor2D : undefined;
    const options = {goBackwards, mask};
    return resetAfter ?
        unfusedResetAfterGru(x, h0, convertWeights(weights, from, 'unfused-reset-after'), options) :
        unfusedGru(x, h0, convertWeights(weights, from, 'unfused'), options);
  });
}

/** Last processed output [B, U] of a [B, T, U] sequence stacked in processing order. */
function lastStep(outputs: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => tf.squeeze(tf.slice(outputs, [0, outputs.shape[1] - 1, 0], [-1, 1, -1]), [1]) as tf.Tensor2D);
}

describe('converted weights in the unfused references and tfjs tf.layers.gru == Keras', () => {
  test.each(kerasCases)('%s', (name) => {
    const c = loadCase(name);
    const cfg = c.config;
    const from: LayoutName = cfg.reset_after ? 'keras-reset-after' : 'keras';
    const ra = cfg.reset_after ? 'ra1' : 'ra0';
    const w = {kernel: caseTensor(c, 'kernel'), recurrent_kernel: caseTensor(c, 'recurrent_kernel'), bias: caseTensor(c, 'bias')};
    const ref = caseTensor(c, 'output');
    const refState = caseTensor(c, 'final_state');
    const {outputs, state} = runUnfused(c, w, from, cfg.reset_after, cfg.go_backwards);
    tf.tidy(() => {
      const ours = cfg.return_sequences ? outputs : lastStep(outputs);
      record(`unfused ${ra} (via convertWeights) output`, maxAbsDiff(ours, ref));
      record(`unfused ${ra} (via convertWeights) state`, maxAbsDiff(state, refState));
    });
    if (!cfg.reset_after) {
      // tfjs's own GRU is the reset-before Keras layout
      tf.tidy(() => {
        const x = caseTensor(c, 'x');
        const h0 = hasTensor(c, 'h0') ? caseTensor(c, 'h0') : tf.zeros([x.shape[0], cfg.units]);
        const mask = hasTensor(c, 'mask') ? caseTensor(c, 'mask') : null;
        const builtin = tf.layers.gru({
          units: cfg.units, recurrentActivation: 'sigmoid', recurrentInitializer: 'zeros', returnSequences: cfg.return_sequences,
          goBackwards: cfg.go_backwards, returnState: true,
        });
        const apply = () => builtin.apply(x, {initialState: [h0], ...(mask != null ? {mask} : {})}) as tf.Tensor[];
        apply();
        const tf1 = convertWeights(w, 'keras', 'tf1');
        const k = convertWeights(tf1, 'tf1', 'keras');  // through TF1 and back
        builtin.setWeights([k.kernel, k.recurrent_kernel, k.bias]);
        const [out, st] = apply();
        record('tf.layers.gru ra0 (via tf1 and back) output', maxAbsDiff(out, ref));
        record('tf.layers.gru ra0 (via tf1 and back) state', maxAbsDiff(st, refState));
        builtin.dispose();
      });
    }
    tf.dispose([outputs, state, ref, refState, ...Object.values(w)]);
  });
});

describe('Keras GRU with weights converted from PyTorch == PyTorch nn.GRU', () => {
  test.each(pytorchCases)('%s', (name) => {
    const c = loadCase(name);
    const before = tf.memory().numTensors;
    const names = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'];
    const pt = Object.fromEntries(names.map((n) => [n, caseTensor(c, n)]));
    const k = convertWeights(pt, 'pytorch', 'keras-reset-after');
    const run = runKerasGru(c, [k.kernel, k.recurrent_kernel, k.bias], true, true, false);
    tf.tidy(() => {
      record('KerasGRU ← pytorch output', maxAbsDiff(run.output, caseTensor(c, 'output')));
      record('KerasGRU ← pytorch state', maxAbsDiff(run.state, caseTensor(c, 'final_state')));
      // Gradients map back with the same exact converter (it only permutes and transposes).
      const g = convertWeights({kernel: run.grads[0], recurrent_kernel: run.grads[1], bias: run.grads[2]},
                               'keras-reset-after', 'pytorch');
      for (const n of names) record(`KerasGRU ← pytorch grad_${n}`, maxAbsDiff(g[n as keyof typeof g], caseTensor(c, `grad_${n}`)));
      record('KerasGRU ← pytorch grad_x', maxAbsDiff(run.grads[3], caseTensor(c, 'grad_x')));
      if (c.config.initial_state) record('KerasGRU ← pytorch grad_h0', maxAbsDiff(run.grads[4], caseTensor(c, 'grad_h0')));
      const {outputs, state} = runUnfused(c, pt, 'pytorch', true, false);
      record('unfused ra1 ← pytorch output', maxAbsDiff(outputs, caseTensor(c, 'output')));
      record('unfused ra1 ← pytorch state', maxAbsDiff(state, caseTensor(c, 'final_state')));
    });
    tf.dispose([run.output, run.state, ...run.grads, ...Object.values(pt), ...Object.values(k)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
