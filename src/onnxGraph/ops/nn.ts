/**
 * ONNX's neural-network operators on tfjs ops: MatMul, Gemm, Einsum, Conv,
 * ConvTranspose (1-D and 2-D, groups, dilations, asymmetric pads), pooling,
 * normalizations, Softmax / LogSoftmax, reductions.
 * ONNX is channels-first (N, C, ...); tfjs's convolutions are channels-last, so
 * each mapper transposes in and out. 1-D is 2-D with a height of 1.
 */
import * as tf from '@tensorflow/tfjs';

import {Attrs, broadcastShapes, floatAttr, intAttr, intsAttr, intValues, normAxis, OnnxOp, OnnxOpError, OpContext, stringAttr} from '../op';
import {pad} from './shape';

function need(t: tf.Tensor | null, i: number, op: string, ctx: OpContext): tf.Tensor {
  if (t == null) throw new OnnxOpError(ctx.node, op, `input ${i} is required`);
  return t;
}

// ---------------------------------------------------------------- matmuls

function matMul(a: tf.Tensor, b: tf.Tensor, ctx: OpContext): tf.Tensor {
  const a2 = a.rank === 1 ? tf.reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? tf.reshape(b, [b.shape[0]!, 1]) : b;
  const [m, k] = a2.shape.slice(-2) as [number, number];
  const [k2, n] = b2.shape.slice(-2) as [number, number];
  if (k !== k2) throw new OnnxOpError(ctx.node, 'MatMul', `inner dimensions differ: [${a.shape}] × [${b.shape}]`);
  let y: tf.Tensor;
  if (a2.rank === 2 && b2.rank === 2) {
    y = tf.matMul(a2 as tf.Tensor2D, b2 as tf.Tensor2D);
  } else {
    // numpy's broadcasting of the batch dims, made explicit: [...batch, m, k] × [...batch, k, n] as 3-D
    const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), ctx, 'MatMul');
    const size = batch.reduce((p, q) => p * q, 1);
    const lift = (t: tf.Tensor, r: number, c: number) => tf.reshape(tf.broadcastTo(
        t.rank - 2 < batch.length ? tf.reshape(t, [...Array(batch.length - t.rank + 2).fill(1), ...t.shape]) : t, [...batch, r, c]), [size, r, c]);
    y = tf.reshape(tf.matMul(lift(a2, m, k) as tf.Tensor3D, lift(b2, k, n) as tf.Tensor3D), [...batch, m, n]);
  }
  if (a.rank === 1 || b.rank === 1) {
    const shape = y.shape.slice();
    if (b.rank === 1) shape.splice(shape.length - 1, 1);
    if (a.rank === 1) shape.splice(shape.length - (b.rank === 1 ? 1 : 2), 1);
    y = tf.reshape(y, shape);
  }
  return y;
}

/** Expands '...' in an equation to letters the equation does not use, by each operand's rank. */
export function expandEllipsis(equation: string, ranks: number[]): string {
  const eq = equation.replace(/\s+/g, '');
  if (!eq.includes('...')) return eq;
  const used = new Set(eq.replace(/[^A-Za-z]/g, ''));
  const free = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.split('').filter((c) => !used.has(c));
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  let ell = 0;
  terms.forEach((t, i) => {
    if (t.includes('...')) ell = Math.max(ell, ranks[i] - t.replace('...', '').length);
  });
  const letters = free.slice(0, ell).join('');
  const fill = (t: string, rank: number) => t.replace('...', letters.slice(ell - (rank - t.replace('...', '').length)));
  const newTerms = terms.map((t, i) => fill(t, ranks[i]));
  let out = rhs;
  if (out == null) {
    // implicit output: ellipsis letters first, then the letters appearing once, sorted
    const counts = new Map<string, number>();
    for (const c of newTerms.join('')) counts.set(c, (counts.get(c) ?? 0) + 1);
    out = letters + [...counts].filter(([c, n]) => n === 1 && !letters.includes(c)).map(([c]) => c).sort().join('');
  } else {
    out = out.replace('...', letters);
  }
  return `${newTerms.join(',')}->${out}`;
}

