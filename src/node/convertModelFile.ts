/**
 * Node-only: `tfjs-gru convert` as a library call. Opens a model file of any known
 * format (./modelFormats), builds the LayersModel of its GRU stack
 * (src/checkpointModel/toLayersModel.ts), writes it to a folder, loads what it wrote
 * with tf.loadLayersModel and checks that against the unfused reference on the
 * file's own tensors (a model that fails is removed).
 */
import * as fs from 'fs';

import '../index';  // registers this package's layer classes for loading
import {checkAgainstReference, chooseStack, ConversionDescription, gruStackToLayersModel,
        ToLayersModelOptions} from '../checkpointModel/toLayersModel';
import {ConversionError} from '../io/modelFileError';
import type {KerasConversionInfo} from '../kerasModel/toLayersModel';
import {loadLayersModelFromDir, saveLayersModelToDir} from './layersModelFiles';
import {openModelFile, OpenModelFileOptions} from './modelFormats';

/** model.json's `convertedBy` on what convert writes (and only there). */
export const CONVERTED_BY = 'tfjs-gru convert';

/**
 * What {@link convertModelFileToDir} did: the conversion, the files written and the check of the loaded model.
 * @category Conversion
 */
export interface ConvertModelFileResult extends Omit<ConversionDescription, 'inputShape' | 'outputShape'> {
  /** [null, null, D] for a GRU stack; a whole Keras model's own input (e.g. [null, null] for token ids). */
  inputShape: Array<number | null>;
  outputShape: Array<number | null>;
  /** The source file as opened (a checkpoint's `.index` file). */
  source: string;
  format: string;
  out: string;
  files: string[];
  /** Keras files: whole model or GRU stack, each layer converted, what was left out and why. */
  keras?: KerasConversionInfo;
  /** The check of the model as loaded back from `out`. */
  loadedCheck: {maxAbsError: number; tolerance: number; pass: boolean};
}

/**
 * How to open the file ({@link OpenModelFileOptions}) and build the model ({@link ToLayersModelOptions}).
 * @category Conversion
 */
export interface ConvertModelFileOptions extends ToLayersModelOptions, OpenModelFileOptions {}

/**
 * Converts the GRU stack of the model file at `path` into a tfjs LayersModel folder `out` (see the module comment).
 * @category Conversion
 */
export async function convertModelFileToDir(path: string, out: string,
                                            options: ConvertModelFileOptions = {}): Promise<ConvertModelFileResult> {
  const opened = openModelFile(path, {config: options.config, rename: options.rename});
  const {format, source, discovery} = opened;
  try {
    const built = opened.convert?.(options) ?? null;
    const {model, description} = built ?? gruStackToLayersModel(source, discovery, options);
    let files: string[];
    try {
      files = await saveLayersModelToDir(model, out, 'tfjs-gru', CONVERTED_BY);
    } finally {
      model.dispose();
    }
    const loaded = await loadLayersModelFromDir(out);
    let loadedCheck;
    try {
      const seed = (options.seed ?? 1) + 1;
      loadedCheck = built != null ? built.check(loaded, seed, options.tolerance ?? 1e-5) :
        checkAgainstReference(source, chooseStack(source, discovery, options.stack), loaded, seed, options.tolerance ?? 1e-5);
    } finally {
      loaded.dispose();
    }
    const result = {source: source.file, format, out, files, ...description, loadedCheck};
    if (!loadedCheck.pass || (description.check != null && !description.check.pass)) {
      for (const f of files) fs.rmSync(f, {force: true});  // never leave a wrong model behind
      throw new ConversionError('CHECK_FAILED', source.file,
          `converted model differs from the reference on the file's tensors: max |error| ` +
          `${loadedCheck.maxAbsError} > ${loadedCheck.tolerance}; the files were removed (this is a bug; please report it)`);
    }
    return result;
  } finally {
    source.close();
  }
}
