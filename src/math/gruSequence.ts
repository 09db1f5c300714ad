import * as tf from '@tensorflow/tfjs';

import {sequenceKernelFor, sequenceKernelMode} from '../kernels/registry';
import {canonicalSource, KernelWeightSource} from '../kernels/weightSource';
import {ActivationFn} from './activations';
import {kernelGruSequence, kernelUnsupported, WantedResults} from './kernelGruSequence';
import {opsBpttGruSequence, opsBpttUnsupported} from './opsBpttGruSequence';
import {tidyObject} from './tidy';
import {timeSteps} from './timeSteps';

/**
 * The weights of one GRU layer in the kernel's canonical layout.
 *
 * Column blocks are ordered r | z | h (reset, update, candidate) in every
 * matrix and bias; this is TF1's own order once its gates and candidate
 * matrices are put side by side, and converters map every other layout to it.
 * @category Backends and kernels
 */
export interface GruKernelWeights {
  /** `[D, 3U]`: multiplies the input x. */
  inputKernel: tf.Tensor2D;
  /** `[U, 3U]`: multiplies the state h. */
  recurrentKernel: tf.Tensor2D;
  /** [3U] added to the input projection, or null for none. */
  inputBias: tf.Tensor1D|null;
  /** [3U] added to h·R (reset-after only), or null for none. */
  recurrentBias: tf.Tensor1D|null;
}

/**
 * How {@link gruSequence} runs: reset convention, activations, direction, masking, dropout masks.
 * @category Backends and kernels
 */
export interface GruSequenceOptions {
  /**
   * false: reset before the candidate matmul, hh = act(x·Wh + bh + (r⊙h)·Rh)
   *        (TF1 GRUCell, Keras reset_after=False, tfjs).
   * true:  reset after it, hh = act(x·Wh + bh + r⊙(h·Rh + rbh))
   *        (Keras reset_after=True, CuDNN, PyTorch).
   */
  resetAfter: boolean;
  activation: ActivationFn;
  recurrentActivation: ActivationFn;
  /** Process the time steps last to first; outputs are stacked in processing order. */
  goBackwards?: boolean;
  /** [B, T] (bool or 0/1): a step whose mask is 0 carries output and state through. */
  mask?: tf.Tensor|null;
  /** Keep the output of every step (else only the last one is returned). */
  returnSequences?: boolean;
  /**
   * Dropout masks on x, fixed across time, one per gate in the order r, z, h
   * (each [B, D]; pass one tensor three times for a mask shared by all gates).
   * Each gate's input projection uses x ⊙ its mask (Keras's dropout).
   */
  inputMasks?: GateMasks|null;
  /**
   * Dropout masks on h, fixed across time, one per gate r, z, h (each [B, U]).
   * Only the recurrent matmuls see h ⊙ mask; the update h' = z ⊙ h + (1 − z) ⊙ hh
   * uses h itself (Keras's recurrent_dropout).
   */
  recurrentMasks?: GateMasks|null;
}

/**
 * Per-gate dropout masks in the canonical order r, z, h.
 * @category Backends and kernels
 */
export type GateMasks = [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];

function sharedMask(masks: GateMasks): tf.Tensor2D|null {
  return masks[0] === masks[1] && masks[1] === masks[2] ? masks[0] : null;
}

/** x ⊙ mask for every time step, as [B·T, D]. */
function maskedSteps(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  const [batch, time, inputDim] = x.shape;
  return tf.reshape(tf.mul(x, tf.expandDims(mask, 1)), [batch * time, inputDim]);
}

/** The input projection of all steps [B·T, 3U], each gate's block from x ⊙ its mask. */
function projectInputs(x: tf.Tensor3D, W: tf.Tensor2D, masks: GateMasks|null|undefined): tf.Tensor2D {
  const [batch, time, inputDim] = x.shape;
  if (masks == null) return tf.matMul(tf.reshape(x, [batch * time, inputDim]), W);
  const shared = sharedMask(masks);
  if (shared != null) return tf.matMul(maskedSteps(x, shared), W);
  const units = W.shape[1] / 3;
  return tf.concat(masks.map((m, g) => tf.matMul(maskedSteps(x, m), tf.slice(W, [0, g * units], [inputDim, units]))), 1) as tf.Tensor2D;
}

