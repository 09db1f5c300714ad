import * as tf from '@tensorflow/tfjs';

import {GruKernelWeights} from '../math/gruSequence';
import {tidyObject} from '../math/tidy';
import {KerasCudnnGruWeights} from './kerasCudnnLayout';
import {KerasGruWeights, KerasResetAfterGruWeights} from './kerasLayout';
import {GruSize, LayoutSpec, WeightMap} from './layout';
import {getLayout, LayoutName} from './layouts';
import {OnnxGruWeights} from './onnxLayout';
import {PyTorchGruWeights} from './pytorchLayout';
import {TF1GruWeights} from './tf1Layout';
import {ExplicitGruWeights, ExplicitResetAfterGruWeights} from './unfusedLayout';
import {validateWeights} from './validate';

/**
 * The weight object of each layout.
 * @category Weights and converters
 */
export interface LayoutWeights {
  'tf1': TF1GruWeights;
  'keras': KerasGruWeights;
  'keras-reset-after': KerasResetAfterGruWeights;
  'pytorch': PyTorchGruWeights;
  'unfused': ExplicitGruWeights;
  'unfused-reset-after': ExplicitResetAfterGruWeights;
  'onnx': OnnxGruWeights;
  'onnx-lbr': OnnxGruWeights;
  'keras-cudnn': KerasCudnnGruWeights;
}

const FAMILY_TEXT = {
  'reset-before': 'reset-before: the reset gate multiplies h BEFORE the candidate matmul, hh = act(x·Wh + bh + (r ⊙ h)·Uh)',
  'reset-after': 'reset-after: the reset gate multiplies the candidate matmul AFTER it, hh = act(x·Wh + bWh + r ⊙ (h·Uh + bUh))',
};

function refuseAcrossFamilies(from: LayoutSpec, to: LayoutSpec): never {
  throw new Error(
      `convertWeights: cannot convert '${from.name}' to '${to.name}'. '${from.name}' is a ${
          FAMILY_TEXT[from.family]}; '${to.name}' is a ${FAMILY_TEXT[to.family]}. ` +
      `These are different functions of x and h: no weight mapping makes one equal the other, and this ` +
      `converter does not approximate (design.md §2). Load the weights into a layer of their own family ` +
      `(e.g. the Keras GRU with resetAfter ${from.family === 'reset-after'}).`);
}

/**
 * Checks weights against a layout and returns them in the sequence kernel's
 * canonical r | z | h layout, with the D and U inferred from them. New tensors
 * only (inputs are cloned where the mapping is the identity).
 * @category Weights and converters
 */
export function toKernelWeights(weights: WeightMap, from: LayoutName): {kernel: GruKernelWeights, size: GruSize, resetAfter: boolean} {
  const spec = getLayout(from, 'from');
  const size = validateWeights(weights, spec, `toKernelWeights(${from})`);
  const kernel = tidyObject(() => freshTensors(spec.toKernel(weights, size), weights));
  return {kernel, size, resetAfter: spec.family === 'reset-after'};
}

/**
 * Converts GRU weights between layouts, exactly.
 *
 * Layouts: 'tf1', 'keras', 'unfused', 'onnx' compute the reset-before GRU;
 * 'keras-reset-after', 'pytorch', 'unfused-reset-after', 'onnx-lbr' the reset-after GRU.
 * Inside a family the result holds the very same float32 numbers (slicing,
 * concatenation and transposes only), so round trips are bit for bit; the one
 * exception: from 'onnx' its two bias halves are summed (see ONNX_LAYOUT). Across
 * families it throws: the functions differ (see {@link sameGruFunction}).
 * The input is validated and D and U are inferred from it. Returns new tensors
 * only; the caller owns them, nothing else is left behind.
 * @category Weights and converters
 */
export function convertWeights<F extends LayoutName, T extends LayoutName>(
    weights: LayoutWeights[F]|WeightMap, from: F, to: T): LayoutWeights[T] {
  const source = getLayout(from, 'convertWeights: from');
  const target = getLayout(to, 'convertWeights: to');
  const size = validateWeights(weights, source, `convertWeights(${from} → ${to})`);
  if (source.family !== target.family) refuseAcrossFamilies(source, target);
  const w = weights as WeightMap;
  return tidyObject(() => {
    const out = target.fromKernel(source.toKernel(w, size), size);
    return freshTensors(out, w) as unknown as LayoutWeights[T];
  });
}

/** Clones any value that is one of the input tensors, so the result never aliases the caller's tensors. */
function freshTensors<T extends object>(out: T, inputs: WeightMap): T {
  const given = new Set<tf.Tensor>(Object.values(inputs));
  const result = {...out} as Record<string, unknown>;
  for (const [k, v] of Object.entries(result)) {
    if (v instanceof tf.Tensor && given.has(v)) result[k] = tf.clone(v);
  }
  return result as T;
}
