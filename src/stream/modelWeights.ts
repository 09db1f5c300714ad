/**
 * A tfjs weights manifest and its weight files → one Float32Array per weight
 * name, without tfjs. The files are taken in manifest order; their bytes must
 * be exactly what the manifest's entries need (float32 only: quantized or
 * other dtypes are refused, never approximated).
 */
import {StreamModelError} from './errors';

/**
 * One group of a model.json's weightsManifest.
 * @category Backends and kernels
 */
export interface WeightsManifestGroup {
  paths: string[];
  weights: Array<{name: string; shape: number[]; dtype: string; quantization?: unknown; group?: string}>;
}

/**
 * Bytes of one file.
 * @category Backends and kernels
 */
export type Bytes = ArrayBuffer|ArrayBufferView;

/**
 * The weight files: all of them concatenated in manifest order (one buffer), one
 * buffer per manifest path in order, or a map from manifest path to bytes.
 * @category Backends and kernels
 */
export type WeightFiles = Bytes|Bytes[]|Record<string, Bytes>;

/** A weight's shape and values. */
export interface NamedWeight {
  shape: number[];
  data: Float32Array;
}

function isBytes(b: unknown): b is Bytes {
  return b instanceof ArrayBuffer || ArrayBuffer.isView(b);
}

function asUint8(b: Bytes): Uint8Array {
  return b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The files' bytes in manifest order, one array per path. */
function filesInOrder(file: string, paths: string[], files: WeightFiles): Uint8Array[] {
  if (isBytes(files)) return [asUint8(files)];
  if (Array.isArray(files)) {
    if (files.length !== paths.length) {
      throw new StreamModelError('BAD_WEIGHTS', file,
          `the manifest lists ${paths.length} weight file(s) (${paths.join(', ')}), got ${files.length} buffer(s)`);
    }
    return files.map((f, i) => {
      if (!isBytes(f)) throw new StreamModelError('BAD_WEIGHTS', file, `weight file ${i} (${paths[i]}) is not an ArrayBuffer or typed array`);
      return asUint8(f);
    });
  }
  return paths.map((p) => {
    const f = (files as Record<string, Bytes>)[p];
    if (!isBytes(f)) {
      throw new StreamModelError('BAD_WEIGHTS', file,
          `weight file '${p}' of the manifest is missing (given: ${Object.keys(files).join(', ') || 'none'})`);
    }
    return asUint8(f);
  });
}

/** Reads every weight of the manifest; throws StreamModelError('BAD_WEIGHTS') on any mismatch. */
export function readWeights(file: string, manifest: WeightsManifestGroup[], files: WeightFiles): Map<string, NamedWeight> {
  if (!Array.isArray(manifest)) throw new StreamModelError('BAD_MODEL', file, `weightsManifest must be an array, got ${typeof manifest}`);
  const paths: string[] = [];
  const specs: WeightsManifestGroup['weights'] = [];
  for (const [g, group] of manifest.entries()) {
    if (group == null || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new StreamModelError('BAD_MODEL', file, `weightsManifest[${g}] must have 'paths' and 'weights' arrays`);
    }
    paths.push(...group.paths);
    specs.push(...group.weights);
  }
  const parts = filesInOrder(file, paths, files);
  const total = parts.reduce((n, p) => n + p.length, 0);
  let need = 0;
  for (const s of specs) {
    if (s.dtype !== 'float32') {
      throw new StreamModelError('UNSUPPORTED', file, `weight '${s.name}' has dtype ${s.dtype}; the stream reads float32 weights only`);
    }
    if (s.quantization != null) {
      throw new StreamModelError('UNSUPPORTED', file,
          `weight '${s.name}' is quantized (${JSON.stringify(s.quantization)}); the stream reads unquantized float32 weights only`);
    }
    if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new StreamModelError('BAD_MODEL', file, `weight '${s.name}' has shape ${JSON.stringify(s.shape)}, expected non-negative integers`);
    }
    need += 4 * s.shape.reduce((a, b) => a * b, 1);
  }
  if (total !== need) {
    throw new StreamModelError('BAD_WEIGHTS', file,
        `the manifest's ${specs.length} float32 weights need ${need} bytes, the weight files hold ${total}`);
  }
  // One contiguous copy, so each weight is an aligned Float32Array whatever the files' offsets.
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  const out = new Map<string, NamedWeight>();
  at = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (out.has(s.name)) throw new StreamModelError('BAD_MODEL', file, `weight '${s.name}' appears twice in the manifest`);
    out.set(s.name, {shape: s.shape.slice(), data: new Float32Array(all.buffer, at, n)});
    at += 4 * n;
  }
  return out;
}
