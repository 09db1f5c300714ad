/**
 * `tfjs-gru setup-node`: makes @tensorflow/tfjs-node usable without its
 * libtensorflow download (design.md section 4).
 *
 * tfjs-node 4.22 wants libtensorflow 2.9.1 from a CDN. The TensorFlow Python
 * wheel ships the same C API in `tensorflow/libtensorflow_cc.so.2` (TF_* and
 * TFE_* symbols, versioned `@@tensorflow`) plus `libtensorflow_framework.so.2`
 * and the headers under `tensorflow/include`. This module
 *   1. finds a TensorFlow package folder (the one given, or the project's pinned
 *      venv made by tools/venv.sh),
 *   2. stages its libraries and headers into tfjs-node's `deps/` under the names
 *      tfjs-node's binding.gyp and install script expect,
 *   3. builds the addon with node-gyp against the local Node.js headers into the
 *      path tfjs-node's loader (node-pre-gyp `binary.module_path`) looks at,
 *   4. verifies in a child process that tfjs-node loads and runs a matMul,
 * and writes a stamp so that a second run only re-verifies.
 */
import {spawn, spawnSync} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {buildNativeKernel, NativeKernelBuild} from './buildNativeKernel';

/**
 * Options of {@link setupNode}.
 * @category Backends and kernels
 */
export interface SetupNodeOptions {
  /** Python whose `tensorflow` package to use (default: the project venv from tools/venv.sh). */
  python?: string;
  /** The `tensorflow` package folder (contains libtensorflow_cc.so.2); wins over `python`. */
  tensorflowDir?: string;
  /** Rebuild even if a working addon from the same TensorFlow is present. */
  force?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/**
 * What {@link setupNode} did and found.
 * @category Backends and kernels
 */
export interface SetupNodeResult {
  /** True when nothing was rebuilt (a working addon was already there). */
  alreadyDone: boolean;
  /** TensorFlow version of the library the addon runs on (from TF_Version()). */
  tensorflowVersion: string;
  /** Wall-clock seconds of the whole call. */
  seconds: number;
  /** Folder of the @tensorflow/tfjs-node package that was set up. */
  tfjsNodeDir: string;
  /** The built addon (tfjs-node's loader path). */
  addonPath: string;
  /** The `tensorflow` package folder the libraries came from ('' if not resolved). */
  tensorflowDir: string;
  /** True if tfjs-node was missing and was installed with `npm install --no-save`. */
  installedTfjsNode: boolean;
  /** Backend name tfjs-node reported in the verification child ('tensorflow'). */
  backend: string;
  /** The native GRU kernel (OpenBLAS) that tfjs-gru's layers use on tfjs-node. */
  nativeKernel: NativeKernelBuild;
}

/**
 * Error thrown by setupNode; `message` names the missing thing and what was expected.
 * @category Backends and kernels
 */
export class SetupNodeError extends Error {
  constructor(message: string, readonly details?: string) {
    super(details ? `${message}\n${details}` : message);
    this.name = 'SetupNodeError';
  }
}

const TFJS_NODE_VERSION = '4.22.0';
/** The libtensorflow version tfjs-node 4.22's install script checks for (deps/lib/libtensorflow.so.<v>). */
const TFJS_NODE_LIBTF_VERSION = '2.9.1';
const STAMP_NAME = 'tfjs-gru-setup.json';
const STAMP_FORMAT = 1;

interface Stamp {
  format: number;
  tensorflowVersion: string;
  tensorflowDir: string;
  libFingerprint: string;
  tfjsNodeVersion: string;
  nodeVersion: string;
  napiVersion: number;
  addonPath: string;
  builtAt: string;
}

interface TensorflowSource {
  dir: string;
  version: string;
  /** Python used to find it (also used as gyp's python), if any. */
  python?: string;
}

interface VerifyOk { ok: true; backend: string; tfVersion: string; }
interface VerifyFail { ok: false; message: string; }

/** Root of the tfjs-gru package (the folder holding its package.json and tools/). */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'tfjs-gru') return dir;
      } catch { /* keep walking */ }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new SetupNodeError(`cannot find the tfjs-gru package.json above ${__dirname}`);
    dir = up;
  }
}

