"""Issue 11's fixtures: bidirectional and stacked GRUs, Keras's masked-output semantics.

Written into ``<out>/stacks/`` (called by tools/make_fixtures.py, which has set up
TensorFlow, tf-keras and one thread):

* ``stacks/keras_zero_*``: one tf-keras ``GRU(zero_output_for_mask=True)`` under a mask
  (outputs, final state, gradients);
* ``stacks/keras_bidi_<merge>``: ``Bidirectional(GRU)`` for every merge_mode under a mask,
  and one with ``initial_state`` for both directions and ``return_state``;
* ``stacks/keras_model_*``: Keras models with ``Masking`` + stacked ``Bidirectional(GRU)``
  (both reset_after values) or stacked plain GRUs, converted by the real tensorflowjs
  converter (model.json + weights in the case folder), with x (zero-padded steps), the
  model's output at every step and the gradients of ``sum(output * g)``;
* ``stacks/tf1_bidirectional_len``: TF1 ``bidirectional_dynamic_rnn`` over two GRUCells with
  ``sequence_length`` and initial states; ``stacks/tf1_multi_len``: ``dynamic_rnn`` over
  ``MultiRNNCell`` of two GRUCells with ``sequence_length``.

Weights are drawn from each case's own generator; gradients are of ``sum(output * g)``.
"""
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras

from fixture_io import seed_for, write_case, write_json

F32 = np.float32
L = tf_keras.layers


def _u(rng, shape, lo=-0.5, hi=0.5):
    return rng.uniform(lo, hi, size=shape).astype(F32)


def _gru_weights(rng, d, u, ra):
    return [_u(rng, (d, 3 * u)), _u(rng, (u, 3 * u)), _u(rng, (2, 3 * u) if ra else (3 * u,))]


def _mask(b, t):
    """Row 0 full, row 1 right-padded, row 2 left-padded, further rows with a hole."""
    m = np.ones((b, t), np.int32)
    if b > 1:
        m[1, t - 2:] = 0
    if b > 2:
        m[2, :2] = 0
    for r in range(3, b):
        m[r, r % t] = 0
    return m


def _named(prefix, arrays):
    return [(f"{prefix}{i}", a, "float32") for i, a in enumerate(arrays)]


# ------------------------------------------------------------ zero_output_for_mask

# B, T, D, U, reset_after, go_backwards, return_sequences, initial_state
ZERO_CASES = [
    (3, 6, 3, 4, True, False, True, False),
    (3, 6, 3, 4, False, True, True, True),
    (3, 6, 2, 5, True, False, False, False),
    (4, 5, 3, 4, True, True, False, True),
]


def make_zero_cases(out):
    names = []
    for (b, t, d, u, ra, gb, rs, use_h0) in ZERO_CASES:
        name = (f"stacks/keras_zero_b{b}_t{t}_d{d}_u{u}_ra{int(ra)}_{'bwd' if gb else 'fwd'}_"
                f"{'seq' if rs else 'last'}{'_h0' if use_h0 else ''}")
        rng = np.random.default_rng(seed_for(name))
        w = _gru_weights(rng, d, u, ra)
        x = _u(rng, (b, t, d), -1, 1)
        h0 = _u(rng, (b, u), -0.8, 0.8) if use_h0 else None
        mask = _mask(b, t)
        g = _u(rng, (b, t, u) if rs else (b, u), -1, 1)
        layer = L.GRU(u, reset_after=ra, go_backwards=gb, return_sequences=rs, return_state=True,
                      zero_output_for_mask=True)
        layer.build((b, t, d))
        layer.set_weights(w)
        xt = tf.constant(x)
        h0t = tf.constant(h0) if use_h0 else None
        with tf.GradientTape() as tape:
            tape.watch(xt)
            if use_h0:
                tape.watch(h0t)
            output, state = layer(xt, mask=tf.constant(mask.astype(bool)),
                                  **({"initial_state": [h0t]} if use_h0 else {}))
            loss = tf.reduce_sum(output * g)
        grads = tape.gradient(loss, layer.trainable_weights + [xt] + ([h0t] if use_h0 else []))
        tensors = [("x", x, "float32"), ("mask", mask, "int32")] + _named("w", w) + [("g", g, "float32")]
        if use_h0:
            tensors.append(("h0", h0, "float32"))
        tensors += [("output", output.numpy(), "float32"), ("final_state", state.numpy(), "float32")]
        tensors += _named("grad_w", [v.numpy() for v in grads[:3]]) + [("grad_x", grads[3].numpy(), "float32")]
        if use_h0:
            tensors.append(("grad_h0", grads[4].numpy(), "float32"))
        config = {"batch": b, "time": t, "input_dim": d, "units": u, "reset_after": ra, "go_backwards": gb,
                  "return_sequences": rs, "initial_state": use_h0, "zero_output_for_mask": True,
                  "layer_config": {k: layer.get_config()[k] for k in ("zero_output_for_mask",)}}
        write_case(out, name, "keras_layer", config, tensors)
        names.append(name)
    return names


