"""More checkpoint fixtures (issue 9): containers, contrib-cell names, TF2 Bidirectional
with Adam slots, many dtypes, two shards. Imported by make_fixtures.py once TensorFlow
is configured; every case draws from numpy.random.default_rng(crc32(name)).

Each case is ``checkpoints/<name>/`` with ``model.ckpt.*`` written by TensorFlow and
``case.json`` (kind "checkpoint"): ``config.cells`` lists every GRU cell (type, scope,
layer, direction, units, input_dim, variables: role -> checkpoint key), ``config.dense``
the Dense layer after the stack (or null), ``config.expected`` names the tensor a
converted model must reproduce (``logits`` when a Dense layer is present, else
``outputs``: the top layer's full output sequence, fw ++ bw for bidirectional layers).
"""
import os

import numpy as np
import tensorflow as tf
import tf_keras

from fixture_io import seed_for, write_case

F32 = np.float32
CKPT_PREFIX = "model.ckpt"
TF1_ROLES = ("gates_kernel", "gates_bias", "candidate_kernel", "candidate_bias")


def _session(graph, cpus=1):
    cfg = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1,
                                   device_count={"CPU": cpus}, allow_soft_placement=True)
    return tf.compat.v1.Session(graph=graph, config=cfg)


def _u(rng, shape, lim=0.5):
    return rng.uniform(-lim, lim, size=shape).astype(F32)


def _tf1_w(rng, d, u):
    return {"gates_kernel": _u(rng, (d + u, 2 * u)), "gates_bias": (1.0 + _u(rng, (2 * u,), 0.2)).astype(F32),
            "candidate_kernel": _u(rng, (d + u, u)), "candidate_bias": _u(rng, (u,))}


def _folder(out, case):
    folder = os.path.join(out, *case.split("/"))
    os.makedirs(folder, exist_ok=True)
    return folder


def _saver_save(graph, sess, folder, var_list=None, sharded=False):
    with graph.as_default():
        saver = tf.compat.v1.train.Saver(var_list=var_list, write_version=tf.compat.v1.train.SaverDef.V2,
                                         save_relative_paths=True, sharded=sharded)
        saver.save(sess, os.path.join(folder, CKPT_PREFIX), write_meta_graph=False)


def _list_vars(folder):
    return [{"name": n, "shape": s} for n, s in tf.train.list_variables(os.path.join(folder, CKPT_PREFIX))]


def _assign(sess, graph, values):
    """values: {variable name without ':0': array}; every global variable must be given."""
    with graph.as_default():
        var = {v.name[:-2]: v for v in tf.compat.v1.global_variables()}
    if sorted(var) != sorted(values):
        raise RuntimeError(f"variables {sorted(var)} != {sorted(values)}")
    for n, v in values.items():
        if tuple(var[n].shape.as_list()) != tuple(np.shape(v)):
            raise RuntimeError(f"{n}: shape {var[n].shape} != {np.shape(v)}")
        var[n].load(v, sess)


def _gru_cell_entry(scope, d, u, layer, direction, type_="GRUCell", names=None):
    names = names or {r: f"{scope}/{r.replace('_', '/')}" for r in TF1_ROLES}
    return {"type": type_, "scope": scope, "layer": layer, "direction": direction, "units": u, "input_dim": d,
            "variables": names}


def _write(out, case, config, folder, tensors):
    config = dict(config)
    config.setdefault("prefix", CKPT_PREFIX)
    config["checkpoint_variables"] = _list_vars(folder)
    write_case(out, case, "checkpoint", config, tensors)
    return case


# ------------------------------------------------------------ TF1 containers