/**
 * Makes @tensorflow/tfjs-node run on the TensorFlow Python wheel's C library:
 * stages it into tfjs-node's deps/, builds the addon with node-gyp, checks that
 * it loads and multiplies (Node only; `tfjs-gru setup-node` on the command line).
 * @category Backends and kernels
 */
export async function setupNode(options: SetupNodeOptions = {}): Promise<SetupNodeResult> {
  const log = options.log ?? (() => undefined);
  const r = await setupTfjsNode(options);
  const nativeKernel = buildNativeKernel(packageRoot(), log);
  log(nativeKernel.ok ? `native GRU kernel ready: ${nativeKernel.path}` :
                        `native GRU kernel not available (GRUs run on tfjs ops): ${nativeKernel.why}`);
  return {...r, nativeKernel};
}

async function setupTfjsNode(options: SetupNodeOptions): Promise<Omit<SetupNodeResult, 'nativeKernel'>> {
  const t0 = Date.now();
  const log = options.log ?? (() => undefined);
  if (process.platform !== 'linux') {
    throw new SetupNodeError(
        `setup-node supports Linux only (this is ${process.platform}); the TensorFlow wheel's ` +
        `library names and tfjs-node's binding.gyp differ on other systems`);
  }
  const root = packageRoot();

  // 1. tfjs-node itself.
  let installedTfjsNode = false;
  let tfjsNodeDir = resolveTfjsNode(root);
  if (!tfjsNodeDir) {
    const where = npmProjectDir(root);
    log(`@tensorflow/tfjs-node is not installed; installing @tensorflow/tfjs-node@${TFJS_NODE_VERSION} ` +
        `into ${where} (npm install --no-save --ignore-scripts)`);
    const r = await run('npm', ['install', '--no-save', '--ignore-scripts', `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`],
                        {cwd: where});
    if (r.code !== 0) {
      throw new SetupNodeError(`npm install of @tensorflow/tfjs-node@${TFJS_NODE_VERSION} failed (exit ${r.code})`,
                               tail(r.output));
    }
    tfjsNodeDir = resolveTfjsNode(root);
    if (!tfjsNodeDir) throw new SetupNodeError(`@tensorflow/tfjs-node still not resolvable from ${root} after npm install`);
    installedTfjsNode = true;
  }
  const tfjsNodePkg = JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'package.json'), 'utf8'));
  if (tfjsNodePkg.version !== TFJS_NODE_VERSION) {
    log(`warning: @tensorflow/tfjs-node is ${tfjsNodePkg.version}, this was tested with ${TFJS_NODE_VERSION}`);
  }
  const addonPath = loaderAddonPath(tfjsNodeDir);
  const napiVersion = napiFromPath(addonPath);
  const depsDir = path.join(tfjsNodeDir, 'deps');
  const stampPath = path.join(depsDir, STAMP_NAME);
  log(`tfjs-node ${tfjsNodePkg.version} at ${tfjsNodeDir}; its loader expects ${addonPath}`);

  // 2. TensorFlow library source.
  const tf = await findTensorflow(root, options, log);
  const fingerprint = libFingerprint(tf.dir);
  log(`TensorFlow ${tf.version} at ${tf.dir}`);

  // Idempotency: same TF, same tfjs-node, same napi, addon present and working.
  if (!options.force) {
    const stamp = readStamp(stampPath);
    if (fs.existsSync(addonPath)) {
      const same = stamp !== undefined && stamp.format === STAMP_FORMAT && stamp.libFingerprint === fingerprint &&
          stamp.tfjsNodeVersion === tfjsNodePkg.version && stamp.napiVersion === napiVersion &&
          stamp.addonPath === addonPath;
      if (same || stamp === undefined) {
        const v = verify(tfjsNodeDir);
        if (v.ok && same) {
          log(`already set up: tfjs-node runs on TensorFlow ${v.tfVersion} (built ${stamp!.builtAt}); use --force to rebuild`);
          return result(true, v.tfVersion, v.backend);
        }
        if (v.ok && stamp === undefined) {
          log(`already set up: tfjs-node works with its own libtensorflow ${v.tfVersion} (not built by setup-node); ` +
              `use --force to rebuild it from the TensorFlow wheel`);
          return result(true, v.tfVersion, v.backend);
        }
        if (!v.ok) log(`existing addon does not load (${firstLine(v.message)}); rebuilding`);
      } else {
        log(`existing addon was built from a different TensorFlow/tfjs-node/N-API; rebuilding`);
      }
    }
  }

  // 3. Tools for the build.
  const tools = checkBuildTools(tf.python);

  // 4. Stage deps/.
  log(`staging libraries and headers into ${depsDir}`);
  stageDeps(tf.dir, depsDir);

  // 5. Build.
  log(`building the addon with node-gyp (N-API ${napiVersion}, Node headers from ${tools.nodedir}); this takes ~30 s`);
  fs.rmSync(path.join(tfjsNodeDir, 'build'), {recursive: true, force: true});
  fs.rmSync(addonPath, {force: true});
  const gypArgs = [tools.nodeGyp, 'rebuild', `--nodedir=${tools.nodedir}`, `--python=${tools.python}`,
                   `--napi_build_version=${napiVersion}`, '--module_name=tfjs_binding',
                   `--module_path=${path.dirname(addonPath)}`, `--jobs=${Math.max(1, os.cpus().length)}`];
  const b = await run(process.execPath, gypArgs, {cwd: tfjsNodeDir, env: {...process.env, npm_config_nodedir: tools.nodedir}});
  if (b.code !== 0) {
    throw new SetupNodeError(`node-gyp failed to build tfjs_binding.node (exit ${b.code}) in ${tfjsNodeDir}`, tail(b.output));
  }
  if (!fs.existsSync(addonPath)) {
    const built = path.join(tfjsNodeDir, 'build', 'Release', 'tfjs_binding.node');
    if (!fs.existsSync(built)) throw new SetupNodeError(`node-gyp reported success but produced no ${built}`, tail(b.output));
    fs.mkdirSync(path.dirname(addonPath), {recursive: true});
    fs.copyFileSync(built, addonPath);
  }

  // 6. Verify in a fresh process.
  const v = verify(tfjsNodeDir);
  if (!v.ok) {
    throw new SetupNodeError(`the built addon ${addonPath} does not load or run`, v.message);
  }
  const stamp: Stamp = {
    format: STAMP_FORMAT, tensorflowVersion: v.tfVersion, tensorflowDir: tf.dir, libFingerprint: fingerprint,
    tfjsNodeVersion: tfjsNodePkg.version, nodeVersion: process.version, napiVersion, addonPath,
    builtAt: new Date().toISOString(),
  };
  fs.writeFileSync(stampPath, JSON.stringify(stamp, null, 2) + '\n');
  log(`done: tfjs-node runs on TensorFlow ${v.tfVersion} (backend '${v.backend}')`);
  return result(false, v.tfVersion, v.backend);

  function result(alreadyDone: boolean, tensorflowVersion: string, backend: string): Omit<SetupNodeResult, 'nativeKernel'> {
    return {alreadyDone, tensorflowVersion, seconds: (Date.now() - t0) / 1000, tfjsNodeDir: tfjsNodeDir!, addonPath,
            tensorflowDir: tf.dir, installedTfjsNode, backend};
  }
}

