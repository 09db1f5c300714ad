// The streaming API (src/stream/): a model run one frame at a time, state kept
// inside, must give at every frame what the tfjs model's whole-sequence predict
// gives at that time step — from the model's files without tfjs (tfjs-gru/stream)
// and from the LayersModel itself — for both reset conventions, stacked GRUs,
// Dense/Activation/merge layers, converted models (checked against PyTorch and
// onnxruntime's own outputs too), with reset() and refusals of what cannot stream.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {gru, tf1Gru} from '../src/index';
import {gruStreamFromLayersModel, gruStreamFromLayersModelSync} from '../src/stream/fromLayersModel';
import {createGruStream, createGruStreamSync, GruStream, StreamModelError} from '../src/stream/index';
import {wasmKernelBytes} from '../src/kernels/wasm/wasmKernel';
import {caseTensor, loadCase} from '../src/fixtures/fixtures';
import {convertModelFileToDir} from '../src/node/convertModelFile';
import {closure, SRC} from './helpers/imports';
import {fixtureModel} from './helpers/modelFiles';
import {uniform} from './helpers/tensors';

const TOL = 2e-5;

/** model.json (as an object) and its weights, as model.save writes them. */
async function modelFiles(model: tf.LayersModel): Promise<{modelJson: object; weights: ArrayBuffer}> {
  let a: tf.io.ModelArtifacts|undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    a = artifacts;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }));
  const weights = tf.io.CompositeArrayBuffer.join(a!.weightData as ArrayBuffer);
  return {modelJson: {modelTopology: a!.modelTopology, weightsManifest: [{paths: ['w.bin'], weights: a!.weightSpecs}]}, weights};
}

/** Every weight set to seeded uniform values (biases too, so they matter). */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const ws = model.getWeights().map((w, k) => uniform(w.shape, seed + k, 0.6));
  model.setWeights(ws);
  tf.dispose(ws);
}

/** Streams x [B, T, D] frame by frame; returns [B, T, out] as nested rows (frame t of row b at [b][t]). */
function streamAll(stream: GruStream, x: tf.Tensor3D): Float32Array[][] {
  const [B, T, D] = x.shape;
  const data = x.dataSync();
  const frame = new Float32Array(B * D);
  const rows: Float32Array[][] = Array.from({length: B}, () => []);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) frame.set(data.subarray((b * T + t) * D, (b * T + t + 1) * D), b * D);
    const out = stream.step(frame);
    for (let b = 0; b < B; b++) rows[b].push(out.slice(b * stream.outputSize, (b + 1) * stream.outputSize));
  }
  return rows;
}

/** max |stream − want| over all frames; want [B, T, out]. */
function maxError(rows: Float32Array[][], want: tf.Tensor): number {
  const [B, T, N] = want.shape;
  const w = want.dataSync();
  let err = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < N; j++) err = Math.max(err, Math.abs(rows[b][t][j] - w[(b * T + t) * N + j]));
    }
  }
  return Number.isNaN(err) ? Infinity : err;
}

const wasm = wasmKernelBytes();

/** The three paths: tfjs-free from the files (sync and async), and from the LayersModel. */
async function allStreams(model: tf.LayersModel, batch: number): Promise<Record<string, GruStream>> {
  const files = await modelFiles(model);
  return {
    'files (sync)': createGruStreamSync(files, {wasm, batch}),
    'files (async)': await createGruStream(files, {wasm, batch}),
    'LayersModel': gruStreamFromLayersModelSync(model, {batch}),
  };
}

