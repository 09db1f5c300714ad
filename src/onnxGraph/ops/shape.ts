/**
 * ONNX operators that move, select or make tensors: Reshape, Flatten, Squeeze,
 * Unsqueeze, Transpose, Concat, Split, Slice, Gather, ScatterND, Expand, Tile, Pad,
 * Shape, ConstantOfShape, Constant, Cast, Identity, Dropout, Range.
 * Integers are int32 (tfjs has no int64): ONNX's int64 shapes and indices become int32.
 */
import * as tf from '@tensorflow/tfjs';

import {
  Attrs, broadcastShapes, intAttr, intsAttr, intValues, normAxis, OnnxOp, OnnxOpError, OpContext, stringAttr, TensorAttr,
} from '../op';

function need(t: tf.Tensor | null, i: number, op: string, ctx: OpContext): tf.Tensor {
  if (t == null) throw new OnnxOpError(ctx.node, op, `input ${i} is required`);
  return t;
}

/** Axes from the attribute (older opsets) or the optional input (newer ones). */
function axesOf(attrs: Attrs, input: tf.Tensor | null | undefined): number[] | null {
  if (input != null) return intValues(input);
  return intsAttr(attrs, 'axes');
}

const clone = (t: tf.Tensor) => tf.clone(t);

/** ONNX dtype numbers → tfjs dtypes (exact where the values fit; checked by the converter). */
export const CAST_TARGETS: Record<number, 'float32' | 'int32' | 'bool' | null> = {
  1: 'float32', 2: 'int32', 3: 'int32', 4: 'int32', 5: 'int32', 6: 'int32', 7: 'int32', 9: 'bool', 12: 'int32', 13: 'int32',
  10: null, 11: null, 16: null,  // float16, double, bfloat16: tfjs computes none of them exactly
};

function tensorFromAttr(t: TensorAttr): tf.Tensor {
  return tf.tensor(t.values, t.shape, t.dtype);
}

function sliceAxis(x: tf.Tensor, axis: number, start: number, end: number, step: number): tf.Tensor {
  const dim = x.shape[axis];
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  if (step > 0) {
    const s = clamp(start < 0 ? start + dim : start, 0, dim);
    const e = clamp(end < 0 ? end + dim : end, 0, dim);
    if (step === 1) {
      const begin = x.shape.map(() => 0);
      const size = x.shape.slice();
      begin[axis] = s;
      size[axis] = Math.max(e - s, 0);
      return tf.slice(x, begin, size);
    }
    const idx: number[] = [];
    for (let i = s; i < e; i += step) idx.push(i);
    return tf.gather(x, tf.tensor1d(idx, 'int32'), axis);
  }
  const s = clamp(start < 0 ? start + dim : start, -1, dim - 1);
  const e = clamp(end < 0 ? end + dim : end, -1, dim - 1);
  const idx: number[] = [];
  for (let i = s; i > e; i += step) idx.push(i);
  return tf.gather(x, tf.tensor1d(idx, 'int32'), axis);
}

function padEdge(x: tf.Tensor, axis: number, before: number, after: number): tf.Tensor {
  const parts: tf.Tensor[] = [];
  const dim = x.shape[axis];
  const one = (i: number) => {
    const begin = x.shape.map(() => 0);
    const size = x.shape.slice();
    begin[axis] = i;
    size[axis] = 1;
    return tf.slice(x, begin, size);
  };
  if (before > 0) parts.push(tf.concat(Array(before).fill(one(0)), axis));
  parts.push(x);
  if (after > 0) parts.push(tf.concat(Array(after).fill(one(dim - 1)), axis));
  return parts.length === 1 ? x : tf.concat(parts, axis);
}

export function pad(x: tf.Tensor, pads: number[], mode: string, value: number, ctx: OpContext): tf.Tensor {
  const r = x.shape.length;
  // negative pads crop first
  let y = x;
  for (let a = 0; a < r; a++) {
    const b = pads[a];
    const e = pads[a + r];
    if (b < 0 || e < 0) y = sliceAxis(y, a, Math.max(-b, 0), y.shape[a] - Math.max(-e, 0), 1);
  }
  const pos = Array.from({length: r}, (_, a) => [Math.max(pads[a], 0), Math.max(pads[a + r], 0)] as [number, number]);
  if (pos.every(([b, e]) => b === 0 && e === 0)) return y === x ? clone(x) : y;
  if (mode === 'constant') return tf.pad(y, pos, value);
  if (mode === 'reflect') {
    for (let a = 0; a < r; a++) {
      if (pos[a][0] >= y.shape[a] || pos[a][1] >= y.shape[a]) {
        throw new OnnxOpError(ctx.node, 'Pad', `reflect pads [${pos[a]}] on axis ${a} must be smaller than its size ${y.shape[a]}`);
      }
    }
    return tf.mirrorPad(y, pos, 'reflect');
  }
  if (mode === 'edge') {
    for (let a = 0; a < r; a++) if (pos[a][0] || pos[a][1]) y = padEdge(y, a, pos[a][0], pos[a][1]);
    return y;
  }
  throw new OnnxOpError(ctx.node, 'Pad', `mode '${mode}' is not one of constant, reflect, edge`);
}

