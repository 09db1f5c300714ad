/** The peers of the benchmark: how each one is started, and which backend family its rows belong to. */
import * as path from 'path';

import {ensureNpmPeers, ensureTorch, ensureVenvPython, Log, tsNodeRegister} from './setup';
import {Size, Task} from './spec';

/** Rows are compared with our layers on the same family: native code, wasm, or plain JavaScript. */
export type Family = 'native' | 'wasm' | 'cpu';

export interface PeerDef {
  id: string;
  /** What the rows are, for the table's legend. */
  title: string;
  family: Family;
  /** Our own layers (the reference for ratios and the output check). */
  ours: boolean;
  /** The sizes this peer runs (cpu: latency only). */
  sizes(all: Size[]): Size[];
  tasks: readonly Task[];
  /** How to start the worker: a command line and extra environment, or why it cannot run. */
  command(log: Log, install: boolean): {argv: string[], env: Record<string, string | undefined>, note?: string} | {error: string};
}

const WORKERS = path.join(__dirname, 'workers');

function tsWorker(file: string) {
  return (): {argv: string[], env: Record<string, string>} | {error: string} => {
    const reg = tsNodeRegister();
    if (!reg.ok) return {error: reg.detail};
    return {argv: [process.execPath, '-r', reg.detail, path.join(WORKERS, file)], env: {}};
  };
}

function tfjsPeer(impl: 'ours' | 'layers', backend: 'tensorflow' | 'wasm' | 'cpu'): PeerDef {
  const ours = impl === 'ours';
  return {
    id: `${ours ? 'ours' : 'tfjs-layers'}@${backend}`,
    title: ours ? `tfjs-gru layers (tf1Gru, gru resetAfter false/true) on tfjs '${backend}'` :
                  `tf.layers.gru (reset-before, recurrentActivation 'sigmoid') on tfjs '${backend}'`,
    family: backend === 'tensorflow' ? 'native' : backend,
    ours,
    sizes: (all) => backend === 'cpu' ? all.filter((s) => s.name === 'latency') : all,
    tasks: ['forward', 'train'],
    command: tsWorker('tfjs.ts'),
  };
}

/** Environment that makes numpy's current OpenBLAS pick its own kernel (see .library env notes: only in that command). */
const UNSET_OPENBLAS_CORETYPE = {OPENBLAS_CORETYPE: undefined, OPENBLAS_L2_SIZE: undefined};

export const PEERS: PeerDef[] = [
  tfjsPeer('ours', 'tensorflow'),
  tfjsPeer('ours', 'wasm'),
  tfjsPeer('ours', 'cpu'),
  tfjsPeer('layers', 'tensorflow'),
  tfjsPeer('layers', 'wasm'),
  {
    id: 'ort-node', title: 'onnxruntime-node, one ONNX GRU node, batch-major (with the transposes)', family: 'native',
    ours: false, sizes: (a) => a, tasks: ['forward'],
    command: (log, install) => {
      const r = ensureNpmPeers(log, install);
      return r.ok ? tsWorker('onnx.ts')() : {error: r.detail};
    },
  },
  {
    id: 'ort-web', title: 'onnxruntime-web (wasm, in Node), one ONNX GRU node, batch-major (with the transposes)',
    family: 'wasm', ours: false, sizes: (a) => a, tasks: ['forward'],
    command: (log, install) => {
      const r = ensureNpmPeers(log, install);
      return r.ok ? tsWorker('onnx.ts')() : {error: r.detail};
    },
  },
  {
    id: 'tf-python', title: 'TensorFlow Python, tf_keras GRU in a tf.function', family: 'native', ours: false,
    sizes: (a) => a, tasks: ['forward', 'train'],
    command: (log, install) => {
      const r = ensureVenvPython(log, install);
      return r.ok ? {argv: [r.detail, path.join(WORKERS, 'tf_keras_gru.py')], env: {...UNSET_OPENBLAS_CORETYPE, PYTHONDONTWRITEBYTECODE: '1'}} :
                    {error: r.detail};
    },
  },
  {
    id: 'torch', title: 'PyTorch nn.GRU (Debian python3-torch, OpenBLAS preloaded)', family: 'native', ours: false,
    sizes: (a) => a, tasks: ['forward', 'train'],
    command: (log, install) => {
      const r = ensureTorch(log, install);
      // Debian's OpenBLAS 0.3.21 is the older build that OPENBLAS_CORETYPE protects: keep it as set.
      return r.ok ? {argv: [r.python!, path.join(WORKERS, 'torch_gru.py')], env: {LD_PRELOAD: r.ldPreload!, PYTHONDONTWRITEBYTECODE: '1'}} :
                    {error: r.detail};
    },
  },
  {
    id: 'floor', title: 'BLAS floor: numpy (OpenBLAS) matmuls of the GRU\'s shapes, no elementwise work', family: 'native',
    ours: false, sizes: (a) => a, tasks: ['forward', 'train'],
    command: (log, install) => {
      const r = ensureVenvPython(log, install);
      return r.ok ? {argv: [r.detail, path.join(WORKERS, 'blas_floor.py')], env: {...UNSET_OPENBLAS_CORETYPE, PYTHONDONTWRITEBYTECODE: '1'}} :
                    {error: r.detail};
    },
  },
];

/** Worker options of a peer id. */
export function workerOptions(id: string): Record<string, string> {
  const [name, backend] = id.split('@');
  if (name === 'ours' || name === 'tfjs-layers') return {backend, impl: name === 'ours' ? 'ours' : 'layers'};
  if (name === 'ort-node') return {runtime: 'node'};
  if (name === 'ort-web') return {runtime: 'web'};
  return {};
}

/** Peers selected by a --peers list: ids ('ours@wasm') or names before '@' ('ours', 'tfjs-layers'). */
export function selectPeers(filter: string[] | undefined): PeerDef[] {
  if (!filter || filter.length === 0) return PEERS;
  const unknown = filter.filter((f) => !PEERS.some((p) => p.id === f || p.id.split('@')[0] === f));
  if (unknown.length) {
    throw new Error(`--peers: unknown peer(s) ${unknown.join(', ')}; known: ${PEERS.map((p) => p.id).join(', ')} ` +
                    `(or a name before '@': ours, tfjs-layers)`);
  }
  return PEERS.filter((p) => filter.some((f) => p.id === f || p.id.split('@')[0] === f));
}
