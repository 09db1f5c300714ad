/**
 * Node-only: `tfjs-gru convert model.onnx` for the whole graph. Converts
 * (src/onnxGraph/toGraphModel.ts), writes a tfjs GraphModel folder (model.json +
 * group1-shard1of1.bin) into a fresh temporary folder (./atomicOutput.ts), loads what it
 * wrote and checks it, and only then moves the files into `out`:
 *  - with onnxruntime-node installed (an optional peer): against onnxruntime on random
 *    inputs of the graph's own shapes, every output within 1e-4 · max(1, max|ref|);
 *  - without it: the loaded model against the converted graph before writing (the
 *    files hold exactly that graph: max |error| 0), and each GRU node against the
 *    unfused reference GRU on the file's own W, R, B.
 * The folder is written into a temporary folder beside `out` and moved there only when
 * the check passes (./atomicOutput.ts): a failure leaves `out` exactly as it was.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import '../index';  // registers the ONNX op executors with tfjs-converter
import {ConversionError} from '../io/modelFileError';
import type {OnnxModel} from '../io/onnx';
import {onnxOp} from '../onnxGraph/registry';
import {GRU_KERNEL_OP, gruKernelParts} from '../onnxGraph/ops/gru';
import {GraphTensorInfo, onnxToGraphModel, OnnxGraphConversion} from '../onnxGraph/toGraphModel';
import {runOnnxGraph} from '../onnxGraph/run';
import {unfusedGru} from '../unfused/unfusedGru';
import {unfusedResetAfterGru} from '../unfused/unfusedResetAfterGru';
import {convertWeights} from '../weights/convert';
import {ExplicitGruWeights} from '../unfused/explicitWeights';
import {ExplicitResetAfterGruWeights} from '../weights/unfusedLayout';
import {QuantizeMode, quantizeWeights} from '../io/quantizeWeights';
import {seededRandom} from '../math/seededRandom';
import {readOnnxFile} from './formats/onnx';
import {dirLoadHandler, WEIGHTS_FILE} from './layersModelFiles';
import {AtomicOutputOptions, checkOutput, makeDirs, writeOutputAtomically} from './atomicOutput';
import {fsFailure} from './fileErrors';
import {typedResourceError} from './resourceErrors';
import {readRegularFile} from './safeRead';
import {ReadLimits} from '../io/limits';

/**
 * Which check `convert` ran on the written graph, and its result.
 * @category Conversion
 */
export interface OnnxGraphCheck {
  kind: 'onnxruntime' | 'round-trip + GRU reference';
  /** What ran, in words. */
  description: string;
  maxAbsError: number;
  /** The largest error allowed (relative checks: at the worst output). */
  tolerance: number;
  pass: boolean;
  /** The shapes the check fed each input. */
  inputShapes: Record<string, number[]>;
  /** With --quantize: the written (quantized) model against the float32 graph on the same inputs. */
  quantization?: {mode: QuantizeMode; maxAbsError: number; maxAbsReference: number};
}

/**
 * What {@link convertOnnxGraphToDir} did: the conversion (less its in-memory artifacts), the files and the check.
 * @category Conversion
 */
export interface OnnxGraphConvertResult extends Omit<OnnxGraphConversion, 'artifacts'> {
  kind: 'onnx-graph';
  source: string;
  format: 'onnx';
  out: string;
  files: string[];
  check: OnnxGraphCheck;
}

/**
 * Options of {@link convertOnnxGraphToDir}.
 * @category Conversion
 */
export interface ConvertOnnxGraphOptions extends AtomicOutputOptions {
  /** Size limits of the reader (src/io/limits.ts). */
  limits?: Partial<ReadLimits>;
  /** Seed of the check's random inputs (default 1). */
  seed?: number;
  /** Store float32 weights as float16 or uint8 (tfjs's quantized manifest); the check reports the error it causes. */
  quantize?: QuantizeMode;
  /**
   * The onnxruntime-node module to check against (default: `require('onnxruntime-node')` when it is
   * installed); null: do not use onnxruntime.
   */
  onnxruntime?: unknown;
}

/**
 * The model.json + weights of a converted graph into `dir` (created); returns the files written.
 * @category Conversion
 */
