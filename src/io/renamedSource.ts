/**
 * A {@link TensorSource} seen through a key map (./keyMap): the same tensors under new
 * names, read from the underlying source by their old ones (browser-safe).
 */
import * as tf from '@tensorflow/tfjs';

import {applyKeyMap, KeyMap, KeyMapError} from './keyMap';
import {ModelFileError} from './modelFileError';
import {SourceVariable, TensorSource} from './tensorSource';

/**
 * `source` with its tensors renamed by `map`; a ModelFileError 'BAD_OPTION' naming the file when the map does not fit.
 * @category Readers
 */
export function renameSource<T extends TensorSource>(source: T, map: KeyMap): TensorSource {
  let renamed: Map<string, string>;
  try {
    renamed = applyKeyMap(source.variables.map((v) => v.name), map);
  } catch (e) {
    if (e instanceof KeyMapError) throw new ModelFileError('BAD_OPTION', source.file, e.message);
    throw e;
  }
  const oldName = new Map([...renamed].map(([from, to]) => [to, from]));
  const variables: SourceVariable[] = source.variables.map((v) => ({...v, name: renamed.get(v.name)!}));
  const metadata = (source as {metadata?: unknown}).metadata;  // a safetensors header's, kept for inspect
  return {
    ...(metadata !== undefined ? {metadata} : {}),
    file: source.file,
    variables,
    read(name: string): tf.Tensor {
      const from = oldName.get(name);
      if (from == null) {
        throw new ModelFileError('NO_SUCH_VARIABLE', source.file, `no tensor '${name}' (after renaming)`);
      }
      return source.read(from);
    },
    close: () => source.close(),
  };
}
