// ONNX GRU models: exported by torch.onnx.export (linear_before_reset=1) and built with the onnx
// package (linear_before_reset 0, reverse, bidirectional, layout 1, stacked + MatMul/Add), their
// reference outputs from PyTorch / onnx.reference.ReferenceEvaluator. `tfjs-gru convert` →
// tf.loadLayersModel → within 1e-5; the ONNX layouts checked alone against the evaluator;
// refusals (activations, clip, external data) typed and named.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {convertWeights} from '../src';
import {findOnnxGrus} from '../src/discovery/findOnnxGrus';
import {gruStackToLayersModel} from '../src/gruStackModel/toLayersModel';
import {runInspect} from '../src/cli/inspectCommand';
import {caseTensor, loadCase, loadManifest} from '../src/fixtures/fixtures';
import {ConversionError} from '../src/io/modelFileError';
import {OnnxError, readOnnxModel} from '../src/io/onnx';
import {decodeModel, encode} from '../src/io/onnx/protos';
import {convertModelFileToDir} from '../src/node/convertModelFile';
import {readOnnxFile} from '../src/node/formats/onnx';
import {convertAndRun, fixtureModel} from './helpers/modelFiles';

const manifest = loadManifest();
const CASES = (manifest.onnx as string[]).filter((n) => !n.startsWith('onnx/refuse_'));

test('the fixture set covers torch exports and linear_before_reset 0 forward, reverse, bidirectional', () => {
  expect(CASES).toEqual(expect.arrayContaining(['onnx/torch_gru1', 'onnx/torch_gru2', 'onnx/torch_gru2_bidi_linear', 'onnx/lbr0_forward',
    'onnx/lbr0_reverse', 'onnx/lbr0_bidi', 'onnx/lbr0_layout1_bidi', 'onnx/lbr1_reverse_nobias', 'onnx/lbr0_stack_dense']));
});

