// Converting an ONNX file with onnxToGraphModel and running it from memory, for the
// operator and whole-model tests; .npy fixtures as tensors of the converted dtypes.
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';

import '../../src/index';
import {parseNpy} from '../../src/fixtures/npy';
import {readOnnxModel} from '../../src/io/onnx';
import {onnxToGraphModel, OnnxGraphConversion} from '../../src/onnxGraph/toGraphModel';

/**
 * An .npy file as a tensor: float32 and int32 through the package's reader; int64
 * ('<i8', checked to fit int32: tfjs has no int64) and bool ('|b1') read here.
 */
export function npyTensor(file: string): tf.Tensor {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const headerLen = bytes[6] === 1 ? bytes[8] | (bytes[9] << 8) : new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const start = bytes[6] === 1 ? 10 : 12;
  const header = Buffer.from(bytes.subarray(start, start + headerLen)).toString('latin1');
  const descr = /'descr':\s*'([^']*)'/.exec(header)![1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)![1].split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number);
  if (descr !== '<i8' && descr !== '|b1') {
    const a = parseNpy(bytes, file);
    return tf.tensor(a.data, shape, a.dtype);  // shape from the header: parseNpy reads a 0-d array as [1]
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(start + headerLen);
  if (descr === '|b1') return tf.tensor(Uint8Array.from(body.subarray(0, n)), shape, 'bool');
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(view.getBigInt64(8 * i, true));
    if (v !== (v | 0)) throw new Error(`${file}: element ${i} = ${v} does not fit int32`);
    out[i] = v;
  }
  return tf.tensor(out, shape, 'int32');
}

/** The converted graph of the .onnx file, loaded from memory. */
export async function convertAndLoad(file: string): Promise<{conv: OnnxGraphConversion; model: tf.GraphModel}> {
  const m = readOnnxModel(new Uint8Array(fs.readFileSync(file)), file);
  try {
    const conv = await onnxToGraphModel(m);
    const model = await tf.loadGraphModel(tf.io.fromMemory(conv.artifacts));
    return {conv, model};
  } finally {
    m.close();
  }
}

/** max |a − b| over all elements (0 for empty tensors); NaN anywhere it differs from NaN counts as Infinity. */
export function maxAbsError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    if (a.size === 0 && b.size === 0) return 0;
    const x = tf.cast(a, 'float32');
    const y = tf.cast(b, 'float32');
    const bothNaN = tf.logicalAnd(tf.isNaN(x), tf.isNaN(y));
    const d = tf.where(bothNaN, tf.zerosLike(x), tf.abs(tf.sub(x, y)));
    return tf.max(tf.where(tf.isNaN(d), tf.fill(d.shape, Infinity), d)).dataSync()[0];
  });
}
