// Every example in examples/ runs and prints what it promises.
import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const TS_NODE = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');

function run(name: string): string {
  const r = spawnSync(process.execPath, [TS_NODE, '--transpile-only', path.join('examples', name)], {
    cwd: ROOT, encoding: 'utf8', env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2'},
  });
  if (r.status !== 0) throw new Error(`examples/${name} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const EXPECTED: Record<string, RegExp[]> = {
  'explain-sizes.ts': [/^Wr  = gates\/kernel\[:D, :U\] += gates\/kernel\[:3, :2\]$/m, /^c = tanh\(x·candidate\/kernel\[:D\]/m, /^diagram: .*\.svg$/m],
  'port-pytorch.ts': [/^output 2,5,4, max \|gru\(\) − textbook\| = \d\.\d\de-\d+$/m],
  'pytorch-stack.ts': [/^prefix 'encoder.gru.', layers Bidirectional \+ Bidirectional$/m,
    /^output 3,5,8, h_n 4,3,4, max \|ours − torch\| = \d\.\d\de-\d+$/m],
  'masked-bidirectional.ts': [/^output 3,6,8: 4 of 4 padded steps are zeros, max \|ours − Keras\| = \d\.\d\de-\d+$/m],
  'explain-model-json.ts': [/^gru: layout keras-reset-after, D = 3, U = 4$/m, /recombination check: pass/],
};

test('every example is tested', () => {
  expect(fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.ts')).sort()).toEqual(Object.keys(EXPECTED).sort());
});

test.each(Object.keys(EXPECTED))('examples/%s', (name) => {
  const out = run(name);
  for (const re of EXPECTED[name]) expect(out).toMatch(re);
});
