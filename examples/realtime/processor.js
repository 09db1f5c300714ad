// The AudioWorklet processor of the realtime example: the converted GRU model run one
// frame per render quantum, on tfjs-gru/stream (no tfjs) and the wasm kernel compiled here,
// synchronously, from the bytes the page handed over in processorOptions.
// A frame is D features of the quantum's input (the first D samples); the model's output
// frame goes back to the page with the frame itself, so the page can check both against the
// tfjs model run over the whole sequence. Audio passes through unchanged.
import {createGruStreamSync} from '/dist/browser/tfjs-gru-stream.esm.js';

const now = () => (globalThis.performance ? globalThis.performance.now() : Date.now());

class GruStreamProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const {modelJson, weights, wasm, frames} = options.processorOptions;
    this.stream = createGruStreamSync({modelJson, weights}, {wasm});
    this.frames = frames;
    this.inputs = new Float32Array(frames * this.stream.inputSize);
    this.outputs = new Float32Array(frames * this.stream.outputSize);
    this.frame = new Float32Array(this.stream.inputSize);
    this.done = 0;
    this.port.postMessage({type: 'ready', inputSize: this.stream.inputSize, outputSize: this.stream.outputSize,
                           clock: globalThis.performance ? 'performance.now' : 'Date.now'});
  }

  /**
   * µs per step: the recorded frames replayed 50 times from a reset and timed as a whole
   * (a worklet's clock is too coarse for one step of a small model), then reset again.
   */
  timeSteps() {
    const D = this.stream.inputSize, reps = 50;
    const views = Array.from({length: this.frames}, (_, t) => this.inputs.subarray(t * D, (t + 1) * D));
    const t0 = now();
    for (let r = 0; r < reps; r++) {
      this.stream.reset();
      for (let t = 0; t < this.frames; t++) this.stream.step(views[t]);
    }
    const us = 1000 * (now() - t0) / (reps * this.frames);
    this.stream.reset();
    return us;
  }

  process(inputs, outputs) {
    const input = inputs[0] && inputs[0][0];
    if (input && this.done < this.frames) {
      const D = this.stream.inputSize, O = this.stream.outputSize;
      for (let j = 0; j < D; j++) this.frame[j] = input[j];
      const y = this.stream.step(this.frame);
      this.inputs.set(this.frame, this.done * D);
      this.outputs.set(y, this.done * O);
      if (++this.done === this.frames) {
        this.port.postMessage({type: 'done', frames: this.done, inputs: this.inputs, outputs: this.outputs,
                               usPerFrame: this.timeSteps(), clock: globalThis.performance ? 'performance.now' : 'Date.now'});
      }
    }
    if (input && outputs[0] && outputs[0][0]) outputs[0][0].set(input);
    return true;
  }
}

registerProcessor('gru-stream', GruStreamProcessor);
