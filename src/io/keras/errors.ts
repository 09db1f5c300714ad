/**
 * The one error type of the Keras file readers (`.keras`, `.weights.h5`, legacy `.h5`)
 * and of their interpretation: a `code` (stable, for programs), the `file` it concerns
 * and a message naming the entry, dataset, layer or field with the expected and actual value.
 */
import {ModelFileError} from '../modelFileError';

/**
 * The `code` of a {@link KerasFileError}: what kind of fault (stable, for programs).
 * @category Readers
 */
export type KerasFileErrorCode =
    | 'NOT_FOUND'          // the file (or the config a .weights.h5 needs) does not exist
    | 'UNKNOWN_CONTAINER'  // neither a zip (.keras) nor an HDF5 file
    | 'BAD_ZIP'            // the .keras zip does not decode (truncated, corrupt, a bad entry)
    | 'MISSING_ENTRY'      // the .keras zip lacks config.json or model.weights.h5
    | 'BAD_HDF5'           // the HDF5 structure does not decode (corrupt)
    | 'TRUNCATED'          // an HDF5 file shorter than its superblock's end-of-file address
    | 'BAD_CONFIG'         // the model config is missing, not JSON, or not a Keras model config
    | 'MISSING_WEIGHTS'    // a layer of the config has no (or not all of its) weights in the file
    | 'BAD_SHAPE'          // a weight's shape does not fit its layer's config
    | 'UNSUPPORTED_DTYPE'  // a dataset of a dtype this reader does not decode
    | 'TOO_LARGE'          // a zip entry or an HDF5 dataset larger than the limits or than the bytes that back it
    | 'NO_SUCH_VARIABLE'   // read() of a name the file does not hold
    | 'CLOSED';            // the file was closed

/**
 * An error of the Keras file readers: a stable `code`, the `file` concerned and a message.
 * @category Readers
 */
export class KerasFileError extends ModelFileError {
  declare readonly code: KerasFileErrorCode;

  constructor(code: KerasFileErrorCode, file: string, message: string) {
    super(code, file, message);
    this.name = 'KerasFileError';
  }
}
