/**
 * Each translated layer's weights in the file, in Keras's order (which is tfjs's order for
 * every mapped class: kernel, recurrent kernel, bias; gamma, beta, moving mean, moving
 * variance; forward layer then backward layer; …).
 *
 * Legacy .h5: a group per top-level layer, its `weight_names` in order; a nested model's
 * group lists its layers' weights as `<inner layer>/<weight>`. Keras 3: a group per layer
 * named from its class (`dense`, `dense_1`, …; Keras 3.x also records the layer's name), the
 * weights numbered `vars/0..` under the layer and its parts (`cell/`, `forward_layer/`,
 * `backward_layer/`, `layer/`), a nested model's layers under `layers/`; seed generators'
 * states (`seed_generator/…`) are not weights of the model.
 */
import {KerasFileError} from '../../io/keras/errors';
import {KerasFile, KerasLayerWeights, KerasWeight} from '../../io/keras/kerasFile';
import {toSnakeCase} from '../layerWeights';
import {TranslatedLayer, TranslatedModel} from './translate';

/** A layer's weights, and a nested model's layers' weights by layer name. */
export interface StoredLayer {
  weights: KerasWeight[];
  children?: Map<string, StoredLayer>;
}

const PART_ORDER = ['vars', 'cell', 'layer', 'forward_layer', 'backward_layer'];

/** Keras 3's order of a layer's variables: its own, then its parts' (forward before backward), numbered ones by number. */
function compareV3(a: KerasWeight, b: KerasWeight): number {
  const pa = a.name.split('/');
  const pb = b.name.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = /^\d+$/.test(pa[i]) ? Number(pa[i]) : NaN;
    const nb = /^\d+$/.test(pb[i]) ? Number(pb[i]) : NaN;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    const oa = PART_ORDER.indexOf(pa[i]);
    const ob = PART_ORDER.indexOf(pb[i]);
    if (oa >= 0 && ob >= 0) return oa - ob;
    if (oa >= 0 || ob >= 0) return oa >= 0 ? -1 : 1;
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

function leafV3(weights: KerasWeight[]): KerasWeight[] {
  return weights.filter((w) => !/(^|\/)seed_generator(\/|$)/.test(w.name)).sort(compareV3);
}

/** A Keras 3 nested model's groups: `layers/<key>/…` → key → weights named below it. */
function v3Groups(weights: KerasWeight[]): KerasLayerWeights[] {
  const byKey = new Map<string, KerasWeight[]>();
  for (const w of weights) {
    const m = /^layers\/([^/]+)\/(.+)$/.exec(w.name);
    if (m == null) continue;
    if (!byKey.has(m[1])) byKey.set(m[1], []);
    byKey.get(m[1])!.push({...w, name: m[2]});
  }
  return [...byKey].map(([key, ws]) => ({key, layerName: null, weights: ws}));
}

/** A legacy nested model's groups: `<inner layer>/…` → inner layer → its weights. */
function legacyGroups(weights: KerasWeight[]): KerasLayerWeights[] {
  const byKey = new Map<string, KerasWeight[]>();
  for (const w of weights) {
    const key = w.name.split('/')[0];
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key)!.push(w);
  }
  return [...byKey].map(([key, ws]) => ({key, layerName: key, weights: ws}));
}

function level(file: string, model: TranslatedModel, groups: KerasLayerWeights[], legacy: boolean): Map<string, StoredLayer> {
  const out = new Map<string, StoredLayer>();
  const byRecorded = new Map(groups.filter((g) => g.layerName != null).map((g) => [g.layerName!, g]));
  const byKey = new Map(groups.map((g) => [g.key, g]));
  const used = new Map<string, number>();
  for (const l of model.layers) {
    let key: string | null = null;
    if (!legacy && !(model.kind === 'Sequential' && l.kerasClass === 'InputLayer')) {
      const base = toSnakeCase(l.kerasClass);
      const n = used.get(base);
      used.set(base, n == null ? 0 : n + 1);
      key = n == null ? base : `${base}_${n + 1}`;
    }
    const g = legacy ? byKey.get(l.name) : byRecorded.get(l.name) ?? (key != null ? byKey.get(key) : undefined);
    const weights = g?.weights ?? [];
    if (l.children != null) {
      out.set(l.name, {weights: [], children: level(file, l.children, legacy ? legacyGroups(weights) : v3Groups(weights), legacy)});
    } else {
      out.set(l.name, {weights: legacy ? weights : leafV3(weights)});
    }
  }
  return out;
}

/** Every layer's stored weights (see the module comment), by layer name at each level. */
export function storedWeights(kf: KerasFile, model: TranslatedModel): Map<string, StoredLayer> {
  if (kf.kind === 'legacy-h5' || kf.layerWeights.length > 0) {
    return level(kf.file, model, kf.layerWeights, kf.kind === 'legacy-h5');
  }
  throw new KerasFileError('MISSING_WEIGHTS', kf.file, 'the file holds no layer weights');
}

/** The layers of a translated model with their stored weights, depth first (nested models' layers under their path). */
export function* walkLayers(model: TranslatedModel, stored: Map<string, StoredLayer>, prefix = ''):
    Generator<{path: string[]; layer: TranslatedLayer; stored: StoredLayer | undefined}> {
  for (const l of model.layers) {
    const s = stored.get(l.name);
    if (l.children != null) {
      yield* [...walkLayers(l.children, s?.children ?? new Map(), `${prefix}${l.name}/`)].map((x) => ({...x, path: [l.name, ...x.path]}));
    } else {
      yield {path: [l.name], layer: l, stored: s};
    }
  }
}
