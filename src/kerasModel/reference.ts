/**
 * The independent check of a whole-model conversion: the Keras model's forward pass
 * written out layer by layer on the file's own tensors (Embedding as a gather, Masking as
 * Keras's any(x != mask_value), Dense as a matmul, each GRU cell as the unfused textbook
 * GRU of src/reference/ with Keras's masking and go_backwards, Bidirectional's backward
 * output reversed back and merged), not through the tfjs layers the model is built from.
 */
import * as tf from '@tensorflow/tfjs';

import {explicitWeights} from '../checkpointModel/reference';
import {KerasFile} from '../io/keras/kerasFile';
import {getActivation} from '../math/activations';
import {unfusedGru} from '../reference/unfusedGru';
import {unfusedResetAfterGru} from '../reference/unfusedResetAfterGru';
import {KerasGruCell, KerasModelPlan} from './findKerasGrus';

function activate(name: {name: string} | {refused: string}, x: tf.Tensor): tf.Tensor {
  if (!('name' in name)) throw new Error(`reference: ${name.refused}`);
  return name.name === 'softmax' ? tf.softmax(x, -1) : getActivation(name.name)(x);
}

function runCell(kf: KerasFile, c: KerasGruCell, x: tf.Tensor3D, mask: tf.Tensor2D | null, goBackwards: boolean): tf.Tensor3D {
  const e = explicitWeights(kf, c.found);
  const h0 = tf.zeros([x.shape[0], c.found.units]) as tf.Tensor2D;
  const options = {goBackwards, ...(mask ? {mask} : {}),
    activation: (t: tf.Tensor) => activate(c.activation, t), recurrentActivation: (t: tf.Tensor) => activate(c.recurrentActivation, t)};
  return e.resetAfter ? unfusedResetAfterGru(x, h0, e.w, options).outputs : unfusedGru(x, h0, e.w, options).outputs;
}

/** The Keras model's output for `x` ([B, T, D] floats, or [B, T] token ids for an Embedding model). */
export function kerasReferenceForward(kf: KerasFile, plan: KerasModelPlan, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let h: tf.Tensor = x;
    let mask: tf.Tensor2D | null = null;
    for (const p of plan.layers) {
      switch (p.kind) {
        case 'embedding': {
          const ids = tf.cast(h, 'int32');
          h = tf.gather(kf.read(p.embeddings.path), ids);
          if (p.maskZero) mask = tf.cast(tf.notEqual(ids, 0), 'float32') as tf.Tensor2D;
          break;
        }
        case 'masking': {
          const keep = tf.any(tf.notEqual(h, p.maskValue), -1);
          mask = tf.cast(keep, 'float32') as tf.Tensor2D;
          h = tf.mul(h, tf.expandDims(mask, -1));
          break;
        }
        case 'identity':
          break;
        case 'dense': {
          let y = tf.dot(h.reshape([-1, h.shape[h.rank - 1]]), kf.read(p.kernel.path));
          if (p.bias) y = tf.add(y, kf.read(p.bias.path));
          h = activate(p.activation, y.reshape([...h.shape.slice(0, -1), -1]));
          break;
        }
        case 'activation':
          h = activate(p.activation, h);
          break;
        case 'gru': {
          const x3 = h as tf.Tensor3D;
          const last = (o: tf.Tensor3D) => o.slice([0, o.shape[1] - 1, 0], [o.shape[0], 1, o.shape[2]]).reshape([o.shape[0], o.shape[2]]);
          // Keras's zero_output_for_mask: the outputs (in processing order) times the mask in that order.
          const zero = (o: tf.Tensor3D, backwards: boolean): tf.Tensor3D => (!p.zeroOutputForMask || mask == null ? o :
            tf.mul(o, tf.expandDims(backwards ? tf.reverse(mask, 1) : mask, -1)) as tf.Tensor3D);
          if (!p.bidirectional) {
            const out = zero(runCell(kf, p.cells[0], x3, mask, p.cells[0].goBackwards), p.cells[0].goBackwards);
            h = p.returnSequences ? out : last(out);
          } else {
            const fw = zero(runCell(kf, p.cells[0], x3, mask, false), false);
            const bwRaw = zero(runCell(kf, p.cells[1], x3, mask, true), true);  // outputs in processing (reversed) order
            const [a, b] = p.returnSequences ? [fw, tf.reverse(bwRaw, 1)] : [last(fw), last(bwRaw)];
            h = p.mergeMode === 'concat' ? tf.concat([a, b], -1) : p.mergeMode === 'sum' ? tf.add(a, b) :
              p.mergeMode === 'mul' ? tf.mul(a, b) : tf.div(tf.add(a, b), 2);
          }
          if (!p.returnSequences) mask = null;
          break;
        }
        default:
          throw new Error(`reference: layer '${p.layer.name}' (${p.layer.className}) is not converted`);
      }
    }
    return h;
  });
}
