#!/usr/bin/env node
// Bundles the package root for browsers with esbuild (platform=browser, no Node
// polyfills) into dist/browser/:
//   tfjs-gru.esm.js   ES module: import {gru, tf, selectBackend} from './tfjs-gru.esm.js'
//   tfjs-gru.js       script tag: the global `tfjsGru` (tfjsGru.tf is TensorFlow.js)
//   tfjs-backend-wasm*.wasm   the wasm backend's modules, found next to the bundle
//   tfjs-gru-stream.esm.js    the tfjs-free streaming entry (src/stream/index.ts) for an AudioWorklet or worker:
//                             no package inside (checked); with gru_kernel.wasm, the kernel's bytes it is handed
// Fails when anything in the bundle imports a Node built-in (fs, path, ...),
// other than the ones @tensorflow/tfjs-backend-wasm's package.json itself maps
// to nothing for browsers ("browser": {"fs": false, ...}), which never run there.
const fs = require('fs');
const path = require('path');
const {builtinModules} = require('module');
const esbuild = require('esbuild');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'browser');
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Node built-ins a bundle imports: [importer, module] pairs, from esbuild's metafile. */
function nodeImports(meta) {
  const found = [];
  for (const [file, input] of Object.entries(meta.inputs)) {
    for (const imp of input.imports) {
      const name = imp.original ?? imp.path;
      if (!builtins.has(name) && !builtins.has(String(name).split('/')[0])) continue;
      // '(disabled):' = replaced by an empty module through the importing package's "browser" map.
      if (String(imp.path).startsWith('(disabled):')) continue;
      found.push(`${file} imports '${name}'`);
    }
  }
  return found;
}

async function bundle() {
  fs.mkdirSync(OUT, {recursive: true});
  const common = {
    entryPoints: [path.join(__dirname, 'browser-bundle-entry.ts')],
    bundle: true,
    platform: 'browser',
    target: 'es2019',
    minify: true,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    // tfjs reads process.env.NODE_ENV-free code paths; define nothing Node-ish.
  };
  const esm = await esbuild.build({...common, format: 'esm', outfile: path.join(OUT, 'tfjs-gru.esm.js')});
  const iife = await esbuild.build({...common, format: 'iife', globalName: 'tfjsGru', outfile: path.join(OUT, 'tfjs-gru.js')});
  const problems = [...nodeImports(esm.metafile), ...nodeImports(iife.metafile)];
  if (problems.length) throw new Error(`the browser bundle imports Node built-ins:\n  ${problems.join('\n  ')}`);
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json', {paths: [ROOT]}));
  for (const f of fs.readdirSync(path.join(wasmDir, 'dist')).filter((n) => n.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(wasmDir, 'dist', f), path.join(OUT, f));
  }
  const size = (f) => `${(fs.statSync(path.join(OUT, f)).size / 1e6).toFixed(2)} MB`;
  console.log(`bundle-browser: dist/browser/tfjs-gru.esm.js ${size('tfjs-gru.esm.js')}, tfjs-gru.js ${size('tfjs-gru.js')}, ` +
              `${Object.keys(esm.metafile.inputs).length} modules, no Node built-ins`);
  const stream = await streamBundle();
  console.log(`bundle-browser: dist/browser/tfjs-gru-stream.esm.js ${stream.js} bytes, gru_kernel.wasm ${stream.wasm} bytes`);
  return esm.metafile;
}

/** The streaming entry alone, and the kernel's bytes (decoded from the committed embedded module). */
async function streamBundle() {
  const out = path.join(OUT, 'tfjs-gru-stream.esm.js');
  const r = await esbuild.build({entryPoints: [path.join(ROOT, 'src', 'stream', 'index.ts')], bundle: true, platform: 'browser',
    target: 'es2019', minify: true, metafile: true, legalComments: 'none', logLevel: 'warning', format: 'esm', outfile: out});
  const packages = Object.keys(r.metafile.inputs).filter((f) => f.includes('node_modules'));
  if (packages.length) throw new Error(`the stream bundle must hold no package, holds ${packages.join(', ')}`);
  const src = fs.readFileSync(path.join(ROOT, 'src', 'kernels', 'wasm', 'gruKernelWasm.generated.ts'), 'utf8');
  const at = src.indexOf('GRU_KERNEL_WASM_BASE64 =');
  if (at < 0) throw new Error('gruKernelWasm.generated.ts: no GRU_KERNEL_WASM_BASE64 found');
  const literal = src.slice(at, src.indexOf(';', at));
  const wasm = Buffer.from([...literal.matchAll(/'([A-Za-z0-9+/=]+)'/g)].map((m) => m[1]).join(''), 'base64');
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('gruKernelWasm.generated.ts: the decoded bytes are not a wasm module');
  fs.writeFileSync(path.join(OUT, 'gru_kernel.wasm'), wasm);
  // the package's `tfjs-gru/gru_kernel.wasm` export: the same committed bytes, so a build without
  // clang (npm test on a fresh clone) has it too; tools/build-wasm.sh writes the same file from source
  fs.writeFileSync(path.join(ROOT, 'dist', 'gru_kernel.wasm'), wasm);
  return {js: fs.statSync(out).size, wasm: wasm.length};
}

module.exports = {bundle, nodeImports};
if (require.main === module) bundle().catch((e) => { console.error(`bundle-browser: ${e.message}`); process.exit(1); });
