/**
 * Which stored weights belong to which layer of a Keras config, and the roles of a GRU's
 * weights. Legacy .h5 files group weights by layer name and name each weight
 * (`gru/gru_cell/kernel:0`, `gru/kernel:0` before tf.keras 2.2, `bidirectional/forward_gru/gru_cell/kernel:0`,
 * `cu_dnngru/kernel:0`); Keras 3 files group them by a name made from the layer's class
 * (`gru`, `gru_1`, … in the model's layer order; Keras 3.x also records the layer name)
 * and number them (`cell/vars/0..2` = kernel, recurrent_kernel, bias; Bidirectional under
 * `forward_layer/` and `backward_layer/`).
 */
import {KerasFileError} from '../io/keras/errors';
import {KerasFile, KerasLayerWeights, KerasWeight} from '../io/keras/kerasFile';
import {KerasLayerConfig} from './architecture';

/** Keras's `naming.to_snake_case` (the group names of Keras 3 weight files). */
export function toSnakeCase(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Each layer's stored weights (null: the file has no group for it), by layer name. */
export function weightsByLayer(kf: KerasFile, layers: KerasLayerConfig[]): Map<string, KerasLayerWeights | null> {
  const out = new Map<string, KerasLayerWeights | null>();
  if (kf.kind === 'legacy-h5') {
    const byKey = new Map(kf.layerWeights.map((g) => [g.key, g]));
    for (const l of layers) out.set(l.name, byKey.get(l.name) ?? null);
    return out;
  }
  const byRecordedName = new Map(kf.layerWeights.filter((g) => g.layerName != null).map((g) => [g.layerName!, g]));
  const byKey = new Map(kf.layerWeights.map((g) => [g.key, g]));
  const used = new Map<string, number>();
  for (const l of layers) {
    const base = toSnakeCase(l.className);
    const n = used.get(base);
    used.set(base, n == null ? 0 : n + 1);
    const key = n == null ? base : `${base}_${n + 1}`;
    out.set(l.name, byRecordedName.get(l.name) ?? byKey.get(key) ?? null);
  }
  return out;
}

/**
 * A GRU cell's weights in a file: kernel, recurrent kernel and bias (null with use_bias=False).
 * @category Conversion
 */
export interface GruCellWeights {
  kernel: KerasWeight;
  recurrent_kernel: KerasWeight;
  bias: KerasWeight | null;
}

const V3_ROLE = ['kernel', 'recurrent_kernel', 'bias'] as const;

/** The role and direction of one weight of a GRU / Bidirectional layer, from its name. */
function roleOf(w: KerasWeight): {dir: 'forward' | 'fw' | 'bw'; role: string} | null {
  const v3 = /^(?:(forward_layer|backward_layer)\/)?cell\/vars\/(\d+)$/.exec(w.name) ?? /^(?:(forward_layer|backward_layer)\/)?vars\/(\d+)$/.exec(w.name);
  if (v3 != null) {
    const role = V3_ROLE[Number(v3[2])];
    if (role == null) return null;
    return {dir: v3[1] == null ? 'forward' : v3[1] === 'forward_layer' ? 'fw' : 'bw', role};
  }
  const parts = w.name.split('/');
  const role = parts[parts.length - 1].replace(/:\d+$/, '');
  if (!(V3_ROLE as readonly string[]).includes(role)) return null;
  const dirPart = parts.slice(0, -1).find((p) => /^(forward|backward)_/.test(p));
  return {dir: dirPart == null ? 'forward' : dirPart.startsWith('forward_') ? 'fw' : 'bw', role};
}

/**
 * The cells of a GRU (one) or Bidirectional (fw, bw) layer from its stored weights; a typed
 * error naming the layer when they are not all there.
 */
export function gruCellWeights(file: string, layer: KerasLayerConfig, group: KerasLayerWeights | null,
                               bidirectional: boolean, useBias: boolean): GruCellWeights[] {
  if (group == null || group.weights.length === 0) {
    throw new KerasFileError('MISSING_WEIGHTS', file, `layer '${layer.name}' (${layer.className}) has no weights in the file`);
  }
  const dirs = bidirectional ? ['fw', 'bw'] as const : ['forward'] as const;
  const found: Record<string, Record<string, KerasWeight>> = {forward: {}, fw: {}, bw: {}};
  group.weights.forEach((w, i) => {
    const r = roleOf(w);
    if (r == null) return;
    // a legacy Bidirectional without forward_/backward_ names: the first half is the forward layer
    const dir = bidirectional && r.dir === 'forward' ? (i < group.weights.length / 2 ? 'fw' : 'bw') : r.dir;
    found[dir][r.role] = w;
  });
  return dirs.map((d) => {
    const f = found[d];
    const need = useBias ? ['kernel', 'recurrent_kernel', 'bias'] : ['kernel', 'recurrent_kernel'];
    const missing = need.filter((r) => f[r] == null);
    if (missing.length > 0) {
      throw new KerasFileError('MISSING_WEIGHTS', file,
          `layer '${layer.name}' (${layer.className}${bidirectional ? `, ${d === 'fw' ? 'forward' : 'backward'} layer` : ''}) lacks ` +
          `${missing.join(', ')}; the file has ${group.weights.map((w) => `'${w.name}'`).join(', ')}`);
    }
    return {kernel: f.kernel, recurrent_kernel: f.recurrent_kernel, bias: useBias ? f.bias : null};
  });
}

/** A plain layer's weights in their stored order (Dense: kernel, bias; Embedding: embeddings). */
export function plainWeights(file: string, layer: KerasLayerConfig, group: KerasLayerWeights | null, count: number): KerasWeight[] {
  const ws = group?.weights ?? [];
  if (ws.length !== count) {
    throw new KerasFileError('MISSING_WEIGHTS', file, `layer '${layer.name}' (${layer.className}) should have ${count} weight(s), ` +
        `the file has ${ws.length}${ws.length ? `: ${ws.map((w) => `'${w.name}'`).join(', ')}` : ''}`);
  }
  // Keras 3 numbers them vars/0, vars/1 (string order would put vars/10 before vars/2)
  return ws.slice().sort((a, b) => {
    const ia = /vars\/(\d+)$/.exec(a.name);
    const ib = /vars\/(\d+)$/.exec(b.name);
    return ia && ib ? Number(ia[1]) - Number(ib[1]) : 0;
  });
}
