/**
 * Running a converted ONNX graph by the ONNX names of its inputs and outputs
 * (browser-safe). `model.execute` works too (the signature maps the same names);
 * this adds the checks and returns every output by name, in the ONNX order.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * The ONNX input and output names a converted model keeps in its metadata, in order.
 * @category Conversion
 */
export function onnxGraphNames(model: tf.GraphModel): {inputs: string[]; outputs: string[]} {
  const meta = (model.metadata as {onnx?: {inputs: string[]; outputs: string[]}} | undefined)?.onnx;
  if (meta == null) throw new Error('this GraphModel was not converted from ONNX by tfjs-gru (its metadata has no "onnx" entry)');
  return {inputs: meta.inputs, outputs: meta.outputs};
}

/**
 * Runs `model` (a converted ONNX graph) on `inputs` by ONNX name; returns every
 * output by ONNX name. Every graph input must be given; nothing else is left behind.
 * @category Conversion
 */
export function runOnnxGraph(model: tf.GraphModel, inputs: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const names = onnxGraphNames(model);
  const missing = names.inputs.filter((n) => inputs[n] == null);
  const unknown = Object.keys(inputs).filter((n) => !names.inputs.includes(n));
  if (missing.length || unknown.length) {
    throw new Error(`runOnnxGraph: the graph's inputs are [${names.inputs.join(', ')}]` +
        (missing.length ? `; missing: ${missing.join(', ')}` : '') + (unknown.length ? `; not inputs: ${unknown.join(', ')}` : ''));
  }
  const out = model.execute(inputs, names.outputs);
  const list = Array.isArray(out) ? out : [out];
  return Object.fromEntries(names.outputs.map((n, i) => [n, list[i]]));
}
