/**
 * Node-only: `tfjs-gru convert` as a library call. Opens a model file of any known
 * format (./modelFormats), builds the LayersModel of its GRU stack
 * (src/gruStackModel/toLayersModel.ts), writes it into a fresh temporary folder beside
 * `out`, loads what it wrote with tf.loadLayersModel and checks that against the unfused
 * reference on the file's own tensors, and only then moves the files into `out`
 * (./atomicOutput.ts): a failure leaves `out` exactly as it was.
 */

import '../index';  // registers this package's layer classes for loading
import * as tf from '@tensorflow/tfjs';

import {checkAgainstReference, chooseStack, ConversionDescription, gruStackToLayersModel, ModelCheck,
        ToLayersModelOptions} from '../gruStackModel/toLayersModel';
import {ConversionError} from '../io/modelFileError';
import {TensorSource} from '../io/tensorSource';
import type {KerasConversionInfo} from '../kerasModel/toLayersModel';
import {disposeModelFully} from '../kerasModel/topology/buildModel';
import {checkInputs} from '../kerasModel/topology/selfCheck';
import {QuantizeMode} from '../io/quantizeWeights';
import {AtomicOutputOptions, checkOutput, writeOutputAtomically} from './atomicOutput';
import {loadLayersModelFromDir, saveLayersModelToDir, WEIGHTS_FILE} from './layersModelFiles';
import {openModelFile, OpenModelFileOptions} from './modelFormats';
import {typedResourceError} from './resourceErrors';

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
  /** The check of the model as loaded back from `out` (its tolerance relative to the reference output: {@link ModelCheck}). */
  loadedCheck: ModelCheck;
  /** With `quantize`: the written model against the float32 one on the check's input (the float32 one is what was checked). */
  quantization?: {mode: QuantizeMode; maxAbsError: number; maxAbsReference: number};
}

/**
 * How to open the file ({@link OpenModelFileOptions}), build the model ({@link ToLayersModelOptions})
 * and write it ({@link AtomicOutputOptions}: `force` replaces convert's own files in a non-empty `out`).
 * @category Conversion
 */
export interface ConvertModelFileOptions extends ToLayersModelOptions, OpenModelFileOptions, AtomicOutputOptions {
  /** Store the float32 weights as float16 or uint8 (tfjs's quantized weight manifest); the result reports the error it causes. */
  quantize?: QuantizeMode;
  /** Keras files: convert only the GRU stack (by default the whole model, or an error listing every layer it cannot convert). */
  gruStack?: boolean;
}

/**
 * Each tensor of `source` holding NaN or ±Inf, with the counts ('rnn/gates/kernel: 1 NaN'); unreadable tensors are skipped.
 * @category Conversion
 */
export function nonFiniteTensors(source: TensorSource): string[] {
  const found: string[] = [];
  for (const v of source.variables) {
    let t: tf.Tensor;
    try {
      t = source.read(v.name);
    } catch {
      continue;  // not a tensor this reader decodes: not one the model was built from
    }
    const [nan, inf] = tf.tidy(() => {
      const f = tf.cast(t, 'float32');
      return [tf.sum(tf.cast(tf.isNaN(f), 'int32')), tf.sum(tf.cast(tf.isInf(f), 'int32'))].map((x) => x.dataSync()[0]);
    });
    t.dispose();
    if (nan + inf > 0) found.push(`'${v.name}': ${[nan ? `${nan} NaN` : '', inf ? `${inf} ±Inf` : ''].filter(Boolean).join(', ')}`);
  }
  return found;
}

/** The error for a failed check: NON_FINITE when NaN/Inf made it unable to judge, else CHECK_FAILED (a bug). */
function checkFailure(source: TensorSource, failed: ModelCheck, out: string): ConversionError {
  if (failed.nonFinite) {
    const bad = nonFiniteTensors(source);
    const why = bad.length > 0 ? `the file's weights hold NaN/Inf (${bad.slice(0, 5).join('; ')}${bad.length > 5 ? `; … ${bad.length} tensors` : ''}): ` +
        'the model converts exactly, but its outputs are NaN/Inf, so the check against the reference cannot judge it' :
      `the model's outputs overflow to NaN/Inf on the check's input (weights finite, max |reference output| ${failed.referenceMaxAbs}): ` +
        'the check cannot judge it';
    return new ConversionError('NON_FINITE', source.file, `${why}; nothing was written to ${out}`);
  }
  return new ConversionError('CHECK_FAILED', source.file,
      `converted model differs from the reference on the file's tensors: max |error| ${failed.maxAbsError} > ${failed.tolerance} ` +
      `(${failed.relTolerance ?? failed.tolerance} × max(1, max |reference output| ${failed.referenceMaxAbs})); ` +
      `nothing was written to ${out} (this is a bug; please report it)`);
}

