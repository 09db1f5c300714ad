import {inspectCheckpoint, formatInspectReport} from '../checkpointModel/inspect';
import {CheckpointError} from '../io/checkpoint/errors';
import {readCheckpoint} from '../node/readCheckpoint';
import {CommandIo, drainStdout, processIo} from './cliIo';

export const INSPECT_USAGE = `usage: tfjs-gru inspect <checkpoint> [--json]
  Lists a TensorFlow checkpoint's variables (name, dtype, shape, bytes) and the GRUs
  in it (scope, layout, input size, units, layer, direction), what is ignored
  (optimizer slots, bookkeeping) and what is left unexplained. Reads no tensor data.
  <checkpoint>: the prefix (dir/model.ckpt), its .index file, or a folder holding one.
`;

export interface InspectArgs {
  path: string;
  json?: boolean;
}

/** `tfjs-gru inspect`: returns the exit code (0 done, 1 a bad checkpoint). */
export function runInspect(args: InspectArgs, io: CommandIo = processIo): number {
  let ck;
  try {
    ck = readCheckpoint(args.path);
    const report = inspectCheckpoint(ck);
    io.stdout(args.json ? JSON.stringify(report, null, 2) + '\n' : formatInspectReport(report));
    return 0;
  } catch (e) {
    if (e instanceof CheckpointError) {
      io.stderr(`tfjs-gru inspect: ${e.message} [${e.code}]\n`);
      return 1;
    }
    throw e;
  } finally {
    ck?.close();
  }
}

/** Today's argv parsing for `inspect` (the lead moves this onto the shared parser). */
export async function inspectCommand(argv: string[]): Promise<number> {
  let json = false;
  const paths: string[] = [];
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') { process.stdout.write(INSPECT_USAGE); return 0; }
    else if (a.startsWith('--')) { process.stderr.write(`inspect: unknown option '${a}'\n${INSPECT_USAGE}`); return 2; }
    else paths.push(a);
  }
  if (paths.length !== 1) {
    process.stderr.write(`inspect: expected one checkpoint path, got ${paths.length}\n${INSPECT_USAGE}`);
    return 2;
  }
  const code = runInspect({path: paths[0], json});
  await drainStdout();
  return code;
}