describe('convert reproduces PyTorch / the ONNX reference evaluator', () => {
  test.each(CASES)('%s', async (name) => {
    const {result, maxAbsError, model, numTensorsLeft} = await convertAndRun(name);
    expect(maxAbsError).toBeLessThanOrEqual(1e-5);
    expect(result.format).toBe('onnx');
    expect(result.loadedCheck.pass).toBe(true);
    expect(numTensorsLeft).toBe(0);
    const lbr = loadCase(name).config.linear_before_reset;
    // reset-before nodes become tfjs's own GRU; reset-after ones this package's KerasGRU
    if (lbr === 0) expect(result.layers.every((l) => l.layout === 'onnx' && /(^|\()GRU/.test(l.className))).toBe(true);
    if (lbr === 1 || name.startsWith('onnx/torch_')) expect(result.layers.every((l) => l.layout === 'onnx-lbr')).toBe(true);
    model.dispose();
  });

  test('a lone reverse GRU is goBackwards + ReverseTime (ONNX gives Y in input order)', async () => {
    const {result, model} = await convertAndRun('onnx/lbr0_reverse');
    expect(result.layers[0].className).toBe('GRU(goBackwards) + ReverseTime');
    expect(result.needsTfjsGru).toBe(true);
    model.dispose();
  });

  test('the stacked graph: two layers through Transpose/Reshape and Squeeze, MatMul + Add as the Dense', async () => {
    const {result, model} = await convertAndRun('onnx/lbr0_stack_dense');
    expect(result.layers.map((l) => [l.className, l.inputSize, l.units])).toEqual([['Bidirectional(GRU)', 3, 4], ['GRU', 8, 5]]);
    expect(result.dense).toMatchObject({scope: 'dense', inputSize: 5, units: 2});
    expect(result.needsTfjsGru).toBe(false);
    model.dispose();
  });
});

test("--layers tfjs-gru: reset-before nodes as this package's TF1GRU, same outputs", async () => {
  const {result, maxAbsError, model} = await convertAndRun('onnx/lbr0_bidi', {layers: 'tfjs-gru'});
  expect(result.layers[0].className).toBe('Bidirectional(TF1GRU)');
  expect(maxAbsError).toBeLessThanOrEqual(1e-5);
  model.dispose();
});

test('weights in Constant nodes instead of initializers convert the same', () => {
  const m = decodeModel(fs.readFileSync(fixtureModel('onnx/lbr0_forward'))) as any;
  const inits = m.graph.initializer;
  m.graph.initializer = [];
  m.graph.node = [...inits.map((t: any) => ({input: [], output: [t.name], name: `const_${t.name}`, op_type: 'Constant', domain: '',
    attribute: [{name: 'value', type: 4, t}]})), ...m.graph.node];
  const model = readOnnxModel(encode('ModelProto', m), 'constants.onnx');
  const d = findOnnxGrus(model);
  expect(d.stacks[0].problem).toBeUndefined();
  expect(d.grus[0].variables).toEqual({W: 'W', R: 'R', B: 'B'});
  const before = tf.memory().numTensors;
  const {model: tfModel, description} = gruStackToLayersModel(model, d);
  expect(tf.memory().numTensors - before).toBe(tfModel.getWeights().length);  // only the model's weights
  const c = loadCase('onnx/lbr0_forward');
  const [x, y] = [caseTensor(c, 'x'), caseTensor(c, 'y')];
  const got = tfModel.predict(x) as tf.Tensor;
  expect(tf.tidy(() => tf.max(tf.abs(tf.sub(got, y))).dataSync()[0])).toBeLessThanOrEqual(1e-5);
  expect(description.check!.pass).toBe(true);
  tf.dispose([x, y, got]);
  tfModel.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

describe("the 'onnx' / 'onnx-lbr' layouts alone, on tfjs's own layers, against the evaluator", () => {
  /** Direction `i` of the case's W, R, B. */
  const weights = (name: string, i: number) => {
    const m = readOnnxFile(fixtureModel(name));
    const take = (n: string) => tf.tidy(() => tf.squeeze(tf.slice(m.read(n), [i], [1]), [0]));
    return {W: take('W'), R: take('R'), ...(m.has('B') ? {B: take('B')} : {})};
  };
  test('lbr0_forward → keras → tf.layers.gru (sigmoid) reproduces Y', () => {
    const c = loadCase('onnx/lbr0_forward');
    const w = weights('onnx/lbr0_forward', 0);
    const k = convertWeights(w, 'onnx', 'keras');
    const layer = tf.layers.gru({units: 4, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [null, 3] as any});
    const model = tf.sequential({layers: [layer]});
    layer.setWeights([k.kernel, k.recurrent_kernel, k.bias]);
    const x = caseTensor(c, 'x');
    const got = model.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(got, caseTensor(c, 'y')))).dataSync()[0]).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });
  test('round trip onnx-lbr → pytorch → onnx-lbr is bit-exact; onnx → tf1 → onnx keeps W and R, sums B into Wb', () => {
    const w = weights('onnx/lbr1_reverse_nobias', 0);
    const back = convertWeights(convertWeights(w, 'onnx-lbr', 'pytorch'), 'pytorch', 'onnx-lbr');
    expect(Array.from(back.W.dataSync())).toEqual(Array.from(w.W.dataSync()));
    expect(Array.from(back.R.dataSync())).toEqual(Array.from(w.R.dataSync()));
    expect(back.B).toBeUndefined();
    const w0 = weights('onnx/lbr0_forward', 0);
    const again = convertWeights(convertWeights(w0, 'onnx', 'tf1'), 'tf1', 'onnx');
    expect(Array.from(again.W.dataSync())).toEqual(Array.from(w0.W.dataSync()));
    const [wb, rb] = tf.split(w0.B!, 2);
    const [wb2, rb2] = tf.split(again.B, 2);
    expect(Array.from(wb2.dataSync())).toEqual(Array.from(tf.add(wb, rb).dataSync()));
    expect(Array.from(rb2.dataSync())).toEqual(new Array(12).fill(0));
  });
});

