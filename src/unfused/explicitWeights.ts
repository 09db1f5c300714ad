import {convertWeights} from '../weights/convert';
import {TF1GruWeights} from '../weights/tf1Layout';
import {ExplicitGruWeights} from '../weights/unfusedLayout';

export {TF1GruWeights} from '../weights/tf1Layout';
export {ExplicitGruWeights, ExplicitResetAfterGruWeights} from '../weights/unfusedLayout';

/**
 * Splits TF1's fused variables into the nine explicit tensors. Exact: only
 * slicing, no arithmetic. Rows 0..D-1 multiply x, rows D.. multiply h; the
 * gates' first U columns are r, the last U are u (= z).
 * Same as `convertWeights(w, 'tf1', 'unfused')`.
 * @category Weights and converters
 */
export function splitTF1Weights(w: TF1GruWeights): ExplicitGruWeights {
  return convertWeights(w, 'tf1', 'unfused');
}

/**
 * The inverse of {@link splitTF1Weights}; exact (concatenation only). Same as `convertWeights(w, 'unfused', 'tf1')`.
 * @category Weights and converters
 */
export function fuseTF1Weights(w: ExplicitGruWeights): TF1GruWeights {
  return convertWeights(w, 'unfused', 'tf1');
}
