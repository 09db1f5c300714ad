import * as tf from '@tensorflow/tfjs';

import {caseTensor, FixtureCase, hasTensor} from '../fixtures/fixtureSet';
import {tf1Gru} from '../layers/tf1Gru';
import {fuseTF1Weights, splitTF1Weights, TF1GruWeights} from '../unfused/explicitWeights';
import {unfusedGru} from '../unfused/unfusedGru';
import {convertWeights} from '../weights/convert';
import {installUnpackGradientFix} from './unpackGradientFix';
import {runLayerWithGradients} from './layerGradients';
import {failed, GRADIENT_TOLERANCE, measured, OUTPUT_TOLERANCE, QuantityResult} from './result';

/** What one implementation computes on a TF1 case. */
export interface Tf1Run {
  /** [B, T, U], every step. */
  outputs: tf.Tensor3D;
  state: tf.Tensor2D;
  /** d loss / d each TF1 variable, and d loss / d x and h0. */
  grads: Record<string, tf.Tensor>;
}

export interface Tf1Inputs {
  x: tf.Tensor3D;
  h0: tf.Tensor2D;
  /** [B, T] 0/1 from sequence_length, or null. */
  mask: tf.Tensor2D|null;
  /** The loss is sum(outputs ⊙ g); g is zero at padded steps. */
  g: tf.Tensor3D;
  weights: TF1GruWeights;
}

const TF1_VARIABLES = ['gates/kernel', 'gates/bias', 'candidate/kernel', 'candidate/bias'] as const;

function loss(outputs: tf.Tensor, g: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(outputs, g));
}

/** Runs a layer on a TF1 case and maps its weight gradients to TF1's variables. */
function runLayer(
    inputs: Tf1Inputs, layer: tf.layers.Layer, weights: tf.Tensor[],
    gradsToTf1: (grads: tf.Tensor[]) => TF1GruWeights): Tf1Run {
  const run = runLayerWithGradients(layer, weights, inputs);
  try {
    return {
      outputs: run.output as tf.Tensor3D,
      state: run.state as tf.Tensor2D,
      grads: {...gradsToTf1(run.weightGrads), x: run.gradX, h0: run.gradH0},
    };
  } finally {
    tf.dispose(run.weightGrads);
  }
}

/** The implementations verify compares with TensorFlow on every TF1 case. */
export const TF1_IMPLEMENTATIONS: Record<string, (inputs: Tf1Inputs) => Tf1Run> = {
  'TF1GRU': (inputs) => {
    const units = inputs.h0.shape[1];
    const w = inputs.weights;
    return runLayer(
        inputs, tf1Gru({units, returnSequences: true, returnState: true}),
        TF1_VARIABLES.map((n) => w[n]),
        ([gk, gb, ck, cb]) => ({
          'gates/kernel': tf.clone(gk) as tf.Tensor2D, 'gates/bias': tf.clone(gb) as tf.Tensor1D,
          'candidate/kernel': tf.clone(ck) as tf.Tensor2D, 'candidate/bias': tf.clone(cb) as tf.Tensor1D,
        }));
  },

  'tf.layers.gru': (inputs) => {
    installUnpackGradientFix();
    const units = inputs.h0.shape[1];
    const k = convertWeights(inputs.weights, 'tf1', 'keras');
    try {
      return runLayer(
          inputs,
          tf.layers.gru({
            units, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid',
            activation: 'tanh', recurrentInitializer: 'zeros',
          }),
          [k.kernel, k.recurrent_kernel, k.bias],
          ([kernel, recurrent, bias]) =>
              convertWeights({kernel, recurrent_kernel: recurrent, bias}, 'keras', 'tf1'));
    } finally {
      tf.dispose([k.kernel, k.recurrent_kernel, k.bias]);
    }
  },

  'unfused reference': (inputs) => {
    const explicit = splitTF1Weights(inputs.weights);
    const names = Object.keys(explicit) as Array<keyof typeof explicit>;
    try {
      const forward = (x: tf.Tensor3D, h0: tf.Tensor2D, w: typeof explicit) =>
          unfusedGru(x, h0, w, {mask: inputs.mask ?? undefined});
      const {outputs, state} = forward(inputs.x, inputs.h0, explicit);
      const gradFn = tf.grads((...args: tf.Tensor[]) => {
        const w = Object.fromEntries(names.map((n, i) => [n, args[i + 2]])) as unknown as typeof explicit;
        return loss(forward(args[0] as tf.Tensor3D, args[1] as tf.Tensor2D, w).outputs, inputs.g);
      });
      const g = gradFn([inputs.x, inputs.h0, ...names.map((n) => explicit[n])]);
      const explicitGrads = Object.fromEntries(names.map((n, i) => [n, g[i + 2]])) as unknown as typeof explicit;
      const tf1Grads = fuseTF1Weights(explicitGrads);
      tf.dispose(g.slice(2));
      return {outputs, state, grads: {...tf1Grads, x: g[0], h0: g[1]}};
    } finally {
      tf.dispose(Object.values(explicit));
    }
  },
};

