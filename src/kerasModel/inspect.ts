/**
 * What a Keras model file holds, for `tfjs-gru inspect`: the container and Keras
 * version, the model's layers in order with their stored weights (name, shape) and what
 * each becomes in tfjs (or why it is left out), the GRUs found, their stacks, and which
 * conversion `convert` will make. Reads no tensor data.
 */
import {FoundGru} from '../checkpointModel/findGrus';
import {KerasFile} from '../io/keras/kerasFile';
import {KerasModelPlan, PlannedLayer, planKerasModel} from './findKerasGrus';
import {weightsByLayer} from './layerWeights';

/**
 * A Keras file's contents as `tfjs-gru inspect` reports them (plain JSON-able data).
 * @category Conversion
 */
export interface KerasInspectReport {
  file: string;
  kind: KerasFile['kind'];
  kerasVersion: string | null;
  modelClass: string;
  inputShape: Array<number | null> | null;
  layers: Array<{name: string; className: string; weights: Array<{name: string; path: string; shape: number[]; dtype: string}>;
    becomes: string | null; problem: string | null}>;
  grus: FoundGru[];
  stacks: Array<{name: string; layers: number; bidirectional: boolean[]; inputSize: number; outputSize: number;
    dense: string | null; problem?: string}>;
  /** What `convert` does: the whole model, or the GRU stack with the reason. */
  conversion: {mode: 'whole-model' | 'gru-stack'; reason: string | null};
}

function becomes(p: PlannedLayer): {becomes: string | null; problem: string | null} {
  switch (p.kind) {
    case 'gru': {
      const c = p.cells[0].found;
      const cls = c.layout === 'keras' ? 'GRU' : 'KerasGRU';
      const desc = `${p.bidirectional ? `Bidirectional(${cls}, ${p.mergeMode})` : cls} ${c.inputSize} → ${c.units} (${c.layout}${c.resetAfter ? ', reset after' : ''})`;
      return {becomes: p.unsupported ? null : desc, problem: p.unsupported};
    }
    case 'other':
      return {becomes: null, problem: p.reason};
    case 'dense': case 'activation':
      return 'refused' in p.activation ? {becomes: null, problem: p.activation.refused} :
        {becomes: p.kind === 'dense' ? `Dense ${p.kernel.shape[0]} → ${p.kernel.shape[1]} (${p.activation.name})` : `Activation (${p.activation.name})`, problem: null};
    case 'embedding':
      return {becomes: `Embedding ${p.embeddings.shape[0]} × ${p.embeddings.shape[1]}${p.maskZero ? ' (mask_zero)' : ''}`, problem: null};
    case 'masking':
      return {becomes: `Masking (mask value ${p.maskValue})`, problem: null};
    case 'identity':
      return {becomes: `${p.tfjsClass} (identity at inference)`, problem: null};
  }
}

/**
 * The report of a Keras file (see the module comment).
 * @category Conversion
 */
export function inspectKerasFile(kf: KerasFile, plan: KerasModelPlan = planKerasModel(kf)): KerasInspectReport {
  const groups = weightsByLayer(kf, plan.architecture.layers);
  return {
    file: kf.file, kind: kf.kind, kerasVersion: kf.kerasVersion, modelClass: plan.architecture.modelClass,
    inputShape: plan.architecture.inputShape,
    layers: plan.layers.map((p) => ({name: p.layer.name, className: p.layer.className,
      weights: (groups.get(p.layer.name)?.weights ?? []).map((w) => ({name: w.name, path: w.path, shape: w.shape, dtype: w.dtype})),
      ...becomes(p)})),
    grus: plan.discovery.grus,
    stacks: plan.discovery.stacks.map((s) => ({name: s.name, layers: s.layers.length, bidirectional: s.layers.map((l) => l.bidirectional),
      inputSize: s.inputSize, outputSize: s.outputSize, dense: s.dense?.scope ?? null, ...(s.problem ? {problem: s.problem} : {})})),
    conversion: plan.wholeModelProblem == null ? {mode: 'whole-model', reason: null} : {mode: 'gru-stack', reason: plan.wholeModelProblem},
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

const KIND_TEXT = {'keras': '.keras file (zip)', 'weights-h5': 'Keras 3 .weights.h5 (with its config)', 'legacy-h5': 'legacy HDF5 .h5'};

/**
 * The report as text for a terminal.
 * @category Conversion
 */
export function formatKerasInspectReport(r: KerasInspectReport): string {
  const shape = r.inputShape == null ? 'unknown' : `[batch, ${r.inputShape.map((d) => d ?? 'time').join(', ')}]`;
  const out = [`${r.file}: ${KIND_TEXT[r.kind]}, Keras ${r.kerasVersion ?? '(version not recorded)'}, ${r.modelClass} model, input ${shape}`, ''];
  out.push(`layers (${r.layers.length}):`);
  out.push(table([['name', 'class', 'weights', 'becomes'], ...r.layers.map((l) => [l.name, l.className,
    l.weights.map((w) => `${w.name} [${w.shape.join(',')}]`).join(', ') || '-', l.becomes ?? `left out: ${l.problem}`])]).replace(/^/gm, '  '));
  out.push('', `GRUs (${r.grus.length}):`);
  if (r.grus.length) {
    out.push(table([['scope', 'type', 'layout', 'input', 'units', 'stack', 'layer', 'direction'], ...r.grus.map((g) =>
      [g.scope, g.cellType, g.layout, String(g.inputSize), String(g.units), g.stack, String(g.layer), g.direction])]).replace(/^/gm, '  '));
  }
  for (const s of r.stacks) {
    out.push(`  stack '${s.name}': ${s.layers} layer(s), ${s.inputSize} → ${s.outputSize}${s.dense ? `, then Dense '${s.dense}'` : ''}` +
        `${s.problem ? ` — cannot be converted alone: ${s.problem}` : ''}`);
  }
  out.push('', r.conversion.mode === 'whole-model' ? 'convert: the whole model (every layer converts exactly)' :
    `convert: the GRU stack only; the whole model does not convert: ${r.conversion.reason}`);
  return out.join('\n') + '\n';
}
