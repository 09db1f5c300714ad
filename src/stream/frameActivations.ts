/**
 * Activations on one frame's features, in place, without tfjs (the streaming
 * entry's). The ones the wasm kernel computes (tanh, sigmoid, hardSigmoid,
 * linear, relu) run there; these are the rest, as tfjs-layers defines them.
 * Each works on `rows` rows of `n` features (softmax and logSoftmax are per row).
 */
import {StreamModelError} from './errors';

export type FrameActivation = (v: Float32Array, rows: number, n: number) => void;

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function eachValue(f: (x: number) => number): FrameActivation {
  return (v, rows, n) => {
    for (let i = 0; i < rows * n; i++) v[i] = f(v[i]);
  };
}

function softmaxRows(log: boolean): FrameActivation {
  return (v, rows, n) => {
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      let max = -Infinity;
      for (let j = 0; j < n; j++) if (v[o + j] > max) max = v[o + j];
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(v[o + j] - max);
      if (log) {
        const lse = max + Math.log(sum);
        for (let j = 0; j < n; j++) v[o + j] -= lse;
      } else {
        for (let j = 0; j < n; j++) v[o + j] = Math.exp(v[o + j] - max) / sum;
      }
    }
  };
}

/** The activations computed here (kernel-computed ones are listed in ACTIVATION_CODES). */
export const FRAME_ACTIVATIONS: Record<string, FrameActivation> = {
  relu6: eachValue((x) => Math.min(Math.max(x, 0), 6)),
  elu: eachValue((x) => (x > 0 ? x : Math.expm1(x))),
  selu: eachValue((x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x))),
  softplus: eachValue(softplus),
  softsign: eachValue((x) => x / (1 + Math.abs(x))),
  swish: eachValue((x) => x / (1 + Math.exp(-x))),
  mish: eachValue((x) => x * Math.tanh(softplus(x))),
  softmax: softmaxRows(false),
  logSoftmax: softmaxRows(true),
};

const KERNEL_ACTIVATIONS = ['tanh', 'sigmoid', 'hardSigmoid', 'linear', 'relu'];
const ALIASES: Record<string, string> = {hard_sigmoid: 'hardSigmoid', log_softmax: 'logSoftmax', silu: 'swish'};

/** The tfjs name of a layer's activation if a stream can compute it; else a StreamModelError naming the layer. */
export function frameActivationName(file: string, layer: string, key: string, name: unknown): string {
  const n = typeof name === 'string' ? (ALIASES[name] ?? name) : name;
  if (typeof n === 'string' && (KERNEL_ACTIVATIONS.includes(n) || n in FRAME_ACTIVATIONS)) return n;
  throw new StreamModelError('UNSUPPORTED', file,
      `layer '${layer}': ${key} ${JSON.stringify(name)} is not one a stream computes ` +
      `(${[...KERNEL_ACTIVATIONS, ...Object.keys(FRAME_ACTIVATIONS)].join(', ')})`);
}
