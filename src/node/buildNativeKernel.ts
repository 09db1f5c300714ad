/**
 * Builds the native GRU kernel addon (tools/build-native.sh: native/gru_kernel.c
 * with OpenBLAS) and checks in a child process that it loads and computes a
 * GRU step. Part of `tfjs-gru setup-node`. Node-only.
 */
import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import {NATIVE_ADDON_PATH} from './nativeKernel';

/**
 * The outcome of building and checking the native GRU kernel addon.
 * @category Backends and kernels
 */
export interface NativeKernelBuild {
  /** True when the addon is built and passed the check. */
  ok: boolean;
  /** The addon's path. */
  path: string;
  /** Why not, when !ok (what is missing and how to get it). */
  why: string;
}

/** One GRU step with U = D = 1 and known numbers, checked against the formula in the child. */
const CHECK = `
  const a = require(process.argv[1]);
  const dims = Int32Array.from([1, 1, 1, 1, 0, 0, 1, 0]);
  const f = (v) => Float32Array.from(v);
  const [y, hT] = a.forward(dims, f([0.5]), f([0.1, 0.2, 0.3]), f([0.4, 0.5, 0.6]), f([0.01, 0.02, 0.03]), null,
                            f([0.7]), null, false, null);
  const s = (v) => 1 / (1 + Math.exp(-v));
  const r = s(0.5 * 0.1 + 0.01 + 0.7 * 0.4), z = s(0.5 * 0.2 + 0.02 + 0.7 * 0.5);
  const c = Math.tanh(0.5 * 0.3 + 0.03 + r * 0.7 * 0.6);
  const want = z * 0.7 + (1 - z) * c;
  const ok = Math.abs(y[0] - want) < 1e-6 && Math.abs(hT[0] - want) < 1e-6;
  process.stdout.write(JSON.stringify({ok, got: y[0], want}) + '\\n');`;

export function buildNativeKernel(root: string, log: (line: string) => void): NativeKernelBuild {
  const script = path.join(root, 'tools', 'build-native.sh');
  log(`building the native GRU kernel (${path.relative(root, script)})`);
  const b = spawnSync('bash', [script], {encoding: 'utf8', timeout: 300000});
  if (b.status !== 0) {
    const why = (b.stderr || b.stdout || String(b.error ?? '')).trim().split('\n').slice(-5).join('\n');
    return {ok: false, path: NATIVE_ADDON_PATH, why: `build failed: ${why}`};
  }
  if (!fs.existsSync(NATIVE_ADDON_PATH)) {
    return {ok: false, path: NATIVE_ADDON_PATH, why: `build-native.sh succeeded but ${NATIVE_ADDON_PATH} is missing`};
  }
  const c = spawnSync(process.execPath, ['-e', CHECK, NATIVE_ADDON_PATH], {encoding: 'utf8', timeout: 60000});
  const line = (c.stdout || '').trim().split('\n').pop() ?? '';
  try {
    const r = JSON.parse(line) as {ok: boolean, got: number, want: number};
    if (r.ok) return {ok: true, path: NATIVE_ADDON_PATH, why: ''};
    return {ok: false, path: NATIVE_ADDON_PATH, why: `check failed: one GRU step gave ${r.got}, expected ${r.want}`};
  } catch {
    // Node prints the failing source line first; the error's own line names the fault.
    const lines = (c.stderr || String(c.error ?? '')).trim().split('\n');
    const fault = lines.find((l) => /^\w*Error\b/.test(l)) ?? lines[0];
    return {ok: false, path: NATIVE_ADDON_PATH, why: `the addon does not load or run: ${fault}`};
  }
}
