// The Web Worker variant of the realtime example: the same stream, in a module worker,
// over frames the page sends; it answers with the outputs and the mean time of a step.
import {createGruStreamSync} from '/dist/browser/tfjs-gru-stream.esm.js';

onmessage = (e) => {
  try {
    const {modelJson, weights, wasm, inputs} = e.data;
    const stream = createGruStreamSync({modelJson, weights}, {wasm});
    const D = stream.inputSize, O = stream.outputSize, frames = inputs.length / D;
    const outputs = new Float32Array(frames * O);
    const views = Array.from({length: frames}, (_, t) => inputs.subarray(t * D, (t + 1) * D));
    for (let t = 0; t < frames; t++) outputs.set(stream.step(views[t]), t * O);
    // µs per step: all frames replayed 50 times from a reset, timed as a whole (the clock is coarse here too).
    const reps = 50, t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      stream.reset();
      for (let t = 0; t < frames; t++) stream.step(views[t]);
    }
    postMessage({frames, outputs, usPerFrame: 1000 * (performance.now() - t0) / (reps * frames)});
  } catch (err) {
    postMessage({error: String(err && err.message || err)});
  }
};
