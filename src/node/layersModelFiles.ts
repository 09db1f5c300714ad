/**
 * Node-only: a tfjs LayersModel to and from a folder (`model.json` +
 * `group1-shard1of1.bin`), in the format tf.loadLayersModel reads over http:// or
 * file:// (the same files tfjs-node's file:// handler writes), without tfjs-node.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

/**
 * The one weight file saveLayersModelToDir writes next to model.json.
 * @category Conversion
 */
export const WEIGHTS_FILE = 'group1-shard1of1.bin';

function joinWeights(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data == null) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data as ArrayBuffer | ArrayBuffer[]);
}

/**
 * Saves `model` into `dir` (created); returns the files written. model.json gets
 * `generatedBy` and, only when given, `convertedBy` (`tfjs-gru convert` passes its
 * own name; a model a user merely saves was not converted by anything).
 * @category Conversion
 */
export async function saveLayersModelToDir(model: tf.LayersModel, dir: string, generatedBy = 'tfjs-gru',
                                           convertedBy?: string): Promise<string[]> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }));
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  fs.mkdirSync(dir, {recursive: true});
  const json = {
    format: 'layers-model',
    generatedBy,
    ...(convertedBy != null ? {convertedBy} : {}),
    modelTopology: a.modelTopology,
    weightsManifest: [{paths: [WEIGHTS_FILE], weights: a.weightSpecs ?? []}],
  };
  const modelFile = path.join(dir, 'model.json');
  const weightsFile = path.join(dir, WEIGHTS_FILE);
  fs.writeFileSync(modelFile, JSON.stringify(json));
  fs.writeFileSync(weightsFile, Buffer.from(joinWeights(a.weightData)));
  return [modelFile, weightsFile];
}

/**
 * An IOHandler reading `dir/model.json` and the weight files it lists.
 * @category Conversion
 */
export function dirLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
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
