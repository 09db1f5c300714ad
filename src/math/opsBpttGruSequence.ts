import * as tf from '@tensorflow/tfjs';

import {activationNameOf, ActivationFn} from './activations';
import type {GruKernelWeights, GruSequenceOptions, GruSequenceResult} from './gruSequence';
import {timeSteps} from './timeSteps';

/**
 * gruSequence on tfjs ops with a hand-written BPTT, for backends without a
 * whole-sequence kernel (webgl, or any backend in kernel mode 'ops').
 *
 * The recurrence is one tf.customGrad op over the input projection P [B, T, 3U]
 * (computed before it by the caller, so tfjs differentiates the projection, its
 * bias and input dropout as one whole-sequence matmul), h0, R and the recurrent
 * bias. Its forward pass is the plain per-step loop; while the tape records it
 * keeps only each step's h_prev, the gates, the candidate and (reset-after) the
 * candidate's recurrent part, not a tape of every op. Its backward pass walks the
 * steps back once, and the weight gradients are whole-sequence matmuls
 * (dR = H_prevᵀ · dG over all T·B rows) instead of T small ones.
 *
 * The derivatives are the ones tfjs's own gradients use (tanh: 1 − y², sigmoid:
 * y(1 − y), hardSigmoid: 0.2 inside (0, 1), relu: y > 0, linear: 1), so results
 * agree with the tape-differentiated loop to float32 rounding (tests check it).
 */

/** act'(x) written from y = act(x); `one` is a scalar 1 made once per backward pass. */
type Derivative = (y: tf.Tensor, one: tf.Scalar) => tf.Tensor;

/** act'(x) written from y = act(x), for the activations this path takes. */
const DERIVATIVES: Record<string, Derivative> = {
  tanh: (y, one) => tf.sub(one, tf.square(y)),
  sigmoid: (y, one) => tf.mul(y, tf.sub(one, y)),
  hardSigmoid: (y) => tf.mul(tf.cast(tf.logicalAnd(tf.greater(y, 0), tf.less(y, 1)), 'float32'), 0.2),
  linear: (y) => tf.onesLike(y),
  relu: (y) => tf.cast(tf.greater(y, 0), 'float32'),
};

function derivativeOf(fn: ActivationFn): Derivative|undefined {
  const name = activationNameOf(fn);
  return name == null ? undefined : DERIVATIVES[name];
}

/** Why this path cannot run the call (null: it can); the tape-differentiated loop runs instead. */
export function opsBpttUnsupported(options: GruSequenceOptions, hasRecurrentBias: boolean): string|null {
  if (options.recurrentMasks != null) return 'recurrent dropout';
  if (derivativeOf(options.activation) == null) return 'activation';
  if (derivativeOf(options.recurrentActivation) == null) return 'recurrent activation';
  if (hasRecurrentBias && !options.resetAfter) return 'recurrent bias without resetAfter';
  return null;
}

/** What one step keeps for the backward pass (in this order; SAVED_PER_STEP tensors). */
interface Saved {
  hPrev: tf.Tensor2D;
  /** [r | z] after the recurrent activation, [B, 2U], and its two blocks. */
  rz: tf.Tensor2D;
  r: tf.Tensor2D;
  z: tf.Tensor2D;
  /** The candidate hh, [B, U]. */
  c: tf.Tensor2D;
  /** reset-after: (h·R + rb)'s candidate block; reset-before: r ⊙ h_prev. */
  extra: tf.Tensor2D;
}
const SAVED_PER_STEP = 6;

/**
 * Runs the sequence (see the module comment). `projected` is x·W (+ input bias) for
 * all steps, [B, T, 3U] in canonical r | z | h blocks. Same contract and results as
 * opsGruSequence; the caller checks opsBpttUnsupported first.
 */
