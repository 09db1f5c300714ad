import {runSetupNodeMain} from '../node/setupNodeMain';
import {verifyCommand} from './verifyCommand';

const HELP = `tfjs-gru: TensorFlow 1.x GRUCell, Keras and PyTorch GRUs on TensorFlow.js

usage: tfjs-gru <command> [options]

commands:
  verify       compare every implementation with real TensorFlow's outputs and gradients
  setup-node   build @tensorflow/tfjs-node's addon from the TensorFlow Python wheel
  help         this text

Run 'tfjs-gru <command> --help' for a command's options.
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  'verify': verifyCommand,
  'setup-node': runSetupNodeMain,
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
