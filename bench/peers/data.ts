/** The shared weights and inputs: generated once from a seed, written as .npy for every peer to read. */
import * as fs from 'fs';
import * as path from 'path';

import {seededRandom as rng} from '../../src/math/seededRandom';
import {Size} from './spec';

/** mulberry32 (src/math/seededRandom.ts), so the data depends on the seed alone. */
export {rng};

export function uniform(n: number, lim: number, next: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (2 * next() - 1) * lim;
  return a;
}

/** .npy version 1.0, little-endian float32, C order. */
export function npyBytes(data: Float32Array, shape: number[]): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/**
 * Writes <dir>/<size>/x.npy [B, T, D] (uniform ±1), kernel.npy [D, 3U], recurrent_kernel.npy [U, 3U],
 * bias.npy [3U] and bias_ra.npy [2, 3U] (uniform ±1/√U, as PyTorch initialises a GRU), Keras layout z | r | h.
 * The reset-before rows use kernel, recurrent_kernel and bias; the reset-after rows the same kernels and bias_ra.
 */
export function writeData(dir: string, sizes: readonly Size[], seed: number): void {
  sizes.forEach((s) => {
    const next = rng(seed * 1000003 + s.B * 7919 + s.T * 104729 + s.D * 31 + s.U);
    const lim = 1 / Math.sqrt(s.U);
    const sub = path.join(dir, s.name);
    fs.mkdirSync(sub, {recursive: true});
    const write = (name: string, data: Float32Array, shape: number[]) =>
      fs.writeFileSync(path.join(sub, `${name}.npy`), npyBytes(data, shape));
    write('x', uniform(s.B * s.T * s.D, 1, next), [s.B, s.T, s.D]);
    write('kernel', uniform(s.D * 3 * s.U, lim, next), [s.D, 3 * s.U]);
    write('recurrent_kernel', uniform(s.U * 3 * s.U, lim, next), [s.U, 3 * s.U]);
    write('bias', uniform(3 * s.U, lim, next), [3 * s.U]);
    write('bias_ra', uniform(6 * s.U, lim, next), [2, 3 * s.U]);
  });
}
