/**
 * Loads @tensorflow/tfjs-node without TensorFlow's start-up noise on stderr
 * (the absl banner, oneDNN and CPU-feature notices, and on a machine without a
 * GPU the `failed call to cuInit` error), keeping every real error.
 *
 * TF_CPP_MIN_LOG_LEVEL=2 is set when the user has not set it; that silences what
 * TensorFlow's own filter sees, but TensorFlow 2.16+ writes the lines of its
 * library initialisation through absl before that filter exists. So, on Linux,
 * stderr (fd 2) is pointed at a temporary file while the library loads, and what
 * was written there is then replayed to the real stderr through
 * ./tensorflowLogFilter, which keeps ERROR/FATAL records and any non-log text.
 * Node has no dup2: fd 2 is closed and the temporary file opened in its place (the
 * lowest free descriptor), then the real stderr is reopened the same way through
 * /proc/self/fd. Where any step is not possible the library is simply loaded.
 *
 * A user who sets TF_CPP_MIN_LOG_LEVEL (e.g. 0 to see everything) gets TensorFlow's
 * output untouched.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {dropTensorflowStartupNoise} from './tensorflowLogFilter';

function isOpen(fd: number): boolean {
  try {
    fs.fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/** Runs `load` with fd 2 captured; returns its result and what it wrote to stderr. Null when capture is not possible. */
function withStderrCaptured<T>(load: () => T): {result: T; stderr: string} | null {
  if (process.platform !== 'linux' || !isOpen(0) || !isOpen(1) || !isOpen(2)) return null;
  let saved: number;
  try {
    saved = fs.openSync('/proc/self/fd/2', 'a');  // fails for sockets: then no capture
  } catch {
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-stderr-'));
  const file = path.join(dir, 'stderr.txt');
  let stderr = '';
  let result: T;
  fs.closeSync(2);
  try {
    const fd = fs.openSync(file, 'w+');  // the lowest free descriptor: 2
    if (fd !== 2) throw new Error(`stderr capture opened fd ${fd}, not 2`);
    try {
      result = load();
    } finally {
      fs.closeSync(2);
    }
  } finally {
    const back = fs.openSync(`/proc/self/fd/${saved}`, 'a');  // lands on fd 2 again
    if (back !== 2) {
      fs.closeSync(back);
    }
    fs.closeSync(saved);
    try {
      stderr = fs.readFileSync(file, 'utf8');
    } finally {
      fs.rmSync(dir, {recursive: true, force: true});
    }
  }
  return {result: result!, stderr};
}

/** `require('@tensorflow/tfjs-node')` (or `load`) with a quiet start; see the module comment. */
export function loadTensorflowQuietly<T>(load: () => T, env: NodeJS.ProcessEnv = process.env): T {
  if (env.TF_CPP_MIN_LOG_LEVEL !== undefined) return load();
  env.TF_CPP_MIN_LOG_LEVEL = '2';
  let thrown: unknown;
  let stderr = '';
  let result: T | undefined;
  const captured = withStderrCaptured(() => {
    try {
      return load();
    } catch (e) {
      thrown = e;
      return undefined;
    }
  });
  if (captured == null) return load();
  result = captured.result;
  stderr = captured.stderr;
  const rest = thrown === undefined ? dropTensorflowStartupNoise(stderr) : stderr;  // a failed load shows everything
  if (rest.trim() !== '') fs.writeSync(2, rest.endsWith('\n') ? rest : rest + '\n');
  if (thrown !== undefined) throw thrown;
  return result as T;
}
