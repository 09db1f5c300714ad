/**
 * What the peer benchmark's orchestrator and its worker processes share: the
 * sizes, the job a worker is given (a JSON file) and the result it writes back.
 * Workers in Python read the same JSON (bench/peers/workers/common.py).
 */

/** One benchmark size: batch B, time steps T, input features D, units U. */
export interface Size {
  name: string;
  B: number;
  T: number;
  D: number;
  U: number;
}

export const SIZES: readonly Size[] = [
  {name: 'step', B: 1, T: 1, D: 64, U: 256},
  {name: 'latency', B: 1, T: 50, D: 32, U: 64},
  {name: 'medium', B: 32, T: 100, D: 64, U: 128},
  {name: 'large', B: 64, T: 200, D: 128, U: 256},
];

export type Task = 'forward' | 'train';
export const TASKS: readonly Task[] = ['forward', 'train'];

/** Which GRU function a row computes: reset-before (TF1, Keras reset_after=False, tfjs), reset-after (CuDNN, PyTorch), or none (the BLAS floor). */
export type Mode = 'rb' | 'ra' | 'none';

/** FLOPs of the GRU's matmuls: 2·B·T·3U·(D+U) forward; a training step counts 3× that. */
export function gruFlops(s: Size, task: Task): number {
  const fwd = 2 * s.B * s.T * 3 * s.U * (s.D + s.U);
  return task === 'train' ? 3 * fwd : fwd;
}

/** The job of one worker process (written as JSON, path passed as the only argument). */
export interface WorkerJob {
  /** Peer id, e.g. 'ours@tensorflow', 'ort-node', 'tf-python'. */
  peer: string;
  /** Directory with <size>/x.npy, kernel.npy, recurrent_kernel.npy, bias.npy (3U), bias_ra.npy (2, 3U). */
  dataDir: string;
  /** Where forward outputs go: <outDir>/<peer>.<variant>.<size>.f32 (raw little-endian float32, [B, T, U]). */
  outDir: string;
  /** Where the worker writes its WorkerResult as JSON. */
  resultFile: string;
  sizes: Size[];
  tasks: Task[];
  runs: number;
  warmup: number;
  /** Stop timing a row after this many seconds of timed runs (at least one run is always made). */
  maxSeconds: number;
  threads: number;
  /** Peer-specific settings (backend name, runtime, ...). */
  options: Record<string, string>;
}

/** One measured (or failed) row of a worker. */
export interface WorkerRow {
  /** Variant within the peer, e.g. 'gru-ra', 'tf1Gru', 'lbr=1'. */
  variant: string;
  mode: Mode;
  size: string;
  task: Task;
  /** Timed runs, ms (after warm-up). */
  timesMs: number[];
  /** Peak bytes of tensors alive during one run (tfjs rows: tf.profile peakBytes). */
  peakBytes?: number;
  /** Forward output file (forward rows), for the correctness check. */
  outputFile?: string;
  /** Why this row has no timings. */
  error?: string;
  note?: string;
}

export interface WorkerResult {
  peer: string;
  /** Lines about the runtime: versions, threads, BLAS, backend. */
  notes: string[];
  rows: WorkerRow[];
  /** Set when the whole peer could not run. */
  unavailable?: string;
}

export function outputFileName(peer: string, variant: string, size: string): string {
  return `${peer.replace(/[^A-Za-z0-9_.-]/g, '_')}.${variant.replace(/[^A-Za-z0-9_.-]/g, '_')}.${size}.f32`;
}
