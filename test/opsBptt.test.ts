// The tfjs-op path with the hand-written BPTT (what webgl runs, and any backend in
// kernel mode 'ops') against the per-step op loop differentiated by tfjs's tape:
// outputs, final state and gradients w.r.t. every input, over randomized shapes
// and every sequence option, plus per-gate input dropout (which the kernels lack).
import * as tf from '@tensorflow/tfjs';

import {getActivation} from '../src';
import {sequenceKernelDescription, sequenceKernelFor, setSequenceKernelMode} from '../src/kernels/registry';
import {gruSequence, opsGruSequence} from '../src/math/gruSequence';
import {opsBpttGruSequence, opsBpttUnsupported} from '../src/math/opsBpttGruSequence';
import {cases, expectSameRun, run} from './helpers/gruCases';
import {expectNoNewTensors, rng} from './helpers/tensors';

/** gruSequence in kernel mode 'ops': the hand-written BPTT on tfjs ops. */
const opsBptt: typeof gruSequence = (...args) => {
  setSequenceKernelMode('ops');
  try {
    return gruSequence(...args);
  } finally {
    setSequenceKernelMode('auto');
  }
};

function withPerGateDropout(n: number, seed: number) {
  const rand = rng(seed);
  return cases(n, seed).map((c) => ({...c, perGateDropout: rand() < 0.3}));
}

describe('tfjs ops with the hand-written BPTT == the tape-differentiated loop', () => {
  afterEach(() => setSequenceKernelMode('auto'));

  const all = withPerGateDropout(40, 20261203);
  test.each(all.map((c, i) => [i, JSON.stringify(c), c] as const))('case %i %s', (i, _s, c) => {
    const seed = 3000 + 13 * i;
    const fast = run(c, seed, opsBptt);
    const tape = run(c, seed, opsGruSequence);
    expectSameRun(fast, tape);
  });

  test('no tensor leaks, inference and gradients', async () => {
    const c = all[all.length - 1];
    tf.dispose(run(c, 5, opsBptt) as unknown as tf.TensorContainer);
    await expectNoNewTensors(() => tf.dispose(run(c, 5, opsBptt) as unknown as tf.TensorContainer));
  });

  test("mode 'ops' runs it, mode 'tape' does not, and both say so", () => {
    setSequenceKernelMode('ops');
    expect(sequenceKernelFor(tf.getBackend())).toBeNull();
    expect(sequenceKernelDescription(tf.getBackend())).toMatch(/hand-written BPTT/);
    setSequenceKernelMode('tape');
    expect(sequenceKernelFor(tf.getBackend())).toBeNull();
    expect(sequenceKernelDescription(tf.getBackend())).toMatch(/tape/);
    expect(() => setSequenceKernelMode('fast' as never)).toThrow(/one of auto, ops, tape, got 'fast'/);
  });

  test('what it does not take: recurrent dropout, activations without a known derivative', () => {
    const base = {resetAfter: true, activation: getActivation('tanh'), recurrentActivation: getActivation('sigmoid')};
    expect(opsBpttUnsupported(base, true)).toBeNull();
    const m = tf.ones([1, 2]) as tf.Tensor2D;
    expect(opsBpttUnsupported({...base, recurrentMasks: [m, m, m]}, true)).toBe('recurrent dropout');
    expect(opsBpttUnsupported({...base, activation: getActivation('softsign')}, true)).toBe('activation');
    expect(opsBpttUnsupported({...base, recurrentActivation: getActivation('elu')}, true)).toBe('recurrent activation');
    expect(opsBpttUnsupported({...base, resetAfter: false}, true)).toBe('recurrent bias without resetAfter');
    m.dispose();
  });

  test('called directly: the projection is the caller\'s, gradients reach it', () => {
    const [B, T, U] = [2, 3, 4];
    const grads = tf.tidy(() => {
      const P = tf.randomNormal([B, T, 3 * U], 0, 1, 'float32', 1) as tf.Tensor3D;
      const h0 = tf.randomNormal([B, U], 0, 1, 'float32', 2) as tf.Tensor2D;
      const R = tf.randomNormal([U, 3 * U], 0, 0.3, 'float32', 3) as tf.Tensor2D;
      const w = {inputKernel: tf.zeros([1, 3 * U]) as tf.Tensor2D, recurrentKernel: R, inputBias: null, recurrentBias: null};
      const o = {resetAfter: false, activation: getActivation('tanh'), recurrentActivation: getActivation('sigmoid'),
        returnSequences: true};
      const g = tf.grads((p: tf.Tensor) => tf.sum(opsBpttGruSequence(p as tf.Tensor3D, h0, w, o).outputs!))([P]);
      return g[0].shape;
    });
    expect(grads).toEqual([B, T, 3 * U]);
  });
});
