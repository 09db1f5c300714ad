/** Element-wise ONNX operators: arithmetic with numpy broadcasting, activations, comparisons, Where, Clip. */
import * as tf from '@tensorflow/tfjs';

import {Attrs, broadcastShapes, floatAttr, OnnxOp, OnnxOpError, OpContext} from '../op';

function need(t: tf.Tensor | null, i: number, op: string, ctx: OpContext): tf.Tensor {
  if (t == null) throw new OnnxOpError(ctx.node, op, `input ${i} is required`);
  return t;
}

function unary(opType: string, f: (x: tf.Tensor, attrs: Attrs) => tf.Tensor): OnnxOp {
  return {opType, run: ([x], attrs, ctx) => [f(need(x, 0, opType, ctx), attrs)]};
}

/** ONNX integer division truncates toward zero; tfjs's int32 div floors. */
function divide(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.dtype !== 'int32') return tf.div(a, b);
  const q = tf.div(tf.cast(a, 'float32'), tf.cast(b, 'float32'));
  return tf.cast(tf.sign(q).mul(tf.floor(tf.abs(q))), 'int32');
}

function binary(opType: string, f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OnnxOp {
  return {
    opType,
    run: ([a, b], _attrs, ctx) => {
      const x = need(a, 0, opType, ctx);
      const y = need(b, 1, opType, ctx);
      broadcastShapes(x.shape, y.shape, ctx, opType);
      return [f(x, y)];
    },
  };
}

/** Variadic Sum / Max / Min / Mean (numpy broadcasting across all inputs). */
function variadic(opType: string, f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, mean = false): OnnxOp {
  return {
    opType,
    run: (inputs, _attrs, ctx) => {
      const xs = inputs.map((t, i) => need(t, i, opType, ctx));
      let acc = xs[0];
      for (let i = 1; i < xs.length; i++) {
        broadcastShapes(acc.shape, xs[i].shape, ctx, opType);
        acc = f(acc, xs[i]);
      }
      return [mean ? tf.div(acc, xs.length) : acc];
    },
  };
}

const where = (cond: tf.Tensor, a: tf.Tensor, b: tf.Tensor, ctx: OpContext): tf.Tensor => {
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape, ctx, 'Where'), b.shape, ctx, 'Where');
  const bc = (t: tf.Tensor) => (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t :
    tf.broadcastTo(t.shape.length < shape.length ? t.reshape([...Array(shape.length - t.shape.length).fill(1), ...t.shape]) : t, shape));
  return tf.where(bc(cond) as tf.Tensor, bc(a), bc(b));
};

export const ELEMENTWISE_OPS: OnnxOp[] = [
  binary('Add', tf.add),
  binary('Sub', tf.sub),
  binary('Mul', tf.mul),
  binary('Div', divide),
  binary('Pow', (a, b) => (a.dtype === b.dtype ? tf.pow(a, b) : tf.pow(a, tf.cast(b, a.dtype)))),
  binary('Equal', tf.equal),
  binary('Less', tf.less),
  binary('Greater', tf.greater),
  binary('LessOrEqual', tf.lessEqual),
  binary('GreaterOrEqual', tf.greaterEqual),
  binary('And', tf.logicalAnd),
  binary('Or', tf.logicalOr),
  variadic('Sum', tf.add),
  variadic('Max', tf.maximum),
  variadic('Min', tf.minimum),
  variadic('Mean', tf.add, true),
  unary('Not', (x) => tf.logicalNot(x)),
  unary('Sqrt', (x) => tf.sqrt(x)),
  unary('Exp', (x) => tf.exp(x)),
  unary('Log', (x) => tf.log(x)),
  unary('Neg', (x) => tf.neg(x)),
  unary('Abs', (x) => tf.abs(x)),
  unary('Reciprocal', (x) => tf.reciprocal(x)),
  unary('Floor', (x) => tf.floor(x)),
  unary('Ceil', (x) => tf.ceil(x)),
  unary('Sign', (x) => tf.sign(x)),
  unary('Sin', (x) => tf.sin(x)),
  unary('Cos', (x) => tf.cos(x)),
  unary('Erf', (x) => tf.erf(x)),
  unary('Relu', (x) => tf.relu(x)),
  unary('Sigmoid', (x) => tf.sigmoid(x)),
  unary('Tanh', (x) => tf.tanh(x)),
  unary('Softplus', (x) => tf.softplus(x)),
  unary('Softsign', (x) => tf.div(x, tf.add(tf.abs(x), 1))),
  unary('LeakyRelu', (x, a) => tf.where(tf.less(x, 0), tf.mul(x, floatAttr(a, 'alpha', 0.01)), x)),
  unary('Elu', (x, a) => tf.where(tf.less(x, 0), tf.mul(tf.sub(tf.exp(x), 1), floatAttr(a, 'alpha', 1)), x)),
  unary('HardSigmoid', (x, a) =>
    tf.clipByValue(tf.add(tf.mul(x, floatAttr(a, 'alpha', 0.2)), floatAttr(a, 'beta', 0.5)), 0, 1)),
  unary('HardSwish', (x) => tf.mul(x, tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1))),
  {
    opType: 'PRelu',
    run: ([x, slope], _a, ctx) => {
      const xx = need(x, 0, 'PRelu', ctx);
      const s = need(slope, 1, 'PRelu', ctx);
      broadcastShapes(xx.shape, s.shape, ctx, 'PRelu');
      return [tf.where(tf.less(xx, 0), tf.mul(xx, s), xx)];
    },
  },
  {
    opType: 'Where',
    run: ([c, a, b], _a, ctx) => [where(need(c, 0, 'Where', ctx), need(a, 1, 'Where', ctx), need(b, 2, 'Where', ctx), ctx)],
  },
  {
    // opset < 11: min/max attributes; 11+: optional inputs.
    opType: 'Clip',
    run: ([x, lo, hi], attrs, ctx) => {
      let y = need(x, 0, 'Clip', ctx);
      if (ctx.opset < 11) {
        return [tf.clipByValue(y, floatAttr(attrs, 'min', -3.4028234663852886e38), floatAttr(attrs, 'max', 3.4028234663852886e38))];
      }
      if (lo != null) y = tf.maximum(y, lo);
      if (hi != null) y = tf.minimum(y, hi);
      return [y === x ? tf.clone(y) : y];
    },
  },
];
