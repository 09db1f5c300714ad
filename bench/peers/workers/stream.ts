/**
 * Worker of the streaming rows (bench/peers/streamSpec.ts): one peer runs the model frame by frame.
 *   ours-stream            tfjs-gru/stream (no tfjs): the model's model.json + weights + the wasm kernel's bytes
 *   ours-layers@<backend>  our layers in a tfjs LayersModel, stateful (tfjs keeps the states), predict per frame
 *   ort-node, ort-web      onnxruntime, 3 GRU nodes + MatMul/Add/Sigmoid, the states passed in and out by the caller
 * Each timed pass runs all frames from zero states; a frame's time includes making its input and reading its output.
 */
import * as fs from 'fs';
import type * as TF from '@tensorflow/tfjs';

import {STREAM, StreamData, streamData, StreamJob, streamModelFiles, StreamResult} from '../streamSpec';
import {streamModel} from '../onnxModel';
import {errorText, measure} from './measure';

type Pass = () => Float32Array[] | Promise<Float32Array[]>;

function frame(d: StreamData, t: number): Float32Array {
  return d.x.subarray(t * STREAM.D, (t + 1) * STREAM.D);
}

async function oursStream(d: StreamData, notes: string[]): Promise<Pass> {
  const {createGruStreamSync} = await import('../../../src/stream/index');
  const {wasmKernelBytes} = await import('../../../src/kernels/wasm/wasmKernel');
  const s = createGruStreamSync(streamModelFiles(d), {wasm: wasmKernelBytes()});
  notes.push('tfjs-gru/stream: createGruStreamSync from model.json + weights + gru_kernel.wasm (its own instance, one thread); no tfjs loaded');
  return () => {
    s.reset();
    const out: Float32Array[] = [];
    for (let t = 0; t < STREAM.frames; t++) out.push(s.step(frame(d, t)).slice());
    return out;
  };
}

async function oursLayers(d: StreamData, backend: string, threads: number, notes: string[]): Promise<Pass> {
  const tf = await import('@tensorflow/tfjs');
  const {gru} = await import('../../../src');
  const {selectBackend} = await import('../../../src/node/backend');
  if (backend === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require('@tensorflow/tfjs-backend-wasm').setThreadsCount(threads);
  }
  const info = await selectBackend(backend as 'tensorflow'|'wasm');
  notes.push(`tfjs ${tf.version.tfjs} on '${tf.getBackend()}' (${info.reason}); stateful KerasGRU layers, batchInputShape [1, 1, D], ` +
             'model.predict per frame (tensor in, dataSync out), resetStates per pass');
  const {U, O} = STREAM;
  const m = tf.sequential();
  d.grus.forEach((g, k) => m.add(gru({units: U, resetAfter: false, returnSequences: true, stateful: true,
    kernelInitializer: 'zeros', recurrentInitializer: 'zeros', ...(k === 0 ? {batchInputShape: [1, 1, STREAM.D]} : {})})));
  m.add(tf.layers.dense({units: O, activation: 'sigmoid'}));
  const w: TF.Tensor[] = [];
  d.grus.forEach((g) => w.push(tf.tensor2d(g.kernel, [g.inputSize, 3 * U]), tf.tensor2d(g.recurrentKernel, [U, 3 * U]), tf.tensor1d(g.bias)));
  w.push(tf.tensor2d(d.dense.kernel, [U, O]), tf.tensor1d(d.dense.bias));
  m.setWeights(w);
  tf.dispose(w);
  return () => {
    m.resetStates();
    const out: Float32Array[] = [];
    for (let t = 0; t < STREAM.frames; t++) {
      const x = tf.tensor3d(frame(d, t), [1, 1, STREAM.D]);
      const y = m.predict(x) as TF.Tensor;
      out.push(y.dataSync() as Float32Array);
      tf.dispose([x, y]);
    }
    return out;
  };
}

interface OrtTensor { data: Float32Array; }
interface Ort {
  env: {versions: Record<string, string>, wasm: {numThreads?: number}, logLevel?: string};
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: {create(model: Uint8Array, options: Record<string, unknown>): Promise<{run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>}>};
}

async function ortPeer(d: StreamData, runtime: 'node'|'web', threads: number, notes: string[]): Promise<Pass> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ort = require(runtime === 'node' ? 'onnxruntime-node' : 'onnxruntime-web') as Ort;
  ort.env.logLevel = 'error';
  const options: Record<string, unknown> = {graphOptimizationLevel: 'all', executionMode: 'sequential'};
  if (runtime === 'node') {
    Object.assign(options, {executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1});
  } else {
    ort.env.wasm.numThreads = threads;
    Object.assign(options, {executionProviders: ['wasm']});
  }
  const {U} = STREAM;
  const model = streamModel(U, d.grus.map((g) => ({inputSize: g.inputSize, kernel: g.kernel, recurrentKernel: g.recurrentKernel,
    inputBias: g.bias, recurrentBias: new Float32Array(3 * U)})), {kernel: d.dense.kernel, bias: d.dense.bias, units: STREAM.O}, 0);
  const session = await ort.InferenceSession.create(model, options);
  notes.push(`onnxruntime-${runtime} ${ort.env.versions[runtime]}, ${runtime === 'node' ? `CPU EP, intraOpNumThreads ${threads}` :
             `wasm EP in Node, env.wasm.numThreads ${threads}`}; 3 GRU nodes (lbr=0) + MatMul/Add/Sigmoid, one session.run per frame, ` +
             'the three states passed in and read back by the caller');
  const zeros = new Float32Array(U);
  return async () => {
    let h = d.grus.map(() => new ort.Tensor('float32', zeros, [1, 1, U]));
    const out: Float32Array[] = [];
    for (let t = 0; t < STREAM.frames; t++) {
      const feeds: Record<string, OrtTensor> = {X: new ort.Tensor('float32', frame(d, t), [1, 1, STREAM.D])};
      h.forEach((v, k) => { feeds[`H${k + 1}`] = v; });
      const r = await session.run(feeds);
      out.push(r.OUT.data);
      h = d.grus.map((_, k) => r[`Yh${k + 1}`]);
    }
    return out;
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as StreamJob;
  const result: StreamResult = {peer: job.peer, notes: [], perFrameMs: []};
  try {
    const d = streamData(job.seed);
    const [name, backend] = job.peer.split('@');
    const pass = name === 'ours-stream' ? await oursStream(d, result.notes) :
      name === 'ours-layers' ? await oursLayers(d, backend, job.threads, result.notes) :
      await ortPeer(d, name === 'ort-node' ? 'node' : 'web', job.threads, result.notes);
    const first = await pass();
    const flat = new Float32Array(first.length * STREAM.O);
    first.forEach((f, t) => flat.set(f, t * STREAM.O));
    fs.writeFileSync(job.outputFile, Buffer.from(flat.buffer));
    const m = (await measure([{key: 'pass', run: async () => { await pass(); }}], job.runs, Math.max(0, job.warmup - 1), job.maxSeconds)).get('pass')!;
    if (m.error) throw new Error(m.error);
    result.perFrameMs = m.timesMs.map((ms) => ms / STREAM.frames);
  } catch (e) {
    result.unavailable = errorText(e);
  }
  fs.writeFileSync(job.resultFile, JSON.stringify(result, null, 1));
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack || e}\n`);
  process.exitCode = 1;
});
