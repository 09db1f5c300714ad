import * as tf from '@tensorflow/tfjs';

import {seededRandom} from '../../src/math/seededRandom';

/** max |a − b| over all elements; throws when the shapes differ. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`maxAbsDiff: shapes differ: [${a.shape}] vs [${b.shape}]`);
  }
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** A small seeded PRNG (mulberry32), so randomized tests are repeatable. */
export const rng = seededRandom;

/** An integer in [lo, hi]. */
export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** Uniform values in [-scale, scale], drawn from a seed. */
export function uniform(shape: number[], seed: number, scale = 0.5): tf.Tensor {
  return tf.randomUniform(shape, -scale, scale, 'float32', seed);
}

/** Runs fn and checks that it leaves tf.memory().numTensors where it was. */
export async function expectNoNewTensors(fn: () => unknown | Promise<unknown>): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  const after = tf.memory().numTensors;
  expect(after - before).toBe(0);
}

/**
 * A comparison that remembers the worst error per quantity and prints the table after
 * the file's tests (`label` names the reference, e.g. 'PyTorch'): close(what, a, b) throws
 * when max |a − b| is not below `tol`.
 */
export function worstErrors(label: string, defaultTol: number): (what: string, a: tf.Tensor, b: tf.Tensor, tol?: number) => void {
  const worst: Record<string, number> = {};
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`max |ours − ${label}|:\n` + Object.entries(worst).map(([k, v]) => `  ${k}: ${v.toExponential(2)}`).join('\n'));
  });
  return (what, a, b, tol = defaultTol) => {
    const d = maxAbsDiff(a, b);
    worst[what] = Math.max(worst[what] ?? 0, d);
    if (!(d < tol)) throw new Error(`${what}: max |error| ${d} >= ${tol}`);
  };
}

/** The model saved to memory and loaded back with tf.loadLayersModel (a save → load round trip). */
export async function saveAndLoad(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }));
  return tf.loadLayersModel(tf.io.fromMemory(artifacts!));
}
