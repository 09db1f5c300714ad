import * as tf from '@tensorflow/tfjs';

import {GruSize, LayoutSpec, WeightMap} from './layout';

function fmt(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks a weight object against a layout and returns the D and U it infers.
 * Every error names the tensor, the expected and the actual value: missing or
 * extra tensors, non-tensors, dtype, rank, shape, and sizes that disagree
 * between tensors (the shape expected is the one D and U imply).
 */
export function validateWeights(weights: unknown, layout: LayoutSpec, context: string): GruSize {
  const where = `${context}: layout '${layout.name}'`;
  if (weights == null || typeof weights !== 'object' || Array.isArray(weights) || weights instanceof tf.Tensor) {
    throw new Error(`${where}: expected a plain object of tensors {${Object.keys(layout.tensors).join(', ')}}, got ${
        weights instanceof tf.Tensor ? 'a tensor' : Array.isArray(weights) ? 'an array' : String(weights)}`);
  }
  const w = weights as Record<string, unknown>;
  const names = Object.keys(layout.tensors);
  const optional = layout.optional ?? [];
  for (const key of Object.keys(w)) {
    if (!(key in layout.tensors)) {
      throw new Error(`${where}: unexpected tensor '${key}' (shape ${
          w[key] instanceof tf.Tensor ? fmt((w[key] as tf.Tensor).shape) : typeof w[key]}); the layout's tensors are ${
          names.join(', ')}`);
    }
  }
  const present = names.filter((n) => w[n] != null);
  for (const name of names) {
    if (w[name] == null && !optional.includes(name)) {
      throw new Error(`${where}: missing tensor '${name}' (expected shape ${layout.tensors[name]}); got ${
          present.length ? present.join(', ') : 'no tensors'}`);
    }
  }
  const givenOptional = optional.filter((n) => w[n] != null);
  if (givenOptional.length !== 0 && givenOptional.length !== optional.length) {
    const missing = optional.filter((n) => w[n] == null);
    throw new Error(`${where}: missing tensor '${missing[0]}' (expected shape ${layout.tensors[missing[0]]}): ${
        optional.join(' and ')} come together or not at all`);
  }
  for (const name of present) {
    const t = w[name];
    if (!(t instanceof tf.Tensor)) {
      throw new Error(`${where}: '${name}' must be a tf.Tensor of shape ${layout.tensors[name]}, got ${
          Array.isArray(t) ? 'an array' : typeof t}`);
    }
    if (t.isDisposed) throw new Error(`${where}: '${name}' is a disposed tensor`);
    if (t.dtype !== 'float32') {
      throw new Error(`${where}: '${name}' expects dtype float32, got ${t.dtype}`);
    }
    const rank = layout.tensors[name].split(',').length;
    if (t.rank !== rank) {
      throw new Error(`${where}: '${name}' expects rank ${rank} (shape ${layout.tensors[name]}), got shape ${
          fmt(t.shape)}${hint(layout, name, t.shape)}`);
    }
  }
  const tensors = w as WeightMap;
  const size = layout.inferSize(tensors);
  if (!(size.units >= 1) || !(size.inputSize >= 1)) {
    throw new Error(`${where}: cannot infer the GRU size (${layout.sizeFrom}): got D=${size.inputSize}, U=${
        size.units}; both must be at least 1`);
  }
  const expected = layout.shapes(size);
  for (const name of present) {
    const got = tensors[name].shape;
    const want = expected[name];
    if (got.some((d, i) => d !== want[i])) {
      throw new Error(`${where}: '${name}' expects shape ${fmt(want)} (${layout.tensors[name]} with D=${
          size.inputSize}, U=${size.units}; ${layout.sizeFrom}), got ${fmt(got)}${hint(layout, name, got)}`);
    }
  }
  return size;
}

/** Points a Keras user whose bias rank gives away the other reset convention to the right layout. */
function hint(layout: LayoutSpec, name: string, shape: number[]): string {
  if (name !== 'bias') return '';
  if (layout.name === 'keras' && shape.length === 2 && shape[0] === 2) {
    return ": a [2, 3U] bias is Keras reset_after=True, layout 'keras-reset-after'";
  }
  if (layout.name === 'keras-reset-after' && shape.length === 1) {
    return ": a [3U] bias is Keras reset_after=False, layout 'keras'";
  }
  return '';
}
