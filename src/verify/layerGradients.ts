import * as tf from '@tensorflow/tfjs';

/** The inputs of one harness run: loss = sum(output ⊙ g), output being the layer's first output. */
export interface LayerRunInputs {
  x: tf.Tensor3D;
  h0: tf.Tensor2D;
  /** [B, T] mask passed to the layer, or null. */
  mask: tf.Tensor|null;
  g: tf.Tensor;
}

/** What a layer computed: its two outputs and d loss / d (weights in getWeights() order, x, h0). */
export interface LayerRun {
  output: tf.Tensor;
  state: tf.Tensor;
  weightGrads: tf.Tensor[];
  gradX: tf.Tensor;
  gradH0: tf.Tensor;
}

/**
 * Builds `layer` (which must return [output, state]), sets `weights`, runs it
 * forward and under tf.variableGrads. Disposes the layer and everything
 * intermediate; the caller owns the returned tensors.
 */
export function runLayerWithGradients(layer: tf.layers.Layer, weights: tf.Tensor[], inputs: LayerRunInputs): LayerRun {
  const xVar = tf.variable(inputs.x, true);
  const h0Var = tf.variable(inputs.h0, true);
  try {
    const apply = (x: tf.Tensor, h0: tf.Tensor) =>
        layer.apply(x, {initialState: [h0], ...(inputs.mask != null ? {mask: inputs.mask} : {})}) as tf.Tensor[];
    tf.tidy(() => {
      apply(inputs.x, inputs.h0);  // builds the layer
    });
    layer.setWeights(weights);
    const [output, state] = apply(inputs.x, inputs.h0);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const {value, grads} =
        tf.variableGrads(() => tf.sum(tf.mul(apply(xVar, h0Var)[0], inputs.g)), [...vars, xVar, h0Var]);
    value.dispose();
    return {output, state, weightGrads: vars.map((v) => grads[v.name]), gradX: grads[xVar.name], gradH0: grads[h0Var.name]};
  } finally {
    xVar.dispose();
    h0Var.dispose();
    layer.dispose();
  }
}
