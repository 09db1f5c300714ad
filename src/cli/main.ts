import {runSetupNodeMain} from '../node/setupNodeMain';
import {convertCommand} from './convertCommand';
import {inspectCommand} from './inspectCommand';
import {verifyCommand} from './verifyCommand';

const HELP = `tfjs-gru: TensorFlow 1.x GRUCell, Keras and PyTorch GRUs on TensorFlow.js

usage: tfjs-gru <command> [options]

commands:
  verify       compare every implementation with real TensorFlow's outputs and gradients
  setup-node   build @tensorflow/tfjs-node's addon from the TensorFlow Python wheel
  inspect      list a TensorFlow checkpoint's variables and the GRUs in it
  convert      write a TensorFlow checkpoint's GRUs as a tfjs LayersModel
  help         this text

Run 'tfjs-gru <command> --help' for a command's options.
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  'verify': verifyCommand,
  'setup-node': runSetupNodeMain,
  'inspect': inspectCommand,
  'convert': convertCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command == null || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  const run = COMMANDS[command];
  if (run == null) {
    process.stderr.write(`tfjs-gru: unknown command '${command}'\n\n${HELP}`);
    return 2;
  }
  return run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
      (code) => process.exit(code),
      (e) => {
        process.stderr.write(`tfjs-gru: ${(e as Error).message}\n`);
        process.exit(1);
      });
}