/** [B, T] 0/1 mask from sequence lengths [B]. */
export function lengthMask(lengths: tf.Tensor1D, time: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.less(tf.expandDims(tf.range(0, time, 1, 'int32'), 0), tf.expandDims(lengths, 1)), 'float32') as tf.Tensor2D);
}

function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/**
 * Runs every TF1 implementation on a fixture case and compares outputs (at
 * the valid steps: dynamic_rnn writes zeros to padded ones), the final state
 * and every gradient with TensorFlow's.
 */
export function runTf1Case(c: FixtureCase, only?: string[]): QuantityResult[] {
  const results: QuantityResult[] = [];
  const cfg = c.config;
  const withH0 = cfg.initial_state === true;
  const owned: tf.Tensor[] = [];
  const t = <R extends tf.Rank>(name: string) => {
    const tensor = caseTensor<R>(c, name);
    owned.push(tensor);
    return tensor;
  };
  try {
    const x = t<tf.Rank.R3>('x');
    const [batch, time] = x.shape;
    const h0 = withH0 ? t<tf.Rank.R2>('h0') : tf.zeros([batch, cfg.units]) as tf.Tensor2D;
    if (!withH0) owned.push(h0);
    const mask = cfg.sequence_length === true ? lengthMask(t<tf.Rank.R1>('seq_len'), time) : null;
    if (mask != null) owned.push(mask);
    const inputs: Tf1Inputs = {
      x, h0, mask, g: t<tf.Rank.R3>('g'),
      weights: {
        'gates/kernel': t('gates_kernel'), 'gates/bias': t('gates_bias'),
        'candidate/kernel': t('candidate_kernel'), 'candidate/bias': t('candidate_bias'),
      },
    };
    const refOutputs = t('outputs');
    const refState = t('final_state');
    const validMask = mask == null ? null : tf.expandDims(mask, 2);
    if (validMask != null) owned.push(validMask);

    for (const [impl, run] of Object.entries(TF1_IMPLEMENTATIONS)) {
      if (only != null && !only.includes(impl)) continue;
      let r: Tf1Run|null = null;
      try {
        r = run(inputs);
        const outputs = validMask == null ? r.outputs : tf.mul(r.outputs, validMask);
        results.push(measured(c.name, impl, 'output', maxAbs(outputs, refOutputs), OUTPUT_TOLERANCE));
        if (outputs !== r.outputs) outputs.dispose();
        results.push(measured(c.name, impl, 'state', maxAbs(r.state, refState), OUTPUT_TOLERANCE));
        const gradNames: Array<[string, string]> = [
          ...TF1_VARIABLES.map((v) => [v, 'grad_' + v.replace('/', '_')] as [string, string]),
          ['x', 'grad_x'],
          ...(withH0 ? [['h0', 'grad_h0'] as [string, string]] : []),
        ];
        for (const [ours, ref] of gradNames) {
          if (!hasTensor(c, ref)) {
            results.push({...failed(c.name, impl, `the fixture has no '${ref}'`), quantity: `grad ${ours}`});
            continue;
          }
          const refGrad = t(ref);
          results.push(measured(c.name, impl, `grad ${ours}`, maxAbs(r.grads[ours], refGrad), GRADIENT_TOLERANCE));
        }
      } catch (e) {
        results.push(failed(c.name, impl, (e as Error).message));
      } finally {
        if (r != null) tf.dispose([r.outputs, r.state, ...Object.values(r.grads)]);
      }
    }
  } catch (e) {
    results.push(failed(c.name, '(case)', (e as Error).message));
  } finally {
    tf.dispose(owned);
  }
  return results;
}
