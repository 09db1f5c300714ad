/**
 * Node-only: `tfjs-gru convert` as a library call. Opens a model file of any known
 * format (./modelFormats), builds the LayersModel of its GRU stack
 * (src/checkpointModel/toLayersModel.ts), writes it into a fresh temporary folder beside
 * `out`, loads what it wrote with tf.loadLayersModel and checks that against the unfused
 * reference on the file's own tensors, and only then moves the files into `out`
 * (./atomicOutput.ts): a failure leaves `out` exactly as it was.
 */

import '../index';  // registers this package's layer classes for loading
import {checkAgainstReference, chooseStack, ConversionDescription, gruStackToLayersModel,
        ToLayersModelOptions} from '../checkpointModel/toLayersModel';
import {ConversionError} from '../io/modelFileError';
import type {KerasConversionInfo} from '../kerasModel/toLayersModel';
import {AtomicOutputOptions, checkOutput, writeOutputAtomically} from './atomicOutput';
import {loadLayersModelFromDir, saveLayersModelToDir, WEIGHTS_FILE} from './layersModelFiles';
import {openModelFile, OpenModelFileOptions} from './modelFormats';
import {typedResourceError} from './resourceErrors';

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

/**
 * How to open the file ({@link OpenModelFileOptions}), build the model ({@link ToLayersModelOptions})
 * and write it ({@link AtomicOutputOptions}: `force` replaces convert's own files in a non-empty `out`).
 */
export interface ConvertModelFileOptions extends ToLayersModelOptions, OpenModelFileOptions, AtomicOutputOptions {}

/** Converts the GRU stack of the model file at `path` into a tfjs LayersModel folder `out` (see the module comment). */
export async function convertModelFileToDir(path: string, out: string,
                                            options: ConvertModelFileOptions = {}): Promise<ConvertModelFileResult> {
  checkOutput(out, options);  // refuse a non-empty folder before the work, not after
  const opened = openModelFile(path, {config: options.config, limits: options.limits});
  const {format, source, discovery} = opened;
  try {
    const built = opened.convert?.(options) ?? null;
    const {model, description} = built ?? gruStackToLayersModel(source, discovery, options);
    const tolerance = options.tolerance ?? 1e-5;
    let disposed = false;
    const dispose = () => {
      if (!disposed) model.dispose();
      disposed = true;
    };
    const {result: loadedCheck, files} = await writeOutputAtomically(out, [WEIGHTS_FILE, 'model.json'], options, async (tmp) => {
      try {
        await saveLayersModelToDir(model, tmp);
      } finally {
        dispose();  // the check runs on the model as loaded back; free the built one first
      }
      const loaded = await loadLayersModelFromDir(tmp);
      let check;
      try {
        const seed = (options.seed ?? 1) + 1;
        check = built != null ? built.check(loaded, seed, tolerance) :
          checkAgainstReference(source, chooseStack(source, discovery, options.stack), loaded, seed, tolerance);
      } finally {
        loaded.dispose();
      }
      if (!check.pass || (description.check != null && !description.check.pass)) {
        const failed = check.pass ? description.check! : check;
        throw new ConversionError('CHECK_FAILED', source.file,
            `converted model differs from the reference on the file's tensors: max |error| ` +
            `${failed.maxAbsError} > ${failed.tolerance}; nothing was written to ${out} (this is a bug; please report it)`);
      }
      return check;
    }).finally(dispose);
    return {source: source.file, format, out, files, ...description, loadedCheck};
  } catch (e) {
    throw typedResourceError(e, source.file);
  } finally {
    source.close();
  }
}
