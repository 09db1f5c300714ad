/**
 * Node-only: writing an output folder so that no user file is ever lost.
 *
 * The files are written into a fresh temporary folder beside the output folder (same
 * file system, so moves are atomic renames; inside an existing output folder when its
 * parent cannot be written), checked there, and only then moved into
 * place. An output folder that does not exist is created by renaming the whole temporary
 * folder (when several writers race for it, the first rename wins and the others get
 * OUT_EXISTS). An output folder that exists must be empty, unless `force` is given: then
 * only the files this writer produces are replaced, under a lock file (a second writer
 * gets OUT_BUSY), with the replaced files kept until every new file is in place so that
 * a failure puts them back. Whatever fails, the output folder is left as it was and the
 * temporary folder is removed; every fs failure is a typed {@link FileSystemError}.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import {errnoOf, FileSystemError, fsFailure} from './fileErrors';
import {readRegularTextFile} from './safeRead';

/**
 * The lock file a --force writer holds inside an existing output folder.
 * @category Conversion
 */
export const OUTPUT_LOCK = '.tfjs-gru-convert.lock';

/**
 * How {@link writeOutputAtomically} may treat an existing output folder.
 * @category Conversion
 */
export interface AtomicOutputOptions {
  /** Replace this writer's files in a non-empty output folder (other files are kept). Default false. */
  force?: boolean;
}

/**
 * Creates `dir` and any missing parents one level at a time (Node 20's recursive mkdir
 * never returns on some paths, e.g. under /proc); returns the folders created, outermost first.
 * @category Conversion
 */
export function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  let d = path.resolve(dir);
  for (;;) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(d);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw fsFailure(e, d, 'creating the output folder');
    }
    if (st != null) {
      if (!st.isDirectory()) throw new FileSystemError('NOT_A_DIRECTORY', d, 'is a file, not a folder: cannot create the output folder in it');
      break;
    }
    missing.unshift(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  const created: string[] = [];
  for (const m of missing) {
    try {
      fs.mkdirSync(m);
    } catch (e) {
      if (errnoOf(e) === 'EEXIST' && fs.statSync(m).isDirectory()) continue;  // made meanwhile by someone else
      removeEmptyDirs(created);
      throw fsFailure(e, m, 'creating the output folder');
    }
    created.push(m);
  }
  return created;
}

/** Removes the folders `created` (innermost first) when empty; leaves any that are not. */
function removeEmptyDirs(created: string[]): void {
  for (const d of [...created].reverse()) {
    try {
      fs.rmdirSync(d);
    } catch { /* not empty, or gone: leave it */ }
  }
}

type OutState = {kind: 'absent'} | {kind: 'folder'; dir: string; entries: string[]};

/** What `out` is now: absent, or a folder (symlinks followed) with its entries; a typed error for anything else. */
function outState(out: string): OutState {
  let st: fs.Stats;
  try {
    st = fs.statSync(out);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') {
      try {
        fs.lstatSync(out);  // a dangling symlink is no place to write
      } catch {
        return {kind: 'absent'};
      }
      throw new FileSystemError('NOT_A_DIRECTORY', out, 'is a symlink to nothing, not a folder');
    }
    throw fsFailure(e, out, 'reading the output folder');
  }
  if (!st.isDirectory()) throw new FileSystemError('NOT_A_DIRECTORY', out, 'exists and is not a folder (the output must be a folder)');
  let dir: string;
  let entries: string[];
  try {
    dir = fs.realpathSync(out);
    entries = fs.readdirSync(dir);
  } catch (e) {
    throw fsFailure(e, out, 'reading the output folder');
  }
  return {kind: 'folder', dir, entries};
}

function refuseNonEmpty(out: string, entries: string[], why = ''): never {
  const shown = entries.slice(0, 5).map((e) => `'${e}'`).join(', ') + (entries.length > 5 ? `, … (${entries.length})` : '');
  throw new FileSystemError('OUT_EXISTS', out, `the output folder is not empty (${shown})${why}; ` +
      'choose a new or empty folder, or pass --force (option force) to replace only the files convert writes');
}

/**
 * Checks up front that `out` can be written (absent, an empty folder, or any folder
 * with `force`); a typed error otherwise. {@link writeOutputAtomically} checks again when it moves.
 * @category Conversion
 */
export function checkOutput(out: string, options: AtomicOutputOptions = {}): void {
  const s = outState(path.resolve(out));
  if (s.kind === 'folder' && s.entries.length > 0 && !options.force) refuseNonEmpty(out, s.entries);
}