// ---------------------------------------------------------------------------

function resolveTfjsNode(root: string): string | undefined {
  try {
    return path.dirname(require.resolve('@tensorflow/tfjs-node/package.json', {paths: [root]}));
  } catch {
    return undefined;
  }
}

/** Where `npm install` should put tfjs-node so that it resolves from the tfjs-gru package. */
function npmProjectDir(root: string): string {
  // tfjs-gru installed as a dependency: .../project/node_modules/tfjs-gru -> .../project
  const parts = root.split(path.sep);
  const i = parts.lastIndexOf('node_modules');
  return i > 0 ? parts.slice(0, i).join(path.sep) || path.sep : root;
}

/** The addon path tfjs-node's own loader computes (node-pre-gyp `find`). */
function loaderAddonPath(tfjsNodeDir: string): string {
  try {
    const preGyp = require(require.resolve('@mapbox/node-pre-gyp', {paths: [tfjsNodeDir]}));
    return path.resolve(preGyp.find(path.join(tfjsNodeDir, 'package.json')));
  } catch (e) {
    // Same rule as node-pre-gyp: highest napi_versions entry <= this Node's N-API.
    const pkg = JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'package.json'), 'utf8'));
    const own = Number(process.versions.napi);
    const v = Math.max(...(pkg.binary?.napi_versions ?? [8]).filter((n: number) => n <= own));
    const mp = String(pkg.binary?.module_path ?? './lib/napi-v{napi_build_version}').replace('{napi_build_version}', String(v));
    return path.resolve(tfjsNodeDir, mp, `${pkg.binary?.module_name ?? 'tfjs_binding'}.node`);
  }
}

