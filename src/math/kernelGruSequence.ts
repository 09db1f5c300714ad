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

/** Which results a caller reads; the kernel's op then returns just those (one of them: no slicing op). */
export interface WantedResults {
  outputs: boolean;
  lastOutput: boolean;
  state: boolean;
}

type Part = 'outputs'|'lastOutput'|'state';

/**
 * A float32 tensor's values as a Float32Array. The cpu backend casts int32 and
 * bool to float32 without converting the values (dataSync() then gives an
 * Int32Array or Uint8Array), and the kernels need real float32 arrays.
 */
export function float32Data(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

/**
 * gruSequence on a whole-sequence kernel: one custom op whose forward pass is
 * the kernel's and whose gradient is the kernel's BPTT, so tfjs's tape holds
 * one node per call instead of a dozen per step. Same contract and results as
 * the tfjs-op path (checked by test/sequenceKernels.test.ts); results not in
 * `wanted` are null.
 */
export function kernelGruSequence(
    kernel: SequenceKernel, x: tf.Tensor3D, h0: tf.Tensor2D, weights: KernelWeightSource,
    options: GruSequenceOptions, wanted: WantedResults): GruSequenceResult {
  const [batch, time, inputSize] = x.shape;
  const units = h0.shape[1];
  const dims: SequenceKernelDims = {
    batch, time, inputSize, units,
    resetAfter: options.resetAfter,
    activation: activationCode(options.activation)!,
    recurrentActivation: activationCode(options.recurrentActivation)!,
    goBackwards: options.goBackwards === true,
  };
  const parts = (['outputs', 'lastOutput', 'state'] as Part[]).filter((p) => wanted[p]);
  if (parts.length === 0) parts.push('state');
  // The tape is off inside a custom op's forward function: ask before.
  const recording = tf.engine().isTapeOn();

  return tf.tidy(() => {
    let mask: Float32Array|null = null;
    if (options.mask != null) {
      const m = options.mask;
      if (m.rank !== 2 || m.shape[0] !== batch || m.shape[1] !== time) {
        throw new Error(`gruSequence: mask must have shape [${batch}, ${time}], got [${m.shape}]`);
      }
      mask = float32Data(tf.cast(m, 'float32'));
    }
    // A dropout mask shared by all gates is x ⊙ mask before the kernel (its gradient is tfjs's).
    const xIn = options.inputMasks != null ? tf.mul(x, tf.expandDims(options.inputMasks[0], 1)) as tf.Tensor3D : x;
    const inputs: tf.Tensor[] = [xIn, h0, ...weights.tensors];

    // The op's inputs only tell tfjs what to differentiate; the data is read from the closure.
    const op = tf.customGrad((..._inputs: Array<tf.Tensor|tf.GradSaveFunc>) => {
      const canonical = canonicalOf(weights);
      // The canonical arrays are made once per weight version (canonicalOf): they are the version's key.
      const data: SequenceKernelInputs = {x: float32Data(xIn), h0: float32Data(h0), ...canonical, mask, weightsKey: canonical};
      const fwd = kernel.forward(dims, data, recording);
      const value = pack(fwd.y, fwd.hT, dims, parts);
      const gradFunc = (dy: tf.Tensor) => {
        const [dyFull, dhT] = unpack(float32Data(dy), dims, parts);
        const g = kernel.backward(dims, data, fwd.workspace!, dyFull, dhT);
        const perTensor = weights.gradients(g);
        return [
          tf.tensor3d(g.dx, [batch, time, inputSize]), tf.tensor2d(g.dh0, [batch, units]),
          ...weights.tensors.map((t, k) => tf.tensor(perTensor[k], t.shape)),
        ];
      };
      return {value, gradFunc};
    });
    const value = op(...inputs);

    const result: Record<Part, tf.Tensor|null> = {outputs: null, lastOutput: null, state: null};
    if (parts.length === 1) {
      result[parts[0]] = value;
    } else {
      let at = 0;
      for (const p of parts) {
        const steps = p === 'outputs' ? time : 1;
        const slice = tf.slice(value, [0, at, 0], [batch, steps, units]);
        result[p] = p === 'outputs' ? slice : tf.reshape(slice, [batch, units]);
        at += steps;
      }
    }
    return result as unknown as tf.TensorContainer;
  }) as unknown as GruSequenceResult;
}

/** Steps of [B, *, U] each part takes in the packed value. */
function partSteps(p: Part, d: SequenceKernelDims): number {
  return p === 'outputs' ? d.time : 1;
}

/**
 * The op's value: the one wanted part itself ([B, T, U] or [B, U]), or the
 * wanted parts side by side along axis 1 ([B, steps, U]).
 */
function pack(y: Float32Array, hT: Float32Array, d: SequenceKernelDims, parts: Part[]): tf.Tensor {
  const {batch: B, time: T, units: U} = d;
  if (parts.length === 1) {
    if (parts[0] === 'outputs') return tf.tensor3d(y, [B, T, U]);
    if (parts[0] === 'state') return tf.tensor2d(hT, [B, U]);
  }
  const steps = parts.reduce((n, p) => n + partSteps(p, d), 0);
  const out = new Float32Array(B * steps * U);
  for (let b = 0; b < B; b++) {
    let o = b * steps * U;
    for (const p of parts) {
      if (p === 'outputs') out.set(y.subarray(b * T * U, (b + 1) * T * U), o);
      else if (p === 'lastOutput') out.set(y.subarray((b * T + T - 1) * U, (b * T + T) * U), o);
      else out.set(hT.subarray(b * U, (b + 1) * U), o);
      o += partSteps(p, d) * U;
    }
  }
  return parts.length === 1 ? tf.tensor2d(out, [B, U]) : tf.tensor3d(out, [B, steps, U]);
}

/** The gradient of the op's value back into dy [B, T, U] (processing order) and dhT [B, U]. */
function unpack(g: Float32Array, d: SequenceKernelDims, parts: Part[]): [Float32Array, Float32Array] {
  const {batch: B, time: T, units: U} = d;
  const steps = parts.reduce((n, p) => n + partSteps(p, d), 0);
  const dy = new Float32Array(B * T * U);
  const dhT = new Float32Array(B * U);
  for (let b = 0; b < B; b++) {
    let o = b * steps * U;
    for (const p of parts) {
      const n = partSteps(p, d) * U;
      const src = g.subarray(o, o + n);
      if (p === 'outputs') {
        for (let k = 0; k < n; k++) dy[b * T * U + k] += src[k];
      } else if (p === 'lastOutput') {
        for (let k = 0; k < n; k++) dy[(b * T + T - 1) * U + k] += src[k];
      } else {
        dhT.set(src, b * U);
      }
      o += n;
    }
  }
  return [dy, dhT];
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
  const arrays = source.canonical(source.tensors.map(float32Data));
  canonicalCache.set(ids[0], {ids, arrays});
  return arrays;
}
