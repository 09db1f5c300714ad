import {Command} from 'commander';

import {ModelFileError} from '../io/modelFileError';
import {formatOf, OpenedModelFile, openWithFormat} from '../node/modelFormats';
import {CommandIo, drainStdout, processIo} from './cliIo';
import {CliContext, jsonOption, quietOption} from './context';
import {INPUT_FORMATS_SHORT, inputFormatsHelp} from './modelFileHelp';

export interface InspectArgs {
  path: string;
  /** A Keras config JSON file for a .weights.h5 (see OpenModelFileOptions.config). */
  config?: string;
  /** A key map renaming the file's tensors (see OpenModelFileOptions.rename). */
  rename?: string;
  json?: boolean;
}

/** `tfjs-gru inspect`: returns the exit code (0 done, 1 a bad checkpoint). */
export function runInspect(args: InspectArgs, io: CommandIo = processIo): number {
  let opened: OpenedModelFile | undefined;
  try {
    const format = formatOf(args.path);
    opened = openWithFormat(format, args.path, {config: args.config, rename: args.rename});
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

/**
 * `tfjs-gru inspect <model file>`: the file's tensors (name, dtype, shape, bytes), the
 * GRUs found among them and what is left unexplained. Reads no tensor data.
 */
export function registerInspect(program: Command, ctx: CliContext): void {
  program.command('inspect')
      .description(`list a model file's tensors and the GRUs in them (${INPUT_FORMATS_SHORT})`)
      .argument('<model-file>', 'the model file (a checkpoint: its prefix, .index file, or folder)')
      .option('--config <file>', 'the Keras model config (model.to_json(), or a .keras\'s config.json) of a ' +
              '.weights.h5 or weights-only .h5 whose config is not beside it')
      .option('--rename <map>', 'rename tensors before looking for GRUs (.safetensors, .npz): ' +
              '\'enc_w_ih=enc.weight_ih_l0,…\' or the pattern form \'enc_w_*=enc.weight_*_l0\'')
      .addOption(jsonOption())
      .addOption(quietOption())
      .addHelpText('after', inputFormatsHelp() +
          '\nA checkpoint: its variables and the GRUs in them (scope, layout, input size, units, layer, direction),\n' +
          'what is ignored (optimizer slots, bookkeeping) and what is left unexplained. A Keras file: its\n' +
          'layers, what each becomes in tfjs, and whether convert takes the whole model or the GRU stack.\n' +
          '\nExit status: 0 done, 1 the file could not be read (the reason on stderr).')
      .action(async (file: string, flags: {config?: string; rename?: string; json?: boolean; quiet?: boolean}) => {
        ctx.exitCode = runInspect({path: file, config: flags.config, rename: flags.rename, json: flags.json});
        await drainStdout();
      });
}
