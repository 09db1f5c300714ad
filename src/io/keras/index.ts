/** Keras model files (`.keras`, `.weights.h5`, legacy `.h5`) from bytes: browser-safe. */
export {KerasFile, KerasFileBytes, KerasFileKind, KerasLayerWeights, KerasWeight, readKerasFromBytes} from './kerasFile';
export {KerasFileError, KerasFileErrorCode} from './errors';
