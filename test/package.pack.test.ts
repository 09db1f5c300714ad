// The package as npm publishes it: `npm pack`'s file list (what is in, what
// stays out), then the tarball installed in a fresh folder (its dependencies
// linked from this repository's node_modules: no network) and imported with
// require and import, root and /node, and bundled for a browser through its
// exports map. Builds dist/ first when it is missing or stale (helpers/ensureBuilt).
import {execFileSync, spawnSync} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {ensureBuilt} from './helpers/ensureBuilt';
import {closure, SRC} from './helpers/imports';

const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let tmp = '';
let files: string[] = [];

beforeAll(() => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], {cwd: ROOT, encoding: 'utf8'});
  const [info] = JSON.parse(out);
  files = info.files.map((f: {path: string}) => f.path);
  // A fresh project: the tarball unpacked as node_modules/tfjs-gru, the dependencies linked.
  const nm = path.join(tmp, 'project', 'node_modules');
  fs.mkdirSync(path.join(nm, 'tfjs-gru'), {recursive: true});
  execFileSync('tar', ['-xzf', path.join(tmp, info.filename), '-C', path.join(nm, 'tfjs-gru'), '--strip-components=1']);
  for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name === '.bin' || name === 'tfjs-gru' || name.startsWith('.')) continue;
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(nm, name));
  }
}, 300000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
});

