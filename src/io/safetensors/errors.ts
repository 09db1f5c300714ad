/**
 * The one error type of the safetensors reader: every fault in a file's bytes, a
 * tensor that cannot be read, or a file that is not safetensors at all (a PyTorch
 * pickle) becomes a SafetensorsError with a stable `code`, the `file` and a message
 * naming the field with the expected and the actual value.
 */
import {ModelFileError} from '../modelFileError';

/**
 * The `code` of a {@link SafetensorsError}: what went wrong, stable for programs.
 * @category Readers
 */
export type SafetensorsErrorCode =
    | 'NOT_FOUND'          // the file does not exist
    | 'TRUNCATED'          // shorter than its 8-byte length prefix or its header says
    | 'HEADER_TOO_LARGE'   // the header length exceeds the format's limit (100,000,000 bytes) or the file
    | 'BAD_HEADER'         // the header is not UTF-8 JSON, not an object, or __metadata__ is not a string map
    | 'BAD_ENTRY'          // a tensor entry's dtype, shape or data_offsets is malformed or inconsistent
    | 'BAD_OFFSETS'        // the tensors' byte ranges overlap, leave holes, or do not end at the buffer's end
    | 'UNSUPPORTED_DTYPE'  // a dtype tfjs cannot hold exactly (float64 without {float64: 'round'}, F8, ...)
    | 'NO_SUCH_TENSOR'     // read() of a name the file does not hold
    | 'PICKLE'             // a PyTorch .pt/.pth pickle, not a safetensors file
    | 'CLOSED';            // the file was closed

/**
 * An error of the safetensors reader: a stable `code`, the `file` concerned and a message.
 * @category Readers
 */
export class SafetensorsError extends ModelFileError {
  declare readonly code: SafetensorsErrorCode;

  constructor(code: SafetensorsErrorCode, file: string, message: string) {
    super(code, file, message);
    this.name = 'SafetensorsError';
  }
}

/** Throws a SafetensorsError unless `ok`. */
export function check(ok: boolean, code: SafetensorsErrorCode, file: string, message: () => string): asserts ok {
  if (!ok) throw new SafetensorsError(code, file, message());
}

/**
 * The one-line Python export a PyTorch user runs to get a safetensors file.
 * @category Readers
 */
export const SAFETENSORS_EXPORT_HINT =
    'from safetensors.torch import save_file; save_file(model.state_dict(), "model.safetensors")';