const MODELS: Array<[string, () => tf.LayersModel]> = [
  ['tfjs GRU (reset before, hardSigmoid) → TF1GRU → KerasGRU (reset after) → Dense softmax', () => {
    const m = tf.sequential();
    m.add(tf.layers.gru({units: 9, returnSequences: true, inputShape: [null as unknown as number, 5]}));
    m.add(tf1Gru({units: 7, returnSequences: true}));
    m.add(gru({units: 6, returnSequences: true, resetAfter: true}));
    m.add(tf.layers.dense({units: 4, activation: 'softmax'}));
    return m;
  }],
  ['KerasGRU (reset before) ×2 → Dense relu → Dropout → Activation sigmoid (NSNet2 shape)', () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({units: 8, activation: 'relu', inputShape: [null as unknown as number, 6]}));
    m.add(gru({units: 16, returnSequences: true, resetAfter: false}));
    m.add(gru({units: 16, returnSequences: true, resetAfter: false, activation: 'relu'}));
    m.add(tf.layers.dense({units: 5}));
    m.add(tf.layers.dropout({rate: 0.3}));
    m.add(tf.layers.activation({activation: 'sigmoid'}));
    return m;
  }],
  ['functional: KerasGRU (reset after) + skip Dense, Add, Concatenate, Multiply, Dense elu', () => {
    const x = tf.input({shape: [null as unknown as number, 4]});
    const g = gru({units: 8, returnSequences: true, resetAfter: true}).apply(x) as tf.SymbolicTensor;
    const skip = tf.layers.dense({units: 8, activation: 'tanh'}).apply(x) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([g, skip]) as tf.SymbolicTensor;
    const g2 = tf.layers.gru({units: 8, returnSequences: true, recurrentActivation: 'sigmoid'}).apply(sum) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([g2, sum]) as tf.SymbolicTensor;
    const gate = tf.layers.dense({units: 16, activation: 'sigmoid'}).apply(cat) as tf.SymbolicTensor;
    const prod = tf.layers.multiply().apply([cat, gate]) as tf.SymbolicTensor;
    const y = tf.layers.dense({units: 3, activation: 'elu'}).apply(prod) as tf.SymbolicTensor;
    return tf.model({inputs: x, outputs: y});
  }],
];

describe.each(MODELS)('%s', (_label, build) => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = build();
    randomizeWeights(model, 11);
  });
  afterAll(() => model.dispose());

  // Batches 1 and 3 take the weights transposed (dot products), 6 as the layers hold them.
  test.each([1, 3, 6])('every frame equals predict at that step (batch %i), on every path', async (batch) => {
    const x = uniform([batch, 13, model.inputs[0].shape[2]!], 5, 1.5) as tf.Tensor3D;
    const want = model.predict(x) as tf.Tensor;
    const streams = await allStreams(model, batch);
    for (const [name, s] of Object.entries(streams)) {
      expect(s.outputSize).toBe(want.shape[2]);
      const first = maxError(streamAll(s, x), want);
      s.reset();
      const afterReset = maxError(streamAll(s, x), want);
      expect([name, first, afterReset]).toEqual([name, expect.any(Number), expect.any(Number)]);
      expect([name, first <= TOL, afterReset <= TOL]).toEqual([name, true, true]);
    }
    tf.dispose([x, want]);
  });
});

test('reset() starts a new sequence: the same frames give the same outputs, bit for bit', async () => {
  const m = MODELS[0][1]();
  randomizeWeights(m, 3);
  const s = gruStreamFromLayersModelSync(m);
  const x = uniform([1, 9, 5], 8, 1) as tf.Tensor3D;
  const first = streamAll(s, x);
  expect(s.frames).toBe(9);
  const carried = streamAll(s, x);  // without reset the state carries: other outputs
  expect(maxError(carried, tf.tensor3d([first[0].map((f) => Array.from(f))]))).toBeGreaterThan(1e-4);
  s.reset();
  expect(s.frames).toBe(0);
  const again = streamAll(s, x);
  expect(again[0].map((f) => Array.from(f))).toEqual(first[0].map((f) => Array.from(f)));
  tf.dispose(x);
  m.dispose();
});

test('one frame in, one frame out, without allocation: the same output array and wasm memory every frame; `out` is filled', () => {
  const m = MODELS[1][1]();
  randomizeWeights(m, 4);
  const s = gruStreamFromLayersModelSync(m);
  const frame = new Float32Array(6).fill(0.25);
  const a = s.step(frame);
  const buffer = a.buffer;
  const b = s.step(frame);
  expect(b).toBe(a);
  expect(b.buffer).toBe(buffer);  // the module's memory did not grow (a grow detaches the old buffer)
  s.reset();
  const view = Array.from(s.step(frame));
  s.reset();
  const out = new Float32Array(5);
  expect(s.step(frame, out)).toBe(out);
  expect(Array.from(out)).toEqual(view);
  expect(() => s.step(new Float32Array(5))).toThrow(/a frame has 6 values \(\[1, 6\]\), got 5/);
  expect(() => s.step(frame, new Float32Array(4))).toThrow(/out must have 5 values/);
  m.dispose();
});

