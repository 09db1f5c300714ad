/** The GRU sizes and the seeded inputs the one-process wasm benches share (bench/wasm*.ts). */

/** (B, T, D, U) of the peer bench's forward sizes. */
export const GRU_SIZES: Record<string, [number, number, number, number]> = {
  latency: [1, 50, 32, 64],
  medium: [32, 100, 64, 128],
  large: [64, 200, 128, 256],
};

/** n floats uniform in (−scale, scale) from a linear congruential generator seeded with `seed`. */
export function seededFloats(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 4294967296 * 2 - 1) * scale;
  }
  return a;
}
