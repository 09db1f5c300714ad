import {QuantityResult} from './result';

/**
 * The worst row of a group: the largest error relative to its tolerance.
 * @category Verify
 */
export interface WorstError {
  maxAbsError: number;
  tolerance: number;
  case: string;
  quantity: string;
}

/**
 * verify's results of one implementation, summed up.
 * @category Verify
 */
export interface ImplementationSummary {
  implementation: string;
  cases: number;
  quantities: number;
  failed: number;
  /** Worst output or state error, null when none was measured. */
  worstOutput: WorstError|null;
  /** Worst gradient error, null when none was measured. */
  worstGradient: WorstError|null;
  pass: boolean;
}

function worse(a: WorstError|null, r: QuantityResult): WorstError|null {
  if (r.maxAbsError == null) return a;
  const ratio = (e: number, t: number) => (Number.isFinite(e) ? e : Infinity) / (t > 0 ? t : 1);
  if (a != null && ratio(a.maxAbsError, a.tolerance) >= ratio(r.maxAbsError, r.tolerance)) return a;
  return {maxAbsError: r.maxAbsError, tolerance: r.tolerance, case: r.case, quantity: r.quantity};
}

/**
 * One summary per implementation, in the order the implementations first appear.
 * @category Verify
 */
export function summarize(results: QuantityResult[]): ImplementationSummary[] {
  const byImpl = new Map<string, QuantityResult[]>();
  for (const r of results) {
    const rows = byImpl.get(r.implementation) ?? [];
    rows.push(r);
    byImpl.set(r.implementation, rows);
  }
  return [...byImpl].map(([implementation, rows]) => {
    let worstOutput: WorstError|null = null;
    let worstGradient: WorstError|null = null;
    for (const r of rows) {
      if (r.quantity.startsWith('grad')) worstGradient = worse(worstGradient, r); else worstOutput = worse(worstOutput, r);
    }
    const failed = rows.filter((r) => !r.pass).length;
    return {
      implementation, cases: new Set(rows.map((r) => r.case)).size, quantities: rows.length, failed,
      worstOutput, worstGradient, pass: failed === 0,
    };
  });
}
