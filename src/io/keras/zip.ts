/**
 * The zip container of a Keras 3 `.keras` file (config.json, model.weights.h5,
 * metadata.json), unzipped from bytes with fflate (browser-safe, synchronous). Only
 * the entries a model needs are inflated, and only when every one of them fits: its
 * declared size within what deflate can produce from its compressed size and within an
 * absolute limit (src/io/limits.ts: model.weights.h5 512 MiB, the JSON entries 64 MiB by
 * default), checked for all entries before any is inflated (no allocation from an
 * unchecked field; fflate's output never grows past the declared size); each inflated
 * entry is checked against the CRC-32 of the zip's central directory.
 */
import {unzipSync, UnzipFileInfo} from 'fflate';

import {formatBytes, ReadLimits, readLimits} from '../limits';
import {centralDirectoryCrcs, isZip as isZipBytes, MAX_DEFLATE_RATIO} from '../zipDirectory';
import {crc32} from './crc32';
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
/** True when `bytes` start with a zip local-file header ('PK\x03\x04'). */
export const isZip = isZipBytes;

function centralCrcs(bytes: Uint8Array, file: string): Map<string, number> {
  return centralDirectoryCrcs(bytes, (why) => new KerasFileError('BAD_ZIP', file, why));
}

/** Unzips a `.keras` file's entries (see the module comment). */
export function unzipKeras(bytes: Uint8Array, file: string, limits?: Partial<ReadLimits>): KerasZipEntries {
  const lim = readLimits(limits);
  const names: string[] = [];
  const wanted: UnzipFileInfo[] = [];
  const unzip = (filter: (f: UnzipFileInfo) => boolean) => {
    try {
      return unzipSync(bytes, {filter});
    } catch (e) {
      if (e instanceof KerasFileError) throw e;
      throw new KerasFileError('BAD_ZIP', file, `not a readable zip (truncated or corrupt): ${(e as Error).message ?? e}`);
    }
  };
  // first pass: the directory only, nothing inflated
  unzip((f) => {
    names.push(f.name);
    if (WANTED.has(f.name)) wanted.push(f);
    return false;
  });
  for (const f of wanted) {
    if (f.originalSize > MAX_DEFLATE_RATIO * f.size + 1024) {
      throw new KerasFileError('BAD_ZIP', file,
          `zip entry '${f.name}' declares ${f.originalSize} bytes from ${f.size} compressed: more than deflate can produce`);
    }
    const [cap, which, env] = f.name === 'model.weights.h5' ? [lim.maxZipEntryBytes, 'maxZipEntryBytes', 'TFJS_GRU_MAX_ZIP_ENTRY_MB'] :
      [lim.maxZipTextBytes, 'maxZipTextBytes', 'TFJS_GRU_MAX_ZIP_TEXT_MB'];
    if (f.originalSize > cap) {
      throw new KerasFileError('TOO_LARGE', file, `zip entry '${f.name}' declares ${formatBytes(f.originalSize)} uncompressed ` +
          `(${f.size} compressed): more than the limit of ${formatBytes(cap as number)} (raise limits.${which}, or ${env} in Node)`);
    }
  }
  const files = unzip((f) => WANTED.has(f.name));
  const crcs = centralCrcs(bytes, file);
  for (const [name, data] of Object.entries(files)) {
    const want = crcs.get(name);
    const got = crc32(data);
    if (want == null) throw new KerasFileError('BAD_ZIP', file, `zip entry '${name}' is not in the central directory`);
    if (want !== got) {
      throw new KerasFileError('BAD_ZIP', file, `zip entry '${name}': CRC-32 ${got.toString(16).padStart(8, '0')} of its ` +
          `${data.length} bytes, the central directory says ${want.toString(16).padStart(8, '0')} (corrupt)`);
    }
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
