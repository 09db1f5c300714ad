// On the cpu backend, tf.cast of an int32 or bool tensor to float32 keeps the
// values' array type (dataSync() gives an Int32Array or Uint8Array); the wasm
// kernel that serves cpu needs Float32Arrays. Found by the browser suite on cpu
// (`tfjs-gru verify --backend cpu` failed every masked case).
import * as tf from '@tensorflow/tfjs';

import {getActivation, gruSequence, sequenceKernelFor, setSequenceKernelMode} from '../src';
import {parseBackendName, selectBackend} from '../src/node/backend';

function seeded(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 32 - 0.5;
  }
  return tf.tensor(v, shape);
}

afterAll(async () => {
  setSequenceKernelMode('auto');
  await selectBackend(parseBackendName(process.env.TFJS_GRU_BACKEND));
});

test.each(['int32', 'bool'] as const)('on cpu, a %s mask runs on the wasm kernel and equals the tfjs-op path', async (dtype) => {
  await selectBackend('cpu');
  expect(sequenceKernelFor('cpu')?.name).toMatch(/^wasm-simd( ×\d+ threads)?$/);
  const [B, T, D, U] = [2, 4, 3, 5];
  const x = seeded([B, T, D], 1) as tf.Tensor3D;
  const h0 = seeded([B, U], 2) as tf.Tensor2D;
  const weights = {
    inputKernel: seeded([D, 3 * U], 3) as tf.Tensor2D, recurrentKernel: seeded([U, 3 * U], 4) as tf.Tensor2D,
    inputBias: seeded([3 * U], 5) as tf.Tensor1D, recurrentBias: seeded([3 * U], 6) as tf.Tensor1D,
  };
  const mask = tf.tensor2d([[1, 1, 0, 0], [1, 1, 1, 0]], [B, T], dtype);
  expect(tf.tidy(() => tf.cast(mask, 'float32').dataSync())).not.toBeInstanceOf(Float32Array);  // the cpu backend's cast, as described
  const options = {resetAfter: true, activation: getActivation('tanh'), recurrentActivation: getActivation('sigmoid'), mask, returnSequences: true};
  const before = tf.memory().numTensors;
  setSequenceKernelMode('auto');
  const onKernel = gruSequence(x, h0, weights, options);
  setSequenceKernelMode('ops');
  const onOps = gruSequence(x, h0, weights, options);
  setSequenceKernelMode('auto');
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(onKernel.outputs!, onOps.outputs!))).dataSync()[0]);
  expect(diff).toBeLessThan(1e-6);
  // masked steps keep the state: the last output of row 0 is its step-1 output
  const [last, step1] = tf.tidy(() => [3, 1].map((t) => Array.from(onKernel.outputs!.slice([0, t, 0], [1, 1, U]).dataSync())));
  expect(last).toEqual(step1);
  tf.dispose([onKernel, onOps].flatMap((r): Array<tf.Tensor|null> => [r.outputs, r.lastOutput, r.state]).filter((t): t is tf.Tensor => t != null));
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([x, h0, mask, ...Object.values(weights)]);
});