# ------------------------------------------------------------ Bidirectional merge modes

# merge_mode, reset_after, return_sequences, initial_state + return_state
BIDI_CASES = [
    ("concat", True, True, False),
    ("sum", False, True, False),
    ("mul", True, True, False),
    ("ave", True, True, False),
    (None, True, True, False),
    ("concat", True, True, True),
    ("concat", False, False, True),
    ("sum", True, False, False),
]


def make_bidi_cases(out):
    names = []
    b, t, d, u = 4, 5, 3, 4
    for (merge, ra, rs, with_state) in BIDI_CASES:
        name = (f"stacks/keras_bidi_{merge or 'none'}_ra{int(ra)}_{'seq' if rs else 'last'}"
                f"{'_state' if with_state else ''}")
        rng = np.random.default_rng(seed_for(name))
        w = _gru_weights(rng, d, u, ra) + _gru_weights(rng, d, u, ra)
        x = _u(rng, (b, t, d), -1, 1)
        mask = _mask(b, t)
        h0 = [_u(rng, (b, u), -0.8, 0.8), _u(rng, (b, u), -0.8, 0.8)] if with_state else None
        layer = L.Bidirectional(L.GRU(u, reset_after=ra, return_sequences=rs, return_state=with_state),
                                merge_mode=merge)
        layer.build((b, t, d))
        layer.set_weights(w)
        xt = tf.constant(x)
        h0t = [tf.constant(h) for h in h0] if with_state else []
        outs_shape = (b, t) if rs else (b,)
        n_out = 2 if merge is None else 1
        width = 2 * u if merge == "concat" else u
        gs = [_u(rng, outs_shape + (width,), -1, 1) for _ in range(n_out)]
        gstates = [_u(rng, (b, u), -1, 1) for _ in h0t]
        with tf.GradientTape() as tape:
            tape.watch(xt)
            for h in h0t:
                tape.watch(h)
            kwargs = {"mask": tf.constant(mask.astype(bool))}
            if with_state:
                kwargs["initial_state"] = h0t
            res = layer(xt, **kwargs)
            res = res if isinstance(res, list) else [res]
            outs, states = res[:n_out], res[n_out:]
            loss = sum(tf.reduce_sum(o * gg) for o, gg in zip(outs, gs))
            loss += sum(tf.reduce_sum(s * gg) for s, gg in zip(states, gstates))
        grads = tape.gradient(loss, layer.trainable_weights + [xt] + h0t)
        tensors = [("x", x, "float32"), ("mask", mask, "int32")] + _named("w", w)
        tensors += _named("g", gs) + _named("g_state", gstates)
        if with_state:
            tensors += _named("h0_", h0)
        tensors += _named("output", [o.numpy() for o in outs]) + _named("state", [s.numpy() for s in states])
        tensors += _named("grad_w", [v.numpy() for v in grads[:6]]) + [("grad_x", grads[6].numpy(), "float32")]
        tensors += _named("grad_h0_", [v.numpy() for v in grads[7:]])
        config = {"batch": b, "time": t, "input_dim": d, "units": u, "reset_after": ra, "merge_mode": merge,
                  "return_sequences": rs, "return_state": with_state, "initial_state": with_state,
                  "outputs": n_out, "states": len(states)}
        write_case(out, name, "keras_bidirectional", config, tensors)
        names.append(name)
    return names


# ------------------------------------------------------------ converted models

def _model_masking_bidi(t, d, ra):
    inp = tf_keras.Input(shape=(t, d), name="x")
    h = L.Masking(mask_value=0.0, name="masking")(inp)
    h = L.Bidirectional(L.GRU(5, reset_after=ra, return_sequences=True, name="gru_a"), name="bidi_a")(h)
    h = L.Bidirectional(L.GRU(4, reset_after=ra, return_sequences=True, name="gru_b"), name="bidi_b")(h)
    return tf_keras.Model(inp, h, name=f"masking_bidi_ra{int(ra)}")


