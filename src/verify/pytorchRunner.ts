import * as tf from '@tensorflow/tfjs';

import {caseTensor, FixtureCase} from '../fixtures/fixtureSet';
import {convertWeights} from '../weights/convert';
import {caseInputs, KerasGruRun, runAndCompare} from './kerasRunner';
import {QuantityResult} from './result';

const PYTORCH_NAMES = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'];

/**
 * verify's runner for PyTorch cases: PyTorch's weights converted exactly to
 * Keras reset_after=True and run in the Keras GRU; its gradients converted
 * back to PyTorch's layout by the same converter and compared with autograd's.
 */
export function runPytorchCase(c: FixtureCase): QuantityResult[] {
  const pt = Object.fromEntries(PYTORCH_NAMES.map((n) => [n, caseTensor(c, n)]));
  const k = convertWeights(pt, 'pytorch', 'keras-reset-after');
  const toPytorch = (run: KerasGruRun): KerasGruRun => ({
    ...run,
    grads: {
      ...convertWeights({kernel: run.grads.kernel, recurrent_kernel: run.grads.recurrent_kernel, bias: run.grads.bias},
                        'keras-reset-after', 'pytorch'),
      x: run.grads.x, h0: run.grads.h0,
    },
  });
  try {
    return runAndCompare(c, 'KerasGRU ← pytorch weights', caseInputs(c, [k.kernel, k.recurrent_kernel, k.bias], true), {
      ...Object.fromEntries(PYTORCH_NAMES.map((n) => [n, `grad_${n}`])), x: 'grad_x', h0: 'grad_h0',
    }, toPytorch);
  } finally {
    tf.dispose([...Object.values(pt), ...Object.values(k)]);
  }
}
