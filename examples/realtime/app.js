// The realtime example's page: fetches the model's files and the kernel's bytes, runs the
// worklet over a generated signal (an OfflineAudioContext renders it as fast as it can) and
// the worker over the same frames, then checks both against tf's predict of the whole sequence.
import {tf} from '/dist/browser/tfjs-gru.esm.js';

const MODEL = '../browser/model/model.json';
const FRAMES = 200;
const TOLERANCE = 1e-5;
const state = {done: false};
window.__realtime = state;
const $ = (id) => document.getElementById(id);

async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

async function modelFiles() {
  const modelJson = JSON.parse(new TextDecoder().decode(await fetchBytes(MODEL)));
  const weights = {};
  for (const p of modelJson.weightsManifest.flatMap((g) => g.paths)) weights[p] = await fetchBytes(new URL(p, new URL(MODEL, location.href)).href);
  return {modelJson, weights};
}

/** The worklet over a 440 Hz tone plus a slow sweep, FRAMES render quanta of 128 samples. */
async function runWorklet(files, wasm) {
  const ctx = new OfflineAudioContext(1, 128 * (FRAMES + 2), 16000);
  await ctx.audioWorklet.addModule('./processor.js');
  const node = new AudioWorkletNode(ctx, 'gru-stream', {processorOptions: {...files, wasm, frames: FRAMES}});
  const result = new Promise((resolve, reject) => {
    node.port.onmessage = (e) => { if (e.data.type === 'done') resolve(e.data); };
    node.onprocessorerror = (e) => reject(new Error(`the worklet failed: ${e.message || 'processorerror'}`));
  });
  const tone = new OscillatorNode(ctx, {frequency: 440});
  const sweep = new OscillatorNode(ctx, {type: 'sawtooth', frequency: 3});
  const mix = new GainNode(ctx, {gain: 0.5});
  tone.connect(mix); sweep.connect(mix); mix.connect(node); node.connect(ctx.destination);
  tone.start(); sweep.start();
  await ctx.startRendering();
  return result;
}

function runWorker(files, wasm, inputs) {
  return new Promise((resolve, reject) => {
    const w = new Worker('./worker.js', {type: 'module'});
    w.onmessage = (e) => { w.terminate(); e.data.error ? reject(new Error(e.data.error)) : resolve(e.data); };
    w.onerror = (e) => { w.terminate(); reject(new Error(`the worker failed: ${e.message}`)); };
    w.postMessage({...files, wasm, inputs});
  });
}

/** max |outputs − predict| over every frame, the model run by tfjs over the whole sequence of `inputs`. */
async function check(inputs, outputs, D) {
  const model = await tf.loadLayersModel(MODEL);
  const y = model.predict(tf.tensor3d(inputs, [1, inputs.length / D, D]));
  const want = await y.data();
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(want[i] - outputs[i]));
  if (want.length !== outputs.length) err = Infinity;
  model.dispose();
  return err;
}

function row(where, frames, perFrame, err) {
  const ok = err <= TOLERANCE;
  $('results').insertAdjacentHTML('beforeend', `<tr><td>${where}</td><td class="num">${frames}</td><td class="num">${perFrame}</td>` +
      `<td class="num">${err.toExponential(2)}</td><td class="${ok ? 'pass' : 'fail'}">${ok ? 'pass' : 'FAIL'}</td></tr>`);
}

async function main() {
  await tf.setBackend('cpu');
  const files = await modelFiles();
  const wasm = await fetchBytes('/dist/browser/gru_kernel.wasm');
  const D = files.modelJson.modelTopology.config.layers[0].config.batch_input_shape[2];
  $('status').textContent = 'running the worklet…';
  const wl = await runWorklet(files, wasm.slice(0));
  state.worklet = {frames: wl.frames, usPerFrame: wl.usPerFrame, maxError: await check(wl.inputs, wl.outputs, D)};
  row('AudioWorklet', wl.frames, `${state.worklet.usPerFrame.toFixed(2)} µs`, state.worklet.maxError);
  $('status').textContent = 'running the worker…';
  const wk = await runWorker(files, wasm.slice(0), wl.inputs);
  state.worker = {frames: wk.frames, usPerFrame: wk.usPerFrame, maxError: await check(wl.inputs, wk.outputs, D)};
  row('Web Worker', wk.frames, `${state.worker.usPerFrame.toFixed(2)} µs`, state.worker.maxError);
  state.signal = Math.max(...wl.inputs.map(Math.abs));
  $('status').textContent = `done: ${FRAMES} frames of ${D} features (signal peak ${state.signal.toFixed(2)}); ` +
      `per frame: the mean of 50 replays of all frames (clock in the worklet: ${wl.clock ?? '?'}).`;
}

main().catch((e) => {
  state.error = String(e && e.stack || e);
  $('status').innerHTML = `<span class="fail">${state.error}</span>`;
}).finally(() => { state.done = true; });
