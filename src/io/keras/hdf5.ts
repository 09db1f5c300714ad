/**
 * HDF5 files as Keras writes them (h5py), read from bytes with jsfive (pure JavaScript,
 * synchronous, no fs: works in Node and in a browser). This module only reads the
 * structure: groups, datasets (dtype, shape), attributes and float data. Every fault of
 * the library becomes a KerasFileError naming the file and the object being read.
 */
import * as jsfive from 'jsfive';

import {KerasFileError} from './errors';

/** One dataset of an HDF5 file: its path, numpy-style dtype ('<f4') and shape. */
export interface Hdf5Dataset {
  path: string;
  dtype: string;
  shape: number[];
}

const MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_NODES = 100000;
const MAX_DEPTH = 32;

/** True when `bytes` start with HDF5's signature. */
export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b);
}

function describe(e: unknown): string {
  if (e instanceof RangeError) return `reads past the end of the data (truncated or a corrupt offset): ${e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}

function readOffset(dv: DataView, at: number, size: number): number {
  if (at + size > dv.byteLength) return -1;
  if (size === 8) return Number(dv.getBigUint64(at, true));
  if (size === 4) return dv.getUint32(at, true);
  if (size === 2) return dv.getUint16(at, true);
  return -1;
}

/** The file's length by its superblock (end-of-file address − base address), or -1 when it cannot be read. */
function declaredLength(bytes: Uint8Array): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12) return -1;
  const version = bytes[8];
  let so: number;
  let base: number;
  if (version === 0 || version === 1) {
    so = bytes[13];
    base = version === 0 ? 24 : 28;
  } else if (version === 2 || version === 3) {
    so = bytes[9];
    base = 12;
  } else {
    return -1;
  }
  const baseAddress = readOffset(dv, base, so);
  const eof = readOffset(dv, base + 2 * so, so);
  return baseAddress < 0 || eof < 0 ? -1 : eof - baseAddress;
}

/** An HDF5 file opened from bytes (see the module comment). */
export class Hdf5File {
  private readonly root: any;
  private datasetList: Hdf5Dataset[] | null = null;

  /** `entry`: the zip entry the bytes came from (a .keras file's model.weights.h5), named in messages. */
  constructor(bytes: Uint8Array, readonly file: string, private readonly entry: string | null = null) {
    if (!isHdf5(bytes)) {
      const got = Array.from(bytes.slice(0, 8)).map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new KerasFileError('BAD_HDF5', file, `${entry ? `zip entry '${entry}': ` : ''}not an HDF5 file: expected the signature 89 48 44 46 0d 0a 1a 0a, got ${got || 'an empty file'}`);
    }
    const declared = declaredLength(bytes);
    if (declared > bytes.length) {
      throw new KerasFileError('TRUNCATED', file, `${entry ? `zip entry '${entry}': ` : ''}HDF5 file of ${bytes.length} bytes, ` +
          `its superblock says ${declared} (truncated)`);
    }
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    this.root = this.guard('the superblock', () => new (jsfive as any).File(ab, file));
  }

  /** Runs a jsfive call: its exceptions become KerasFileError, its console warnings (unknown attribute types) are collected. */
  private guard<T>(what: string, f: () => T): T {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => { this.warnings.push(args.map(String).join(' ')); };
    try {
      return f();
    } catch (e) {
      if (e instanceof KerasFileError) throw e;
      throw new KerasFileError('BAD_HDF5', this.file, `${this.entry ? `zip entry '${this.entry}': ` : ''}HDF5 ${what}: ${describe(e)}`);
    } finally {
      console.warn = warn;
    }
  }

  /** What the HDF5 library warned about (e.g. an attribute of a type it does not decode). */
  readonly warnings: string[] = [];

  private node(path: string): any {
    return this.guard(`object '${path}'`, () => {
      const n = path === '' || path === '/' ? this.root : this.root.get(path);
      if (n == null) throw new KerasFileError('BAD_HDF5', this.file, `${this.entry ? `zip entry '${this.entry}': ` : ''}HDF5 object '${path}' does not exist`);
      return n;
    });
  }

  /** Whether `path` names a group or dataset. */
  has(path: string): boolean {
    try {
      return this.root.get(path) != null;
    } catch {
      return false;
    }
  }

  /** The names of a group's members ([] for a dataset). */
  keys(path: string): string[] {
    const n = this.node(path);
    const k = this.guard(`group '${path}'`, () => n.keys);
    return Array.isArray(k) ? k.map(String) : [];
  }

  /** Whether `path` is a dataset. */
  isDataset(path: string): boolean {
    const n = this.node(path);
    return this.guard(`object '${path}'`, () => n.keys === undefined && n.shape !== undefined);
  }

  /** The attributes of a group or dataset. */
  attrs(path: string): Record<string, unknown> {
    const n = this.node(path);
    return this.guard(`attributes of '${path || '/'}'`, () => ({...(n.attrs ?? {})}));
  }

  /** One string attribute (null when absent); a typed error when it is there but not a string. */
  stringAttr(path: string, name: string): string | null {
    const v = this.attrs(path)[name];
    if (v == null) return null;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
    throw new KerasFileError('BAD_HDF5', this.file, `attribute '${name}' of '${path || '/'}' should be a string, got ${typeof v}`);
  }

  /** A list-of-strings attribute (null when absent). */
  stringListAttr(path: string, name: string): string[] | null {
    const v = this.attrs(path)[name];
    if (v == null) return null;
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
    if (Array.isArray(v) && v.length === 0) return [];
    if (typeof v === 'string') return [v];
    // h5py writes an empty list as an empty float64 array
    if (ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length === 0) return [];
    throw new KerasFileError('BAD_HDF5', this.file, `attribute '${name}' of '${path || '/'}' should be a list of strings`);
  }

  /** Every dataset under `under` (default: the whole file), depth first, in the file's member order. */
  datasets(under = ''): Hdf5Dataset[] {
    if (under === '' && this.datasetList != null) return this.datasetList;
    const out: Hdf5Dataset[] = [];
    let nodes = 0;
    const walk = (path: string, depth: number) => {
      if (++nodes > MAX_NODES) throw new KerasFileError('BAD_HDF5', this.file, `more than ${MAX_NODES} HDF5 objects`);
      if (depth > MAX_DEPTH) throw new KerasFileError('BAD_HDF5', this.file, `'${path}' is nested deeper than ${MAX_DEPTH} groups`);
      const n = this.node(path);
      const keys = this.guard(`group '${path}'`, () => n.keys);
      if (Array.isArray(keys)) {
        for (const k of keys) walk(path === '' ? String(k) : `${path}/${k}`, depth + 1);
        return;
      }
      const {shape, dtype} = this.guard(`dataset '${path}'`, () => ({shape: n.shape, dtype: n.dtype}));
      if (!Array.isArray(shape) || shape.some((d: unknown) => !Number.isInteger(d) || (d as number) < 0)) {
        throw new KerasFileError('BAD_HDF5', this.file, `dataset '${path}' has an invalid shape ${JSON.stringify(shape)}`);
      }
      out.push({path, dtype: typeof dtype === 'string' ? dtype : JSON.stringify(dtype), shape});
    };
    walk(under, 0);
    if (under === '') this.datasetList = out;
    return out;
  }

  /** A float32 or float16 dataset's numbers as float32 (exact); a typed error otherwise (float64 would need rounding). */
  readFloat32(path: string): Float32Array {
    const n = this.node(path);
    const {shape, dtype} = this.guard(`dataset '${path}'`, () => ({shape: n.shape as number[], dtype: n.dtype}));
    if (typeof dtype !== 'string' || !/^[<>]f[24]$/.test(dtype)) {
      throw new KerasFileError('UNSUPPORTED_DTYPE', this.file, `dataset '${path}' has dtype ${JSON.stringify(dtype)}; ` +
          'expected float32 or float16 (<f4, <f2); tfjs has no float64 and this reader does not round');
    }
    const count = shape.reduce((a, b) => a * b, 1);
    const value = this.guard(`data of '${path}'`, () => n.value);
    if (value == null || typeof value.length !== 'number' || value.length !== count) {
      throw new KerasFileError('BAD_HDF5', this.file,
          `dataset '${path}': shape [${shape}] holds ${count} numbers, the data has ${value?.length ?? 'none'}`);
    }
    const out = Float32Array.from(value as ArrayLike<number>);
    return out;
  }
}
