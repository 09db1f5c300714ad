/**
 * Node-only: `tfjs-gru convert` as a library call. Reads a checkpoint from files,
 * builds the LayersModel (src/checkpointModel/toLayersModel.ts), writes it to a
 * folder, loads what it wrote with tf.loadLayersModel and checks that against the
 * unfused reference on the checkpoint's own tensors (a model that fails is removed).
 */
import * as fs from 'fs';

import '../index';  // registers this package's layer classes for loading
import {checkAgainstReference, checkpointToLayersModel, chooseStack, ConversionDescription,
        ToLayersModelOptions} from '../checkpointModel/toLayersModel';
import {CheckpointError} from '../io/checkpoint/errors';
import {loadLayersModelFromDir, saveLayersModelToDir} from './layersModelFiles';
import {readCheckpoint} from './readCheckpoint';

export interface ConvertCheckpointResult extends ConversionDescription {
  checkpoint: string;
  out: string;
  files: string[];
  /** The check of the model as loaded back from `out`. */
  loadedCheck: {maxAbsError: number; tolerance: number; pass: boolean};
}

/**
 * Reads the checkpoint at `prefix`, converts its GRU model to a LayersModel, writes it to `out`,
 * loads it back and checks it against the unfused reference (`tfjs-gru convert`).
 */
export async function convertCheckpointToDir(prefix: string, out: string,
                                             options: ToLayersModelOptions = {}): Promise<ConvertCheckpointResult> {
  const ck = readCheckpoint(prefix);
  try {
    const {model, description, discovery} = checkpointToLayersModel(ck, options);
    let files: string[];
    try {
      files = await saveLayersModelToDir(model, out);
    } finally {
      model.dispose();
    }
    const loaded = await loadLayersModelFromDir(out);
    let loadedCheck;
    try {
      const stack = chooseStack(ck, discovery, options.stack);
      loadedCheck = checkAgainstReference(ck, stack, loaded, (options.seed ?? 1) + 1, options.tolerance ?? 1e-5);
    } finally {
      loaded.dispose();
    }
    const result = {checkpoint: ck.prefix, out, files, ...description, loadedCheck};
    if (!loadedCheck.pass || (description.check != null && !description.check.pass)) {
      for (const f of files) fs.rmSync(f, {force: true});  // never leave a wrong model behind
      throw new CheckpointError('CHECK_FAILED', `${ck.prefix}.index`,
          `converted model differs from the reference on the checkpoint's tensors: max |error| ` +
          `${loadedCheck.maxAbsError} > ${loadedCheck.tolerance}; the files were removed (this is a bug; please report it)`);
    }
    return result;
  } finally {
    ck.close();
  }
}
