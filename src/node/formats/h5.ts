/**
 * Node-only: Keras HDF5 files as a model-file format of inspect and convert: legacy
 * tf.keras / Keras `.h5` (`model.save('x.h5')`, the config inside), and Keras 3
 * `.weights.h5` or weights-only `.h5` with the config beside them (NAME.config.json,
 * NAME.json or config.json in the same folder).
 */
import type {ModelFileFormat} from '../modelFormats';
import {inspectKeras, openKeras} from './kerasFiles';

export const h5Format: ModelFileFormat = {
  name: 'h5',
  describe: 'a Keras .h5 (legacy model.save) or .weights.h5 with its config.json beside it',
  claims: (p) => /\.(h5|hdf5)$/.test(p),
  open: (p, options) => openKeras(p, 'h5', options?.config, options?.limits),
  takesConfig: true,
  inspect: inspectKeras,
};
