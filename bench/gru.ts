/**
 * TF1GRU against tfjs's built-in tf.layers.gru on the same (mapped) weights and
 * inputs, side by side in one process, per backend: forward (predict) and
 * forward + backward (gradients of a sum loss w.r.t. every weight and x).
 *   npx ts-node bench/gru.ts [--batch 32] [--time 50] [--input 64] [--units 128] [--runs 10]
 *                            [--backends tensorflow,wasm] [--modes auto] [--json]
 * --modes: the sequence-kernel modes TF1GRU is timed in (auto, ops: tfjs ops with the
 * hand-written BPTT, tape: the tape-differentiated op loop), e.g. `--modes tape,ops`.
 * Rounds alternate between the layers and modes; reported: medians and the ratio built-in / TF1GRU.
 */
import * as tf from '@tensorflow/tfjs';

import {convertWeights, tf1Gru} from '../src';
import {BackendName, parseBackendName, selectBackend} from '../src/node/backend';
import {SequenceKernelMode, setSequenceKernelMode} from '../src/kernels/registry';
import {arg, median, timeMs} from './timing';

interface Row {
  backend: string;
  task: string;
  mode: SequenceKernelMode;
  tf1GruMs: number;
  builtinMs: number;
  ratio: number;
}

function layers(units: number, x: tf.Tensor3D): [tf.layers.Layer, tf.layers.Layer] {
  const ours = tf1Gru({units, returnSequences: true});
  const builtin = tf.layers.gru({units, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'zeros'});
  tf.tidy(() => {
    ours.apply(x);
    builtin.apply(x);
  });
  const [gk, gb, ck, cb] = ours.getWeights();
  const k = convertWeights({'gates/kernel': gk, 'gates/bias': gb, 'candidate/kernel': ck, 'candidate/bias': cb}, 'tf1', 'keras');
  builtin.setWeights([k.kernel, k.recurrent_kernel, k.bias]);
  tf.dispose([k.kernel, k.recurrent_kernel, k.bias]);  // getWeights() returns the layer's own variables: keep them
  return [ours, builtin];
}

function forward(layer: tf.layers.Layer, x: tf.Tensor): void {
  tf.tidy(() => {
    (layer.apply(x) as tf.Tensor).dataSync();
  });
}

function backward(layer: tf.layers.Layer, x: tf.Variable): void {
  tf.tidy(() => {
    const vars = [...layer.trainableWeights.map((w) => w.read() as tf.Variable), x];
    const {value, grads} = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor), vars);
    value.dataSync();
    Object.values(grads).forEach((g) => g.dataSync());
  });
}

async function benchBackend(name: BackendName, dims: number[], runs: number, modes: SequenceKernelMode[]): Promise<Row[]> {
  await selectBackend(name);
  const [batch, time, input, units] = dims;
  const x = tf.randomUniform([batch, time, input], -1, 1, 'float32', 3) as tf.Tensor3D;
  const xVar = tf.variable(x);
  const [ours, builtin] = layers(units, x);
  const rows: Row[] = [];
  for (const [task, fn] of [['forward', forward], ['forward+backward', backward]] as const) {
    const input = task === 'forward' ? x : xVar;
    const t: Record<string, number[]> = {builtin: []};
    const oursIn = (m: SequenceKernelMode) => {
      setSequenceKernelMode(m);
      try {
        return timeMs(() => fn(ours, input as tf.Variable));
      } finally {
        setSequenceKernelMode('auto');
      }
    };
    for (const m of modes) {
      t[m] = [];
      oursIn(m);  // warm-up
    }
    fn(builtin, input as tf.Variable);
    for (let i = 0; i < runs; i++) {
      for (const m of modes) t[m].push(oursIn(m));
      t.builtin.push(timeMs(() => fn(builtin, input as tf.Variable)));
    }
    const b = median(t.builtin);
    for (const m of modes) {
      const a = median(t[m]);
      rows.push({backend: name, task, mode: m, tf1GruMs: a, builtinMs: b, ratio: b / a});
    }
  }
  ours.dispose();
  builtin.dispose();
  tf.dispose([x, xVar]);
  return rows;
}

async function main(): Promise<void> {
  const dims = ['batch', 'time', 'input', 'units'].map((n, i) => Number(arg(n, ['32', '50', '64', '128'][i])));
  const runs = Number(arg('runs', '10'));
  const backends = arg('backends', 'tensorflow,wasm').split(',').map((s) => parseBackendName(s)!);
  const modes = arg('modes', 'auto').split(',') as SequenceKernelMode[];
  const rows: Row[] = [];
  for (const b of backends) {
    try {
      rows.push(...await benchBackend(b, dims, runs, modes));
    } catch (e) {
      process.stderr.write(`${b}: skipped (${(e as Error).message})\n`);
    }
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({dims: {batch: dims[0], time: dims[1], input: dims[2], units: dims[3]}, runs, rows}, null, 2) + '\n');
    return;
  }
  process.stdout.write(`B=${dims[0]} T=${dims[1]} D=${dims[2]} U=${dims[3]}, median of ${runs} runs\n`);
  process.stdout.write('backend     task              mode  TF1GRU ms  tf.layers.gru ms  built-in / TF1GRU\n');
  for (const r of rows) {
    process.stdout.write(`${r.backend.padEnd(10)}  ${r.task.padEnd(16)}  ${r.mode.padEnd(4)}  ${r.tf1GruMs.toFixed(1).padStart(9)}  ${
        r.builtinMs.toFixed(1).padStart(16)}  ${r.ratio.toFixed(2).padStart(17)}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