/** One operand with a letter per axis. */
interface Labeled { t: tf.Tensor; labels: string }

/** Sums away the axes whose letters are not in `keep`, then orders the rest as `order`. */
function reduceTo(x: Labeled, keep: Set<string>): Labeled {
  const sumAxes = [...x.labels].map((c, i) => (keep.has(c) ? -1 : i)).filter((i) => i >= 0);
  if (sumAxes.length === 0) return x;
  return {t: tf.sum(x.t, sumAxes), labels: [...x.labels].filter((c) => keep.has(c)).join('')};
}

/** Two operands contracted into the letters `out` (a subset of theirs), by transposes, reshapes and one batched matMul. */
function contractPair(a: Labeled, b: Labeled, out: string, ctx: OpContext): Labeled {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const outSet = new Set(out);
  a = reduceTo(a, new Set([...a.labels].filter((c) => inB.has(c) || outSet.has(c))));
  b = reduceTo(b, new Set([...b.labels].filter((c) => inA.has(c) || outSet.has(c))));
  const batch = [...a.labels].filter((c) => inB.has(c) && outSet.has(c));
  const contract = [...a.labels].filter((c) => inB.has(c) && !outSet.has(c));
  const aKeep = [...a.labels].filter((c) => !inB.has(c));
  const bKeep = [...b.labels].filter((c) => !inA.has(c));
  const dimOf = (x: Labeled, c: string) => x.t.shape[x.labels.indexOf(c)]!;
  const size = (x: Labeled, cs: string[]) => cs.reduce((p, c) => p * dimOf(x, c), 1);
  const batchDims = batch.map((c) => {
    const da = dimOf(a, c);
    const db = dimOf(b, c);
    if (da !== db && da !== 1 && db !== 1) throw new OnnxOpError(ctx.node, 'Einsum', `axis '${c}' is ${da} in one operand and ${db} in the other`);
    return Math.max(da, db);
  });
  const arrange = (x: Labeled, order: string[], shape: number[]) => {
    const perm = order.map((c) => x.labels.indexOf(c));
    const tr = perm.every((p, i) => p === i) ? x.t : tf.transpose(x.t, perm);
    const full = [...batchDims, ...order.slice(batch.length).map((c) => dimOf(x, c))];
    return tf.reshape(tf.broadcastTo(tr, full), shape);
  };
  const nb = batchDims.reduce((p, q) => p * q, 1);
  const A = arrange(a, [...batch, ...aKeep, ...contract], [nb, size(a, aKeep), size(a, contract)]) as tf.Tensor3D;
  const B = arrange(b, [...batch, ...contract, ...bKeep], [nb, size(b, contract), size(b, bKeep)]) as tf.Tensor3D;
  const y = tf.reshape(tf.matMul(A, B), [...batchDims, ...aKeep.map((c) => dimOf(a, c)), ...bKeep.map((c) => dimOf(b, c))]);
  const labels = [...batch, ...aKeep, ...bKeep].join('');
  return {t: y, labels};
}

/** numpy's einsum (explicit '->' after expandEllipsis), without diagonals (a letter twice in one operand is refused). */
function einsum(equation: string, xs: tf.Tensor[], ctx: OpContext): tf.Tensor {
  const [lhs, out] = equation.split('->');
  const terms = lhs.split(',');
  if (terms.length !== xs.length) throw new OnnxOpError(ctx.node, 'Einsum', `equation '${equation}' has ${terms.length} operands, got ${xs.length}`);
  const ops: Labeled[] = terms.map((labels, i) => {
    if (new Set(labels).size !== labels.length) throw new OnnxOpError(ctx.node, 'Einsum', `'${labels}' repeats a letter (diagonals are not supported)`);
    if (labels.length !== xs[i].rank) throw new OnnxOpError(ctx.node, 'Einsum', `operand ${i} '${labels}' has rank ${xs[i].rank}`);
    return {t: xs[i], labels};
  });
  let acc = ops[0];
  for (let i = 1; i < ops.length; i++) {
    const later = new Set([...ops.slice(i + 1).map((o) => o.labels).join(''), ...out]);
    const keep = [...new Set([...acc.labels, ...ops[i].labels])].filter((c) => later.has(c)).join('');
    acc = contractPair(acc, ops[i], keep, ctx);
  }
  acc = reduceTo(acc, new Set(out));
  const perm = [...out].map((c) => acc.labels.indexOf(c));
  return perm.every((p, i) => p === i) ? tf.clone(acc.t) : tf.transpose(acc.t, perm);
}

