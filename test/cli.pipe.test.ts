// Every tfjs-gru verb run through a pipe: its output arrives whole, exit codes
// are 0 ok / 1 check failed / 2 usage error, and the parser rejects mistakes
// with a suggestion.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {ROOT, runThroughPipe} from './helpers/cli';

const BACKEND = process.env.TFJS_GRU_BACKEND && process.env.TFJS_GRU_BACKEND !== 'auto' ?
    process.env.TFJS_GRU_BACKEND : 'wasm';

/** A fixtures folder with a few of the real cases (and optionally a broken one), so verify runs in seconds. */
function smallFixtures(cases: string[], broken = false): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-fixtures-'));
  const real = path.join(ROOT, 'fixtures');
  for (const c of cases) {
    fs.mkdirSync(path.dirname(path.join(dir, c)), {recursive: true});
    fs.symlinkSync(path.join(real, c), path.join(dir, c));
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(real, 'manifest.json'), 'utf8'));
  manifest.cases = broken ? [...cases, 'tf1/no_such_case'] : cases;
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

const SMALL = ['tf1/b2_t5_d3_u4', 'keras/b2_t5_d3_u4_ra1_fwd_seq', 'pytorch/b2_t5_d3_u4'];

describe('tfjs-gru through a pipe', () => {
  test('verify --json: the whole report (more than 64 KiB) reaches the reader and parses', () => {
    const r = runThroughPipe(['verify', '--json', '--backend', BACKEND]);
    expect(r.stdout.length).toBeGreaterThan(65536);
    const report = JSON.parse(r.stdout);
    expect(report.pass).toBe(true);
    expect(report.backend).toBe(BACKEND === 'tensorflow' ? 'tensorflow' : BACKEND);
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures', 'manifest.json'), 'utf8'));
    expect(new Set(report.results.map((x: any) => x.case)).size).toBe(manifest.cases.length);
    expect(report.summary.map((s: any) => s.implementation)).toContain('TF1GRU');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');  // --json prints nothing else, and no progress bar into a pipe
  });

  test('verify: summary by default, --full gives one line per quantity', () => {
    const fixtures = smallFixtures(SMALL);
    const summary = runThroughPipe(['verify', '--backend', BACKEND, '--fixtures', fixtures]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/^implementation +cases +quantities +worst output\/state +worst gradient +result$/m);
    expect(summary.stdout).toMatch(/^TF1GRU +1 +\d+ +\d\.\d\de-\d+ \(tol 1\.00e-5\) +\d\.\d\de-\d+ \(tol 1\.00e-4\) +pass$/m);
    expect(summary.stdout).toMatch(/\nPASS: \d+ quantities on 3 cases equal TensorFlow within tolerance\n$/);
    expect(summary.stdout).not.toMatch(/grad gates\/kernel/);
    expect(summary.stderr).toMatch(/^backend: /);

    const full = runThroughPipe(['verify', '--full', '--quiet', '--backend', BACKEND, '--fixtures', fixtures]);
    expect(full.code).toBe(0);
    const rows = full.stdout.split('\n').filter((l) => / pass$/.test(l));
    const n = Number(/PASS: (\d+) quantities/.exec(full.stdout)![1]);
    expect(rows.length).toBe(n);
    expect(full.stdout).toMatch(/^tf1\/b2_t5_d3_u4 +TF1GRU +grad gates\/kernel /m);
    expect(full.stderr).toBe('');  // --quiet
  });

  test('verify exits 1 when a case fails, and names it', () => {
    const r = runThroughPipe(['verify', '--quiet', '--backend', BACKEND, '--fixtures', smallFixtures(SMALL.slice(0, 1), true)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/failed:\n.*\n.*\ntf1\/no_such_case +\(case\) +\(all\) .*FAIL: /);
    expect(r.stdout).toMatch(/FAIL: 1 of \d+ quantities on 2 cases/);
  });

  test('usage errors exit 2 with a suggestion', () => {
    const option = runThroughPipe(['verify', '--jsn']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option '--jsn'\n\(Did you mean --json\?\)/);
    const command = runThroughPipe(['verfy']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command 'verfy'\n\(Did you mean verify\?\)/);
    const choice = runThroughPipe(['verify', '--backend', 'gpu']);
    expect(choice.code).toBe(2);
    expect(choice.stderr).toMatch(/'gpu' is invalid. Allowed choices are tensorflow, wasm, cpu, auto/);
    expect(option.stdout + command.stdout + choice.stdout).toBe('');
  });

  test('help for the program and every verb, on stdout, exit 0', () => {
    const top = runThroughPipe([]);
    expect(top.code).toBe(0);
    const verbs = [...top.stdout.matchAll(/^  ([a-z-]+) /gm)].map((m) => m[1]).filter((v) => v !== 'help');
    expect(verbs).toEqual(expect.arrayContaining(['verify', 'explain', 'setup-node']));
    for (const verb of verbs) {
      const r = runThroughPipe([verb, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: tfjs-gru ${verb} `));
    }
  });

  test('setup-node reports a failure with exit 1 and the reason', () => {
    const r = runThroughPipe(['setup-node', '--force', '--quiet', '--tensorflow-dir', '/nonexistent/tensorflow']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/setup-node failed: .*\/nonexistent\/tensorflow/);
    expect(r.stdout).toBe('');
  });
});
