import {ModelFileError} from '../io/modelFileError';
import {formatOf, OpenedModelFile, openWithFormat} from '../node/modelFormats';
import {CommandIo, drainStdout, processIo} from './cliIo';

export const INSPECT_USAGE = `usage: tfjs-gru inspect <model file> [--config FILE] [--json]
  Lists a TensorFlow checkpoint's variables (name, dtype, shape, bytes) and the GRUs
  in it (scope, layout, input size, units, layer, direction), what is ignored
  (optimizer slots, bookkeeping) and what is left unexplained. Reads no tensor data.
  <checkpoint>: the prefix (dir/model.ckpt), its .index file, or a folder holding one.
  A Keras file (.keras; .h5 from model.save; .weights.h5 with its config.json beside it):
  the model's layers with their weights and what each becomes in tfjs, the GRUs found,
  and whether convert takes the whole model or only the GRU stack (and why).
  --config FILE: the Keras model config (model.to_json(), or a .keras's config.json) of a
  .weights.h5 or weights-only .h5 whose config is not beside it.
`;

export interface InspectArgs {
  path: string;
  /** A Keras config JSON file for a .weights.h5 (see OpenModelFileOptions.config). */
  config?: string;
  json?: boolean;
}

/** `tfjs-gru inspect`: returns the exit code (0 done, 1 a bad checkpoint). */
export function runInspect(args: InspectArgs, io: CommandIo = processIo): number {
  let opened: OpenedModelFile | undefined;
  try {
    const format = formatOf(args.path);
    opened = openWithFormat(format, args.path, {config: args.config});
    const {report, text} = format.inspect(opened);
    io.stdout(args.json ? JSON.stringify(report, null, 2) + '\n' : text);
    return 0;
  } catch (e) {
    if (e instanceof ModelFileError) {
      io.stderr(`tfjs-gru inspect: ${e.message} [${e.code}]\n`);
      return 1;
    }
    throw e;
  } finally {
    opened?.source.close();
  }
}

/** Today's argv parsing for `inspect` (the lead moves this onto the shared parser). */
export async function inspectCommand(argv: string[]): Promise<number> {
  let json = false;
  let config: string | undefined;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--config') {
      config = argv[++i];
      if (config === undefined) { process.stderr.write(`inspect: --config needs a value\n${INSPECT_USAGE}`); return 2; }
    }
    else if (a === '--help' || a === '-h') { process.stdout.write(INSPECT_USAGE); return 0; }
    else if (a.startsWith('--')) { process.stderr.write(`inspect: unknown option '${a}'\n${INSPECT_USAGE}`); return 2; }
    else paths.push(a);
  }
  if (paths.length !== 1) {
    process.stderr.write(`inspect: expected one model file path, got ${paths.length}\n${INSPECT_USAGE}`);
    return 2;
  }
  const code = runInspect({path: paths[0], config, json});
  await drainStdout();
  return code;
}
