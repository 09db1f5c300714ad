// main() in-process: verbs come from a list, a pass-through verb gets its raw
// arguments and its exit code through, thrown errors map to 1 (failure) or 2 (usage).
import {CliContext, passThroughVerb, RegisterVerb, UsageError} from '../src/cli/context';
import {main} from '../src/cli/main';
import {captureStdio as capture} from './helpers/cli';

test('a pass-through verb receives its arguments untouched and returns its exit code', async () => {
  const seen: string[][] = [];
  const verb = passThroughVerb('inspect', 'inspect a file', async (argv) => (seen.push(argv), argv.includes('--bad') ? 2 : 0));
  const io = capture();
  try {
    expect(await main(['inspect', 'model.ckpt', '--json', '--help'], [verb])).toBe(0);
    expect(await main(['inspect', '--bad'], [verb])).toBe(2);
    expect(await main(['--help'], [verb])).toBe(0);
  } finally {
    io.restore();
  }
  expect(seen).toEqual([['model.ckpt', '--json', '--help'], ['--bad']]);
  expect(io.out.join('')).toMatch(/inspect \[args\.\.\.\] +inspect a file/);
});

test('errors thrown by a verb: UsageError exits 2, any other 1, both with the message', async () => {
  const throwing = (e: Error): RegisterVerb => (program, _ctx: CliContext) => {
    program.command('boom').action(() => { throw e; });
  };
  const io = capture();
  try {
    expect(await main(['boom'], [throwing(new UsageError('--x needs a file'))])).toBe(2);
    expect(await main(['boom'], [throwing(new Error('disk on fire'))])).toBe(1);
  } finally {
    io.restore();
  }
  expect(io.err.join('')).toMatch(/tfjs-gru boom: --x needs a file\n\(add --help for usage\)\n[^]*tfjs-gru boom: disk on fire\n/);
});
