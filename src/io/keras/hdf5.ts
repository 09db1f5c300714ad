/**
 * HDF5 files as Keras writes them (h5py), read from bytes with jsfive (pure JavaScript,
 * synchronous, no fs: works in Node and in a browser). This module only reads the
 * structure: groups, datasets (dtype, shape), attributes and float data. Every fault of
 * the library becomes a KerasFileError naming the file and the object being read.
 *
 * Data is never sized by a declared shape alone: before a dataset is read, its storage
 * (HDF5's data layout message) is checked against the bytes present. Contiguous data must
 * lie inside the file, and is read here directly; chunked data may hold at most what its
 * chunks in this file can produce; data never written (no storage allocated, which h5py
 * reads as the dataset's fill value) is filled with that value, up to the file's own size.
 * jsfive's `.value` would otherwise build a JavaScript array of every declared element
 * first (a 15 KB file declaring 8000×24000 floats cost 7.9 GB) and read unwritten
 * elements as NaN.
 */
import * as jsfive from 'jsfive';

import {formatBytes} from '../limits';
import {KerasFileError} from './errors';

/** One dataset of an HDF5 file: its path, numpy-style dtype ('<f4') and shape. */
export interface Hdf5Dataset {
  path: string;
  dtype: string;
  shape: number[];
}

const MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_NODES = 100000;
const DATA_LAYOUT_MSG = 0x0008;
const FILTER_PIPELINE_MSG = 0x000b;
const MAX_DEFLATE_RATIO = 1032;

/** Where a dataset's data is: HDF5's data layout message, as far as the size check needs it. */
interface Storage {
  layout: 'compact' | 'contiguous' | 'chunked';
  /** The data's (or chunk index's) file address; null when no storage was ever allocated (never written). */
  address: number | null;
  /** Whether a filter pipeline (compression) applies. */
  filtered: boolean;
}
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

  private readonly byteLength: number;
  private readonly bytes: Uint8Array;

  /** `entry`: the zip entry the bytes came from (a .keras file's model.weights.h5), named in messages. */
  constructor(bytes: Uint8Array, readonly file: string, private readonly entry: string | null = null) {
    this.byteLength = bytes.length;
    this.bytes = bytes;
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

  private where(): string {
    return this.entry ? `zip entry '${this.entry}': ` : '';
  }

  /** The dataset's storage from its data layout message (see the module comment). */
  private storage(path: string, n: any): Storage {
    return this.guard(`data layout of '${path}'`, () => {
      const d = n._dataobjects;
      const msg = d.find_msg_type(DATA_LAYOUT_MSG)[0];
      if (msg == null) throw new KerasFileError('BAD_HDF5', this.file, `${this.where()}dataset '${path}' has no data layout message`);
      const at = msg.get('offset_to_message') as number;
      const dv = new DataView(d.fh as ArrayBuffer);
      const version = dv.getUint8(at);
      let cls: number;
      let props: number;
      if (version === 1 || version === 2) {
        cls = dv.getUint8(at + 2);
        props = at + 8;
      } else if (version === 3 || version === 4) {
        cls = dv.getUint8(at + 1);
        props = at + 2;
        if (cls === 2) props += 1;  // the chunk dimensionality comes before the address
      } else {
        throw new KerasFileError('BAD_HDF5', this.file, `${this.where()}dataset '${path}': data layout message version ${version}`);
      }
      const filtered = d.find_msg_type(FILTER_PIPELINE_MSG).length > 0;
      if (cls === 0) return {layout: 'compact', address: null, filtered};
      if (cls !== 1 && cls !== 2) throw new KerasFileError('BAD_HDF5', this.file, `${this.where()}dataset '${path}': data layout class ${cls}`);
      const raw = dv.getBigUint64(props, true);
      return {layout: cls === 1 ? 'contiguous' : 'chunked', address: raw === BigInt("0xffffffffffffffff") ? null : Number(raw), filtered};
    });
  }

  /** The dataset's fill value (h5py's default 0 when the file defines none). */
  private fillValue(n: any): number {
    try {
      const v = n.fillvalue;
      return typeof v === 'number' ? v : 0;
    } catch {
      return 0;
    }
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
    const itemSize = dtype.endsWith('4') ? 4 : 2;
    const needed = count * itemSize;
    const declared = `declares [${shape.join(', ')}] ${dtype === '<f4' || dtype === '>f4' ? 'float32' : 'float16'} (${formatBytes(needed)})`;
    const st = this.storage(path, n);
    if (st.address == null && st.layout !== 'compact') {
      // never written: h5py reads the fill value; materialised only up to the bytes actually present
      if (needed > this.byteLength) {
        throw new KerasFileError('TOO_LARGE', this.file, `${this.where()}dataset '${path}' ${declared} but stores no data ` +
            `(never written; h5py would read its fill value): more than the file's own ${formatBytes(this.byteLength)}, so it is not materialised`);
      }
      return new Float32Array(count).fill(this.fillValue(n));
    }
    if (st.layout === 'contiguous') {
      const at = st.address!;
      if (at + needed > this.byteLength) {
        throw new KerasFileError('TRUNCATED', this.file, `${this.where()}dataset '${path}' ${declared} at byte ${at}, ` +
            `past the end of the ${formatBytes(this.byteLength)} file`);
      }
      if (itemSize === 4) {
        const out = new Float32Array(count);
        const dv = new DataView(this.bytes.buffer, this.bytes.byteOffset + at, needed);
        const little = dtype[0] === '<';
        for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, little);
        return out;
      }
    } else {
      const bound = this.byteLength * (st.filtered ? MAX_DEFLATE_RATIO : 1) + this.byteLength;
      if (needed > bound) {
        throw new KerasFileError('TOO_LARGE', this.file, `${this.where()}dataset '${path}' ${declared}: more than its ` +
            `${st.layout} storage in this ${formatBytes(this.byteLength)} file can hold${st.filtered ? ' even compressed' : ''}`);
      }
    }
    const value = this.guard(`data of '${path}'`, () => n.value);
    if (value == null || typeof value.length !== 'number' || value.length !== count) {
      throw new KerasFileError('BAD_HDF5', this.file,
          `dataset '${path}': shape [${shape}] holds ${count} numbers, the data has ${value?.length ?? 'none'}`);
    }
    const out = new Float32Array(count);
    const fill = this.fillValue(n);
    // chunks never written are holes in jsfive's array: they hold the fill value, as h5py reads them
    for (let i = 0; i < count; i++) out[i] = value[i] === undefined ? fill : value[i];
    return out;
  }
}