/** max |a(x) − b(x)| over every output on seeded check inputs, and the largest |a(x)|. */
function outputDifference(a: tf.LayersModel, b: tf.LayersModel, seed: number): {maxAbsError: number; maxAbsReference: number} {
  const xs = checkInputs(a, seed);
  try {
    return tf.tidy(() => {
      const ya = [a.predict(xs.length === 1 ? xs[0] : xs)].flat() as tf.Tensor[];
      const yb = [b.predict(xs.length === 1 ? xs[0] : xs)].flat() as tf.Tensor[];
      let maxAbsError = 0;
      let maxAbsReference = 0;
      ya.forEach((y, i) => {
        maxAbsError = Math.max(maxAbsError, tf.max(tf.abs(tf.sub(y, yb[i]))).dataSync()[0]);
        maxAbsReference = Math.max(maxAbsReference, tf.max(tf.abs(y)).dataSync()[0]);
      });
      return {maxAbsError, maxAbsReference};
    });
  } finally {
    tf.dispose(xs);
  }
}

/**
 * Converts the GRU stack of the model file at `path` into a tfjs LayersModel folder `out` (see the module comment).
 * @category Conversion
 */
export async function convertModelFileToDir(path: string, out: string,
                                            options: ConvertModelFileOptions = {}): Promise<ConvertModelFileResult> {
  const opened = openModelFile(path, {config: options.config, rename: options.rename, limits: options.limits});
  const {format, source, discovery} = opened;
  try {
    checkOutput(out, options);  // refuse a non-empty folder before the conversion, not after
    const built = (await opened.convert?.(options)) ?? null;
    const {model, description} = built ?? gruStackToLayersModel(source, discovery, options);
    const tolerance = options.tolerance ?? 1e-5;
    let disposed = false;
    const dispose = () => {
      if (!disposed) disposeModelFully(model);  // also the weights of layers called twice (tfjs's dispose() leaves them)
      disposed = true;
    };
    const seed = (options.seed ?? 1) + 1;
    const checkModel = (m: tf.LayersModel): ModelCheck => (built != null ? built.check(m, seed, tolerance) :
      checkAgainstReference(source, chooseStack(source, discovery, options.stack), m, seed, tolerance));
    let quantization: ConvertModelFileResult['quantization'];
    const {result: loadedCheck, files} = await writeOutputAtomically(out, [WEIGHTS_FILE, 'model.json'], options, async (tmp) => {
      if (options.quantize != null) {
        // quantized weights change the numbers: the float32 model is what is checked against the
        // reference; the written one is compared with it, and the difference reported
        const check = checkModel(model);
        if (!check.pass || (description.check != null && !description.check.pass)) {
          throw checkFailure(source, check.pass ? description.check! : check, out);
        }
        await saveLayersModelToDir(model, tmp, 'tfjs-gru', CONVERTED_BY, options.quantize);
        const loaded = await loadLayersModelFromDir(tmp);
        try {
          quantization = {mode: options.quantize, ...outputDifference(model, loaded, seed)};
        } finally {
          disposeModelFully(loaded);
          dispose();
        }
        return check;
      }
      try {
        await saveLayersModelToDir(model, tmp, 'tfjs-gru', CONVERTED_BY);
      } finally {
        dispose();  // the check runs on the model as loaded back; free the built one first
      }
      const loaded = await loadLayersModelFromDir(tmp);
      let check;
      try {
        check = checkModel(loaded);
      } finally {
        disposeModelFully(loaded);
      }
      if (!check.pass || (description.check != null && !description.check.pass)) {
        throw checkFailure(source, check.pass ? description.check! : check, out);
      }
      return check;
    }).finally(dispose);
    // moved weights first (a model.json never names a missing file); listed model.json first, as written before
    return {source: source.file, format, out, files: [files[1], files[0]], ...description, loadedCheck,
      ...(quantization != null ? {quantization} : {})};
  } catch (e) {
    throw typedResourceError(e, source.file);
  } finally {
    source.close();
  }
}
