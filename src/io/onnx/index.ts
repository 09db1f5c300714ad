/** The ONNX model reader (browser-safe: from bytes). */
export {OnnxAttribute, OnnxModel, OnnxNode, OnnxReadOptions, OnnxValueInfo, readOnnxModel} from './model';
export {OnnxError, OnnxErrorCode} from './errors';
export {OnnxValues, ONNX_DTYPES} from './tensors';