test('a stream from a LayersModel leaves no tensor behind; later weight changes do not reach it', async () => {
  const m = MODELS[0][1]();
  randomizeWeights(m, 5);
  const before = tf.memory().numTensors;
  const s = await gruStreamFromLayersModel(m);
  expect(tf.memory().numTensors).toBe(before);
  const frame = new Float32Array(5).fill(0.5);
  const y0 = s.step(frame).slice();
  randomizeWeights(m, 6);
  s.reset();
  expect(Array.from(s.step(frame))).toEqual(Array.from(y0));
  m.dispose();
});

describe('models `tfjs-gru convert` wrote, against the framework that made them', () => {
  // Converted folder → model.json + weights from disk → tfjs-free stream; the fixture's
  // y comes from PyTorch / onnxruntime, and the tfjs model's predict is checked too.
  test.each(['pytorch_files/gru2', 'onnx/torch_gru2', 'onnx/lbr0_forward'])('%s', async (name) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-stream-'));
    try {
      await convertModelFileToDir(fixtureModel(name), dir);
      const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      const paths: string[] = modelJson.weightsManifest.flatMap((g: {paths: string[]}) => g.paths);
      const weights = Object.fromEntries(paths.map((p) => [p, fs.readFileSync(path.join(dir, p))]));
      const c = loadCase(name);
      const [x, want] = [caseTensor(c, 'x') as tf.Tensor3D, caseTensor(c, 'y')];
      const s = createGruStreamSync({modelJson, weights}, {wasm, batch: x.shape[0]});
      const rows = streamAll(s, x);
      expect(maxError(rows, want)).toBeLessThan(1e-5);
      const model = await tf.loadLayersModel(tf.io.fromMemory({modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0].weights, weightData: tf.io.CompositeArrayBuffer.join(
            paths.map((p) => new Uint8Array(weights[p]).slice().buffer))}));
      const predicted = model.predict(x) as tf.Tensor;
      expect(maxError(rows, predicted)).toBeLessThan(TOL);
      tf.dispose([x, want, predicted]);
      model.dispose();
    } finally {
      fs.rmSync(dir, {recursive: true, force: true});
    }
  });
});

describe('what cannot stream is refused, naming the layer', () => {
  const refuse = async (build: () => tf.LayersModel, pattern: RegExp, code = 'UNSUPPORTED') => {
    const m = build();
    const files = await modelFiles(m);
    let err: unknown;
    try {
      createGruStreamSync(files, {wasm});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StreamModelError);
    expect((err as StreamModelError).code).toBe(code);
    expect((err as Error).message).toMatch(pattern);
    m.dispose();
  };

  test('Bidirectional, goBackwards, returnState', async () => {
    await refuse(() => tf.sequential({layers: [tf.layers.bidirectional({layer: tf.layers.gru({units: 3, returnSequences: true}) as any,
      inputShape: [4, 2]})]}), /layer 'bidirectional\w*' \(Bidirectional\) cannot run frame by frame: its backward direction/);
    await refuse(() => tf.sequential({layers: [gru({units: 3, goBackwards: true, returnSequences: true, inputShape: [4, 2], name: 'back'})]}),
        /layer 'back' \(KerasGRU\) has goBackwards/);
  });

  test('an activation the stream lacks, and weight files of the wrong size', async () => {
    await refuse(() => tf.sequential({layers: [gru({units: 3, returnSequences: true, inputShape: [4, 2]}),
      tf.layers.dense({units: 2, activation: 'gelu' as any, name: 'head'})]}), /layer 'head': activation "gelu" is not one a stream computes/);
    const m = tf.sequential({layers: [gru({units: 3, returnSequences: true, inputShape: [4, 2]})]});
    const files = await modelFiles(m);
    expect(() => createGruStreamSync({...files, weights: files.weights.slice(4)}, {wasm}))
        .toThrow(/need \d+ bytes, the weight files hold \d+/);
    expect(() => createGruStreamSync({modelJson: '{', weights: files.weights, name: 'my.json'}, {wasm})).toThrow(/my.json: is not JSON/);
    expect(() => createGruStreamSync(files, {} as any)).toThrow(/options.wasm .* is required/);
    m.dispose();
  });
});

test('the tfjs-gru/stream entry imports no package at all (no tfjs, no Node) and not the embedded kernel', () => {
  const {files, packages} = closure(path.join(SRC, 'stream', 'index.ts'));
  expect(packages).toEqual([]);
  expect(files.map((f) => path.relative(SRC, f)).filter((f) => /generated|fromLayersModel/.test(f))).toEqual([]);
});
