/**
 * The native whole-sequence GRU kernel (native/gru_kernel.c with OpenBLAS), a
 * Node addon built by `tfjs-gru setup-node` (tools/build-native.sh) into
 * native/build/tfjs_gru_native.node. Node-only.
 */
import * as fs from 'fs';
import * as path from 'path';

import {
  SequenceKernel, SequenceKernelDims, SequenceKernelForward, SequenceKernelGradients, SequenceKernelInputs,
} from '../kernels/sequenceKernel';

interface NativeAddon {
  forward(dims: Int32Array, x: Float32Array, W: Float32Array, R: Float32Array, bx: Float32Array|null,
          bh: Float32Array|null, h0: Float32Array, mask: Float32Array|null, keep: boolean,
          reuse: Float32Array|null): [Float32Array, Float32Array, Float32Array|null];
  backward(dims: Int32Array, x: Float32Array, W: Float32Array, R: Float32Array, bx: Float32Array|null,
           bh: Float32Array|null, h0: Float32Array, mask: Float32Array|null, ws: Float32Array, dy: Float32Array,
           dhT: Float32Array): Float32Array[];
  setThreads(n: number): void;
  threads(): number;
}

/**
 * Where tools/build-native.sh puts the addon (this file is src/node/ or dist/node/).
 * @category Backends and kernels
 */
export const NATIVE_ADDON_PATH = path.join(__dirname, '..', '..', 'native', 'build', 'tfjs_gru_native.node');

let loaded: {kernel: SequenceKernel|null, why: string}|undefined;

function packDims(d: SequenceKernelDims): Int32Array {
  return Int32Array.from([
    d.batch, d.time, d.inputSize, d.units, d.resetAfter ? 1 : 0, d.activation, d.recurrentActivation,
    d.goBackwards ? 1 : 0,
  ]);
}

/**
 * Workspaces whose backward pass is done, kept for the next training step's forward
 * (the addon overwrites every number): a training loop then stops allocating,
 * zeroing and page-faulting megabytes per step. A few, of the sizes last used.
 */
/**
 * gk_workspace_floats(d) + 1 (native/gru_kernel.c): h_prev, r, z, c (and, reset-after,
 * the candidate's h·R) per step and row, then the batch-part count. The addon checks it.
 */
function workspaceFloats(d: SequenceKernelDims): number {
  return (d.resetAfter ? 5 : 4) * d.time * d.batch * d.units + 1;
}

class WorkspacePool {
  private readonly free: Float32Array[] = [];
  constructor(private readonly capacity = 4) {}

  take(length: number): Float32Array|null {
    const i = this.free.findIndex((w) => w.length === length);
    return i < 0 ? null : this.free.splice(i, 1)[0];
  }

  give(w: Float32Array): void {
    this.free.push(w);
    if (this.free.length > this.capacity) this.free.shift();
  }
}

class NativeKernel implements SequenceKernel {
  readonly name = 'native-openblas';
  private readonly pool = new WorkspacePool();
  constructor(private readonly addon: NativeAddon) {}

  forward(dims: SequenceKernelDims, i: SequenceKernelInputs, keepWorkspace: boolean): SequenceKernelForward {
    const reuse = keepWorkspace ? this.pool.take(workspaceFloats(dims)) : null;
    const [y, hT, workspace] =
        this.addon.forward(packDims(dims), i.x, i.W, i.R, i.bx, i.bh, i.h0, i.mask, keepWorkspace, reuse);
    return {y, hT, workspace};
  }

  /** The workspace is given back to the pool: the caller must not use it afterwards (kernelGruSequence does not). */
  backward(dims: SequenceKernelDims, i: SequenceKernelInputs, workspace: Float32Array, dy: Float32Array,
           dhT: Float32Array): SequenceKernelGradients {
    const [dx, dW, dR, dbx, dbh, dh0] =
        this.addon.backward(packDims(dims), i.x, i.W, i.R, i.bx, i.bh, i.h0, i.mask, workspace, dy, dhT);
    this.pool.give(workspace);
    return {dx, dW, dR, dbx, dbh, dh0};
  }

  setThreads(n: number): void {
    this.addon.setThreads(n);
  }

  threads(): number {
    return this.addon.threads();
  }
}

/**
 * Loads the addon once; returns it, or null with the reason (not built, failed to load).
 * @category Backends and kernels
 */
export function loadNativeKernel(): {kernel: SequenceKernel|null, why: string} {
  if (loaded) return loaded;
  if (!fs.existsSync(NATIVE_ADDON_PATH)) {
    loaded = {kernel: null, why: `native GRU kernel not built (${NATIVE_ADDON_PATH}); run \`npx tfjs-gru setup-node\``};
    return loaded;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const addon = require(NATIVE_ADDON_PATH) as NativeAddon;
    const kernel = new NativeKernel(addon);
    const threads = process.env.TFJS_GRU_THREADS;
    if (threads !== undefined && threads !== '') {
      const n = Number(threads);
      if (!Number.isInteger(n) || n < 1) throw new Error(`TFJS_GRU_THREADS must be a positive integer, got '${threads}'`);
      kernel.setThreads(n);
    }
    loaded = {kernel, why: ''};
  } catch (e) {
    loaded = {kernel: null, why: `native GRU kernel failed to load: ${String((e as Error).message).split('\n')[0]}`};
  }
  return loaded;
}
