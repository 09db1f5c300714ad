import {AxisSegment, GruExplanation, LayoutView, WeightStats} from './explainGru';

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => indent + r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i])).join('  ').trimEnd());
}

function minus1(e: string): string {
  return /^\d+$/.test(e) ? String(Number(e) - 1) : `${e}−1`;
}

const AXIS = ['rows', 'cols', 'axis 2'];

function axisName(seg: AxisSegment, rank: number): string {
  if (rank === 1) return 'index';
  if (rank === 3) return ['dir', 'rows', 'cols'][seg.axis];
  return AXIS[seg.axis];
}

function num(x: number): string {
  return x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(3);
}

function statsText(s: WeightStats|undefined): string {
  return s == null ? '' : `norm ${num(s.norm)}  min ${num(s.min)}  max ${num(s.max)}  mean ${num(s.mean)}`;
}

function shape(dims: number[]): string {
  return `[${dims.join(', ')}]`;
}

function tensorsText(view: LayoutView): string[] {
  const lines: string[] = [];
  for (const t of view.tensors) {
    lines.push(`  ${t.name}  ${t.shape} = ${shape(t.dims)}${t.stats ? '   ' + statsText(t.stats) : ''}`);
    lines.push(...table(t.segments.map((s) => [
      axisName(s, t.dims.length),
      s.range[1] - s.range[0] === 1 && s.symbolic[0] === String(s.range[0]) ? `${s.range[0]}` :
          `${s.symbolic[0]}..${minus1(s.symbolic[1])}`,
      `(${s.range[0]}..${s.range[1] - 1})`, s.meaning, s.blocks.join(' '),
    ]), '    '));
  }
  return lines;
}

/**
 * The text `tfjs-gru explain` prints for one GRU: its tensors and what each
 * run of rows and columns holds, the explicit blocks as slices, the
 * equations, every other layout of the family side by side, the other
 * family's layouts with the reason they have none, and with real weights the
 * numbers and the recombination check.
 * @category Explain
 */
export function formatGruExplanation(e: GruExplanation): string {
  const v = e.explained;
  const out: string[] = [];
  out.push(`GRU${e.name ? ` '${e.name}'` : ''}: layout '${v.layout}', ${e.family}, D = ${e.inputSize} input features, ` +
           `U = ${e.units} units`);
  out.push(...v.frameworks.map((f) => `  ${f}`));
  out.push('', `Tensors of '${v.layout}' and what their rows and columns hold:`, ...tensorsText(v));
  out.push('', 'Explicit (textbook) blocks as slices of those tensors:');
  out.push(...table([['block', 'shape', 'role', 'slice (D, U)', 'slice (numbers)', ...(v.blocks[0].stats ? ['values'] : [])],
                     ...v.blocks.map((b) => [b.block, shape(b.shape),
                                             b.operand.startsWith('bias') ? `${b.operand} → ${b.gateName}` : `${b.operand} → ${b.gateName}`,
                                             b.expression, b.numeric, statsText(b.stats)])]));
  out.push('', 'Equations, textbook:', ...e.textbook.map((l) => `  ${l}`));
  out.push('', `Equations, with '${v.layout}''s slices:`, ...v.equations.map((l) => `  ${l}`));
  if (e.activation !== 'tanh' || e.recurrentActivation !== 'sigmoid') {
    out.push(`  (this GRU uses activation '${e.activation}' for tanh and recurrentActivation '${e.recurrentActivation}' for σ)`);
  }
  if (v.notes.length) out.push('', 'Notes:', ...v.notes.map((n) => `  - ${n}`));
  if (e.equivalents.length) {
    const views = [v, ...e.equivalents];
    out.push('', `The same cell in every layout of the ${e.family} family (each block's slice, side by side):`);
    out.push(...table([['block', ...views.map((x) => x.layout)],
                       ...v.blocks.map((b) => [b.block, ...views.map((x) => x.blocks.find((y) => y.block === b.block)!.expression)])]));
    out.push('', '  tensors:');
    for (const x of e.equivalents) {
      out.push(`  ${x.layout}: ${x.tensors.map((t) => `${t.name} ${t.shape}`).join(', ')}   ` +
               `(convertWeights(w, '${v.layout}', '${x.layout}'))`);
      out.push(...x.frameworks.map((f) => `      ${f}`));
      out.push(...x.notes.map((n) => `      - ${n}`));
    }
  }
  if (e.noEquivalent.length) {
    out.push('', `No equivalent in the other family (${e.noEquivalent.map((n) => n.layout).join(', ')}):`);
    out.push(`  ${e.crossFamilyReason}`);
  }
  if (e.check) {
    const c = e.check;
    out.push('', `Check: ${c.pass ? 'PASS' : 'FAIL'}: max abs error ${num(c.maxAbsError)} (tolerance ${num(c.tolerance)}), ${c.description}`);
  }
  return out.join('\n') + '\n';
}
