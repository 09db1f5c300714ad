import * as tf from '@tensorflow/tfjs';

/**
 * Columns j0..j1−1 of the column-major m-row matrix `x` (rows k..m−1) ← (I − β v vᵀ)·x,
 * v = vs[vk + k .. vk + m−1]. Four columns per pass, so v is read once for four.
 */
function reflect(x: Float64Array, vs: Float64Array, vk: number, beta: number, k: number, m: number, j0: number,
                 j1: number): void {
  if (beta === 0) return;
  let j = j0;
  for (; j + 3 < j1; j += 4) {
    const c0 = j * m;
    const c1 = c0 + m;
    const c2 = c1 + m;
    const c3 = c2 + m;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let i = k; i < m; i++) {
      const vi = vs[vk + i];
      d0 += vi * x[c0 + i];
      d1 += vi * x[c1 + i];
      d2 += vi * x[c2 + i];
      d3 += vi * x[c3 + i];
    }
    d0 *= beta;
    d1 *= beta;
    d2 *= beta;
    d3 *= beta;
    for (let i = k; i < m; i++) {
      const vi = vs[vk + i];
      x[c0 + i] -= d0 * vi;
      x[c1 + i] -= d1 * vi;
      x[c2 + i] -= d2 * vi;
      x[c3 + i] -= d3 * vi;
    }
  }
  for (; j < j1; j++) {
    const c = j * m;
    let d = 0;
    for (let i = k; i < m; i++) d += vs[vk + i] * x[c + i];
    d *= beta;
    for (let i = k; i < m; i++) x[c + i] -= d * vs[vk + i];
  }
}

/**
 * Q of the thin QR factorisation of a column-major m×n matrix (m ≥ n), by
 * Householder reflections in float64, with each column's sign chosen so that
 * diag(R) > 0 (Keras's and tfjs's `q *= sign(diag(r))`). Returns Q column-major.
 *
 * One pass of n reflections over contiguous columns, then Q formed by applying
 * them to the first n columns of the identity: ~4mn² flops in plain loops,
 * against tfjs's `linalg.qr`, which runs a chain of small tensor ops per column.
 * @category Testing
 */
export function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  if (m < n) throw new Error(`householderQ: needs rows >= columns, got ${m}×${n}`);
  const v = new Float64Array(m * n);  // reflector k in column k, rows k..m-1
  const beta = new Float64Array(n);
  const rSign = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const ak = k * m;
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += a[ak + i] * a[ak + i];
    const norm = Math.sqrt(norm2);
    const x0 = a[ak + k];
    // H x = alpha e_k with alpha = -sign(x0)·|x|: no cancellation in v0 = x0 - alpha
    const alpha = x0 >= 0 ? -norm : norm;
    rSign[k] = alpha >= 0 ? 1 : -1;  // diag(R)[k] = alpha
    const vk = k * m;
    v[vk + k] = x0 - alpha;
    for (let i = k + 1; i < m; i++) v[vk + i] = a[ak + i];
    let vv = 0;
    for (let i = k; i < m; i++) vv += v[vk + i] * v[vk + i];
    beta[k] = vv === 0 ? 0 : 2 / vv;
    // apply H_k = I − β v vᵀ to the remaining columns
    reflect(a, v, vk, beta[k], k, m, k + 1, n);
  }
  // Q = H_0 H_1 … H_{n−1} I[:, :n], applied right to left
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const vk = k * m;
    reflect(q, v, vk, beta[k], k, m, k, n);
  }
  // Q·diag(sign(diag R)): the factorisation with a positive diagonal, unique for full rank
  for (let j = 0; j < n; j++) {
    if (rSign[j] < 0) for (let i = 0; i < m; i++) q[j * m + i] = -q[j * m + i];
  }
  return q;
}

/**
 * Arguments of {@link FastOrthogonal}: tfjs's / Keras's Orthogonal arguments.
 * @category Layers
 */
export interface FastOrthogonalArgs {
  /** Multiplies the orthogonal matrix (default 1). */
  gain?: number;
  /** Seed of the normal draw (as tf.randomNormal's). */
  seed?: number;
}

/**
 * The orthogonal initializer (Keras's and tfjs's `Orthogonal`, the default
 * recurrent initializer of Keras GRUs), computed by one Householder QR in
 * float64 (householderQ) instead of tfjs's op-by-op `linalg.qr`, which warns
 * "Slowness may result" above 2,000 elements.
 *
 * The same construction as tfjs's: a normal [max(r, c), min(r, c)] matrix from
 * `tf.randomNormal(…, seed)` (r = product of all but the last dimension, c = the
 * last), Q of its QR with diag(R) > 0, transposed when r < c, times gain. With
 * the same seed it gives tfjs's matrix up to float rounding. Serialized as
 * 'Orthogonal' ({gain, seed}), so saved models load with plain tfjs and Keras.
 * @category Layers
 */
export class FastOrthogonal extends tf.serialization.Serializable {
  /** Serialized under tfjs's and Keras's class name. */
  static className = 'Orthogonal';
  readonly gain: number;
  readonly seed?: number;

  constructor(args: FastOrthogonalArgs = {}) {
    super();
    this.gain = args.gain ?? 1;
    this.seed = args.seed ?? undefined;
    if (typeof this.gain !== 'number' || !Number.isFinite(this.gain)) {
      throw new Error(`FastOrthogonal: gain must be a finite number, got ${JSON.stringify(args.gain)}`);
    }
  }

  /** A [shape] tensor whose flattened rows (or columns, when wider than tall) are orthonormal, times gain. */
  apply(shape: tf.Shape, dtype?: tf.DataType): tf.Tensor {
    if (shape.length < 2 || shape.some((d) => d == null || d < 1)) {
      throw new Error(`FastOrthogonal: shape must be at least 2-D with known positive sizes, got [${shape}]`);
    }
    if (dtype != null && dtype !== 'float32') throw new Error(`FastOrthogonal: dtype must be float32, got ${dtype}`);
    const dims = shape as number[];
    const rows = dims.slice(0, -1).reduce((a, b) => a * b, 1);
    const cols = dims[dims.length - 1];
    const m = Math.max(rows, cols);
    const n = Math.min(rows, cols);
    // tfjs draws the [m, n] matrix row-major; householderQ wants it column-major
    const draw = tf.tidy(() => tf.randomNormal([m, n], 0, 1, 'float32', this.seed));
    const rowMajor = draw.dataSync();
    draw.dispose();
    const a = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[j * m + i] = rowMajor[i * n + j];
    const q = householderQ(a, m, n);
    // out [rows, cols] row-major: Q [m, n] when rows ≥ cols, else Qᵀ
    const out = new Float32Array(rows * cols);
    if (rows >= cols) {
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = this.gain * q[j * m + i];
    } else {
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = this.gain * q[i * m + j];
    }
    return tf.tensor(out, dims, 'float32');
  }

  getConfig(): tf.serialization.ConfigDict {
    return {gain: this.gain, seed: this.seed ?? null};
  }
}

/**
 * Keras's and tfjs's 'orthogonal' initializer, computed fast (see {@link FastOrthogonal}).
 * @category Layers
 */
export function fastOrthogonal(args?: FastOrthogonalArgs): FastOrthogonal {
  return new FastOrthogonal(args);
}
