/**
 * The independent check of a conversion: the unfused textbook GRUs
 * (src/unfused/) run directly on a checkpoint's own tensors, split into the
 * explicit per-gate matrices here by each cell family's definition, not through the
 * weight converters that built the model.
 */
import * as tf from '@tensorflow/tfjs';

import {TensorSource} from '../io/tensorSource';
import {ExplicitGruWeights, ExplicitResetAfterGruWeights} from '../weights/unfusedLayout';
import {unfusedGru} from '../unfused/unfusedGru';
import {unfusedResetAfterGru} from '../unfused/unfusedResetAfterGru';
import {readCellTensor} from '../discovery/cellTensors';
import {FoundGru, GruStack} from '../discovery/findGrus';

type Explicit = {resetAfter: false; w: ExplicitGruWeights} | {resetAfter: true; w: ExplicitResetAfterGruWeights};

function cols(t: tf.Tensor2D, from: number, n: number): tf.Tensor2D {
  return t.slice([0, from], [t.shape[0], n]);
}

function rows(t: tf.Tensor2D, from: number, n: number): tf.Tensor2D {
  return t.slice([from, 0], [n, t.shape[1]]);
}

/** Explicit weights of one found cell, from the checkpoint's tensors (call inside tf.tidy). */
export function explicitWeights(ck: TensorSource, g: FoundGru): Explicit {
  const r = (role: string) => readCellTensor(ck, g, role);
  const has = (role: string) => g.variables[role] != null;
  const d = g.inputSize;
  const u = g.units;
  switch (g.layout) {
    case 'tf1': {
      // [r | u] = [x, h]·Wg + bg; c = tanh([x, r ⊙ h]·Wc + bc)
      const gk = r('gates_kernel') as tf.Tensor2D;
      const gb = r('gates_bias') as tf.Tensor1D;
      const ck2 = r('candidate_kernel') as tf.Tensor2D;
      const cb = r('candidate_bias') as tf.Tensor1D;
      return {resetAfter: false, w: {
        Wr: cols(rows(gk, 0, d), 0, u), Wz: cols(rows(gk, 0, d), u, u), Wh: rows(ck2, 0, d),
        Ur: cols(rows(gk, d, u), 0, u), Uz: cols(rows(gk, d, u), u, u), Uh: rows(ck2, d, u),
        br: gb.slice([0], [u]), bz: gb.slice([u], [u]), bh: cb,
      }};
    }
    case 'cudnn-compatible': {
      // [r | u] = σ([x, h]·Wg + bg); c = tanh(x·Wi + bi + r ⊙ (h·Wh + bh))
      const gk = r('gates_kernel') as tf.Tensor2D;
      const gb = r('gates_bias') as tf.Tensor1D;
      const zero = tf.zeros([u]) as tf.Tensor1D;
      return {resetAfter: true, w: {
        Wr: cols(rows(gk, 0, d), 0, u), Wz: cols(rows(gk, 0, d), u, u), Wh: r('input_kernel') as tf.Tensor2D,
        Ur: cols(rows(gk, d, u), 0, u), Uz: cols(rows(gk, d, u), u, u), Uh: r('hidden_kernel') as tf.Tensor2D,
        bWr: gb.slice([0], [u]), bWz: gb.slice([u], [u]), bWh: r('input_bias') as tf.Tensor1D,
        bUr: zero, bUz: zero, bUh: r('hidden_bias') as tf.Tensor1D,
      }};
    }
    case 'keras': case 'keras-reset-after': {
      // columns z | r | h
      const k = r('kernel') as tf.Tensor2D;
      const rk = r('recurrent_kernel') as tf.Tensor2D;
      const b = r('bias');
      const m = {Wz: cols(k, 0, u), Wr: cols(k, u, u), Wh: cols(k, 2 * u, u),
        Uz: cols(rk, 0, u), Ur: cols(rk, u, u), Uh: cols(rk, 2 * u, u)};
      if (g.layout === 'keras') {
        const b1 = b as tf.Tensor1D;
        return {resetAfter: false, w: {...m, bz: b1.slice([0], [u]), br: b1.slice([u], [u]), bh: b1.slice([2 * u], [u])}};
      }
      const b2 = b as tf.Tensor2D;
      const row = (i: number, c: number) => b2.slice([i, c * u], [1, u]).reshape([u]) as tf.Tensor1D;
      return {resetAfter: true, w: {...m, bWz: row(0, 0), bWr: row(0, 1), bWh: row(0, 2), bUz: row(1, 0), bUr: row(1, 1), bUh: row(1, 2)}};
    }
    case 'pytorch': {
      // rows r | z | n of weight_ih [3U, D], weight_hh [3U, U]; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
      const wi = r('weight_ih_l0') as tf.Tensor2D;
      const wh = r('weight_hh_l0') as tf.Tensor2D;
      const bi = has('bias_ih_l0') ? r('bias_ih_l0') as tf.Tensor1D : tf.zeros([3 * u]) as tf.Tensor1D;
      const bh = has('bias_hh_l0') ? r('bias_hh_l0') as tf.Tensor1D : tf.zeros([3 * u]) as tf.Tensor1D;
      const t = (m: tf.Tensor2D, i: number) => rows(m, i * u, u).transpose() as tf.Tensor2D;
      const b = (v: tf.Tensor1D, i: number) => v.slice([i * u], [u]);
      return {resetAfter: true, w: {
        Wr: t(wi, 0), Wz: t(wi, 1), Wh: t(wi, 2), Ur: t(wh, 0), Uz: t(wh, 1), Uh: t(wh, 2),
        bWr: b(bi, 0), bWz: b(bi, 1), bWh: b(bi, 2), bUr: b(bh, 0), bUz: b(bh, 1), bUh: b(bh, 2),
      }};
    }
    case 'onnx': case 'onnx-lbr': {
      // rows z | r | h of W [3U, D], R [3U, U]; B = [Wb z r h | Rb z r h]
      const w = r('W') as tf.Tensor2D;
      const rr = r('R') as tf.Tensor2D;
      const bb = has('B') ? r('B') as tf.Tensor1D : tf.zeros([6 * u]) as tf.Tensor1D;
      const t = (m: tf.Tensor2D, i: number) => rows(m, i * u, u).transpose() as tf.Tensor2D;
      const b = (i: number) => bb.slice([i * u], [u]);
      const m = {Wz: t(w, 0), Wr: t(w, 1), Wh: t(w, 2), Uz: t(rr, 0), Ur: t(rr, 1), Uh: t(rr, 2)};
      if (g.layout === 'onnx') {
        // linear_before_reset=0: every bias sits outside the reset product, Wb + Rb
        return {resetAfter: false, w: {...m, bz: tf.add(b(0), b(3)), br: tf.add(b(1), b(4)), bh: tf.add(b(2), b(5))}};
      }
      return {resetAfter: true, w: {...m, bWz: b(0), bWr: b(1), bWh: b(2), bUz: b(3), bUr: b(4), bUh: b(5)}};
    }
    case 'keras-cudnn': {
      // Keras CuDNNGRU, by tf-keras's loader (hdf5_format._convert_rnn_weights): per gate z | r | h the input
      // block's numbers are cuDNN's [U, D] matrix (W = its transpose), the recurrent block is Uᵀ, bias = [input zrh | recurrent zrh]
      const k = r('kernel') as tf.Tensor2D;
      const rk = r('recurrent_kernel') as tf.Tensor2D;
      const b = r('bias') as tf.Tensor1D;
      const wIn = (c: number) => cols(k, c * u, u).reshape([u, d]).transpose() as tf.Tensor2D;
      const wRec = (c: number) => cols(rk, c * u, u).transpose() as tf.Tensor2D;
      const bias = (c: number) => b.slice([c * u], [u]);
      return {resetAfter: true, w: {Wz: wIn(0), Wr: wIn(1), Wh: wIn(2), Uz: wRec(0), Ur: wRec(1), Uh: wRec(2),
        bWz: bias(0), bWr: bias(1), bWh: bias(2), bUz: bias(3), bUr: bias(4), bUh: bias(5)}};
    }
    default:
      throw new Error(`reference: no reference GRU for layout '${g.layout}' (${g.scope})`);
  }
}

