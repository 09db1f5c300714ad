// The whole-graph ONNX conversion under the same seeded mutations as the ONNX reader fuzz
// (bit flips, truncations, splices, graph-level edits: nodes removed, duplicated, retyped,
// rewired, cycles, attributes of the wrong type, bad opsets): onnxToGraphModel must end in a
// converted graph or a typed error naming the file, never leak a tensor. Run by
// test/modelFiles.fuzz.test.ts and bench/fuzzModelFiles.ts (CI).
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';

import {loadManifest} from '../../src/fixtures/fixtures';
import {ModelFileError} from '../../src/io/modelFileError';
import {readOnnxModel} from '../../src/io/onnx';
import {onnxToGraphModel} from '../../src/onnxGraph/toGraphModel';
import {fixtureModel} from './modelFiles';
import {mutateOnnx} from './modelFilesFuzz';
import {rng} from './tensors';

/** Outcome counts ('converted' or the error class and code) and every fault that escaped. */
export interface OnnxGraphFuzzReport {
  outcomes: Record<string, number>;
  untyped: string[];
}

/** `n` seeded mutations of the ONNX fixtures, each converted whole (see the module comment). */
export async function runOnnxGraphFuzz(n: number, seed: number): Promise<OnnxGraphFuzzReport> {
  const cases = loadManifest().onnx as string[];
  const files = cases.map((c) => new Uint8Array(fs.readFileSync(fixtureModel(c))));
  const r = rng(seed);
  const outcomes: Record<string, number> = {};
  const untyped: string[] = [];
  for (let i = 0; i < n; i++) {
    const which = Math.floor(r() * files.length);
    const {kind, bytes} = mutateOnnx(files[which], r);
    const file = `graph-fuzz-${i}.onnx`;
    const before = tf.memory().numTensors;
    let outcome = 'converted';
    try {
      const model = readOnnxModel(bytes, file);
      try {
        await onnxToGraphModel(model);
      } finally {
        model.close();
      }
    } catch (e) {
      if (e instanceof ModelFileError && e.file === file && typeof e.code === 'string') outcome = `${e.name} ${e.code}`;
      else untyped.push(`${cases[which]} ${kind} #${i}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    const left = tf.memory().numTensors - before;
    if (left !== 0) untyped.push(`${cases[which]} ${kind} #${i}: left ${left} tensor(s)`);
  }
  return {outcomes, untyped};
}