test('the tarball holds the builds, the CLI and the fixtures, and no sources, tests or local output', () => {
  for (const f of ['package.json', 'README.md', 'bin/tfjs-gru.js', 'dist/index.js', 'dist/index.d.ts', 'dist/esm/index.js',
                   'dist/esm/package.json', 'dist/node/index.js', 'dist/node/index.d.ts', 'dist/cli/main.js',
                   'dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/esm/testing/index.js',
                   'dist/browser/tfjs-gru.esm.js', 'dist/browser/tfjs-gru.js', 'dist/browser/tfjs-backend-wasm-simd.wasm',
                   'fixtures/manifest.json', 'native/gru_kernel.c']) {
    expect(files).toContain(f);
  }
  const outside = files.filter((f) => /^(src|test|bench|examples|docs|scratch_tmp|\.ci|node_modules)\//.test(f) ||
                                      /^dist\/esm\/node\//.test(f) || /\.test\.|tsconfig|jest\.config/.test(f));
  expect(outside).toEqual([]);
  // the ESM build is the browser-safe root only: nothing of src/node or src/cli
  expect(files.filter((f) => /^dist\/esm\/(node|cli)\//.test(f))).toEqual([]);
});

test('the exports map: root, /node, /testing and /stream, each with types, import and require, to files in the tarball', () => {
  expect(Object.keys(pkg.exports).sort()).toEqual(['.', './gru_kernel.wasm', './node', './package.json', './stream', './testing']);
  expect(files).toContain(pkg.exports['./gru_kernel.wasm'].replace(/^\.\//, ''));
  for (const entry of ['.', './node', './testing', './stream']) {
    const e = pkg.exports[entry];
    for (const c of ['types', 'import', 'require']) {
      expect(typeof e[c]).toBe('string');
      expect(files).toContain(e[c].replace(/^\.\//, ''));
    }
  }
  for (const f of [pkg.main, pkg.module, pkg.types]) expect(files).toContain(f);
  // typesVersions (TypeScript's node10 resolution ignores exports): every subpath to the same types
  for (const [sub, [target]] of Object.entries(pkg.typesVersions['*'] as Record<string, string[]>)) {
    expect([sub, target]).toEqual([sub, pkg.exports[`./${sub}`].types]);
  }
  expect(Object.keys(pkg.typesVersions['*']).sort()).toEqual(['node', 'stream', 'testing']);
});

test('sideEffects names every module with top-level effects (the layer registrations, the kernel registry) and no other', () => {
  // A module has side effects when a statement at its top level calls something.
  const sources = new Set([...closure(path.join(SRC, 'node', 'index.ts')).files, ...closure(path.join(SRC, 'cli', 'main.ts')).files,
                           path.join(SRC, 'node', 'setupNodeMain.ts')]);
  const effectful = [...sources]
      .filter((f) => /^(if \(|[A-Za-z_$][\w$.]*\()/m.test(fs.readFileSync(f, 'utf8').replace(/^\s*(\/\/|\*|\/\*).*$/gm, '')))
      .map((f) => path.relative(SRC, f).replace(/\.ts$/, '.js')).sort();
  expect(effectful).toEqual(expect.arrayContaining(['layers/tf1Gru.js', 'layers/kerasGru.js', 'kernels/registry.js', 'node/backend.js']));
  const declared: string[] = pkg.sideEffects;
  const globs = declared.map((d) => new RegExp(`^${d.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`));
  const isDeclared = (f: string) => globs.some((g) => g.test(f));
  const inEsm = new Set(closure(path.join(SRC, 'index.ts')).files.map((f) => path.relative(SRC, f).replace(/\.ts$/, '.js')));
  for (const f of effectful) {
    expect([f, isDeclared(`./dist/${f}`)]).toEqual([f, true]);
    if (inEsm.has(f)) expect([`esm/${f}`, isDeclared(`./dist/esm/${f}`)]).toEqual([`esm/${f}`, true]);
  }
  // dist/esm/package.json (the nearest one for bundlers) says the same of the ESM files
  const esmPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'esm', 'package.json'), 'utf8'));
  expect(esmPkg).toEqual({type: 'module', sideEffects: declared.filter((d) => d.startsWith('./dist/esm/')).map((d) => d.replace('./dist/esm/', './'))});
  const named = declared.filter((d) => !d.includes('*')).map((d) => d.replace(/^\.\/dist\/(esm\/)?/, ''));
  expect(named.filter((f) => !effectful.includes(f))).toEqual([]);
});

function runIn(file: string, code: string): string {
  const dir = path.join(tmp, 'project');
  fs.writeFileSync(path.join(dir, file), code);
  const r = spawnSync(process.execPath, [file], {cwd: dir, encoding: 'utf8', env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2'}});
  if (r.status !== 0) throw new Error(`${file} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

const TESTING = ['caseTensor', 'hasTensor', 'loadCaseFrom', 'loadManifestFrom', 'householderQ'];
const CHECK = `
  const same = g.tf1Gru === n.tf1Gru && g.backendInfo === n.backendInfo;
  const info = await n.selectBackend('wasm');
  const x = g.tf.ones([2, 3, 4]);
  const y = g.tf1Gru({units: 5, kernelInitializer: 'ones'}).apply(x);
  console.log(JSON.stringify({
    rootHasNode: ['setupNode', 'readCheckpoint', 'verify', 'fixturesFromDir'].filter((k) => k in g),
    rootHasTesting: ['caseTensor', 'hasTensor', 'loadCaseFrom', 'householderQ'].filter((k) => k in g),
    nodeHas: ['setupNode', 'readCheckpoint', 'verify', 'fixturesFromDir', 'tf1Gru', 'verifyFixtures'].filter((k) => typeof n[k] === 'function'),
    testingHas: ['caseTensor', 'hasTensor', 'loadCaseFrom', 'loadManifestFrom', 'householderQ'].filter((k) => typeof t[k] === 'function'),
    same, backend: info.name, shape: y.shape,
  }));
`;

test('require: tfjs-gru and tfjs-gru/node load from the packed package, share one instance, and run a GRU', () => {
  const out = runIn('check.cjs', `
    const tf = require('@tensorflow/tfjs');
    const g = Object.assign({tf}, require('tfjs-gru'));
    const n = require('tfjs-gru/node');
    const t = require('tfjs-gru/testing');
    if (!require.resolve('tfjs-gru').includes(require('path').join('node_modules', 'tfjs-gru', 'dist'))) throw new Error(require.resolve('tfjs-gru'));
    let deep = '';
    try { require('tfjs-gru/dist/node/setupNode'); } catch (e) { deep = e.code; }
    (async () => { ${CHECK.replace('console.log(JSON.stringify({', 'console.log(JSON.stringify({deep,')} })().catch((e) => { console.error(e); process.exit(1); });
  `);
  expect(JSON.parse(out)).toEqual({
    deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED', rootHasNode: [], rootHasTesting: [],
    nodeHas: ['setupNode', 'readCheckpoint', 'verify', 'fixturesFromDir', 'tf1Gru', 'verifyFixtures'], testingHas: TESTING,
    same: true, backend: 'wasm', shape: [2, 5],
  });
});

test('tfjs-gru/stream (require and import) runs a model from its model.json on tfjs-gru/gru_kernel.wasm, with no tfjs loaded', () => {
  // One KerasGRU unit over one input, weights all 0.5 (bias zeros): h1 = (1 − z)·tanh(x·0.5 + 0.5·r·0), z = σ(0.5·x).
  const body = (load: string) => `
    ${load}
    const modelJson = {modelTopology: {class_name: 'Sequential', config: {layers: [{class_name: 'KerasGRU',
      config: {name: 'g', units: 1, batch_input_shape: [null, null, 1], reset_after: true, return_sequences: true}}]}},
      weightsManifest: [{paths: ['w.bin'], weights: [{name: 'g/kernel', shape: [1, 3], dtype: 'float32'},
        {name: 'g/recurrent_kernel', shape: [1, 3], dtype: 'float32'}, {name: 'g/bias', shape: [2, 3], dtype: 'float32'}]}]};
    const weights = new Float32Array(12).fill(0.5, 0, 6).buffer;
    const s = stream.createGruStreamSync({modelJson, weights}, {wasm: fs.readFileSync(wasmPath)});
    const y = s.step(new Float32Array([1]))[0];
    const z = 1 / (1 + Math.exp(-0.5));
    console.log(JSON.stringify({ok: Math.abs(y - (1 - z) * Math.tanh(0.5)) < 1e-6, tfjs: Object.keys(require.cache || {}).some((k) => k.includes('@tensorflow'))}));`;
  const cjs = runIn('stream.cjs', body(`const stream = require('tfjs-gru/stream'); const fs = require('fs');
    const wasmPath = require.resolve('tfjs-gru/gru_kernel.wasm');`));
  expect(JSON.parse(cjs)).toEqual({ok: true, tfjs: false});
  const esm = runIn('stream.mjs', body(`import * as stream from 'tfjs-gru/stream'; import * as fs from 'fs'; import {createRequire} from 'module';
    const require = createRequire(import.meta.url); const wasmPath = require.resolve('tfjs-gru/gru_kernel.wasm');`));
  expect(JSON.parse(esm)).toEqual({ok: true, tfjs: false});
});

test('import: the same from an ES module (named imports; root and /node are one instance in Node)', () => {
  const out = runIn('check.mjs', `
    import * as tf from '@tensorflow/tfjs';
    import * as root from 'tfjs-gru';
    import * as n from 'tfjs-gru/node';
    import * as t from 'tfjs-gru/testing';
    import {tf1Gru} from 'tfjs-gru';
    const g = {...root, tf};
    if (tf1Gru !== n.tf1Gru) throw new Error('two instances');
    ${CHECK}
  `);
  expect(JSON.parse(out)).toEqual({
    rootHasNode: [], rootHasTesting: [], nodeHas: ['setupNode', 'readCheckpoint', 'verify', 'fixturesFromDir', 'tf1Gru', 'verifyFixtures'],
    testingHas: TESTING,
    same: true, backend: 'wasm', shape: [2, 5],
  });
});

test('a browser bundler resolves tfjs-gru to the ESM build, keeps the layer registration, and finds no Node built-in', async () => {
  const esbuild = await import('esbuild');
  const dir = path.join(tmp, 'project');
  fs.writeFileSync(path.join(dir, 'app.js'), "import {convertWeights} from 'tfjs-gru';\nconsole.log(typeof convertWeights);\n");
  const r = await esbuild.build({entryPoints: [path.join(dir, 'app.js')], bundle: true, platform: 'browser', write: false,
                                 metafile: true, logLevel: 'silent', absWorkingDir: dir, preserveSymlinks: true});
  // the modules that put code into the bundle (the metafile's inputs also list modules parsed and then shaken off)
  const [output] = Object.values(r.metafile.outputs);
  const inputs = Object.entries(output.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([k]) => k);
  const ours = inputs.filter((f) => f.includes('node_modules/tfjs-gru/'));
  expect(ours.length).toBeGreaterThan(5);
  expect(ours.every((f) => f.startsWith('node_modules/tfjs-gru/dist/esm/'))).toBe(true);
  // sideEffects keeps the registration of the layer classes even when only a converter is imported
  expect(ours).toEqual(expect.arrayContaining(['node_modules/tfjs-gru/dist/esm/layers/tf1Gru.js', 'node_modules/tfjs-gru/dist/esm/kernels/registry.js']));
  expect(r.outputFiles[0].text).toMatch(/registerClass\(\w+\)/);
  // ... and leaves out what was not imported and has no effect (the checkpoint reader)
  expect(ours.filter((f) => f.includes('/io/checkpoint/'))).toEqual([]);
});

// Types for every resolution a TypeScript consumer may use: node10 (CommonJS, which ignores
// the exports map and reads typesVersions), node16 / nodenext (CommonJS and ES module
// files, through the exports map's types) and bundler.
const CONSUMER = `
import * as tf from '@tensorflow/tfjs';
import {fromPytorchGru, gru, LAYOUT_NAMES, PytorchGru} from 'tfjs-gru';
import {convertModelFileToDir, ConvertModelFileResult, fixturesFromDir, loadLayersModelFromDir} from 'tfjs-gru/node';
import {caseTensor, FixtureCase, loadCaseFrom} from 'tfjs-gru/testing';
export async function use(dir: string): Promise<number> {
  const model: tf.LayersModel = await loadLayersModelFromDir(dir);
  const result: ConvertModelFileResult = await convertModelFileToDir('model.npz', dir, {rename: 'a=b'});
  const names: readonly string[] = LAYOUT_NAMES;
  const layer = gru({units: 2, resetAfter: true});
  const build: (sd: Record<string, tf.Tensor>, o: {numLayers: number}) => PytorchGru = fromPytorchGru;
  const c: FixtureCase = loadCaseFrom('tf1/b1_t1_d1_u1', fixturesFromDir());
  const x: tf.Tensor = caseTensor(c, 'x');
  return names.length + result.files.length + model.inputs.length + layer.name.length + build.length + x.size;
}
`;
const RESOLUTIONS: Array<[string, Record<string, string>, string]> = [
  ['node10', {module: 'commonjs', moduleResolution: 'node10'}, 'consumer.ts'],
  ['node16 (CommonJS file)', {module: 'node16', moduleResolution: 'node16'}, 'consumer.cts'],
  ['node16 (ES module file)', {module: 'node16', moduleResolution: 'node16'}, 'consumer.mts'],
  ['nodenext', {module: 'nodenext', moduleResolution: 'nodenext'}, 'consumer.mts'],
  ['bundler', {module: 'esnext', moduleResolution: 'bundler'}, 'consumer.ts'],
];

function typeCheck(name: string, options: Record<string, string>, file: string, code: string) {
  const dir = path.join(tmp, 'project', `types-${name.replace(/\W+/g, '-')}`);
  fs.mkdirSync(dir, {recursive: true});
  fs.writeFileSync(path.join(dir, file), code);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {...options, target: 'es2020', strict: true, noEmit: true, types: ['node']},
    files: [file],
  }));
  return spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir],
                   {cwd: dir, encoding: 'utf8'});
}

/** tsc's errors, without those inside @tensorflow's own declarations (which fail strict checks upstream: TS2304 'Long', …). */
function ownErrors(out: string): string[] {
  return out.split('\n').filter((l) => /error TS\d+/.test(l) && !/node_modules\/@tensorflow\//.test(l));
}

test.each(RESOLUTIONS)('types: tfjs-gru, tfjs-gru/node and tfjs-gru/testing type-check under moduleResolution %s', (name, options, file) => {
  // no skipLibCheck: our .d.ts files are checked too
  const r = typeCheck(name, options, file, CONSUMER);
  expect({name, errors: ownErrors(r.stdout + r.stderr)}).toEqual({name, errors: []});
  expect(r.stdout).toMatch(/node_modules\/@tensorflow\//);  // the declarations were read (tfjs's known errors show it)
});

test('types: the check can fail (an unknown subpath is TS2307 under node10 and bundler)', () => {
  for (const [name, options, file] of [RESOLUTIONS[0], RESOLUTIONS[4]]) {
    const r = typeCheck(`${name}-missing`, options, file, "import {nothing} from 'tfjs-gru/nope';\nexport const x = nothing;\n");
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/TS2307: Cannot find module 'tfjs-gru\/nope'/);
  }
});
