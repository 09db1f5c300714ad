/**
 * Worker: onnxruntime running one ONNX GRU node (bench/peers/onnxModel.ts), batch-major with the transposes.
 *   options.runtime: node -> onnxruntime-node (CPU execution provider)
 *                    web  -> onnxruntime-web (wasm execution provider, in Node)
 * Both linear_before_reset values: lbr=0 is the reset-before GRU, lbr=1 the reset-after one.
 * Forward only: onnxruntime is an inference runtime (training needs onnxruntime-training, not benchmarked).
 * Packages come from the bench-only install in bench/peers/node_modules (typed loosely here so that
 * `npm run lint` does not depend on that install).
 */
import {Mode, WorkerResult, WorkerRow} from '../spec';
import {gruModel} from '../onnxModel';
import {readJob, readSize, writeOutput, writeResult} from './io';
import {Candidate, errorText, measure} from './measure';

interface OrtTensor { data: Float32Array; dims: readonly number[]; }
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  env: {versions: Record<string, string>, wasm: {numThreads?: number, simd?: boolean, proxy?: boolean}, logLevel?: string};
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: {create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession>};
}

const VARIANTS: Array<{variant: string, mode: Mode, lbr: 0|1}> = [
  {variant: 'lbr=0', mode: 'rb', lbr: 0},
  {variant: 'lbr=1', mode: 'ra', lbr: 1},
];

async function main(): Promise<void> {
  const job = readJob();
  const runtime = job.options.runtime;
  const result: WorkerResult = {peer: job.peer, notes: [], rows: []};
  let ort: Ort;
  const sessionOptions: Record<string, unknown> = {graphOptimizationLevel: 'all', executionMode: 'sequential'};
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    ort = require(runtime === 'node' ? 'onnxruntime-node' : 'onnxruntime-web') as Ort;
    ort.env.logLevel = 'error';
    if (runtime === 'node') {
      Object.assign(sessionOptions, {executionProviders: ['cpu'], intraOpNumThreads: job.threads, interOpNumThreads: 1});
      result.notes.push(`onnxruntime-node ${ort.env.versions.node}, CPU execution provider, intraOpNumThreads ${job.threads}`);
    } else {
      ort.env.wasm.numThreads = job.threads;
      Object.assign(sessionOptions, {executionProviders: ['wasm']});
      result.notes.push(`onnxruntime-web ${ort.env.versions.web}, wasm execution provider in Node, ` +
                        `env.wasm.numThreads ${job.threads} (in Node its thread pool runs in worker_threads, so these rows use ` +
                        `${job.threads} thread(s); tfjs-backend-wasm uses 1)`);
    }
  } catch (e) {
    result.unavailable = `cannot load onnxruntime-${runtime}: ${errorText(e)}`;
    writeResult(job, result);
    return;
  }
  if (job.tasks.includes('train')) {
    result.notes.push('train: not measured (onnxruntime is an inference runtime)');
  }
  for (const s of job.sizes) {
    if (!job.tasks.includes('forward')) break;
    const d = readSize(job, s);
    const x = new ort.Tensor('float32', d.x, [s.B, s.T, s.D]);
    const sessions = new Map<string, OrtSession>();
    const rows = new Map<string, WorkerRow>();
    const cands: Candidate[] = [];
    for (const v of VARIANTS) {
      const row: WorkerRow = {variant: v.variant, mode: v.mode, size: s.name, task: 'forward', timesMs: []};
      result.rows.push(row);
      rows.set(v.variant, row);
      try {
        const rb = v.mode === 'rb';
        const model = gruModel(s.B, s.T, s.D, s.U, {
          kernel: d.kernel,
          recurrentKernel: d.recurrentKernel,
          inputBias: rb ? d.bias : d.biasRa.subarray(0, 3 * s.U),
          recurrentBias: rb ? new Float32Array(3 * s.U) : d.biasRa.subarray(3 * s.U),
        }, v.lbr);
        const session = await ort.InferenceSession.create(model, sessionOptions);
        sessions.set(v.variant, session);
        const y = (await session.run({X: x})).Y;
        row.outputFile = writeOutput(job, v.variant, s.name, y.data);
        cands.push({key: v.variant, run: async () => {
          (await session.run({X: x})).Y.data;
        }});
      } catch (e) {
        row.error = errorText(e);
      }
    }
    // Each candidate has run once already (to write its output): that is the first warm-up.
    const measured = await measure(cands, job.runs, Math.max(0, job.warmup - 1), job.maxSeconds);
    for (const [key, m] of measured) {
      rows.get(key)!.timesMs = m.timesMs;
      if (m.error) rows.get(key)!.error = m.error;
    }
    for (const session of sessions.values()) await session.release();
  }
  writeResult(job, result);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack || e}\n`);
  process.exitCode = 1;
});
