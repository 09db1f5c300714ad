// `tfjs-gru inspect` / `tfjs-gru convert` on .safetensors and .onnx files as a user runs them:
// the real bin through a pipe; the format chosen by the file name; a .pt refused with the export.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {formatOf} from '../src/node/modelFormats';
import {runThroughPipe} from './helpers/cli';
import {fixtureModel} from './helpers/modelFiles';

test('the format is chosen by the file name, before the checkpoint (which claims any path)', () => {
  expect(formatOf(fixtureModel('pytorch_files/gru1')).name).toBe('safetensors');
  expect(formatOf('/x/weights.pth').name).toBe('safetensors');
  expect(formatOf(fixtureModel('onnx/lbr0_bidi')).name).toBe('onnx');
  expect(formatOf('/x/model.ckpt').name).toBe('checkpoint');
});

test.each([['pytorch_files/gru2_bidi_linear', []], ['onnx/torch_gru2_bidi_linear', ['--gru-stack']]])('convert %s %j --json through a pipe', (name, extra) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-mfcli-'));
  const r = runThroughPipe(['convert', fixtureModel(name), '--out', out, ...extra, '--json'], {TFJS_GRU_BACKEND: 'wasm'});
  expect(r.code).toBe(0);
  const j = JSON.parse(r.stdout);
  expect(j.layers.map((l: any) => l.className)).toEqual(['Bidirectional(KerasGRU)', 'Bidirectional(KerasGRU)']);
  expect(j.dense.units).toBe(2);
  expect(j.loadedCheck.pass).toBe(true);
  expect(fs.readdirSync(out).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
});

test('convert model.onnx: the whole graph as a GraphModel, drop-in names and shapes, checked', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-mfcli-'));
  const r = runThroughPipe(['convert', fixtureModel('onnx/torch_gru2_bidi_linear'), '--out', out, '--json'], {TFJS_GRU_BACKEND: 'wasm'});
  expect(r.code).toBe(0);
  const j = JSON.parse(r.stdout);
  expect(j.kind).toBe('onnx-graph');
  expect(j.inputs.map((i: any) => [i.name, i.onnxShape])).toEqual([['x', ['batch', 'time', 3]]]);
  expect(j.outputs.map((o: any) => [o.name, o.onnxShape])).toEqual([['y', ['batch', 'time', 2]]]);
  expect(j.grus).toBe(2);
  expect(j.ops.MatMul).toBe(1);
  expect(j.check.pass).toBe(true);
  const model = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
  expect(model.format).toBe('graph-model');
  expect(Object.keys(model.signature.inputs)).toEqual(['x']);
  expect(Object.keys(model.signature.outputs)).toEqual(['y']);
});

test('convert --quantize float16 (a GRU-stack format): half the weight bytes, the float32 model checked, the error reported', async () => {
  const out32 = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-q32-'));
  const out16 = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-q16-'));
  const file = fixtureModel('pytorch_files/gru2_bidi_linear');
  expect(runThroughPipe(['convert', file, '--out', out32, '--json'], {TFJS_GRU_BACKEND: 'wasm'}).code).toBe(0);
  const r = runThroughPipe(['convert', file, '--out', out16, '--quantize', 'float16', '--json'], {TFJS_GRU_BACKEND: 'wasm'});
  expect(r.code).toBe(0);
  const j = JSON.parse(r.stdout);
  expect(j.loadedCheck.pass).toBe(true);
  expect(j.quantization.mode).toBe('float16');
  expect(j.quantization.maxAbsError).toBeGreaterThan(0);
  expect(j.quantization.maxAbsError).toBeLessThan(1e-2 * Math.max(1, j.quantization.maxAbsReference));
  const bytes = (d: string) => fs.statSync(path.join(d, 'group1-shard1of1.bin')).size;
  expect(bytes(out16)).toBe(bytes(out32) / 2);
  const manifest = JSON.parse(fs.readFileSync(path.join(out16, 'model.json'), 'utf8')).weightsManifest[0].weights;
  expect(manifest.every((w: any) => w.quantization?.dtype === 'float16')).toBe(true);
});

test('inspect of a .pt exits 1 with the one-line safetensors export', () => {
  const r = runThroughPipe(['inspect', '/tmp/model.pt']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('from safetensors.torch import save_file; save_file(model.state_dict(), "model.safetensors")');
  expect(r.stderr).toContain('[PICKLE]');
});

test('a truncated .onnx: exit 1 naming the file and the fault', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-mfcli-'));
  const bad = path.join(dir, 'cut.onnx');
  fs.writeFileSync(bad, fs.readFileSync(fixtureModel('onnx/lbr0_forward')).subarray(0, 100));
  const r = runThroughPipe(['inspect', bad]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.]/g, '\\.')}: not a valid ONNX ModelProto .*\\[BAD_PROTO\\]`));
});
