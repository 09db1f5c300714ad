/**
 * Worker: tfjs layers on one tfjs backend, through the public API.
 *   options.backend: tensorflow | wasm | cpu
 *   options.impl:    ours   -> tf1Gru (TF1 layout), gru resetAfter false, gru resetAfter true
 *                    layers -> tf.layers.gru (reset-before, recurrentActivation 'sigmoid')
 * Forward: layer.apply(x) + dataSync. Train: tf.variableGrads of sum(apply(x)) w.r.t. every weight and x,
 * every gradient downloaded. Train at the 'large' size also reports tf.profile peakBytes over the bytes alive
 * before the step.
 */
import * as tf from '@tensorflow/tfjs';

import {convertWeights, gru, tf1Gru} from '../../../src';
import {BackendName, selectBackend} from '../../../src/node/backend';
import {Mode, WorkerResult, WorkerRow} from '../spec';
import {readJob, readSize, SizeData, writeOutput, writeResult} from './io';
import {Candidate, errorText, measure} from './measure';

const VARIANTS: Record<string, Array<{variant: string, mode: Mode}>> = {
  ours: [{variant: 'tf1Gru', mode: 'rb'}, {variant: 'gru-rb', mode: 'rb'}, {variant: 'gru-ra', mode: 'ra'}],
  layers: [{variant: 'tf.layers.gru', mode: 'rb'}],
};

/** The weights are set right after building: skip the (slow, orthogonal) initialisation. */
const ZEROS = {kernelInitializer: 'zeros', recurrentInitializer: 'zeros'} as const;

function makeLayer(variant: string, d: SizeData): tf.layers.Layer {
  const {B, T, D, U} = d.size;
  const layer: tf.layers.Layer =
      variant === 'tf1Gru' ? tf1Gru({units: U, returnSequences: true, kernelInitializer: 'zeros'}) :
      variant === 'gru-rb' ? gru({units: U, returnSequences: true, resetAfter: false, ...ZEROS}) :
      variant === 'gru-ra' ? gru({units: U, returnSequences: true, resetAfter: true, ...ZEROS}) :
      tf.layers.gru({units: U, returnSequences: true, recurrentActivation: 'sigmoid', ...ZEROS});
  layer.apply(tf.input({batchShape: [B, T, D]}));  // builds the weights without computing anything
  tf.tidy(() => {
    const kernel = tf.tensor2d(d.kernel, [D, 3 * U]);
    const recurrent = tf.tensor2d(d.recurrentKernel, [U, 3 * U]);
    if (variant === 'tf1Gru') {
      const w = convertWeights({kernel, recurrent_kernel: recurrent, bias: tf.tensor1d(d.bias)}, 'keras', 'tf1');
      layer.setWeights([w['gates/kernel'], w['gates/bias'], w['candidate/kernel'], w['candidate/bias']]);
    } else if (variant === 'gru-ra') {
      layer.setWeights([kernel, recurrent, tf.tensor2d(d.biasRa, [2, 3 * U])]);
    } else {
      layer.setWeights([kernel, recurrent, tf.tensor1d(d.bias)]);
    }
  });
  return layer;
}

function forward(layer: tf.layers.Layer, x: tf.Tensor): Float32Array {
  // Read the output outside tf.tidy: a typed array returned from tidy is walked element by element
  // (tfjs's walkTensorContainer), which cost ~300 ms at the medium size and is no part of a GRU.
  const y = tf.tidy(() => layer.apply(x) as tf.Tensor);
  const values = y.dataSync() as Float32Array;
  y.dispose();
  return values;
}

function trainStep(layer: tf.layers.Layer, x: tf.Variable): void {
  tf.tidy(() => {
    const vars = [...layer.trainableWeights.map((w) => w.read() as tf.Variable), x];
    const {value, grads} = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, vars);
    value.dataSync();
    for (const g of Object.values(grads)) g.dataSync();
  });
}

/** Peak tensor bytes of one training step over the bytes alive before it (tf.profile). */
async function trainPeakBytes(layer: tf.layers.Layer, x: tf.Variable): Promise<number> {
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => trainStep(layer, x));
  return info.kernels.length ? info.peakBytes - before : 0;
}

