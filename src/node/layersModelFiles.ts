/**
 * Node-only: a tfjs LayersModel to and from a folder (`model.json` +
 * `group1-shard1of1.bin`), in the format tf.loadLayersModel reads over http:// or
 * file:// (the same files tfjs-node's file:// handler writes), without tfjs-node.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {QuantizeMode, quantizeWeights} from '../io/quantizeWeights';
import {makeDirs} from './atomicOutput';
import {fsFailure} from './fileErrors';
import {readRegularFile} from './safeRead';

/**
 * The one weight file saveLayersModelToDir writes next to model.json.
 * @category Conversion
 */
export const WEIGHTS_FILE = 'group1-shard1of1.bin';

function joinWeights(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data == null) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data as ArrayBuffer | ArrayBuffer[]);
}

/** Writes `data` to `file`; a typed WRITE_FAILED / PERMISSION error naming it (ENOSPC, ...). */
export function writeModelFile(file: string, data: string | Uint8Array): void {
  try {
    fs.writeFileSync(file, data);
  } catch (e) {
    throw fsFailure(e, file, 'writing');
  }
}

/**
 * Saves `model` into `dir` (created if missing), replacing model.json and the weight file
 * there; returns the files written. model.json gets `generatedBy` and, only when given,
 * `convertedBy` (`tfjs-gru convert` passes its own name; a model a user merely saves was
 * not converted by anything); `quantize` stores the float32 weights as float16 or uint8
 * (tfjs's quantized manifest). `tfjs-gru convert` calls it on a fresh temporary folder
 * (./atomicOutput.ts), never on the user's folder.
 * @category Conversion
 */
export async function saveLayersModelToDir(model: tf.LayersModel, dir: string, generatedBy = 'tfjs-gru',
                                           convertedBy?: string, quantize?: QuantizeMode): Promise<string[]> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }));
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  let specs = a.weightSpecs ?? [];
  let data = joinWeights(a.weightData);
  if (quantize != null) ({specs, data} = quantizeWeights(specs, data, quantize));
  makeDirs(dir);
  const json = {
    format: 'layers-model',
    generatedBy,
    ...(convertedBy != null ? {convertedBy} : {}),
    modelTopology: a.modelTopology,
    weightsManifest: [{paths: [WEIGHTS_FILE], weights: specs}],
  };
  const modelFile = path.join(dir, 'model.json');
  const weightsFile = path.join(dir, WEIGHTS_FILE);
  // the weights first: a model.json never names a weight file that is not there
  writeModelFile(weightsFile, new Uint8Array(data));
  writeModelFile(modelFile, JSON.stringify(json));
  return [modelFile, weightsFile];
}

/**
 * An IOHandler reading `dir/model.json` and the weight files it lists.
 * @category Conversion
 */
export function dirLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      // regular files only, within the size limit, every failure typed (./safeRead.ts)
      const read = (f: string) => {
        const b = readRegularFile(f);
        return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      };
      const json = JSON.parse(read(path.join(dir, 'model.json')).toString('utf8')) as tf.io.ModelJSON;
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(read(path.join(dir, p)));
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology, weightSpecs: specs, format: json.format,
        generatedBy: json.generatedBy, convertedBy: json.convertedBy,
        signature: json.signature, userDefinedMetadata: json.userDefinedMetadata,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer,
      };
    },
  };
}

/**
 * tf.loadLayersModel on a folder written by {@link saveLayersModelToDir} (or by tfjs's converter).
 * @category Conversion
 */
export function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(dirLoadHandler(dir));
}