export function opsBpttGruSequence(
    projected: tf.Tensor3D, h0: tf.Tensor2D, weights: GruKernelWeights, options: GruSequenceOptions): GruSequenceResult {
  const [batch, time] = projected.shape;
  const units = h0.shape[1];
  const {activation, recurrentActivation, resetAfter} = options;
  const act = derivativeOf(activation)!;
  const recAct = derivativeOf(recurrentActivation)!;
  const sequences = options.returnSequences === true;
  const rb = resetAfter ? weights.recurrentBias : null;
  const recording = tf.engine().isTapeOn();

  return tf.tidy(() => {
    // Masks per step as bool [B, U] (forward) and 0/1 floats [B, U] (backward), processing index t.
    let keep: tf.Tensor2D[]|null = null;
    let keepF: tf.Tensor2D[]|null = null;
    if (options.mask != null) {
      const m = options.mask;
      if (m.rank !== 2 || m.shape[0] !== batch || m.shape[1] !== time) {
        throw new Error(`gruSequence: mask must have shape [${batch}, ${time}], got [${m.shape}]`);
      }
      const tiled = tf.tile(tf.expandDims(tf.cast(m, 'float32'), 2), [1, 1, units]);
      keep = timeSteps<tf.Tensor2D>(tf.greater(tiled, 0.5));
      keepF = keep.map((k) => tf.cast(k, 'float32'));
    }
    const inputs: tf.Tensor[] = [projected, h0, weights.recurrentKernel, ...(rb != null ? [rb] : [])];

    const op = tf.customGrad((...args: Array<tf.Tensor|tf.GradSaveFunc>) => {
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const R = weights.recurrentKernel;
      const Rg = tf.slice(R, [0, 0], [units, 2 * units]);
      const Rc = tf.slice(R, [0, 2 * units], [units, units]);
      const pGates = timeSteps<tf.Tensor2D>(tf.slice(projected, [0, 0, 0], [batch, time, 2 * units]));
      const pCand = timeSteps<tf.Tensor2D>(tf.slice(projected, [0, 0, 2 * units], [batch, time, units]));

      let h = h0;
      let out: tf.Tensor2D = tf.zerosLike(h0);
      const outs: tf.Tensor2D[] = [];
      const saved: Saved[] = [];
      for (let i = 0; i < time; i++) {
        const t = options.goBackwards ? time - 1 - i : i;
        let rz: tf.Tensor2D;
        let c: tf.Tensor2D;
        let extra: tf.Tensor2D;
        let hR: tf.Tensor2D|null = null;
        if (resetAfter) {
          const hRb: tf.Tensor2D = rb != null ? tf.add(tf.matMul(h, R), rb) as tf.Tensor2D : tf.matMul(h, R);
          hR = hRb;
          rz = recurrentActivation(tf.add(pGates[t], tf.slice(hRb, [0, 0], [batch, 2 * units]))) as tf.Tensor2D;
        } else {
          rz = recurrentActivation(tf.add(pGates[t], tf.matMul(h, Rg))) as tf.Tensor2D;
        }
        const [r, z] = tf.split(rz, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
        if (hR != null) {
          extra = tf.slice(hR, [0, 2 * units], [batch, units]);
          c = activation(tf.add(pCand[t], tf.mul(r, extra))) as tf.Tensor2D;
        } else {
          extra = tf.mul(r, h);
          c = activation(tf.add(pCand[t], tf.matMul(extra, Rc))) as tf.Tensor2D;
        }
        const hNew = tf.add(c, tf.mul(z, tf.sub(h, c))) as tf.Tensor2D;
        if (recording) saved.push({hPrev: h, rz, r, z, c, extra});
        if (keep == null) {
          h = hNew;
          out = hNew;
        } else {
          h = tf.where(keep[t], hNew, h);
          out = tf.where(keep[t], hNew, out);
        }
        if (sequences) outs.push(out);
      }
      // One value: the outputs (or the last one) and the final state side by side along axis 1.
      const value = tf.stack([...(sequences ? outs : [out]), h], 1);
      // Everything the backward pass reads must be saved: the tidy scopes of this call end before it runs.
      if (recording) save([R, ...(keepF ?? []), ...saved.flatMap((s) => [s.hPrev, s.rz, s.r, s.z, s.c, s.extra])]);

      const gradFunc = (dy: tf.Tensor, kept: tf.Tensor[]) => {
        const Rk = kept[0] as tf.Tensor2D;
        const Rgk = tf.slice(Rk, [0, 0], [units, 2 * units]);
        const Rck = tf.slice(Rk, [0, 2 * units], [units, units]);
        const masks = keepF == null ? null : kept.slice(1, 1 + time) as tf.Tensor2D[];
        const base = 1 + (masks?.length ?? 0);
        const steps = (kept.length - base) / SAVED_PER_STEP;
        const at = (i: number): Saved => {
          const [hPrev, rz, r, z, c, extra] = kept.slice(base + SAVED_PER_STEP * i, base + SAVED_PER_STEP * (i + 1)) as tf.Tensor2D[];
          return {hPrev, rz, r, z, c, extra};
        };
        const one = tf.scalar(1);
        const dParts = tf.unstack(dy, 1) as tf.Tensor2D[];
        let gState: tf.Tensor = dParts[dParts.length - 1];
        let gOut: tf.Tensor|null = sequences ? null : dParts[0];
        const dP: tf.Tensor[] = new Array(time);
        const dG: tf.Tensor[] = new Array(steps);  // reset-after: [drz | dhRc]; reset-before: drz
        const dC: tf.Tensor[] = new Array(steps);  // reset-before: dc_pre
        for (let i = steps - 1; i >= 0; i--) {
          const t = options.goBackwards ? time - 1 - i : i;
          const s = at(i);
          if (sequences) gOut = gOut == null ? dParts[i] : tf.add(gOut, dParts[i]);
          let dhNew: tf.Tensor;
          let carried: tf.Tensor|null = null;
          if (masks == null) {
            dhNew = gOut == null ? gState : tf.add(gOut, gState);
            gOut = null;
          } else {
            const k = masks[t];
            const sum = gOut == null ? gState : tf.add(gOut, gState);
            dhNew = tf.mul(k, sum);
            const drop = tf.sub(one, k);
            if (gOut != null) gOut = tf.mul(drop, gOut);
            carried = tf.mul(drop, gState);
          }
          const {r, z} = s;
          const dz = tf.mul(dhNew, tf.sub(s.hPrev, s.c));
          const dcPre = tf.mul(tf.mul(dhNew, tf.sub(one, z)), act(s.c, one)) as tf.Tensor2D;
          let dhPrev: tf.Tensor = tf.mul(dhNew, z);
          if (resetAfter) {
            const drzPre = tf.mul(tf.concat([tf.mul(dcPre, s.extra), dz], 1), recAct(s.rz, one)) as tf.Tensor2D;
            const dHR = tf.concat([drzPre, tf.mul(dcPre, r)], 1);
            dG[i] = dHR;
            dhPrev = tf.add(dhPrev, tf.matMul(dHR, Rk, false, true));
            dP[t] = tf.concat([drzPre, dcPre], 1);
          } else {
            const dRh = tf.matMul(dcPre, Rck, false, true);
            const drzPre = tf.mul(tf.concat([tf.mul(dRh, s.hPrev), dz], 1), recAct(s.rz, one)) as tf.Tensor2D;
            dG[i] = drzPre;
            dC[i] = dcPre;
            dhPrev = tf.addN([dhPrev, tf.mul(dRh, r), tf.matMul(drzPre, Rgk, false, true)]);
            dP[t] = tf.concat([drzPre, dcPre], 1);
          }
          gState = carried == null ? dhPrev : tf.add(carried, dhPrev);
        }
        // Weight gradients over all T·B rows at once.
        const hPrevAll = tf.concat(Array.from({length: steps}, (_, i) => at(i).hPrev), 0);
        const dGAll = tf.concat(dG, 0);
        let dR: tf.Tensor;
        if (resetAfter) {
          dR = tf.matMul(hPrevAll, dGAll, true, false);
        } else {
          const rhAll = tf.concat(Array.from({length: steps}, (_, i) => at(i).extra), 0);
          dR = tf.concat([tf.matMul(hPrevAll, dGAll, true, false), tf.matMul(rhAll, tf.concat(dC, 0), true, false)], 1);
        }
        return [tf.stack(dP, 1), gState, dR, ...(rb != null ? [tf.sum(dGAll, 0)] : [])];
      };
      return {value, gradFunc};
    });

    const value = op(...inputs);
    const last = sequences ? time : 1;
    const state = tf.reshape(tf.slice(value, [0, last, 0], [batch, 1, units]), [batch, units]) as tf.Tensor2D;
    const outputs = sequences ? tf.slice(value, [0, 0, 0], [batch, time, units]) as tf.Tensor3D : null;
    const lastOutput = tf.reshape(tf.slice(value, [0, last - 1, 0], [batch, 1, units]), [batch, units]) as tf.Tensor2D;
    return {outputs, lastOutput, state} as unknown as tf.TensorContainer;
  }) as unknown as GruSequenceResult;
}