/** [h⊙m_0 · R_0 | h⊙m_1 · R_1 | ...] over the column blocks of R (R's blocks are `units` wide). */
function recurrentMatMul(h: tf.Tensor2D, R: tf.Tensor2D, masks: tf.Tensor2D[]|null): tf.Tensor2D {
  if (masks == null) return tf.matMul(h, R);
  const units = h.shape[1];
  if (masks.every((m) => m === masks[0])) return tf.matMul(tf.mul(h, masks[0]), R);
  return tf.concat(masks.map((m, g) => tf.matMul(tf.mul(h, m), tf.slice(R, [0, g * units], [units, units]))), 1) as tf.Tensor2D;
}

/** A GruSequenceResult whose unwanted results may be null (runGruSequence). */
export interface PartialGruSequenceResult {
  outputs: tf.Tensor3D|null;
  lastOutput: tf.Tensor2D|null;
  state: tf.Tensor2D|null;
}

/**
 * What {@link gruSequence} returns: every step's output (if asked), the last output and the final state.
 * @category Backends and kernels
 */
export interface GruSequenceResult {
  /** [B, T, U] when returnSequences, else null. */
  outputs: tf.Tensor3D|null;
  /** `[B, U]`: the output of the last processed step. */
  lastOutput: tf.Tensor2D;
  /** `[B, U]`: the final state. */
  state: tf.Tensor2D;
}

/**
 * Runs a GRU over a whole sequence x [B, T, D] from the state h0 [B, U].
 *
 * The input of all time steps is projected in one matmul [B·T, D] × [D, 3U]
 * before the loop; only h·R stays inside it. Masked steps follow Keras: the
 * state is carried through and the output repeats the previous step's output
 * (zeros before the first step). Differentiable by tfjs's tape. Returns new
 * tensors only; everything intermediate is disposed.
 *
 * Where the active backend has a whole-sequence kernel (src/kernels/registry.ts:
 * native OpenBLAS on tfjs-node, SIMD wasm on wasm and cpu) and the call needs
 * nothing it lacks (see kernelUnsupported), that kernel runs the sequence with
 * its own BPTT; otherwise the loop below runs on tfjs ops. `source`, when
 * given, is how the caller's own weight tensors map to `weights` without tfjs
 * ops (src/kernels/weightSource.ts); `weights` is then read only by the op path.
 * @category Backends and kernels
 */
export function gruSequence(
    x: tf.Tensor3D, h0: tf.Tensor2D, weights: GruKernelWeights,
    options: GruSequenceOptions): GruSequenceResult {
  return runGruSequence(x, h0, () => weights, options) as GruSequenceResult;
}

const ALL_RESULTS: WantedResults = {outputs: true, lastOutput: true, state: true};

/**
 * gruSequence for callers with weights of their own layout: `weights` builds
 * the canonical tensors (by tfjs ops; only the op path calls it), `source`
 * gives the kernels the caller's tensors directly (src/kernels/weightSource.ts).
 * Results the caller does not want may come back null (only on the kernel path).
 */
export function runGruSequence(
    x: tf.Tensor3D, h0: tf.Tensor2D, weights: () => GruKernelWeights, options: GruSequenceOptions,
    source?: KernelWeightSource, wanted: WantedResults = ALL_RESULTS): PartialGruSequenceResult {
  const inputDim = x.shape[2];
  if (x.shape[1] < 1) {
    throw new Error(`gruSequence: x must have at least one time step, got shape [${x.shape}]`);
  }
  const kernel = x.dtype === 'float32' ? sequenceKernelFor(tf.getBackend()) : null;
  if (kernel != null) {
    const src = source ?? sourceOf(weights());
    if (kernelUnsupported(src.hasRecurrentBias, options) == null) {
      checkInputSize(inputDim, src.inputSize);
      const want = {...wanted, outputs: wanted.outputs && options.returnSequences === true};
      return kernelGruSequence(kernel, x, h0, src, options, want);
    }
  }
  return tidyObject(() => {
    const w = weights();
    checkInputSize(inputDim, w.inputKernel.shape[0]);
    if (sequenceKernelMode() !== 'tape' && opsBpttUnsupported(options, w.recurrentBias != null) == null) {
      return opsBpttGruSequence(projectAll(x, w, options), h0, w, options);
    }
    return opsGruSequence(x, h0, w, options);
  });
}

