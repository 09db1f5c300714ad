/**
 * Keras model files from bytes (browser-safe): Keras 3 `.keras` (a zip of config.json +
 * model.weights.h5 + metadata.json), Keras 3 `.weights.h5` with its config given apart,
 * and legacy tf.keras / Keras `.h5` (`model.save('x.h5')`: a `model_config` attribute and
 * `model_weights/<layer>/…` datasets listed by each layer's `weight_names`; or
 * `save_weights('x.h5')`, the same without the config). What the config and the weights
 * mean (layers, GRUs) is interpreted in src/kerasModel/; this module exposes the parsed
 * config, the weights grouped by layer, and the datasets as a {@link TensorSource}.
 */
import * as tf from '@tensorflow/tfjs';

import {ReadLimits} from '../limits';
import {SourceVariable, TensorSource} from '../tensorSource';
import {KerasFileError} from './errors';
import {Hdf5File, isHdf5} from './hdf5';
import {isZip, unzipKeras} from './zip';

/**
 * 'keras': a .keras zip; 'weights-h5': Keras 3's .weights.h5; 'legacy-h5': tf.keras / Keras's legacy HDF5.
 * @category Readers
 */
export type KerasFileKind = 'keras' | 'weights-h5' | 'legacy-h5';

/**
 * One weight dataset of a layer: its path in the file (the TensorSource name), shape and dtype.
 * @category Readers
 */
export interface KerasWeight {
  path: string;
  shape: number[];
  dtype: string;
  /** The weight's name: legacy `weight_names` entry ('gru/gru_cell/kernel:0'), or the path below the layer group ('cell/vars/0'). */
  name: string;
}

/**
 * The weights stored for one layer.
 * @category Readers
 */
export interface KerasLayerWeights {
  /** legacy: the layer's name (as in the config); Keras 3: the group under `layers/` ('gru', 'gru_1', …). */
  key: string;
  /** The layer name recorded in the file (Keras 3.x `vars` attribute 'name'; legacy: the key), or null. */
  layerName: string | null;
  weights: KerasWeight[];
}

/**
 * A Keras model file read from bytes (see the module comment).
 * @category Readers
 */
export interface KerasFile extends TensorSource {
  readonly kind: KerasFileKind;
  /** The Keras version that wrote it ('2.21.0', '3.15.1'), or null when the file does not say. */
  readonly kerasVersion: string | null;
  /** The model config (`{class_name, config}`) as parsed JSON. */
  readonly config: {class_name: string; config: any; [k: string]: unknown};
  /** The weights grouped by layer, in the file's order. */
  readonly layerWeights: KerasLayerWeights[];
}

/**
 * Bytes of a Keras model file, and for a .weights.h5 (or a weights-only legacy .h5) its config JSON.
 * @category Readers
 */
export interface KerasFileBytes {
  bytes: Uint8Array | ArrayBuffer;
  /** The model config as JSON text (`model.to_json()`, or a .keras file's config.json); needed when the file has none. */
  config?: string;
  /** The name used in messages and errors. */
  file?: string;
  /** What the config is called in errors about it (e.g. its file's path); default 'the given config'. */
  configName?: string;
  /** Size limits (zip entries; src/io/limits.ts); default the built-in ones. */
  limits?: Partial<ReadLimits>;
}

function parseConfig(text: string, file: string, where: string): KerasFile['config'] {
  let c: any;
  try {
    c = JSON.parse(text);
  } catch (e) {
    throw new KerasFileError('BAD_CONFIG', file, `${where} is not JSON: ${(e as Error).message}`);
  }
  if (c == null || typeof c !== 'object' || typeof c.class_name !== 'string' || c.config == null || typeof c.config !== 'object') {
    throw new KerasFileError('BAD_CONFIG', file, `${where} is not a Keras model config: expected {"class_name": …, "config": {…}}`);
  }
  return c;
}

/** Keras 3 weights: `layers/<key>/…` groups (nested `layers/` of sub-models are not descended into). */
function v3LayerWeights(h5: Hdf5File): KerasLayerWeights[] {
  if (!h5.has('layers')) return [];
  return h5.keys('layers').map((key) => {
    const base = `layers/${key}`;
    const named = h5.has(`${base}/vars`) ? h5.stringAttr(`${base}/vars`, 'name') : null;
    const weights = h5.datasets(base).map((d) => ({path: d.path, shape: d.shape, dtype: d.dtype, name: d.path.slice(base.length + 1)}));
    return {key, layerName: named, weights};
  });
}

