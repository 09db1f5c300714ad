/**
 * Keras layers written out from their definitions, for the self-check (./selfCheck.ts): LSTM
 * and SimpleRNN as step loops over Keras's weight layout (kernel [D, kU] with gate blocks
 * i | f | c | o for the LSTM), BatchNormalization at inference and LayerNormalization from their
 * formulas. Each takes the file's own tensors, never the converted layer's.
 */
import * as tf from '@tensorflow/tfjs';

/** One step loop over [B, T, D] (reversed when goBackwards); outputs [B, T, U] in processing order, as Keras returns them. */
function loop(x: tf.Tensor3D, units: number, goBackwards: boolean, step: (xt: tf.Tensor2D, state: tf.Tensor2D[]) => tf.Tensor2D[],
              nStates: number): tf.Tensor3D {
  const seq = goBackwards ? tf.reverse(x, 1) : x;
  let state = Array.from({length: nStates}, () => tf.zeros([x.shape[0], units]) as tf.Tensor2D);
  const outs: tf.Tensor2D[] = [];
  for (let t = 0; t < x.shape[1]; t++) {
    const xt = seq.slice([0, t, 0], [x.shape[0], 1, x.shape[2]]).reshape([x.shape[0], x.shape[2]]) as tf.Tensor2D;
    state = step(xt, state);
    outs.push(state[0]);
  }
  return tf.stack(outs, 1) as tf.Tensor3D;
}

/** Keras's LSTM: i, f, o = σ(·), c' = f ⊙ c + i ⊙ act(x Wc + h Uc + bc), h' = o ⊙ act(c'). */
export function lstmReference(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrent: tf.Tensor2D, bias: tf.Tensor1D | null,
                              act: (t: tf.Tensor) => tf.Tensor, rec: (t: tf.Tensor) => tf.Tensor, goBackwards: boolean): tf.Tensor3D {
  const u = recurrent.shape[0];
  const block = (m: tf.Tensor2D, k: number) => m.slice([0, k * u], [m.shape[0], u]);
  const bb = (k: number) => (bias == null ? tf.scalar(0) : bias.slice([k * u], [u]));
  return loop(x, u, goBackwards, (xt, [h, c]) => {
    const z = (k: number) => tf.add(tf.add(tf.matMul(xt, block(kernel, k)), tf.matMul(h, block(recurrent, k))), bb(k));
    const i = rec(z(0));
    const f = rec(z(1));
    const c2 = tf.add(tf.mul(f, c), tf.mul(i, act(z(2)))) as tf.Tensor2D;
    const o = rec(z(3));
    return [tf.mul(o, act(c2)) as tf.Tensor2D, c2];
  }, 2);
}

/** Keras's SimpleRNN: h' = act(x W + h U + b). */
export function simpleRnnReference(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrent: tf.Tensor2D, bias: tf.Tensor1D | null,
                                   act: (t: tf.Tensor) => tf.Tensor, goBackwards: boolean): tf.Tensor3D {
  return loop(x, recurrent.shape[0], goBackwards, (xt, [h]) => {
    let z = tf.add(tf.matMul(xt, kernel), tf.matMul(h, recurrent));
    if (bias != null) z = tf.add(z, bias);
    return [act(z) as tf.Tensor2D];
  }, 1);
}

/** BatchNormalization at inference over the last axis: γ (x − mean) / √(var + ε) + β. */
export function batchNormReference(x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null, mean: tf.Tensor, variance: tf.Tensor,
                                   epsilon: number): tf.Tensor {
  let y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon)));
  if (gamma != null) y = tf.mul(y, gamma);
  return beta != null ? tf.add(y, beta) : y;
}

/** LayerNormalization over `axes`: γ (x − mean) / √(var + ε) + β, γ and β over those axes. */
export function layerNormReference(x: tf.Tensor, axes: number[], gamma: tf.Tensor | null, beta: tf.Tensor | null, epsilon: number): tf.Tensor {
  const ax = axes.map((a) => (a < 0 ? a + x.rank : a));
  const mean = tf.mean(x, ax, true);
  const variance = tf.mean(tf.square(tf.sub(x, mean)), ax, true);
  let y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon)));
  // γ, β have the normalized axes' shape: broadcast them over the others
  const shape = x.shape.map((d, i) => (ax.includes(i) ? d : 1));
  if (gamma != null) y = tf.mul(y, gamma.reshape(shape));
  return beta != null ? tf.add(y, beta.reshape(shape)) : y;
}

/**
 * Keras's Conv1D (channels last) tap by tap: y[t] = Σ_k x[t·s + k·d − left] · W[k] + b, the input
 * padded with zeros: none ('valid'), half of what 'same' needs on the left (the rest on the right),
 * d·(k − 1) on the left ('causal').
 */
export function conv1dReference(x: tf.Tensor3D, kernel: tf.Tensor3D, bias: tf.Tensor1D | null, stride: number, dilation: number,
                                padding: string): tf.Tensor3D {
  const [b, t, c] = x.shape;
  const [k, , f] = kernel.shape;
  const span = dilation * (k - 1) + 1;
  const out = padding === 'valid' ? Math.floor((t - span) / stride) + 1 : Math.ceil(t / stride);
  const total = padding === 'valid' ? 0 : Math.max((out - 1) * stride + span - t, 0);
  const left = padding === 'causal' ? dilation * (k - 1) : Math.floor(total / 2);
  const padded = tf.pad(x, [[0, 0], [left, Math.max(total - left, 0)], [0, 0]]);
  let y: tf.Tensor = tf.zeros([b * out, f]);
  for (let i = 0; i < k; i++) {
    const idx = tf.tensor1d(Array.from({length: out}, (_, j) => j * stride + i * dilation), 'int32');
    const xi = tf.gather(padded, idx, 1).reshape([b * out, c]) as tf.Tensor2D;
    y = tf.add(y, tf.matMul(xi, kernel.slice([i, 0, 0], [1, c, f]).reshape([c, f]) as tf.Tensor2D));
  }
  if (bias != null) y = tf.add(y, bias);
  return y.reshape([b, out, f]) as tf.Tensor3D;
}
