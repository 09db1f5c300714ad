/**
 * What a model file of any tensor format holds, for `tfjs-gru inspect` (safetensors,
 * ONNX): its tensors (name, dtype, shape, role), the GRUs found with their stacks and
 * Dense layers, what is left unexplained, and the format's own notes (metadata, graph
 * nodes left out). Reads no tensor data.
 */
import {TensorSource} from '../io/tensorSource';
import {Discovery, FoundGru} from './findGrus';

/** A model file's contents as `inspect` reports them (plain JSON-able data). */
export interface SourceInspectReport {
  file: string;
  format: string;
  /** Format facts: safetensors __metadata__, ONNX producer and opset, ... */
  details: Record<string, unknown>;
  variables: Array<{name: string; dtype: string; shape: number[]; role: 'gru' | 'dense' | 'ignored' | 'unexplained'}>;
  grus: FoundGru[];
  stacks: Array<{name: string; layers: number; bidirectional: boolean[]; inputSize: number; outputSize: number;
    dense: {scope: string; inputSize: number; units: number; kernel: string; bias: string | null} | null; problem?: string}>;
  ignored: Array<{name: string; reason: string}>;
  unexplained: Array<{name: string; dtype: string; shape: number[]}>;
  /** What a reader of the report should know: how the Dense layer was chosen, graph parts left out, ... */
  notes: string[];
}

/** The report of `source` from its GRU discovery. */
export function inspectSource(format: string, source: TensorSource, discovery: Discovery,
                              details: Record<string, unknown> = {}, notes: string[] = []): SourceInspectReport {
  const role = new Map<string, 'gru' | 'dense' | 'ignored'>();
  for (const i of discovery.ignored) role.set(i.name, 'ignored');
  for (const g of discovery.grus) for (const k of Object.values(g.variables)) role.set(k, 'gru');
  for (const s of discovery.stacks) {
    if (s.dense != null) {
      role.set(s.dense.variables.kernel, 'dense');
      if (s.dense.variables.bias != null) role.set(s.dense.variables.bias, 'dense');
    }
  }
  return {
    file: source.file, format, details,
    variables: source.variables.map((v) => ({name: v.name, dtype: v.dtype, shape: v.shape, role: role.get(v.name) ?? 'unexplained'})),
    grus: discovery.grus,
    stacks: discovery.stacks.map((s) => ({
      name: s.name, layers: s.layers.length, bidirectional: s.layers.map((l) => l.bidirectional),
      inputSize: s.inputSize, outputSize: s.outputSize,
      dense: s.dense == null ? null : {scope: s.dense.scope, inputSize: s.dense.inputSize, units: s.dense.units,
        kernel: s.dense.variables.kernel, bias: s.dense.variables.bias},
      ...(s.problem != null ? {problem: s.problem} : {}),
    })),
    ignored: discovery.ignored,
    unexplained: discovery.unexplained.map((v) => ({name: v.name, dtype: v.dtype, shape: v.shape})),
    notes,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** The report as text for a terminal. */
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
