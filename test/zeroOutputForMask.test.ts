// zeroOutputForMask (Keras's zero_output_for_mask, TF1 dynamic_rnn's zeros past each
// length) against real tf-keras and TF1, value by value and in gradients, on the
// kernels and on tfjs ops; its serialization as Keras writes it; the checkpoint
// converter's default for TF1 sources.
import * as tf from '@tensorflow/tfjs';

import {gru, KerasGRU, setSequenceKernelMode, tf1Gru, TF1GRU} from '../src';
import {checkpointToLayersModel} from '../src/gruStackModel/toLayersModel';
import {caseTensor, hasTensor, loadCase, loadManifest} from '../src/fixtures/fixtures';
import {readCheckpoint} from '../src/node/readCheckpoint';
import {runLayerWithGradients} from '../src/verify/layerGradients';
import {ckptPrefix} from './helpers/checkpointBytes';
import {maxAbsDiff, saveAndLoad} from './helpers/tensors';

const TOL = 1e-5;
const manifest = loadManifest();
const zeroCases = (manifest.stacks as string[]).filter((n) => n.startsWith('stacks/keras_zero_'));
const tf1LenCases = manifest.cases.filter((n) => n.startsWith('tf1/') && n.includes('_len'));

afterEach(() => setSequenceKernelMode('auto'));

