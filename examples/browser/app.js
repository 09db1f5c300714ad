// The browser example: the bundled package (dist/browser/tfjs-gru.esm.js; in
// your app: import {...} from 'tfjs-gru'), a model.json with two TF1GRU layers,
// run on the backend picked in the page, the in-page verify against the
// committed TensorFlow fixtures, and the weight-layout diagram of each GRU.
import {
  explainModelJson, fetchFixtures, parseNpy, renderExplanationSvg, selectBackend, summarize, tf, verifyFixtures,
} from '/dist/browser/tfjs-gru.esm.js';

const MODEL = './model/model.json';
const REFERENCE = '/fixtures/checkpoints/tf1_multi_dense/';
const $ = (id) => document.getElementById(id);
const state = {done: false};
window.__example = state;

const fmt = (x) => x == null ? '-' : x === 0 ? '0' : x.toExponential(2);
const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;'})[c]);

async function bytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function npy(url) {
  const a = parseNpy(await bytes(url), url);
  return tf.tensor(a.data, a.shape, a.dtype);
}

async function runModel() {
  const model = await tf.loadLayersModel(MODEL);
  const x = await npy(`${REFERENCE}x.npy`);
  const logits = await npy(`${REFERENCE}logits.npy`);
  const y = model.predict(x);
  const maxError = tf.tidy(() => tf.max(tf.abs(tf.sub(y, logits))).dataSync()[0]);
  state.maxError = maxError;
  const layers = model.layers.map((l) => `${l.getClassName()} ${JSON.stringify(l.outputShape)}`).join(' → ');
  $('model').innerHTML = `<div>${esc(layers)}</div><div>x ${JSON.stringify(x.shape)} → y ${JSON.stringify(y.shape)}; ` +
      `max |y − TensorFlow's logits| = <b>${fmt(maxError)}</b> ` +
      `<span class="${maxError <= 1e-5 ? 'pass' : 'fail'}">${maxError <= 1e-5 ? 'pass' : 'FAIL'}</span> (tolerance 1e-5)</div>`;
  tf.dispose([x, logits, y]);
  model.dispose();
}

async function drawDiagrams() {
  const modelJson = JSON.parse(new TextDecoder().decode(await bytes(MODEL)));
  const weights = await bytes(new URL(modelJson.weightsManifest[0].paths[0], new URL(MODEL, location.href)).href);
  const explained = explainModelJson(modelJson, weights.buffer);
  $('diagrams').innerHTML = explained.grus.map((e) => `<div>${renderExplanationSvg(e)}</div>`).join('\n');
  state.diagrams = explained.grus.length;
}

async function runVerify() {
  const source = await fetchFixtures('/fixtures/');
  const t0 = performance.now();
  const report = verifyFixtures(source);
  const seconds = (performance.now() - t0) / 1000;
  const rows = summarize(report.results).map((s) => `<tr><td>${esc(s.implementation)}</td><td class="num">${s.cases}</td>` +
      `<td class="num">${fmt(s.worstOutput && s.worstOutput.maxAbsError)}</td>` +
      `<td class="num">${fmt(s.worstGradient && s.worstGradient.maxAbsError)}</td>` +
      `<td class="${s.failed ? 'fail' : 'pass'}">${s.failed ? `${s.failed} failed` : 'pass'}</td></tr>`);
  $('verify').className = '';
  $('verify').innerHTML = `<table><tr><th>implementation</th><th>cases</th><th>worst output error</th>` +
      `<th>worst gradient error</th><th>result</th></tr>${rows.join('')}</table>` +
      `<div class="muted">${report.results.length} quantities on '${esc(report.backend)}' in ${seconds.toFixed(1)} s; ` +
      `tolerances: outputs 1e-5, gradients 1e-4</div>`;
  state.verifyRows = report.results.length;
  state.verifyPass = report.pass;
}

async function main() {
  const wanted = new URLSearchParams(location.search).get('backend') || 'wasm';
  const picker = $('backend');
  picker.value = wanted;
  picker.onchange = () => { location.search = `?backend=${picker.value}`; };
  // The wasm backend's .wasm files sit next to the bundle.
  const info = await selectBackend(wanted, {wasmPaths: '/dist/browser/'});
  state.backend = info.name;
  $('status').textContent = `running on ${info.name}; GRU kernel: ${info.gruKernel}`;
  await runModel();
  await drawDiagrams();
  await runVerify();
}

main().catch((e) => {
  state.error = String(e && e.stack || e);
  $('status').innerHTML = `<span class="fail">${esc(e.message || e)}</span>`;
}).finally(() => { state.done = true; });
