/**
 * A found cell's tensors by role, as its layout names them: read from the source,
 * and, when the cell's tensors hold several directions (ONNX's W [dirs, 3U, D]),
 * its own direction taken off the first axis.
 */
import * as tf from '@tensorflow/tfjs';

import {TensorSource} from '../io/tensorSource';
import {FoundGru} from './findGrus';

/** The tensor of `role` of cell `g` (the caller owns it). */
export function readCellTensor(source: TensorSource, g: FoundGru, role: string): tf.Tensor {
  const t = source.read(g.variables[role]);
  if (g.directionIndex == null) return t;
  const out = tf.tidy(() => tf.squeeze(tf.slice(t, [g.directionIndex!], [1]), [0]));
  t.dispose();
  return out;
}

/** Every role the cell has, as a weight map of its layout (the caller owns the tensors). */
export function readCellWeights(source: TensorSource, g: FoundGru): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const role of Object.keys(g.variables)) out[role] = readCellTensor(source, g, role);
  } catch (e) {
    tf.dispose(Object.values(out));
    throw e;
  }
  return out;
}
