/**
 * Node-only: file-system failures as typed errors. Every `fs` call of the readers and of
 * `convert` goes through {@link fsFailure}, so a program sees a {@link FileSystemError}
 * (a ModelFileError) with a stable code and the path, never a raw EACCES or ENOSPC.
 */
import {ModelFileError} from '../io/modelFileError';

/**
 * The `code` of a {@link FileSystemError}.
 * @category Readers
 */
export type FileSystemErrorCode =
    | 'NOT_FOUND'        // the path (or a folder on it) does not exist
    | 'PERMISSION'       // the file system refuses access (EACCES, EPERM, a read-only file system)
    | 'NOT_A_FILE'       // a folder, FIFO, device or socket where a regular file is read
    | 'NOT_A_DIRECTORY'  // the output path (or a folder on it) is a file
    | 'TOO_LARGE'        // larger than the limit this tool reads (see README "Limits")
    | 'OUT_EXISTS'       // the output folder is not empty (convert --force replaces its own files)
    | 'OUT_BUSY'         // another conversion is writing into the same output folder
    | 'READ_FAILED'      // reading failed for another reason (EIO, ...)
    | 'WRITE_FAILED';    // writing failed (ENOSPC, EDQUOT, EIO, EFBIG, ...)

/**
 * A file-system failure: a stable `code`, the path concerned, and the system's own error code in the message.
 * @category Readers
 */
export class FileSystemError extends ModelFileError {
  declare readonly code: FileSystemErrorCode;

  constructor(code: FileSystemErrorCode, file: string, message: string) {
    super(code, file, message);
    this.name = 'FileSystemError';
  }
}

/** The errno code of a Node fs error ('ENOENT', ...), or null for anything else. */
export function errnoOf(e: unknown): string | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : null;
}

/**
 * The typed error for a failed fs call on `file` while `doing` ('reading', 'writing',
 * 'creating the folder', ...); a ModelFileError passes through unchanged.
 * @category Readers
 */
export function fsFailure(e: unknown, file: string, doing: 'reading' | 'writing' | string): ModelFileError {
  if (e instanceof ModelFileError) return e;
  const errno = errnoOf(e);
  const what = `${doing} failed: ${errno ?? (e as Error)?.message ?? String(e)}`;
  switch (errno) {
    case 'ENOENT':
      return doing === 'reading' ? new FileSystemError('NOT_FOUND', file, 'no such file') :
        new FileSystemError('WRITE_FAILED', file, `${what} (the file system does not let it be created here)`);
    case 'EACCES': case 'EPERM':
      return new FileSystemError('PERMISSION', file, `${what} (permission denied)`);
    case 'EROFS':
      return new FileSystemError('PERMISSION', file, `${what} (read-only file system)`);
    case 'ENOTDIR':
      return new FileSystemError(doing === 'reading' ? 'NOT_FOUND' : 'NOT_A_DIRECTORY', file, `${what} (a part of the path is a file, not a folder)`);
    case 'EISDIR':
      return new FileSystemError('NOT_A_FILE', file, `${what} (a folder)`);
    case 'ENAMETOOLONG': case 'ELOOP':
      return new FileSystemError('NOT_FOUND', file, `${what} (the path cannot be resolved)`);
    default:
      return new FileSystemError(doing === 'reading' ? 'READ_FAILED' : 'WRITE_FAILED', file, what);
  }
}
