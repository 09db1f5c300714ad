// A few hundred seeded mutations of the .safetensors and .onnx fixtures (test/helpers/modelFilesFuzz.ts;
// bench/fuzzModelFiles.ts runs 2,000 per format in CI): only typed errors naming the file, no leaks.
import {runModelFileFuzz} from './helpers/modelFilesFuzz';
import {runOnnxGraphFuzz} from './helpers/onnxGraphFuzz';

test('300 mutated .safetensors files: only typed errors, no leaks', () => {
  const report = runModelFileFuzz('safetensors', 300, 20261202);
  if (process.env.FUZZ_PRINT) console.log(report.outcomes);
  expect(report.untyped).toEqual([]);
  for (const code of ['TRUNCATED', 'BAD_HEADER', 'BAD_ENTRY', 'BAD_OFFSETS']) {
    expect([code, (report.outcomes[`SafetensorsError ${code}`] ?? 0) > 0]).toEqual([code, true]);
  }
  expect((report.outcomes.ok ?? 0) + (report.outcomes.converted ?? 0)).toBeGreaterThan(0);
});

test('300 mutated .onnx files (graph-level edits among them): only typed errors, no leaks', () => {
  const report = runModelFileFuzz('onnx', 300, 20261203);
  if (process.env.FUZZ_PRINT) console.log(report.outcomes, report.kinds);
  expect(report.untyped).toEqual([]);
  for (const code of ['OnnxError BAD_PROTO', 'OnnxError BAD_TENSOR']) {
    expect([code, (report.outcomes[code] ?? 0) > 0]).toEqual([code, true]);
  }
  expect(report.kinds.graph).toBeGreaterThan(30);
  expect((report.outcomes.ok ?? 0) + (report.outcomes.converted ?? 0)).toBeGreaterThan(0);
});

test('300 mutated .onnx files converted whole (onnxToGraphModel): a graph or a typed error, no leaks', async () => {
  const report = await runOnnxGraphFuzz(300, 20261205);
  if (process.env.FUZZ_PRINT) console.log(report.outcomes);
  expect(report.untyped).toEqual([]);
  expect(report.outcomes.converted ?? 0).toBeGreaterThan(0);
  expect(Object.keys(report.outcomes).filter((k) => k !== 'converted').length).toBeGreaterThan(2);
});

test('300 mutated .npz files (header, shape and data edits in rebuilt zips among them): only typed errors, no leaks', () => {
  const report = runModelFileFuzz('npz', 300, 20261204);
  if (process.env.FUZZ_PRINT) console.log(report.outcomes, report.kinds);
  expect(report.untyped).toEqual([]);
  for (const code of ['NpzError BAD_ZIP', 'NpzError BAD_NPY']) {
    expect([code, (report.outcomes[code] ?? 0) > 0]).toEqual([code, true]);
  }
  expect((report.outcomes.ok ?? 0) + (report.outcomes.converted ?? 0)).toBeGreaterThan(0);
});