export function saveGraphModelToDir(artifacts: tf.io.ModelArtifacts, dir: string, quantize?: QuantizeMode): string[] {
  let specs = artifacts.weightSpecs ?? [];
  let data = tf.io.CompositeArrayBuffer.join(artifacts.weightData as ArrayBuffer);
  if (quantize != null) ({specs, data} = quantizeWeights(specs, data, quantize));
  makeDirs(dir);
  const json = {
    format: 'graph-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: 'tfjs-gru convert',
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{paths: [WEIGHTS_FILE], weights: specs}],
    signature: artifacts.signature,
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
  const modelFile = path.join(dir, 'model.json');
  const weightsFile = path.join(dir, WEIGHTS_FILE);
  const write = (f: string, d: string | Uint8Array) => {
    try {
      fs.writeFileSync(f, d);
    } catch (e) {
      throw fsFailure(e, f, 'writing');  // ENOSPC, EACCES, ... typed
    }
  };
  write(weightsFile, new Uint8Array(data));  // the weights first: a model.json never names a missing file
  write(modelFile, JSON.stringify(json));
  return [modelFile, weightsFile];
}

/**
 * Loads a GraphModel folder (model.json and its weight files) without tfjs-node.
 * @category Conversion
 */
export async function loadGraphModelFromDir(dir: string): Promise<tf.GraphModel> {
  return tf.loadGraphModel(dirLoadHandler(dir));
}

/** Dynamic dims: 2 when it leads the shape (a batch), 8 elsewhere; a named dim gets one value everywhere. */
/**
 * The most elements one input of the check may have: a graph whose inputs have fixed dims is
 * checked on inputs of exactly those dims, so a graph declaring [1, 1e8, 400] would otherwise
 * make the check allocate gigabytes (issue 20: never sized by a declared number alone).
 */
export const CHECK_MAX_INPUT_ELEMENTS = 1 << 24;

function checkShapes(inputs: GraphTensorInfo[], file = ''): Record<string, number[]> {
  const named = new Map<string, number>();
  const shapes: Record<string, number[]> = {};
  for (const i of inputs) {
    if (i.onnxShape == null) throw new ConversionError('UNSUPPORTED', '', `graph input '${i.name}' declares no shape; the check cannot size it`);
    let first = true;
    shapes[i.name] = i.onnxShape.map((d) => {
      if (typeof d === 'number') { first = false; return d; }
      const v = d != null && named.has(d) ? named.get(d)! : first ? 2 : 8;
      if (d != null) named.set(d, v);
      first = false;
      return v;
    });
    const n = shapes[i.name].reduce((a, b) => a * b, 1);
    if (!(n <= CHECK_MAX_INPUT_ELEMENTS)) {
      throw new ConversionError('UNSUPPORTED', file, `graph input '${i.name}' declares [${i.onnxShape.join(', ')}]: the check would run ` +
          `the graph on ${n} elements, more than its limit of ${CHECK_MAX_INPUT_ELEMENTS}; nothing was written`);
    }
  }
  return shapes;
}

function makeInputs(inputs: GraphTensorInfo[], shapes: Record<string, number[]>, seed: number): Record<string, tf.Tensor> {
  const rnd = seededRandom(seed);
  const out: Record<string, tf.Tensor> = {};
  for (const i of inputs) {
    const shape = shapes[i.name];
    const n = shape.reduce((a, b) => a * b, 1);
    if (i.dtype === 'float32') out[i.name] = tf.tensor(Float32Array.from({length: n}, () => 2 * rnd() - 1), shape, 'float32');
    else out[i.name] = tf.zeros(shape, i.dtype);
  }
  return out;
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => (a.size === 0 ? 0 : tf.max(tf.abs(tf.sub(tf.cast(a, 'float32'), tf.cast(b, 'float32')))).dataSync()[0]));
}

