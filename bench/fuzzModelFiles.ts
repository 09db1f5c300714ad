// Fuzzes the .safetensors, .onnx (graph-level edits included), .npz and Keras (.keras, .h5,
// .weights.h5) readers and the converter with seeded mutations of the fixtures, and prints
// the count of each outcome per format (JSON). Exit 1 if any fault escaped as an untyped
// error, a typed error named another file, a tensor leaked, or a CRC-protected tensor came
// back corrupted.
//   npx ts-node --transpile-only bench/fuzzModelFiles.ts [--cases 2000] [--seed 1]
import * as tf from '@tensorflow/tfjs';

import {runKerasFuzz} from '../test/helpers/kerasFuzz';
import {runModelFileFuzz} from '../test/helpers/modelFilesFuzz';
import {runOnnxGraphFuzz} from '../test/helpers/onnxGraphFuzz';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');  // the readers and the check, not a backend's speed, are what is fuzzed
  const n = arg('--cases', 2000);
  const seed = arg('--seed', 1);
  const report: Record<string, unknown> = {};
  let failed = false;
  for (const format of ['safetensors', 'onnx', 'npz'] as const) {
    const t0 = Date.now();
    const r = runModelFileFuzz(format, n, seed);
    report[format] = {...r, seconds: (Date.now() - t0) / 1000};
    failed = failed || r.untyped.length > 0;
  }
  const tg = Date.now();
  const g = await runOnnxGraphFuzz(n, seed);
  report['onnx-graph'] = {...g, seconds: (Date.now() - tg) / 1000};
  failed = failed || g.untyped.length > 0;
  const t0 = Date.now();
  const k = runKerasFuzz(n, seed);
  report.keras = {...k, seconds: (Date.now() - t0) / 1000};
  failed = failed || k.untyped.length > 0 || k.wrongTensors > 0 || k.leakedTensors !== 0;
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.exitCode = failed ? 1 : 0;
}

main();
