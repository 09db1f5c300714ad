// Porting torch.nn.GRU(input_size=D, hidden_size=U, batch_first=True) to tfjs:
// convert the state_dict exactly, load it into the Keras reset-after GRU, and
// check against the textbook GRU run on the explicit blocks.
import * as tf from '@tensorflow/tfjs';

import {convertWeights, gru, selectBackend, unfusedResetAfterGru} from '../src';  // your code: from 'tfjs-gru'

async function main(): Promise<void> {
  await selectBackend(process.env.TFJS_GRU_BACKEND === 'cpu' ? 'cpu' : 'wasm');
  const D = 3;
  const U = 4;
  // stand-ins for torch's state_dict() tensors (in real code: their .numpy() values)
  const sd = {
    weight_ih_l0: tf.randomUniform([3 * U, D], -0.5, 0.5, 'float32', 1), weight_hh_l0: tf.randomUniform([3 * U, U], -0.5, 0.5, 'float32', 2),
    bias_ih_l0: tf.randomUniform([3 * U], -0.5, 0.5, 'float32', 3), bias_hh_l0: tf.randomUniform([3 * U], -0.5, 0.5, 'float32', 4),
  };
  const k = convertWeights(sd, 'pytorch', 'keras-reset-after');
  const layer = gru({units: U, resetAfter: true, returnSequences: true});
  layer.apply(tf.zeros([1, 1, D]));  // build
  layer.setWeights([k.kernel, k.recurrent_kernel, k.bias]);

  const x = tf.randomNormal([2, 5, D], 0, 1, 'float32', 5) as tf.Tensor3D;
  const y = layer.apply(x) as tf.Tensor;
  const explicit = convertWeights(sd, 'pytorch', 'unfused-reset-after');
  const ref = unfusedResetAfterGru(x, tf.zeros([2, U]), explicit).outputs;
  const err = tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0];
  console.log(`output ${y.shape}, max |gru() − textbook| = ${err.toExponential(2)}`);
  if (!(err < 1e-5)) throw new Error('the ported GRU differs from the textbook GRU');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