def _model_masking_stack(t, d, ra):
    inp = tf_keras.Input(shape=(t, d), name="x")
    h = L.Masking(mask_value=0.0, name="masking")(inp)
    h = L.GRU(5, reset_after=ra, return_sequences=True, name="gru_a")(h)
    h = L.GRU(4, reset_after=ra, return_sequences=True, name="gru_b")(h)
    return tf_keras.Model(inp, h, name=f"masking_stack_ra{int(ra)}")


MODEL_CASES = [
    ("keras_model_masking_bidi_ra1", _model_masking_bidi, True),
    ("keras_model_masking_bidi_ra0", _model_masking_bidi, False),
    ("keras_model_masking_stack_ra1", _model_masking_stack, True),
]


def make_model_cases(out):
    from tfjs_model import _import_tensorflowjs  # noqa: E402  (heavy)
    tfjs = _import_tensorflowjs()
    if tfjs is None:
        raise RuntimeError("stack_fixtures: tensorflowjs is needed for the converted models (tools/venv.sh installs it)")
    names = []
    b, t, d = 3, 6, 3
    for (short, build, ra) in MODEL_CASES:
        name = f"stacks/{short}"
        rng = np.random.default_rng(seed_for(name))
        tf_keras.backend.clear_session()
        model = build(t, d, ra)
        w = [_u(rng, tuple(v.shape)) for v in model.trainable_weights]
        model.set_weights(w)
        x = _u(rng, (b, t, d), -1, 1)
        mask = _mask(b, t)
        x[mask == 0] = 0.0  # padded steps: what Masking(mask_value=0) masks
        xt = tf.constant(x)
        out_shape = tuple(model.output_shape[1:])
        g = _u(rng, (b,) + out_shape, -1, 1)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = model(xt)
            loss = tf.reduce_sum(y * g)
        grads = tape.gradient(loss, model.trainable_weights + [xt])
        folder = os.path.join(out, *name.split("/"))
        os.makedirs(folder, exist_ok=True)
        tfjs.converters.save_keras_model(model, folder)
        path = os.path.join(folder, "model.json")
        with open(path, encoding="utf-8") as f:
            model_json = json.load(f)
        write_json(path, model_json)
        tensors = [("x", x, "float32"), ("mask", mask, "int32")] + _named("w", w) + [("g", g, "float32")]
        tensors += [("output", y.numpy(), "float32")]
        tensors += _named("grad_w", [v.numpy() for v in grads[:-1]]) + [("grad_x", grads[-1].numpy(), "float32")]
        config = {"batch": b, "time": t, "input_dim": d, "reset_after": ra, "model_json": "model.json",
                  "produced_by": "tensorflowjs-converter", "tensorflowjs": tfjs.__version__,
                  "weights": [v.name for v in model.trainable_weights],
                  "weight_shapes": [list(v.shape) for v in model.trainable_weights]}
        write_case(out, name, "keras_model", config, tensors)
        names.append(name)
    return names


# ------------------------------------------------------------ TF1

def _tf1_cell_weights(rng, d, u):
    return [_u(rng, (d + u, 2 * u)), _u(rng, (2 * u,), 0.5, 1.5), _u(rng, (d + u, u)), _u(rng, (u,))]


def _session(graph):
    cfg = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    return tf.compat.v1.Session(graph=graph, config=cfg)


def _tf1_run(name, build, weights, feeds_wrt, g_shapes, rng):
    """Builds the graph, loads `weights` into its variables (in creation order), runs outputs and gradients."""
    graph = tf.Graph()
    with graph.as_default():
        results, wrt_extra = build()
        variables = tf.compat.v1.trainable_variables()
        if [tuple(v.shape.as_list()) for v in variables] != [w.shape for w in weights]:
            raise RuntimeError(f"{name}: unexpected variables {[(v.name, v.shape) for v in variables]}")
        gs = [tf.constant(_u(rng, s, -1, 1)) for s in g_shapes]
        loss = sum(tf.reduce_sum(r * gg) for r, gg in zip(results, gs))
        grads = tf.gradients(loss, variables + wrt_extra)
        with _session(graph) as sess:
            for v, w in zip(variables, weights):
                v.load(w, sess)
            vals, gvals, g_vals = sess.run([results, grads, gs])
    return [v.name for v in variables], vals, gvals, g_vals