/** Legacy weights: `layer_names` on the weights group, `weight_names` on each layer's group. */
function legacyLayerWeights(h5: Hdf5File, root: string, file: string): KerasLayerWeights[] {
  const layerNames = h5.stringListAttr(root, 'layer_names');
  if (layerNames == null) throw new KerasFileError('BAD_HDF5', file, `'${root || '/'}' has no 'layer_names' attribute`);
  return layerNames.map((layer) => {
    const group = root === '' ? layer : `${root}/${layer}`;
    if (!h5.has(group)) throw new KerasFileError('MISSING_WEIGHTS', file, `layer '${layer}' is listed in 'layer_names' but '${group}' is absent`);
    const names = h5.stringListAttr(group, 'weight_names') ?? [];
    const byPath = new Map(h5.datasets(group).map((d) => [d.path, d]));
    const weights = names.map((name) => {
      const path = `${group}/${name}`;
      const d = byPath.get(path);
      if (d == null) throw new KerasFileError('MISSING_WEIGHTS', file, `layer '${layer}' lists weight '${name}' but dataset '${path}' is absent`);
      return {path, shape: d.shape, dtype: d.dtype, name};
    });
    return {key: layer, layerName: layer, weights};
  });
}

function versionFromMetadata(metadata: string | null): string | null {
  if (metadata == null) return null;
  try {
    const m = JSON.parse(metadata);
    return typeof m?.keras_version === 'string' ? m.keras_version : null;
  } catch {
    return null;
  }
}

class KerasFileSource implements KerasFile {
  readonly variables: SourceVariable[];
  private readonly byName: Map<string, KerasWeight>;
  private closed = false;

  constructor(readonly file: string, readonly kind: KerasFileKind, readonly kerasVersion: string | null,
              readonly config: KerasFile['config'], readonly layerWeights: KerasLayerWeights[], private readonly h5: Hdf5File) {
    const all = layerWeights.flatMap((l) => l.weights);
    this.byName = new Map(all.map((w) => [w.path, w]));
    this.variables = all.map((w) => ({name: w.path, dtype: w.dtype, shape: w.shape}));
  }

  read(name: string): tf.Tensor {
    if (this.closed) throw new KerasFileError('CLOSED', this.file, `read('${name}') after close()`);
    const w = this.byName.get(name);
    if (w == null) {
      throw new KerasFileError('NO_SUCH_VARIABLE', this.file, `no weight '${name}'; it holds ${this.variables.length} (e.g. ${
        this.variables.slice(0, 3).map((v) => `'${v.name}'`).join(', ')})`);
    }
    return tf.tensor(this.h5.readFloat32(name), w.shape, 'float32');
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * Reads a Keras model file from bytes: a `.keras` zip or an HDF5 file (recognised by
 * their signatures). A Keras 3 `.weights.h5` or a weights-only legacy `.h5` needs
 * `config` (the model's JSON); a `.keras` or full legacy `.h5` carries its own.
 * @category Readers
 */
export function readKerasFromBytes(input: KerasFileBytes): KerasFile {
  const file = input.file ?? 'model';
  const bytes = input.bytes instanceof Uint8Array ? input.bytes : new Uint8Array(input.bytes);
  if (isZip(bytes)) {
    const z = unzipKeras(bytes, file, input.limits);
    const h5 = new Hdf5File(z.weights, file, 'model.weights.h5');
    const config = parseConfig(z.config, file, "the zip's config.json");
    return new KerasFileSource(file, 'keras', versionFromMetadata(z.metadata), config, v3LayerWeights(h5), h5);
  }
  if (!isHdf5(bytes)) {
    const got = Array.from(bytes.slice(0, 8)).map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new KerasFileError('UNKNOWN_CONTAINER', file,
        `neither a .keras zip (starts 50 4b 03 04) nor an HDF5 file (starts 89 48 44 46 …): the first bytes are ${got || '(empty)'}`);
  }
  const h5 = new Hdf5File(bytes, file);
  const modelConfig = h5.stringAttr('', 'model_config');
  const given = input.config == null ? null : parseConfig(input.config, file, input.configName ?? 'the given config');
  if (h5.has('model_weights') || h5.stringListAttr('', 'layer_names') != null) {
    const root = h5.has('model_weights') ? 'model_weights' : '';
    const config = given ?? (modelConfig == null ? null : parseConfig(modelConfig, file, "the 'model_config' attribute"));
    if (config == null) {
      throw new KerasFileError('BAD_CONFIG', file, "a weights-only .h5 (no 'model_config' attribute): give the model's config JSON");
    }
    const version = h5.stringAttr(root, 'keras_version') ?? h5.stringAttr('', 'keras_version');
    return new KerasFileSource(file, 'legacy-h5', version, config, legacyLayerWeights(h5, root, file), h5);
  }
  if (h5.has('layers') || h5.has('vars')) {
    if (given == null) {
      throw new KerasFileError('BAD_CONFIG', file, "a Keras 3 .weights.h5 holds no architecture: give the model's config JSON (model.to_json())");
    }
    return new KerasFileSource(file, 'weights-h5', null, given, v3LayerWeights(h5), h5);
  }
  throw new KerasFileError('BAD_HDF5', file,
      `an HDF5 file without Keras weights: expected a 'model_weights' group or 'layer_names' (legacy .h5) or a 'layers' group (Keras 3), found ${
        h5.keys('').map((k) => `'${k}'`).join(', ') || 'nothing'}`);
}
