/**
 * Runnable entry for `setupNode` (the CLI's `tfjs-gru setup-node` can call runSetupNodeMain(argv)).
 *   npx ts-node src/node/setupNodeMain.ts [--force] [--python PATH] [--tensorflow-dir DIR] [--json]
 * Exit code 0 on success, 1 on failure (message on stderr).
 */
import {setupNode, SetupNodeOptions} from './setupNode';

export async function runSetupNodeMain(argv: string[]): Promise<number> {
  const options: SetupNodeOptions = {log: (line) => process.stderr.write(`setup-node: ${line}\n`)};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--force') options.force = true;
    else if (a === '--json') json = true;
    else if (a === '--python' || a.startsWith('--python=')) options.python = value();
    else if (a === '--tensorflow-dir' || a.startsWith('--tensorflow-dir=')) options.tensorflowDir = value();
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: tfjs-gru setup-node [--force] [--python PATH] [--tensorflow-dir DIR] [--json]\n' +
                           '  Builds @tensorflow/tfjs-node\'s addon against the TensorFlow Python wheel\'s C library.\n');
      return 0;
    } else {
      process.stderr.write(`setup-node: unknown argument ${a}\n`);
      return 2;
    }
  }
  try {
    const r = await setupNode(options);
    if (json) {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    } else {
      process.stdout.write(`${r.alreadyDone ? 'already set up' : 'set up'}: @tensorflow/tfjs-node runs on TensorFlow ` +
                           `${r.tensorflowVersion} (${r.seconds.toFixed(1)} s)\n`);
    }
    return 0;
  } catch (e) {
    process.stderr.write(`setup-node failed: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  runSetupNodeMain(process.argv.slice(2)).then((code) => process.exit(code));
}