def make_tf1_bidi(out):
    """bidirectional_dynamic_rnn(GRUCell, GRUCell) under a user scope, outputs concatenated fw ++ bw."""
    case = "checkpoints/tf1_bidi"
    rng = np.random.default_rng(seed_for(case))
    b, t, d, u = 2, 5, 3, 4
    wf, wb = _tf1_w(rng, d, u), _tf1_w(rng, d, u)
    x = _u(rng, (b, t, d), 1.0)
    folder = _folder(out, case)
    graph = tf.Graph()
    with graph.as_default():
        with tf.compat.v1.variable_scope("encoder"):
            (of, ob), _ = tf.compat.v1.nn.bidirectional_dynamic_rnn(
                tf.compat.v1.nn.rnn_cell.GRUCell(u), tf.compat.v1.nn.rnn_cell.GRUCell(u), tf.constant(x),
                dtype=tf.float32)
        outputs = tf.concat([of, ob], -1)
        cells = [_gru_cell_entry("encoder/bidirectional_rnn/fw/gru_cell", d, u, 0, "fw"),
                 _gru_cell_entry("encoder/bidirectional_rnn/bw/gru_cell", d, u, 0, "bw")]
        values = {cells[0]["variables"][r]: wf[r] for r in TF1_ROLES}
        values.update({cells[1]["variables"][r]: wb[r] for r in TF1_ROLES})
        with _session(graph) as sess:
            _assign(sess, graph, values)
            o = sess.run(outputs)
            _saver_save(graph, sess, folder)
    config = {"format": "tf1-saver-v2", "batch": b, "time": t, "input_dim": d, "units": u,
              "cells": cells, "dense": None, "expected": "outputs"}
    return _write(out, case, config, folder, [("x", x, "float32"), ("outputs", o, "float32")])


def make_tf1_stack_bidi_dense(out):
    """stack_bidirectional_dynamic_rnn's scopes (2 layers), then tf.compat.v1.layers.dense on every step.

    TF 2.21 has no tf.contrib: the contrib function's variable scopes are rebuilt exactly
    (stack_bidirectional_rnn/cell_K/bidirectional_rnn/fw|bw/...), each layer fed the
    previous layer's fw ++ bw outputs, as the contrib code does.
    """
    case = "checkpoints/tf1_stack_bidi_dense"
    rng = np.random.default_rng(seed_for(case))
    b, t, d, u, k = 2, 4, 3, 3, 2
    ws = [(_tf1_w(rng, d, u), _tf1_w(rng, d, u)), (_tf1_w(rng, 2 * u, u), _tf1_w(rng, 2 * u, u))]
    dk, db = _u(rng, (2 * u, k)), _u(rng, (k,))
    x = _u(rng, (b, t, d), 1.0)
    folder = _folder(out, case)
    graph = tf.Graph()
    cells, values = [], {}
    with graph.as_default():
        h = tf.constant(x)
        with tf.compat.v1.variable_scope("stack_bidirectional_rnn"):
            for i, (wf, wb) in enumerate(ws):
                with tf.compat.v1.variable_scope(f"cell_{i}"):
                    (of, ob), _ = tf.compat.v1.nn.bidirectional_dynamic_rnn(
                        tf.compat.v1.nn.rnn_cell.GRUCell(u), tf.compat.v1.nn.rnn_cell.GRUCell(u), h,
                        dtype=tf.float32)
                    h = tf.concat([of, ob], -1)
                din = d if i == 0 else 2 * u
                for direction, w in (("fw", wf), ("bw", wb)):
                    c = _gru_cell_entry(f"stack_bidirectional_rnn/cell_{i}/bidirectional_rnn/{direction}/gru_cell",
                                        din, u, i, direction)
                    cells.append(c)
                    values.update({c["variables"][r]: w[r] for r in TF1_ROLES})
        logits = tf.compat.v1.layers.dense(h, k)
        values.update({"dense/kernel": dk, "dense/bias": db})
        with _session(graph) as sess:
            _assign(sess, graph, values)
            o, lg = sess.run([h, logits])
            _saver_save(graph, sess, folder)
    config = {"format": "tf1-saver-v2", "batch": b, "time": t, "input_dim": d, "units": u, "cells": cells,
              "dense": {"units": k, "activation": None, "kernel": "dense/kernel", "bias": "dense/bias"},
              "expected": "logits"}
    return _write(out, case, config, folder,
                  [("x", x, "float32"), ("outputs", o, "float32"), ("logits", lg, "float32")])


