// Every ONNX operator mapper alone (and three exporter patterns) against onnxruntime:
// fixtures/onnx_ops/ holds single-node models with randomized shapes and attributes and
// onnxruntime's outputs (tools/onnx_op_fixtures.py). Each model is converted to a tfjs
// GraphModel, run, and compared: floats within 1e-5 · max(1, max|ref|), integers and
// booleans exactly; a second run leaves no tensor behind.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {runOnnxGraph} from '../src/onnxGraph/run';
import {SUPPORTED_ONNX_OPS} from '../src/onnxGraph/registry';
import {FIXTURES} from './helpers/checkpointBytes';
import {convertAndLoad, maxAbsError, npyTensor} from './helpers/onnxGraphRun';

interface OpCase {
  name: string;
  op: string;
  opset: number;
  model: string;
  inputs: Array<{name: string; file: string}>;
  outputs: Array<{name: string; file: string; dtype: string; shape: number[]}>;
}

const DIR = path.join(FIXTURES, 'onnx_ops');
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as {cases: OpCase[]};

test('the fixtures cover every operator of the issue\'s list, and each is supported', () => {
  const covered = new Set(manifest.cases.map((c) => c.op));
  const listed = ['MatMul', 'Gemm', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Relu', 'LeakyRelu',
    'PRelu', 'Elu', 'Sigmoid', 'HardSigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Clip', 'Conv', 'ConvTranspose',
    'BatchNormalization', 'InstanceNormalization', 'LayerNormalization', 'ReduceMean', 'ReduceSum', 'ReduceMax', 'MaxPool',
    'AveragePool', 'GlobalAveragePool', 'Pad', 'Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Concat', 'Split',
    'Slice', 'Gather', 'ScatterND', 'Expand', 'Tile', 'Where', 'Equal', 'Less', 'Greater', 'Einsum', 'Shape',
    'ConstantOfShape', 'Constant', 'Cast', 'Identity', 'Dropout', 'GRU'];
  expect(listed.filter((op) => !covered.has(op))).toEqual([]);
  expect(listed.filter((op) => !SUPPORTED_ONNX_OPS.includes(op))).toEqual([]);
});

test('every operator the converter maps has at least one case', () => {
  const covered = new Set(manifest.cases.map((c) => c.op));
  expect(SUPPORTED_ONNX_OPS.filter((op) => !covered.has(op))).toEqual([]);
});

describe.each(manifest.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  test('equals onnxruntime', async () => {
    const {conv, model} = await convertAndLoad(path.join(DIR, c.model));
    const inputs = Object.fromEntries(c.inputs.map((i) => [i.name, npyTensor(path.join(DIR, i.file))]));
    try {
      expect(conv.outputs.map((o) => o.name)).toEqual(c.outputs.map((o) => o.name));
      const ours = runOnnxGraph(model, inputs);
      const before = tf.memory().numTensors;
      tf.dispose(runOnnxGraph(model, inputs) as unknown as tf.Tensor[]);
      expect(tf.memory().numTensors).toBe(before);
      for (const o of c.outputs) {
        // the manifest holds the true shape (a 0-d output is stored in its .npy as [1])
        const stored = npyTensor(path.join(DIR, o.file));
        const ref = tf.reshape(stored, o.shape);
        stored.dispose();
        const got = ours[o.name];
        expect([o.name, got.shape]).toEqual([o.name, ref.shape]);
        if (ref.dtype === 'float32') {
          const scale = Math.max(1, tf.tidy(() => (ref.size ? tf.max(tf.abs(ref)).dataSync()[0] : 0)));
          const err = maxAbsError(got, ref);
          expect({output: o.name, maxAbsError: err, tolerance: 1e-5 * scale, within: err <= 1e-5 * scale}).toMatchObject({within: true});
        } else {
          expect([o.name, got.dtype, Array.from(got.dataSync())]).toEqual([o.name, ref.dtype, Array.from(ref.dataSync())]);
        }
        ref.dispose();
      }
      tf.dispose(Object.values(ours));
    } finally {
      tf.dispose(Object.values(inputs));
      model.dispose();
    }
  });
});
