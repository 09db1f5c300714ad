import {QuantityResult} from './result';
import {ImplementationSummary, WorstError} from './summary';

function fmt(x: number|null): string {
  return x == null ? '-' : x === 0 ? '0' : x.toExponential(2);
}

/** Aligned columns: numeric columns (by index) right-aligned, the last one left as is. */
function align(header: string[], rows: string[][], numeric: Set<number>): string {
  const last = header.length - 1;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => i === last ? 0 : row[i].length)));
  const line = (cells: string[]) =>
      cells.map((cell, i) => i === last ? cell : numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))
          .join('  ');
  return [line(header), line(widths.map((w, i) => '-'.repeat(i === last ? 6 : w))), ...rows.map(line)].join('\n');
}

/**
 * verify's results as an aligned text table, one line per quantity (`verify --full`).
 * @category Verify
 */
export function formatTable(results: QuantityResult[]): string {
  const header = ['case', 'implementation', 'quantity', 'max abs error', 'tolerance', 'result'];
  const rows = results.map((r) => [
    r.case, r.implementation, r.quantity, fmt(r.maxAbsError), fmt(r.tolerance),
    r.pass ? 'pass' : `FAIL${r.reason ? ': ' + r.reason : ''}`,
  ]);
  return align(header, rows, new Set([3, 4]));
}

function worst(w: WorstError|null): string {
  return w == null ? '-' : `${fmt(w.maxAbsError)} (tol ${fmt(w.tolerance)})`;
}

/**
 * verify's default output: one line per implementation, its worst errors and where they occur.
 * @category Verify
 */
export function formatSummary(summaries: ImplementationSummary[]): string {
  const header = ['implementation', 'cases', 'quantities', 'worst output/state', 'worst gradient', 'result'];
  const rows = summaries.map((s) => [
    s.implementation, String(s.cases), String(s.quantities), worst(s.worstOutput), worst(s.worstGradient),
    s.pass ? 'pass' : `FAIL (${s.failed} of ${s.quantities})`,
  ]);
  const where = summaries.flatMap((s) => [s.worstOutput, s.worstGradient].filter((w): w is WorstError => w != null)
      .map((w) => `  ${s.implementation}: ${fmt(w.maxAbsError)} at ${w.case} ${w.quantity}`));
  return `${align(header, rows, new Set([1, 2, 3, 4]))}\n\nworst errors at:\n${where.join('\n')}`;
}
