import {Command, CommanderError} from 'commander';
import * as fs from 'fs';
import * as path from 'path';

import {registerBench} from './benchCommand';
import {registerConvert} from './convertCommand';
import {CliContext, EXIT, RegisterVerb, UsageError} from './context';
import {registerExplain} from './explainCommand';
import {registerInspect} from './inspectCommand';
import {err, out, runAndExit} from './output';

export {runAndExit};
import {registerSetupNode} from './setupNodeCommand';
import {registerVerify} from './verifyCommand';

/**
 * The verbs, in the order `tfjs-gru --help` lists them. Each lives in its own
 * file and registers its options and action on the program; a new verb is one
 * import and one entry here. A verb that is a plain `run(argv): Promise<number>`
 * can be wired at once with `passThroughVerb('inspect', '…', runInspect)` (./context).
 */
const VERBS: RegisterVerb[] = [
  registerVerify,
  registerExplain,
  registerInspect,
  registerConvert,
  registerSetupNode,
  registerBench,
];

/** This package's version, from its package.json (this file is src/cli/ or dist/cli/). */
export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
}

/** The tfjs-gru program with the verbs registered; parse errors throw (exitOverride) instead of exiting. */
export function buildProgram(ctx: CliContext, verbs: RegisterVerb[] = VERBS): Command {
  const program = new Command('tfjs-gru')
      .description('GRUs from TensorFlow 1.x, Keras, PyTorch and ONNX on TensorFlow.js: verify them against the real ' +
                   'frameworks, explain where their weights are, inspect and convert model files (TensorFlow ' +
                   'checkpoints, Keras .keras/.h5, PyTorch .safetensors/.npz, ONNX), build tfjs-node')
      .version(packageVersion(), '-V, --version', 'print the version of tfjs-gru')
      .usage('<command> [options]')
      .exitOverride()
      .configureOutput({writeOut: out, writeErr: err})
      .showSuggestionAfterError(true)
      .showHelpAfterError('(add --help for usage)');
  for (const register of verbs) register(program, ctx);
  return program;
}

/**
 * Runs the CLI on argv (without `node` and the script) and returns the exit
 * code: 0 ok, 1 a check failed (or the work failed, message on stderr), 2 a
 * usage error. Never exits the process: see {@link runAndExit}.
 */
export async function main(argv: string[], verbs: RegisterVerb[] = VERBS): Promise<number> {
  const ctx: CliContext = {exitCode: EXIT.ok};
  const program = buildProgram(ctx, verbs);
  if (argv.length === 0) {
    out(program.helpInformation());
    return EXIT.ok;
  }
  try {
    await program.parseAsync(argv, {from: 'user'});
  } catch (e) {
    if (e instanceof CommanderError) {
      // the message is already on stderr; help and --version end here with code 0
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    const verb = argv.find((a) => !a.startsWith('-')) ?? '';
    err(`tfjs-gru${verb ? ' ' + verb : ''}: ${(e as Error)?.message ?? e}\n`);
    if (e instanceof UsageError) {
      err('(add --help for usage)\n');
      return EXIT.usage;
    }
    return EXIT.failed;
  }
  return ctx.exitCode;
}

if (require.main === module) {
  void runAndExit(() => main(process.argv.slice(2)));
}