/** Shape's output for a tensor of `shape` (its start / end attributes, opset 15). */
export function shapeSlice(shape: number[], attrs: Attrs): number[] {
  const r = shape.length;
  const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clampIdx(intAttr(attrs, 'start', 0));
  const end = clampIdx(intAttr(attrs, 'end', r));
  return shape.slice(start, Math.max(end, start));
}

export const SHAPE_OPS: OnnxOp[] = [
  {
    opType: 'Identity',
    run: ([x], _a, ctx) => [clone(need(x, 0, 'Identity', ctx))],
  },
  {
    // Inference: the output is the input; the optional mask output is all true.
    opType: 'Dropout',
    run: ([x], _a, ctx) => {
      const y = need(x, 0, 'Dropout', ctx);
      return ctx.outputs > 1 ? [clone(y), tf.onesLike(y).cast('bool')] : [clone(y)];
    },
  },
  {
    opType: 'Reshape',
    run: ([x, s], attrs, ctx) => {
      const data = need(x, 0, 'Reshape', ctx);
      const spec = ctx.opset < 5 ? (intsAttr(attrs, 'shape') ?? []) : intValues(need(s, 1, 'Reshape', ctx));
      const allowZero = intAttr(attrs, 'allowzero', 0) === 1;
      const shape = spec.map((d, i) => (d === 0 && !allowZero ? data.shape[i] : d));
      if (shape.some((d) => d === undefined)) throw new OnnxOpError(ctx.node, 'Reshape', `shape [${spec}] copies a dimension input [${data.shape}] lacks`);
      return [tf.reshape(data, shape)];
    },
  },
  {
    opType: 'Flatten',
    run: ([x], attrs, ctx) => {
      const data = need(x, 0, 'Flatten', ctx);
      const r = data.shape.length;
      let axis = intAttr(attrs, 'axis', 1);
      if (axis < 0) axis += r;
      const outer = data.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      return [tf.reshape(data, [outer, data.size / Math.max(outer, 1) || 0])];
    },
  },
  {
    opType: 'Squeeze',
    run: ([x, axesIn], attrs, ctx) => {
      const data = need(x, 0, 'Squeeze', ctx);
      const axes = axesOf(attrs, axesIn);
      const r = data.shape.length;
      const drop = axes == null ? data.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) :
        axes.map((a) => normAxis(a, r, ctx, 'Squeeze'));
      for (const a of drop) {
        if (data.shape[a] !== 1) throw new OnnxOpError(ctx.node, 'Squeeze', `axis ${a} of [${data.shape}] is not 1`);
      }
      return [tf.reshape(data, data.shape.filter((_, i) => !drop.includes(i)))];
    },
  },
  {
    opType: 'Unsqueeze',
    run: ([x, axesIn], attrs, ctx) => {
      const data = need(x, 0, 'Unsqueeze', ctx);
      const axes = axesOf(attrs, axesIn);
      if (axes == null) throw new OnnxOpError(ctx.node, 'Unsqueeze', 'axes are required');
      const r = data.shape.length + axes.length;
      const set = new Set(axes.map((a) => normAxis(a, r, ctx, 'Unsqueeze')));
      const shape: number[] = [];
      let k = 0;
      for (let i = 0; i < r; i++) shape.push(set.has(i) ? 1 : data.shape[k++]);
      return [tf.reshape(data, shape)];
    },
  },
  {
    opType: 'Transpose',
    run: ([x], attrs, ctx) => {
      const data = need(x, 0, 'Transpose', ctx);
      const perm = intsAttr(attrs, 'perm') ?? data.shape.map((_, i) => data.shape.length - 1 - i);
      return [tf.transpose(data, perm)];
    },
  },
  {
    opType: 'Concat',
    run: (inputs, attrs, ctx) => {
      const xs = inputs.filter((t): t is tf.Tensor => t != null);
      const axis = normAxis(intAttr(attrs, 'axis', 0), xs[0].shape.length, ctx, 'Concat');
      const nonEmpty = xs.filter((t) => t.size > 0);
      if (nonEmpty.length === 0) return [clone(xs[0])];
      return [nonEmpty.length === 1 ? clone(nonEmpty[0]) : tf.concat(nonEmpty, axis)];
    },
  },
  {
    opType: 'Split',
    run: ([x, splitIn], attrs, ctx) => {
      const data = need(x, 0, 'Split', ctx);
      const axis = normAxis(intAttr(attrs, 'axis', 0), data.shape.length, ctx, 'Split');
      let sizes = splitIn != null ? intValues(splitIn) : intsAttr(attrs, 'split');
      if (sizes == null) {
        const n = intAttr(attrs, 'num_outputs', ctx.outputs);
        const each = Math.ceil(data.shape[axis] / n);
        sizes = Array.from({length: n}, (_, i) => Math.max(Math.min(each, data.shape[axis] - i * each), 0));
      }
      if (sizes.reduce((a, b) => a + b, 0) !== data.shape[axis]) {
        throw new OnnxOpError(ctx.node, 'Split', `split sizes [${sizes}] do not add up to axis ${axis}'s size ${data.shape[axis]}`);
      }
      return tf.split(data, sizes, axis);
    },
  },
  {
    // opset >= 10: starts, ends, axes, steps as inputs; before: attributes.
    opType: 'Slice',
    run: ([x, s, e, ax, st], attrs, ctx) => {
      const data = need(x, 0, 'Slice', ctx);
      const starts = ctx.opset < 10 ? intsAttr(attrs, 'starts')! : intValues(need(s, 1, 'Slice', ctx));
      const ends = ctx.opset < 10 ? intsAttr(attrs, 'ends')! : intValues(need(e, 2, 'Slice', ctx));
      const axes = (ctx.opset < 10 ? intsAttr(attrs, 'axes') : ax != null ? intValues(ax) : null) ?? starts.map((_, i) => i);
      const steps = st != null ? intValues(st) : starts.map(() => 1);
      let y = data;
      const made: tf.Tensor[] = [];
      axes.forEach((a, i) => {
        if (steps[i] === 0) throw new OnnxOpError(ctx.node, 'Slice', 'a step is 0');
        // int64 extremes (INT64_MAX for "to the end") arrive as large doubles: clamping handles them
        y = sliceAxis(y, normAxis(a, data.shape.length, ctx, 'Slice'), starts[i], ends[i], steps[i]);
        made.push(y);
      });
      made.slice(0, -1).forEach((t) => t.dispose());
      return [y === data ? clone(data) : y];
    },
  },
  {
    opType: 'Gather',
    run: ([x, idx], attrs, ctx) => {
      const data = need(x, 0, 'Gather', ctx);
      const indices = need(idx, 1, 'Gather', ctx);
      const axis = normAxis(intAttr(attrs, 'axis', 0), data.shape.length, ctx, 'Gather');
      const dim = data.shape[axis];
      const i32 = indices.dtype === 'int32' ? indices : tf.cast(indices, 'int32');
      const fixed = tf.where(tf.less(i32, 0), tf.add(i32, tf.scalar(dim, 'int32')), i32);
      if (indices.rank === 0) {
        const g = tf.gather(data, tf.reshape(fixed, [1]), axis);
        return [tf.squeeze(g, [axis])];
      }
      return [tf.gather(data, fixed, axis)];
    },
  },
  {
    opType: 'ScatterND',
    check: (attrs) => (['none', 'add'].includes(stringAttr(attrs, 'reduction', 'none')) ? [] :
      [`reduction '${attrs.reduction}' (none and add are supported)`]),
    run: ([x, idx, upd], _a, ctx) => {
      const data = need(x, 0, 'ScatterND', ctx);
      const indices = tf.cast(need(idx, 1, 'ScatterND', ctx), 'int32');
      const updates = need(upd, 2, 'ScatterND', ctx);
      const k = indices.shape[indices.shape.length - 1];
      const dims = tf.tensor1d(data.shape.slice(0, k), 'int32');
      const fixed = tf.where(tf.less(indices, 0), tf.add(indices, dims), indices);
      const placed = tf.scatterND(fixed, updates, data.shape);
      if (stringAttr(_a, 'reduction', 'none') === 'add') return [tf.add(data, placed)];  // duplicates accumulate, as ONNX's add does
      const hit = tf.scatterND(fixed, tf.onesLike(updates).cast('float32'), data.shape);
      const keep = tf.equal(hit, 0);
      return [tf.where(keep, data, placed)];
    },
  },
  {
    opType: 'Expand',
    run: ([x, s], _a, ctx) => {
      const data = need(x, 0, 'Expand', ctx);
      const shape = broadcastShapes(data.shape, intValues(need(s, 1, 'Expand', ctx)), ctx, 'Expand');
      const lifted = data.shape.length < shape.length ? tf.reshape(data, [...Array(shape.length - data.shape.length).fill(1), ...data.shape]) : data;
      return [tf.broadcastTo(lifted, shape)];
    },
  },
  {
    opType: 'Tile',
    run: ([x, r], _a, ctx) => [tf.tile(need(x, 0, 'Tile', ctx), intValues(need(r, 1, 'Tile', ctx)))],
  },
  {
    opType: 'Pad',
    check: (attrs) => {
      const mode = stringAttr(attrs, 'mode', 'constant');
      return ['constant', 'reflect', 'edge'].includes(mode) ? [] : [`mode '${mode}' (constant, reflect and edge are supported)`];
    },
    run: ([x, p, v, ax], attrs, ctx) => {
      const data = need(x, 0, 'Pad', ctx);
      const r = data.shape.length;
      let pads = ctx.opset < 11 ? (intsAttr(attrs, 'pads') ?? intsAttr(attrs, 'paddings') ?? []) : intValues(need(p, 1, 'Pad', ctx));
      const value = ctx.opset < 11 ? (attrs.value as number ?? 0) : v != null && v.size > 0 ? (v.dataSync()[0] as number) : 0;
      if (ax != null) {
        const axes = intValues(ax).map((a) => normAxis(a, r, ctx, 'Pad'));
        const full = Array(2 * r).fill(0);
        axes.forEach((a, i) => { full[a] = pads[i]; full[a + r] = pads[i + axes.length]; });
        pads = full;
      }
      if (pads.length !== 2 * r) throw new OnnxOpError(ctx.node, 'Pad', `pads has ${pads.length} values; rank ${r} needs ${2 * r}`);
      return [pad(data, pads, stringAttr(attrs, 'mode', 'constant'), value, ctx)];
    },
  },
  {
    opType: 'Shape',
    run: ([x], attrs, ctx) => [tf.tensor1d(shapeSlice(need(x, 0, 'Shape', ctx).shape, attrs), 'int32')],
  },
  {
    opType: 'Size',
    run: ([x], _a, ctx) => [tf.scalar(need(x, 0, 'Size', ctx).size, 'int32')],
  },
  {
    opType: 'ConstantOfShape',
    run: ([s], attrs, ctx) => {
      const shape = intValues(need(s, 0, 'ConstantOfShape', ctx));
      const v = attrs.value as TensorAttr | undefined;
      return [tf.fill(shape, v == null ? 0 : v.values[0], v == null ? 'float32' : v.dtype)];
    },
  },
  {
    opType: 'Constant',
    check: (attrs) => (['value', 'value_float', 'value_int', 'value_floats', 'value_ints'].some((k) => k in attrs) ? [] :
      [`a Constant with ${Object.keys(attrs).join(', ') || 'no value'} (value, value_float(s) and value_int(s) are supported)`]),
    run: (_i, attrs) => {
      if (attrs.value != null) return [tensorFromAttr(attrs.value as TensorAttr)];
      if (typeof attrs.value_float === 'number') return [tf.scalar(attrs.value_float, 'float32')];
      if (typeof attrs.value_int === 'number') return [tf.scalar(attrs.value_int, 'int32')];
      if (Array.isArray(attrs.value_floats)) return [tf.tensor1d(attrs.value_floats as number[], 'float32')];
      return [tf.tensor1d(attrs.value_ints as number[], 'int32')];
    },
  },
  {
    opType: 'Cast',
    check: (attrs) => {
      const to = intAttr(attrs, 'to', 1);
      return CAST_TARGETS[to] == null ? [`Cast to ONNX data type ${to} (tfjs computes float32, int32 and bool only)`] : [];
    },
    run: ([x], attrs, ctx) => {
      const data = need(x, 0, 'Cast', ctx);
      const to = CAST_TARGETS[intAttr(attrs, 'to', 1)]!;
      if (to === data.dtype) return [clone(data)];
      // ONNX float → int truncates toward zero, as tf.cast does
      return [tf.cast(data, to)];
    },
  },
  {
    opType: 'Range',
    run: ([s, l, d], _a, ctx) => {
      const start = need(s, 0, 'Range', ctx);
      const lim = need(l, 1, 'Range', ctx).dataSync()[0] as number;
      const delta = need(d, 2, 'Range', ctx).dataSync()[0] as number;
      const st = start.dataSync()[0] as number;
      const n = Math.max(Math.ceil((lim - st) / delta), 0);
      const dtype = start.dtype === 'int32' ? 'int32' : 'float32';
      return [tf.tensor1d(Array.from({length: n}, (_, i) => st + i * delta), dtype)];
    },
  },
];
