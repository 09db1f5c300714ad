// Builds dist/ from the test itself when it is missing or older than src/, so
// `npm test` passes on a fresh clone with nothing run before it (issue 21).
// The build is `npm run build:ts` (CommonJS + ESM + declarations) and
// `npm run build:browser` (the esbuild bundles); the wasm module is the
// committed embedded one, so no C toolchain is needed.
import {execFileSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const OUTPUTS = ['dist/index.js', 'dist/esm/index.js', 'dist/node/index.js', 'dist/browser/tfjs-gru.esm.js', 'dist/gru_kernel.wasm'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Why dist/ must be (re)built, or null when it is current. */
export function staleBuildReason(): string | null {
  const missing = OUTPUTS.filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length) return `${missing.join(', ')} missing`;
  const built = Math.min(...OUTPUTS.map((f) => fs.statSync(path.join(ROOT, f)).mtimeMs));
  const sources = Math.max(newestMtime(path.join(ROOT, 'src')), fs.statSync(path.join(ROOT, 'package.json')).mtimeMs);
  return sources > built ? 'src/ is newer than dist/' : null;
}

/** Runs the TypeScript and browser builds when dist/ is missing or stale. */
export function ensureBuilt(): void {
  const reason = staleBuildReason();
  if (reason == null) return;
  // eslint-disable-next-line no-console
  console.log(`building dist/ for the package tests (${reason})`);
  for (const script of ['build:ts', 'build:browser']) {
    execFileSync('npm', ['run', '-s', script], {cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit']});
  }
}