// ---------------------------------------------------------------- convolution helpers

interface Spatial {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin..., end...] per spatial axis. */
  pads: number[];
}

/** The pads of a window op, explicit or from auto_pad (SAME_UPPER puts the odd one at the end). */
function spatialParams(attrs: Attrs, inSizes: number[], kernel: number[], ctx: OpContext, op: string): Spatial {
  const n = inSizes.length;
  const strides = intsAttr(attrs, 'strides') ?? Array(n).fill(1);
  const dilations = intsAttr(attrs, 'dilations') ?? Array(n).fill(1);
  const autoPad = stringAttr(attrs, 'auto_pad', 'NOTSET');
  let pads = intsAttr(attrs, 'pads') ?? Array(2 * n).fill(0);
  if (autoPad === 'VALID') {
    pads = Array(2 * n).fill(0);
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = Array(2 * n).fill(0);
    for (let i = 0; i < n; i++) {
      const out = Math.ceil(inSizes[i] / strides[i]);
      const total = Math.max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inSizes[i], 0);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + n] = total - pads[i];
    }
  } else if (autoPad !== 'NOTSET') {
    throw new OnnxOpError(ctx.node, op, `auto_pad '${autoPad}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER`);
  }
  if (pads.length !== 2 * n) throw new OnnxOpError(ctx.node, op, `pads has ${pads.length} values; ${n} spatial axes need ${2 * n}`);
  return {kernel, strides, dilations, pads};
}

/** [N, C, ...S] (S of 1 or 2 axes) → NHWC 4-D. */
function toNhwc(x: tf.Tensor, ctx: OpContext, op: string): tf.Tensor4D {
  if (x.rank === 3) return tf.expandDims(tf.transpose(x, [0, 2, 1]), 1) as tf.Tensor4D;
  if (x.rank === 4) return tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
  throw new OnnxOpError(ctx.node, op, `input of rank ${x.rank} (shape [${x.shape}]); 1-D and 2-D (rank 3 and 4) are supported`);
}

function fromNhwc(y: tf.Tensor4D, rank: number): tf.Tensor {
  return rank === 3 ? tf.transpose(tf.squeeze(y, [1]), [0, 2, 1]) : tf.transpose(y, [0, 3, 1, 2]);
}

/** Spatial params as 2-D (height 1 for 1-D). */
function as2d(s: Spatial, rank: number): Spatial {
  if (rank === 4) return s;
  return {kernel: [1, s.kernel[0]], strides: [1, s.strides[0]], dilations: [1, s.dilations[0]], pads: [0, s.pads[0], 0, s.pads[1]]};
}

function padNhwc(x: tf.Tensor4D, p: number[], value: number): tf.Tensor4D {
  // p = [top, left, bottom, right]
  if (p.every((v) => v === 0)) return x;
  return pad(x, [0, p[0], p[1], 0, 0, p[2], p[3], 0], 'constant', value, {opset: 17, outputs: 1, node: ''}) as tf.Tensor4D;
}

/** Keeps every `step`-th row and column (stride applied after a stride-1 op). */
function subsample(y: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return y;
  const [n, h, w, c] = y.shape;
  return tf.stridedSlice(y, [0, 0, 0, 0], [n, h, w, c], [1, sh, sw, 1]) as tf.Tensor4D;
}

