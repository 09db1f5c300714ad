/**
 * What one ONNX operator's mapper is: how it runs on tfjs ops (the same code runs
 * at conversion time to fold constants and at run time inside a tfjs GraphModel),
 * and what it refuses before anything is written.
 */
import * as tf from '@tensorflow/tfjs';

/** A tensor-valued attribute (Constant's `value`, ConstantOfShape's `value`), as stored in the model.json. */
export interface TensorAttr {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  values: number[];
}

/** An ONNX attribute as the mappers see it (INT/FLOAT numbers, STRING, lists, tensors). */
export type AttrValue = number | string | number[] | string[] | TensorAttr;

/** A node's attributes by ONNX name. */
export type Attrs = Record<string, AttrValue>;

/** What a mapper knows of its node besides the tensors. */
export interface OpContext {
  /** The model's ai.onnx opset. */
  opset: number;
  /** How many outputs the node declares (optional trailing outputs may be absent). */
  outputs: number;
  /** The node's name, for errors. */
  node: string;
}

/** One ONNX operator mapped to tfjs ops. */
export interface OnnxOp {
  opType: string;
  /**
   * Conversion-time refusals: each string names an attribute this mapper cannot compute
   * exactly (empty: supported).
   */
  check?(attrs: Attrs, ctx: OpContext): string[];
  /** Runs the node. `inputs[i]` is null for an omitted optional input. */
  run(inputs: Array<tf.Tensor | null>, attrs: Attrs, ctx: OpContext): tf.Tensor[];
}

/** An error of a mapper at run time (bad input shapes or values), naming the node. */
export class OnnxOpError extends Error {
  constructor(readonly node: string, readonly opType: string, message: string) {
    super(`ONNX ${opType} node '${node}': ${message}`);
    this.name = 'OnnxOpError';
  }
}

// ---- attribute helpers ----

export function intAttr(attrs: Attrs, name: string, dflt: number): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : dflt;
}

export function floatAttr(attrs: Attrs, name: string, dflt: number): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : dflt;
}

export function intsAttr(attrs: Attrs, name: string): number[] | null {
  const v = attrs[name];
  return Array.isArray(v) ? (v as number[]) : null;
}

export function stringAttr(attrs: Attrs, name: string, dflt: string): string {
  const v = attrs[name];
  return typeof v === 'string' ? v : dflt;
}

/** A constant integer input's values (axes, shape, pads, …), read synchronously. */
export function intValues(t: tf.Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number>);
}

/** Normalises a possibly negative axis against `rank`, checking its range. */
export function normAxis(axis: number, rank: number, ctx: OpContext, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new OnnxOpError(ctx.node, op, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The numpy broadcast of two shapes, or an error naming both. */
export function broadcastShapes(a: number[], b: number[], ctx: OpContext, op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new OnnxOpError(ctx.node, op, `shapes [${a}] and [${b}] do not broadcast`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}
