/**
 * Runnable entry for `setupNode`, the same as `tfjs-gru setup-node`:
 *   npx ts-node src/node/setupNodeMain.ts [--force] [--python PATH] [--tensorflow-dir DIR] [--json] [--quiet]
 * Exit code 0 on success, 1 on failure (message on stderr), 2 for a usage error.
 */
import {main} from '../cli/main';
import {runAndExit} from '../cli/output';

/** Runs `tfjs-gru setup-node` with these arguments; returns its exit code. */
export function runSetupNodeMain(argv: string[]): Promise<number> {
  return main(['setup-node', ...argv]);
}

if (require.main === module) {
  void runAndExit(() => runSetupNodeMain(process.argv.slice(2)));
}