/** The input projection of every step with its bias, [B, T, 3U] (tfjs differentiates it). */
function projectAll(x: tf.Tensor3D, w: GruKernelWeights, options: GruSequenceOptions): tf.Tensor3D {
  const [batch, time] = x.shape;
  let projected = projectInputs(x, w.inputKernel, options.inputMasks);
  if (w.inputBias != null) projected = tf.add(projected, w.inputBias);
  return tf.reshape(projected, [batch, time, projected.shape[1]]);
}

function sourceOf(w: GruKernelWeights): KernelWeightSource {
  return canonicalSource(w.inputKernel, w.recurrentKernel, w.inputBias, w.recurrentBias);
}

function checkInputSize(actual: number, expected: number): void {
  if (actual !== expected) {
    throw new Error(`gruSequence: x has ${actual} features, the input kernel expects ${expected}`);
  }
}

/**
 * gruSequence on tfjs ops, one loop iteration per time step, differentiated by
 * tfjs's tape (any backend, every option): the reference the fast paths are tested
 * against, and what runs for what they lack (recurrent dropout, other activations).
 */
export function opsGruSequence(
    x: tf.Tensor3D, h0: tf.Tensor2D, weights: GruKernelWeights,
    options: GruSequenceOptions): GruSequenceResult {
  const [batch, time] = x.shape;
  const units = h0.shape[1];
  return tidyObject(() => {
    const {activation, recurrentActivation, resetAfter} = options;

    const perStep = timeSteps<tf.Tensor2D>(projectAll(x, weights, options));
    const stepMasks = options.mask == null ? null :
        timeSteps<tf.Tensor2D>(tf.greater(tf.tile(tf.expandDims(tf.cast(options.mask, 'float32'), 2), [1, 1, units]), 0.5));
    if (stepMasks != null && stepMasks.length !== time) {
      throw new Error(`gruSequence: mask has ${stepMasks.length} time steps, x has ${time}`);
    }

    const R = weights.recurrentKernel;
    const recurrentGates = tf.slice(R, [0, 0], [units, 2 * units]);
    const recurrentCandidate = tf.slice(R, [0, 2 * units], [units, units]);

    const recMasks = options.recurrentMasks ?? null;

    let h: tf.Tensor2D = h0;
    let output: tf.Tensor2D = tf.zerosLike(h0);
    const outputs: tf.Tensor2D[] = [];
    for (let i = 0; i < time; i++) {
      const t = options.goBackwards ? time - 1 - i : i;
      const xt = perStep[t];
      const xGates = tf.slice(xt, [0, 0], [batch, 2 * units]);
      const xCandidate = tf.slice(xt, [0, 2 * units], [batch, units]);

      let hNew: tf.Tensor2D;
      if (resetAfter) {
        let hR = recurrentMatMul(h, R, recMasks);
        if (weights.recurrentBias != null) hR = tf.add(hR, weights.recurrentBias);
        const rz = recurrentActivation(tf.add(xGates, tf.slice(hR, [0, 0], [batch, 2 * units])));
        const r = tf.slice(rz, [0, 0], [batch, units]);
        const z = tf.slice(rz, [0, units], [batch, units]);
        const hh = activation(tf.add(xCandidate, tf.mul(r, tf.slice(hR, [0, 2 * units], [batch, units]))));
        hNew = tf.add(hh, tf.mul(z, tf.sub(h, hh))) as tf.Tensor2D;
      } else {
        const rz = recurrentActivation(
            tf.add(xGates, recurrentMatMul(h, recurrentGates, recMasks && recMasks.slice(0, 2))));
        const r = tf.slice(rz, [0, 0], [batch, units]);
        const z = tf.slice(rz, [0, units], [batch, units]);
        const hCandidate = recMasks == null ? h : tf.mul(h, recMasks[2]);
        const hh = activation(tf.add(xCandidate, tf.matMul(tf.mul(r, hCandidate), recurrentCandidate)));
        hNew = tf.add(hh, tf.mul(z, tf.sub(h, hh))) as tf.Tensor2D;
      }

      if (stepMasks == null) {
        h = hNew;
        output = hNew;
      } else {
        const m = stepMasks[t];
        h = tf.where(m, hNew, h);
        output = tf.where(m, hNew, output);
      }
      if (options.returnSequences) outputs.push(output);
    }
    return {
      outputs: options.returnSequences ? tf.stack(outputs, 1) as tf.Tensor3D : null,
      lastOutput: output,
      state: h,
    };
  });
}
