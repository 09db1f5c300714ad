import {QuantityResult} from './result';

function fmt(x: number|null): string {
  return x == null ? '-' : x === 0 ? '0' : x.toExponential(2);
}

/** verify's results as an aligned text table, one line per quantity. */
export function formatTable(results: QuantityResult[]): string {
  const header = ['case', 'implementation', 'quantity', 'max abs error', 'tolerance', 'result'];
  const rows = results.map((r) => [
    r.case, r.implementation, r.quantity, fmt(r.maxAbsError), fmt(r.tolerance),
    r.pass ? 'pass' : `FAIL${r.reason ? ': ' + r.reason : ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => i === 5 ? 0 : row[i].length)));
  const line = (cells: string[]) =>
      cells.map((cell, i) => i === 5 ? cell : i >= 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))
          .join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(Math.max(w, 6)))), ...rows.map(line)].join('\n');
}
