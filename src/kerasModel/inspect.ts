/**
 * What a Keras model file holds, for `tfjs-gru inspect`: the container and Keras
 * version, the model's layers in order with their stored weights (name, shape) and what
 * each becomes in tfjs (or why it is refused), the GRUs found, their stacks, and whether
 * `convert` converts the whole model (else every refused layer). Reads no tensor data.
 */
import {FoundGru} from '../discovery/findGrus';
import {KerasFile} from '../io/keras/kerasFile';
import {KerasModelPlan, PlannedLayer, planKerasModel} from './findKerasGrus';
import {weightsByLayer} from './layerWeights';
import {fileIsKeras3} from './topology/buildModel';
import {TranslatedModel, RefusedLayer, translateKerasConfig} from './topology/translate';

function flatLayers(m: TranslatedModel, prefix = ''): Array<{name: string; className: string; as: string}> {
  return m.layers.flatMap((l) => (l.children ? flatLayers(l.children, `${prefix}${l.name}/`) :
    [{name: prefix + l.name, className: l.kerasClass, as: l.tfjsClass}]));
}

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
  /** What `convert` does: the whole model, or (mode 'refused') why not: every refused layer, one per line. */
  conversion: {mode: 'whole-model' | 'refused'; reason: string | null};
  /** Every layer of the whole model as tfjs builds it (nested layers as 'outer/inner'), and every refused one. */
  wholeModel: {layers: Array<{name: string; className: string; as: string}>; refused: RefusedLayer[]};
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

/** What a layer becomes in the whole model (tfjs class, with the GRU details of the plan), or why it is refused. */
function wholeModelBecomes(p: PlannedLayer, tfjsClass: string | null, refused: string): {becomes: string | null; problem: string | null} {
  if (refused) return {becomes: null, problem: refused};
  const planned = becomes(p);
  if (tfjsClass == null) return planned;
  return {becomes: planned.becomes != null && p.kind !== 'other' ? planned.becomes : tfjsClass, problem: null};
}

/**
 * The report of a Keras file (see the module comment).
 * @category Conversion
 */
export function inspectKerasFile(kf: KerasFile, plan: KerasModelPlan = planKerasModel(kf)): KerasInspectReport {
  const groups = weightsByLayer(kf, plan.architecture.layers);
  const t = translateKerasConfig(kf.config, kf.file, fileIsKeras3(kf));
  const as = new Map(t.model.layers.map((l) => [l.name, l.tfjsClass]));
  const refusedOf = (n: string) => t.refused.filter((r) => r.name === n || r.name.startsWith(`${n}/`)).map((r) => r.reason).join('; ');
  return {
    file: kf.file, kind: kf.kind, kerasVersion: kf.kerasVersion, modelClass: plan.architecture.modelClass,
    inputShape: plan.architecture.inputShape,
    layers: plan.layers.map((p) => ({name: p.layer.name, className: p.layer.className,
      weights: (groups.get(p.layer.name)?.weights ?? []).map((w) => ({name: w.name, path: w.path, shape: w.shape, dtype: w.dtype})),
      ...wholeModelBecomes(p, as.get(p.layer.name) ?? null, refusedOf(p.layer.name))})),
    grus: plan.discovery.grus,
    stacks: plan.discovery.stacks.map((s) => ({name: s.name, layers: s.layers.length, bidirectional: s.layers.map((l) => l.bidirectional),
      inputSize: s.inputSize, outputSize: s.outputSize, dense: s.dense?.scope ?? null, ...(s.problem ? {problem: s.problem} : {})})),
    conversion: t.refused.length === 0 ? {mode: 'whole-model', reason: null} :
      {mode: 'refused', reason: t.refused.map((r) => `${r.name} (${r.className}): ${r.reason}`).join('\n')},
    wholeModel: {layers: flatLayers(t.model), refused: t.refused},
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
    l.weights.map((w) => `${w.name} [${w.shape.join(',')}]`).join(', ') || '-', l.becomes ?? `refused: ${l.problem}`])]).replace(/^/gm, '  '));
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
    `convert: the whole model cannot be converted exactly (convert --gru-stack converts the GRU stack alone):\n${
      r.conversion.reason!.replace(/^/gm, '  ')}`);
  return out.join('\n') + '\n';
}