function runCell(ck: TensorSource, g: FoundGru, x: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const e = explicitWeights(ck, g);
    // a bw half and a lone reverse cell both read last step first and give outputs in input order
    const backwards = g.direction === 'bw' || g.direction === 'reverse';
    const xin = backwards ? tf.reverse(x, 1) as tf.Tensor3D : x;
    const h0 = tf.zeros([x.shape[0], g.units]) as tf.Tensor2D;
    const out = e.resetAfter ? unfusedResetAfterGru(xin, h0, e.w).outputs : unfusedGru(xin, h0, e.w).outputs;
    return backwards ? tf.reverse(out, 1) as tf.Tensor3D : out;
  });
}

/**
 * What the stack (and its Dense layer) computes for `x` [B, T, D], from the
 * checkpoint's tensors: each layer's cells run over the full sequence from a zero
 * state, a bw cell on the time-reversed input with its outputs reversed back (as
 * TF1's bidirectional_dynamic_rnn and Keras's Bidirectional do), fw ++ bw concatenated.
 */
export function referenceForward(ck: TensorSource, stack: GruStack, x: tf.Tensor3D, withDense = true): tf.Tensor3D {
  return tf.tidy(() => {
    let h = x;
    for (const layer of stack.layers) {
      const outs = layer.cells.map((c) => runCell(ck, c, h));
      h = outs.length === 1 ? outs[0] : tf.concat(outs, -1) as tf.Tensor3D;
    }
    if (withDense && stack.dense != null) {
      const [b, t, f] = h.shape;
      const stored = ck.read(stack.dense.variables.kernel) as tf.Tensor2D;
      const k = stack.dense.transposedKernel ? stored.transpose() : stored;
      let y = tf.matMul(h.reshape([b * t, f]), k);
      if (stack.dense.variables.bias != null) y = tf.add(y, ck.read(stack.dense.variables.bias));
      h = y.reshape([b, t, stack.dense.units]);
    }
    return h;
  });
}
