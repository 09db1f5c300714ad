/** Node-only: TensorFlow checkpoints (V2 tensor bundles) as a model-file format of inspect and convert. */
import * as fs from 'fs';

import {findGrus} from '../../discovery/findGrus';
import {formatInspectReport, inspectCheckpoint} from '../../discovery/inspect';
import {Checkpoint} from '../../io/checkpoint/checkpoint';
import type {ModelFileFormat, OpenedModelFile} from '../modelFormats';
import {readCheckpoint} from '../readCheckpoint';

function exists(p: string): boolean {
  return fs.existsSync(p);
}

export const checkpointFormat: ModelFileFormat = {
  name: 'checkpoint',
  describe: 'a TensorFlow checkpoint: its prefix, .index or .data-* file, or a folder holding one',
  // The reader resolves prefixes, .index/.data files and folders itself, and names what it looked for.
  claims: (p) => p.endsWith('.index') || /\.data-\d{5}-of-\d{5}$/.test(p) || exists(`${p}.index`) ||
      (exists(p) && fs.statSync(p).isDirectory()) || !exists(p),
  open(p, options): OpenedModelFile {
    const ck = readCheckpoint(p, options?.limits);
    try {
      return {format: 'checkpoint', source: ck, discovery: findGrus(ck)};
    } catch (e) {
      ck.close();
      throw e;
    }
  },
  inspect(opened) {
    const report = inspectCheckpoint(opened.source as Checkpoint, opened.discovery);
    return {report, text: formatInspectReport(report)};
  },
};
