/** Node-only: NumPy .npz files of PyTorch-layout GRU weights (e.g. g2p-en's checkpoint20.npz) as a model-file format. */
import {findTorchGrus} from '../../discovery/findTorchGrus';
import {formatSourceReport, inspectSource} from '../../discovery/inspectSource';
import {NpzFile, readNpz} from '../../io/npz';
import {ReadLimits} from '../../io/limits';
import {renameSource} from '../../io/renamedSource';
import {TensorSource} from '../../io/tensorSource';
import type {ModelFileFormat, OpenedModelFile, OpenModelFileOptions} from '../modelFormats';
import {limitsFromEnv, readRegularFile} from '../safeRead';

/**
 * Reads an .npz file (see src/io/npz).
 * @category Readers
 */
export function readNpzFile(path: string, limits?: Partial<ReadLimits>): NpzFile {
  const lim = limitsFromEnv(limits);
  return readNpz(readRegularFile(path, lim), path, lim);
}

/** `source` through the key map of `options.rename`, if any (closing it on a bad map). */
export function withRename(source: TensorSource, options: OpenModelFileOptions | undefined): TensorSource {
  if (options?.rename == null) return source;
  try {
    return renameSource(source, options.rename);
  } catch (e) {
    source.close();
    throw e;
  }
}

export const npzFormat: ModelFileFormat = {
  name: 'npz',
  describe: 'a NumPy .npz (np.savez of .npy arrays) of PyTorch-layout GRU weights; other names through --rename',
  claims: (p) => /\.npz$/i.test(p),
  takesRename: true,
  open(p, options): OpenedModelFile {
    const source = withRename(readNpzFile(p, options?.limits), options);
    try {
      return {format: 'npz', source, discovery: findTorchGrus(source)};
    } catch (e) {
      source.close();
      throw e;
    }
  },
  inspect(opened) {
    const report = inspectSource('npz', opened.source, opened.discovery);
    return {report, text: formatSourceReport(report)};
  },
};
