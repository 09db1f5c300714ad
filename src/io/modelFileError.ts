/**
 * The base of every reader's and converter's error: a stable `code` for programs, the
 * `file` it concerns, and a message naming the field with the expected and the actual
 * value. Each format's reader throws its own subclass (CheckpointError, …); the
 * conversion layer throws {@link ConversionError}. Catch ModelFileError to handle all.
 * @category Readers
 */
export class ModelFileError extends Error {
  readonly code: string;
  readonly file: string;

  constructor(code: string, file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ModelFileError';
    this.code = code;
    this.file = file;
  }
}

/**
 * What a conversion of a model file's GRUs can fail with.
 * @category Conversion
 */
export type ConversionErrorCode =
    | 'NO_GRU'        // no GRU in the file
    | 'AMBIGUOUS'     // the file does not determine one GRU model (several stacks, inconsistent layers)
    | 'UNSUPPORTED'   // a GRU that is recognised but not converted (e.g. an activation tfjs lacks), or ops/dtypes of a whole graph
    | 'BAD_GRAPH'     // an ONNX graph that is malformed (a dangling input, a cycle, an output nothing produces)
    | 'CHECK_FAILED'  // a converted model does not reproduce the reference (a bug)
    | 'NON_FINITE';   // the check met NaN/Inf (weights holding NaN/Inf, or outputs overflowing): it cannot judge the model

/**
 * An error of GRU discovery or conversion (any source format).
 * @category Conversion
 */
export class ConversionError extends ModelFileError {
  declare readonly code: ConversionErrorCode;

  constructor(code: ConversionErrorCode, file: string, message: string) {
    super(code, file, message);
    this.name = 'ConversionError';
  }
}
