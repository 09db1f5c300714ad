/**
 * What a checkpoint holds, for `tfjs-gru inspect`: its variables (name, dtype,
 * shape, bytes; readable path for TF2), the GRUs found with their stacks, what is
 * ignored (optimizer, bookkeeping) and what is left unexplained. Reads no tensor
 * data (a TF2 checkpoint's object graph, which is metadata, excepted).
 */
import {Checkpoint} from '../io/checkpoint/checkpoint';
import {DiscoveryReport, discoveryReport, variableRoles, VariableRole} from './discoveryReport';
import {Discovery, findGrus} from './findGrus';

/**
 * A checkpoint's contents as `tfjs-gru inspect` reports them (plain JSON-able data).
 * @category Conversion
 */
export interface InspectReport extends DiscoveryReport {
  checkpoint: string;
  format: 'tf1-name-based' | 'tf2-object-based';
  shards: number;
  variables: Array<{name: string; dtype: string; shape: number[]; bytes: number; path?: string;
    role: VariableRole; partitioned?: true}>;
}

/**
 * The report of a checkpoint, from its variable list and the GRU discovery (findGrus by default); reads no tensor data.
 * @category Conversion
 */
export function inspectCheckpoint(ck: Checkpoint, discovery: Discovery = findGrus(ck)): InspectReport {
  const role = variableRoles(discovery);
  const graph = ck.objectGraph;
  return {
    checkpoint: ck.prefix,
    format: graph != null ? 'tf2-object-based' : 'tf1-name-based',
    shards: ck.header.numShards,
    variables: ck.variables.map((v) => {
      const info = graph?.byKey.get(v.name);
      return {name: v.name, dtype: v.dtype, shape: v.shape, bytes: v.bytes, ...(info != null ? {path: info.path} : {}),
        role: role(v.name), ...(v.partitioned ? {partitioned: true as const} : {})};
    }),
    ...discoveryReport(discovery),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** The report as text for a terminal. */
export function formatInspectReport(r: InspectReport): string {
  const out: string[] = [];
  out.push(`checkpoint: ${r.checkpoint} (${r.format}, ${r.shards} shard${r.shards === 1 ? '' : 's'}, ${r.variables.length} variables)`);
  out.push('');
  out.push(table([[r.format === 'tf2-object-based' ? 'variable (object path; key = path/.ATTRIBUTES/VARIABLE_VALUE)' : 'variable', 'dtype', 'shape', 'bytes', 'role'],
    ...r.variables.map((v) => [v.path ?? v.name, v.dtype,
      `[${v.shape.join(', ')}]`, String(v.bytes), v.role])]));
  out.push('');
  if (r.grus.length === 0) {
    out.push('GRUs: none found');
  } else {
    out.push(`GRUs: ${r.grus.length} cell(s) in ${r.stacks.length} stack(s)`);
    out.push(table([['stack', 'layer', 'direction', 'cell', 'layout', 'input', 'units', 'scope'],
      ...r.grus.map((g) => [g.stack === '' ? '(root)' : g.stack, String(g.layer), g.direction,
        g.cellType + (g.naming ? ` (${g.naming} names)` : '') + (g.swappedKernelNames ? ' (kernel names swapped)' : ''),
        g.layout, String(g.inputSize), String(g.units), g.scope])]));
    for (const s of r.stacks) {
      const name = s.name === '' ? '(root)' : s.name;
      out.push(`stack ${name}: ${s.layers} layer(s), input ${s.inputSize}, output ${s.outputSize}` +
          (s.dense != null ? `; dense ${s.dense.scope} ${s.dense.inputSize} → ${s.dense.units}` : '; no dense layer') +
          (s.problem != null ? `; cannot convert: ${s.problem}` : ''));
    }
  }
  out.push(`ignored: ${r.ignored.length} (${[...new Set(r.ignored.map((i) => i.reason.replace(/ of .*$/, '')))].join(', ') || 'none'})`);
  out.push(`unexplained: ${r.unexplained.length === 0 ? 'none' : r.unexplained.map((v) => `${v.name} ${v.dtype}[${v.shape.join(',')}]`).join(', ')}`);
  return out.join('\n') + '\n';
}