def make_tf1_multi3_sharded(out):
    """MultiRNNCell of 3 GRUCells, variables on two CPU devices, Saver(sharded=True): 2 data shards."""
    case = "checkpoints/tf1_multi3_sharded"
    rng = np.random.default_rng(seed_for(case))
    b, t, d, units = 2, 4, 2, (4, 3, 5)
    ws, din = [], d
    for u in units:
        ws.append(_tf1_w(rng, din, u))
        din = u
    x = _u(rng, (b, t, d), 1.0)
    folder = _folder(out, case)

    def device_getter(getter, name, *args, **kwargs):
        with tf.device("/device:CPU:1" if "cell_1" in name else "/device:CPU:0"):
            return getter(name, *args, **kwargs)

    graph = tf.Graph()
    cells, values = [], {}
    with graph.as_default():
        with tf.compat.v1.variable_scope("rnn", custom_getter=device_getter) as vs:
            cell = tf.compat.v1.nn.rnn_cell.MultiRNNCell([tf.compat.v1.nn.rnn_cell.GRUCell(u) for u in units])
            outputs, _ = tf.compat.v1.nn.dynamic_rnn(cell, tf.constant(x), dtype=tf.float32, scope=vs)
        din = d
        for i, (u, w) in enumerate(zip(units, ws)):
            c = _gru_cell_entry(f"rnn/multi_rnn_cell/cell_{i}/gru_cell", din, u, i, "forward")
            cells.append(c)
            values.update({c["variables"][r]: w[r] for r in TF1_ROLES})
            din = u
        with _session(graph, cpus=2) as sess:
            _assign(sess, graph, values)
            o = sess.run(outputs)
            _saver_save(graph, sess, folder, sharded=True)
    shards = sorted(f for f in os.listdir(folder) if ".data-" in f)
    if len(shards) != 2:
        raise RuntimeError(f"{case}: expected 2 data shards, got {shards}")
    config = {"format": "tf1-saver-v2", "batch": b, "time": t, "input_dim": d, "units": units[-1],
              "cells": cells, "dense": None, "expected": "outputs", "shards": shards}
    return _write(out, case, config, folder, [("x", x, "float32"), ("outputs", o, "float32")])


# -------------------------------------------------------------- contrib cells

def make_tf1_block_cell(out, case, scope, swapped):
    """tf.contrib.rnn.GRBlockCell's variables (w_ru, b_ru, w_c, b_c), computed by tf.raw_ops.GRUBlockCell.

    swapped=True stores the gate kernel under w_c and the candidate kernel under w_ru, as one
    released GRUBlockCell did (the op still received them correctly).
    """
    rng = np.random.default_rng(seed_for(case))
    b, t, d, u = 2, 5, 3, 4
    w = _tf1_w(rng, d, u)
    x = _u(rng, (b, t, d), 1.0)
    folder = _folder(out, case)
    names = {"gates_kernel": f"{scope}/{'w_c' if swapped else 'w_ru'}", "gates_bias": f"{scope}/b_ru",
             "candidate_kernel": f"{scope}/{'w_ru' if swapped else 'w_c'}", "candidate_bias": f"{scope}/b_c"}
    graph = tf.Graph()
    with graph.as_default():
        v = {r: tf.compat.v1.get_variable(names[r], shape=w[r].shape, dtype=tf.float32,
                                          initializer=tf.compat.v1.zeros_initializer()) for r in TF1_ROLES}
        xt = tf.constant(x)
        h = tf.zeros((b, u), tf.float32)
        outs = []
        for s in range(t):
            _, _, _, h = tf.raw_ops.GRUBlockCell(x=xt[:, s], h_prev=h, w_ru=v["gates_kernel"], w_c=v["candidate_kernel"],
                                                 b_ru=v["gates_bias"], b_c=v["candidate_bias"])
            outs.append(h)
        outputs = tf.stack(outs, 1)
        with _session(graph) as sess:
            _assign(sess, graph, {names[r]: w[r] for r in TF1_ROLES})
            o = sess.run(outputs)
            _saver_save(graph, sess, folder)
    config = {"format": "tf1-saver-v2", "batch": b, "time": t, "input_dim": d, "units": u,
              "cells": [_gru_cell_entry(scope, d, u, 0, "forward", "GRUBlockCell", names)], "dense": None,
              "expected": "outputs", "swapped_kernel_names": swapped,
              "computed_by": "tf.raw_ops.GRUBlockCell, one step at a time"}
    return _write(out, case, config, folder, [("x", x, "float32"), ("outputs", o, "float32")])


