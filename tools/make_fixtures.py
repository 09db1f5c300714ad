#!/usr/bin/env python3
"""Reference fixtures for tfjs-gru, produced by the real TensorFlow / tf-keras
(and, through tools/make_pytorch_fixtures.py, the real PyTorch).

    python tools/make_fixtures.py --out fixtures

Everything is deterministic: every case draws its weights and inputs from its own
numpy generator seeded by a CRC32 of its name (weights are never drawn by TF's
initializers, except in the init-facts file, which exists to record them), and TF
runs on one thread. The storage contract is documented in tools/README.md.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import warnings

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
os.environ.setdefault("PYTHONHASHSEED", "0")

import numpy as np  # noqa: E402

warnings.filterwarnings("ignore", message=r".*(deprecated|will be removed).*")
warnings.filterwarnings("ignore", message=r".*HDF5 file via `model.save\(\)`.*")

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import seed_for, write_case, write_json  # noqa: E402

import tensorflow as tf  # noqa: E402

tf.get_logger().setLevel("ERROR")
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)

import tf_keras  # noqa: E402

TOOLS = os.path.dirname(os.path.abspath(__file__))
F32 = np.float32


def session(graph):
    cfg = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    return tf.compat.v1.Session(graph=graph, config=cfg)


def uniform(rng, shape, lo, hi):
    return rng.uniform(lo, hi, size=shape).astype(F32)


def random_lengths(rng, batch, time):
    """Lengths in 1..T with at least one < T (and, for B > 1, at least one == T)."""
    if time < 2:
        raise ValueError("sequence_length cases need T >= 2")
    lens = rng.integers(1, time + 1, size=batch)
    lens[0] = rng.integers(1, time)  # one shorter than T
    if batch > 1:
        lens[-1] = time
    return lens.astype(np.int32)


# --------------------------------------------------------------------------- TF1

TF1_VAR_NAMES = {
    "gates_kernel": "rnn/gru_cell/gates/kernel:0",
    "gates_bias": "rnn/gru_cell/gates/bias:0",
    "candidate_kernel": "rnn/gru_cell/candidate/kernel:0",
    "candidate_bias": "rnn/gru_cell/candidate/bias:0",
}

# name, B, T, D, U, initial_state, sequence_length, gate bias near 1
TF1_CASES = [
    (1, 1, 1, 1, False, False, False),
    (2, 5, 3, 4, False, False, False),
    (2, 5, 3, 4, True, False, False),
    (3, 7, 2, 5, False, True, False),
    (2, 5, 3, 4, True, True, False),
    (4, 6, 5, 3, True, False, True),
    (3, 4, 8, 6, False, True, True),
    (1, 3, 1, 1, True, True, True),
    (5, 9, 4, 7, True, True, False),
    (16, 50, 64, 128, True, False, False),
]


def tf1_case_name(b, t, d, u, h0, ln, bias1):
    name = f"tf1/b{b}_t{t}_d{d}_u{u}"
    if h0:
        name += "_h0"
    if ln:
        name += "_len"
    if bias1:
        name += "_bias1"
    return name


def kernel_limit(fan_in, fan_out):
    """Half-width of the kernels' uniform draw: 0.5, or the Glorot limit when that is smaller.

    Glorot scaling keeps wide layers (D+U in the hundreds) out of saturation, as
    trained weights are; with +-0.5 their pre-activations reach tens and float32
    rounding alone would exceed the harness's tolerances.
    """
    return min(0.5, float(np.sqrt(6.0 / (fan_in + fan_out))))


def tf1_weights(rng, d, u, bias1):
    gl = kernel_limit(d + u, 2 * u)
    cl = kernel_limit(d + u, u)
    gk = uniform(rng, (d + u, 2 * u), -gl, gl)
    gb = (1.0 + uniform(rng, (2 * u,), -0.2, 0.2)) if bias1 else uniform(rng, (2 * u,), -0.5, 0.5)
    ck = uniform(rng, (d + u, u), -cl, cl)
    cb = uniform(rng, (u,), -0.5, 0.5)
    return {"gates_kernel": gk, "gates_bias": gb.astype(F32), "candidate_kernel": ck, "candidate_bias": cb}


def build_tf1_model(x, weights, h0=None, seq_len=None, extra=None):
    """Build dynamic_rnn over one GRUCell in a new graph; returns (graph, handles)."""
    graph = tf.Graph()
    with graph.as_default():
        xt = tf.constant(x, name="x")
        h0t = tf.constant(h0, name="h0") if h0 is not None else None
        sl = tf.constant(seq_len, name="seq_len") if seq_len is not None else None
        cell = tf.compat.v1.nn.rnn_cell.GRUCell(weights["candidate_bias"].shape[0], activation=tf.tanh)
        outputs, state = tf.compat.v1.nn.dynamic_rnn(
            cell, xt, sequence_length=sl, initial_state=h0t, dtype=tf.float32, time_major=False)
        variables = {v.name: v for v in tf.compat.v1.global_variables()}
        if sorted(variables) != sorted(TF1_VAR_NAMES.values()):
            raise RuntimeError(f"unexpected TF1 variable names {sorted(variables)}")
        handles = {"x": xt, "h0": h0t, "outputs": outputs, "final_state": state,
                   "vars": {k: variables[v] for k, v in TF1_VAR_NAMES.items()}}
    return graph, handles


def load_vars(sess, var_values):
    for var, value in var_values:
        if tuple(var.shape.as_list()) != value.shape:
            raise ValueError(f"{var.name}: shape {var.shape} != {value.shape}")
        var.load(value, sess)


def make_tf1_cases(out):
    names = []
    for (b, t, d, u, use_h0, use_len, bias1) in TF1_CASES:
        name = tf1_case_name(b, t, d, u, use_h0, use_len, bias1)
        rng = np.random.default_rng(seed_for(name))
        w = tf1_weights(rng, d, u, bias1)
        x = uniform(rng, (b, t, d), -1.0, 1.0)
        h0 = uniform(rng, (b, u), -0.8, 0.8) if use_h0 else None
        seq_len = random_lengths(rng, b, t) if use_len else None
        g = uniform(rng, (b, t, u), -1.0, 1.0)
        if seq_len is not None:
            g[np.arange(t)[None, :] >= seq_len[:, None]] = 0.0  # padded steps do not count
        graph, hd = build_tf1_model(x, w, h0, seq_len)
        with graph.as_default():
            loss = tf.reduce_sum(hd["outputs"] * tf.constant(g))
            wrt = [hd["vars"][k] for k in ("gates_kernel", "gates_bias", "candidate_kernel", "candidate_bias")]
            wrt.append(hd["x"])
            if use_h0:
                wrt.append(hd["h0"])
            grads = tf.gradients(loss, wrt)
            with session(graph) as sess:
                load_vars(sess, [(hd["vars"][k], w[k]) for k in w])
                outputs, final_state, grad_vals = sess.run([hd["outputs"], hd["final_state"], grads])
        tensors = [("x", x, "float32")]
        if use_h0:
            tensors.append(("h0", h0, "float32"))
        if use_len:
            tensors.append(("seq_len", seq_len, "int32"))
        tensors += [(k, w[k], "float32") for k in ("gates_kernel", "gates_bias", "candidate_kernel", "candidate_bias")]
        tensors += [("g", g, "float32"), ("outputs", outputs, "float32"), ("final_state", final_state, "float32")]
        gnames = ["grad_gates_kernel", "grad_gates_bias", "grad_candidate_kernel", "grad_candidate_bias", "grad_x"]
        if use_h0:
            gnames.append("grad_h0")
        tensors += [(n, v, "float32") for n, v in zip(gnames, grad_vals)]
        config = {"batch": b, "time": t, "input_dim": d, "units": u, "initial_state": use_h0,
                  "sequence_length": use_len, "activation": "tanh"}
        write_case(out, name, "tf1", config, tensors)
        names.append(name)
    return names


# ----------------------------------------------------------------- init facts

def _init_entry(d, u, bias_initializer=None):
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(1234)
        x = tf.constant(np.zeros((1, 2, d), F32))
        kwargs = {}
        if bias_initializer is not None:
            kwargs["bias_initializer"] = tf.compat.v1.constant_initializer(bias_initializer)
        cell = tf.compat.v1.nn.rnn_cell.GRUCell(u, **kwargs)
        tf.compat.v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        variables = tf.compat.v1.global_variables()
        with session(graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            values = {v.name: sess.run(v) for v in variables}
    entry = {"input_dim": d, "units": u,
             "bias_initializer": None if bias_initializer is None else f"constant({bias_initializer})",
             "variables": [{"name": v.name, "shape": v.shape.as_list()} for v in variables]}
    gk = values["rnn/gru_cell/gates/kernel:0"]
    ck = values["rnn/gru_cell/candidate/kernel:0"]
    entry["gates_bias"] = [float(v) for v in values["rnn/gru_cell/gates/bias:0"]]
    entry["candidate_bias"] = [float(v) for v in values["rnn/gru_cell/candidate/bias:0"]]
    # the kernels' values come from TF's random initializer (not reproducible run to run); record the facts
    gl, cl = float(np.sqrt(6.0 / sum(gk.shape))), float(np.sqrt(6.0 / sum(ck.shape)))
    entry["kernel_initializer"] = {
        "note": "scope default (glorot uniform): every value in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out))",
        "gates_kernel_glorot_limit": gl,
        "gates_kernel_within_limit": bool(np.abs(gk).max() <= gl),
        "candidate_kernel_glorot_limit": cl,
        "candidate_kernel_within_limit": bool(np.abs(ck).max() <= cl),
    }
    return entry


def _tf_published_test(d, expected):
    """TF's rnn_cell_test testGRUCell: GRUCell(2) under a constant(0.5) scope initializer."""
    graph = tf.Graph()
    with graph.as_default():
        with tf.compat.v1.variable_scope("root", initializer=tf.compat.v1.constant_initializer(0.5)):
            x = tf.compat.v1.placeholder(tf.float32, [1, d])
            m = tf.compat.v1.placeholder(tf.float32, [1, 2])
            out, state = tf.compat.v1.nn.rnn_cell.GRUCell(2)(x, m)
        variables = tf.compat.v1.global_variables()
        with session(graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            feed = {x: np.ones((1, d), F32), m: np.full((1, 2), 0.1, F32)}
            res, st = sess.run([out, state], feed)
            values = {v.name: sess.run(v).tolist() for v in variables}
    return {"scope": "root", "scope_initializer": "constant(0.5)", "units": 2,
            "x": [[1.0] * d], "h": [[0.1, 0.1]],
            "output": [[float(v) for v in res[0]]], "state": [[float(v) for v in st[0]]],
            "expected_in_tf_test": expected,
            "variables": [{"name": v.name, "shape": v.shape.as_list(), "value": values[v.name]} for v in variables],
            "note": "the scope initializer reaches only the kernels: the gate bias stays 1.0 and the candidate bias 0.0"}


def make_init_facts(out):
    facts = {
        "description": "TensorFlow's own initialisation facts for tf.compat.v1.nn.rnn_cell.GRUCell "
                       "(run under dynamic_rnn, default scope 'rnn').",
        "tensorflow": tf.__version__,
        "default": _init_entry(3, 5),
        "bias_initializer_constant_0_25": _init_entry(3, 5, 0.25),
        "tf_published_tests": [
            _tf_published_test(2, [[0.175991, 0.175991]]),
            _tf_published_test(3, [[0.156736, 0.156736]]),
        ],
    }
    path = os.path.join(out, "init", "tf1_gru_cell.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_json(path, facts)
    return "init/tf1_gru_cell.json"


# ---------------------------------------------------------------------- Keras

# B, T, D, U, reset_after, go_backwards, return_sequences, initial_state, mask
KERAS_CASES = [
    (2, 5, 3, 4, False, False, True, False, False),
    (2, 5, 3, 4, False, False, False, True, False),
    (3, 6, 2, 5, False, True, True, True, False),
    (3, 6, 2, 5, False, True, False, False, True),
    (2, 5, 3, 4, True, False, True, False, False),
    (2, 5, 3, 4, True, False, False, True, True),
    (3, 6, 2, 5, True, True, True, True, True),
    (3, 6, 2, 5, True, True, False, False, False),
    (4, 7, 3, 3, False, False, True, True, True),
    (4, 7, 3, 3, True, False, True, False, True),
    (1, 1, 1, 1, False, False, True, False, False),
    (1, 3, 1, 1, True, True, True, True, False),
    (1, 3, 1, 1, True, False, False, False, False),
]


def keras_case_name(b, t, d, u, ra, gb, rs, h0, mask):
    name = f"keras/b{b}_t{t}_d{d}_u{u}_ra{int(ra)}_{'bwd' if gb else 'fwd'}_{'seq' if rs else 'last'}"
    if h0:
        name += "_h0"
    if mask:
        name += "_mask"
    return name


def random_mask(rng, b, t, name):
    """0/1 mask with mask[:, 0] = 1. Row 0 is right-padded; the other rows have holes."""
    mask = (rng.uniform(size=(b, t)) > 0.35).astype(np.int32)
    mask[:, 0] = 1
    if t > 1:
        cut = int(rng.integers(1, t))
        mask[0, :] = 0
        mask[0, :cut] = 1
    if t > 1 and mask.all():
        mask[-1, -1] = 0
    return mask


def keras_weights(rng, d, u, ra):
    kernel = uniform(rng, (d, 3 * u), -0.5, 0.5)
    rk = uniform(rng, (u, 3 * u), -0.5, 0.5)
    bias = uniform(rng, (2, 3 * u) if ra else (3 * u,), -0.5, 0.5)
    return kernel, rk, bias


def make_keras_cases(out):
    names = []
    for (b, t, d, u, ra, gb, rs, use_h0, use_mask) in KERAS_CASES:
        name = keras_case_name(b, t, d, u, ra, gb, rs, use_h0, use_mask)
        rng = np.random.default_rng(seed_for(name))
        kernel, rk, bias = keras_weights(rng, d, u, ra)
        x = uniform(rng, (b, t, d), -1.0, 1.0)
        h0 = uniform(rng, (b, u), -0.8, 0.8) if use_h0 else None
        mask = random_mask(rng, b, t, name) if use_mask else None
        g = uniform(rng, (b, t, u) if rs else (b, u), -1.0, 1.0)
        layer = tf_keras.layers.GRU(u, activation="tanh", recurrent_activation="sigmoid", reset_after=ra,
                                    go_backwards=gb, return_sequences=rs, return_state=True)
        layer.build((b, t, d))
        layer.set_weights([kernel, rk, bias])
        xt = tf.constant(x)
        h0t = tf.constant(h0) if use_h0 else None
        kwargs = {}
        if use_h0:
            kwargs["initial_state"] = [h0t]
        if use_mask:
            kwargs["mask"] = tf.constant(mask.astype(bool))
        with tf.GradientTape() as tape:
            tape.watch(xt)
            if use_h0:
                tape.watch(h0t)
            output, state = layer(xt, **kwargs)
            loss = tf.reduce_sum(output * tf.constant(g))
        cell = layer.cell
        wrt = [cell.kernel, cell.recurrent_kernel, cell.bias, xt] + ([h0t] if use_h0 else [])
        grads = tape.gradient(loss, wrt)
        tensors = [("x", x, "float32")]
        if use_h0:
            tensors.append(("h0", h0, "float32"))
        if use_mask:
            tensors.append(("mask", mask, "int32"))
        tensors += [("kernel", kernel, "float32"), ("recurrent_kernel", rk, "float32"), ("bias", bias, "float32"),
                    ("g", g, "float32"), ("output", output.numpy(), "float32"), ("final_state", state.numpy(), "float32")]
        gnames = ["grad_kernel", "grad_recurrent_kernel", "grad_bias", "grad_x"] + (["grad_h0"] if use_h0 else [])
        tensors += [(n, v.numpy(), "float32") for n, v in zip(gnames, grads)]
        config = {"batch": b, "time": t, "input_dim": d, "units": u, "reset_after": ra, "go_backwards": gb,
                  "return_sequences": rs, "initial_state": use_h0, "mask": use_mask,
                  "activation": "tanh", "recurrent_activation": "sigmoid"}
        write_case(out, name, "keras", config, tensors)
        names.append(name)
    return names


# ---------------------------------------------------------------- checkpoints

CKPT_PREFIX = "model.ckpt"


def _save_tf1(graph, sess, folder, var_list=None):
    with graph.as_default():
        saver = tf.compat.v1.train.Saver(var_list=var_list, write_version=tf.compat.v1.train.SaverDef.V2,
                                         save_relative_paths=True)
        saver.save(sess, os.path.join(folder, CKPT_PREFIX), write_meta_graph=False)


def _ckpt_variables(folder):
    return [{"name": n, "shape": s} for n, s in tf.train.list_variables(os.path.join(folder, CKPT_PREFIX))]


def _ckpt_single_setup():
    name = "checkpoints/tf1_single"
    rng = np.random.default_rng(seed_for(name))
    b, t, d, u = 2, 5, 3, 4
    w = tf1_weights(rng, d, u, bias1=True)
    x = uniform(rng, (b, t, d), -1.0, 1.0)
    return (b, t, d, u), w, x


TF0_NAMES = {"gates_kernel": "RNN/GRUCell/Gates/Linear/Matrix", "gates_bias": "RNN/GRUCell/Gates/Linear/Bias",
             "candidate_kernel": "RNN/GRUCell/Candidate/Linear/Matrix",
             "candidate_bias": "RNN/GRUCell/Candidate/Linear/Bias"}
TF10_NAMES = {"gates_kernel": "rnn/gru_cell/gates/weights", "gates_bias": "rnn/gru_cell/gates/biases",
              "candidate_kernel": "rnn/gru_cell/candidate/weights",
              "candidate_bias": "rnn/gru_cell/candidate/biases"}
TF12_NAMES = {k: v[:-2] for k, v in TF1_VAR_NAMES.items()}


def make_tf1_single_like(out, case, names, generation):
    (b, t, d, u), w, x = _ckpt_single_setup()
    folder = os.path.join(out, *case.split("/"))
    os.makedirs(folder, exist_ok=True)
    graph, hd = build_tf1_model(x, w)
    with session(graph) as sess:
        load_vars(sess, [(hd["vars"][k], w[k]) for k in w])
        outputs, final_state = sess.run([hd["outputs"], hd["final_state"]])
        var_list = None if generation == "tf1.2+" else {names[k]: hd["vars"][k] for k in names}
        _save_tf1(graph, sess, folder, var_list)
    config = {"prefix": CKPT_PREFIX, "format": "tf1-saver-v2", "tf_generation": generation,
              "batch": b, "time": t, "input_dim": d, "units": u, "activation": "tanh",
              "cells": [{"type": "GRUCell", "units": u, "input_dim": d,
                         "variables": {k: names[k] for k in ("gates_kernel", "gates_bias", "candidate_kernel",
                                                             "candidate_bias")}}],
              "dense": None, "checkpoint_variables": _ckpt_variables(folder)}
    tensors = [("x", x, "float32"), ("outputs", outputs, "float32"), ("final_state", final_state, "float32")]
    write_case(out, case, "checkpoint", config, tensors)
    return case


def make_tf1_multi_dense(out):
    case = "checkpoints/tf1_multi_dense"
    rng = np.random.default_rng(seed_for(case))
    b, t, d, u0, u1, k = 2, 4, 3, 5, 4, 3
    w0 = tf1_weights(rng, d, u0, bias1=True)
    w1 = tf1_weights(rng, u0, u1, bias1=False)
    dk = uniform(rng, (u1, k), -0.5, 0.5)
    db = uniform(rng, (k,), -0.5, 0.5)
    x = uniform(rng, (b, t, d), -1.0, 1.0)
    folder = os.path.join(out, *case.split("/"))
    os.makedirs(folder, exist_ok=True)
    graph = tf.Graph()
    with graph.as_default():
        xt = tf.constant(x)
        cell = tf.compat.v1.nn.rnn_cell.MultiRNNCell(
            [tf.compat.v1.nn.rnn_cell.GRUCell(u0), tf.compat.v1.nn.rnn_cell.GRUCell(u1)])
        outputs, states = tf.compat.v1.nn.dynamic_rnn(cell, xt, dtype=tf.float32)
        logits = tf.compat.v1.layers.dense(outputs, k)
        var = {v.name[:-2]: v for v in tf.compat.v1.global_variables()}
        cell_names = []
        assign = []
        for i, wi in enumerate((w0, w1)):
            names = {kk: f"rnn/multi_rnn_cell/cell_{i}/gru_cell/{kk.replace('_', '/')}" for kk in wi}
            cell_names.append(names)
            assign += [(var[names[kk]], wi[kk]) for kk in wi]
        assign += [(var["dense/kernel"], dk), (var["dense/bias"], db)]
        if len(assign) != len(var):
            raise RuntimeError(f"unexpected variables {sorted(var)}")
        with session(graph) as sess:
            load_vars(sess, assign)
            o, s0, s1, lg = sess.run([outputs, states[0], states[1], logits])
            _save_tf1(graph, sess, folder)
    config = {"prefix": CKPT_PREFIX, "format": "tf1-saver-v2", "tf_generation": "tf1.2+",
              "batch": b, "time": t, "input_dim": d, "units": u1, "activation": "tanh",
              "cells": [{"type": "GRUCell", "units": u0, "input_dim": d, "variables": cell_names[0]},
                        {"type": "GRUCell", "units": u1, "input_dim": u0, "variables": cell_names[1]}],
              "dense": {"units": k, "activation": None, "kernel": "dense/kernel", "bias": "dense/bias",
                        "applied_to": "outputs of the top cell at every step"},
              "note": "outputs/final_state are the top cell's; final_state_<i> is cell i's final state",
              "checkpoint_variables": _ckpt_variables(folder)}
    tensors = [("x", x, "float32"), ("outputs", o, "float32"), ("final_state", s1, "float32"),
               ("final_state_0", s0, "float32"), ("final_state_1", s1, "float32"), ("logits", lg, "float32")]
    write_case(out, case, "checkpoint", config, tensors)
    return case


def make_keras_tf2(out):
    case = "checkpoints/keras_tf2"
    rng = np.random.default_rng(seed_for(case))
    b, t, d, u, k = 2, 5, 3, 4, 2
    kernel, rk, bias = keras_weights(rng, d, u, True)
    dk = uniform(rng, (u, k), -0.5, 0.5)
    db = uniform(rng, (k,), -0.5, 0.5)
    x = uniform(rng, (b, t, d), -1.0, 1.0)
    folder = os.path.join(out, *case.split("/"))
    os.makedirs(folder, exist_ok=True)
    inp = tf_keras.Input(shape=(t, d), name="x")
    seq, state = tf_keras.layers.GRU(u, reset_after=True, return_sequences=True, return_state=True,
                                     name="gru")(inp)
    logits = tf_keras.layers.Dense(k, name="dense")(seq)
    model = tf_keras.Model(inp, [seq, state, logits], name="gru_model")
    model.get_layer("gru").set_weights([kernel, rk, bias])
    model.get_layer("dense").set_weights([dk, db])
    o, s, lg = [v.numpy() for v in model(tf.constant(x))]
    tf.train.Checkpoint(model=model).write(os.path.join(folder, CKPT_PREFIX))
    ckvars = _ckpt_variables(folder)
    wanted = {"kernel": ("gru", 0), "recurrent_kernel": ("gru", 1), "bias": ("gru", 2),
              "dense/kernel": ("dense", 0), "dense/bias": ("dense", 1)}
    reader = tf.train.load_checkpoint(os.path.join(folder, CKPT_PREFIX))
    keys = {}
    values = {"kernel": kernel, "recurrent_kernel": rk, "bias": bias, "dense/kernel": dk, "dense/bias": db}
    for role, value in values.items():
        hits = [v["name"] for v in ckvars if v["name"].endswith("VARIABLE_VALUE")
                and list(value.shape) == v["shape"] and np.array_equal(reader.get_tensor(v["name"]), value)]
        if len(hits) != 1:
            raise RuntimeError(f"{case}: cannot identify checkpoint key of {role}: {hits}")
        keys[role] = hits[0]
    config = {"prefix": CKPT_PREFIX, "format": "tf2-object-checkpoint", "written_by": "tf.train.Checkpoint(model=m).write",
              "batch": b, "time": t, "input_dim": d, "units": u, "activation": "tanh",
              "recurrent_activation": "sigmoid",
              "cells": [{"type": "keras.GRU", "reset_after": True, "units": u, "input_dim": d,
                         "variables": {"kernel": keys["kernel"], "recurrent_kernel": keys["recurrent_kernel"],
                                       "bias": keys["bias"]},
                         "keras_weight_names": [w.name for w in model.get_layer("gru").weights]}],
              "dense": {"units": k, "activation": None, "kernel": keys["dense/kernel"], "bias": keys["dense/bias"],
                        "keras_weight_names": [w.name for w in model.get_layer("dense").weights],
                        "applied_to": "GRU outputs at every step"},
              "checkpoint_variables": ckvars}
    tensors = [("x", x, "float32"), ("outputs", o, "float32"), ("final_state", s, "float32"),
               ("logits", lg, "float32")]
    write_case(out, case, "checkpoint", config, tensors)
    return case


def make_checkpoints(out):
    from checkpoint_fixtures import make_more_checkpoints, write_variable_values  # noqa: E402  (issue 9's cases)
    cases = [
        make_tf1_single_like(out, "checkpoints/tf1_single", TF12_NAMES, "tf1.2+"),
        make_tf1_multi_dense(out),
        make_tf1_single_like(out, "checkpoints/tf0_names", TF0_NAMES, "tf0.x"),
        make_tf1_single_like(out, "checkpoints/tf10_names", TF10_NAMES, "tf1.0"),
        make_keras_tf2(out),
    ] + make_more_checkpoints(out)
    for case in cases:
        write_variable_values(out, case)
    return cases


# -------------------------------------------------------------------- PyTorch

def make_pytorch_cases(out, python):
    script = os.path.join(TOOLS, "make_pytorch_fixtures.py")
    res = subprocess.run([python, script, "--out", out], check=True, stdout=subprocess.PIPE, text=True)
    info = json.loads(res.stdout.strip().splitlines()[-1])
    versions = {"torch": info["torch"], "torch_numpy": info["numpy"]}
    try:
        deb = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"], check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
        versions["torch_package"] = f"debian python3-torch {deb}"
    except (OSError, subprocess.CalledProcessError):
        pass
    return info["cases"], versions


# ------------------------------------------------------------------ tfjs model

def make_keras_file_cases(out):
    from make_keras_file_fixtures import make_keras_files  # noqa: E402  (issue 10's Keras files)
    return make_keras_files(out)


def make_tfjs_model(out):
    from tfjs_model import make_tfjs_keras_reset_after  # noqa: E402  (optional, heavy)
    return make_tfjs_keras_reset_after(out)


# ------------------------------------------------ stacks (issue 11: bidirectional, stacked, masks)

def make_stacks(out, torch_python, with_tfjs):
    import stack_fixtures  # noqa: E402
    names = stack_fixtures.make_stack_fixtures(out, with_tfjs)
    if torch_python != "none":
        script = os.path.join(TOOLS, "stack_pytorch_fixtures.py")
        res = subprocess.run([torch_python, script, "--out", out], check=True, stdout=subprocess.PIPE, text=True)
        names += json.loads(res.stdout.strip().splitlines()[-1])["cases"]
    return names


# ------------------------------- issue 21: a g2p-en-like .npz, padded PyTorch batches

def make_torch_script_cases(out, torch_python, script_name):
    """Runs tools/<script_name> under the Python that has torch; returns its case names ([] without torch)."""
    if torch_python == "none":
        return []
    script = os.path.join(TOOLS, script_name)
    res = subprocess.run([torch_python, script, "--out", out], check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])["cases"]


# ----------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output folder (replaced)")
    ap.add_argument("--pytorch-python", default=os.environ.get("TFJS_GRU_TORCH_PYTHON", "/usr/bin/python3"),
                    help="python that has torch (Debian's python3-torch); 'none' to skip the PyTorch cases")
    ap.add_argument("--no-tfjs", action="store_true", help="skip the tensorflowjs-converted model")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    if os.path.isdir(out):
        for entry in ("manifest.json", "tf1", "keras", "pytorch", "init", "checkpoints", "tfjs_model",
                      "pytorch_files", "onnx", "stacks", "keras_files", "onnx_ops", "onnx_models",
                      "pytorch_npz", "pytorch_padded"):
            p = os.path.join(out, entry)
            if os.path.isdir(p):
                shutil.rmtree(p)
            elif os.path.exists(p):
                os.remove(p)
    os.makedirs(out, exist_ok=True)

    cases = make_tf1_cases(out)
    init = make_init_facts(out)
    cases += make_keras_cases(out)
    checkpoints = make_checkpoints(out)
    keras_files, keras_versions = make_keras_file_cases(out)
    # major.minor: the pinned wheels are for CPython 3.11; the patch level does not change a number.
    versions = {"python": "%d.%d" % sys.version_info[:2], "tensorflow": tf.__version__,
                "tf_keras": tf_keras.__version__, "numpy": np.__version__}
    versions.update(keras_versions)
    if args.pytorch_python != "none":
        pt_cases, torch_versions = make_pytorch_cases(out, args.pytorch_python)
        cases += pt_cases
        versions.update(torch_versions)
    from onnx_fixtures import make_onnx_fixtures  # noqa: E402  (issue 10: .safetensors and .onnx files)
    pytorch_files, onnx_cases, onnx_versions = make_onnx_fixtures(out, args.pytorch_python)
    versions.update(onnx_versions)
    from onnx_op_fixtures import make_onnx_op_fixtures  # noqa: E402  (issue 17: one model per ONNX operator)
    _, op_versions = make_onnx_op_fixtures(out)
    versions.update(op_versions)
    from onnx_model_fixtures import make_onnx_model_fixtures  # noqa: E402  (issue 17: real models from wheels)
    make_onnx_model_fixtures(out, args.pytorch_python)
    manifest = {"format": 1, "generator": "tools/make_fixtures.py", "versions": versions, "cases": cases,
                "checkpoints": checkpoints, "init": init,
                "keras_files": keras_files}
    manifest["pytorch_files"] = pytorch_files
    manifest["onnx"] = onnx_cases
    manifest["onnx_ops"] = "onnx_ops/manifest.json"
    manifest["onnx_models"] = "onnx_models/manifest.json"
    if not args.no_tfjs:
        tfjs_models, tfjs_version = make_tfjs_model(out)
        manifest["tfjs_models"] = tfjs_models
        if tfjs_version:
            versions["tensorflowjs"] = tfjs_version
    manifest["stacks"] = make_stacks(out, args.pytorch_python, not args.no_tfjs)
    manifest["pytorch_npz"] = make_torch_script_cases(out, args.pytorch_python, "pytorch_npz_fixtures.py")
    manifest["pytorch_padded"] = make_torch_script_cases(out, args.pytorch_python, "pytorch_padded_fixtures.py")
    write_json(os.path.join(out, "manifest.json"), manifest)
    print(f"make_fixtures: wrote {len(cases)} cases, {len(checkpoints)} checkpoints to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
