// Converting an ONNX file with onnxToGraphModel and running it from memory, for the
// operator and whole-model tests; .npy fixtures as tensors of the converted dtypes.
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';

import '../../src/index';
import {readOnnxModel} from '../../src/io/onnx';
import {onnxToGraphModel, OnnxGraphConversion} from '../../src/onnxGraph/toGraphModel';
import {parseOnnxOpNpy} from './onnxOpCases';

/** An .npy file as a tensor: float32, int32 (int64 checked to fit: tfjs has no int64) or bool. */
export function npyTensor(file: string): tf.Tensor {
  const a = parseOnnxOpNpy(new Uint8Array(fs.readFileSync(file)), file);
  return tf.tensor(a.data, a.shape, a.dtype);
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
