/**
 * npm run bench:onnx — a whole real ONNX model (NSNet2 20 ms, from the pinned wheel) converted by
 * `tfjs-gru convert` and run as a tfjs GraphModel, side by side in one process with onnxruntime on
 * the same .onnx file and the same input: tfjs-node against onnxruntime-node, and tfjs's wasm backend
 * against onnxruntime-web (wasm, in Node), at batch × frames (1, 100) and (8, 500).
 * Candidates of a size run in turns (round robin) so that the machine's noise falls on all of them;
 * medians of --runs after --warmup. Peers: bench/peers (npm ci --prefix bench/peers --ignore-scripts).
 *   npm run bench:onnx -- [--runs 7] [--warmup 2] [--threads 2] [--sizes 1x100,8x500]
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import '../src/index';
import {selectBackend} from '../src/node/backend';
import {readOnnxModel} from '../src/io/onnx';
import {onnxToGraphModel} from '../src/onnxGraph/toGraphModel';
import {ensureNpmPeers, PEERS_DIR} from './peers/setup';
import {realOnnxModel} from '../test/helpers/realOnnxModels';
import {arg, median} from './timing';

interface Candidate { name: string; run: () => Promise<void> }

async function main(): Promise<void> {
  const runs = Number(arg('runs', '7'));
  const warmup = Number(arg('warmup', '2'));
  const threads = Number(arg('threads', '2'));
  const sizes = arg('sizes', '1x100,8x500').split(',').map((s) => s.split('x').map(Number) as [number, number]);
  const ready = ensureNpmPeers((l) => console.error(l), true);
  if (!ready.ok) throw new Error(ready.detail);
  const {modelPath} = realOnnxModel('nsnet2_20ms_baseline');
  const bytes = new Uint8Array(fs.readFileSync(modelPath));
  const conv = await onnxToGraphModel(readOnnxModel(bytes, modelPath));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ortNode = require(path.join(PEERS_DIR, 'node_modules', 'onnxruntime-node'));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ortWeb = require(path.join(PEERS_DIR, 'node_modules', 'onnxruntime-web'));
  ortNode.env.logLevel = 'error';
  ortWeb.env.logLevel = 'error';
  ortWeb.env.wasm.numThreads = threads;
  const nodeSession = await ortNode.InferenceSession.create(bytes, {executionProviders: ['cpu'], intraOpNumThreads: threads,
    interOpNumThreads: 1, graphOptimizationLevel: 'all'});
  const webSession = await ortWeb.InferenceSession.create(bytes, {executionProviders: ['wasm'], graphOptimizationLevel: 'all'});

  const info = await selectBackend('tensorflow');
  const nodeModel = await tf.loadGraphModel(tf.io.fromMemory(conv.artifacts));
  await selectBackend('wasm');
  const wasmModel = await tf.loadGraphModel(tf.io.fromMemory(conv.artifacts));

  const rows: string[] = [];
  rows.push(`NSNet2 20 ms (${path.basename(modelPath)}), forward, ms (medians of ${runs} after ${warmup} warm-up, round robin), ` +
      `${new Date().toISOString().slice(0, 10)}; tfjs-node: ${info.reason}; onnxruntime threads ${threads}; our wasm GRU kernel 1 thread`);
  rows.push('| batch × frames | ours tfjs-node | onnxruntime-node | ratio | ours wasm | onnxruntime-web | ratio |');
  rows.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const [b, t] of sizes) {
    const data = Float32Array.from({length: b * t * 161}, (_, i) => Math.sin(i * 0.37) * 3 - 4);
    const feedsNode = {input: new ortNode.Tensor('float32', data, [b, t, 161])};
    const feedsWeb = {input: new ortWeb.Tensor('float32', data, [b, t, 161])};
    const onBackend = (name: string, model: tf.GraphModel): Candidate => ({name, run: async () => {
      await tf.setBackend(name);
      const x = tf.tensor(data, [b, t, 161]);
      const y = model.execute({input: x}, ['output']) as tf.Tensor;
      await y.data();
      tf.dispose([x, y]);
    }});
    const cands: Candidate[] = [
      onBackend('tensorflow', nodeModel),
      {name: 'ort-node', run: async () => { await nodeSession.run(feedsNode); }},
      onBackend('wasm', wasmModel),
      {name: 'ort-web', run: async () => { await webSession.run(feedsWeb); }},
    ];
    const times = new Map<string, number[]>(cands.map((c) => [c.name, []]));
    for (let r = 0; r < warmup + runs; r++) {
      for (const c of cands) {
        const t0 = process.hrtime.bigint();
        await c.run();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r >= warmup) times.get(c.name)!.push(ms);
      }
    }
    const m = (k: string) => median(times.get(k)!);
    const f = (x: number) => x.toFixed(x < 10 ? 2 : 1);
    rows.push(`| ${b} × ${t} | ${f(m('tensorflow'))} | ${f(m('ort-node'))} | ${(m('tensorflow') / m('ort-node')).toFixed(2)} | ` +
        `${f(m('wasm'))} | ${f(m('ort-web'))} | ${(m('wasm') / m('ort-web')).toFixed(2)} |`);
  }
  rows.push('ratio = ours / onnxruntime (below 1: ours is faster)');
  process.stdout.write(rows.join('\n') + '\n');
  await nodeSession.release();
  await webSession.release();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack || e}\n`);
  process.exitCode = 1;
});
