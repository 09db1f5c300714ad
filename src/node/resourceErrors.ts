/**
 * Node-only: the last line of defence of a conversion. The readers check every declared
 * size against the bytes present and the converter builds layers only from weights it has
 * read, so a crafted file should never get this far; should an allocation still fail
 * (V8's RangeError for a typed array or array too large, a wasm trap when the backend's
 * memory is exhausted), it becomes a typed ModelFileError naming the file instead of an
 * untyped crash.
 */
import {ModelFileError} from '../io/modelFileError';

const ALLOCATION = /Invalid typed array length|Array buffer allocation failed|Invalid array length|Invalid string length|memory access out of bounds|Out of memory|Cannot allocate/i;

/** `e` as a ModelFileError when it is an allocation failure (code OUT_OF_MEMORY); anything else unchanged. */
export function typedResourceError(e: unknown, file: string): unknown {
  if (e instanceof ModelFileError) return e;
  // RangeError from V8, WebAssembly.RuntimeError (a wasm trap), or a backend's Error about memory
  if (e instanceof Error && ALLOCATION.test(e.message)) {
    return new ModelFileError('OUT_OF_MEMORY', file, `converting this file ran out of memory (${(e as Error).message}); ` +
        'the model is larger than this process can hold, or a size in the file was not caught by the readers (then please report it)');
  }
  return e;
}
