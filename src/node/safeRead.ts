/**
 * Node-only: reading a model file safely. Only regular files are read: the path is
 * stat-ed first (following symlinks), so a folder, a FIFO (which would block forever) or
 * a device such as /dev/zero (which never ends) is refused before it is opened, and the
 * size from `stat` is checked against {@link ReadLimits.maxFileBytes} before anything is
 * allocated. The file is then read by that size through one descriptor that is checked
 * again (fstat), so a file swapped in between cannot change what is read. Every failure
 * is a {@link FileSystemError} naming the path.
 */
import * as fs from 'fs';

import {formatBytes, ReadLimits, readLimits} from '../io/limits';
import {FileSystemError, fsFailure} from './fileErrors';

/** What a non-regular file is, for messages. */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The limits from `given`, else from the environment (TFJS_GRU_MAX_FILE_MB,
 * TFJS_GRU_MAX_ZIP_ENTRY_MB, TFJS_GRU_MAX_ZIP_TEXT_MB), else the defaults.
 * @category Readers
 */
export function limitsFromEnv(given?: Partial<ReadLimits>): ReadLimits {
  const env = (name: string): number | undefined => {
    const v = process.env[name];
    if (v == null || v === '') return undefined;
    const mb = Number(v);
    if (!(mb > 0)) throw new Error(`${name} must be a positive number of MiB, got '${v}'`);
    return Math.floor(mb * 2 ** 20);
  };
  return readLimits({
    maxFileBytes: env('TFJS_GRU_MAX_FILE_MB'),
    maxZipEntryBytes: env('TFJS_GRU_MAX_ZIP_ENTRY_MB'),
    maxZipTextBytes: env('TFJS_GRU_MAX_ZIP_TEXT_MB'),
    ...Object.fromEntries(Object.entries(given ?? {}).filter(([, v]) => v != null)),
  });
}

/** Throws unless `st` is a regular file within the size limit. */
function checkRegular(st: fs.Stats, file: string, maxBytes: number): void {
  if (!st.isFile()) {
    throw new FileSystemError('NOT_A_FILE', file, `${kindOf(st)}, not a regular file: only regular files are read`);
  }
  if (st.size > maxBytes) {
    throw new FileSystemError('TOO_LARGE', file, `${formatBytes(st.size)}: larger than the limit of ${formatBytes(maxBytes)} ` +
        '(raise it with TFJS_GRU_MAX_FILE_MB or the limits option)');
  }
}

/**
 * The size of the regular file `file` (stat only; see the module comment for what is refused).
 * @category Readers
 */
export function statRegularFile(file: string, limits?: Partial<ReadLimits>): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw fsFailure(e, file, 'reading');
  }
  checkRegular(st, file, limitsFromEnv(limits).maxFileBytes);
  return st.size;
}

/**
 * Whether `file` exists as a regular file (false for anything that cannot be stat-ed).
 * @category Readers
 */
export function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The bytes of the regular file `file` (see the module comment).
 * @category Readers
 */
export function readRegularFile(file: string, limits?: Partial<ReadLimits>): Uint8Array {
  const max = limitsFromEnv(limits).maxFileBytes;
  statRegularFile(file, {maxFileBytes: max});
  let fd: number;
  try {
    // O_NONBLOCK: should a FIFO be swapped in after the stat, open returns instead of waiting for a writer
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw fsFailure(e, file, 'reading');
  }
  try {
    let st: fs.Stats;
    try {
      st = fs.fstatSync(fd);
    } catch (e) {
      throw fsFailure(e, file, 'reading');
    }
    checkRegular(st, file, max);
    const out = Buffer.allocUnsafe(st.size);
    let done = 0;
    while (done < st.size) {
      let n: number;
      try {
        n = fs.readSync(fd, out, done, st.size - done, done);
      } catch (e) {
        throw fsFailure(e, file, 'reading');
      }
      if (n === 0) {
        throw new FileSystemError('READ_FAILED', file, `the file ended after ${done} of its ${st.size} bytes (it changed while read)`);
      }
      done += n;
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A regular file's text (UTF-8), read as {@link readRegularFile}.
 * @category Readers
 */
export function readRegularTextFile(file: string, limits?: Partial<ReadLimits>): string {
  const b = readRegularFile(file, limits);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}