function napiFromPath(addonPath: string): number {
  const m = /napi-v(\d+)/.exec(addonPath);
  if (!m) throw new SetupNodeError(`cannot read the N-API version from tfjs-node's addon path ${addonPath}`);
  return Number(m[1]);
}

async function findTensorflow(root: string, options: SetupNodeOptions, log: (l: string) => void): Promise<TensorflowSource> {
  if (options.tensorflowDir) {
    const dir = path.resolve(options.tensorflowDir);
    checkTensorflowDir(dir, `--tensorflow-dir ${options.tensorflowDir}`);
    return {dir, version: versionFromDistInfo(dir), python: options.python};
  }
  let python = options.python;
  if (!python) {
    const script = path.join(root, 'tools', 'venv.sh');
    if (!fs.existsSync(script)) throw new SetupNodeError(`missing ${script} (the project's pinned Python environment script)`);
    if (!hasCommand('bash')) throw new SetupNodeError('bash not found; it is needed to run tools/venv.sh');
    log(`finding TensorFlow through the project Python environment (bash tools/venv.sh; creating it downloads tensorflow-cpu, ~0.6 GB)`);
    const r = await run('bash', [script], {cwd: root, captureStdoutSeparately: true, onStderr: (l) => log(`  ${l}`)});
    if (r.code !== 0) {
      throw new SetupNodeError(`tools/venv.sh failed (exit ${r.code}); it needs Python 3 with venv and pip, and ` +
                               `access to the Python package index`, tail(r.output));
    }
    python = r.stdout.trim().split('\n').pop()!.trim();
    if (!python || !fs.existsSync(python)) throw new SetupNodeError(`tools/venv.sh did not print a python path (got '${python}')`);
  }
  const code = 'import importlib.util, importlib.metadata as m, os, json\n' +
      's = importlib.util.find_spec("tensorflow")\n' +
      'v = ""\n' +
      'for n in ("tensorflow", "tensorflow-cpu", "tf-nightly", "tensorflow-intel"):\n' +
      '    try:\n        v = m.version(n); break\n    except Exception: pass\n' +
      'print(json.dumps({"dir": os.path.dirname(s.origin) if s and s.origin else "", "version": v}))\n';
  const r = spawnSync(python, ['-c', code], {encoding: 'utf8'});
  if (r.error) throw new SetupNodeError(`cannot run Python '${python}': ${r.error.message}`);
  if (r.status !== 0) throw new SetupNodeError(`Python '${python}' failed to look up the tensorflow package`, r.stderr);
  const info = JSON.parse(r.stdout.trim().split('\n').pop()!) as {dir: string, version: string};
  if (!info.dir) {
    throw new SetupNodeError(`Python '${python}' has no 'tensorflow' package; install one (the project pins ` +
                             `tensorflow-cpu==2.21.0 in tools/requirements.txt) or pass a tensorflowDir`);
  }
  checkTensorflowDir(info.dir, `the tensorflow package of ${python}`);
  return {dir: info.dir, version: info.version || versionFromDistInfo(info.dir), python};
}

function checkTensorflowDir(dir: string, what: string): void {
  const need = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2', 'include/tensorflow/c/c_api.h',
                'include/tensorflow/c/eager/c_api.h'];
  const missing = need.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length) {
    throw new SetupNodeError(`${what} (${dir}) is not a usable TensorFlow wheel folder: missing ${missing.join(', ')}; ` +
                             `expected the 'tensorflow' package folder of a TensorFlow 2.x Linux wheel ` +
                             `(e.g. .venv/lib/python3.11/site-packages/tensorflow)`);
  }
}

