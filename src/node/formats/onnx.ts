/** Node-only: ONNX models (.onnx) as a model-file format of inspect and convert. */
import {findOnnxGrus, OnnxDiscovery} from '../../checkpointModel/findOnnxGrus';
import {formatSourceReport, inspectSource} from '../../checkpointModel/inspectSource';
import {OnnxModel, readOnnxModel} from '../../io/onnx';
import {ReadLimits} from '../../io/limits';
import type {ModelFileFormat, OpenedModelFile} from '../modelFormats';
import {readRegularFile} from '../safeRead';

/** Reads an .onnx file (a regular file within `limits`; src/node/safeRead.ts). */
export function readOnnxFile(path: string, limits?: Partial<ReadLimits>): OnnxModel {
  return readOnnxModel(readRegularFile(path, limits), path);
}

export const onnxFormat: ModelFileFormat = {
  name: 'onnx',
  describe: 'an ONNX model (.onnx) with GRU nodes (weights inside the file)',
  claims: (p) => /\.onnx$/i.test(p),
  open(p, options): OpenedModelFile {
    const model = readOnnxFile(p, options?.limits);
    try {
      return {format: 'onnx', source: model, discovery: findOnnxGrus(model)};
    } catch (e) {
      model.close();
      throw e;
    }
  },
  inspect(opened) {
    const model = opened.source as OnnxModel;
    const d = opened.discovery as OnnxDiscovery;
    const details = {producer: model.producer, ir_version: model.irVersion,
      opsets: Object.entries(model.opsets).map(([k, v]) => `${k === '' ? 'ai.onnx' : k} ${v}`).join(', '),
      nodes: model.nodes.length, inputs: model.inputs, outputs: model.outputs};
    const report = inspectSource('onnx', model, d, details, d.notes ?? []);
    return {report, text: formatSourceReport(report)};
  },
};