/** NHWC conv, 'valid' after explicit padding, groups split; filter [kh, kw, C/g, M]. */
function conv2dGroups(x: tf.Tensor4D, filter: tf.Tensor4D, groups: number, s: Spatial): tf.Tensor4D {
  const [sh, sw] = s.strides;
  const [dh, dw] = s.dilations;
  const both = (sh > 1 || sw > 1) && (dh > 1 || dw > 1);
  const strides: [number, number] = both ? [1, 1] : [sh, sw];
  const dil: [number, number] = [dh, dw];
  const xp = padNhwc(x, [s.pads[0], s.pads[1], s.pads[2], s.pads[3]], 0);
  const c = x.shape[3];
  const m = filter.shape[3];
  let y: tf.Tensor4D;
  if (groups === 1) {
    y = tf.conv2d(xp, filter, strides, 'valid', 'NHWC', dil);
  } else if (groups === c && filter.shape[2] === 1) {
    // depthwise: output channel c·mult + q reads input channel c
    const mult = m / c;
    const f = tf.reshape(filter, [filter.shape[0], filter.shape[1], c, mult]) as tf.Tensor4D;
    y = tf.depthwiseConv2d(xp, f, strides, 'valid', 'NHWC', dil);
  } else {
    const xs = tf.split(xp, groups, 3);
    const fs = tf.split(filter, groups, 3);
    y = tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, fs[i] as tf.Tensor4D, strides, 'valid', 'NHWC', dil)), 3) as tf.Tensor4D;
  }
  return both ? subsample(y, sh, sw) : y;
}

function conv(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null, attrs: Attrs, ctx: OpContext): tf.Tensor {
  const op = 'Conv';
  const rank = x.rank;
  const group = intAttr(attrs, 'group', 1);
  const kernel = intsAttr(attrs, 'kernel_shape') ?? w.shape.slice(2);
  if (w.rank !== rank) throw new OnnxOpError(ctx.node, op, `weight rank ${w.rank} differs from input rank ${rank}`);
  if (x.shape[1] !== w.shape[1]! * group) {
    throw new OnnxOpError(ctx.node, op, `input has ${x.shape[1]} channels; W [${w.shape}] with group ${group} expects ${w.shape[1]! * group}`);
  }
  const s = as2d(spatialParams(attrs, x.shape.slice(2), kernel, ctx, op), rank);
  // W [M, C/g, k...] → [kh, kw, C/g, M]
  const filter = (rank === 3 ? tf.expandDims(tf.transpose(w, [2, 1, 0]), 0) : tf.transpose(w, [2, 3, 1, 0])) as tf.Tensor4D;
  let y = conv2dGroups(toNhwc(x, ctx, op), filter, group, s);
  if (b != null) y = tf.add(y, b);
  return fromNhwc(y, rank);
}