describe('refusals', () => {
  test.each([
    ['onnx/refuse_hardsigmoid', /activations \[HardSigmoid, Tanh\]: only Sigmoid \(gates\) and Tanh/],
    ['onnx/refuse_clip', /clip 2 is set: tfjs's GRU does not clip/],
  ])('%s: ConversionError UNSUPPORTED naming the node and attribute', async (name, message) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-onnx-'));
    const e = await convertModelFileToDir(fixtureModel(name), out).catch((x) => x);
    expect(e).toBeInstanceOf(ConversionError);
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.file).toBe(fixtureModel(name));
    expect(e.message).toMatch(/GRU node 'gru'/);
    expect(e.message).toMatch(message);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  /** The case's ModelProto bytes with `edit` applied to the decoded object. */
  const edited = (name: string, edit: (m: any) => void) => {
    const m = decodeModel(fs.readFileSync(fixtureModel(name))) as any;
    edit(m);
    return encode('ModelProto', m);
  };
  test('external data: OnnxError EXTERNAL_DATA naming the tensor, on read', () => {
    const bytes = edited('onnx/lbr0_forward', (m) => {
      const w = m.graph.initializer.find((t: any) => t.name === 'W');
      w.raw_data = new Uint8Array(0);
      w.data_location = 1;
      w.external_data = [{key: 'location', value: 'weights.bin'}];
    });
    const model = readOnnxModel(bytes, 'ext.onnx');
    expect(() => model.read('W')).toThrow(OnnxError);
    expect(() => model.read('W')).toThrow(/ext\.onnx: tensor 'W': its data is stored outside the model \(external_data location=weights\.bin\)/);
  });
  test('sequence_lens and a non-zero initial_h make the stack UNSUPPORTED', () => {
    const withLens = readOnnxModel(edited('onnx/lbr0_forward', (m) => { m.graph.node[0].input = ['X', 'W', 'R', 'B', 'lens']; }));
    expect(findOnnxGrus(withLens).stacks[0].problem).toMatch(/sequence_lens \('lens'\) is given/);
    const withH0 = readOnnxModel(edited('onnx/lbr0_forward', (m) => {
      m.graph.node[0].input = ['X', 'W', 'R', 'B', '', 'W'];
    }));
    expect(findOnnxGrus(withH0).stacks[0].problem).toMatch(/initial_h \('W'\) is not zeros/);
  });
  test('weights that do not match the direction: named with both shapes', () => {
    const m = readOnnxModel(edited('onnx/lbr0_bidi', (x) => {
      x.graph.node[0].attribute = x.graph.node[0].attribute.map((a: any) => (a.name === 'direction' ? {...a, s: new TextEncoder().encode('forward')} : a));
    }));
    expect(findOnnxGrus(m).stacks[0].problem).toMatch(/direction forward needs W \[1, 3U, D\] and R \[1, 3U, U\]; found W \[2,9,2\]/);
  });
  test('not ONNX at all: BAD_PROTO or BAD_MODEL, naming the file', () => {
    const st = fs.readFileSync(fixtureModel('pytorch_files/gru1'));
    const e = (() => { try { readOnnxModel(st, 'st.onnx'); } catch (x) { return x as OnnxError; } return null; })();
    expect(e).toBeInstanceOf(OnnxError);
    expect(['BAD_PROTO', 'BAD_MODEL']).toContain(e!.code);
    expect(e!.file).toBe('st.onnx');
  });
});

test('inspect --json: producer, opset, the GRU nodes as cells, notes on what is left out', () => {
  let out = '';
  const io = {stdout: (t: string) => { out += t; }, stderr: (t: string) => { throw new Error(t); }};
  expect(runInspect({path: fixtureModel('onnx/torch_gru2_bidi_linear'), json: true}, io)).toBe(0);
  const r = JSON.parse(out);
  expect(r.format).toBe('onnx');
  expect(r.details.producer).toMatch(/^pytorch/);
  expect(r.details.opsets).toBe('ai.onnx 14');
  expect(r.grus.map((g: any) => [g.layer, g.direction, g.layout, g.directionIndex]))
      .toEqual([[0, 'fw', 'onnx-lbr', 0], [0, 'bw', 'onnx-lbr', 1], [1, 'fw', 'onnx-lbr', 0], [1, 'bw', 'onnx-lbr', 1]]);
  expect(r.stacks[0].dense).toMatchObject({inputSize: 8, units: 2, kernel: 'onnx::MatMul_385', bias: 'head.bias'});
  expect(r.unexplained).toEqual([]);
  out = '';
  expect(runInspect({path: fixtureModel('onnx/refuse_clip')}, io)).toBe(0);
  expect(out).toMatch(/cannot convert: GRU node 'gru': clip 2 is set/);
});
