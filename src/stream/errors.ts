import {ModelFileError} from '../io/modelFileError';

/**
 * What building a stream from a model can fail with.
 * @category Backends and kernels
 */
export type StreamErrorCode =
    | 'BAD_MODEL'     // model.json is not a tfjs LayersModel topology this reader understands
    | 'BAD_WEIGHTS'   // the weight files do not hold what the manifest says
    | 'UNSUPPORTED';  // a layer (or option) that cannot run frame by frame, e.g. Bidirectional, goBackwards

/**
 * An error of the streaming API's model reader; `file` is the model's name (default 'model.json').
 * @category Backends and kernels
 */
export class StreamModelError extends ModelFileError {
  declare readonly code: StreamErrorCode;

  constructor(code: StreamErrorCode, file: string, message: string) {
    super(code, file, message);
    this.name = 'StreamModelError';
  }
}
