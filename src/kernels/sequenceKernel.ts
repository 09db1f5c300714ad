/**
 * The contract of a whole-sequence GRU kernel that runs outside tfjs's op loop
 * (native/gru_kernel.c, built as a Node addon with OpenBLAS or as SIMD wasm).
 * Plain Float32Arrays in and out, canonical r | z | h layout (see
 * src/math/gruSequence.ts and native/gru_kernel.h for the exact semantics).
 */

/** Activation codes, as enum gk_activation in native/gru_kernel.h. */
export const ACTIVATION_CODES: Readonly<Record<string, number>> = {
  tanh: 0,
  sigmoid: 1,
  hardSigmoid: 2,
  linear: 3,
  relu: 4,
};

/**
 * The sizes and options of one sequence run (B, T, D, U and the cell's variant).
 * @category Backends and kernels
 */
export interface SequenceKernelDims {
  batch: number;
  time: number;
  inputSize: number;
  units: number;
  resetAfter: boolean;
  /** ACTIVATION_CODES value of the candidate activation. */
  activation: number;
  /** ACTIVATION_CODES value of the gate activation. */
  recurrentActivation: number;
  goBackwards: boolean;
}

/**
 * The inputs of one sequence run, as flat row-major arrays.
 * @category Backends and kernels
 */
export interface SequenceKernelInputs {
  /** [B, T, D] */
  x: Float32Array;
  /** [D, 3U] */
  W: Float32Array;
  /** [U, 3U] */
  R: Float32Array;
  /** [3U] or null */
  bx: Float32Array|null;
  /** [3U] or null (reset-after only) */
  bh: Float32Array|null;
  /** [B, U] */
  h0: Float32Array;
  /** [B, T] of 0/1, or null */
  mask: Float32Array|null;
  /**
   * An object that stands for these weight values (W, R, bx, bh): a kernel may
   * keep the weights prepared (the wasm kernel: in its memory) between calls
   * with the same key and the same arrays. Never pass a key again after
   * changing the arrays' values. Without it the weights are read anew each call.
   */
  weightsKey?: object;
}

/**
 * What {@link SequenceKernel.forward} returns.
 * @category Backends and kernels
 */
export interface SequenceKernelForward {
  /** [B, T, U] in processing order. */
  y: Float32Array;
  /** [B, U] */
  hT: Float32Array;
  /** What backward needs; null unless asked for. */
  workspace: Float32Array|null;
}

/**
 * What {@link SequenceKernel.backward} returns: the gradients of every input, shaped as the inputs.
 * @category Backends and kernels
 */
export interface SequenceKernelGradients {
  dx: Float32Array;
  dW: Float32Array;
  dR: Float32Array;
  /** [3U] (zeros if bx was null) */
  dbx: Float32Array;
  /** [3U] (zeros if bh was null) */
  dbh: Float32Array;
  dh0: Float32Array;
}

/**
 * A whole-sequence GRU kernel (forward and backward over all T steps in one call).
 * @category Backends and kernels
 */
export interface SequenceKernel {
  /** e.g. 'native-openblas', 'wasm-simd' */
  readonly name: string;
  /** Runs the sequence; keeps the workspace backward needs when `keepWorkspace`. */
  forward(dims: SequenceKernelDims, inputs: SequenceKernelInputs, keepWorkspace: boolean): SequenceKernelForward;
  /**
   * dy [B, T, U] (processing order), dhT [B, U]. Once per forward: the kernel may take
   * the workspace back for a later forward, so the caller must not read it afterwards.
   */
  backward(
      dims: SequenceKernelDims, inputs: SequenceKernelInputs, workspace: Float32Array, dy: Float32Array,
      dhT: Float32Array): SequenceKernelGradients;
  /** Threads the kernel may use (native only; wasm is single-threaded). */
  setThreads?(n: number): void;
}