describe.each(['auto', 'ops', 'tape'] as const)('KerasGRU zeroOutputForMask == tf-keras GRU(zero_output_for_mask=True) (kernel mode %s)', (mode) => {
  test.each(zeroCases)('%s', (name) => {
    setSequenceKernelMode(mode);
    const c = loadCase(name);
    const cfg = c.config;
    const before = tf.memory().numTensors;
    const x = caseTensor(c, 'x') as tf.Tensor3D;
    const mask = caseTensor(c, 'mask');
    const h0 = hasTensor(c, 'h0') ? caseTensor(c, 'h0') : tf.zeros([cfg.batch, cfg.units]);
    const g = caseTensor(c, 'g');
    const w = [0, 1, 2].map((i) => caseTensor(c, `w${i}`));
    const layer = gru({units: cfg.units, resetAfter: cfg.reset_after, goBackwards: cfg.go_backwards,
      returnSequences: cfg.return_sequences, returnState: true, zeroOutputForMask: true});
    const run = runLayerWithGradients(layer, w, {x, h0: h0 as tf.Tensor2D, mask, g});
    const ref = (n: string) => caseTensor(c, n);
    tf.tidy(() => {
      expect(maxAbsDiff(run.output, ref('output'))).toBeLessThan(TOL);
      expect(maxAbsDiff(run.state, ref('final_state'))).toBeLessThan(TOL);
      run.weightGrads.forEach((gw, i) => expect(maxAbsDiff(gw, ref(`grad_w${i}`))).toBeLessThan(TOL));
      expect(maxAbsDiff(run.gradX, ref('grad_x'))).toBeLessThan(TOL);
      if (cfg.initial_state) expect(maxAbsDiff(run.gradH0, ref('grad_h0'))).toBeLessThan(TOL);
      // value by value: every masked step (in processing order) is exactly 0
      const m = ref('mask').arraySync() as number[][];
      const out = run.output.arraySync() as number[][][] | number[][];
      for (let b = 0; b < cfg.batch; b++) {
        if (cfg.return_sequences) {
          for (let k = 0; k < cfg.time; k++) {
            const t = cfg.go_backwards ? cfg.time - 1 - k : k;
            if (m[b][t] === 0) expect((out as number[][][])[b][k].every((v) => v === 0)).toBe(true);
          }
        } else if (m[b][cfg.go_backwards ? 0 : cfg.time - 1] === 0) {
          expect((out as number[][])[b].every((v) => v === 0)).toBe(true);
        }
      }
    });
    tf.dispose([run.output, run.state, ...run.weightGrads, run.gradX, run.gradH0, x, mask, h0, g, ...w]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** [B, T] 0/1 mask of t < seq_len[b]. */
function lengthMask(seqLen: tf.Tensor, time: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.less(tf.range(0, time).expandDims(0), seqLen.expandDims(1)), 'int32')) as tf.Tensor2D;
}

describe('TF1GRU zeroOutputForMask == TF1 dynamic_rnn(sequence_length): zeros past each length', () => {
  test.each(tf1LenCases)('%s', (name) => {
    const c = loadCase(name);
    const cfg = c.config;
    const before = tf.memory().numTensors;
    const x = caseTensor(c, 'x') as tf.Tensor3D;
    const seqLen = caseTensor(c, 'seq_len');
    const mask = lengthMask(seqLen, cfg.time);
    const h0 = hasTensor(c, 'h0') ? caseTensor(c, 'h0') : tf.zeros([cfg.batch, cfg.units]);
    const g = caseTensor(c, 'g');
    const w = ['gates_kernel', 'gates_bias', 'candidate_kernel', 'candidate_bias'].map((n) => caseTensor(c, n));
    const layer = tf1Gru({units: cfg.units, returnSequences: true, returnState: true, zeroOutputForMask: true});
    const run = runLayerWithGradients(layer, w, {x, h0: h0 as tf.Tensor2D, mask, g});
    tf.tidy(() => {
      // TF1's outputs are zero past each length: compared whole, padded steps included
      expect(maxAbsDiff(run.output, caseTensor(c, 'outputs'))).toBeLessThan(TOL);
      expect(maxAbsDiff(run.state, caseTensor(c, 'final_state'))).toBeLessThan(TOL);
      const names = ['gates_kernel', 'gates_bias', 'candidate_kernel', 'candidate_bias'];
      run.weightGrads.forEach((gw, i) => expect(maxAbsDiff(gw, caseTensor(c, `grad_${names[i]}`))).toBeLessThan(1e-4));
      expect(maxAbsDiff(run.gradX, caseTensor(c, 'grad_x'))).toBeLessThan(1e-4);
      if (cfg.initial_state) expect(maxAbsDiff(run.gradH0, caseTensor(c, 'grad_h0'))).toBeLessThan(1e-4);
    });
    tf.dispose([run.output, run.state, ...run.weightGrads, run.gradX, run.gradH0, x, seqLen, mask, h0, g, ...w]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('without zeroOutputForMask the padded steps carry the last valid output (tfjs and Keras default)', () => {
    const c = loadCase(tf1LenCases[0]);
    const cfg = c.config;
    tf.tidy(() => {
      const x = caseTensor(c, 'x');
      const mask = lengthMask(caseTensor(c, 'seq_len'), cfg.time);
      const layer = tf1Gru({units: cfg.units, returnSequences: true});
      layer.apply(x, {mask});
      layer.setWeights(['gates_kernel', 'gates_bias', 'candidate_kernel', 'candidate_bias'].map((n) => caseTensor(c, n)));
      const y = (layer.apply(x, {mask}) as tf.Tensor).arraySync() as number[][][];
      const want = caseTensor(c, 'outputs').arraySync() as number[][][];
      const lens = caseTensor(c, 'seq_len').arraySync() as number[];
      for (let b = 0; b < cfg.batch; b++) {
        for (let t = lens[b]; t < cfg.time; t++) {
          expect(want[b][t].every((v) => v === 0)).toBe(true);  // TF1 wrote zeros
          expect(y[b][t]).toEqual(y[b][lens[b] - 1]);           // we carried
        }
      }
      layer.dispose();
    });
  });
});

describe('serialization as Keras writes it', () => {
  async function savedLayerConfig(model: tf.LayersModel): Promise<Record<string, unknown>> {
    let topology: any;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      topology = artifacts.modelTopology;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }));
    return topology.config.layers[0].config;
  }

  test.each([
    ['KerasGRU', (z?: boolean) => gru({units: 3, inputShape: [4, 2], zeroOutputForMask: z})],
    ['TF1GRU', (z?: boolean) => tf1Gru({units: 3, inputShape: [4, 2], zeroOutputForMask: z})],
  ] as const)('%s: zero_output_for_mask saved when true, absent when false, restored by loadLayersModel', async (cls, make) => {
    for (const z of [true, false, undefined]) {
      const model = tf.sequential({layers: [make(z)]});
      const config = await savedLayerConfig(model);
      if (z === true) expect(config.zero_output_for_mask).toBe(true);
      else expect('zero_output_for_mask' in config).toBe(false);
      const loaded = await saveAndLoad(model);
      const layer = loaded.layers[0] as KerasGRU | TF1GRU;
      expect(layer.getClassName()).toBe(cls);
      expect(layer.zeroOutputForMask).toBe(z === true);
      model.dispose();
      loaded.dispose();
    }
  });

  test('a Keras model.json key zero_output_for_mask (camel-cased by tfjs) reaches the layer', async () => {
    const modelTopology = {class_name: 'Sequential', config: {name: 's', layers: [{class_name: 'KerasGRU', config: {
      name: 'g', units: 2, batch_input_shape: [null, 3, 2], zero_output_for_mask: true}}]}};
    const model = await tf.models.modelFromJSON({modelTopology} as any);
    expect((model.layers[0] as KerasGRU).zeroOutputForMask).toBe(true);
    model.dispose();
  });

  test('a non-boolean is refused with the layer and the value', () => {
    expect(() => gru({units: 2, name: 'g', zeroOutputForMask: 1 as unknown as boolean}))
        .toThrow("g: zeroOutputForMask must be a boolean, got 1");
  });
});

describe('checkpoint converter: zeros past each length for TF1 sources', () => {
  test('TF1 GRUCell stack as TF1GRU layers: zeroOutputForMask true by default, false when asked', () => {
    for (const [opt, want] of [[undefined, true], [false, false]] as const) {
      const ck = readCheckpoint(ckptPrefix('tf1_multi_dense'));
      const {model} = checkpointToLayersModel(ck, {layers: 'tfjs-gru', check: false, zeroOutputForMask: opt});
      const grus = model.layers.filter((l) => l instanceof TF1GRU) as TF1GRU[];
      expect(grus.length).toBe(2);
      for (const l of grus) expect(l.zeroOutputForMask).toBe(want);
      model.dispose();
      ck.close();
    }
  });

  test('Keras cells keep Keras\'s default (false)', () => {
    const ck = readCheckpoint(ckptPrefix('keras_tf2'));
    const {model} = checkpointToLayersModel(ck, {layers: 'tfjs-gru', check: false});
    const grus = model.layers.filter((l) => l instanceof KerasGRU || l instanceof TF1GRU) as Array<KerasGRU | TF1GRU>;
    expect(grus.length).toBeGreaterThan(0);
    for (const l of grus) expect(l.zeroOutputForMask).toBe(false);
    model.dispose();
    ck.close();
  });
});
