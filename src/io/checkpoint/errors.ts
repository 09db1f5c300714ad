/**
 * The one error type of the checkpoint reader. Every fault in a checkpoint's bytes,
 * a missing file or a variable that cannot be read becomes a CheckpointError with a
 * `code` (stable, for programs), the `file` it concerns and a message naming the
 * field with the expected and the actual value.
 */
import {ModelFileError} from '../modelFileError';

/**
 * The `code` of a {@link CheckpointError}: what went wrong, stable for programs.
 * @category Readers
 */
export type CheckpointErrorCode =
    | 'NOT_FOUND'            // a file of the checkpoint does not exist
    | 'TRUNCATED'            // a file or a record is shorter than its structure says
    | 'BAD_MAGIC'            // the table footer's magic number is wrong
    | 'BAD_BLOCK'            // a table block or handle is malformed (offsets, restarts, varints)
    | 'BLOCK_CRC'            // a table block's masked CRC32C does not match
    | 'BAD_COMPRESSION'      // unknown block compression type, or a corrupt Snappy block
    | 'BAD_PROTO'            // a protobuf record does not decode
    | 'BAD_HEADER'           // the bundle header entry is missing or says something unsupported
    | 'BAD_ENTRY'            // a BundleEntryProto is inconsistent (shape, size, shard, offset)
    | 'UNKNOWN_DTYPE'        // a dtype number that TensorFlow does not define
    | 'UNSUPPORTED_DTYPE'    // a TensorFlow dtype this reader does not decode
    | 'TENSOR_CRC'           // a tensor's bytes do not match the entry's CRC32C
    | 'PARTITIONED'          // a partitioned (sliced) variable
    | 'NO_SUCH_VARIABLE'     // read() of a name the checkpoint does not hold
    | 'BAD_OBJECT_GRAPH'     // the TF2 object graph is inconsistent
    | 'NO_GRU'               // a checkpoint with no GRU in it (discovery, conversion)
    | 'AMBIGUOUS'            // the variables do not determine one GRU model (several stacks, inconsistent layers)
    | 'UNSUPPORTED'          // a GRU that is recognised but not converted
    | 'CHECK_FAILED'         // a converted model does not reproduce the reference
    | 'CLOSED';              // the checkpoint was closed

/**
 * An error of the checkpoint reader or discovery: a stable `code`, the `file` concerned and a message.
 * @category Readers
 */
export class CheckpointError extends ModelFileError {
  declare readonly code: CheckpointErrorCode;

  constructor(code: CheckpointErrorCode, file: string, message: string) {
    super(code, file, message);
    this.name = 'CheckpointError';
  }
}

/** Throws a CheckpointError unless `ok`. */
export function check(ok: boolean, code: CheckpointErrorCode, file: string, message: () => string): asserts ok {
  if (!ok) throw new CheckpointError(code, file, message());
}