/** Each GRU node (each direction) on the kernels against the unfused reference on the file's W, R, B. */
function checkGrusAgainstReference(model: OnnxModel, seed: number): number {
  let worst = 0;
  const rnd = seededRandom(seed + 7);
  for (const node of model.nodes.filter((n) => n.opType === 'GRU')) {
    const lbr = node.attributes.linear_before_reset === 1;
    const dirs = node.attributes.direction === 'bidirectional' ? 2 : 1;
    const err = tf.tidy(() => {
      const W = model.read(node.inputs[1]);
      const R = model.read(node.inputs[2]);
      const units = R.shape[2]!;
      const inputSize = W.shape[2]!;
      const B = node.inputs[3] ? model.read(node.inputs[3]) : tf.zeros([dirs, 6 * units]);
      const x = tf.tensor(Float32Array.from({length: 2 * 5 * inputSize}, () => 2 * rnd() - 1), [2, 5, inputSize]) as tf.Tensor3D;
      const h0 = tf.zeros([2, units]) as tf.Tensor2D;
      let e = 0;
      for (let k = 0; k < dirs; k++) {
        const w = {W: tf.gather(W, k, 0), R: tf.gather(R, k, 0), B: tf.gather(B, k, 0)};
        const ref = lbr ? unfusedResetAfterGru(x, h0, convertWeights(w, 'onnx-lbr', 'unfused-reset-after') as unknown as ExplicitResetAfterGruWeights) :
          unfusedGru(x, h0, convertWeights(w, 'onnx', 'unfused') as unknown as ExplicitGruWeights);
        // ours: the GRU mapper as the converted graph runs it (forward, time-major X [T, B, D])
        const parts = gruKernelParts(w.W, w.R, w.B, lbr);
        const [Y] = onnxOp(GRU_KERNEL_OP)!.run([tf.transpose(x, [1, 0, 2]), null, null, ...parts],
            {linear_before_reset: lbr ? 1 : 0, direction: 'forward'}, {opset: 17, outputs: 2, node: node.name});
        const ours = tf.transpose(tf.squeeze(Y, [1]), [1, 0, 2]);
        e = Math.max(e, maxAbsDiff(ours, ref.outputs));
      }
      return tf.scalar(e);
    });
    worst = Math.max(worst, err.dataSync()[0]);
    err.dispose();
  }
  return worst;
}

interface OrtModule {
  InferenceSession: {create(bytes: Uint8Array): Promise<{run(feeds: Record<string, unknown>): Promise<Record<string, {data: ArrayLike<number | bigint>; dims: readonly number[]}>>; release?(): Promise<void>}>};
  Tensor: new (type: string, data: unknown, dims: number[]) => unknown;
}

function loadOnnxruntime(): OrtModule | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('onnxruntime-node') as OrtModule;
  } catch {
    return null;
  }
}

/** Every output of `ours` against onnxruntime's, each within 1e-4 · max(1, max|ref|). */
async function checkWithOnnxruntime(ort: OrtModule, bytes: Uint8Array, ours: Record<string, tf.Tensor>, conv: OnnxGraphConversion,
                                    inputs: Record<string, tf.Tensor>, shapes: Record<string, number[]>): Promise<{maxAbsError: number; tolerance: number; pass: boolean}> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds: Record<string, unknown> = {};
    for (const i of conv.inputs) {
      const data = inputs[i.name].dataSync();
      feeds[i.name] = i.onnxDtype === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(Array.from(data as Int32Array, (v) => BigInt(v))), shapes[i.name]) :
        new ort.Tensor(i.onnxDtype === 'bool' ? 'bool' : i.onnxDtype === 'int32' ? 'int32' : 'float32', data, shapes[i.name]);
    }
    const ref = await session.run(feeds);
    let maxAbsError = 0;
    let pass = true;
    let tolerance = 0;
    for (const o of conv.outputs) {
      const r = ref[o.name];
      const refT = tf.tensor(Float32Array.from(Array.from(r.data as ArrayLike<number>, Number)), [...r.dims]);
      const tol = 1e-4 * Math.max(1, maxAbs(refT));
      const err = maxAbsDiff(ours[o.name], refT);
      refT.dispose();
      maxAbsError = Math.max(maxAbsError, err);
      tolerance = Math.max(tolerance, tol);
      if (!(err <= tol)) pass = false;
    }
    return {maxAbsError, tolerance, pass};
  } finally {
    await session.release?.();
  }
}

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => (t.size === 0 ? 0 : tf.max(tf.abs(tf.cast(t, 'float32'))).dataSync()[0]));
}

