// The in-browser checks of test/browser/run.js, on the backend named by
// ?backend=cpu|wasm|webgl: the bundled package root (dist/browser/tfjs-gru.esm.js)
// against real TensorFlow's fixtures (in-page verify), a tf.sequential model
// trained a few steps and saved to IndexedDB and localStorage, tensor leaks,
// and which GRU kernel runs. Results go to window.__suite for the runner.
import * as g from '/dist/browser/tfjs-gru.esm.js';

import {seeded as seededWith} from './seeded.js';

const {tf} = g;
const seeded = (shape, seed) => seededWith(tf, shape, seed);
const params = new URLSearchParams(location.search);
const backend = params.get('backend');
// ?f16=1 (webgl): half-float textures, as on GPUs without float32 render targets; verify is only measured then.
const f16 = params.get('f16') === '1';
const results = [];
const log = document.getElementById('log');

function check(name, pass, detail = '') {
  results.push({name: `${backend}: ${name}`, pass: !!pass, detail: String(detail)});
}

async function attempt(name, body) {
  try {
    await body();
  } catch (e) {
    check(name, false, `threw ${e && e.stack || e}`);
  }
}

async function run() {
  if (f16) tf.env().set('WEBGL_FORCE_F16_TEXTURES', true);
  const info = await g.selectBackend(backend, {wasmPaths: '/dist/browser/'});
  check('selectBackend activates it', info.name === backend && tf.getBackend() === backend, JSON.stringify(info));
  const kernel = g.sequenceKernelFor(backend);
  const kernelInfo = {gruKernel: g.backendInfo().gruKernel, registry: kernel ? kernel.name : null};
  if (backend === 'wasm' || backend === 'cpu') {
    check('the SIMD wasm GRU kernel serves GRUs here (registry and backendInfo)',
          kernel !== null && kernel.name === 'wasm-simd' && /wasm-simd whole-sequence kernel/.test(kernelInfo.gruKernel) &&
          g.wasmKernelIfLoaded() !== null, JSON.stringify(kernelInfo));
  } else {
    check('GRUs run on tfjs ops here (no whole-sequence kernel on webgl)', kernel === null && /tfjs ops/.test(kernelInfo.gruKernel),
          JSON.stringify(kernelInfo));
  }
  if (backend === 'webgl') {
    const gl = tf.backend().gpgpu && tf.backend().gpgpu.gl;
    const dbg = gl && gl.getExtension('WEBGL_debug_renderer_info');
    kernelInfo.renderer = gl ? gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER) : '?';
    kernelInfo.webglVersion = tf.env().getNumber('WEBGL_VERSION');
    kernelInfo.floatPrecision = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 'float32 render targets' : 'float16 render targets';
  }

  // 1. verify in the page: every fixture case, fetched as bytes.
  let verifyReport = null;
  await attempt('verify on the fixtures', async () => {
    const source = await g.fetchFixtures('/fixtures/');
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    verifyReport = g.verifyFixtures(source);
    const ms = performance.now() - t0;
    const leaked = tf.memory().numTensors - before;
    const rows = verifyReport.results;
    const failedRows = rows.filter((r) => !r.pass);
    if (f16) {
      check('verify with half-float textures ran (measured, not judged)', rows.length > 0, `${failedRows.length} of ${rows.length} rows over tolerance`);
      verifyReport.ms = ms;
      return;
    }
    check('verify: every row within tolerance (outputs 1e-5, gradients 1e-4)', verifyReport.pass,
          failedRows.slice(0, 8).map((r) => `${r.case} ${r.implementation} ${r.quantity}: ${r.maxAbsError ?? r.reason}`).join('; '));
    check('verify ran on this backend', verifyReport.backend === backend, verifyReport.backend);
    check('verify leaks no tensor', leaked === 0, `${leaked} tensors`);
    const has = (impl, pattern) => rows.some((r) => r.implementation === impl && pattern.test(r.case) && r.quantity.startsWith('grad'));
    check('verify covers TF1GRU with gradients', has('TF1GRU', /^tf1\//));
    check('verify covers KerasGRU resetAfter false and true, with gradients', has('KerasGRU', /_ra0_/) && has('KerasGRU', /_ra1_/));
    verifyReport.ms = ms;
  });

  if (f16) {
    window.__suite = {done: true, backend, results, info, kernelInfo, verify: verifyReport && {
      pass: verifyReport.pass, ms: verifyReport.ms, summary: g.summarize(verifyReport.results), rows: verifyReport.results,
    }};
    return;
  }

  // 2. a tf.sequential model with both layers, trained, saved, loaded back identical.
  await attempt('train, save, load', async () => {
    const before = tf.memory().numTensors;
    const x = seeded([8, 5, 3], 1);
    const y = seeded([8, 2], 2);
    const model = tf.sequential({layers: [
      g.gru({units: 4, resetAfter: true, returnSequences: true, inputShape: [5, 3], recurrentActivation: 'sigmoid'}),
      g.tf1Gru({units: 3}),
      tf.layers.dense({units: 2}),
    ]});
    // Seeded weights and a small step: the loss curve is then the same on every run
    // (random initial weights with adam(0.05) once overshot after the first epoch).
    const initial = model.getWeights().map((w, i) => seeded(w.shape, 100 + i));
    model.setWeights(initial);
    tf.dispose(initial);
    model.compile({optimizer: tf.train.adam(0.01), loss: 'meanSquaredError'});
    const h = await model.fit(x, y, {epochs: 8, batchSize: 8, shuffle: false, verbose: 0});
    const losses = h.history.loss;
    check('training lowers the loss at every epoch', losses.every(Number.isFinite) && losses.every((l, i) => i === 0 || l < losses[i - 1]), losses.map((l) => l.toFixed(5)).join(' → '));
    const want = model.predict(x);
    const wantData = await want.data();
    for (const url of ['indexeddb://tfjs-gru-browser-suite', 'localstorage://tfjs-gru-browser-suite']) {
      await model.save(url);
      const loaded = await tf.loadLayersModel(url);
      const classes = loaded.layers.map((l) => l.getClassName()).join(',');
      const got = loaded.predict(x);
      const gotData = await got.data();
      let maxDiff = 0;
      for (let i = 0; i < wantData.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wantData[i] - gotData[i]));
      const sameWeights = model.getWeights().every((w, i) => {
        const a = w.dataSync(); const b = loaded.getWeights()[i].dataSync();
        return a.length === b.length && a.every((v, j) => Object.is(v, b[j]));
      });
      check(`${url.split(':')[0]}: loaded back identical (weights bit for bit, predictions equal)`,
            sameWeights && maxDiff === 0 && classes === 'KerasGRU,TF1GRU,Dense', `layers ${classes}, max |diff| ${maxDiff}`);
      tf.dispose(got);
      loaded.dispose();
      await tf.io.removeModel(url);
    }
    tf.dispose([x, y, want]);
    model.optimizer.dispose();
    model.dispose();
    const leaked = tf.memory().numTensors - before;
    check('training, saving and loading leak no tensor', leaked === 0, `${leaked} tensors`);
  });

  // 4. A whole ONNX model (NSNet2, from the pinned wheel's cache) converted in the page and run as a GraphModel.
  await attempt('ONNX: NSNet2 converted whole in the page equals onnxruntime', async () => {
    const dir = '/fixtures/onnx_models/nsnet2_20ms_baseline/';
    const meta = await (await fetch(`${dir}meta.json`)).json();
    const bytes = new Uint8Array(await (await fetch(`/${meta.cachePath}`)).arrayBuffer());
    const npy = async (file) => {
      const a = g.parseNpy(new Uint8Array(await (await fetch(dir + file)).arrayBuffer()), file);
      return tf.tensor(a.data, a.shape, a.dtype);
    };
    const conv = await g.onnxToGraphModel(g.readOnnxModel(bytes, meta.cachePath));
    const model = await tf.loadGraphModel(tf.io.fromMemory(conv.artifacts));
    const x = await npy(meta.inputs[0].file);
    const ref = await npy(meta.outputs[0].file);
    const before = tf.memory().numTensors;
    const out = g.runOnnxGraph(model, {[meta.inputs[0].name]: x})[meta.outputs[0].name];
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(out, ref))).dataSync()[0]);
    const tol = 1e-4 * Math.max(1, tf.tidy(() => tf.max(tf.abs(ref)).dataSync()[0]));
    out.dispose();
    check('ONNX: NSNet2 converted whole in the page (tf.loadGraphModel) equals onnxruntime within 1e-4',
          err <= tol && tf.memory().numTensors === before, `max |error| ${err}, ${tf.memory().numTensors - before} tensors left`);
    tf.dispose([x, ref]);
    model.dispose();
  });

  window.__suite = {done: true, backend, results, info, kernelInfo, verify: verifyReport && {
    pass: verifyReport.pass, ms: verifyReport.ms, summary: g.summarize(verifyReport.results), rows: verifyReport.results,
  }};
}

run().catch((e) => {
  check('suite', false, `threw ${e && e.stack || e}`);
  window.__suite = {done: true, backend, results};
}).finally(() => {
  log.textContent = results.map((r) => `${r.pass ? 'ok  ' : 'FAIL'} ${r.name} ${r.detail}`).join('\n');
});
