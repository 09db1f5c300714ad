/**
 * The kernels' canonical weight arrays (W [D, 3U], R [U, 3U], bx [3U], bh [3U],
 * column blocks r | z | h) from the TF1 and Keras layouts, on plain
 * Float32Arrays: no tfjs, so the streaming entry (src/stream/) shares them with
 * the layers' kernel path (weightSource.ts). Only copies numbers (exact).
 */

/**
 * The kernel's weights: W [D, 3U], R [U, 3U], bx [3U] | null, bh [3U] | null, columns r | z | h.
 * @category Backends and kernels
 */
export interface CanonicalArrays {
  W: Float32Array;
  R: Float32Array;
  bx: Float32Array|null;
  bh: Float32Array|null;
}

/**
 * Copies column ranges between row-major matrices: for every row, `width`
 * columns from src (row stride srcCols, starting at column srcCol and row
 * srcRow) to dst (row stride dstCols, at dstCol and dstRow).
 */
export function copyBlock(
    src: Float32Array, srcCols: number, srcRow: number, srcCol: number, dst: Float32Array, dstCols: number,
    dstRow: number, dstCol: number, rows: number, width: number): void {
  for (let i = 0; i < rows; i++) {
    const s = (srcRow + i) * srcCols + srcCol;
    dst.set(src.subarray(s, s + width), (dstRow + i) * dstCols + dstCol);
  }
}

/** Swaps the first two of three column blocks (z | r | h ↔ r | z | h); its own inverse. */
export function swapFirstBlocks(m: Float32Array, rows: number, units: number): Float32Array {
  const out = new Float32Array(m.length);
  const cols = 3 * units;
  copyBlock(m, cols, 0, units, out, cols, 0, 0, rows, units);
  copyBlock(m, cols, 0, 0, out, cols, 0, units, rows, units);
  copyBlock(m, cols, 0, 2 * units, out, cols, 0, 2 * units, rows, units);
  return out;
}

/**
 * TF1 GRUCell's variables: gates/kernel [D+U, 2U] (r | u), gates/bias [2U],
 * candidate/kernel [D+U, U], candidate/bias [U]; rows 0..D−1 multiply x.
 */
export function tf1Canonical(gk: Float32Array, gb: Float32Array, ck: Float32Array, cb: Float32Array, D: number,
                             U: number): CanonicalArrays {
  const W = new Float32Array(D * 3 * U);
  const R = new Float32Array(U * 3 * U);
  copyBlock(gk, 2 * U, 0, 0, W, 3 * U, 0, 0, D, 2 * U);
  copyBlock(ck, U, 0, 0, W, 3 * U, 0, 2 * U, D, U);
  copyBlock(gk, 2 * U, D, 0, R, 3 * U, 0, 0, U, 2 * U);
  copyBlock(ck, U, D, 0, R, 3 * U, 0, 2 * U, U, U);
  const bx = new Float32Array(3 * U);
  bx.set(gb, 0);
  bx.set(cb, 2 * U);
  return {W, R, bx, bh: null};
}

/**
 * Keras GRU's variables: kernel [D, 3U], recurrent_kernel [U, 3U] (z | r | h),
 * bias [3U] (reset-before) or [2, 3U] (`twoRows`, reset-after: input row,
 * recurrent row), or none.
 */
export function kerasCanonical(k: Float32Array, rk: Float32Array, b: Float32Array|null, D: number, U: number,
                               twoRows: boolean): CanonicalArrays {
  return {
    W: swapFirstBlocks(k, D, U),
    R: swapFirstBlocks(rk, U, U),
    bx: b ? swapFirstBlocks(b.subarray(0, 3 * U), 1, U) : null,
    bh: b && twoRows ? swapFirstBlocks(b.subarray(3 * U), 1, U) : null,
  };
}
