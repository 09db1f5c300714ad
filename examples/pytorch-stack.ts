// A whole torch.nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True), saved inside a
// module as encoder.gru, run from its state_dict in one call; compared with what PyTorch computed.
import * as tf from '@tensorflow/tfjs';

import {fromPytorchGru, selectBackend} from '../src';  // your code: from 'tfjs-gru'
import {caseTensor, loadCase} from '../src/fixtures/fixtures';

async function main(): Promise<void> {
  await selectBackend(process.env.TFJS_GRU_BACKEND === 'cpu' ? 'cpu' : 'wasm');
  // PyTorch's own tensors (made by tools/stack_pytorch_fixtures.py); in real code: your state_dict()'s values
  const c = loadCase('stacks/pytorch_b3_t5_d3_u4_l2_bidi_bf_h0');
  const stateDict: Record<string, tf.Tensor> = {'decoder.fc.weight': tf.zeros([2, 8])};
  for (const name of c.config.state_dict as string[]) stateDict[`encoder.gru.${name}`] = caseTensor(c, name);

  const g = fromPytorchGru(stateDict, {numLayers: 2, bidirectional: true, batchFirst: true});
  const {output, hN} = g.run(caseTensor(c, 'x') as tf.Tensor3D, caseTensor(c, 'h0') as tf.Tensor3D);
  const err = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  const eOut = err(output, caseTensor(c, 'output'));
  const eH = err(hN, caseTensor(c, 'h_n'));
  console.log(`prefix '${g.prefix}', layers ${g.layers.map((l) => l.getClassName()).join(' + ')}`);
  console.log(`output ${output.shape}, h_n ${hN.shape}, max |ours − torch| = ${Math.max(eOut, eH).toExponential(2)}`);
  if (!(Math.max(eOut, eH) < 1e-5)) throw new Error('the stack differs from PyTorch');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
