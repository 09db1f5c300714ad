/**
 * Node-only: the model-file formats `tfjs-gru inspect` and `tfjs-gru convert` read,
 * and the dispatch from a path to one. Each format (one file under src/node/formats/)
 * says whether a path is its own, opens it as a {@link TensorSource} with the GRU
 * discovery of its tensors, and reports what it holds for `inspect`.
 * A new format: write src/node/formats/<name>.ts and add it to MODEL_FILE_FORMATS.
 */
import * as tf from '@tensorflow/tfjs';

import {Discovery} from '../discovery/findGrus';
import {ConversionDescription, ModelCheck, ToLayersModelOptions} from '../gruStackModel/toLayersModel';
import {ReadLimits} from '../io/limits';
import {ModelFileError} from '../io/modelFileError';
import {TensorSource} from '../io/tensorSource';
import {checkpointFormat} from './formats/checkpoint';
import {onnxFormat} from './formats/onnx';
import {safetensorsFormat} from './formats/safetensors';
import {h5Format} from './formats/h5';
import {kerasFormat} from './formats/keras';
import {npzFormat} from './formats/npz';
import type {KeyMap} from '../io/keyMap';

/**
 * A model file opened for inspection or conversion.
 * @category Conversion
 */
export interface OpenedModelFile {
  /** The format's name, e.g. 'checkpoint'. */
  format: string;
  source: TensorSource;
  /** The GRUs (and the Dense layer after them) found among the source's tensors. */
  discovery: Discovery;
  /**
   * The format's own conversion, when it knows more than the GRU stack (a Keras file's
   * whole architecture); without it convert builds the GRU stack (gruStackToLayersModel).
   */
  convert?: (options: ToLayersModelOptions & {gruStack?: boolean}) => FormatConversion | Promise<FormatConversion>;
}

/**
 * A format's own conversion: the model, its description, and the check to run on the model as loaded back.
 * @category Conversion
 */
export interface FormatConversion {
  model: tf.LayersModel;
  description: Omit<ConversionDescription, 'inputShape' | 'outputShape'> &
      {inputShape: Array<number | null>; outputShape: Array<number | null>};
  /** Checks `model` (the converted one as loaded back) against the format's reference on the file's tensors. */
  check(model: tf.LayersModel, seed?: number, tolerance?: number): ModelCheck;
}

/**
 * What `inspect` prints of a file: a JSON-able report and its text for a terminal.
 * @category Conversion
 */
export interface InspectOutput {
  report: object;
  text: string;
}

/**
 * One model-file format (see the module comment).
 * @category Conversion
 */
export interface ModelFileFormat {
  name: string;
  /** One line for help texts: what files, recognised how. */
  describe: string;
  /** Whether `path` is a file (or folder) of this format; cheap (a name, a stat, a few first bytes). */
  claims(path: string): boolean;
  /** Opens it; throws the format's ModelFileError subclass naming the file and the fault. */
  open(path: string, options?: OpenModelFileOptions): OpenedModelFile;
  /** Whether it takes {@link OpenModelFileOptions.config} (a weights-only Keras file). */
  takesConfig?: boolean;
  /** Whether it takes {@link OpenModelFileOptions.rename} (formats whose GRUs are found by tensor name). */
  takesRename?: boolean;
  /** The `inspect` report of an opened file. */
  inspect(opened: OpenedModelFile): InspectOutput;
}

/**
 * Every format, tried in order; the checkpoint (which also claims folders) comes last.
 * @category Conversion
 */
export const MODEL_FILE_FORMATS: ModelFileFormat[] = [kerasFormat, h5Format, safetensorsFormat, npzFormat, onnxFormat, checkpointFormat];

/**
 * The format of `path`, or a ModelFileError 'UNKNOWN_FORMAT' naming the formats known.
 * @category Conversion
 */
export function formatOf(path: string): ModelFileFormat {
  const f = MODEL_FILE_FORMATS.find((fmt) => fmt.claims(path));
  if (f == null) {
    throw new ModelFileError('UNKNOWN_FORMAT', path,
        `not a model file this tool reads; known formats: ${MODEL_FILE_FORMATS.map((m) => `${m.name} (${m.describe})`).join('; ')}`);
  }
  return f;
}

/**
 * How to open a model file.
 * @category Conversion
 */
export interface OpenModelFileOptions {
  /**
   * The path of a Keras model config (JSON from `model.to_json()`, or a `.keras` file's
   * config.json) for a Keras 3 `.weights.h5` or a weights-only `.h5`; it overrides a
   * legacy `.h5`'s own `model_config`. Without it such a file's config is looked for
   * beside it. Other formats refuse it.
   */
  config?: string;
  /** Size limits of the readers (src/io/limits.ts); default: the environment's (TFJS_GRU_MAX_*_MB), else the built-in ones. */
  limits?: Partial<ReadLimits>;
  /**
   * A key map (src/io/keyMap.ts) renaming the file's tensors before GRU discovery, e.g.
   * `'enc_w_ih=enc.weight_ih_l0,enc_w_hh=enc.weight_hh_l0'` or `'enc_w_*=enc.weight_*_l0'`
   * (safetensors and .npz files; other formats refuse it).
   */
  rename?: KeyMap;
}

/**
 * Opens `path` with its format (see {@link formatOf}); a `config` given for a format that takes none is a ModelFileError 'BAD_OPTION'.
 * @category Conversion
 */
export function openModelFile(path: string, options: OpenModelFileOptions = {}): OpenedModelFile {
  return openWithFormat(formatOf(path), path, options);
}

/** {@link openModelFile} with the format already known. */
export function openWithFormat(format: ModelFileFormat, path: string, options: OpenModelFileOptions = {}): OpenedModelFile {
  if (options.config != null && !format.takesConfig) {
    throw new ModelFileError('BAD_OPTION', path, `a config file (${options.config}) applies only to Keras .h5 / .weights.h5 ` +
        `files, and this is a ${format.name} file (${format.describe})`);
  }
  if (options.rename != null && !format.takesRename) {
    throw new ModelFileError('BAD_OPTION', path, `a key map (rename) applies to .safetensors and .npz files, ` +
        `and this is a ${format.name} file (${format.describe})`);
  }
  return format.open(path, options);
}
