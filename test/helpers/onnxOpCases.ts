// The per-operator ONNX cases of fixtures/onnx_ops/ (issue 17), written by tools/onnx_op_fixtures.py:
// each a tiny model with its inputs and onnxruntime's outputs. Besides float32 and int32 the .npy
// files hold int64 (indices, shapes) and bool (conditions, comparisons), which src/fixtures/npy.ts
// does not read: this reader takes those too and gives tfjs's dtypes (int64 → int32, checked to fit).
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {parseNpy} from '../../src/fixtures/npy';
import {FIXTURES} from './checkpointBytes';

export const ONNX_OPS = path.join(FIXTURES, 'onnx_ops');

export type OnnxOpDtype = 'float32'|'int32'|'int64'|'bool';

export interface OnnxOpTensorEntry {
  name: string;
  /** Relative to fixtures/onnx_ops/. */
  file: string;
  dtype: OnnxOpDtype;
  shape: number[];
}

/** One entry of fixtures/onnx_ops/manifest.json. */
export interface OnnxOpCase {
  name: string;
  /** The ONNX op type, or 'pattern' for the exporter chains (pattern_*). */
  op: string;
  opset: number;
  /** Relative to fixtures/onnx_ops/. */
  model: string;
  /** In graph-input order (initializers live in the model). */
  inputs: OnnxOpTensorEntry[];
  /** In graph-output order. */
  outputs: OnnxOpTensorEntry[];
  evaluator: string;
  /** What else computed the same outputs (null: nothing could). */
  crossCheckedBy: string|null;
}

export interface OnnxOpManifest {
  versions: Record<string, string>;
  cases: OnnxOpCase[];
}

export function loadOnnxOpManifest(): OnnxOpManifest {
  return JSON.parse(fs.readFileSync(path.join(ONNX_OPS, 'manifest.json'), 'utf8'));
}

/** The absolute path of a case's model.onnx. */
export function onnxOpModelPath(c: OnnxOpCase): string {
  return path.join(ONNX_OPS, c.model);
}

export interface OnnxOpArray {
  dtype: 'float32'|'int32'|'bool';
  shape: number[];
  data: Float32Array|Int32Array|Uint8Array;
}

/** .npy bytes of any of the four dtypes; int64 comes back as int32 (an error when a value does not fit). */
export function parseOnnxOpNpy(bytes: Uint8Array, file: string): OnnxOpArray {
  const fail = (what: string): never => {
    throw new Error(`${file}: not a valid .npy file: ${what}`);
  };
  if (bytes.length < 10 || Buffer.from(bytes.subarray(1, 6)).toString('latin1') !== 'NUMPY') fail('no .npy magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataStart = bytes[6] === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
  if (dataStart > bytes.length) fail(`the header runs past the file's ${bytes.length} bytes`);
  const header = Buffer.from(bytes.subarray(0, dataStart)).toString('latin1');
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  if (descr !== '<i8' && descr !== '|b1') return parseNpy(bytes, file);
  if (!/'fortran_order':\s*False/.test(header)) fail('fortran_order is not False');
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail('no shape');
  const shape = shapeText.split(',').map((d) => d.trim()).filter((d) => d !== '').map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const itemsize = descr === '<i8' ? 8 : 1;
  if (bytes.length - dataStart !== count * itemsize) {
    fail(`shape [${shape}] needs ${count * itemsize} bytes of ${descr}, the file has ${bytes.length - dataStart}`);
  }
  const src = new Uint8Array(bytes.subarray(dataStart));  // a copy (Buffer.slice would be a view into a pool)
  if (descr === '|b1') {
    if (src.some((v) => v > 1)) fail('bool data holds values other than 0 and 1');
    return {dtype: 'bool', shape, data: src};
  }
  const wide = new BigInt64Array(src.buffer, 0, count);
  const data = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (wide[i] < BigInt(-2147483648) || wide[i] > BigInt(2147483647)) fail(`int64 value ${wide[i]} at index ${i} does not fit int32`);
    data[i] = Number(wide[i]);
  }
  return {dtype: 'int32', shape, data};
}

/** A case tensor as a tf.Tensor (float32, int32 — also for int64 — or bool), its shape checked against the entry. */
export function onnxOpTensor(entry: OnnxOpTensorEntry): tf.Tensor {
  const file = path.join(ONNX_OPS, entry.file);
  const a = parseOnnxOpNpy(fs.readFileSync(file), file);
  if (a.shape.join(',') !== entry.shape.join(',')) {
    throw new Error(`${entry.file}: shape [${a.shape}], the manifest says [${entry.shape}]`);
  }
  return tf.tensor(a.data, a.shape, a.dtype);
}
