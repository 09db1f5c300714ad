// convertWeights: every path on the Keras and PyTorch fixtures, bit-exact
// round trips, refusal across the reset-before / reset-after line, validation
// errors that name the tensor and both shapes, and no leaked tensors.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {convertWeights, LAYOUT_NAMES, LayoutName, layoutFamily, sameGruFunction, splitTF1Weights, fuseTF1Weights} from '../src';
import {caseTensor, loadCase, loadManifest} from '../src/fixtures/fixtures';
import {readKerasFromBytes} from '../src/io/keras';

const manifest = loadManifest();
const BEFORE: LayoutName[] = ['tf1', 'keras', 'unfused', 'onnx'];
const AFTER: LayoutName[] = ['keras-reset-after', 'pytorch', 'unfused-reset-after', 'onnx-lbr', 'keras-cudnn'];

/** The exact bytes of every tensor, by name. */
function bytes(w: Record<string, tf.Tensor>): Record<string, {shape: number[], data: number[]}> {
  return Object.fromEntries(Object.entries(w).map(([k, t]) => [k, {
    shape: t.shape, data: Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer)),
  }]));
}

function loadWeights(name: string): {layout: LayoutName, w: Record<string, tf.Tensor>} {
  const c = loadCase(name);
  if (c.kind === 'pytorch') {
    const names = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'];
    return {layout: 'pytorch', w: Object.fromEntries(names.map((n) => [n, caseTensor(c, n)]))};
  }
  return {
    layout: c.config.reset_after ? 'keras-reset-after' : 'keras',
    w: Object.fromEntries(['kernel', 'recurrent_kernel', 'bias'].map((n) => [n, caseTensor(c, n)])),
  };
}

const weightCases = manifest.cases.filter((n) => n.startsWith('keras/') || n.startsWith('pytorch/'));

describe('round trips through every layout of the family are bit-exact', () => {
  test.each(weightCases)('%s', (name) => {
    const {layout, w} = loadWeights(name);
    const family = layoutFamily(layout) === 'reset-after' ? AFTER : BEFORE;
    const original = bytes(w);
    const baseline = tf.memory().numTensors;
    for (const via of family) {
      const there = convertWeights(w, layout, via);
      expect(tf.memory().numTensors).toBe(baseline + Object.keys(there).length);
      for (const via2 of family) {
        const further = convertWeights(there, via, via2);
        const back = convertWeights(further, via2, layout);
        expect(bytes(back as unknown as Record<string, tf.Tensor>)).toEqual(original);
        tf.dispose([...Object.values(further), ...Object.values(back)]);
      }
      tf.dispose(Object.values(there));
      expect(tf.memory().numTensors).toBe(baseline);
    }
    tf.dispose(Object.values(w));
  });
});

describe('known mappings of design.md §2', () => {
  test('keras-reset-after ↔ pytorch: transpose and swap the r and z blocks', () => {
    const {w} = loadWeights('pytorch/b2_t5_d3_u4');
    const k = convertWeights(w, 'pytorch', 'keras-reset-after');
    const U = 4;
    const t = (x: tf.Tensor) => tf.transpose(x);
    const blocks = (x: tf.Tensor) => tf.split(x, 3, 0);
    const [ir, iz, inn] = blocks(w.weight_ih_l0);
    expect(bytes({k: k.kernel})).toEqual(bytes({k: tf.concat([t(iz), t(ir), t(inn)], 1)}));
    const [bir, biz, bin] = blocks(w.bias_ih_l0);
    const [bhr, bhz, bhn] = blocks(w.bias_hh_l0);
    expect(bytes({b: k.bias})).toEqual(bytes({b: tf.stack([tf.concat([biz, bir, bin]), tf.concat([bhz, bhr, bhn])])}));
    expect(k.bias.shape).toEqual([2, 3 * U]);
  });

  // ONNX GRU (operator spec): W [3U, D] rows z | r | h, B = [Wb z r h | Rb z r h]; PyTorch rows r | z | n
  test('pytorch → onnx-lbr: the same rows with the r and z blocks swapped, B = [b_ih | b_hh] likewise', () => {
    const {w} = loadWeights('pytorch/b2_t5_d3_u4');
    const o = convertWeights(w, 'pytorch', 'onnx-lbr');
    const swap = (x: tf.Tensor) => {
      const [r, z, n] = tf.split(x, 3, 0);
      return tf.concat([z, r, n], 0);
    };
    expect(bytes({W: o.W, R: o.R})).toEqual(bytes({W: swap(w.weight_ih_l0), R: swap(w.weight_hh_l0)}));
    expect(bytes({B: o.B})).toEqual(bytes({B: tf.concat([swap(w.bias_ih_l0), swap(w.bias_hh_l0)])}));
  });

  test('keras → onnx: W = kernelᵀ (Keras columns z | r | h are ONNX rows), B = [bias | 0]; onnx sums Wb + Rb back', () => {
    const {w} = loadWeights('keras/b2_t5_d3_u4_ra0_fwd_seq');
    const o = convertWeights(w, 'keras', 'onnx');
    expect(bytes({W: o.W, R: o.R})).toEqual(bytes({W: tf.transpose(w.kernel), R: tf.transpose(w.recurrent_kernel)}));
    expect(bytes({B: o.B})).toEqual(bytes({B: tf.concat([w.bias, tf.zeros(w.bias.shape)])}));
    // an ONNX bias split over Wb and Rb becomes their float32 sum (ONNX adds both outside the reset product)
    const [wb, rb] = [tf.randomUniform(w.bias.shape, -1, 1, 'float32', 3), tf.randomUniform(w.bias.shape, -1, 1, 'float32', 4)];
    const k = convertWeights({W: o.W, R: o.R, B: tf.concat([wb, rb])}, 'onnx', 'keras');
    expect(bytes({b: k.bias})).toEqual(bytes({b: tf.add(wb, rb)}));
  });

  test('splitTF1Weights / fuseTF1Weights are the tf1 ↔ unfused conversions', () => {
    const {w} = loadWeights('keras/b2_t5_d3_u4_ra0_fwd_seq');
    const tf1 = convertWeights(w, 'keras', 'tf1');
    expect(bytes(splitTF1Weights(tf1) as any)).toEqual(bytes(convertWeights(tf1, 'tf1', 'unfused') as any));
    expect(bytes(fuseTF1Weights(splitTF1Weights(tf1)) as any)).toEqual(bytes(tf1 as any));
  });
});

