/** Node-only: Keras 3 `.keras` files (a zip of config.json + model.weights.h5) as a model-file format of inspect and convert. */
import type {ModelFileFormat} from '../modelFormats';
import {inspectKeras, openKeras} from './kerasFiles';

export const kerasFormat: ModelFileFormat = {
  name: 'keras',
  describe: 'a Keras 3 / tf.keras .keras file (zip of config.json + model.weights.h5)',
  claims: (p) => p.endsWith('.keras'),
  open: (p, options) => openKeras(p, 'keras', undefined, options?.limits),
  inspect: inspectKeras,
};