def make_tf1_cudnn_compatible(out):
    """tf.contrib.cudnn_rnn.CudnnCompatibleGRUCell's variables and equations (reset after), in TF ops."""
    case = "checkpoints/tf1_cudnn_compatible"
    rng = np.random.default_rng(seed_for(case))
    b, t, d, u = 2, 5, 3, 4
    scope = "rnn/cudnn_compatible_gru_cell"
    w = {"gates_kernel": _u(rng, (d + u, 2 * u)), "gates_bias": (1.0 + _u(rng, (2 * u,), 0.2)).astype(F32),
         "input_kernel": _u(rng, (d, u)), "input_bias": _u(rng, (u,)),
         "hidden_kernel": _u(rng, (u, u)), "hidden_bias": _u(rng, (u,))}
    names = {"gates_kernel": f"{scope}/gates/kernel", "gates_bias": f"{scope}/gates/bias",
             "input_kernel": f"{scope}/candidate/input_projection/kernel",
             "input_bias": f"{scope}/candidate/input_projection/bias",
             "hidden_kernel": f"{scope}/candidate/hidden_projection/kernel",
             "hidden_bias": f"{scope}/candidate/hidden_projection/bias"}
    x = _u(rng, (b, t, d), 1.0)
    folder = _folder(out, case)
    graph = tf.Graph()
    with graph.as_default():
        v = {r: tf.compat.v1.get_variable(names[r], shape=w[r].shape, dtype=tf.float32,
                                          initializer=tf.compat.v1.zeros_initializer()) for r in names}
        xt = tf.constant(x)
        h = tf.zeros((b, u), tf.float32)
        outs = []
        for s in range(t):  # CudnnCompatibleGRUCell.call
            xs = xt[:, s]
            value = tf.sigmoid(tf.nn.bias_add(tf.matmul(tf.concat([xs, h], 1), v["gates_kernel"]), v["gates_bias"]))
            r, z = tf.split(value, 2, axis=1)
            c = tf.nn.bias_add(tf.matmul(xs, v["input_kernel"]), v["input_bias"])
            c += r * tf.nn.bias_add(tf.matmul(h, v["hidden_kernel"]), v["hidden_bias"])
            c = tf.tanh(c)
            h = (1 - z) * c + z * h
            outs.append(h)
        outputs = tf.stack(outs, 1)
        with _session(graph) as sess:
            _assign(sess, graph, {names[r]: w[r] for r in names})
            o = sess.run(outputs)
            _saver_save(graph, sess, folder)
    config = {"format": "tf1-saver-v2", "batch": b, "time": t, "input_dim": d, "units": u,
              "cells": [{"type": "CudnnCompatibleGRUCell", "scope": scope, "layer": 0, "direction": "forward",
                         "units": u, "input_dim": d, "variables": names}],
              "dense": None, "expected": "outputs",
              "computed_by": "CudnnCompatibleGRUCell.call's equations in TF ops"}
    return _write(out, case, config, folder, [("x", x, "float32"), ("outputs", o, "float32")])


# ------------------------------------------------------ optimizer and dtypes

