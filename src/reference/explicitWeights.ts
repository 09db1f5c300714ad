import * as tf from '@tensorflow/tfjs';

/**
 * The nine explicit tensors of the textbook GRU, named as in the question this
 * project grew from: W* multiply the input x [B, D], U* multiply the state
 * h [B, U], b* are biases. r = reset gate, z = update gate, h = candidate.
 */
export interface ExplicitGruWeights {
  Wr: tf.Tensor2D;  // [D, U]
  Wz: tf.Tensor2D;  // [D, U]
  Wh: tf.Tensor2D;  // [D, U]
  Ur: tf.Tensor2D;  // [U, U]
  Uz: tf.Tensor2D;  // [U, U]
  Uh: tf.Tensor2D;  // [U, U]
  br: tf.Tensor1D;  // [U]
  bz: tf.Tensor1D;  // [U]
  bh: tf.Tensor1D;  // [U]
}

/** TF1 GRUCell's four variables, under their TF 1.2+ names. */
export interface TF1GruWeights {
  'gates/kernel': tf.Tensor2D;      // [D+U, 2U], columns r | u
  'gates/bias': tf.Tensor1D;        // [2U]
  'candidate/kernel': tf.Tensor2D;  // [D+U, U]
  'candidate/bias': tf.Tensor1D;    // [U]
}

function block(m: tf.Tensor2D, row: number, rows: number, col: number, cols: number): tf.Tensor2D {
  return tf.slice(m, [row, col], [rows, cols]);
}

/**
 * Splits TF1's fused variables into the nine explicit tensors. Exact: only
 * slicing, no arithmetic. Rows 0..D-1 multiply x, rows D.. multiply h; the
 * gates' first U columns are r, the last U are u (= z).
 */
export function splitTF1Weights(w: TF1GruWeights): ExplicitGruWeights {
  return tf.tidy(() => {
    const gk = w['gates/kernel'];
    const ck = w['candidate/kernel'];
    const units = ck.shape[1];
    const inputDim = ck.shape[0] - units;
    if (gk.shape[0] !== inputDim + units || gk.shape[1] !== 2 * units) {
      throw new Error(`splitTF1Weights: 'gates/kernel' expects shape [${inputDim + units}, ${2 * units}], got [${
          gk.shape}]`);
    }
    const gb = w['gates/bias'];
    const cb = w['candidate/bias'];
    if (gb.shape.length !== 1 || gb.shape[0] !== 2 * units) {
      throw new Error(`splitTF1Weights: 'gates/bias' expects shape [${2 * units}], got [${gb.shape}]`);
    }
    if (cb.shape.length !== 1 || cb.shape[0] !== units) {
      throw new Error(`splitTF1Weights: 'candidate/bias' expects shape [${units}], got [${cb.shape}]`);
    }
    return {
      Wr: block(gk, 0, inputDim, 0, units),
      Wz: block(gk, 0, inputDim, units, units),
      Wh: block(ck, 0, inputDim, 0, units),
      Ur: block(gk, inputDim, units, 0, units),
      Uz: block(gk, inputDim, units, units, units),
      Uh: block(ck, inputDim, units, 0, units),
      br: tf.slice(gb, [0], [units]),
      bz: tf.slice(gb, [units], [units]),
      bh: tf.clone(cb),
    };
  });
}

/** The inverse of {@link splitTF1Weights}; exact (concatenation only). */
export function fuseTF1Weights(w: ExplicitGruWeights): TF1GruWeights {
  return tf.tidy(() => {
    const [inputDim, units] = w.Wr.shape;
    const expect: Array<[keyof ExplicitGruWeights, number[]]> = [
      ['Wr', [inputDim, units]], ['Wz', [inputDim, units]], ['Wh', [inputDim, units]],
      ['Ur', [units, units]], ['Uz', [units, units]], ['Uh', [units, units]],
      ['br', [units]], ['bz', [units]], ['bh', [units]],
    ];
    for (const [name, shape] of expect) {
      const got = w[name].shape;
      if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
        throw new Error(`fuseTF1Weights: '${name}' expects shape [${shape}], got [${got}]`);
      }
    }
    return {
      'gates/kernel': tf.concat([tf.concat([w.Wr, w.Wz], 1), tf.concat([w.Ur, w.Uz], 1)], 0),
      'gates/bias': tf.concat([w.br, w.bz]),
      'candidate/kernel': tf.concat([w.Wh, w.Uh], 0),
      'candidate/bias': tf.clone(w.bh),
    };
  });
}
