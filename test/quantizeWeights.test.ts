// --quantize: tfjs's own quantized manifest, read back by tfjs's decodeWeights.
// float16: values a half holds come back exactly, others within half an ulp (2^-11
// relative); uint8: within half a step of each tensor's range, zero exact; int32 untouched.
import * as tf from '@tensorflow/tfjs';

import {quantizeWeights} from '../src/io/quantizeWeights';

async function roundTrip(tensors: tf.NamedTensorMap, mode: 'float16' | 'uint8') {
  const {data, specs} = await tf.io.encodeWeights(tensors);
  const q = quantizeWeights(specs, data, mode);
  return {q, back: tf.io.decodeWeights(q.data, q.specs)};
}

test('float16: exact for values a half holds, within 2^-11 relative otherwise, specials kept', async () => {
  const exact = [0, -0, 1, -2.25, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 1023.5];
  const rnd = Array.from({length: 1000}, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 9) - 4));
  const special = [Infinity, -Infinity, 1e6];
  const {q, back} = await roundTrip({exact: tf.tensor1d(exact), rnd: tf.tensor1d(rnd), special: tf.tensor1d(special)}, 'float16');
  expect(q.data.byteLength).toBe(2 * (exact.length + rnd.length + special.length));
  expect(Array.from(back.exact.dataSync())).toEqual(exact.map((v) => (Object.is(v, -0) ? -0 : v)));
  const got = back.rnd.dataSync();
  rnd.forEach((v, i) => {
    if (Math.abs(v) >= 2 ** -14) expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
    else expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(2 ** -25);
  });
  expect(Array.from(back.special.dataSync())).toEqual([Infinity, -Infinity, Infinity]);
});

test('uint8: within half a step of the tensor\'s range, zero exact; int32 weights untouched', async () => {
  const w = Array.from({length: 500}, (_, i) => Math.cos(i) * 3 - 0.5);
  w[17] = 0;
  const ids = [1, -7, 123456];
  const {q, back} = await roundTrip({w: tf.tensor1d(w), ids: tf.tensor1d(ids, 'int32')}, 'uint8');
  const spec = q.specs.find((s) => s.name === 'w')!;
  expect(spec.quantization!.dtype).toBe('uint8');
  const step = spec.quantization!.scale!;
  expect(step).toBeCloseTo((Math.max(...w) - Math.min(...w)) / 255, 6);
  const got = back.w.dataSync();
  w.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(step / 2 + 1e-6));
  expect(got[17]).toBe(0);
  expect(Array.from(back.ids.dataSync())).toEqual(ids);
  expect(q.specs.find((s) => s.name === 'ids')!.quantization).toBeUndefined();
});