describe('across the reset-before / reset-after line', () => {
  test('sameGruFunction tells the families apart', () => {
    for (const a of LAYOUT_NAMES) {
      for (const b of LAYOUT_NAMES) {
        expect(sameGruFunction(a, b)).toBe(BEFORE.includes(a) === BEFORE.includes(b));
      }
    }
  });

  test.each(BEFORE.flatMap((a) => AFTER.flatMap((b) => [[a, b], [b, a]])))('%s → %s throws and explains', (from, to) => {
    const src = loadWeights(BEFORE.includes(from as LayoutName) ? 'keras/b2_t5_d3_u4_ra0_fwd_seq' : 'pytorch/b2_t5_d3_u4');
    const w = convertWeights(src.w, src.layout, from as LayoutName);
    const before = tf.memory().numTensors;
    expect(() => convertWeights(w, from as LayoutName, to as LayoutName)).toThrow(/different functions.*no weight mapping/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('validation: every error names the tensor and the expected and actual values', () => {
  const D = 3;
  const U = 4;
  const keras = () => ({kernel: tf.zeros([D, 3 * U]), recurrent_kernel: tf.zeros([U, 3 * U]), bias: tf.zeros([3 * U])});
  const cases: Array<[string, () => [unknown, LayoutName], RegExp]> = [
    ['missing tensor', () => [{kernel: tf.zeros([D, 3 * U]), bias: tf.zeros([3 * U])}, 'keras'],
     /missing tensor 'recurrent_kernel' \(expected shape \[U, 3U\]\)/],
    ['extra tensor', () => [{...keras(), extra: tf.zeros([2])}, 'keras'], /unexpected tensor 'extra' \(shape \[2\]\)/],
    ['wrong rank', () => [{...keras(), kernel: tf.zeros([D * 3 * U])}, 'keras'],
     /'kernel' expects rank 2 \(shape \[D, 3U\]\), got shape \[36\]/],
    ['wrong shape', () => [{...keras(), recurrent_kernel: tf.zeros([U, 3 * U + 1])}, 'keras'],
     /'recurrent_kernel' expects shape \[4, 12\] .*got \[4, 13\]/],
    ['inconsistent units', () => [{...keras(), bias: tf.zeros([9])}, 'keras'], /'bias' expects shape \[12\] .*got \[9\]/],
    ['reset-after bias given to keras', () => [{...keras(), bias: tf.zeros([2, 3 * U])}, 'keras'],
     /'bias' expects rank 1 .*got shape \[2, 12\].*'keras-reset-after'/],
    ['inconsistent input size', () => [{
      weight_ih_l0: tf.zeros([3 * U, D]), weight_hh_l0: tf.zeros([3 * U, U]), bias_ih_l0: tf.zeros([3 * U]),
      bias_hh_l0: tf.zeros([3 * U + 3]),
    }, 'pytorch'], /'bias_hh_l0' expects shape \[12\] \(\[3U\] with D=3, U=4.*got \[15\]/],
    ['half of the optional biases', () => [{
      weight_ih_l0: tf.zeros([3 * U, D]), weight_hh_l0: tf.zeros([3 * U, U]), bias_ih_l0: tf.zeros([3 * U]),
    }, 'pytorch'], /missing tensor 'bias_hh_l0'/],
    ['tf1 rows smaller than units', () => [{
      'gates/kernel': tf.zeros([U, 2 * U]), 'gates/bias': tf.zeros([2 * U]), 'candidate/kernel': tf.zeros([U, U]),
      'candidate/bias': tf.zeros([U]),
    }, 'tf1'], /cannot infer the GRU size .*D=0, U=4/],
    ['tf1 gates kernel', () => [{
      'gates/kernel': tf.zeros([D + U, 2 * U + 1]), 'gates/bias': tf.zeros([2 * U]), 'candidate/kernel': tf.zeros([D + U, U]),
      'candidate/bias': tf.zeros([U]),
    }, 'tf1'], /'gates\/kernel' expects shape \[7, 8\] .*got \[7, 9\]/],
    ['dtype', () => [{...keras(), kernel: tf.zeros([D, 3 * U], 'int32')}, 'keras'], /'kernel' expects dtype float32, got int32/],
    ['not an object', () => [tf.zeros([2]), 'keras'], /expected a plain object of tensors/],
    ['not a tensor', () => [{...keras(), kernel: [[1]]}, 'keras'], /'kernel' must be a tf.Tensor/],
  ];
  test.each(cases)('%s', (_, make, message) => {
    const [w, from] = make();
    const before = tf.memory().numTensors;
    expect(() => convertWeights(w as any, from, from === 'tf1' ? 'keras' : from)).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(w instanceof tf.Tensor ? [w] : Object.values(w as object).filter((t) => t instanceof tf.Tensor));
  });

  test('unknown layout names list the known ones', () => {
    expect(() => convertWeights({}, 'caffe' as LayoutName, 'keras')).toThrow(/unknown weight layout "caffe"; expected one of tf1, keras/);
  });

  test('keras without bias converts, and to tf1 gives an exact zero bias', () => {
    const w = {kernel: tf.randomUniform([D, 3 * U]), recurrent_kernel: tf.randomUniform([U, 3 * U])};
    const pt = convertWeights(w, 'keras', 'keras');
    expect(Object.keys(pt).sort()).toEqual(['kernel', 'recurrent_kernel']);
    const t1 = convertWeights(w, 'keras', 'tf1');
    expect(Array.from(t1['gates/bias'].dataSync())).toEqual(new Array(2 * U).fill(0));
    tf.dispose([...Object.values(w), ...Object.values(pt), ...Object.values(t1)]);
  });
});

describe("'keras-cudnn' is the conversion tf-keras applies when it loads CuDNNGRU weights into GRU", () => {
  // fixtures/keras_files/tf_keras/cudnn_gru_h5: a CuDNNGRU model saved by tf-keras, and the
  // weights tf-keras's load_weights (hdf5_format._convert_rnn_weights) put into GRU(reset_after=True)
  test('file weights → keras-reset-after equal tf-keras\'s loaded weights bit for bit, and back', () => {
    const c = loadCase('keras_files/tf_keras/cudnn_gru_h5');
    const kf = readKerasFromBytes({bytes: fs.readFileSync(path.join(c.dir, 'model.h5')), file: 'model.h5'});
    const byRole = (role: string) => kf.read(kf.variables.find((v) => v.name.startsWith('model_weights/cu_dnngru/') && v.name.endsWith(`/${role}:0`))!.name);
    const w = {kernel: byRole('kernel'), recurrent_kernel: byRole('recurrent_kernel'), bias: byRole('bias')};
    expect(w.bias.shape).toEqual([24]);
    const before = tf.memory().numTensors;
    const ra = convertWeights(w as any, 'keras-cudnn', 'keras-reset-after');
    const back = convertWeights(ra, 'keras-reset-after', 'keras-cudnn');
    expect(tf.memory().numTensors).toBe(before + 6);
    const want = {kernel: caseTensor(c, 'gru_kernel'), recurrent_kernel: caseTensor(c, 'gru_recurrent_kernel'), bias: caseTensor(c, 'gru_bias')};
    expect(bytes(ra as any)).toEqual(bytes(want));
    expect(bytes(back as any)).toEqual(bytes(w));
    // the input kernel is not a plain transpose: tf-keras reads each gate block's numbers as cuDNN's [U, D] matrix
    expect(bytes({k: w.kernel})).not.toEqual(bytes({k: want.kernel}));
    tf.dispose([...Object.values(w), ...Object.values(ra), ...Object.values(back), ...Object.values(want)]);
  });
});
