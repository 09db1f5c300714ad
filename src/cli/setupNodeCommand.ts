import {Command} from 'commander';

import {setupNode, SetupNodeOptions} from '../node/setupNode';
import {CliContext, EXIT, jsonOption, quietOption} from './context';
import {err, out, outJson} from './output';

interface SetupNodeFlags {
  force?: boolean;
  python?: string;
  tensorflowDir?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `tfjs-gru setup-node`: builds tfjs-node's addon against the TensorFlow wheel's C library (src/node/setupNode.ts). */
export function registerSetupNode(program: Command, ctx: CliContext): void {
  program.command('setup-node')
      .description('build @tensorflow/tfjs-node\'s addon from the TensorFlow Python wheel (no libtensorflow download)')
      .option('--force', 'rebuild even when tfjs-node already works')
      .option('--python <path>', 'Python whose tensorflow package to use (default: the project venv, tools/venv.sh)')
      .option('--tensorflow-dir <dir>', 'an installed tensorflow package directory to take the C library from')
      .addOption(jsonOption())
      .addOption(quietOption())
      .action(async (flags: SetupNodeFlags) => {
        const options: SetupNodeOptions = {
          force: flags.force, python: flags.python, tensorflowDir: flags.tensorflowDir,
          log: flags.quiet ? undefined : (line) => err(`setup-node: ${line}\n`),
        };
        let r;
        try {
          r = await setupNode(options);
        } catch (e) {
          err(`setup-node failed: ${(e as Error).message}\n`);
          ctx.exitCode = EXIT.failed;
          return;
        }
        if (flags.json) {
          outJson(r);
        } else {
          out(`${r.alreadyDone ? 'already set up' : 'set up'}: @tensorflow/tfjs-node runs on TensorFlow ` +
              `${r.tensorflowVersion} (${r.seconds.toFixed(1)} s)\n`);
        }
        ctx.exitCode = EXIT.ok;
      });
}
