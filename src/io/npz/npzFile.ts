/**
 * NumPy `.npz` files from bytes (browser-safe): a zip of `.npy` arrays, as written by
 * `np.savez` (stored) and `np.savez_compressed` (deflated), e.g. g2p-en's
 * `checkpoint20.npz`. Opened as a {@link TensorSource}: each `<name>.npy` entry is the
 * tensor `<name>`. Every entry is inflated at open only when its declared size fits
 * what deflate can produce from its compressed size, checked against the CRC-32 of the
 * central directory, and parsed as .npy (float32 and int32, C order: the header's
 * shape checked against the bytes present).
 */
import * as tf from '@tensorflow/tfjs';
import {unzipSync, UnzipFileInfo} from 'fflate';

import {formatBytes, ReadLimits, readLimits} from '../limits';

import {NpyArray, parseNpy} from '../../fixtures/npy';
import {crc32} from '../keras/crc32';
import {ModelFileError} from '../modelFileError';
import {SourceVariable, TensorSource} from '../tensorSource';
import {centralDirectoryCrcs, isZip, MAX_DEFLATE_RATIO} from '../zipDirectory';

/**
 * The `code` of an {@link NpzError}.
 * @category Readers
 */
export type NpzErrorCode =
    | 'NOT_FOUND'        // the file does not exist
    | 'BAD_ZIP'          // not a readable zip: truncated, corrupt, a CRC mismatch, an impossible size
    | 'BAD_NPY'          // an entry is not a valid .npy array of a supported dtype
    | 'TOO_LARGE'        // the entries inflate to more than the limit (limits.maxZipEntryBytes, src/io/limits.ts)
    | 'NO_SUCH_TENSOR'   // read() of a name the file does not hold
    | 'CLOSED';          // the file was closed

/**
 * An error of the .npz reader: a stable `code`, the `file` and a message naming the entry.
 * @category Readers
 */
export class NpzError extends ModelFileError {
  declare readonly code: NpzErrorCode;

  constructor(code: NpzErrorCode, file: string, message: string) {
    super(code, file, message);
    this.name = 'NpzError';
  }
}

/**
 * An open .npz file (see the module comment).
 * @category Readers
 */
export interface NpzFile extends TensorSource {
  /** The array of a name as parsed (dtype, shape, values). */
  array(name: string): NpyArray;
}

/** True when `bytes` start with a zip local-file header ('PK\x03\x04'). */
export const looksLikeZip = isZip;

function centralCrcs(bytes: Uint8Array, file: string): Map<string, number> {
  return centralDirectoryCrcs(bytes, (why) => new NpzError('BAD_ZIP', file, why));
}

/**
 * Opens an .npz file's bytes; `file` names it in errors.
 * @category Readers
 */
export function readNpz(bytes: Uint8Array, file: string, limits?: Partial<ReadLimits>): NpzFile {
  const cap = readLimits(limits).maxZipEntryBytes;
  if (!looksLikeZip(bytes)) {
    throw new NpzError('BAD_ZIP', file, `not a zip file (an .npz starts with 'PK\\x03\\x04'; ` +
        `a single array is an .npy, a pickle needs Python)`);
  }
  let entries: Record<string, Uint8Array>;
  try {
    // every entry's declared size checked (ratio, and all of them together against the limit) before any is inflated
    let total = 0;
    unzipSync(bytes, {
      filter: (f: UnzipFileInfo) => {
        if (f.originalSize > MAX_DEFLATE_RATIO * f.size + 1024) {
          throw new NpzError('BAD_ZIP', file,
              `zip entry '${f.name}' declares ${f.originalSize} bytes from ${f.size} compressed: more than deflate can produce`);
        }
        total += f.originalSize;
        if (total > cap) {
          throw new NpzError('TOO_LARGE', file, `the entries declare more than ${formatBytes(cap)} uncompressed (at '${f.name}'): ` +
              'more than the limit (raise limits.maxZipEntryBytes, or TFJS_GRU_MAX_ZIP_ENTRY_MB in Node)');
        }
        return false;
      },
    });
    entries = unzipSync(bytes);
  } catch (e) {
    if (e instanceof NpzError) throw e;
    throw new NpzError('BAD_ZIP', file, `not a readable zip (truncated or corrupt): ${(e as Error).message ?? e}`);
  }
  const crcs = centralCrcs(bytes, file);
  const arrays = new Map<string, NpyArray>();
  for (const [entry, data] of Object.entries(entries)) {
    if (entry.endsWith('/')) continue;  // a folder entry
    const want = crcs.get(entry);
    if (want == null) throw new NpzError('BAD_ZIP', file, `zip entry '${entry}' is not in the central directory`);
    const got = crc32(data);
    if (want !== got) {
      throw new NpzError('BAD_ZIP', file, `zip entry '${entry}': CRC-32 ${got.toString(16).padStart(8, '0')} of its ` +
          `${data.length} bytes, the central directory says ${want.toString(16).padStart(8, '0')} (corrupt)`);
    }
    if (!entry.endsWith('.npy')) {
      throw new NpzError('BAD_NPY', file, `zip entry '${entry}' is not an .npy array (an .npz holds only <name>.npy entries)`);
    }
    let array: NpyArray;
    try {
      array = parseNpy(data, `${file}:${entry}`);
    } catch (e) {
      throw new NpzError('BAD_NPY', file, `entry '${entry}': ${(e as Error).message.replace(`${file}:${entry}: `, '')}`);
    }
    arrays.set(entry.slice(0, -'.npy'.length), array);
  }
  let closed = false;
  const variables: SourceVariable[] = [...arrays].map(([name, a]) => ({name, dtype: a.dtype, shape: a.shape}));
  const array = (name: string): NpyArray => {
    if (closed) throw new NpzError('CLOSED', file, `read of '${name}' after close()`);
    const a = arrays.get(name);
    if (a == null) {
      throw new NpzError('NO_SUCH_TENSOR', file, `no array '${name}'; the file holds ${[...arrays.keys()].map((k) => `'${k}'`).join(', ') || 'none'}`);
    }
    return a;
  };
  return {
    file,
    variables,
    array,
    read(name: string): tf.Tensor {
      const a = array(name);
      return tf.tensor(a.data, a.shape, a.dtype);
    },
    close(): void {
      closed = true;
      arrays.clear();
    },
  };
}
