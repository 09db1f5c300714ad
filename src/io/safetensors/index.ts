/** The safetensors reader (browser-safe: from bytes). */
export {readSafetensors, SafetensorsFile, SafetensorsReadOptions, SafetensorsValues} from './safetensors';
export {SafetensorsError, SafetensorsErrorCode, SAFETENSORS_EXPORT_HINT} from './errors';
export {MAX_HEADER_SIZE, SafetensorsEntry, SafetensorsHeader, parseHeader} from './header';
export {SafetensorsDtype} from './dtypes';
