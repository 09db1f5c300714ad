/**
 * Every ONNX operator this package maps, by op type, and their registration as
 * tfjs-converter custom ops: a converted graph's nodes have op `onnx.<OpType>` and
 * carry their ONNX attributes (./payload.ts); importing the package root registers
 * the executors (the call at the end of this module), so `tf.loadGraphModel` runs a
 * converted model on any backend.
 */
import * as tf from '@tensorflow/tfjs';

import {OnnxOp} from './op';
import {ELEMENTWISE_OPS} from './ops/elementwise';
import {GRU_KERNEL_OP, GRU_OPS} from './ops/gru';
import {NN_OPS} from './ops/nn';
import {SHAPE_OPS} from './ops/shape';
import {decodePayload, PAYLOAD_ATTR} from './payload';

/**
 * The prefix of a converted graph's op names.
 * @category Conversion
 */
export const GRAPH_OP_PREFIX = 'onnx.';

const OPS = new Map<string, OnnxOp>();
for (const op of [...ELEMENTWISE_OPS, ...SHAPE_OPS, ...NN_OPS, ...GRU_OPS]) OPS.set(op.opType, op);

/**
 * The mapper of an ONNX op type (or of the internal rewritten GRU), or undefined.
 * @category Conversion
 */
export function onnxOp(opType: string): OnnxOp | undefined {
  return OPS.get(opType);
}

/**
 * The ONNX op types (domain ai.onnx) that `convert` maps, sorted.
 * @category Conversion
 */
export const SUPPORTED_ONNX_OPS: readonly string[] = [...[...OPS.keys()].filter((k) => k !== GRU_KERNEL_OP), 'GRU'].sort();

let registered = false;

/**
 * Registers every mapper with tfjs-converter (idempotent; the package root calls it on import).
 * @category Conversion
 */
export function registerOnnxOps(): void {
  if (registered) return;
  registered = true;
  for (const [opType, op] of OPS) {
    tf.registerOp(GRAPH_OP_PREFIX + opType, (node) => {
      const p = decodePayload(node.attrs[PAYLOAD_ATTR] as number[]);
      const inputs: Array<tf.Tensor | null> = Array(p.arity).fill(null);
      p.slots.forEach((slot, k) => { inputs[slot] = node.inputs[k]; });
      return tf.tidy(() => op.run(inputs, p.attrs, {opset: p.opset, outputs: p.outputs, node: p.node}));
    });
  }
}

// Importing the package root registers the executors (package.json lists this module in sideEffects).
registerOnnxOps();