/** ConvTranspose as a stride-1 convolution of the zero-upsampled input with the flipped, transposed kernel. */
function convTranspose(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null, attrs: Attrs, ctx: OpContext): tf.Tensor {
  const op = 'ConvTranspose';
  const rank = x.rank;
  const group = intAttr(attrs, 'group', 1);
  const n = rank - 2;
  const kernel = intsAttr(attrs, 'kernel_shape') ?? w.shape.slice(2);
  const strides = intsAttr(attrs, 'strides') ?? Array(n).fill(1);
  const dilations = intsAttr(attrs, 'dilations') ?? Array(n).fill(1);
  const autoPad = stringAttr(attrs, 'auto_pad', 'NOTSET');
  const outPad = intsAttr(attrs, 'output_padding') ?? Array(n).fill(0);
  let pads = autoPad === 'VALID' ? Array(2 * n).fill(0) : (intsAttr(attrs, 'pads') ?? Array(2 * n).fill(0));
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    // output = input · stride; the padding that takes off is split, the odd one at the end for SAME_UPPER
    pads = Array(2 * n).fill(0);
    for (let i = 0; i < n; i++) {
      const inSize = x.shape[2 + i]!;
      const total = Math.max(strides[i]! * (inSize - 1) + outPad[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - inSize * strides[i]!, 0);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + n] = total - pads[i];
    }
  }
  if (x.shape[1] !== w.shape[0]) throw new OnnxOpError(ctx.node, op, `input has ${x.shape[1]} channels, W [${w.shape}] expects ${w.shape[0]}`);
  let xh = toNhwc(x, ctx, op);
  // insert stride-1 zeros between input elements
  const st2 = rank === 3 ? [1, strides[0]] : strides;
  if (st2[0] > 1 || st2[1] > 1) {
    const [nn, h, ww, c] = xh.shape;
    const e = tf.reshape(xh, [nn, h, 1, ww, 1, c]);
    const p = tf.pad(e, [[0, 0], [0, 0], [0, st2[0] - 1], [0, 0], [0, st2[1] - 1], [0, 0]]);
    const up = tf.reshape(p, [nn, h * st2[0], ww * st2[1], c]);
    xh = tf.slice(up, [0, 0, 0, 0], [nn, (h - 1) * st2[0] + 1, (ww - 1) * st2[1] + 1, c]) as tf.Tensor4D;
  }
  const k2 = rank === 3 ? [1, kernel[0]] : kernel;
  const d2 = rank === 3 ? [1, dilations[0]] : dilations;
  const pb = rank === 3 ? [0, pads[0]] : [pads[0], pads[1]];
  const pe = rank === 3 ? [0, pads[1]] : [pads[2], pads[3]];
  const op2 = rank === 3 ? [0, outPad[0]] : outPad;
  const full = [0, 1].map((i) => d2[i] * (k2[i] - 1));
  // W [C, M/g, k...] → per group [k..., C/g, M/g] flipped spatially → filter [kh, kw, C/g, M]
  let wk = rank === 3 ? tf.expandDims(w, 2) : w;  // [C, M/g, kh, kw]
  wk = tf.reverse(wk, [2, 3]);
  const perGroup = tf.split(wk, group, 0).map((g) => tf.transpose(g, [2, 3, 0, 1]));  // [kh, kw, C/g, M/g]
  const filter = (group === 1 ? perGroup[0] : tf.concat(perGroup, 3)) as tf.Tensor4D;
  const padded = pad(xh, [0, full[0] - pb[0], full[1] - pb[1], 0, 0, full[0] - pe[0] + op2[0], full[1] - pe[1] + op2[1], 0],
      'constant', 0, ctx) as tf.Tensor4D;
  const s: Spatial = {kernel: k2, strides: [1, 1], dilations: d2, pads: [0, 0, 0, 0]};
  let y = conv2dGroups(padded, filter, group, s);
  if (b != null) y = tf.add(y, b);
  return fromNhwc(y, rank);
}

// ---------------------------------------------------------------- pooling

function poolParams(x: tf.Tensor, attrs: Attrs, ctx: OpContext, op: string): Spatial & {extra: number[]} {
  const kernel = intsAttr(attrs, 'kernel_shape');
  if (kernel == null) throw new OnnxOpError(ctx.node, op, 'kernel_shape is required');
  const s = as2d(spatialParams(attrs, x.shape.slice(2), kernel, ctx, op), x.rank);
  const sizes = x.rank === 3 ? [1, x.shape[2]] : x.shape.slice(2);
  // ceil_mode: extra padding at the end so the last partial window is computed
  const extra = [0, 0];
  if (intAttr(attrs, 'ceil_mode', 0) === 1) {
    for (let i = 0; i < 2; i++) {
      const [size, pb, pe, k, d, st] = [sizes[i]!, s.pads[i]!, s.pads[i + 2]!, s.kernel[i]!, s.dilations[i]!, s.strides[i]!];
      let out = Math.ceil((size + pb + pe - ((k - 1) * d + 1)) / st) + 1;
      // the last window must start inside the input or its begin padding
      if ((out - 1) * st >= size + pb) out--;
      extra[i] = Math.max((out - 1) * st + (k - 1) * d + 1 - (size + pb + pe), 0);
    }
  }
  return {...s, extra};
}

