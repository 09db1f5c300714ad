/** Node-only: PyTorch state_dicts in safetensors files as a model-file format of inspect and convert; .pt/.pth refused. */
import {findTorchGrus} from '../../discovery/findTorchGrus';
import {formatSourceReport, inspectSource} from '../../discovery/inspectSource';
import {readSafetensors, SafetensorsFile} from '../../io/safetensors';
import {SAFETENSORS_EXPORT_HINT, SafetensorsError} from '../../io/safetensors/errors';
import {ReadLimits} from '../../io/limits';
import type {ModelFileFormat, OpenedModelFile} from '../modelFormats';
import {readRegularFile} from '../safeRead';
import {withRename} from './npz';

const DENSE_NOTE = 'a state_dict does not record the forward pass: the nn.Linear taken as the Dense layer is the only ' +
    '`weight` [K, F] + `bias` [K] pair beside the GRU module whose F is the GRU\'s output size';

/** Reads a .safetensors file (a .pt/.pth gets SafetensorsError 'PICKLE' with the Python export to run). */
export function readSafetensorsFile(path: string, limits?: Partial<ReadLimits>): SafetensorsFile {
  if (/\.(pt|pth)$/i.test(path)) {
    throw new SafetensorsError('PICKLE', path, 'PyTorch .pt/.pth files are pickles, which this tool does not read ' +
        `(loading a pickle can run code). Export the weights as safetensors in Python: ${SAFETENSORS_EXPORT_HINT}`);
  }
  return readSafetensors(readRegularFile(path, limits), path);
}

export const safetensorsFormat: ModelFileFormat = {
  name: 'safetensors',
  describe: 'a PyTorch state_dict in a .safetensors file (nn.GRU, a following nn.Linear); .pt/.pth pickles are refused',
  claims: (p) => /\.(safetensors|pt|pth)$/i.test(p),
  takesRename: true,
  open(p, options): OpenedModelFile {
    const file = withRename(readSafetensorsFile(p, options?.limits), options);
    try {
      return {format: 'safetensors', source: file, discovery: findTorchGrus(file)};
    } catch (e) {
      file.close();
      throw e;
    }
  },
  inspect(opened) {
    const file = opened.source as SafetensorsFile;
    const notes = opened.discovery.stacks.some((s) => s.dense != null) ? [DENSE_NOTE] : [];
    const report = inspectSource('safetensors', file, opened.discovery, file.metadata != null ? {metadata: file.metadata} : {}, notes);
    return {report, text: formatSourceReport(report)};
  },
};
