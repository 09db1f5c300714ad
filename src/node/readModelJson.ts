import * as fs from 'fs';
import * as path from 'path';

/**
 * A model.json and the bytes of its weight files, read from disk (Node only).
 * @category Readers
 */
export interface ModelJsonFiles {
  modelJson: unknown;
  /** The weight files concatenated in manifest order; null when not asked for. */
  weightData: ArrayBuffer|null;
  /** The weight files read, in order. */
  weightFiles: string[];
}

/**
 * A file the user named (or a model.json names) that is missing or unreadable.
 * @category Readers
 */
export class InputFileError extends Error {
  constructor(message: string, readonly file: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

/**
 * Reads a tfjs LayersModel model.json and, with `withWeights`, every weight
 * file its weightsManifest lists (paths relative to the model.json). Errors
 * name the file: missing, not JSON, not a model.json, a shard missing.
 * @category Readers
 */
export function readModelJson(file: string, withWeights: boolean): ModelJsonFiles {
  if (!fs.existsSync(file)) throw new InputFileError(`${file}: no such file`, file);
  if (fs.statSync(file).isDirectory()) throw new InputFileError(`${file}: is a folder; give its model.json`, file);
  let modelJson: any;
  try {
    modelJson = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputFileError(`${file}: not JSON (${(e as Error).message}); explain reads a tfjs model.json`, file);
  }
  if (modelJson == null || typeof modelJson !== 'object' || modelJson.modelTopology == null) {
    throw new InputFileError(`${file}: not a tfjs model.json: expected an object with 'modelTopology' and ` +
                             `'weightsManifest', got keys ${Object.keys(modelJson ?? {}).join(', ') || 'none'}`, file);
  }
  if (!withWeights) return {modelJson, weightData: null, weightFiles: []};
  const groups: Array<{paths?: string[]}> = Array.isArray(modelJson.weightsManifest) ? modelJson.weightsManifest : [];
  const files = groups.flatMap((g) => g.paths ?? []).map((p) => path.join(path.dirname(file), p));
  const buffers = files.map((f) => {
    if (!fs.existsSync(f)) {
      throw new InputFileError(`${f}: missing; ${file}'s weightsManifest lists it (pass --no-weights to explain from ` +
                               'the manifest\'s shapes alone)', f);
    }
    return fs.readFileSync(f);
  });
  const all = Buffer.concat(buffers);
  return {modelJson, weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength), weightFiles: files};
}
