/** Node-only: ONNX models (.onnx) as a model-file format of inspect and convert. */
import * as fs from 'fs';

import {findOnnxGrus, OnnxDiscovery} from '../../checkpointModel/findOnnxGrus';
import {formatSourceReport, inspectSource} from '../../checkpointModel/inspectSource';
import {OnnxError, OnnxModel, readOnnxModel} from '../../io/onnx';
import type {ModelFileFormat, OpenedModelFile} from '../modelFormats';

/** Reads an .onnx file. */
export function readOnnxFile(path: string): OnnxModel {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw new OnnxError('NOT_FOUND', path, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return readOnnxModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

export const onnxFormat: ModelFileFormat = {
  name: 'onnx',
  describe: 'an ONNX model (.onnx) with GRU nodes (weights inside the file)',
  claims: (p) => /\.onnx$/i.test(p),
  open(p): OpenedModelFile {
    const model = readOnnxFile(p);
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