/** A fresh folder in `parent` named after `out` (mode 0777 & ~umask). */
function tempDirIn(parent: string, out: string): string {
  const base = path.basename(out);
  for (let i = 0; ; i++) {
    const dir = path.join(parent, `.${base}.tfjs-gru-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    try {
      fs.mkdirSync(dir);  // mode 0777 & ~umask, the mode a new output folder gets
      return dir;
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST' || i > 5) throw fsFailure(e, out, `creating the temporary folder ${dir} beside it`);
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoOf(e) === 'EPERM';
  }
}

/** Takes the lock file in `dir`; a stale one (its process gone) is taken over. Returns its path. */
function lock(dir: string, out: string): string {
  const file = path.join(dir, OUTPUT_LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, {flag: 'wx'});
      return file;
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw fsFailure(e, file, 'creating the lock file');
    }
    let pid = NaN;
    try {
      pid = parseInt(readRegularTextFile(file, {maxFileBytes: 64}), 10);
    } catch (e) {
      // removed meanwhile: try again; anything else (a FIFO, a folder, a huge file) is not ours to remove
      if (!(e instanceof FileSystemError && e.code === 'NOT_FOUND')) {
        throw new FileSystemError('OUT_BUSY', out, `the lock file ${file} is there and cannot be read as one (${(e as Error).message}); remove it if no conversion runs`);
      }
    }
    if (Number.isInteger(pid) && processAlive(pid)) {
      throw new FileSystemError('OUT_BUSY', out, `another conversion (process ${pid}) is writing into this folder (lock file ${file})`);
    }
    try {
      fs.rmSync(file, {force: true});
    } catch (e) {
      throw fsFailure(e, file, 'removing a stale lock file');
    }
  }
  throw new FileSystemError('OUT_BUSY', out, `another conversion is writing into this folder (lock file ${file})`);
}

/** Moves `names` from `tmp` into the existing folder `dir`, keeping replaced files until all are in; all or nothing. */
function replaceFiles(tmp: string, dir: string, names: string[]): void {
  const done: Array<{name: string; backup: string | null}> = [];
  try {
    for (const name of names) {
      const target = path.join(dir, name);
      let backup: string | null = path.join(tmp, `.previous-${name}`);
      try {
        fs.renameSync(target, backup);
      } catch (e) {
        if (errnoOf(e) !== 'ENOENT') throw fsFailure(e, target, 'moving the existing file aside');
        backup = null;
      }
      done.push({name, backup});
      try {
        fs.renameSync(path.join(tmp, name), target);
      } catch (e) {
        throw fsFailure(e, target, 'moving the new file into place');
      }
    }
  } catch (e) {
    for (const {name, backup} of done.reverse()) {
      const target = path.join(dir, name);
      try {
        if (backup != null) fs.renameSync(backup, target);
        else fs.rmSync(target, {force: true});
      } catch { /* best effort: the error below names the folder */ }
    }
    throw e;
  }
}

/**
 * Runs `produce(tmp)`, which writes the files `names` into the fresh folder `tmp` and
 * checks them (throwing to reject them), then moves them to `out` (see the module
 * comment). Returns what `produce` returned and the files' final paths.
 * @category Conversion
 */
export async function writeOutputAtomically<T>(out: string, names: string[], options: AtomicOutputOptions,
                                               produce: (tmp: string) => Promise<T>): Promise<{result: T; files: string[]}> {
  const outAbs = path.resolve(out);
  checkOutput(outAbs, options);
  const created = makeDirs(path.dirname(outAbs));
  let tmp: string | null = null;
  let moved = false;
  try {
    try {
      tmp = tempDirIn(path.dirname(outAbs), outAbs);
    } catch (e) {
      // an existing output folder whose parent is not writable (e.g. --out . in a read-only parent):
      // the temporary folder goes inside it, on the same file system, and is removed all the same
      const s = outState(outAbs);
      if (!(e instanceof FileSystemError && s.kind === 'folder')) throw e;
      tmp = tempDirIn(s.dir, outAbs);
    }
    const result = await produce(tmp);
    const s = outState(outAbs);
    let dir = outAbs;
    if (s.kind === 'absent') {
      try {
        fs.renameSync(tmp, outAbs);
      } catch (e) {
        const errno = errnoOf(e);
        if (errno === 'ENOTEMPTY' || errno === 'EEXIST') {
          throw new FileSystemError('OUT_EXISTS', out, 'the output folder was created by someone else (another conversion?) ' +
              'while this conversion ran; nothing was written');
        }
        throw fsFailure(e, out, 'moving the output folder into place');
      }
      moved = true;
    } else {
      dir = s.dir;
      const lockFile = lock(dir, out);
      try {
        const now = outState(outAbs);
        const others = now.kind === 'folder' ? now.entries.filter((e) => e !== OUTPUT_LOCK && path.join(now.dir, e) !== tmp) : [];
        if (now.kind !== 'folder') throw new FileSystemError('NOT_FOUND', out, 'the output folder disappeared while this conversion ran');
        if (others.length > 0 && !options.force) refuseNonEmpty(out, others, ' (files appeared while this conversion ran)');
        replaceFiles(tmp, dir, names);
      } finally {
        fs.rmSync(lockFile, {force: true});
      }
    }
    return {result, files: names.map((n) => path.join(out, n))};
  } finally {
    if (tmp != null && !moved) fs.rmSync(tmp, {recursive: true, force: true});
    if (!moved) removeEmptyDirs(created);
  }
}