def make_tf1_bidirectional(out):
    name = "stacks/tf1_bidirectional_len"
    rng = np.random.default_rng(seed_for(name))
    b, t, d, u = 3, 6, 3, 4
    w = _tf1_cell_weights(rng, d, u) + _tf1_cell_weights(rng, d, u)
    x = _u(rng, (b, t, d), -1, 1)
    seq_len = np.array([t, 4, 1], np.int32)
    h0 = [_u(rng, (b, u), -0.8, 0.8), _u(rng, (b, u), -0.8, 0.8)]

    def build():
        xt, hf, hb = tf.constant(x), tf.constant(h0[0]), tf.constant(h0[1])
        fw = tf.compat.v1.nn.rnn_cell.GRUCell(u)
        bw = tf.compat.v1.nn.rnn_cell.GRUCell(u)
        (of, ob), (sf, sb) = tf.compat.v1.nn.bidirectional_dynamic_rnn(
            fw, bw, xt, sequence_length=tf.constant(seq_len), initial_state_fw=hf, initial_state_bw=hb,
            dtype=tf.float32)
        return [tf.concat([of, ob], -1), sf, sb], [xt, hf, hb]

    vnames, vals, gvals, gs = _tf1_run(name, build, w, None, [(b, t, 2 * u), (b, u), (b, u)], rng)
    tensors = [("x", x, "float32"), ("seq_len", seq_len, "int32")] + _named("h0_", h0) + _named("w", w)
    tensors += _named("g", gs)
    tensors += [("outputs", vals[0], "float32"), ("state_fw", vals[1], "float32"), ("state_bw", vals[2], "float32")]
    tensors += _named("grad_w", gvals[:8]) + [("grad_x", gvals[8], "float32")] + _named("grad_h0_", gvals[9:])
    config = {"batch": b, "time": t, "input_dim": d, "units": u, "variables": vnames,
              "note": "outputs = concat(fw, bw) of bidirectional_dynamic_rnn; g0 weighs outputs, g1/g2 the states"}
    write_case(out, name, "tf1_stack", config, tensors)
    return name


def make_tf1_multi(out):
    name = "stacks/tf1_multi_len"
    rng = np.random.default_rng(seed_for(name))
    b, t, d, u0, u1 = 3, 6, 3, 5, 4
    w = _tf1_cell_weights(rng, d, u0) + _tf1_cell_weights(rng, u0, u1)
    x = _u(rng, (b, t, d), -1, 1)
    seq_len = np.array([2, t, 5], np.int32)

    def build():
        xt = tf.constant(x)
        cell = tf.compat.v1.nn.rnn_cell.MultiRNNCell(
            [tf.compat.v1.nn.rnn_cell.GRUCell(u0), tf.compat.v1.nn.rnn_cell.GRUCell(u1)])
        outputs, (s0, s1) = tf.compat.v1.nn.dynamic_rnn(cell, xt, sequence_length=tf.constant(seq_len),
                                                        dtype=tf.float32)
        return [outputs, s0, s1], [xt]

    vnames, vals, gvals, gs = _tf1_run(name, build, w, None, [(b, t, u1), (b, u0), (b, u1)], rng)
    tensors = [("x", x, "float32"), ("seq_len", seq_len, "int32")] + _named("w", w) + _named("g", gs)
    tensors += [("outputs", vals[0], "float32"), ("state0", vals[1], "float32"), ("state1", vals[2], "float32")]
    tensors += _named("grad_w", gvals[:8]) + [("grad_x", gvals[8], "float32")]
    config = {"batch": b, "time": t, "input_dim": d, "units": [u0, u1], "variables": vnames,
              "note": "dynamic_rnn over MultiRNNCell([GRUCell(5), GRUCell(4)]); g0 weighs outputs, g1/g2 the states"}
    write_case(out, name, "tf1_stack", config, tensors)
    return name


def make_stack_fixtures(out, with_tfjs=True):
    """Every case of this module; returns the case names (manifest entry 'stacks')."""
    names = make_zero_cases(out)
    names += make_bidi_cases(out)
    if with_tfjs:
        names += make_model_cases(out)
    names.append(make_tf1_bidirectional(out))
    names.append(make_tf1_multi(out))
    return names
