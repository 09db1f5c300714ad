// The fast orthogonal initializer: one Householder QR in float64. Orthogonality to
// 1e-5 at GRU sizes, a true QR (Q·R = A, R upper triangular with a positive
// diagonal), tfjs's own Orthogonal reproduced for the same seed, and our Keras GRU
// using it by default while saving Keras's 'Orthogonal'.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {FastOrthogonal, gru, KerasGRUCell, registerKerasGru} from '../src';
import {householderQ} from '../src/testing';
import {defaultFixturesDir} from '../src/fixtures/fixtures';
import {rng} from './helpers/tensors';

/** max |M·Mᵀ − I| over the rows of a [r, c] matrix (r ≤ c), or its columns when r > c. */
function orthogonalityError(w: tf.Tensor): number {
  return tf.tidy(() => {
    const m = w.reshape([-1, w.shape[w.shape.length - 1]]) as tf.Tensor2D;
    const g = m.shape[0] <= m.shape[1] ? tf.matMul(m, m, false, true) : tf.matMul(m, m, true, false);
    return tf.max(tf.abs(tf.sub(g, tf.eye(g.shape[0])))).dataSync()[0];
  });
}

describe('householderQ', () => {
  test.each([[7, 7], [9, 4], [40, 13]])('%i×%i: Q·R = A, R upper triangular with positive diagonal, QᵀQ = I', (m, n) => {
    const r = rng(m * 100 + n);
    const a = new Float64Array(m * n).map(() => r() * 2 - 1);
    const q = householderQ(a.slice(), m, n);  // column-major
    // R = Qᵀ A
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rij = 0;
        for (let k = 0; k < m; k++) rij += q[i * m + k] * a[j * m + k];
        if (i > j) expect(Math.abs(rij)).toBeLessThan(1e-12);
        if (i === j) expect(rij).toBeGreaterThan(0);
        let qtq = 0;
        for (let k = 0; k < m; k++) qtq += q[i * m + k] * q[j * m + k];
        expect(Math.abs(qtq - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
    // Q·R = A
    let worst = 0;
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < n; j++) {
        let qr = 0;
        for (let i = 0; i <= j; i++) {
          let rij = 0;
          for (let l = 0; l < m; l++) rij += q[i * m + l] * a[j * m + l];
          qr += q[i * m + k] * rij;
        }
        worst = Math.max(worst, Math.abs(qr - a[j * m + k]));
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });

  test('refuses a wide matrix', () => {
    expect(() => householderQ(new Float64Array(6), 2, 3)).toThrow('householderQ: needs rows >= columns, got 2×3');
  });
});

describe('FastOrthogonal', () => {
  test.each([[[256, 768]], [[300, 300]], [[500, 100]], [[4, 5, 20]]])('shape %j: orthonormal to 1e-5', (shape) => {
    const before = tf.memory().numTensors;
    const w = new FastOrthogonal({seed: 7}).apply(shape as number[]);
    expect(w.shape).toEqual(shape);
    const err = orthogonalityError(w);
    expect(err).toBeLessThan(1e-5);
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test.each([[[6, 18]], [[10, 4]], [[5, 5]]])('shape %j: equals tfjs\'s Orthogonal for the same seed', (shape) => {
    tf.tidy(() => {
      const ours = new FastOrthogonal({seed: 42, gain: 1.5}).apply(shape as number[]);
      const theirs = tf.initializers.orthogonal({seed: 42, gain: 1.5}).apply(shape as number[]);
      expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-5);
    });
  });

  test('bad shapes and gains are refused', () => {
    expect(() => new FastOrthogonal().apply([5])).toThrow('FastOrthogonal: shape must be at least 2-D with known positive sizes, got [5]');
    expect(() => new FastOrthogonal({gain: NaN})).toThrow('FastOrthogonal: gain must be a finite number, got null');
  });
});

describe('our GRUs use it for \'orthogonal\'', () => {
  test('KerasGRU\'s default recurrent initializer is FastOrthogonal, saved as Keras\'s Orthogonal', () => {
    const layer = gru({units: 8});
    layer.apply(tf.zeros([1, 2, 3]));
    const cell = layer.cell as unknown as KerasGRUCell;
    expect(orthogonalityError(layer.getWeights()[1])).toBeLessThan(1e-5);
    expect(cell.getConfig().recurrentInitializer).toEqual({className: 'Orthogonal', config: {gain: 1, seed: null}});
    // a Keras model.json's {class_name: 'Orthogonal', config: {gain, seed}} resolves to it too
    const fromJson = gru({units: 4, recurrentInitializer: {className: 'Orthogonal', config: {gain: 2, seed: 3}}});
    fromJson.apply(tf.zeros([1, 2, 3]));
    const rk = fromJson.getWeights()[1];
    expect(orthogonalityError(tf.div(rk, 2))).toBeLessThan(1e-5);
    layer.dispose();
    fromJson.dispose();
  });
});

describe('loading a model does not run the initialisers', () => {
  const dir = path.join(defaultFixturesDir(), 'stacks', 'keras_model_masking_bidi_ra1');

  test('tf.loadLayersModel with weights builds with zeros (tfjs\'s fastWeightInit): no orthogonal QR; without weights it runs', async () => {
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const bin = fs.readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
    const artifacts = {modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: any) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)};
    const spy = jest.spyOn(FastOrthogonal.prototype, 'apply');
    const restore = registerKerasGru();
    try {
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      expect(spy).not.toHaveBeenCalled();
      loaded.dispose();
      const fresh = await tf.models.modelFromJSON({modelTopology: json.modelTopology} as any);
      expect(spy).toHaveBeenCalledTimes(4);  // 2 Bidirectional layers × 2 directions
      fresh.dispose();
    } finally {
      restore();
      spy.mockRestore();
    }
  });
});
