// explainGru, explainModelJson and the SVG diagram: the slices it prints are
// the ones convertWeights uses, the model.json fixtures and tfjs-saved models
// are explained with a passing recombination check, nothing leaks, bad input
// is named.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import {Resvg} from '@resvg/resvg-js';

import {
  convertWeights, EXPLAIN_LAYOUT_NAMES, explainGru, explainModelJson, explicitBlocks, formatGruExplanation, GATE_COLORS, gru,
  LayoutName, renderExplanationSvg, tf1Gru, WeightMap,
} from '../src';
import {parseNpy} from '../src/fixtures/npy';
import {maxAbsDiff, uniform} from './helpers/tensors';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'tfjs_model', 'keras_reset_after');

function block(e: ReturnType<typeof explainGru>, name: string) {
  return e.explained.blocks.find((b) => b.block === name)!;
}

/** Random unfused weights of a family, as the source of every other layout's weights. */
function randomUnfused(resetAfter: boolean, d: number, u: number, seed: number): WeightMap {
  const w: WeightMap = {};
  for (const g of ['r', 'z', 'h']) {
    w[`W${g}`] = uniform([d, u], seed++);
    w[`U${g}`] = uniform([u, u], seed++);
    if (resetAfter) {
      w[`bW${g}`] = uniform([u], seed++);
      w[`bU${g}`] = uniform([u], seed++);
    } else {
      w[`b${g}`] = uniform([u], seed++);
    }
  }
  return w;
}