def make_tf1_adam_dtypes(out):
    """GRUCell + dense after one AdamOptimizer step (slots, beta powers, global_step), plus
    variables of every dtype the reader supports (values recorded in config.extras)."""
    case = "checkpoints/tf1_adam_dtypes"
    rng = np.random.default_rng(seed_for(case))
    b, t, d, u, k = 2, 4, 3, 4, 2
    w = _tf1_w(rng, d, u)
    dk, db = _u(rng, (u, k)), _u(rng, (k,))
    x = _u(rng, (b, t, d), 1.0)
    target = _u(rng, (b, t, k), 1.0)
    extras = {
        "extras/f64": (np.float64, rng.uniform(-2, 2, size=(2, 3))),
        "extras/f16": (np.float16, rng.uniform(-2, 2, size=(5,))),
        "extras/bf16": (tf.bfloat16.as_numpy_dtype, rng.uniform(-2, 2, size=(2, 2))),
        "extras/i8": (np.int8, rng.integers(-128, 128, size=(4,))),
        "extras/i16": (np.int16, rng.integers(-30000, 30000, size=(3,))),
        "extras/i32": (np.int32, rng.integers(-2 ** 31, 2 ** 31 - 1, size=(3,))),
        "extras/i64": (np.int64, np.array([-(2 ** 40) - 3, 7, 2 ** 50 + 1])),
        "extras/u8": (np.uint8, rng.integers(0, 256, size=(2, 2))),
        "extras/u16": (np.uint16, rng.integers(0, 65536, size=(3,))),
        "extras/flag": (np.bool_, np.array([True, False, True])),
        "extras/scalar": (np.float32, np.float32(rng.uniform(-1, 1))),
        "extras/words": (object, np.array([b"gru", b"", "\u00e9t\u00e9".encode("utf-8")], dtype=object)),
    }
    folder = _folder(out, case)
    graph = tf.Graph()
    with graph.as_default():
        outputs, _ = tf.compat.v1.nn.dynamic_rnn(tf.compat.v1.nn.rnn_cell.GRUCell(u), tf.constant(x),
                                                 dtype=tf.float32)
        logits = tf.compat.v1.layers.dense(outputs, k)
        loss = tf.reduce_mean(tf.square(logits - tf.constant(target)))
        step = tf.compat.v1.train.get_or_create_global_step()
        train = tf.compat.v1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
        ex_vars = {}
        for n, (dt, val) in extras.items():
            tfdt = tf.string if dt is object else tf.as_dtype(dt)
            ex_vars[n] = tf.compat.v1.get_variable(n, shape=np.shape(val), dtype=tfdt, trainable=False,
                                                   initializer=tf.compat.v1.zeros_initializer())
        cell = _gru_cell_entry("rnn/gru_cell", d, u, 0, "forward")
        with _session(graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            with graph.as_default():
                var = {v.name[:-2]: v for v in tf.compat.v1.global_variables()}
            for r in TF1_ROLES:
                var[cell["variables"][r]].load(w[r], sess)
            var["dense/kernel"].load(dk, sess)
            var["dense/bias"].load(db, sess)
            for n, (dt, val) in extras.items():
                ex_vars[n].load(np.asarray(val).astype(dt) if dt is not object else val, sess)
            sess.run(train)
            o, lg = sess.run([outputs, logits])
            _saver_save(graph, sess, folder)
            slots = sorted(n for n in var if "Adam" in n or n.endswith("_power"))
    ex_config = {}
    reader = tf.train.load_checkpoint(os.path.join(folder, CKPT_PREFIX))
    for n in extras:
        val = reader.get_tensor(n)
        dtn = reader.get_variable_to_dtype_map()[n].name
        if dtn == "string":
            values = [bytes(s).decode("utf-8") for s in np.asarray(val).reshape(-1)]
        elif dtn == "bool":
            values = [bool(s) for s in np.asarray(val).reshape(-1)]
        elif dtn.startswith(("int", "uint")):
            values = [int(s) for s in np.asarray(val).reshape(-1)]
        else:
            values = [float(s) for s in np.asarray(val, dtype=np.float64).reshape(-1)]
        ex_config[n] = {"dtype": dtn, "shape": list(np.shape(val)), "values": values}
    config = {"format": "tf1-saver-v2", "batch": b, "time": t, "input_dim": d, "units": u, "cells": [cell],
              "dense": {"units": k, "activation": None, "kernel": "dense/kernel", "bias": "dense/bias"},
              "expected": "logits", "optimizer": "AdamOptimizer(0.01), one step", "optimizer_variables": slots,
              "extras": ex_config}
    return _write(out, case, config, folder,
                  [("x", x, "float32"), ("outputs", o, "float32"), ("logits", lg, "float32")])


# --------------------------------------------------- TF2 Keras Bidirectional

def make_keras_bidi_adam(out):
    """tf-keras Sequential: Bidirectional(GRU(reset_after=True, return_sequences)) -> Dense, one Adam
    step, written by tf.train.Checkpoint(model=..., optimizer=...) (slot variables included)."""
    case = "checkpoints/keras_bidi_adam"
    rng = np.random.default_rng(seed_for(case))
    b, t, d, u, k = 2, 5, 3, 4, 2
    x = _u(rng, (b, t, d), 1.0)
    target = _u(rng, (b, t, k), 1.0)
    folder = _folder(out, case)
    model = tf_keras.Sequential([
        tf_keras.Input(shape=(t, d)),
        tf_keras.layers.Bidirectional(tf_keras.layers.GRU(u, reset_after=True, return_sequences=True),
                                      merge_mode="concat", name="bidi"),
        tf_keras.layers.Dense(k, name="dense")])
    bidi = model.get_layer("bidi")
    values = {}
    for lname, layer in (("forward", bidi.forward_layer), ("backward", bidi.backward_layer)):
        ws = [_u(rng, (d, 3 * u)), _u(rng, (u, 3 * u)), _u(rng, (2, 3 * u))]
        layer.set_weights(ws)
        values.update({f"{lname}/{n}": v for n, v in zip(("kernel", "recurrent_kernel", "bias"), ws)})
    dws = [_u(rng, (2 * u, k)), _u(rng, (k,))]
    model.get_layer("dense").set_weights(dws)
    opt = tf_keras.optimizers.legacy.Adam(0.01)  # slots under .OPTIMIZER_SLOT
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(tf.constant(x)) - target))
    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    lg = model(tf.constant(x)).numpy()
    seq = tf_keras.Model(model.inputs, bidi.output)(tf.constant(x)).numpy()
    tf.train.Checkpoint(model=model, optimizer=opt).write(os.path.join(folder, CKPT_PREFIX))
    ckvars = _list_vars(folder)
    reader = tf.train.load_checkpoint(os.path.join(folder, CKPT_PREFIX))
    now = {f"{ln}/{n}": w.numpy() for ln, layer in (("forward", bidi.forward_layer), ("backward", bidi.backward_layer))
           for n, w in zip(("kernel", "recurrent_kernel", "bias"), layer.weights)}
    now["dense/kernel"], now["dense/bias"] = [w.numpy() for w in model.get_layer("dense").weights]
    keys = {}
    for role, value in now.items():
        hits = [v["name"] for v in ckvars if v["name"].endswith("VARIABLE_VALUE") and "OPTIMIZER_SLOT" not in v["name"]
                and list(value.shape) == v["shape"] and np.array_equal(reader.get_tensor(v["name"]), value)]
        if len(hits) != 1:
            raise RuntimeError(f"{case}: cannot identify checkpoint key of {role}: {hits}")
        keys[role] = hits[0]
    cells = [{"type": "keras.GRU", "reset_after": True, "layer": 0, "direction": dn, "units": u, "input_dim": d,
              "variables": {n: keys[f"{ln}/{n}"] for n in ("kernel", "recurrent_kernel", "bias")}}
             for ln, dn in (("forward", "fw"), ("backward", "bw"))]
    config = {"format": "tf2-object-checkpoint", "written_by": "tf.train.Checkpoint(model=m, optimizer=adam).write",
              "batch": b, "time": t, "input_dim": d, "units": u, "cells": cells,
              "dense": {"units": k, "activation": None, "kernel": keys["dense/kernel"], "bias": keys["dense/bias"]},
              "expected": "logits", "optimizer": "tf_keras.optimizers.legacy.Adam(0.01), one step"}
    return _write(out, case, config, folder,
                  [("x", x, "float32"), ("outputs", seq, "float32"), ("logits", lg, "float32")])


