/**
 * The parts of an `inspect` report every model-file format shares: each variable's role
 * and the found GRUs, stacks, ignored and unexplained variables as plain JSON-able data.
 */
import {Discovery, FoundGru} from './findGrus';

/**
 * What a variable is in the model: a GRU's, the Dense layer's, set aside, or unexplained.
 * @category Conversion
 */
export type VariableRole = 'gru' | 'dense' | 'ignored' | 'unexplained';

/**
 * One GRU stack as `inspect` reports it.
 * @category Conversion
 */
export interface StackReport {
  name: string;
  layers: number;
  bidirectional: boolean[];
  inputSize: number;
  outputSize: number;
  dense: {scope: string; inputSize: number; units: number; kernel: string; bias: string | null} | null;
  problem?: string;
}

/**
 * The discovery's part of a report.
 * @category Conversion
 */
export interface DiscoveryReport {
  grus: FoundGru[];
  stacks: StackReport[];
  ignored: Array<{name: string; reason: string}>;
  unexplained: Array<{name: string; dtype: string; shape: number[]}>;
}

/** The role of a variable name (unexplained when the discovery does not name it). */
export function variableRoles(discovery: Discovery): (name: string) => VariableRole {
  const role = new Map<string, VariableRole>();
  for (const g of discovery.grus) for (const k of Object.values(g.variables)) role.set(k, 'gru');
  for (const s of discovery.stacks) {
    if (s.dense != null) {
      role.set(s.dense.variables.kernel, 'dense');
      if (s.dense.variables.bias != null) role.set(s.dense.variables.bias, 'dense');
    }
  }
  for (const i of discovery.ignored) role.set(i.name, 'ignored');
  return (name) => role.get(name) ?? 'unexplained';
}

/** The GRUs, stacks, ignored and unexplained variables of a discovery as report data. */
export function discoveryReport(discovery: Discovery): DiscoveryReport {
  return {
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
  };
}
