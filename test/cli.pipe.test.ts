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

/** stderr without native TensorFlow's own log lines (absl and TF logging, not ours: tfjs-node prints them). */
function ours(stderr: string): string {
  return stderr.split('\n').filter((l) => !/^WARNING: All log messages before absl::InitializeLog/.test(l) &&
      !/^[IWEF]\d{4} \d\d:\d\d:\d\d/.test(l) && !/^\d{4}-\d\d-\d\d .*tensorflow\//.test(l) &&
      !/^To enable the following instructions: /.test(l)).join('\n');
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
    // --json prints nothing else on stderr, and no progress bar into a pipe (native TensorFlow's own log lines aside)
    expect(ours(r.stderr).split('\n').filter((l) => l !== '')).toEqual([]);
  });

  test('verify: summary by default, --full gives one line per quantity', () => {
    const fixtures = smallFixtures(SMALL);
    const summary = runThroughPipe(['verify', '--backend', BACKEND, '--fixtures', fixtures]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/^implementation +cases +quantities +worst output\/state +worst gradient +result$/m);
    expect(summary.stdout).toMatch(/^TF1GRU +1 +\d+ +\d\.\d\de-\d+ \(tol 1\.00e-5\) +\d\.\d\de-\d+ \(tol 1\.00e-4\) +pass$/m);
    expect(summary.stdout).toMatch(/\nPASS: \d+ quantities on 3 cases equal TensorFlow within tolerance\n$/);
    expect(summary.stdout).not.toMatch(/grad gates\/kernel/);
    expect(ours(summary.stderr)).toMatch(/^backend: /);

    const full = runThroughPipe(['verify', '--full', '--quiet', '--backend', BACKEND, '--fixtures', fixtures]);
    expect(full.code).toBe(0);
    const rows = full.stdout.split('\n').filter((l) => / pass$/.test(l));
    const n = Number(/PASS: (\d+) quantities/.exec(full.stdout)![1]);
    expect(rows.length).toBe(n);
    expect(full.stdout).toMatch(/^tf1\/b2_t5_d3_u4 +TF1GRU +grad gates\/kernel /m);
    expect(ours(full.stderr)).toBe('');  // --quiet
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
      expect(r.stdout).toMatch(new RegExp(`^usage: tfjs-gru ${verb} `, 'i'));
    }
  });

  test('explain --input 3 --units 2: the complete map as text, as JSON, and as an SVG file', () => {
    const text = runThroughPipe(['explain', '--input', '3', '--units', '2']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^GRU: layout 'tf1', reset-before, D = 3 input features, U = 2 units$/m);
    expect(text.stdout).toMatch(/^  Uh +\[2, 2\] +r ⊙ h → c +candidate\/kernel\[D:\] +candidate\/kernel\[3:\]$/m);
    expect(text.stdout).toMatch(/^  c = tanh\(x·candidate\/kernel\[:D\] \+ \(r ⊙ h\)·candidate\/kernel\[D:\] \+ candidate\/bias\)$/m);
    expect(text.stdout).toMatch(/No equivalent in the other family/);
    expect(text.stderr).toBe('');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-explain-'));
    const svg = path.join(dir, 'gru.svg');
    const png = path.join(dir, 'gru.png');
    const json = runThroughPipe(['explain', '--input', '3', '--units', '2', '--layout', 'pytorch', '--json', '--svg', svg, '--png', png,
                                 '--quiet']);
    expect(json.code).toBe(0);
    const e = JSON.parse(json.stdout);
    expect(e.explained.layout).toBe('pytorch');
    expect(e.explained.blocks.find((b: any) => b.block === 'Wz').expression).toBe('weight_ih_l0[U:2U]ᵀ');
    const svgText = fs.readFileSync(svg, 'utf8');
    expect(svgText).toMatch(/^<\?xml[^]*<svg [^]*data-block="bUh"[^]*<\/svg>\n$/);
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    // IHDR: width and height are the SVG's
    const [, w, h] = /<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svgText)!.map(Number);
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([w, h]);
  });

  test('explain FILE: the model.json fixture with its weights, and through --no-weights', () => {
    const file = path.join(ROOT, 'fixtures', 'tfjs_model', 'keras_reset_after', 'model.json');
    const r = runThroughPipe(['explain', file, '--json', '--backend', BACKEND]);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.weightFiles).toEqual(['group1-shard1of1.bin']);
    expect(m.grus.map((g: any) => [g.name, g.explained.layout, g.inputSize, g.units, g.check.pass]))
        .toEqual([['gru', 'keras-reset-after', 3, 4, true]]);
    const text = runThroughPipe(['explain', file, '--no-weights', '--to', 'pytorch']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^GRU 'gru': layout 'keras-reset-after', reset-after, D = 3 input features, U = 4 units$/m);
    expect(text.stdout).toMatch(/^  block +keras-reset-after +pytorch$/m);
    expect(text.stdout).not.toMatch(/Check:/);
  });

  test('explain usage errors exit 2 and name the option or file', () => {
    const missing = runThroughPipe(['explain', '--input', '3']);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/give --units U \(the GRU's input features and units\), or a model.json file/)]);
    const zero = runThroughPipe(['explain', '--input', '0', '--units', '2']);
    expect([zero.code, zero.stderr]).toEqual([2, expect.stringMatching(/option '--input <D>' argument '0' is invalid. expected a whole number ≥ 1, got '0'/)]);
    const both = runThroughPipe(['explain', 'model.json', '--units', '2']);
    expect([both.code, both.stderr]).toEqual([2, expect.stringMatching(/model.json: the sizes and layout come from the file; drop --units/)]);
    const absent = runThroughPipe(['explain', '/nonexistent/model.json']);
    expect([absent.code, absent.stderr]).toEqual([2, expect.stringMatching(/\/nonexistent\/model.json: no such file/)]);
    const layout = runThroughPipe(['explain', '--input', '3', '--units', '2', '--layout', 'caffe']);
    expect([layout.code, layout.stderr]).toEqual([2, expect.stringMatching(/argument 'caffe' is invalid. Allowed choices are tf1, keras/)]);
  });

  test('setup-node reports a failure with exit 1 and the reason', () => {
    const r = runThroughPipe(['setup-node', '--force', '--quiet', '--tensorflow-dir', '/nonexistent/tensorflow']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/setup-node failed: .*\/nonexistent\/tensorflow/);
    expect(r.stdout).toBe('');
  });
});
