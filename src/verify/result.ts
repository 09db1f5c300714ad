/**
 * One line of verify's table: one quantity of one implementation on one case.
 * @category Verify
 */
export interface QuantityResult {
  case: string;
  implementation: string;
  /** 'output', 'state', or 'grad <variable>'. */
  quantity: string;
  /** max |ours − reference|; null when the quantity could not be computed. */
  maxAbsError: number|null;
  tolerance: number;
  pass: boolean;
  /** Why a quantity failed without a number (an error, a skipped case). */
  reason?: string;
}

/**
 * verify's tolerance for outputs and states: max |ours − TensorFlow's| (float32 arithmetic in a different order).
 * @category Verify
 */
export const OUTPUT_TOLERANCE = 1e-5;
/**
 * verify's tolerance for gradients (sums over time steps: more rounding than outputs).
 * @category Verify
 */
export const GRADIENT_TOLERANCE = 1e-4;

/** A result row from a measured error (NaN fails). */
export function measured(
    caseName: string, implementation: string, quantity: string, maxAbsError: number,
    tolerance: number): QuantityResult {
  return {
    case: caseName, implementation, quantity, maxAbsError, tolerance,
    pass: Number.isFinite(maxAbsError) && maxAbsError <= tolerance,
  };
}

/** A failing row for a case or implementation that could not run. */
export function failed(caseName: string, implementation: string, reason: string): QuantityResult {
  return {case: caseName, implementation, quantity: '(all)', maxAbsError: null, tolerance: 0, pass: false, reason};
}
