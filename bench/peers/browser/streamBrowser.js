#!/usr/bin/env node
// npm run bench:stream-browser [-- --runs 9]: the streaming rows in headless Chromium (Debian's /usr/bin/chromium,
// env CHROMIUM): tfjs-gru/stream against onnxruntime-web on the model of bench/peers/streamSpec.ts, in one page,
// passes alternating (streamPage.ts). The page is not cross-origin isolated, so onnxruntime-web runs one thread,
// as our kernel does. Needs the bench's onnxruntime install (npm run bench installs it) and the browser build
// (npm run build:browser, for dist/browser/gru_kernel.wasm). Prints JSON.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const ROOT = path.join(__dirname, '..', '..', '..');
const {startStaticServer} = require(path.join(ROOT, 'tools', 'static-server.js'));

// streamSpec's seeded data comes from data.ts, which also writes .npy files with fs: not reached in the page.
const noNode = {name: 'no-node', setup(b) {
  b.onResolve({filter: /^(fs|path)$/}, (a) => ({path: a.path, namespace: 'no-node'}));
  b.onLoad({filter: /.*/, namespace: 'no-node'}, () => ({contents: 'module.exports = {}'}));
}};

async function main() {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 9;
  const ortDir = path.join(ROOT, 'bench', 'peers', 'node_modules', 'onnxruntime-web', 'dist');
  for (const need of [path.join(ortDir, 'ort.min.js'), path.join(ROOT, 'dist', 'browser', 'gru_kernel.wasm')]) {
    if (!fs.existsSync(need)) throw new Error(`${need} missing: run npm run bench once (onnxruntime) and npm run build:browser`);
  }
  const out = fs.mkdtempSync(path.join(ROOT, 'bench', 'peers', 'browser', '.page-'));
  try {
    await esbuild.build({entryPoints: [path.join(__dirname, 'streamPage.ts')], bundle: true, platform: 'browser', format: 'iife',
                         outfile: path.join(out, 'page.js'), plugins: [noNode], logLevel: 'warning'});
    fs.writeFileSync(path.join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">' +
        '<script src="/bench/peers/node_modules/onnxruntime-web/dist/ort.min.js"></script><script src="./page.js"></script>');
    const server = await startStaticServer(ROOT);
    const {chromium} = require('playwright-core');
    const browser = await chromium.launch({executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
                                           args: ['--headless=new', '--no-sandbox']});
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}${path.relative(ROOT, out).split(path.sep).join('/')}/index.html`);
      const result = await page.evaluate((n) => window.runStreamBench(n), runs);
      process.stdout.write(`${JSON.stringify({chromium: browser.version(), runs, ...result}, null, 1)}\n`);
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    fs.rmSync(out, {recursive: true, force: true});
  }
}

main().catch((e) => {
  process.stderr.write(`bench:stream-browser: ${e.stack || e}\n`);
  process.exitCode = 1;
});