describe('explainGru for sizes', () => {
  test('TF1 GRUCell, D=3 U=2: the seed question\'s map', () => {
    const e = explainGru({inputSize: 3, units: 2});
    expect(e.explained.layout).toBe('tf1');
    expect(e.family).toBe('reset-before');
    const expr = Object.fromEntries(e.explained.blocks.map((b) => [b.block, [b.expression, b.numeric, b.shape]]));
    expect(expr).toEqual({
      Wr: ['gates/kernel[:D, :U]', 'gates/kernel[:3, :2]', [3, 2]],
      Wz: ['gates/kernel[:D, U:]', 'gates/kernel[:3, 2:]', [3, 2]],
      Wh: ['candidate/kernel[:D]', 'candidate/kernel[:3]', [3, 2]],
      Ur: ['gates/kernel[D:, :U]', 'gates/kernel[3:, :2]', [2, 2]],
      Uz: ['gates/kernel[D:, U:]', 'gates/kernel[3:, 2:]', [2, 2]],
      Uh: ['candidate/kernel[D:]', 'candidate/kernel[3:]', [2, 2]],
      br: ['gates/bias[:U]', 'gates/bias[:2]', [2]],
      bz: ['gates/bias[U:]', 'gates/bias[2:]', [2]],
      bh: ['candidate/bias', 'candidate/bias', [2]],
    });
    const gates = e.explained.tensors.find((t) => t.name === 'gates/kernel')!;
    expect(gates.dims).toEqual([5, 4]);
    expect(gates.segments.map((s) => [s.axis, s.range, s.meaning, s.blocks])).toEqual([
      [0, [0, 3], 'multiply x', ['Wr', 'Wz']],
      [0, [3, 5], 'multiply h', ['Ur', 'Uz']],
      [1, [0, 2], 'r (reset gate)', ['Wr', 'Ur']],
      [1, [2, 4], 'u (update gate)', ['Wz', 'Uz']],
    ]);
    const candidate = e.explained.tensors.find((t) => t.name === 'candidate/kernel')!;
    expect(candidate.segments[1]).toMatchObject({axis: 0, range: [3, 5], meaning: 'multiply r ⊙ h'});
    expect(e.explained.equations[0]).toBe('r = σ(x·gates/kernel[:D, :U] + h·gates/kernel[D:, :U] + gates/bias[:U])');
    expect(e.explained.equations[2]).toBe('c = tanh(x·candidate/kernel[:D] + (r ⊙ h)·candidate/kernel[D:] + candidate/bias)');
    expect(e.textbook[2]).toBe('h̃ = tanh(x·Wh + (r ⊙ h)·Uh + bh)');
    expect(e.equivalents.map((v) => v.layout)).toEqual(['keras', 'onnx', 'unfused']);
    expect(e.noEquivalent.map((v) => v.layout)).toEqual(['keras-reset-after', 'pytorch', 'onnx-lbr', 'unfused-reset-after']);
    expect(e.crossFamilyReason).toMatch(/different functions of x and h/);
    expect(e.check).toBeNull();
    const keras = e.equivalents[0];
    expect(keras.blocks.find((b) => b.block === 'Wr')!.expression).toBe('kernel[:, U:2U]');
    expect(keras.frameworks.join(' ')).toMatch(/tf\.layers\.gru/);
    expect(e.equivalents[1].blocks.find((b) => b.block === 'bz')!.expression).toBe('B[:U] + B[3U:4U]');

    const text = formatGruExplanation(e);
    expect(text).toMatch(/^  Wr +\[3, 2\] +x → r +gates\/kernel\[:D, :U\] +gates\/kernel\[:3, :2\]$/m);
    expect(text).toMatch(/^ +rows +D\.\.D\+U−1 +\(3\.\.4\) +multiply h +Ur Uz$/m);
    expect(text).toMatch(/^  Wr +gates\/kernel\[:D, :U\] +kernel\[:, U:2U\] +W\[U:2U\]ᵀ +Wr$/m);
    expect(text).toMatch(/No equivalent in the other family \(keras-reset-after, pytorch/);
  });

  test('--to a layout of the other family explains why there is none', () => {
    const e = explainGru({inputSize: 3, units: 2, layout: 'pytorch', to: 'tf1'});
    expect(e.equivalents).toEqual([]);
    expect(e.noEquivalent.map((n) => n.layout)).toEqual(['tf1']);
    expect(e.noEquivalent[0].reason).toMatch(/'pytorch' is the reset-after GRU.*'tf1' is the reset-before GRU/);
    expect(explainGru({inputSize: 3, units: 2, layout: 'pytorch', to: 'keras-reset-after'}).equivalents.map((v) => v.layout))
        .toEqual(['keras-reset-after']);
  });

  test('bad sizes and names are errors that say what was expected', () => {
    expect(() => explainGru({inputSize: 0, units: 2})).toThrow(/inputSize \(D\) must be a whole number ≥ 1, got 0/);
    expect(() => explainGru({inputSize: 3} as any)).toThrow(/units \(U\) must be a whole number ≥ 1, got undefined/);
    expect(() => explainGru({inputSize: 3, units: 2, layout: 'caffe' as any})).toThrow(/unknown layout "caffe"; expected one of tf1, keras/);
    expect(() => explainGru({inputSize: 3, units: 2, activation: 'tanhh'})).toThrow(/unknown activation 'tanhh'/);
  });
});

describe('the block maps are the converters\' (real weights)', () => {
  test.each(EXPLAIN_LAYOUT_NAMES)('%s: every block equals convertWeights → unfused, bit for bit', (layout) => {
    const d = 3;
    const u = 4;
    const before = tf.memory().numTensors;
    const resetAfter = ['keras-reset-after', 'pytorch', 'onnx-lbr', 'unfused-reset-after'].includes(layout);
    const unfusedName: LayoutName = resetAfter ? 'unfused-reset-after' : 'unfused';
    const unfused = randomUnfused(resetAfter, d, u, 7);
    const weights = convertWeights(unfused, unfusedName, layout as LayoutName) as unknown as WeightMap;
    const e = explainGru({layout, weights});
    expect([e.inputSize, e.units]).toEqual([d, u]);
    const blocks = explicitBlocks(e.explained, weights);
    for (const [name, t] of Object.entries(unfused)) {
      expect([name, maxAbsDiff(blocks[name], t)]).toEqual([name, 0]);
      const stats = block(e, name).stats!;
      const values = Array.from(t.dataSync());
      expect(stats.min).toBe(Math.min(...values));
      expect(stats.max).toBe(Math.max(...values));
      expect(stats.norm).toBeCloseTo(Math.sqrt(values.reduce((a, v) => a + v * v, 0)), 6);
    }
    expect(e.check!.pass).toBe(true);
    expect(e.check!.maxAbsError).toBeLessThan(1e-5);
    tf.dispose([...Object.values(blocks), ...Object.values(weights), ...Object.values(unfused)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('ONNX: the blocks read back from W, R, B built the operator spec\'s way (not through convertWeights)', () => {
    for (const resetAfter of [false, true]) {
      const u = 2;
      const w = randomUnfused(resetAfter, 3, u, 40);
      // spec: W = [Wz; Wr; Wh] (rows = outputs), R likewise, B = [Wb z|r|h, Rb z|r|h]
      const rows = (m: string) => tf.concat(['z', 'r', 'h'].map((g) => tf.transpose(w[`${m}${g}`])), 0);
      const bias = resetAfter ? tf.concat([...['z', 'r', 'h'].map((g) => w[`bW${g}`]), ...['z', 'r', 'h'].map((g) => w[`bU${g}`])]) :
          tf.concat([...['z', 'r', 'h'].map((g) => w[`b${g}`]), tf.zeros([3 * u])]);
      const onnx = {W: rows('W'), R: rows('U'), B: bias};
      const layout = resetAfter ? 'onnx-lbr' : 'onnx';
      const e = explainGru({layout, weights: onnx});
      const blocks = explicitBlocks(e.explained, onnx);
      for (const [name, t] of Object.entries(w)) expect([name, maxAbsDiff(blocks[name], t)]).toEqual([name, 0]);
      expect(e.check!.pass).toBe(true);
      tf.dispose([...Object.values(w), ...Object.values(onnx), ...Object.values(blocks)]);
    }
  });

  test('weights are validated: wrong shape, disagreeing sizes', () => {
    const w = {'gates/kernel': tf.zeros([5, 4]), 'gates/bias': tf.zeros([4]), 'candidate/kernel': tf.zeros([5, 2]),
               'candidate/bias': tf.zeros([3])};
    expect(() => explainGru({weights: w})).toThrow(/'candidate\/bias' expects shape \[2\] .*got \[3\]/);
    w['candidate/bias'] = tf.zeros([2]);
    expect(() => explainGru({weights: w, units: 3})).toThrow(/units is 3 but the weights have 2/);
    tf.dispose(Object.values(w));
  });
});

/** model.save into memory, as a model.json object and its weight bytes. */
async function saved(model: tf.LayersModel): Promise<{modelJson: any, weightData: ArrayBuffer}> {
  let artifacts: tf.io.ModelArtifacts|null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }));
  const a = artifacts!;
  return {
    modelJson: {format: 'layers-model', modelTopology: a.modelTopology,
                weightsManifest: [{paths: ['weights.bin'], weights: a.weightSpecs}]},
    weightData: a.weightData as ArrayBuffer,
  };
}

describe('explainModelJson', () => {
  test('the tensorflowjs-converted Keras fixture: one reset-after GRU, its real numbers, a passing check', () => {
    const modelJson = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'model.json'), 'utf8'));
    const bin = fs.readFileSync(path.join(FIXTURE, 'group1-shard1of1.bin'));
    const before = tf.memory().numTensors;
    const m = explainModelJson(modelJson, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
    expect(tf.memory().numTensors).toBe(before);
    expect(m.convertedBy).toMatch(/TensorFlow.js Converter/);
    expect(m.grus).toHaveLength(1);
    const g = m.grus[0];
    expect([g.name, g.explained.layout, g.inputSize, g.units, g.recurrentActivation]).toEqual(['gru', 'keras-reset-after', 3, 4, 'sigmoid']);
    expect(g.check).toMatchObject({pass: true});
    // the stats are the fixture's own numbers (kernel.npy was written by Keras next to the model)
    const kernel = parseNpy(fs.readFileSync(path.join(FIXTURE, 'kernel.npy')), 'kernel.npy');
    const k = Array.from(kernel.data as Float32Array);
    const stats = g.explained.tensors.find((t) => t.name === 'kernel')!.stats!;
    expect([stats.min, stats.max]).toEqual([Math.min(...k), Math.max(...k)]);
    const wz = block(g, 'Wz').stats!;
    const wzValues = k.filter((_, i) => i % 12 < 4);  // kernel[:, :U], U = 4, row length 12
    expect([wz.min, wz.max]).toEqual([Math.min(...wzValues), Math.max(...wzValues)]);
    // without the weight files: the sizes from the manifest, no numbers
    const shapesOnly = explainModelJson(modelJson).grus[0];
    expect([shapesOnly.inputSize, shapesOnly.units, shapesOnly.check]).toEqual([3, 4, null]);
  });

  test('models saved by tfjs: TF1GRU, tf.layers.gru (hardSigmoid) and the Keras GRU, nested in one model', async () => {
    const input = tf.input({shape: [4, 3]});
    const a = tf1Gru({units: 2, returnSequences: true, name: 'tf1'}).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.gru({units: 5, returnSequences: true, name: 'tfjs_gru'}).apply(a) as tf.SymbolicTensor;
    const c = gru({units: 3, resetAfter: false, name: 'keras_rb', biasInitializer: 'randomNormal'}).apply(b) as tf.SymbolicTensor;
    const model = tf.model({inputs: input, outputs: c});
    const {modelJson, weightData} = await saved(model);
    const before = tf.memory().numTensors;
    const m = explainModelJson(modelJson, weightData);
    expect(tf.memory().numTensors).toBe(before);
    expect(m.grus.map((g) => [g.name, g.explained.layout, g.inputSize, g.units, g.recurrentActivation, g.check!.pass])).toEqual([
      ['tf1', 'tf1', 3, 2, 'sigmoid', true],
      ['tfjs_gru', 'keras', 2, 5, 'hard_sigmoid', true],
      ['keras_rb', 'keras', 5, 3, 'sigmoid', true],
    ]);
    expect(block(m.grus[0], 'br').stats).toMatchObject({min: 1, max: 1});  // TF1's gates bias starts at 1.0
    model.dispose();
  });

  test('a Bidirectional GRU: its forward and backward cells, each checked', async () => {
    const input = tf.input({shape: [4, 3]});
    const out = tf.layers.bidirectional({layer: tf.layers.gru({units: 2, returnSequences: true, name: 'g'}) as any, name: 'bi'})
        .apply(input) as tf.SymbolicTensor;
    const model = tf.model({inputs: input, outputs: out});
    const {modelJson, weightData} = await saved(model);
    const m = explainModelJson(modelJson, weightData);
    expect(m.grus.map((g) => [g.name, g.explained.layout, g.inputSize, g.units, g.check!.pass])).toEqual([
      ['bi/forward_g', 'keras', 3, 2, true], ['bi/backward_g', 'keras', 3, 2, true]]);
    // the two directions' numbers differ: each GRU read its own weights
    expect(block(m.grus[0], 'Wr').stats!.norm).not.toBe(block(m.grus[1], 'Wr').stats!.norm);
    model.dispose();
  });

  test('contradictions and absences are named', () => {
    const modelJson = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'model.json'), 'utf8'));
    const lying = JSON.parse(JSON.stringify(modelJson));
    lying.modelTopology.model_config.config.layers[1].config.reset_after = false;
    expect(() => explainModelJson(lying)).toThrow(/layer 'gru' says reset_after=false but its bias 'gru\/gru_cell\/bias' has shape \[2,12\] \(expected \[3U\]\)/);
    const noKernel = JSON.parse(JSON.stringify(modelJson));
    noKernel.weightsManifest[0].weights.splice(1, 1);
    expect(() => explainModelJson(noKernel)).toThrow(/layer 'gru' \(GRU, layout 'keras-reset-after'\) has no weight 'recurrent_kernel'/);
    const noGru = JSON.parse(JSON.stringify(modelJson));
    noGru.modelTopology.model_config.config.layers[1].class_name = 'LSTM';
    expect(() => explainModelJson(noGru)).toThrow(/no GRU layer .* found; its layers: InputLayer, LSTM/);
    expect(() => explainModelJson(modelJson, new ArrayBuffer(10))).toThrow(/hold 10 bytes, weightsManifest describes 432/);
  });
});

