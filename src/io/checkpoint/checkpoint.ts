/**
 * A TensorFlow checkpoint opened from bytes (works in a browser): the variables
 * listed from the index alone, tensors read on demand from the shards, CRC-checked,
 * and the TF2 object graph resolved when present.
 */
import * as tf from '@tensorflow/tfjs';

import {bytesShard, CheckpointHeader, CheckpointTensor, CheckpointVariable, OBJECT_GRAPH_KEY, shardFileName,
        ShardSource, TensorBundle} from './bundle';
import {CheckpointError} from './errors';
import {TensorSource} from '../tensorSource';
import {ObjectGraph, decode} from './protos';
import {ObjectGraphVariable, ResolvedObjectGraph, resolveObjectGraph} from './objectGraph';

/**
 * Options of {@link Checkpoint.read}.
 * @category Readers
 */
export interface ReadOptions {
  /** tfjs has no float64: 'round' reads a float64 variable as float32 (rounded); default: refuse. */
  float64?: 'refuse' | 'round';
}

/**
 * An open TensorFlow checkpoint: its variable list, object graph and tensors, read on demand.
 * @category Readers
 */
export interface Checkpoint extends TensorSource {
  /** The prefix (or a name for a bytes-opened checkpoint) used in messages. */
  readonly prefix: string;
  /** The bundle header (number of shards, endianness, version). */
  readonly header: CheckpointHeader;
  /** Every variable in the index (the object graph's own entry included), in key order. */
  readonly variables: CheckpointVariable[];
  /** The TF2 object graph, or null for a TF1 (name-based) checkpoint (read from its shard on first use). */
  readonly objectGraph: ResolvedObjectGraph | null;
  /** Whether the index holds a variable of that name. */
  has(name: string): boolean;
  /** The variable's index entry; throws CheckpointError 'NO_SUCH_VARIABLE' if absent. */
  variable(name: string): CheckpointVariable;
  /** Object-graph facts of a TF2 variable (readable path, slot), or null. */
  objectInfo(name: string): ObjectGraphVariable | null;
  /** The variable as a tf.Tensor (float16/bfloat16 → float32 exactly, small ints → int32, bool, string). */
  read(name: string, options?: ReadOptions): tf.Tensor;
  /** The variable's exact values. */
  readValues(name: string): CheckpointTensor;
  /** Closes the shards' sources; reading a variable afterwards throws CheckpointError 'CLOSED'. Idempotent. */
  close(): void;
}

class BundleCheckpoint implements Checkpoint {
  readonly header: CheckpointHeader;
  readonly variables: CheckpointVariable[];
  private graph: ResolvedObjectGraph | null | undefined;

  constructor(readonly prefix: string, private readonly bundle: TensorBundle) {
    this.header = bundle.header;
    this.variables = bundle.variables;
  }

  get file(): string {
    return this.bundle.indexName;
  }

  /** Read from the shard on first use (the one string tensor that is metadata). */
  get objectGraph(): ResolvedObjectGraph | null {
    if (this.graph === undefined) this.graph = this.loadObjectGraph();
    return this.graph;
  }

  private loadObjectGraph(): ResolvedObjectGraph | null {
    const bundle = this.bundle;
    if (bundle.has(OBJECT_GRAPH_KEY)) {
      const t = bundle.readValues(OBJECT_GRAPH_KEY);
      if (t.dtype !== 'string' || t.shape.length !== 0) {
        throw new CheckpointError('BAD_OBJECT_GRAPH', bundle.indexName,
            `${OBJECT_GRAPH_KEY}: ${t.dtype} [${t.shape.join(', ')}] (expected a scalar string)`);
      }
      let graph: ObjectGraph;
      try {
        graph = decode<ObjectGraph>('TrackableObjectGraph', (t.values as Uint8Array[])[0]);
      } catch (e) {
        throw new CheckpointError('BAD_OBJECT_GRAPH', bundle.indexName,
            `${OBJECT_GRAPH_KEY}: not a valid TrackableObjectGraph (${(e as Error).message})`);
      }
      return resolveObjectGraph(graph, bundle.indexName);
    }
    return null;
  }

