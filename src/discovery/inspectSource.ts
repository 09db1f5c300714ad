/**
 * What a model file of any tensor format holds, for `tfjs-gru inspect` (safetensors,
 * ONNX): its tensors (name, dtype, shape, role), the GRUs found with their stacks and
 * Dense layers, what is left unexplained, and the format's own notes (metadata, graph
 * nodes left out). Reads no tensor data.
 */
import {TensorSource} from '../io/tensorSource';
import {DiscoveryReport, discoveryReport, variableRoles, VariableRole} from './discoveryReport';
import {Discovery} from './findGrus';
import {noGruHint} from './gruShapedTensors';

/**
 * A model file's contents as `inspect` reports them (plain JSON-able data).
 * @category Conversion
 */
export interface SourceInspectReport extends DiscoveryReport {
  file: string;
  format: string;
  /** Format facts: safetensors __metadata__, ONNX producer and opset, ... */
  details: Record<string, unknown>;
  variables: Array<{name: string; dtype: string; shape: number[]; role: VariableRole}>;
  /** What a reader of the report should know: how the Dense layer was chosen, graph parts left out, ... */
  notes: string[];
}

/**
 * The report of `source` from its GRU discovery.
 * @category Conversion
 */
export function inspectSource(format: string, source: TensorSource, discovery: Discovery,
                              details: Record<string, unknown> = {}, notes: string[] = []): SourceInspectReport {
  const role = variableRoles(discovery);
  return {
    file: source.file, format, details,
    variables: source.variables.map((v) => ({name: v.name, dtype: v.dtype, shape: v.shape, role: role(v.name)})),
    ...discoveryReport(discovery),
    notes: discovery.stacks.length === 0 ? [...notes, noGruHint(source.variables, source.file)] : notes,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/**
 * The report as text for a terminal.
 * @category Conversion
 */
export function formatSourceReport(r: SourceInspectReport): string {
  const out: string[] = [];
  const details = Object.entries(r.details).map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  out.push(`${r.format}: ${r.file} (${r.variables.length} tensors${details.length ? `; ${details.join('; ')}` : ''})`);
  out.push('');
  const shown = r.variables.filter((v) => v.role !== 'ignored');
  out.push(table([['tensor', 'dtype', 'shape', 'role'],
    ...shown.map((v) => [v.name, v.dtype, `[${v.shape.join(', ')}]`, v.role])]));
  if (shown.length < r.variables.length) out.push(`(${r.variables.length - shown.length} ignored: ${[...new Set(r.ignored.map((i) => i.reason))].join('; ')})`);
  out.push('');
  if (r.grus.length === 0 && r.stacks.length === 0) {
    out.push('GRUs: none found');
  } else {
    out.push(`GRUs: ${r.grus.length} cell(s) in ${r.stacks.length} stack(s)`);
    out.push(table([['stack', 'layer', 'direction', 'cell', 'layout', 'input', 'units', 'tensors'],
      ...r.grus.map((g) => [g.stack === '' ? '(root)' : g.stack, String(g.layer), g.direction, g.cellType, g.layout,
        String(g.inputSize), String(g.units), g.scope])]));
    for (const s of r.stacks) {
      const name = s.name === '' ? '(root)' : s.name;
      out.push(`stack ${name}: ${s.layers} layer(s), input ${s.inputSize}, output ${s.outputSize}` +
          (s.dense != null ? `; dense ${s.dense.scope} ${s.dense.inputSize} → ${s.dense.units}` : '; no dense layer') +
          (s.problem != null ? `; cannot convert: ${s.problem}` : ''));
    }
  }
  out.push(`unexplained: ${r.unexplained.length === 0 ? 'none' : r.unexplained.map((v) => `${v.name} ${v.dtype}[${v.shape.join(',')}]`).join(', ')}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}