async function main(): Promise<void> {
  const job = readJob();
  const backend = job.options.backend as BackendName;
  const impl = job.options.impl;
  const result: WorkerResult = {peer: job.peer, notes: [], rows: []};
  try {
    if (backend === 'wasm') {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const wasm = require('@tensorflow/tfjs-backend-wasm');
      wasm.setThreadsCount(job.threads);
    }
    const info = await selectBackend(backend);
    result.notes.push(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}: ${info.reason}`);
    if (impl === 'ours' && backend === 'wasm') {
      // Our wasm kernel gets the peers' thread count (worker_threads on a shared memory).
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const threads = require('../../../src/kernels/wasm/wasmKernelThreads');
      const used = await threads.setWasmKernelThreads(job.threads);
      result.notes.push(`our wasm GRU kernel: ${used} thread(s) (asked for ${job.threads})` +
                        (used < job.threads ? `: ${threads.wasmKernelThreadsUnavailableReason()}` : ''));
    }
    if (impl === 'ours') {
      // Which whole-sequence kernel (or the tfjs-op path) our layers run on this backend; optional, as the
      // registry is newer than this benchmark.
      try {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const registry = require('../../../src/kernels/registry');
        if (typeof registry.sequenceKernelDescription === 'function') {
          result.notes.push(`GRU sequence kernel: ${registry.sequenceKernelDescription(backend)}`);
        }
      } catch (e) {
        result.notes.push(`GRU sequence kernel: unknown (${errorText(e)})`);
      }
    }
    if (backend === 'wasm') {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const n = require('@tensorflow/tfjs-backend-wasm').getThreadsCount();
      result.notes.push(`wasm threads: ${n} (asked for ${job.threads}; tfjs-backend-wasm runs its single-threaded ` +
                        `SIMD build when threads are unavailable in Node)`);
    } else if (backend === 'tensorflow') {
      result.notes.push(`TF threads: TF_NUM_INTRAOP_THREADS=${process.env.TF_NUM_INTRAOP_THREADS} ` +
                        `TF_NUM_INTEROP_THREADS=${process.env.TF_NUM_INTEROP_THREADS} (environment)`);
    } else {
      result.notes.push('cpu backend: plain JavaScript, one thread');
    }
  } catch (e) {
    result.unavailable = errorText(e);
    writeResult(job, result);
    return;
  }
  const variants = VARIANTS[impl];
  for (const s of job.sizes) {
    const d = readSize(job, s);
    const x = tf.tensor3d(d.x, [s.B, s.T, s.D]);
    const xVar = tf.variable(x);
    const layers = new Map<string, tf.layers.Layer>();
    const built: Array<{variant: string, mode: Mode}> = [];
    for (const v of variants) {
      try {
        layers.set(v.variant, makeLayer(v.variant, d));
        built.push(v);
      } catch (e) {
        for (const task of job.tasks) result.rows.push({variant: v.variant, mode: v.mode, size: s.name, task, timesMs: [], error: errorText(e)});
      }
    }
    for (const task of job.tasks) {
      const rows = new Map<string, WorkerRow>();
      const cands: Candidate[] = [];
      for (const v of built) {
        const layer = layers.get(v.variant)!;
        const row: WorkerRow = {variant: v.variant, mode: v.mode, size: s.name, task, timesMs: []};
        rows.set(v.variant, row);
        result.rows.push(row);
        try {
          if (task === 'forward') {
            row.outputFile = writeOutput(job, v.variant, s.name, forward(layer, x));
            cands.push({key: v.variant, run: () => void forward(layer, x)});
          } else {
            trainStep(layer, xVar);
            cands.push({key: v.variant, run: () => trainStep(layer, xVar)});
          }
        } catch (e) {
          row.error = errorText(e);
        }
      }
      // Each candidate has run once already (its output, or a first training step): that is the first warm-up.
      const measured = await measure(cands, job.runs, Math.max(0, job.warmup - 1), job.maxSeconds);
      for (const [key, m] of measured) {
        const row = rows.get(key)!;
        row.timesMs = m.timesMs;
        if (m.error) row.error = m.error;
      }
      if (task === 'train' && s.name === 'large' && job.options.memory !== '0') {
        for (const v of built) {
          const row = rows.get(v.variant)!;
          if (row.error) continue;
          try {
            row.peakBytes = await trainPeakBytes(layers.get(v.variant)!, xVar);
          } catch (e) {
            row.note = `peak bytes: ${errorText(e)}`;
          }
        }
      }
    }
    for (const l of layers.values()) l.dispose();
    tf.dispose([x, xVar]);
  }
  writeResult(job, result);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack || e}\n`);
  process.exitCode = 1;
});
