import * as tf from '@tensorflow/tfjs';

import {ACTIVATION_CODES, SequenceKernel, SequenceKernelDims, SequenceKernelInputs} from '../kernels/sequenceKernel';
import {CanonicalArrays, KernelWeightSource} from '../kernels/weightSource';
import {activationNameOf} from './activations';
import type {GruKernelWeights, GruSequenceOptions, GruSequenceResult} from './gruSequence';

/**
 * Why `kernel` cannot run this call exactly (null: it can). The tfjs-op path
 * then runs instead: per-gate dropout masks and recurrent dropout change the
 * products inside the loop, and activations other than the kernel's need tfjs.
 */
export function kernelUnsupported(hasRecurrentBias: boolean, options: GruSequenceOptions): string|null {
  if (options.recurrentMasks != null) return 'recurrent dropout';
  const m = options.inputMasks;
  if (m != null && !(m[0] === m[1] && m[1] === m[2])) return 'per-gate input dropout masks';
  if (activationCode(options.activation) == null) return 'activation';
  if (activationCode(options.recurrentActivation) == null) return 'recurrent activation';
  if (hasRecurrentBias && !options.resetAfter) return 'recurrent bias without resetAfter';
  return null;
}

function activationCode(fn: (x: tf.Tensor) => tf.Tensor): number|undefined {
  const name = activationNameOf(fn);
  return name == null ? undefined : ACTIVATION_CODES[name];
}

/**
 * gruSequence on a whole-sequence kernel: one custom op whose forward pass is
 * the kernel's and whose gradient is the kernel's BPTT, so tfjs's tape holds
 * one node per call instead of a dozen per step. Same contract and results as
 * the tfjs-op path (checked by test/sequenceKernels.test.ts).
 */
export function kernelGruSequence(
    kernel: SequenceKernel, x: tf.Tensor3D, h0: tf.Tensor2D, weights: KernelWeightSource,
    options: GruSequenceOptions): GruSequenceResult {
  const [batch, time, inputSize] = x.shape;
  const units = h0.shape[1];
  const dims: SequenceKernelDims = {
    batch, time, inputSize, units,
    resetAfter: options.resetAfter,
    activation: activationCode(options.activation)!,
    recurrentActivation: activationCode(options.recurrentActivation)!,
    goBackwards: options.goBackwards === true,
  };
  const sequences = options.returnSequences === true;
  // The tape is off inside a custom op's forward function: ask before.
  const recording = tf.engine().isTapeOn();

  return tf.tidy(() => {
    let mask: Float32Array|null = null;
    if (options.mask != null) {
      const m = options.mask;
      if (m.rank !== 2 || m.shape[0] !== batch || m.shape[1] !== time) {
        throw new Error(`gruSequence: mask must have shape [${batch}, ${time}], got [${m.shape}]`);
      }
      mask = tf.cast(m, 'float32').dataSync() as Float32Array;
    }
    // A dropout mask shared by all gates is x ⊙ mask before the kernel (its gradient is tfjs's).
    const xIn = options.inputMasks != null ? tf.mul(x, tf.expandDims(options.inputMasks[0], 1)) as tf.Tensor3D : x;
    const inputs: tf.Tensor[] = [xIn, h0, ...weights.tensors];

    const op = tf.customGrad((...args: Array<tf.Tensor|tf.GradSaveFunc>) => {
      const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
      const data: SequenceKernelInputs = {x: read(xIn), h0: read(h0), ...canonicalOf(weights), mask};
      const fwd = kernel.forward(dims, data, recording);
      const value = packOutputs(fwd.y, fwd.hT, dims, sequences);
      const gradFunc = (dy: tf.Tensor) => {
        const [dyFull, dhT] = unpackGradient(dy.dataSync() as Float32Array, dims, sequences);
        const g = kernel.backward(dims, data, fwd.workspace!, dyFull, dhT);
        const perTensor = weights.gradients(g);
        return [
          tf.tensor3d(g.dx, [batch, time, inputSize]), tf.tensor2d(g.dh0, [batch, units]),
          ...weights.tensors.map((t, k) => tf.tensor(perTensor[k], t.shape)),
        ];
      };
      void args;
      return {value, gradFunc};
    });
    const packed = op(...inputs) as tf.Tensor3D;

    const step = (k: number) => tf.reshape(tf.slice(packed, [0, k, 0], [batch, 1, units]), [batch, units]) as tf.Tensor2D;
    if (sequences) {
      return {
        outputs: tf.slice(packed, [0, 0, 0], [batch, time, units]) as tf.Tensor3D,
        lastOutput: step(time - 1),
        state: step(time),
      } as unknown as tf.TensorContainer;
    }
    return {outputs: null, lastOutput: step(0), state: step(1)} as unknown as tf.TensorContainer;
  }) as unknown as GruSequenceResult;
}

/**
 * The canonical arrays of a weight source, remembered per set of tensor data:
 * a tfjs tensor's data never changes under the same dataId (a variable's
 * assign gives it a new one), so unchanged weights are neither read nor
 * rearranged again. Held weakly: nothing outlives the tensors.
 */
const canonicalCache = new WeakMap<object, {ids: object[], arrays: CanonicalArrays}>();

function canonicalOf(source: KernelWeightSource): CanonicalArrays {
  const ids = source.tensors.map((t) => t.dataId as object);
  const hit = canonicalCache.get(ids[0]);
  if (hit && hit.ids.length === ids.length && hit.ids.every((id, k) => id === ids[k])) return hit.arrays;
  const arrays = source.canonical(source.tensors.map((t) => t.dataSync() as Float32Array));
  canonicalCache.set(ids[0], {ids, arrays});
  return arrays;
}

/** [B, T+1, U] = outputs then the final state (sequences), else [B, 2, U] = last output, final state. */
function packOutputs(y: Float32Array, hT: Float32Array, d: SequenceKernelDims, sequences: boolean): tf.Tensor3D {
  const {batch: B, time: T, units: U} = d;
  const steps = sequences ? T + 1 : 2;
  const out = new Float32Array(B * steps * U);
  for (let b = 0; b < B; b++) {
    const o = b * steps * U;
    if (sequences) {
      out.set(y.subarray(b * T * U, (b + 1) * T * U), o);
    } else {
      out.set(y.subarray((b * T + T - 1) * U, (b * T + T) * U), o);
    }
    out.set(hT.subarray(b * U, (b + 1) * U), o + (steps - 1) * U);
  }
  return tf.tensor3d(out, [B, steps, U]);
}

/** The gradient of the packed value back into dy [B, T, U] (processing order) and dhT [B, U]. */
function unpackGradient(g: Float32Array, d: SequenceKernelDims, sequences: boolean): [Float32Array, Float32Array] {
  const {batch: B, time: T, units: U} = d;
  const steps = sequences ? T + 1 : 2;
  const dy = new Float32Array(B * T * U);
  const dhT = new Float32Array(B * U);
  for (let b = 0; b < B; b++) {
    const o = b * steps * U;
    if (sequences) {
      dy.set(g.subarray(o, o + T * U), b * T * U);
    } else {
      dy.set(g.subarray(o, o + U), (b * T + T - 1) * U);
    }
    dhT.set(g.subarray(o + (steps - 1) * U, o + steps * U), b * U);
  }
  return [dy, dhT];
}
