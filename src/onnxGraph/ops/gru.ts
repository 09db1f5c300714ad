/**
 * ONNX `GRU` on this package's whole-sequence kernels (gruSequence: native on
 * tfjs-node, SIMD wasm on wasm and cpu, tfjs ops elsewhere).
 *
 * The converter rewrites each GRU node whose W, R and B are constants into the
 * internal op {@link GRU_KERNEL_OP}: its weights go into the model already in the
 * kernel's canonical layout (converted once, exactly: weights/onnxLayout.ts), so a
 * call does no weight re-layout. Inputs of the rewritten node:
 *   [X, sequence_lens | absent, initial_h | absent, then per direction:
 *    inputKernel [D, 3U], recurrentKernel [U, 3U], inputBias [3U], recurrentBias [3U]]
 * recurrentBias is all zeros for linear_before_reset = 0, where Wb + Rb is one bias.
 */
import * as tf from '@tensorflow/tfjs';

import {getActivation} from '../../math/activations';
import {gruSequence} from '../../math/gruSequence';
import {toKernelWeights} from '../../weights/convert';
import {Attrs, intAttr, OnnxOp, OnnxOpError, OpContext, stringAttr} from '../op';

/** The op type of a GRU node rewritten with kernel-layout weights (not an ONNX op). */
export const GRU_KERNEL_OP = 'GRU.kernel';

const ACTIVATION_NAMES: Record<string, string> = {Sigmoid: 'sigmoid', Tanh: 'tanh', Relu: 'relu', HardSigmoid: 'hardSigmoid'};

function directions(attrs: Attrs): string[] {
  const d = stringAttr(attrs, 'direction', 'forward');
  return d === 'bidirectional' ? ['forward', 'reverse'] : [d];
}

/**
 * One direction's weights (ONNX W [3U, D], R [3U, U], B [6U] or absent) as the rewritten node's four
 * kernel inputs, converted exactly (weights/onnxLayout.ts); absent biases become zeros. New tensors.
 */
export function gruKernelParts(W: tf.Tensor, R: tf.Tensor, B: tf.Tensor | null, lbr: boolean): tf.Tensor[] {
  return tf.tidy(() => {
    const units = R.shape[1]!;
    const k = toKernelWeights({W, R, B: B ?? tf.zeros([6 * units])}, lbr ? 'onnx-lbr' : 'onnx').kernel;
    return [k.inputKernel, k.recurrentKernel, k.inputBias ?? tf.zeros([3 * units]), k.recurrentBias ?? tf.zeros([3 * units])];
  });
}

/** What the GRU's attributes ask that the kernels cannot do (empty: supported). */
export function gruRefusals(attrs: Attrs): string[] {
  const why: string[] = [];
  const d = stringAttr(attrs, 'direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(d)) why.push(`direction '${d}'`);
  if (attrs.clip != null) why.push(`clip ${attrs.clip} (cell clipping is not supported)`);
  const acts = (attrs.activations as string[] | undefined) ?? [];
  for (const a of acts) if (!(a in ACTIVATION_NAMES)) why.push(`activation '${a}' (Sigmoid, Tanh, Relu, HardSigmoid are supported)`);
  if (acts.includes('HardSigmoid') && (attrs.activation_alpha != null || attrs.activation_beta != null)) {
    why.push('activation_alpha / activation_beta (HardSigmoid with its defaults 0.2, 0.5 only)');
  }
  const layout = intAttr(attrs, 'layout', 0);
  if (layout !== 0 && layout !== 1) why.push(`layout ${layout}`);
  return why;
}

function run(inputs: Array<tf.Tensor | null>, attrs: Attrs, ctx: OpContext): tf.Tensor[] {
  const [x, seqLens, h0] = inputs;
  if (x == null || x.rank !== 3) throw new OnnxOpError(ctx.node, 'GRU', `X must be rank 3, got [${x?.shape}]`);
  const dirs = directions(attrs);
  const layout = intAttr(attrs, 'layout', 0);
  const resetAfter = intAttr(attrs, 'linear_before_reset', 0) === 1;
  const acts = (attrs.activations as string[] | undefined) ?? [];
  const xb = (layout === 0 ? tf.transpose(x, [1, 0, 2]) : x) as tf.Tensor3D;  // [B, T, D]
  const [batch, time] = xb.shape;
  const weights = inputs.slice(3);
  const units = weights[1]!.shape[0];
  if (weights[0]!.shape[0] !== xb.shape[2]) {
    throw new OnnxOpError(ctx.node, 'GRU', `X has ${xb.shape[2]} features; W expects ${weights[0]!.shape[0]}`);
  }
  let mask: tf.Tensor2D | null = null;
  if (seqLens != null) {
    mask = tf.less(tf.range(0, time, 1, 'int32').expandDims(0), tf.cast(seqLens, 'int32').expandDims(1)) as tf.Tensor2D;
  }
  const ys: tf.Tensor3D[] = [];
  const hs: tf.Tensor2D[] = [];
  dirs.forEach((dir, k) => {
    const [inputKernel, recurrentKernel, inputBias, recurrentBias] = weights.slice(4 * k, 4 * k + 4) as
        [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
    const hInit = h0 == null ? tf.zeros([batch, units]) as tf.Tensor2D :
      (layout === 0 ? tf.gather(h0, k, 0) : tf.gather(h0, k, 1)) as tf.Tensor2D;
    const f = ACTIVATION_NAMES[acts[2 * k] ?? 'Sigmoid'];
    const g = ACTIVATION_NAMES[acts[2 * k + 1] ?? 'Tanh'];
    const r = gruSequence(xb, hInit, {inputKernel, recurrentKernel, inputBias, recurrentBias: resetAfter ? recurrentBias : null}, {
      resetAfter, recurrentActivation: getActivation(f), activation: getActivation(g),
      goBackwards: dir === 'reverse', mask, returnSequences: true,
    });
    let y = r.outputs!;
    if (dir === 'reverse') y = tf.reverse(y, 1);
    if (mask != null) y = tf.mul(y, tf.expandDims(tf.cast(mask, 'float32'), 2));  // ONNX: zeros past each length
    ys.push(y);
    hs.push(r.state);
  });
  // Y: layout 0 [T, dirs, B, U], layout 1 [B, T, dirs, U]; Y_h: [dirs, B, U] or [B, dirs, U]
  const Y = layout === 0 ? tf.stack(ys.map((y) => tf.transpose(y, [1, 0, 2])), 1) : tf.stack(ys, 2);
  const Yh = layout === 0 ? tf.stack(hs, 0) : tf.stack(hs, 1);
  return [Y, Yh];
}

export const GRU_OPS: OnnxOp[] = [
  {opType: GRU_KERNEL_OP, check: (attrs) => gruRefusals(attrs), run},
];
