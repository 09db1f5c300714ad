/**
 * What each peer needs, found or installed here (and said clearly when it cannot be had):
 *  - the bench-only npm install bench/peers/node_modules (onnxruntime-node, onnxruntime-web: exact pins in
 *    bench/peers/package-lock.json), made by `npm ci` with ONNXRUNTIME_NODE_INSTALL=skip and no install scripts;
 *  - the project's Python venv (tools/venv.sh: tensorflow, tf_keras, numpy);
 *  - PyTorch from Debian's python3-torch for /usr/bin/python3, and OpenBLAS's libblas.so.3 to LD_PRELOAD into it.
 */
import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..');
export const PEERS_DIR = __dirname;
const TORCH_DEB = 'python3-torch=1.13.1+dfsg-4';
const OPENBLAS_DEB = 'libopenblas0-pthread';

export type Log = (line: string) => void;

export interface Ready {
  ok: boolean;
  /** Why not, when !ok; what was used, when ok. */
  detail: string;
}

function tail(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

function lockedVersion(name: string): string | undefined {
  try {
    const lock = JSON.parse(fs.readFileSync(path.join(PEERS_DIR, 'package-lock.json'), 'utf8'));
    return lock.packages?.[`node_modules/${name}`]?.version;
  } catch {
    return undefined;
  }
}

function installedVersion(name: string): string | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(PEERS_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

let npmPeers: Ready | undefined;

/** onnxruntime-node and onnxruntime-web at the versions of bench/peers/package-lock.json, installed if missing. */
export function ensureNpmPeers(log: Log, install: boolean): Ready {
  if (npmPeers) return npmPeers;
  const names = ['onnxruntime-node', 'onnxruntime-web'];
  const current = () => names.every((n) => installedVersion(n) !== undefined && installedVersion(n) === lockedVersion(n));
  if (!current()) {
    if (!install) {
      return npmPeers = {ok: false, detail: `bench/peers/node_modules is missing or stale and --no-install was given ` +
                                           `(run: ONNXRUNTIME_NODE_INSTALL=skip npm ci --prefix bench/peers --ignore-scripts)`};
    }
    log('bench: installing the bench-only npm peers (npm ci --prefix bench/peers; onnxruntime-node CPU build only)');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['ci', '--prefix', PEERS_DIR, '--ignore-scripts', '--no-audit', '--no-fund'], {
      encoding: 'utf8',
      env: {...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip'},
    });
    if (r.status !== 0 || !current()) {
      return npmPeers = {ok: false, detail: `npm ci --prefix bench/peers failed (${r.error?.message ?? `exit ${r.status}`}): ` +
                                           tail(r.stderr || r.stdout || '')};
    }
  }
  return npmPeers = {ok: true, detail: names.map((n) => `${n} ${installedVersion(n)}`).join(', ')};
}

let venv: Ready | undefined;

/** The project venv's python (tools/venv.sh creates it from the pinned lock if needed; TFJS_GRU_VENV overrides). */
export function ensureVenvPython(log: Log, install: boolean): Ready {
  if (venv) return venv;
  const dir = process.env.TFJS_GRU_VENV || path.join(REPO, '.venv');
  const python = path.join(dir, 'bin', 'python');
  if (!install) {
    return venv = fs.existsSync(python) ? {ok: true, detail: python} :
                                          {ok: false, detail: `${python} missing and --no-install was given (run bash tools/venv.sh)`};
  }
  if (!fs.existsSync(python)) log('bench: creating the Python venv (bash tools/venv.sh, a few minutes)');
  const r = spawnSync('bash', [path.join(REPO, 'tools', 'venv.sh')], {encoding: 'utf8', env: process.env});
  const printed = (r.stdout || '').trim().split('\n').pop() || '';
  if (r.status !== 0 || !fs.existsSync(printed)) {
    return venv = {ok: false, detail: `tools/venv.sh failed (${r.error?.message ?? `exit ${r.status}`}): ${tail(r.stderr || '')}`};
  }
  return venv = {ok: true, detail: printed};
}

function canImport(python: string, mod: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return spawnSync(python, ['-c', `import ${mod}`], {encoding: 'utf8', env}).status === 0;
}

function aptInstall(pkg: string, log: Log): string | undefined {
  const root = process.getuid?.() === 0;
  const cmd = root ? 'apt-get' : 'sudo';
  const args = [...(root ? [] : ['-n', 'apt-get']), 'install', '-y', '-q', '--no-install-recommends', pkg];
  log(`bench: ${root ? '' : 'sudo '}apt-get install ${pkg}`);
  const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'};
  let r = spawnSync(cmd, args, {encoding: 'utf8', env});
  if (r.status !== 0) {
    spawnSync(cmd, [...(root ? [] : ['-n', 'apt-get']), 'update', '-q'], {encoding: 'utf8', env});
    r = spawnSync(cmd, args, {encoding: 'utf8', env});
  }
  return r.status === 0 ? undefined : `apt-get install ${pkg} failed (${r.error?.message ?? `exit ${r.status}`}): ${tail(r.stderr || '')}`;
}

/** OpenBLAS's libblas.so.3 (Debian libopenblas0-pthread), to LD_PRELOAD into Debian's PyTorch. */
function openBlasLibblas(): string | undefined {
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib']) {
    for (const flavour of ['openblas-pthread', 'openblas-openmp', 'openblas-serial']) {
      const p = path.join(dir, flavour, 'libblas.so.3');
      if (fs.existsSync(p)) return p;
    }
  }
  return undefined;
}

export interface TorchReady extends Ready {
  python?: string;
  ldPreload?: string;
}

let torch: TorchReady | undefined;

/** Debian's python3-torch under /usr/bin/python3 (TFJS_GRU_TORCH_PYTHON overrides), with OpenBLAS to preload. */
export function ensureTorch(log: Log, install: boolean): TorchReady {
  if (torch) return torch;
  const python = process.env.TFJS_GRU_TORCH_PYTHON || '/usr/bin/python3';
  if (!fs.existsSync(python)) return torch = {ok: false, detail: `${python} not found (set TFJS_GRU_TORCH_PYTHON)`};
  let blas = openBlasLibblas();
  if (!blas && install && process.platform === 'linux') {
    const err = aptInstall(OPENBLAS_DEB, log);
    if (err) return torch = {ok: false, detail: `OpenBLAS for PyTorch: ${err}`};
    blas = openBlasLibblas();
  }
  if (!blas) {
    return torch = {ok: false, detail: `no OpenBLAS libblas.so.3 (Debian ${OPENBLAS_DEB}); PyTorch would run on the ` +
                                       `reference BLAS, ~30x slower, so it is not benchmarked`};
  }
  const env = {...process.env, LD_PRELOAD: blas};
  if (!canImport(python, 'torch', env)) {
    if (!install) return torch = {ok: false, detail: `${python} cannot import torch (apt-get install ${TORCH_DEB})`};
    const err = aptInstall(TORCH_DEB, log);
    if (err) return torch = {ok: false, detail: err};
    if (!canImport(python, 'torch', env)) return torch = {ok: false, detail: `${python} still cannot import torch after installing ${TORCH_DEB}`};
  }
  return torch = {ok: true, detail: `${python} with LD_PRELOAD=${blas}`, python, ldPreload: blas};
}

/** ts-node's transpile-only register hook, to run the TypeScript workers. */
export function tsNodeRegister(): Ready {
  try {
    return {ok: true, detail: require.resolve('ts-node/register/transpile-only')};
  } catch (e) {
    return {ok: false, detail: `ts-node not found (npm ci in the project root): ${(e as Error).message.split('\n')[0]}`};
  }
}
