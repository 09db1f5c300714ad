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
import {disposeModelFully} from '../kerasModel/topology/buildModel';
import {loadLayersModelFromDir, saveLayersModelToDir} from './layersModelFiles';
import {openModelFile, OpenModelFileOptions} from './modelFormats';

/** What {@link convertModelFileToDir} did: the conversion, the files written and the check of the loaded model. */
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

/** How to open the file ({@link OpenModelFileOptions}) and build the model ({@link ToLayersModelOptions}). */
export interface ConvertModelFileOptions extends ToLayersModelOptions, OpenModelFileOptions {
  /** Keras files: convert only the GRU stack (by default the whole model, or an error listing every layer it cannot convert). */
  gruStack?: boolean;
}

/** Converts the GRU stack of the model file at `path` into a tfjs LayersModel folder `out` (see the module comment). */
export async function convertModelFileToDir(path: string, out: string,
                                            options: ConvertModelFileOptions = {}): Promise<ConvertModelFileResult> {
  const opened = openModelFile(path, {config: options.config});
  const {format, source, discovery} = opened;
  try {
    const built = (await opened.convert?.(options)) ?? null;
    const {model, description} = built ?? gruStackToLayersModel(source, discovery, options);
    let files: string[];
    try {
      files = await saveLayersModelToDir(model, out);
    } finally {
      disposeModelFully(model);  // also the weights of layers called twice (tfjs's dispose() leaves them)
    }
    const loaded = await loadLayersModelFromDir(out);
    let loadedCheck;
    try {
      const seed = (options.seed ?? 1) + 1;
      loadedCheck = built != null ? built.check(loaded, seed, options.tolerance ?? 1e-5) :
        checkAgainstReference(source, chooseStack(source, discovery, options.stack), loaded, seed, options.tolerance ?? 1e-5);
    } finally {
      disposeModelFully(loaded);
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
