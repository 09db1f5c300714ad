import {spawn} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import {packageRoot} from '../node/setupNode';
import {Command} from 'commander';

import {CliContext, jsonOption, quietOption, RegisterVerb} from './context';

/**
 * `tfjs-gru bench`: the peer benchmark (bench/peers, `npm run bench`): our
 * layers beside tf.layers.gru, onnxruntime, TF-Python, PyTorch and the BLAS
 * floor, each peer in its own process. It is a development tool: it runs the
 * TypeScript sources of a checkout through ts-node, with the arguments as given
 * (`tfjs-gru bench --help` lists them).
 */
export async function benchCommand(argv: string[], options: {quiet?: boolean} = {}): Promise<number> {
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
    // --quiet: the benchmark's progress on stderr is kept back, and shown only if it fails
    const child = spawn(process.execPath, ['-r', tsNode, entry, ...argv],
                        {cwd: root, stdio: ['inherit', 'inherit', options.quiet ? 'pipe' : 'inherit']});
    const held: Buffer[] = [];
    child.stderr?.on('data', (d: Buffer) => held.push(d));
    child.on('error', (e) => {
      process.stderr.write(`tfjs-gru bench: ${e.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      const status = code ?? (signal ? 1 : 0);
      if (status !== 0 && held.length > 0) process.stderr.write(Buffer.concat(held));
      resolve(status);
    });
  });
}

/** bench's value options, as bench/peers/main.ts parses them (it checks the values). */
const BENCH_VALUE_OPTIONS: Array<[flag: string, key: string, help: string]> = [
  ['--sizes <list>', 'sizes', 'latency,medium,large (default all)'],
  ['--tasks <list>', 'tasks', 'forward,train (default both)'],
  ['--peers <list>', 'peers', 'peer ids: ours, ours@tensorflow, ours@wasm, ours@cpu, tfjs-layers, ort-node, ort-web, ' +
      'tf-python, torch, floor, … (default all)'],
  ['--runs <n>', 'runs', 'timed runs per row (default 10)'],
  ['--rounds <n>', 'rounds', 'run every peer n times in turn, timings pooled (default 1)'],
  ['--warmup <n>', 'warmup', 'warm-up runs per row (default 2)'],
  ['--max-seconds <s>', 'maxSeconds', 'stop timing a row after s seconds of timed runs (default 30)'],
  ['--worker-timeout <s>', 'workerTimeout', 'kill a peer\'s process after s seconds (default 3600)'],
  ['--threads <n>', 'threads', 'threads for every peer (default 2)'],
  ['--seed <n>', 'seed', 'seed of the weights and inputs (default 1)'],
  ['--out <dir>', 'out', 'where peers.txt/.md/.json/.svg go (default bench/results)'],
];

/** The `bench` verb: its options declared here (help, suggestions), passed on to the benchmark process. */
export const registerBench: RegisterVerb = (program: Command, ctx: CliContext) => {
  const cmd = program.command('bench')
      .description('side-by-side benchmark against tf.layers.gru, onnxruntime, TF-Python, PyTorch, BLAS (in a checkout)');
  for (const [flag, , help] of BENCH_VALUE_OPTIONS) cmd.option(flag, help);
  cmd.addOption(jsonOption())
      .addOption(quietOption())
      .option('--no-install', 'do not install missing peers (npm ci of bench/peers, tools/venv.sh, apt python3-torch)')
      .option('--keep', 'keep the temp dir (data, outputs, worker logs)')
      .addHelpText('after', '\nWrites peers.txt, peers.md, peers.json and peers.svg to bench/results (or --out).')
      .action(async (flags: Record<string, string | boolean | undefined>) => {
        const argv: string[] = [];
        for (const [flag, key] of BENCH_VALUE_OPTIONS) {
          if (flags[key] !== undefined) argv.push(flag.split(' ')[0], String(flags[key]));
        }
        if (flags.json) argv.push('--json');
        if (flags.install === false) argv.push('--no-install');
        if (flags.keep) argv.push('--keep');
        ctx.exitCode = await benchCommand(argv, {quiet: flags.quiet === true});
      });
};