  has(name: string): boolean {
    return this.bundle.has(name);
  }

  variable(name: string): CheckpointVariable {
    return this.bundle.variable(name);
  }

  objectInfo(name: string): ObjectGraphVariable | null {
    return this.objectGraph?.byKey.get(name) ?? null;
  }

  readValues(name: string): CheckpointTensor {
    return this.bundle.readValues(name);
  }

  read(name: string, options: ReadOptions = {}): tf.Tensor {
    const t = this.bundle.readValues(name);
    const file = this.bundle.indexName;
    switch (t.dtype) {
      case 'float32': case 'float16': case 'bfloat16':
        return tf.tensor(t.values as Float32Array, t.shape, 'float32');
      case 'float64':
        if (options.float64 !== 'round') {
          throw new CheckpointError('UNSUPPORTED_DTYPE', file,
              `variable '${name}' is float64, which tfjs does not have; read it with {float64: 'round'} to get ` +
              'float32, or readValues() for the exact values');
        }
        return tf.tensor(Float32Array.from(t.values as Float64Array), t.shape, 'float32');
      case 'int8': case 'int16': case 'int32': case 'uint8': case 'uint16':
        return tf.tensor(Int32Array.from(t.values as ArrayLike<number>), t.shape, 'int32');
      case 'uint32': case 'int64': case 'uint64': {
        const out = new Int32Array(t.values.length);
        for (let i = 0; i < out.length; i++) {
          const v = Number((t.values as any)[i]);
          if (!(v >= -0x80000000 && v <= 0x7fffffff)) {
            throw new CheckpointError('UNSUPPORTED_DTYPE', file,
                `variable '${name}' (${t.dtype}): element ${i} = ${(t.values as any)[i]} does not fit tfjs's int32; use readValues()`);
          }
          out[i] = v;
        }
        return tf.tensor(out, t.shape, 'int32');
      }
      case 'bool':
        return tf.tensor(t.values as Uint8Array, t.shape, 'bool');
      case 'string':
        return tf.tensor((t.values as Uint8Array[]), t.shape, 'string');
    }
  }

  close(): void {
    this.bundle.close();
  }
}

/**
 * A checkpoint's files as bytes, for {@link readCheckpointFromBytes}.
 * @category Readers
 */
export interface CheckpointBytes {
  /** The `.index` file's bytes. */
  index: ArrayBuffer | Uint8Array;
  /** The data shards' bytes, shard 0 first; or a function returning shard i's bytes when first needed. */
  shards: Array<ArrayBuffer | Uint8Array> | ((shard: number, numShards: number) => ArrayBuffer | Uint8Array);
  /** A name for messages (default 'checkpoint'). */
  prefix?: string;
}

/**
 * Opens a checkpoint from its bytes (browser-safe: no file system).
 * @category Readers
 */
export function readCheckpointFromBytes(src: CheckpointBytes): Checkpoint {
  const prefix = src.prefix ?? 'checkpoint';
  const index = src.index instanceof Uint8Array ? src.index : new Uint8Array(src.index);
  const shards = src.shards;
  const ck = openCheckpoint(prefix, `${prefix}.index`, index, (n, total) =>
    bytesShard(shardFileName(prefix, n, total), Array.isArray(shards) ? shards[n] : shards(n, total)));
  if (Array.isArray(shards) && shards.length !== ck.header.numShards) {
    ck.close();
    throw new CheckpointError('NOT_FOUND', `${prefix}.index`,
        `the header says ${ck.header.numShards} data shard(s), ${shards.length} given`);
  }
  return ck;
}

/** Opens a checkpoint whose shards come from `shard(i, numShards)` (the Node reader uses file ranges). */
export function openCheckpoint(prefix: string, indexName: string, index: Uint8Array,
                               shard: ShardSource[] | ((n: number, numShards: number) => ShardSource)): Checkpoint {
  return new BundleCheckpoint(prefix, new TensorBundle(indexName, index, shard));
}
