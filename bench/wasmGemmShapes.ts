/** The matrix products the wasm GRU kernel runs (gk_sgemm's shapes at the bench sizes), for the gemm benches. */

export interface GemmShape {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  what: string;
  /** B is a weight (R, W: the same every call), not an activation. */
  weightB: boolean;
}

function shape(transA: 0|1, transB: 0|1, m: number, n: number, k: number, what: string, weightB: boolean): GemmShape {
  return {transA: transA === 1, transB: transB === 1, m, n, k, what, weightB};
}

export const KERNEL_GEMM_SHAPES: GemmShape[] = [
  shape(0, 0, 1, 192, 64, 'latency step h·R', true),
  shape(0, 1, 1, 64, 128, 'latency step dh = dG·Rᵀ', true),
  shape(0, 0, 1, 768, 256, 'one step (1,1,64,256) h·R', true),
  shape(0, 0, 32, 384, 128, 'medium step h·R', true),
  shape(0, 1, 32, 128, 384, 'medium step dh = dG·Rᵀ', true),
  shape(0, 0, 64, 768, 256, 'large step h·R', true),
  shape(0, 0, 3200, 384, 64, 'medium x·W [B·T, D]×[D, 3U]', true),
  shape(1, 0, 64, 384, 3200, 'medium dW = xᵀ·dG', false),
  shape(0, 1, 3200, 64, 384, 'medium dx = dG·Wᵀ', true),
  shape(0, 0, 12800, 768, 128, 'large x·W', true),
  shape(1, 0, 128, 768, 12800, 'large dW = xᵀ·dG (K = 12800)', false),
];

export function shapeLabel(s: GemmShape): string {
  return `${s.what}: M ${s.m} N ${s.n} K ${s.k}${s.transA ? ' Aᵀ' : ''}${s.transB ? ' Bᵀ' : ''}`;
}
