// fixtures/onnx_ops (issue 17) is complete for the converter's per-operator tests: every operator the
// issue lists has cases, every tensor reads back with the dtype and shape the manifest gives, and the
// int64/bool reader refuses what tfjs cannot hold.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {loadOnnxOpManifest, ONNX_OPS, onnxOpModelPath, onnxOpTensor, parseOnnxOpNpy} from './helpers/onnxOpCases';

const ISSUE_OPS = ['MatMul', 'Gemm', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Relu',
  'LeakyRelu', 'PRelu', 'Elu', 'Sigmoid', 'HardSigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Clip', 'Conv',
  'ConvTranspose', 'BatchNormalization', 'InstanceNormalization', 'LayerNormalization', 'ReduceMean', 'ReduceSum',
  'ReduceMax', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Pad', 'Transpose', 'Reshape', 'Flatten', 'Squeeze',
  'Unsqueeze', 'Concat', 'Split', 'Slice', 'Gather', 'ScatterND', 'Expand', 'Tile', 'Where', 'Equal', 'Less',
  'Greater', 'Einsum', 'Shape', 'ConstantOfShape', 'Constant', 'Cast', 'Identity', 'Dropout', 'Erf', 'GRU'];

const manifest = loadOnnxOpManifest();

function npyBytes(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, header.length & 255, header.length >> 8]),
    Buffer.from(header, 'latin1')]);
  return Buffer.concat([head, data]);
}

describe('fixtures/onnx_ops', () => {
  test('every operator of the issue has cases; names are unique', () => {
    const ops = new Set(manifest.cases.map((c) => c.op));
    expect(ISSUE_OPS.filter((op) => !ops.has(op))).toEqual([]);
    expect(new Set(manifest.cases.map((c) => c.name)).size).toBe(manifest.cases.length);
    expect(manifest.cases.filter((c) => c.op === 'pattern').length).toBeGreaterThanOrEqual(3);
  });

  test('GRU cases: both layouts, all directions, initial_h as initializer and input, both linear_before_reset', () => {
    const gru = manifest.cases.filter((c) => c.op === 'GRU').map((c) => c.name);
    for (const part of ['forward', 'reverse', 'bidirectional', 'lbr0', 'lbr1', 'layout1', 'h0_input', 'h0_initializer']) {
      expect(gru.some((n) => n.includes(part))).toBe(true);
    }
    const layout1 = manifest.cases.filter((c) => c.name.includes('layout1'));
    expect(layout1.every((c) => c.evaluator.startsWith('onnx.reference.ReferenceEvaluator'))).toBe(true);
    expect(layout1.every((c) => c.crossCheckedBy?.startsWith('onnxruntime'))).toBe(true);
  });

  test('GRU sequence_lens cases: int32 [batch] input, lengths below T, all directions, both linear_before_reset, Y and Y_h', () => {
    const seq = manifest.cases.filter((c) => c.op === 'GRU' && c.inputs.some((i) => i.name === 'sequence_lens'));
    for (const part of ['forward', 'reverse', 'bidirectional', 'lbr0', 'lbr1']) {
      expect([part, seq.some((c) => c.name.includes(part))]).toEqual([part, true]);
    }
    for (const c of seq) {
      const lens = c.inputs.find((i) => i.name === 'sequence_lens')!;
      const x = c.inputs.find((i) => i.name === 'X')!;
      expect([c.name, lens.dtype, lens.shape]).toEqual([c.name, 'int32', [x.shape[1]]]);
      const t = onnxOpTensor(lens);
      expect([c.name, Math.min(...Array.from(t.dataSync())) < x.shape[0]]).toEqual([c.name, true]);
      t.dispose();
      expect(c.outputs.map((o) => o.name)).toEqual(['Y', 'Y_h']);
      expect(c.crossCheckedBy).toMatch(/^numpy float64 GRU/);
    }
  });

  test('every model exists and every tensor reads back as the manifest says', () => {
    const before = tf.memory().numTensors;
    for (const c of manifest.cases) {
      expect(fs.existsSync(onnxOpModelPath(c))).toBe(true);
      for (const e of [...c.inputs, ...c.outputs]) {
        const t = onnxOpTensor(e);
        expect(t.shape).toEqual(e.shape);
        expect(t.dtype).toBe(e.dtype === 'int64' ? 'int32' : e.dtype);
        t.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('Shape_of_input records the input\'s shape (int64 read as int32)', () => {
    const c = manifest.cases.find((x) => x.name === 'Shape_of_input')!;
    expect(c.outputs[0].dtype).toBe('int64');
    const y = onnxOpTensor(c.outputs[0]);
    expect(Array.from(y.dataSync())).toEqual(c.inputs[0].shape);
    y.dispose();
  });
});

describe('parseOnnxOpNpy', () => {
  test('reads int64 and bool, refuses int64 beyond int32 and bool bytes other than 0/1', () => {
    const wide = new BigInt64Array([BigInt(-3), BigInt(7)]);
    const ok = parseOnnxOpNpy(npyBytes('<i8', [2], new Uint8Array(wide.buffer)), 'a.npy');
    expect(ok).toEqual({dtype: 'int32', shape: [2], data: new Int32Array([-3, 7])});
    const big = new BigInt64Array([BigInt(2) ** BigInt(40)]);
    expect(() => parseOnnxOpNpy(npyBytes('<i8', [1], new Uint8Array(big.buffer)), 'b.npy'))
        .toThrow(/b\.npy: .*int64 value 1099511627776 at index 0 does not fit int32/);
    expect(parseOnnxOpNpy(npyBytes('|b1', [1, 3], new Uint8Array([1, 0, 1])), 'c.npy').data).toEqual(new Uint8Array([1, 0, 1]));
    expect(() => parseOnnxOpNpy(npyBytes('|b1', [2], new Uint8Array([1, 2])), 'd.npy')).toThrow(/d\.npy: .*other than 0 and 1/);
    expect(() => parseOnnxOpNpy(npyBytes('<i8', [3], new Uint8Array(16)), 'e.npy')).toThrow(/e\.npy: .*needs 24 bytes.*has 16/);
  });

  test('a committed bool output parses', () => {
    const c = manifest.cases.find((x) => x.outputs.some((o) => o.dtype === 'bool'))!;
    const file = path.join(ONNX_OPS, c.outputs[0].file);
    expect(parseOnnxOpNpy(fs.readFileSync(file), file).dtype).toBe('bool');
  });
});
