// test/browser/run.js serves this page with and without the COOP/COEP headers:
// the wasm GRU kernel must run on 2 threads (Web Workers on a shared memory)
// exactly when the page is cross-origin isolated, and compute what it computes
// on one thread (a tf1Gru layer's outputs and input gradients at batch 3, cut
// into batch parts, and at batch 1, its units shared per step). Results go to
// window.__threads for the runner.
import * as g from '/dist/browser/tfjs-gru.esm.js';

import {seeded as seededWith} from './seeded.js';

const {tf} = g;
const seeded = (shape, seed) => seededWith(tf, shape, seed);

async function run() {
  await g.selectBackend('cpu');  // the wasm kernel serves cpu too; no tfjs wasm files needed
  await g.loadWasmKernel();
  const layer = g.tf1Gru({units: 40, returnSequences: true});
  const xs = [seeded([3, 12, 10], 1), seeded([1, 12, 10], 2)];
  layer.apply(xs[0]);
  const loss = (x) => layer.apply(x).square().sum();
  const compute = () => xs.map((x) => ({
    y: layer.apply(x).dataSync(),
    dx: tf.grad(loss)(x).dataSync(),
  }));
  const threads = await g.setWasmKernelThreads(2, {splitEveryCall: true});
  const kernelName = g.sequenceKernelFor('cpu').name;
  const threaded = compute();
  await g.setWasmKernelThreads(1);
  const single = compute();
  let maxDiff = 0;
  threaded.forEach((t, i) => {
    for (const key of ['y', 'dx']) {
      t[key].forEach((v, j) => { maxDiff = Math.max(maxDiff, Math.abs(v - single[i][key][j])); });
    }
  });
  return {isolated: self.crossOriginIsolated === true, threads, kernelName,
          why: g.wasmKernelThreadsUnavailableReason(), maxDiff};
}

run().then((r) => {
  window.__threads = {...r, done: true};
  document.getElementById('log').textContent = JSON.stringify(r, null, 1);
}, (e) => {
  window.__threads = {error: String(e && e.stack || e), done: true};
  document.getElementById('log').textContent = String(e && e.stack || e);
});
