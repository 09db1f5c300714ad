/** Node-only: ONNX models (.onnx) as a model-file format of inspect and convert. */
import {findOnnxGrus, OnnxDiscovery} from '../../discovery/findOnnxGrus';
import {formatSourceReport, inspectSource} from '../../discovery/inspectSource';
import {OnnxModel, readOnnxModel} from '../../io/onnx';
import {ReadLimits} from '../../io/limits';
import {formatOnnxRefusals, unsupportedOnnxParts} from '../../onnxGraph/toGraphModel';
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
    const refusals = unsupportedOnnxParts(model);
    const converts = refusals.ops.length === 0 && refusals.details.length === 0;
    const opCounts: Record<string, number> = {};
    for (const n of model.nodes) opCounts[n.opType] = (opCounts[n.opType] ?? 0) + 1;
    const wholeGraph = converts ? {converts, ops: opCounts} : {converts, ops: opCounts, unsupportedOps: refusals.ops, unsupported: refusals.details};
    const notes = (d.notes ?? []).map((n) => `with --gru-stack: ${n}`);
    const report = inspectSource('onnx', model, d, {...details, wholeGraph}, notes);
    const head = converts ?
      `whole graph: converts (convert writes a tfjs GraphModel): ${Object.entries(opCounts).map(([k, v]) => `${k} ×${v}`).join(', ')}\n` :
      `whole graph: does not convert; convert refuses it (or use --gru-stack):\n${formatOnnxRefusals(refusals, model.opsets[''] ?? 0)}\n`;
    return {report, text: head + formatSourceReport(report)};
  },
};
