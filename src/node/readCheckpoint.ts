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
      const mm = /^model_checkpoint_path:\s*"((?:[^"\\]|\\.)*)"/m.exec(fs.readFileSync(stateFile, 'utf8'));
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
    size = fs.statSync(name).size;
  } catch {
    throw new CheckpointError('NOT_FOUND', name, 'data shard missing (the index names it)');
  }
  return {
    name, size,
    read(offset: number, length: number): Uint8Array {
      if (fd == null) fd = fs.openSync(name, 'r');
      const out = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, out, done, length - done, offset + done);
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

/**
 * Opens a checkpoint from files (Node). Close it to release the shard files.
 * @category Readers
 */
export function readCheckpoint(prefixOrPath: string): Checkpoint {
  const prefix = resolveCheckpointPrefix(prefixOrPath);
  const indexName = `${prefix}.index`;
  const size = fs.statSync(indexName).size;
  if (size > MAX_INDEX_BYTES) {
    throw new CheckpointError('BAD_BLOCK', indexName, `${size} bytes: larger than any index this reader opens (${MAX_INDEX_BYTES})`);
  }
  const index = new Uint8Array(fs.readFileSync(indexName));
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
    if (!isFile(f)) missing.push(f);
  }
  if (missing.length > 0) {
    throw new CheckpointError('NOT_FOUND', missing[0],
        `data shard(s) missing: ${missing.join(', ')} (the index says ${ck.header.numShards})`);
  }
}
