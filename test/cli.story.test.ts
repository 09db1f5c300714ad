// One CLI story: every verb is declared on commander (help, suggestions), the README's
// command table lists every verb with every option its --help declares, inspect and
// convert name every input format, and --version prints package.json's version.
import * as fs from 'fs';
import * as path from 'path';

import {CliContext} from '../src/cli/context';
import {buildProgram, main} from '../src/cli/main';
import {MODEL_FILE_FORMATS} from '../src/node/modelFormats';
import {captureStdio as capture, ROOT} from './helpers/cli';

async function run(argv: string[]): Promise<{code: number, out: string, err: string}> {
  const io = capture();
  try {
    const code = await main(argv);
    return {code, out: io.out.join(''), err: io.err.join('')};
  } finally {
    io.restore();
  }
}

/** The README's "The command line" table: verb → the text of its row. */
function readmeCommandTable(): Map<string, string> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## The command line$/m)[1].split(/^## /m)[0];
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| `tfjs-gru ([a-z-]+)[^`]*` \|(.*)\|$/.exec(line);
    if (m) rows.set(m[1], m[2]);
  }
  return rows;
}

const program = buildProgram({exitCode: 0} as CliContext);
const verbs = program.commands.map((c) => c.name());

test('the README command table and every verb\'s help agree: the same verbs, each with every option it declares', () => {
  const table = readmeCommandTable();
  expect([...table.keys()].sort()).toEqual([...verbs].sort());
  for (const cmd of program.commands) {
    const declared = cmd.options.map((o) => o.long!).filter((l) => l !== '--quiet' && l !== '--help');
    const row = table.get(cmd.name())!;
    const listed = [...row.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1]);
    expect({verb: cmd.name(), missingFromReadme: declared.filter((d) => !listed.includes(d))})
        .toEqual({verb: cmd.name(), missingFromReadme: []});
    expect({verb: cmd.name(), notInHelp: listed.filter((l) => !declared.includes(l))})
        .toEqual({verb: cmd.name(), notInHelp: []});
  }
});

test('every verb has --quiet and --json, as the README says', () => {
  for (const cmd of program.commands) {
    const longs = cmd.options.map((o) => o.long);
    expect({verb: cmd.name(), json: longs.includes('--json'), quiet: longs.includes('--quiet')})
        .toEqual({verb: cmd.name(), json: true, quiet: true});
  }
});

test.each(['inspect', 'convert'])('%s --help names every input format', async (verb) => {
  const r = await run([verb, '--help']);
  expect(r.code).toBe(0);
  for (const f of MODEL_FILE_FORMATS) expect(r.out).toContain(`${f.name.padEnd(11)}  ${f.describe}`);
  for (const word of ['checkpoint', 'Keras', '.keras', '.h5', '.weights.h5', '.safetensors', '.npz', 'ONNX']) {
    expect(r.out).toContain(word);
  }
});

test('the top-level help names every format and verb', async () => {
  const r = await run(['--help']);
  for (const word of ['TensorFlow', 'Keras', 'PyTorch', '.safetensors', '.npz', 'ONNX']) expect(r.out).toContain(word);
  for (const v of verbs) expect(r.out).toMatch(new RegExp(`^  ${v} `, 'm'));
});

test('--version prints package.json\'s version', async () => {
  const r = await run(['--version']);
  expect(r).toEqual({code: 0, out: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version + '\n', err: ''});
});

test.each([
  [['inspct', 'x'], /unknown command 'inspct'\n\(Did you mean inspect\?\)/],
  [['convert', 'x', '--outt', 'y'], /unknown option '--outt'\n\(Did you mean --out\?\)/],
  [['inspect', 'x', '--jsn'], /unknown option '--jsn'\n\(Did you mean --json\?\)/],
  [['convert', 'x', '--layers', 'tfjs'], /argument 'tfjs' is invalid. Allowed choices are builtin, tfjs-gru/],
  [['convert', 'x'], /tfjs-gru convert: --out <dir> is required/],
  [['bench', '--rnus', '3'], /unknown option '--rnus'\n\(Did you mean --runs\?\)/],
])('%j is a usage error with a suggestion', async (argv, message) => {
  const r = await run(argv);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
});
