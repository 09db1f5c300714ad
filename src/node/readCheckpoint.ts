/**
 * Node-only: a TensorFlow checkpoint from the file system. `prefix` is what
 * tf.train.Saver / tf.train.Checkpoint wrote (`dir/model.ckpt` for
 * `dir/model.ckpt.index` + `dir/model.ckpt.data-0000i-of-0000N`), the `.index`
 * file itself, or a folder holding one checkpoint (its `checkpoint` file names
 * the latest). The index is read whole; shard files are only stat-ed at open and
 * read by byte range when a tensor is read.
 */
import * as fs from 'fs';
import * as path from 'path';

import {Checkpoint, openCheckpoint} from '../io/checkpoint/checkpoint';
import {ShardSource, shardFileName} from '../io/checkpoint/bundle';
import {CheckpointError} from '../io/checkpoint/errors';
import {ReadLimits} from '../io/limits';
import {FileSystemError, fsFailure} from './fileErrors';
import {limitsFromEnv, readRegularFile, readRegularTextFile} from './safeRead';

/** The index file sizes this reader accepts (the index holds only metadata). */
const MAX_INDEX_BYTES = 1 << 30;

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The checkpoint prefix `p` names (see the module comment); throws NOT_FOUND naming what was looked for.
 * @category Readers
 */
export function resolveCheckpointPrefix(p: string): string {
  const looked: string[] = [];
  if (p.endsWith('.index') && isFile(p)) return p.slice(0, -'.index'.length);
  looked.push(`${p}.index`);
  if (isFile(`${p}.index`)) return p;
  const m = /^(.*)\.data-\d{5}-of-\d{5}$/.exec(p);
  if (m != null && isFile(`${m[1]}.index`)) return m[1];
  let isDir = false;
  try {
    isDir = fs.statSync(p).isDirectory();
  } catch { /* not there */ }
  if (isDir) {
    const stateFile = path.join(p, 'checkpoint');
    looked.push(stateFile);
    if (isFile(stateFile)) {
      const mm = /^model_checkpoint_path:\s*"((?:[^"\\]|\\.)*)"/m.exec(readRegularTextFile(stateFile, {maxFileBytes: 1 << 20}));
      if (mm != null) {
        const named = path.resolve(p, mm[1]);
        looked.push(`${named}.index`);
        if (isFile(`${named}.index`)) return named;
      }
    }
    const indexes = fs.readdirSync(p).filter((f) => f.endsWith('.index'));
    looked.push(`${path.join(p, '*.index')} (${indexes.length} found)`);
    if (indexes.length === 1) return path.join(p, indexes[0].slice(0, -'.index'.length));
  }
  throw new CheckpointError('NOT_FOUND', p, `no checkpoint there; looked for ${looked.join(', ')}`);
}

function fileShard(name: string): ShardSource {
  let fd: number | null = null;
  let size: number;
  try {
    const st = fs.statSync(name);
    // a FIFO or device would block or never end: only regular files are read
    if (!st.isFile()) throw new FileSystemError('NOT_A_FILE', name, 'a data shard that is not a regular file (a folder, FIFO or device)');
    size = st.size;
  } catch (e) {
    if (e instanceof FileSystemError) throw e;
    throw new CheckpointError('NOT_FOUND', name, 'data shard missing (the index names it)');
  }
  return {
    name, size,
    read(offset: number, length: number): Uint8Array {
      if (offset + length > size) {
        throw new CheckpointError('TRUNCATED', name, `${length} bytes at offset ${offset} asked, the shard has ${size}`);
      }
      try {
        if (fd == null) fd = fs.openSync(name, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      } catch (e) {
        throw fsFailure(e, name, 'reading');
      }
      const out = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        let n: number;
        try {
          n = fs.readSync(fd, out, done, length - done, offset + done);
        } catch (e) {
          throw fsFailure(e, name, 'reading');
        }
        if (n === 0) {
          throw new CheckpointError('TRUNCATED', name, `read ${done} of ${length} bytes at offset ${offset}: the file ended`);
        }
        done += n;
      }
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    },
    close() {
      if (fd != null) fs.closeSync(fd);
      fd = null;
    },
  };
}

/** Throws NOT_A_FILE when `p` exists as something other than a regular file (or, when allowed, a folder). */
function refuseSpecial(p: string, allowFolder = true): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw fsFailure(e, p, 'reading');
  }
  if (!st.isFile() && !(allowFolder && st.isDirectory())) {
    throw new FileSystemError('NOT_A_FILE', p, 'not a regular file (a FIFO, device, socket or folder): only regular files are read');
  }
}

/**
 * Opens a checkpoint from files (Node). Close it to release the shard files.
 * @category Readers
 */
export function readCheckpoint(prefixOrPath: string, limits?: Partial<ReadLimits>): Checkpoint {
  refuseSpecial(prefixOrPath);
  const prefix = resolveCheckpointPrefix(prefixOrPath);
  const indexName = `${prefix}.index`;
  const index = readRegularFile(indexName, {maxFileBytes: Math.min(limitsFromEnv(limits).maxFileBytes, MAX_INDEX_BYTES)});
  const ck = openCheckpoint(prefix, indexName, index, (n, total) => fileShard(shardFileName(prefix, n, total)));
  checkShardsExist(ck);
  return ck;
}

/**
 * Throws NOT_FOUND unless every data shard the header names exists (reads no tensor data).
 * @category Readers
 */
export function checkShardsExist(ck: Checkpoint): void {
  const missing: string[] = [];
  for (let i = 0; i < ck.header.numShards; i++) {
    const f = shardFileName(ck.prefix, i, ck.header.numShards);
    if (!isFile(f)) {
      refuseSpecial(f, false);  // there, but a device, FIFO or folder: NOT_A_FILE rather than missing
      missing.push(f);
    }
  }
  if (missing.length > 0) {
    throw new CheckpointError('NOT_FOUND', missing[0],
        `data shard(s) missing: ${missing.join(', ')} (the index says ${ck.header.numShards})`);
  }
}
