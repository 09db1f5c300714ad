import {convertWeights} from './convert';
import {KerasGruWeights} from './kerasLayout';
import {TF1GruWeights} from './tf1Layout';

export {KerasGruWeights} from './kerasLayout';

/**
 * TF1 GRUCell variables → Keras reset_after=False (design.md §2). Exact: a
 * permutation of blocks. TF1's u is Keras's z, so r | u becomes z | r.
 */
export function tf1ToKeras(w: TF1GruWeights): KerasGruWeights {
  return convertWeights(w, 'tf1', 'keras');
}

/** The inverse of {@link tf1ToKeras}: Keras reset_after=False → TF1 GRUCell variables. Exact. */
export function kerasToTf1(w: KerasGruWeights): TF1GruWeights {
  return convertWeights(w, 'keras', 'tf1');
}