/** Version from a sibling `tensorflow*-X.Y.Z.dist-info` folder; '' when there is none. */
function versionFromDistInfo(dir: string): string {
  const site = path.dirname(dir);
  try {
    for (const name of fs.readdirSync(site)) {
      const m = /^(tensorflow|tensorflow_cpu|tf_nightly|tensorflow_intel)-([^-]+)\.dist-info$/.exec(name);
      if (m) return m[2];
    }
  } catch { /* fallthrough */ }
  return '';
}

/** Identity of the library files: size and mtime of both shared objects. */
function libFingerprint(dir: string): string {
  return ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'].map((f) => {
    const s = fs.statSync(path.join(dir, f));
    return `${f}:${s.size}:${Math.floor(s.mtimeMs)}`;
  }).join(',');
}

function readStamp(p: string): Stamp | undefined {
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

interface Tools { nodeGyp: string; nodedir: string; python: string; }

function checkBuildTools(python?: string): Tools {
  const cxx = process.env.CXX || 'g++';
  if (!hasCommand(cxx)) {
    throw new SetupNodeError(`C++ compiler '${cxx}' not found; node-gyp needs g++ (Debian/Ubuntu: apt-get install g++)`);
  }
  if (!hasCommand('make')) throw new SetupNodeError(`'make' not found; node-gyp needs it (Debian/Ubuntu: apt-get install make)`);
  const gypPython = python && fs.existsSync(python) ? python :
      (process.env.PYTHON && hasCommand(process.env.PYTHON) ? process.env.PYTHON : (hasCommand('python3') ? 'python3' : ''));
  if (!gypPython) throw new SetupNodeError(`no Python 3 found for gyp (node-gyp runs gyp with Python 3); install python3 or set PYTHON`);

  // Node.js headers of the running node: <prefix>/include/node (node-gyp would otherwise download them).
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')]
      .filter((d): d is string => !!d);
  const nodedir = candidates.find((d) => fs.existsSync(path.join(d, 'include', 'node', 'node_api.h')) &&
                                        fs.existsSync(path.join(d, 'include', 'node', 'common.gypi')));
  if (!nodedir) {
    throw new SetupNodeError(`Node.js ${process.version} headers not found (looked for include/node/node_api.h and ` +
                             `common.gypi under ${candidates.join(', ')}); install the headers of this Node.js ` +
                             `(they ship with the official Node tarballs) or set npm_config_nodedir`);
  }

  const gypCandidates = [
    process.env.npm_config_node_gyp,
    tryResolve('node-gyp/bin/node-gyp.js', [packageRoot()]),
    path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    npmBundledNodeGyp(),
  ].filter((p): p is string => !!p);
  const nodeGyp = gypCandidates.find((p) => fs.existsSync(p));
  if (!nodeGyp) {
    throw new SetupNodeError(`node-gyp not found (looked at ${gypCandidates.join(', ')}); install it with ` +
                             `'npm install -g node-gyp' or set npm_config_node_gyp`);
  }
  return {nodeGyp, nodedir, python: gypPython};
}

function npmBundledNodeGyp(): string | undefined {
  const r = spawnSync('npm', ['root', '-g'], {encoding: 'utf8'});
  if (r.status !== 0) return undefined;
  return path.join(r.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
}

function tryResolve(id: string, paths: string[]): string | undefined {
  try {
    return require.resolve(id, {paths});
  } catch {
    return undefined;
  }
}

function hasCommand(cmd: string): boolean {
  if (cmd.includes('/')) return fs.existsSync(cmd);
  const r = spawnSync('sh', ['-c', `command -v "$0"`, cmd], {encoding: 'utf8'});
  return r.status === 0;
}

/**
 * deps/lib:  libtensorflow_cc.so.2, libtensorflow_framework.so.2 (hard links to the wheel's files, copies
 *            across file systems), libtensorflow.so -> libtensorflow_cc.so.2 and libtensorflow_framework.so ->
 *            libtensorflow_framework.so.2 (for binding.gyp's -ltensorflow -ltensorflow_framework; the addon then
 *            records the SONAMEs libtensorflow_cc.so.2 / libtensorflow_framework.so.2 and finds them through its
 *            rpath $ORIGIN/../../deps/lib), libtensorflow.so.2.9.1 -> libtensorflow_cc.so.2 (tfjs-node's
 *            install.js skips its download when this exists).
 * deps/include: tensorflow/c/**, the ctstring headers under tensorflow/core/platform, tsl/platform and
 *            xla/tsl/c (what binding/*.cc include, transitively).
 */
function stageDeps(tfDir: string, depsDir: string): void {
  fs.rmSync(depsDir, {recursive: true, force: true});
  const lib = path.join(depsDir, 'lib');
  fs.mkdirSync(lib, {recursive: true});
  for (const f of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) linkOrCopy(path.join(tfDir, f), path.join(lib, f));
  fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so'));
  fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'));
  fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, `libtensorflow.so.${TFJS_NODE_LIBTF_VERSION}`));
  fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, `libtensorflow_framework.so.${TFJS_NODE_LIBTF_VERSION}`));

  const inc = path.join(tfDir, 'include');
  const dest = path.join(depsDir, 'include');
  const trees = ['tensorflow/c', 'tsl/platform', 'xla/tsl/c', 'tensorflow/core/platform'];
  for (const t of trees) {
    const src = path.join(inc, t);
    if (!fs.existsSync(src)) continue;
    for (const file of walk(src)) {
      if (t.endsWith('platform') && !/ctstring/.test(path.basename(file))) continue;  // only ctstring*.h there
      const to = path.join(dest, path.relative(inc, file));
      fs.mkdirSync(path.dirname(to), {recursive: true});
      fs.copyFileSync(file, to);
    }
  }
}