function maxPool(x: tf.Tensor, attrs: Attrs, ctx: OpContext): tf.Tensor {
  const p = poolParams(x, attrs, ctx, 'MaxPool');
  const xh = padNhwc(toNhwc(x, ctx, 'MaxPool'), [p.pads[0], p.pads[1], p.pads[2] + p.extra[0], p.pads[3] + p.extra[1]], -Infinity);
  if (p.dilations.every((d) => d === 1)) {
    return fromNhwc(tf.maxPool(xh, p.kernel as [number, number], p.strides as [number, number], 'valid'), x.rank);
  }
  // dilated windows: the maximum over one strided slice per kernel offset
  const [n, h, w, c] = xh.shape;
  const [kh, kw] = p.kernel as [number, number];
  const [sh, sw] = p.strides as [number, number];
  const [dh, dw] = p.dilations as [number, number];
  const oh = Math.floor((h - ((kh - 1) * dh + 1)) / sh) + 1;
  const ow = Math.floor((w - ((kw - 1) * dw + 1)) / sw) + 1;
  let y: tf.Tensor4D | null = null;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const s = tf.stridedSlice(xh, [0, a * dh, b * dw, 0], [n, a * dh + (oh - 1) * sh + 1, b * dw + (ow - 1) * sw + 1, c], [1, sh, sw, 1]) as tf.Tensor4D;
      y = y == null ? s : tf.maximum(y, s) as tf.Tensor4D;
    }
  }
  return fromNhwc(y!, x.rank);
}

function averagePool(x: tf.Tensor, attrs: Attrs, ctx: OpContext): tf.Tensor {
  const p = poolParams(x, attrs, ctx, 'AveragePool');
  if (p.dilations.some((d) => d !== 1)) throw new OnnxOpError(ctx.node, 'AveragePool', `dilations [${p.dilations}] (only 1 is supported)`);
  const includePad = intAttr(attrs, 'count_include_pad', 0) === 1;
  const xh = toNhwc(x, ctx, 'AveragePool');
  const window = p.kernel[0] * p.kernel[1];
  const k = p.kernel as [number, number];
  const st = p.strides as [number, number];
  const all = [p.pads[0], p.pads[1], p.pads[2] + p.extra[0], p.pads[3] + p.extra[1]];
  const sums = tf.mul(tf.avgPool(padNhwc(xh, all, 0), k, st, 'valid'), window);
  // how many elements each window averages: the input's, plus the explicit pads' when count_include_pad
  const ones = tf.ones([1, xh.shape[1], xh.shape[2], 1]) as tf.Tensor4D;
  const counted = includePad ?
    padNhwc(padNhwc(ones, [p.pads[0], p.pads[1], p.pads[2], p.pads[3]], 1), [0, 0, p.extra[0], p.extra[1]], 0) :
    padNhwc(ones, all, 0);
  const counts = tf.round(tf.mul(tf.avgPool(counted, k, st, 'valid'), window));
  return fromNhwc(tf.div(sums, counts) as tf.Tensor4D, x.rank);
}

// ---------------------------------------------------------------- normalization, softmax, reductions

/** A per-channel [C] vector shaped to broadcast over [N, C, ...]. */
function perChannel(v: tf.Tensor, rank: number): tf.Tensor {
  return tf.reshape(v, [1, v.size, ...Array(rank - 2).fill(1)]);
}

function softmaxLike(x: tf.Tensor, attrs: Attrs, ctx: OpContext, log: boolean): tf.Tensor {
  const op = log ? 'LogSoftmax' : 'Softmax';
  const r = x.rank;
  const f = (t: tf.Tensor, axis: number) => {
    const shifted = tf.sub(t, tf.max(t, axis, true));
    const lse = tf.log(tf.sum(tf.exp(shifted), axis, true));
    return log ? tf.sub(shifted, lse) : tf.exp(tf.sub(shifted, lse));
  };
  if (ctx.opset < 13) {
    const axis = normAxis(intAttr(attrs, 'axis', 1), r, ctx, op);
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    return tf.reshape(f(tf.reshape(x, [outer, x.size / outer]), 1), x.shape);
  }
  return f(x, normAxis(intAttr(attrs, 'axis', -1), r, ctx, op));
}

