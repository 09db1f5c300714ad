// What the whole-graph ONNX conversion refuses, and how: every unsupported operator in
// one error (type, count, first nodes) before anything is written, attributes it cannot
// compute exactly, malformed graphs (dangling inputs, cycles, outputs nothing makes),
// dtypes tfjs lacks; `inspect` shows the same list.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {runInspect} from '../src/cli/inspectCommand';
import {ConversionError} from '../src/io/modelFileError';
import {readOnnxModel} from '../src/io/onnx';
import {decodeModel, encode} from '../src/io/onnx/protos';
import {convertOnnxGraphToDir} from '../src/node/convertOnnxGraph';
import {onnxToGraphModel} from '../src/onnxGraph/toGraphModel';
import {fixtureModel} from './helpers/modelFiles';

const NSNET_LIKE = fixtureModel('onnx/torch_gru2_bidi_linear');

/** The model's bytes with `edit` applied to the decoded ModelProto. */
function edited(file: string, edit: (m: any) => void): Uint8Array {
  const m = decodeModel(fs.readFileSync(file)) as any;
  edit(m);
  return encode('ModelProto', m);
}

async function conversionError(bytes: Uint8Array, name = 'edited.onnx'): Promise<ConversionError> {
  const before = tf.memory().numTensors;
  const e = await onnxToGraphModel(readOnnxModel(bytes, name)).catch((x) => x);
  expect(tf.memory().numTensors).toBe(before);
  expect(e).toBeInstanceOf(ConversionError);
  return e as ConversionError;
}

test('every unsupported operator is listed once with its count and first nodes, before anything is written', async () => {
  const bytes = edited(NSNET_LIKE, (m) => {
    const nodes = m.graph.node;
    nodes.filter((n: any) => n.op_type === 'Transpose').forEach((n: any) => { n.op_type = 'LSTM'; });
    nodes.find((n: any) => n.op_type === 'MatMul').op_type = 'QLinearMatMul';
    nodes.find((n: any) => n.op_type === 'Add').domain = 'com.microsoft';
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-refuse-'));
  const file = path.join(dir, 'model.onnx');
  fs.writeFileSync(file, bytes);
  const out = path.join(dir, 'out');
  const e = await convertOnnxGraphToDir(file, out).catch((x) => x);
  expect(e).toBeInstanceOf(ConversionError);
  expect(e.code).toBe('UNSUPPORTED');
  expect(e.file).toBe(file);
  expect(e.message).toMatch(/LSTM ×4 \('[^']+', '[^']+', '[^']+', …\)/);
  expect(e.message).toMatch(/QLinearMatMul ×1/);
  expect(e.message).toMatch(/com\.microsoft\.Add ×1/);
  expect(e.message).toMatch(/--gru-stack/);
  expect(fs.existsSync(out)).toBe(false);
  // inspect shows the same list
  const lines: string[] = [];
  const code = await runInspect({path: file} as any, {stdout: (s: string) => lines.push(s), stderr: (s: string) => lines.push(s)} as any);
  expect(code).toBe(0);
  expect(lines.join('')).toMatch(/whole graph: does not convert[\s\S]*LSTM ×4[\s\S]*QLinearMatMul ×1/);
});

test('attributes that cannot be computed exactly are named with their node', async () => {
  const bytes = edited(NSNET_LIKE, (m) => {
    const gru = m.graph.node.find((n: any) => n.op_type === 'GRU');
    gru.attribute.push({name: 'clip', f: 3, type: 1});
    const cast = {op_type: 'Cast', name: 'to_half', input: ['y'], output: ['y_half'], attribute: [{name: 'to', i: 10, type: 2}]};
    m.graph.node.push(cast);
  });
  const e = await conversionError(bytes);
  expect(e.code).toBe('UNSUPPORTED');
  expect(e.message).toMatch(/node '\/gru\/GRU' \(GRU\): clip 3/);
  expect(e.message).toMatch(/node 'to_half' \(Cast\): Cast to ONNX data type 10/);
});

test('a dangling input and an output nothing produces: BAD_GRAPH naming them', async () => {
  const dangling = edited(NSNET_LIKE, (m) => {
    m.graph.node.find((n: any) => n.op_type === 'MatMul').input[0] = 'nowhere';
  });
  const e1 = await conversionError(dangling);
  expect(e1.code).toBe('BAD_GRAPH');
  expect(e1.message).toMatch(/reads 'nowhere', which no earlier node, initializer or graph input defines/);
  const cycle = edited(NSNET_LIKE, (m) => {
    // the first node reads the last node's output: a cycle (or nodes out of order)
    m.graph.node[0].input[0] = m.graph.node[m.graph.node.length - 1].output[0];
  });
  expect((await conversionError(cycle)).code).toBe('BAD_GRAPH');
  const noOutput = edited(NSNET_LIKE, (m) => {
    m.graph.output.push({name: 'ghost', type: {tensor_type: {elem_type: 1}}});
  });
  const e3 = await conversionError(noOutput);
  expect(e3.code).toBe('BAD_GRAPH');
  expect(e3.message).toMatch(/graph output 'ghost'/);
});

test('a float16 graph input and a float64 weight are refused by name', async () => {
  const half = edited(NSNET_LIKE, (m) => {
    m.graph.input[0].type.tensor_type.elem_type = 10;
  });
  expect((await conversionError(half)).message).toMatch(/'x' is float16/);
  const dbl = edited(NSNET_LIKE, (m) => {
    const w = m.graph.initializer.find((t: any) => t.dims.length === 2);
    const n = w.dims.reduce((a: number, b: number) => a * b, 1);
    w.data_type = 11;
    w.raw_data = new Uint8Array(8 * n);
  });
  expect((await conversionError(dbl)).message).toMatch(/tensor '[^']+' is float64/);
});