describe('renderExplanationSvg', () => {
  function attr(svg: string, re: RegExp): number[] {
    const m = re.exec(svg);
    if (m == null) throw new Error(`not in the SVG: ${re}`);
    return m.slice(1).map(Number);
  }

  test('TF1 D=3 U=2: dimensions, labels, and the rendered gate colors where the blocks are', () => {
    const svg = renderExplanationSvg(explainGru({inputSize: 3, units: 2}));
    const [width, height] = attr(svg, /<svg [^>]*width="(\d+)" height="(\d+)"/);
    const labels = [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const b of ['Wr', 'Wz', 'Wh', 'Ur', 'Uz', 'Uh', 'br', 'bz', 'bh']) expect(labels).toContain(b);
    for (const t of ['D=3', 'D+U=5', 'U=2', '2U=4', '0']) expect(labels).toContain(t);
    expect(labels).toContain('gates/kernel  [D+U, 2U] = [5, 4]');
    expect(labels.some((l) => /D = 3, U = 2/.test(l))).toBe(true);
    expect(labels).toContain('rows multiply r ⊙ h (Uh)');

    const png = new Resvg(svg, {background: '#ffffff'}).render();
    expect([png.width, png.height]).toEqual([width, height]);
    const pixel = (x: number, y: number) => {
      const i = (Math.round(y) * png.width + Math.round(x)) * 4;
      return [png.pixels[i], png.pixels[i + 1], png.pixels[i + 2]];
    };
    const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    for (const [name, gate] of [['Wr', 'r'], ['Wz', 'z'], ['Wh', 'h'], ['bz', 'z']] as const) {
      const [x, y, opacity] = attr(svg, new RegExp(
          `<rect x="([\\d.]+)" y="([\\d.]+)"[^>]*fill-opacity="([\\d.]+)"[^>]*data-block="${name}"`));
      const got = pixel(x + 4, y + 4);  // inside the block, clear of its centered label
      // the gate's color over the white background at the block's opacity
      hex(GATE_COLORS[gate]).forEach((v, i) => expect(Math.abs(got[i] - (opacity * v + (1 - opacity) * 255))).toBeLessThanOrEqual(3));
    }
    expect(pixel(2, height - 2)).toEqual([255, 255, 255]);
  });

  test('large sizes keep the diagram bounded (the largest axis at most 420 px)', () => {
    const svg = renderExplanationSvg(explainGru({inputSize: 1000, units: 2000, layout: 'keras'}));
    const [width, height] = attr(svg, /<svg [^>]*width="(\d+)" height="(\d+)"/);
    expect(width).toBeLessThan(1200);
    expect(height).toBeLessThan(1200);
    const [w] = attr(svg, /<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"[^>]*data-block="Wz"/);
    expect(w).toBeCloseTo(420 / 3, 1);  // kernel [1000, 6000]: one of three column blocks
  });
});