/** Reduce ops: axes from the attribute or (ReduceSum 13+, all 18+) the input; keepdims; noop_with_empty_axes. */
function reduce(opType: string, f: (x: tf.Tensor, axes: number[]) => tf.Tensor): OnnxOp {
  return {
    opType,
    run: ([x, axesIn], attrs, ctx) => {
      const data = need(x, 0, opType, ctx);
      const keep = intAttr(attrs, 'keepdims', 1) === 1;
      let axes = axesIn != null ? intValues(axesIn) : intsAttr(attrs, 'axes');
      if (axes == null || axes.length === 0) {
        if (intAttr(attrs, 'noop_with_empty_axes', 0) === 1) return [tf.clone(data)];
        axes = data.shape.map((_, i) => i);
      }
      const norm = axes.map((a) => normAxis(a, data.rank, ctx, opType));
      const y = f(data, norm);
      if (!keep) return [y];
      return [tf.reshape(y, data.shape.map((d, i) => (norm.includes(i) ? 1 : d)))];
    },
  };
}

export const NN_OPS: OnnxOp[] = [
  {opType: 'MatMul', run: ([a, b], _a, ctx) => [matMul(need(a, 0, 'MatMul', ctx), need(b, 1, 'MatMul', ctx), ctx)]},
  {
    opType: 'Gemm',
    run: ([a, b, c], attrs, ctx) => {
      let A = need(a, 0, 'Gemm', ctx) as tf.Tensor2D;
      let B = need(b, 1, 'Gemm', ctx) as tf.Tensor2D;
      if (intAttr(attrs, 'transA', 0)) A = tf.transpose(A);
      if (intAttr(attrs, 'transB', 0)) B = tf.transpose(B);
      let y: tf.Tensor = tf.matMul(A, B);
      const alpha = floatAttr(attrs, 'alpha', 1);
      const beta = floatAttr(attrs, 'beta', 1);
      if (alpha !== 1) y = tf.mul(y, alpha);
      if (c != null) y = tf.add(y, beta === 1 ? c : tf.mul(c, beta));
      return [y];
    },
  },
  {
    opType: 'Einsum',
    run: (inputs, attrs, ctx) => {
      const xs = inputs.map((t, i) => need(t, i, 'Einsum', ctx));
      const eq = expandEllipsis(stringAttr(attrs, 'equation', ''), xs.map((t) => t.rank));
      return [einsum(eq, xs, ctx)];
    },
  },
  {
    opType: 'Conv',
    run: ([x, w, b], attrs, ctx) => [conv(need(x, 0, 'Conv', ctx), need(w, 1, 'Conv', ctx), b, attrs, ctx)],
  },
  {
    opType: 'ConvTranspose',
    check: (attrs) => {
      const why: string[] = [];
      if (attrs.output_shape != null) why.push('output_shape (give pads and output_padding instead)');
      return why;
    },
    run: ([x, w, b], attrs, ctx) => [convTranspose(need(x, 0, 'ConvTranspose', ctx), need(w, 1, 'ConvTranspose', ctx), b, attrs, ctx)],
  },
  {
    opType: 'MaxPool',
    check: (_a, ctx) => (ctx.outputs > 1 ? ['the Indices output'] : []),
    run: ([x], attrs, ctx) => [maxPool(need(x, 0, 'MaxPool', ctx), attrs, ctx)],
  },
  {opType: 'AveragePool', run: ([x], attrs, ctx) => [averagePool(need(x, 0, 'AveragePool', ctx), attrs, ctx)]},
  {
    opType: 'GlobalAveragePool',
    run: ([x], _a, ctx) => {
      const d = need(x, 0, 'GlobalAveragePool', ctx);
      return [tf.mean(d, d.shape.map((_, i) => i).slice(2), true)];
    },
  },
  {
    opType: 'GlobalMaxPool',
    run: ([x], _a, ctx) => {
      const d = need(x, 0, 'GlobalMaxPool', ctx);
      return [tf.max(d, d.shape.map((_, i) => i).slice(2), true)];
    },
  },
  {
    opType: 'BatchNormalization',
    check: (attrs, ctx) => (intAttr(attrs, 'training_mode', 0) !== 0 || ctx.outputs > 1 ?
      ['training mode (running mean and variance outputs); export the model in eval mode'] : []),
    run: ([x, scale, b, mean, v], attrs, ctx) => {
      const d = need(x, 0, 'BatchNormalization', ctx);
      const eps = floatAttr(attrs, 'epsilon', 1e-5);
      const r = d.rank;
      const inv = tf.div(need(scale, 1, 'BatchNormalization', ctx), tf.sqrt(tf.add(need(v, 4, 'BatchNormalization', ctx), eps)));
      const y = tf.add(tf.mul(tf.sub(d, perChannel(need(mean, 3, 'BatchNormalization', ctx), r)), perChannel(inv, r)),
          perChannel(need(b, 2, 'BatchNormalization', ctx), r));
      return [y];
    },
  },
  {
    opType: 'InstanceNormalization',
    run: ([x, scale, b], attrs, ctx) => {
      const d = need(x, 0, 'InstanceNormalization', ctx);
      const axes = d.shape.map((_, i) => i).slice(2);
      const {mean, variance} = tf.moments(d, axes, true);
      const norm = tf.div(tf.sub(d, mean), tf.sqrt(tf.add(variance, floatAttr(attrs, 'epsilon', 1e-5))));
      return [tf.add(tf.mul(norm, perChannel(need(scale, 1, 'InstanceNormalization', ctx), d.rank)),
          perChannel(need(b, 2, 'InstanceNormalization', ctx), d.rank))];
    },
  },
  {
    opType: 'LayerNormalization',
    run: ([x, scale, b], attrs, ctx) => {
      const d = need(x, 0, 'LayerNormalization', ctx);
      const axis = normAxis(intAttr(attrs, 'axis', -1), d.rank, ctx, 'LayerNormalization');
      const axes = d.shape.map((_, i) => i).slice(axis);
      const {mean, variance} = tf.moments(d, axes, true);
      const invStd = tf.rsqrt(tf.add(variance, floatAttr(attrs, 'epsilon', 1e-5)));
      let y = tf.mul(tf.mul(tf.sub(d, mean), invStd), need(scale, 1, 'LayerNormalization', ctx));
      if (b != null) y = tf.add(y, b);
      const outs = [y];
      if (ctx.outputs > 1) outs.push(mean);
      if (ctx.outputs > 2) outs.push(invStd);
      return outs;
    },
  },
  {opType: 'Softmax', run: ([x], attrs, ctx) => [softmaxLike(need(x, 0, 'Softmax', ctx), attrs, ctx, false)]},
  {opType: 'LogSoftmax', run: ([x], attrs, ctx) => [softmaxLike(need(x, 0, 'LogSoftmax', ctx), attrs, ctx, true)]},
  reduce('ReduceMean', (x, a) => tf.mean(x, a)),
  reduce('ReduceSum', (x, a) => tf.sum(x, a)),
  reduce('ReduceMax', (x, a) => tf.max(x, a)),
  reduce('ReduceMin', (x, a) => tf.min(x, a)),
  reduce('ReduceProd', (x, a) => tf.prod(x, a)),
  reduce('ReduceSumSquare', (x, a) => tf.sum(tf.square(x), a)),
  reduce('ReduceL2', (x, a) => tf.sqrt(tf.sum(tf.square(x), a))),
  reduce('ReduceL1', (x, a) => tf.sum(tf.abs(x), a)),
  reduce('ReduceLogSumExp', (x, a) => tf.logSumExp(x, a)),
];
