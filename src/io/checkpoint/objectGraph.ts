/**
 * TF2 object-based checkpoints (tf.train.Checkpoint, Keras `save_weights` in the TF
 * format): the scalar string `_CHECKPOINTABLE_OBJECT_GRAPH` holds a serialized
 * TrackableObjectGraph. Node 0 is the root; each node names its children
 * (`local_name`), lists its saved attributes (`checkpoint_key` = the variable's key in
 * the bundle, e.g. `model/layer_with_weights-0/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE`)
 * and, for an optimizer, its slot variables (which variable each slot belongs to).
 * An object reachable by several paths (Keras tracks a layer as `layer-1` and as
 * `layer_with_weights-0`) gets them all, the breadth-first first one as its path.
 */
import {CheckpointError} from './errors';
import {ObjectGraph} from './protos';

/**
 * What the TF2 object graph says about one bundle key: its object's paths, attribute and optimizer slot.
 * @category Readers
 */
export interface ObjectGraphVariable {
  /** The bundle key. */
  key: string;
  nodeId: number;
  /** Readable path of the object, e.g. `model/layer_with_weights-0/forward_layer/cell/kernel`. */
  path: string;
  /** Every path from the root to the object (path first). */
  paths: string[];
  /** The attribute name (`VARIABLE_VALUE` for variables). */
  attribute: string;
  /** Set for an optimizer slot: the slot's name and the path of the variable it belongs to. */
  slot?: {name: string; of: string};
}

/**
 * The TF2 object graph resolved: its node count and the facts of every bundle key it names.
 * @category Readers
 */
export interface ResolvedObjectGraph {
  nodes: number;
  byKey: Map<string, ObjectGraphVariable>;
}

const MAX_PATHS_PER_NODE = 16;
const MAX_PAIRS = 200000;

export function resolveObjectGraph(graph: ObjectGraph, file: string): ResolvedObjectGraph {
  const n = graph.nodes.length;
  if (n === 0) throw new CheckpointError('BAD_OBJECT_GRAPH', file, 'object graph: no nodes (expected the root, node 0)');
  // breadth-first over (node, path) pairs: every path to a node, shortest first, at most
  // MAX_PATHS_PER_NODE per node and MAX_PAIRS in all (the graph may be corrupt or cyclic)
  const paths: string[][] = Array.from({length: n}, () => []);
  paths[0].push('');
  const queue: Array<[number, string]> = [[0, '']];
  for (let qi = 0; qi < queue.length && queue.length < MAX_PAIRS; qi++) {
    const [id, p] = queue[qi];
    for (const c of graph.nodes[id].children) {
      if (!(c.node_id >= 0 && c.node_id < n)) {
        throw new CheckpointError('BAD_OBJECT_GRAPH', file,
            `object graph: node ${id} child '${c.local_name}' points to node ${c.node_id} (the graph has ${n})`);
      }
      const cp = p === '' ? c.local_name : `${p}/${c.local_name}`;
      if (paths[c.node_id].length < MAX_PATHS_PER_NODE && !paths[c.node_id].includes(cp)) {
        paths[c.node_id].push(cp);
        queue.push([c.node_id, cp]);
      }
    }
  }
  const slots = new Map<number, {name: string; of: number}>();
  graph.nodes.forEach((node, id) => {
    for (const s of node.slot_variables) {
      for (const ref of [s.original_variable_node_id, s.slot_variable_node_id]) {
        if (!(ref >= 0 && ref < n)) {
          throw new CheckpointError('BAD_OBJECT_GRAPH', file,
              `object graph: node ${id} slot '${s.slot_name}' refers to node ${ref} (the graph has ${n})`);
        }
      }
      slots.set(s.slot_variable_node_id, {name: s.slot_name, of: s.original_variable_node_id});
    }
  });
  const byKey = new Map<string, ObjectGraphVariable>();
  graph.nodes.forEach((node, id) => {
    for (const a of node.attributes) {
      const slot = slots.get(id);
      const path = paths[id][0] ?? slotPath(a.checkpoint_key, a.name);
      byKey.set(a.checkpoint_key, {
        key: a.checkpoint_key, nodeId: id, path, paths: paths[id].length > 0 ? paths[id] : [path],
        attribute: a.name,
        ...(slot != null ? {slot: {name: slot.name, of: paths[slot.of][0] ?? `node ${slot.of}`}} : {}),
      });
    }
  });
  return {nodes: n, byKey};
}

/** Slot variables are not children of anything: their path is their key less the attribute part. */
function slotPath(key: string, attribute: string): string {
  const tail = `/.ATTRIBUTES/${attribute}`;
  return key.endsWith(tail) ? key.slice(0, -tail.length) : key;
}
