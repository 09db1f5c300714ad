/**
 * What initialisers cost when a GRU model is built or loaded (issue 11 item 4), side by side in one process:
 *
 *   npx ts-node --transpile-only bench/loadInit.ts --model DIR [--model DIR2] [--backend tensorflow] [--runs 3]
 *
 * DIR is a tensorflowjs_converter folder (model.json + shards), e.g. a Keras model with two
 * Bidirectional(GRU(256)) layers. For each model it times, median of --runs:
 *   - load: tf.loadLayersModel (weights follow: tfjs builds with fastWeightInit, zeros instead of initialisers);
 *   - build: tf.models.modelFromJSON of the same topology without weights (every initialiser runs);
 * with tfjs's own GRU (reset_after=False models only) and with ours after registerKerasGru().
 * Then the orthogonal initialiser alone on [U, 3U]: tfjs's tf.initializers.orthogonal vs our FastOrthogonal.
 * Not part of npm test; figures go to the note.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {FastOrthogonal, registerKerasGru} from '../src';
import {parseBackendName, selectBackend} from '../src/backend';
import {arg, median} from './timing';

function artifactsOf(dir: string): tf.io.ModelArtifacts {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const buffers = json.weightsManifest.flatMap((g: any) => g.paths.map((p: string) => fs.readFileSync(path.join(dir, p))));
  const all = Buffer.concat(buffers);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g: any) => g.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}

async function timeAsync(fn: () => Promise<tf.LayersModel>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const model = await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    model.dispose();
  }
  return median(times);
}

async function main(): Promise<void> {
  const info = await selectBackend(parseBackendName(arg('backend', 'auto')));
  const runs = Number(arg('runs', '3'));
  const dirs = process.argv.flatMap((a, i) => (a === '--model' ? [process.argv[i + 1]] : []));
  // eslint-disable-next-line no-console
  const log = console.log;
  log(`backend ${info.name} (${info.reason}); median of ${runs} run(s), ms`);
  for (const dir of dirs) {
    const artifacts = artifactsOf(dir);
    const resetAfter = JSON.stringify(artifacts.modelTopology).includes('"reset_after": true') ||
        JSON.stringify(artifacts.modelTopology).includes('"reset_after":true');
    const load = () => tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const build = () => tf.models.modelFromJSON({modelTopology: artifacts.modelTopology} as any);
    const row: string[] = [path.basename(dir)];
    if (!resetAfter) {
      row.push(`tfjs GRU: load ${(await timeAsync(load, runs)).toFixed(0)}, build ${(await timeAsync(build, runs)).toFixed(0)}`);
    } else {
      row.push('tfjs GRU: refuses reset_after=True');
    }
    const restore = registerKerasGru();
    try {
      row.push(`ours: load ${(await timeAsync(load, runs)).toFixed(0)}, build ${(await timeAsync(build, runs)).toFixed(0)}`);
    } finally {
      restore();
    }
    log(row.join(' | '));
  }
  for (const u of [256, 512]) {
    const shape = [u, 3 * u];
    const t = (f: () => tf.Tensor) => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        f().dispose();
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return median(times);
    };
    const warn = console.warn;
    console.warn = () => undefined;  // tfjs's "Slowness may result" on every call
    const tfjsMs = t(() => tf.initializers.orthogonal({seed: 1}).apply(shape));
    console.warn = warn;
    const oursMs = t(() => new FastOrthogonal({seed: 1}).apply(shape));
    log(`orthogonal [${shape}]: tfjs ${tfjsMs.toFixed(0)}, FastOrthogonal ${oursMs.toFixed(0)} (${(tfjsMs / oursMs).toFixed(1)}×)`);
  }
}

main().catch((e) => {
  // eslint-disable-next-line no-console
  console.error(e);
  process.exitCode = 1;
});
