/**
 * The zip container of a Keras 3 `.keras` file (config.json, model.weights.h5,
 * metadata.json), unzipped from bytes with fflate (browser-safe, synchronous). Only
 * the entries a model needs are inflated, and only when their declared size fits what
 * deflate can produce from their compressed size (no allocation from an unchecked field).
 */
import {unzipSync, UnzipFileInfo} from 'fflate';

import {KerasFileError} from './errors';

/** The entries of a `.keras` zip that the reader uses. */
export interface KerasZipEntries {
  config: string;
  weights: Uint8Array;
  metadata: string | null;
  /** Every entry name in the zip. */
  names: string[];
}

const WANTED = new Set(['config.json', 'model.weights.h5', 'metadata.json']);
const MAX_DEFLATE_RATIO = 1032;  // deflate's maximum compression ratio

/** True when `bytes` start with a zip local-file header ('PK\x03\x04'). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Unzips a `.keras` file's entries (see the module comment). */
export function unzipKeras(bytes: Uint8Array, file: string): KerasZipEntries {
  const names: string[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f: UnzipFileInfo) => {
        names.push(f.name);
        if (!WANTED.has(f.name)) return false;
        if (f.originalSize > MAX_DEFLATE_RATIO * f.size + 1024) {
          throw new KerasFileError('BAD_ZIP', file,
              `zip entry '${f.name}' declares ${f.originalSize} bytes from ${f.size} compressed: more than deflate can produce`);
        }
        return true;
      },
    });
  } catch (e) {
    if (e instanceof KerasFileError) throw e;
    throw new KerasFileError('BAD_ZIP', file, `not a readable zip (truncated or corrupt): ${(e as Error).message ?? e}`);
  }
  for (const need of ['config.json', 'model.weights.h5']) {
    if (files[need] == null) {
      throw new KerasFileError('MISSING_ENTRY', file,
          `a .keras file holds '${need}', this zip has ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'no entries'}`);
    }
  }
  const text = (name: string) => {
    try {
      return new TextDecoder('utf-8', {fatal: true}).decode(files[name]);
    } catch {
      throw new KerasFileError('BAD_CONFIG', file, `zip entry '${name}' is not UTF-8 text`);
    }
  };
  return {config: text('config.json'), weights: files['model.weights.h5'],
    metadata: files['metadata.json'] == null ? null : text('metadata.json'), names};
}