def make_tf1_partitioned(out):
    """A GRUCell next to a variable partitioned into 2 slices (fixed_size_partitioner): the
    bundle holds the full variable's entry with `slices` plus one entry per slice."""
    case = "checkpoints/tf1_partitioned"
    rng = np.random.default_rng(seed_for(case))
    b, t, d, u = 2, 3, 2, 3
    w = _tf1_w(rng, d, u)
    emb = _u(rng, (6, 2))
    x = _u(rng, (b, t, d), 1.0)
    folder = _folder(out, case)
    graph = tf.Graph()
    with graph.as_default():
        pv = tf.compat.v1.get_variable("embedding", shape=(6, 2), dtype=tf.float32,
                                       initializer=tf.compat.v1.zeros_initializer(),
                                       partitioner=tf.compat.v1.fixed_size_partitioner(2))
        outputs, _ = tf.compat.v1.nn.dynamic_rnn(tf.compat.v1.nn.rnn_cell.GRUCell(u), tf.constant(x), dtype=tf.float32)
        cell = _gru_cell_entry("rnn/gru_cell", d, u, 0, "forward")
        with _session(graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            with graph.as_default():
                var = {v.name[:-2]: v for v in tf.compat.v1.global_variables()}
            for r in TF1_ROLES:
                var[cell["variables"][r]].load(w[r], sess)
            parts = list(pv)
            parts[0].load(emb[:3], sess)
            parts[1].load(emb[3:], sess)
            o = sess.run(outputs)
            _saver_save(graph, sess, folder)
    config = {"format": "tf1-saver-v2", "batch": b, "time": t, "input_dim": d, "units": u, "cells": [cell],
              "dense": None, "expected": "outputs", "partitioned": {"embedding": {"shape": [6, 2], "slices": 2}}}
    return _write(out, case, config, folder, [("x", x, "float32"), ("outputs", o, "float32")])


def make_more_checkpoints(out):
    return [
        make_tf1_bidi(out),
        make_tf1_stack_bidi_dense(out),
        make_tf1_multi3_sharded(out),
        make_tf1_block_cell(out, "checkpoints/tf1_block_cell", "rnn/gru_cell", swapped=False),
        make_tf1_block_cell(out, "checkpoints/tf1_block_cell_swapped", "encoder/rnn/GRUBlockCell", swapped=True),
        make_tf1_cudnn_compatible(out),
        make_tf1_adam_dtypes(out),
        make_keras_bidi_adam(out),
        make_tf1_partitioned(out),
    ]


def write_variable_values(out, case):
    """``<case>/variables.json``: every variable of the case's checkpoint as TensorFlow reads it
    (tf.train.load_checkpoint): dtype, shape and the values in C order — floats as JSON numbers
    (exact for float16/bfloat16/float32), integers exactly, strings as base64 of their bytes."""
    import base64
    import json
    folder = os.path.join(out, *case.split("/"))
    reader = tf.train.load_checkpoint(os.path.join(folder, CKPT_PREFIX))
    dtypes = reader.get_variable_to_dtype_map()
    result = {}
    for name in sorted(reader.get_variable_to_shape_map()):
        val = np.asarray(reader.get_tensor(name))
        dt = dtypes[name].name
        flat = val.reshape(-1)
        if dt == "string":
            values = [base64.b64encode(bytes(s)).decode("ascii") for s in flat]
        elif dt == "bool":
            values = [bool(s) for s in flat]
        elif dt.startswith(("int", "uint")):
            values = [int(s) for s in flat]
        else:
            values = [float(s) for s in flat.astype(np.float64)]
        result[name] = {"dtype": dt, "shape": list(val.shape), "values": values}
    with open(os.path.join(folder, "variables.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
