/**
 * The one error type of the ONNX reader: every fault in a model's bytes (protobuf that
 * does not decode, a tensor whose data does not match its dims), a tensor that cannot
 * be read, and ONNX features it refuses (external data) becomes an OnnxError with a
 * stable `code`, the `file` and a message naming the field, expected and actual value.
 */
import {ModelFileError} from '../modelFileError';

/**
 * The `code` of an {@link OnnxError}: what went wrong, stable for programs.
 * @category Readers
 */
export type OnnxErrorCode =
    | 'NOT_FOUND'          // the file does not exist
    | 'BAD_PROTO'          // the bytes are not a ModelProto (truncated, corrupt, another format)
    | 'BAD_MODEL'          // a ModelProto without a graph, or with inconsistent fields (names, attributes)
    | 'BAD_TENSOR'         // a TensorProto whose data does not match its dims and data_type
    | 'EXTERNAL_DATA'      // a tensor stored outside the .onnx file (refused: one file in, one model out)
    | 'UNSUPPORTED_DTYPE'  // a data type tfjs cannot hold exactly (DOUBLE without {float64: 'round'}, strings, ...)
    | 'NO_SUCH_TENSOR'     // read() of a name that is no initializer or Constant output
    | 'CLOSED';            // the model was closed

/**
 * An error of the ONNX reader: a stable `code`, the `file` concerned and a message.
 * @category Readers
 */
export class OnnxError extends ModelFileError {
  declare readonly code: OnnxErrorCode;

  constructor(code: OnnxErrorCode, file: string, message: string) {
    super(code, file, message);
    this.name = 'OnnxError';
  }
}

/** Throws an OnnxError unless `ok`. */
export function check(ok: boolean, code: OnnxErrorCode, file: string, message: () => string): asserts ok {
  if (!ok) throw new OnnxError(code, file, message());
}
