/**
 * How a layer's own weight tensors feed a whole-sequence kernel without any
 * tfjs op: their data is rearranged into the kernel's canonical r | z | h
 * arrays in plain JavaScript, and the kernel's gradients are rearranged back
 * into one gradient per tensor. Both directions only copy numbers (exact).
 */
import * as tf from '@tensorflow/tfjs';

import {CanonicalArrays, copyBlock, kerasCanonical, swapFirstBlocks, tf1Canonical} from './canonicalLayout';

export type {CanonicalArrays};

export interface CanonicalGradients {
  dW: Float32Array;
  dR: Float32Array;
  dbx: Float32Array;
  dbh: Float32Array;
}

export interface KernelWeightSource {
  /** The tensors whose gradients the kernel's op returns, in order. */
  tensors: tf.Tensor[];
  /** D: the input size the weights expect. */
  inputSize: number;
  /** Whether `canonical` yields a recurrent bias bh. */
  hasRecurrentBias: boolean;
  /** Canonical arrays from the tensors' data (same order as `tensors`). */
  canonical(data: Float32Array[]): CanonicalArrays;
  /** One gradient per tensor (its shape, flattened) from the canonical gradients. */
  gradients(g: CanonicalGradients): Float32Array[];
}

/** The canonical tensors themselves (gruSequence called with GruKernelWeights). */
export function canonicalSource(
    W: tf.Tensor2D, R: tf.Tensor2D, bx: tf.Tensor1D|null, bh: tf.Tensor1D|null): KernelWeightSource {
  const tensors: tf.Tensor[] = [W, R, ...(bx ? [bx] : []), ...(bh ? [bh] : [])];
  return {
    tensors,
    inputSize: W.shape[0],
    hasRecurrentBias: bh != null,
    canonical: (d) => ({W: d[0], R: d[1], bx: bx ? d[2] : null, bh: bh ? d[bx ? 3 : 2] : null}),
    gradients: (g) => [g.dW, g.dR, ...(bx ? [g.dbx] : []), ...(bh ? [g.dbh] : [])],
  };
}

/**
 * TF1 GRUCell's variables: gates/kernel [D+U, 2U] (r | u), gates/bias [2U],
 * candidate/kernel [D+U, U], candidate/bias [U]; rows 0..D−1 multiply x.
 */
export function tf1Source(
    gatesKernel: tf.Tensor, gatesBias: tf.Tensor, candidateKernel: tf.Tensor,
    candidateBias: tf.Tensor): KernelWeightSource {
  const U = candidateKernel.shape[1]!;
  const D = candidateKernel.shape[0]! - U;
  return {
    tensors: [gatesKernel, gatesBias, candidateKernel, candidateBias],
    inputSize: D,
    hasRecurrentBias: false,
    canonical: ([gk, gb, ck, cb]) => tf1Canonical(gk, gb, ck, cb, D, U),
    gradients: ({dW, dR, dbx}) => {
      const dgk = new Float32Array((D + U) * 2 * U);
      const dck = new Float32Array((D + U) * U);
      copyBlock(dW, 3 * U, 0, 0, dgk, 2 * U, 0, 0, D, 2 * U);
      copyBlock(dR, 3 * U, 0, 0, dgk, 2 * U, D, 0, U, 2 * U);
      copyBlock(dW, 3 * U, 0, 2 * U, dck, U, 0, 0, D, U);
      copyBlock(dR, 3 * U, 0, 2 * U, dck, U, D, 0, U, U);
      return [dgk, dbx.slice(0, 2 * U), dck, dbx.slice(2 * U)];
    },
  };
}

/**
 * Keras GRU's variables: kernel [D, 3U], recurrent_kernel [U, 3U] (z | r | h),
 * and bias [3U] (reset-before) or [2, 3U] (reset-after: input row, recurrent row), or none.
 */
export function kerasSource(
    kernel: tf.Tensor, recurrentKernel: tf.Tensor, bias: tf.Tensor|null): KernelWeightSource {
  const D = kernel.shape[0]!;
  const U = recurrentKernel.shape[0]!;
  const twoRows = bias != null && bias.rank === 2;
  return {
    tensors: [kernel, recurrentKernel, ...(bias ? [bias] : [])],
    inputSize: D,
    hasRecurrentBias: twoRows,
    canonical: ([k, rk, b]) => kerasCanonical(k, rk, b ?? null, D, U, twoRows),
    gradients: ({dW, dR, dbx, dbh}) => {
      const out = [swapFirstBlocks(dW, D, U), swapFirstBlocks(dR, U, U)];
      if (bias != null) {
        if (!twoRows) {
          out.push(swapFirstBlocks(dbx, 1, U));
        } else {
          const db = new Float32Array(6 * U);
          db.set(swapFirstBlocks(dbx, 1, U), 0);
          db.set(swapFirstBlocks(dbh, 1, U), 3 * U);
          out.push(db);
        }
      }
      return out;
    },
  };
}