function* walk(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, {withFileTypes: true})) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

/** Loads tfjs-node in a fresh process and runs a matMul. */
function verify(tfjsNodeDir: string): VerifyOk | VerifyFail {
  const code = `
    const tf = require(${JSON.stringify(tfjsNodeDir)});
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const c = Array.from(tf.matMul(a, a).dataSync());
    const ok = JSON.stringify(c) === '[7,10,15,22]';
    const b = tf.backend();
    const v = b && b.binding && b.binding.TF_Version ? String(b.binding.TF_Version) : '';
    process.stdout.write('\\n' + JSON.stringify({backend: tf.getBackend(), ok, c, v}) + '\\n');`;
  const r = spawnSync(process.execPath, ['-e', code], {
    encoding: 'utf8', env: {...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2'},
    timeout: 120000,
  });
  const out = (r.stdout || '').trim().split('\n').pop() || '';
  if (r.status === 0) {
    try {
      const j = JSON.parse(out);
      if (j.backend === 'tensorflow' && j.ok) return {ok: true, backend: j.backend, tfVersion: j.v};
      return {ok: false, message: `tfjs-node loaded but backend='${j.backend}', matMul gave ${JSON.stringify(j.c)}`};
    } catch { /* fallthrough */ }
  }
  const msg = loaderMessage(r.stderr || '') || (r.error ? r.error.message : `exit ${r.status}, signal ${r.signal}`);
  return {ok: false, message: msg};
}

/** The interesting part of a failed require: the Error line (dlopen message etc.). */
function loaderMessage(stderr: string): string {
  const lines = stderr.split('\n');
  const i = lines.findIndex((l) => /^\w*Error\b|Error:/.test(l));
  return (i >= 0 ? lines.slice(i, i + 4) : lines.slice(-6)).join('\n').trim();
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

function tail(s: string, n = 40): string {
  return s.trim().split('\n').slice(-n).join('\n');
}

interface RunResult { code: number; output: string; stdout: string; }

function run(cmd: string, args: string[],
             opts: {cwd: string, env?: NodeJS.ProcessEnv, captureStdoutSeparately?: boolean,
                    onStderr?: (line: string) => void}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']});
    let output = '';
    let stdout = '';
    let errBuf = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
      if (opts.onStderr) {
        errBuf += d.toString();
        const parts = errBuf.split('\n');
        errBuf = parts.pop()!;
        parts.filter((l) => l.trim()).forEach(opts.onStderr);
      }
    });
    child.on('error', (e) => reject(new SetupNodeError(`cannot run '${cmd}': ${e.message}`)));
    child.on('close', (code) => resolve({code: code ?? 1, output, stdout}));
  });
}
