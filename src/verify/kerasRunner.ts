import * as tf from '@tensorflow/tfjs';

import {caseTensor, FixtureCase, hasTensor} from '../fixtures/fixtureSet';
import {gru} from '../layers/kerasGru';
import {runLayerWithGradients} from './layerGradients';
import {failed, GRADIENT_TOLERANCE, measured, OUTPUT_TOLERANCE, QuantityResult} from './result';

/** What the Keras GRU computes on a case: outputs, state, d loss/d [kernel, recurrent_kernel, bias?, x, h0]. */
export interface KerasGruRun {
  output: tf.Tensor;
  state: tf.Tensor;
  grads: Record<string, tf.Tensor>;
}

export interface KerasGruInputs {
  x: tf.Tensor3D;
  h0: tf.Tensor2D;
  mask: tf.Tensor|null;
  /** loss = sum(output ⊙ g) */
  g: tf.Tensor;
  /** Keras's [kernel, recurrent_kernel, bias]. */
  weights: tf.Tensor[];
  resetAfter: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
}

/** Runs this package's Keras GRU with the given weights under variableGrads. New tensors only. */
export function runKerasGru(inputs: KerasGruInputs): KerasGruRun {
  const units = inputs.weights[1].shape[0];
  const layer = gru({
    units, resetAfter: inputs.resetAfter, returnSequences: inputs.returnSequences, goBackwards: inputs.goBackwards,
    returnState: true, recurrentInitializer: 'zeros',
  });
  const run = runLayerWithGradients(layer, inputs.weights, inputs);
  const names = ['kernel', 'recurrent_kernel', 'bias'];
  return {
    output: run.output, state: run.state,
    grads: {...Object.fromEntries(run.weightGrads.map((g, i) => [names[i], g])), x: run.gradX, h0: run.gradH0},
  };
}

/** Compares a run with a case's reference tensors; `refNames` maps our gradient names to the case's. */
export function compareRun(
    c: FixtureCase, impl: string, run: KerasGruRun, refNames: Record<string, string>): QuantityResult[] {
  const diff = (a: tf.Tensor, ref: string) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, caseTensor(c, ref)))).dataSync()[0]);
  {
    const results = [
      measured(c.name, impl, 'output', diff(run.output, 'output'), OUTPUT_TOLERANCE),
      measured(c.name, impl, 'state', diff(run.state, 'final_state'), OUTPUT_TOLERANCE),
    ];
    for (const [ours, ref] of Object.entries(refNames)) {
      // Without an initial state a Keras case has no d/d h0; nothing else may be missing.
      if (ours === 'h0' && !hasTensor(c, 'h0') && !hasTensor(c, ref)) continue;
      if (run.grads[ours] == null || !hasTensor(c, ref)) {
        const missing = run.grads[ours] == null ? `${impl} computed no gradient for ${ours}` : `the fixture has no '${ref}'`;
        results.push({...failed(c.name, impl, missing), quantity: `grad ${ours}`});
        continue;
      }
      results.push(measured(c.name, impl, `grad ${ours}`, diff(run.grads[ours], ref), GRADIENT_TOLERANCE));
    }
    return results;
  }
}

/** The inputs of a Keras or PyTorch case, with `weights` in Keras's layout. */
export function caseInputs(c: FixtureCase, weights: tf.Tensor[], resetAfter: boolean): KerasGruInputs {
  const cfg = c.config;
  const x = caseTensor<tf.Rank.R3>(c, 'x');
  return {
    x, weights, resetAfter,
    h0: hasTensor(c, 'h0') ? caseTensor<tf.Rank.R2>(c, 'h0') : tf.zeros([x.shape[0], cfg.units]),
    mask: hasTensor(c, 'mask') ? caseTensor(c, 'mask') : null,
    g: caseTensor(c, 'g'),
    returnSequences: cfg.return_sequences ?? true,
    goBackwards: cfg.go_backwards ?? false,
  };
}

/** Runs and compares one implementation, disposing everything it made. */
export function runAndCompare(
    c: FixtureCase, impl: string, inputs: KerasGruInputs, refNames: Record<string, string>,
    mapGrads: (run: KerasGruRun) => KerasGruRun = (r) => r): QuantityResult[] {
  let run: KerasGruRun|null = null;
  let mapped: KerasGruRun|null = null;
  try {
    run = runKerasGru(inputs);
    mapped = mapGrads(run);
    return compareRun(c, impl, mapped, refNames);
  } catch (e) {
    return [failed(c.name, impl, (e as Error).message)];
  } finally {
    const all = new Set<tf.Tensor>();
    for (const r of [run, mapped]) if (r != null) [r.output, r.state, ...Object.values(r.grads)].forEach((t) => all.add(t));
    tf.dispose([...all, inputs.x, inputs.h0, inputs.g, ...(inputs.mask ? [inputs.mask] : [])]);
  }
}

/** verify's runner for Keras cases: the Keras GRU (KerasGRU) against tf.keras, outputs, state and every gradient. */
export function runKerasCase(c: FixtureCase): QuantityResult[] {
  const weights = ['kernel', 'recurrent_kernel', 'bias'].map((n) => caseTensor(c, n));
  try {
    return runAndCompare(c, 'KerasGRU', caseInputs(c, weights, c.config.reset_after === true), {
      kernel: 'grad_kernel', recurrent_kernel: 'grad_recurrent_kernel', bias: 'grad_bias', x: 'grad_x', h0: 'grad_h0',
    });
  } finally {
    tf.dispose(weights);
  }
}
