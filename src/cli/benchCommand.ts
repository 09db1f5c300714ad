import {spawn} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import {packageRoot} from '../node/setupNode';
import {passThroughVerb, RegisterVerb} from './context';

/**
 * `tfjs-gru bench`: the peer benchmark (bench/peers, `npm run bench`): our
 * layers beside tf.layers.gru, onnxruntime, TF-Python, PyTorch and the BLAS
 * floor, each peer in its own process. It is a development tool: it runs the
 * TypeScript sources of a checkout through ts-node, with the arguments as given
 * (`tfjs-gru bench --help` lists them).
 */
export async function benchCommand(argv: string[]): Promise<number> {
  const root = packageRoot();
  const entry = path.join(root, 'bench', 'peers', 'main.ts');
  if (!fs.existsSync(entry)) {
    process.stderr.write(`tfjs-gru bench: ${entry} not found: the benchmark runs from a checkout of tfjs-gru\n`);
    return 1;
  }
  let tsNode: string;
  try {
    tsNode = require.resolve('ts-node/register/transpile-only', {paths: [root]});
  } catch {
    process.stderr.write('tfjs-gru bench: ts-node is not installed (npm ci in the checkout installs it)\n');
    return 1;
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', tsNode, entry, ...argv], {cwd: root, stdio: 'inherit'});
    child.on('error', (e) => {
      process.stderr.write(`tfjs-gru bench: ${e.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** The `bench` verb (options are the benchmark's own). */
export const registerBench: RegisterVerb =
    passThroughVerb('bench', 'side-by-side benchmark against tf.layers.gru, onnxruntime, TF-Python, PyTorch, BLAS',
                    benchCommand);