/** The checks of the module comment on the model loaded from `out` (see {@link OnnxGraphCheck}). */
async function checkWritten(file: string, model: OnnxModel, conv: OnnxGraphConversion, out: string, seed: number,
                            quantize: QuantizeMode | undefined, ortOption: unknown): Promise<OnnxGraphCheck> {
  const shapes = checkShapes(conv.inputs, file);
  const inputs = makeInputs(conv.inputs, shapes, seed);
  const graph = await tf.loadGraphModel(tf.io.fromMemory(conv.artifacts));  // the float32 graph, before writing
  const loaded = await loadGraphModelFromDir(out);
  let ours: Record<string, tf.Tensor> = {};
  let written: Record<string, tf.Tensor> = {};
  try {
    ours = runOnnxGraph(graph, inputs);
    written = runOnnxGraph(loaded, inputs);
    let fileError = 0;
    let refMax = 0;
    for (const o of conv.outputs) {
      fileError = Math.max(fileError, maxAbsDiff(written[o.name], ours[o.name]));
      refMax = Math.max(refMax, maxAbs(ours[o.name]));
    }
    const quantization = quantize == null ? undefined : {mode: quantize, maxAbsError: fileError, maxAbsReference: refMax};
    const ort = ortOption === undefined ? loadOnnxruntime() : ortOption as OrtModule | null;
    if (ort != null) {
      const r = await checkWithOnnxruntime(ort, readRegularFile(file), ours, conv, inputs, shapes);
      const sameFile = quantize != null || fileError === 0;
      return {kind: 'onnxruntime', description: 'the converted graph against onnxruntime-node on random inputs, every output within ' +
          `1e-4 · max(1, max|ref|)${quantize == null ? '; the written files equal the graph' : ''}`,
        ...r, pass: r.pass && sameFile, inputShapes: shapes, quantization};
    }
    const gru = checkGrusAgainstReference(model, seed);
    const gruTol = 1e-5;
    return {kind: 'round-trip + GRU reference',
      description: 'onnxruntime-node is not installed: ' + (quantize == null ? 'the written files against the converted graph (equal), and ' : '') +
        "each GRU node against the unfused reference GRU on the file's W, R, B",
      maxAbsError: quantize == null ? Math.max(fileError, gru) : gru, tolerance: gruTol,
      pass: (quantize != null || fileError === 0) && gru <= gruTol, inputShapes: shapes, quantization};
  } finally {
    tf.dispose([...Object.values(ours), ...Object.values(written), ...Object.values(inputs)]);
    graph.dispose();
    loaded.dispose();
  }
}

/**
 * Converts the whole graph of the ONNX file at `file` into the GraphModel folder `out` (see the module comment).
 * @category Conversion
 */
export async function convertOnnxGraphToDir(file: string, out: string, options: ConvertOnnxGraphOptions = {}): Promise<OnnxGraphConvertResult> {
  const model = readOnnxFile(file, options.limits);
  try {
    checkOutput(out, options);  // a non-empty --out is refused before the conversion
    const conv = await onnxToGraphModel(model);
    // written and checked in a temporary folder, moved into `out` only when it passes (./atomicOutput.ts)
    const {result: check, files} = await writeOutputAtomically(out, [WEIGHTS_FILE, 'model.json'], options, async (tmp) => {
      saveGraphModelToDir(conv.artifacts, tmp, options.quantize);
      const c = await checkWritten(file, model, conv, tmp, options.seed ?? 1, options.quantize, options.onnxruntime);
      if (!c.pass) {
        throw new ConversionError('CHECK_FAILED', file, `the converted graph failed its ${c.kind} check: max |error| ` +
            `${c.maxAbsError} > ${c.tolerance}; nothing was written to ${out} (this is a bug; please report it)`);
      }
      return c;
    });
    const {artifacts: _written, ...described} = conv;
    return {kind: 'onnx-graph', source: file, format: 'onnx', out, files: [files[1], files[0]], ...described,
      weightBytes: fs.statSync(files[0]).size, check};
  } catch (e) {
    throw typedResourceError(e, file);
  } finally {
    model.close();
  }
}
