/** File I/O shared by the TypeScript workers: the job, the data of a size, outputs and the result. */
import * as fs from 'fs';
import * as path from 'path';

import {parseNpy} from '../../../src/fixtures/npy';
import {outputFileName, Size, WorkerJob, WorkerResult} from '../spec';

export interface SizeData {
  size: Size;
  /** [B, T, D] */
  x: Float32Array;
  /** Keras layout, columns z | r | h: [D, 3U] */
  kernel: Float32Array;
  /** [U, 3U] */
  recurrentKernel: Float32Array;
  /** reset-before bias [3U] */
  bias: Float32Array;
  /** reset-after bias [2, 3U]: input row, recurrent row */
  biasRa: Float32Array;
}

export function readJob(): WorkerJob {
  const file = process.argv[2];
  if (!file) throw new Error('usage: worker JOB.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as WorkerJob;
}

function npy(dir: string, name: string, shape: number[]): Float32Array {
  const file = path.join(dir, `${name}.npy`);
  const a = parseNpy(fs.readFileSync(file), file);
  if (a.dtype !== 'float32' || a.shape.join(',') !== shape.join(',')) {
    throw new Error(`${file}: expected float32 [${shape}], got ${a.dtype} [${a.shape}]`);
  }
  return a.data as Float32Array;
}

export function readSize(job: WorkerJob, s: Size): SizeData {
  const dir = path.join(job.dataDir, s.name);
  return {
    size: s,
    x: npy(dir, 'x', [s.B, s.T, s.D]),
    kernel: npy(dir, 'kernel', [s.D, 3 * s.U]),
    recurrentKernel: npy(dir, 'recurrent_kernel', [s.U, 3 * s.U]),
    bias: npy(dir, 'bias', [3 * s.U]),
    biasRa: npy(dir, 'bias_ra', [2, 3 * s.U]),
  };
}

/** Writes a forward output [B, T, U] as raw little-endian float32; returns the file name (relative to outDir). */
export function writeOutput(job: WorkerJob, variant: string, size: string, data: Float32Array): string {
  const name = outputFileName(job.peer, variant, size);
  fs.writeFileSync(path.join(job.outDir, name), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return name;
}

export function writeResult(job: WorkerJob, result: WorkerResult): void {
  fs.writeFileSync(job.resultFile, JSON.stringify(result, null, 1));
}
