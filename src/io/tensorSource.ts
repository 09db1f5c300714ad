/**
 * A model file's tensors by name, whatever its format (TensorFlow checkpoint, Keras
 * .keras/.h5, .safetensors, .onnx): what GRU discovery, conversion and the reference
 * check read. Each format's reader implements it; its own richer API (headers, object
 * graphs, configs) stays with the reader.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * One tensor a source holds: its name in the file, dtype (the format's own name) and shape.
 * @category Readers
 */
export interface SourceVariable {
  name: string;
  dtype: string;
  shape: number[];
}

/**
 * Tensors of a model file, read on demand (see the module comment).
 * @category Readers
 */
export interface TensorSource {
  /** The file named in messages and errors (a checkpoint's `.index` file). */
  readonly file: string;
  /** Every tensor the file holds, in the file's order. */
  readonly variables: SourceVariable[];
  /** The tensor as a tf.Tensor (float formats as float32); a typed error naming the file if absent. */
  read(name: string): tf.Tensor;
  /** Releases the file's resources; reading afterwards throws. Idempotent. */
  close(): void;
}
