// The layers on a whole-sequence kernel, and on tfjs ops with the hand-written
// BPTT, against the same layers on the tape-differentiated op loop: predictions
// with every sequence option, and whole training runs (each path's BPTT through
// model.fit) ending at the same weights.
import * as tf from '@tensorflow/tfjs';

import {gru, tf1Gru} from '../src';
import {sequenceKernelFor, SequenceKernelMode, setSequenceKernelMode} from '../src/kernels/registry';
import {maxAbsDiff, uniform} from './helpers/tensors';

type Make = (args: Record<string, unknown>) => tf.layers.Layer;
const LAYERS: Array<[string, Make]> = [
  ['tf1Gru', (a) => tf1Gru({units: 7, ...a} as never)],
  ['gru resetAfter', (a) => gru({units: 7, resetAfter: true, ...a} as never)],
  ['gru resetBefore', (a) => gru({units: 7, resetAfter: false, ...a} as never)],
  ['gru resetBefore hardSigmoid, no bias', (a) => gru({units: 7, resetAfter: false, useBias: false,
                                                      recurrentActivation: 'hardSigmoid', ...a} as never)],
];

function model(make: Make, options: Record<string, unknown>, seed: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.masking({maskValue: 0, inputShape: [6, 4]}));
  m.add(make({...options, kernelInitializer: tf.initializers.glorotUniform({seed}),
              recurrentInitializer: tf.initializers.orthogonal({seed: seed + 1})}));
  if (options.returnSequences) m.add(tf.layers.flatten());
  m.add(tf.layers.dense({units: 2, kernelInitializer: tf.initializers.glorotUniform({seed: seed + 2})}));
  return m;
}

/** Inputs with right padding (all-zero steps are masked by the Masking layer). */
function inputs(): tf.Tensor3D {
  return tf.tidy(() => {
    const x = uniform([5, 6, 4], 11, 1);
    const keep = tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0], [1, 0, 0, 0, 0, 0],
                              [1, 1, 1, 1, 1, 1]]);
    return tf.mul(x, tf.expandDims(keep, 2)) as tf.Tensor3D;
  });
}

async function trained(make: Make, options: Record<string, unknown>, mode: SequenceKernelMode): Promise<tf.Tensor[]> {
  setSequenceKernelMode(mode);
  const m = model(make, options, 3);
  m.compile({optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError'});
  const x = inputs();
  const y = tf.tidy(() => uniform([5, 2], 12, 1));
  await m.fit(x, y, {epochs: 3, batchSize: 5, shuffle: false, verbose: 0});
  const prediction = m.predict(x) as tf.Tensor;
  const weights = m.getWeights().map((w) => w.clone());
  m.dispose();
  tf.dispose([x, y]);
  return [prediction, ...weights];
}

const hasKernel = () => sequenceKernelFor(tf.getBackend()) != null;

describe('layers on whole-sequence kernels and on ops with BPTT == layers on the tape path', () => {
  afterEach(() => setSequenceKernelMode('auto'));

  const OPTIONS = [{}, {returnSequences: true}, {goBackwards: true}, {returnSequences: true, goBackwards: true}];
  for (const [name, make] of LAYERS) {
    for (const options of OPTIONS) {
      test(`${name} ${JSON.stringify(options)}: three fit epochs end at the same weights`, async () => {
        const tape = await trained(make, options, 'tape');
        for (const mode of (hasKernel() ? ['auto', 'ops'] : ['ops']) as SequenceKernelMode[]) {
          const fast = await trained(make, options, mode);
          fast.forEach((t, i) => expect(maxAbsDiff(t, tape[i])).toBeLessThan(2e-5));
          tf.dispose(fast);
        }
        tf.dispose(tape);
      });
    }
  }

  test('initial state and returnState through apply', () => {
    if (!hasKernel()) return;
    const run = (mode: SequenceKernelMode) => {
      setSequenceKernelMode(mode);
      return tf.tidy(() => {
        const layer = gru({units: 3, returnSequences: true, returnState: true,
                           kernelInitializer: tf.initializers.glorotUniform({seed: 5}),
                           recurrentInitializer: tf.initializers.glorotUniform({seed: 8})});
        const out = layer.apply(uniform([2, 4, 3], 6, 1), {initialState: [uniform([2, 3], 7, 1)]}) as tf.Tensor[];
        return out;
      });
    };
    const fast = run('auto');
    const ops = run('tape');
    expect(fast.length).toBe(2);
    fast.forEach((t, i) => expect(maxAbsDiff(t, ops[i])).toBeLessThan(1e-6));
    tf.dispose([...fast, ...ops]);
  });
});
