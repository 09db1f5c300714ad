"""Keras model files (issue 10): `.keras` and legacy `.h5` written by tf-keras 2.21 and by
Keras 3, and a CuDNNGRU-layout `.h5`, each with the framework's own outputs for a fixed input.

make_fixtures.py calls ``make_keras_files(out)`` (tf-keras, in its process, where
TF_USE_LEGACY_KERAS=1) which runs this file again as ``--keras3`` in a subprocess with
TF_USE_LEGACY_KERAS unset, so that ``import keras`` is Keras 3. Every case is
``keras_files/<name>/`` holding the model file, ``case.json`` (kind "keras_file":
``config.file`` the model file, ``config.framework``, ``config.expected`` the output
tensor) and ``x.npy`` / ``y.npy``: the input and the framework's ``model.predict``.

Weights are drawn from numpy.random.default_rng(crc32(case name)), never from the
framework's initializers. The files are made byte-reproducible: the `.keras` zip is
rewritten (each entry with its own compression) with a fixed timestamp, its metadata.json's ``date_saved`` fixed and config.json's
``shared_object_id`` values (Python id()s) numbered 1.. in order (nothing else is changed); HDF5 files are written by h5py without timestamps.
"""
import json
import os
import re
import subprocess
import sys
import zipfile

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import padded_tokens, padded_uniform, save_npy, seed_for, write_json  # noqa: E402

F32 = np.float32
GROUP = "keras_files"


def _folder(out, name):
    folder = os.path.join(out, GROUP, name)
    os.makedirs(folder, exist_ok=True)
    return folder


def _set_random_weights(model, rng, lim=0.5):
    for layer in model.layers:
        ws = layer.get_weights()
        if ws:
            layer.set_weights([rng.uniform(-lim, lim, size=w.shape).astype(w.dtype) for w in ws])


def _renumber_shared_ids(text):
    """shared_object_id values are Python id()s (they only pair up shared objects): number them 1.. instead."""
    ids = {}

    def repl(m):
        return f'"shared_object_id": {ids.setdefault(m.group(1), len(ids) + 1)}'
    return re.sub(r'"shared_object_id": (\d+)', repl, text)


def _fix_keras_zip(path):
    """Rewrites a .keras zip with fixed entry times and a fixed metadata date (reproducible bytes)."""
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, i.compress_type, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for name, compress_type, data in entries:
            if name == "config.json":
                data = _renumber_shared_ids(data.decode("utf-8")).encode("utf-8")
            if name == "metadata.json":
                meta = json.loads(data)
                if "date_saved" in meta:
                    meta["date_saved"] = "2026-01-01@00:00:00"
                data = json.dumps(meta).encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = compress_type  # as Keras wrote it
            z.writestr(info, data)


def _write(out, name, framework, fname, x, y, extra=None, more=None):
    folder = _folder(out, name)
    config = {"file": fname, "framework": framework, "expected": "y", **(extra or {})}
    tensors = {}
    for tname, arr in [("x", x), ("y", y)] + list((more or {}).items()):
        dtype = "int32" if arr.dtype.kind == "i" else "float32"
        save_npy(os.path.join(folder, f"{tname}.npy"), arr, dtype)
        tensors[tname] = {"file": f"{tname}.npy", "shape": [int(d) for d in arr.shape], "dtype": dtype}
    write_json(os.path.join(folder, "case.json"),
               {"name": f"{GROUP}/{name}", "kind": "keras_file", "config": config, "tensors": tensors})
    return f"{GROUP}/{name}"


def _models(keras, L, cudnn_gru=None):
    """(name, builder, input maker) for both frameworks: the same architectures."""
    inp = keras.Input
    return [
        ("gru_ra1_seq", lambda: keras.Sequential([inp((None, 3)), L.GRU(4, return_sequences=True)]),
         lambda rng: rng.uniform(-1, 1, size=(2, 5, 3)).astype(F32)),
        ("gru_ra0_dense", lambda: keras.Sequential([inp((None, 3)), L.GRU(4, reset_after=False, return_sequences=True),
                                                    L.Dense(2)]),
         lambda rng: rng.uniform(-1, 1, size=(2, 5, 3)).astype(F32)),
        ("bidi_gru", lambda: keras.Sequential([inp((None, 3)), L.Bidirectional(L.GRU(3, return_sequences=True))]),
         lambda rng: rng.uniform(-1, 1, size=(2, 5, 3)).astype(F32)),
        ("stack_gru_dense", lambda: keras.Sequential([inp((None, 2)), L.GRU(5, return_sequences=True),
                                                      L.Dropout(0.3), L.GRU(3, return_sequences=True),
                                                      L.Dense(4, activation="tanh")]),
         lambda rng: rng.uniform(-1, 1, size=(2, 6, 2)).astype(F32)),
        ("masking_gru_dense", lambda: keras.Sequential([inp((None, 3)), L.Masking(0.0), L.GRU(4),
                                                        L.Dense(2, activation="softmax")]),
         lambda rng: padded_uniform(rng, 3, 6, 3, [6, 3, 1])),
        ("embedding_gru_dense", lambda: _functional_embedding(keras, L),
         lambda rng: padded_tokens(rng, 3, 7, 11, [7, 4, 2])),
        ("masking_bidi_last", lambda: keras.Sequential([inp((None, 3)), L.Masking(0.0),
                                                        L.Bidirectional(L.GRU(3), merge_mode="sum"), L.Dense(2)]),
         lambda rng: padded_uniform(rng, 3, 5, 3, [5, 2, 4])),
        ("masking_bidi_seq", lambda: keras.Sequential([inp((None, 3)), L.Masking(0.0),
                                                       L.Bidirectional(L.GRU(3, return_sequences=True)), L.Dense(2)]),
         lambda rng: padded_uniform(rng, 2, 5, 3, [5, 3])),
        ("hard_sigmoid_gru", lambda: keras.Sequential([inp((None, 3)), L.GRU(4, recurrent_activation="hard_sigmoid",
                                                                            return_sequences=True)]),
         lambda rng: rng.uniform(-3, 3, size=(2, 5, 3)).astype(F32)),
        ("conv_gru", lambda: keras.Sequential([inp((None, 3)), L.Conv1D(4, 2, padding="same"),
                                               L.GRU(3, return_sequences=True), L.Dense(2)]),
         lambda rng: rng.uniform(-1, 1, size=(2, 5, 3)).astype(F32)),
    ]


def _functional_embedding(keras, L):
    x = keras.Input((None,), dtype="int32")
    h = L.Embedding(11, 4, mask_zero=True)(x)
    h = L.GRU(5)(h)
    y = L.Dense(3)(h)
    return keras.Model(x, y)


def _save_both(out, framework, name, model, x, extra=None):
    """One case per file kind: `<name>_keras` (.keras zip) and `<name>_h5` (legacy .h5)."""
    y = np.asarray(model.predict(x, verbose=0), dtype=F32)
    more = None
    if name == "conv_gru":  # the GRU stack's own input (what a stack-only conversion takes)
        more = {"stack_x": np.asarray(model.layers[0](x), dtype=F32)}
    cases = []
    folder = _folder(out, f"{framework}/{name}_keras")
    model.save(os.path.join(folder, "model.keras"))
    _fix_keras_zip(os.path.join(folder, "model.keras"))
    cases.append(_write(out, f"{framework}/{name}_keras", framework, "model.keras", x, y, extra, more))
    folder = _folder(out, f"{framework}/{name}_h5")
    model.save(os.path.join(folder, "model.h5"))
    cases.append(_write(out, f"{framework}/{name}_h5", framework, "model.h5", x, y, extra, more))
    return cases


def _keras3_weights_h5(out, keras, L):
    """A Keras 3 `.weights.h5` with its architecture beside it (model.to_json()), as users save them."""
    name = "keras3/gru_ra1_dense_weights"
    rng = np.random.default_rng(seed_for(name))
    model = keras.Sequential([keras.Input((None, 3)), L.GRU(4, return_sequences=True), L.Dense(2)])
    _set_random_weights(model, rng)
    x = rng.uniform(-1, 1, size=(2, 5, 3)).astype(F32)
    y = np.asarray(model.predict(x, verbose=0), dtype=F32)
    folder = _folder(out, "keras3/gru_ra1_dense_weights")
    model.save_weights(os.path.join(folder, "model.weights.h5"))
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
        f.write(model.to_json())
    return [_write(out, name, "keras3", "model.weights.h5", x, y, {"config_file": "config.json"})]


def make_keras3(out):
    import keras
    L = keras.layers
    keras.utils.set_random_seed(0)
    cases = []
    for name, build, make_x in _models(keras, L):
        rng = np.random.default_rng(seed_for(f"keras3/{name}"))
        model = build()
        _set_random_weights(model, rng)
        cases += _save_both(out, "keras3", name, model, make_x(rng))
    cases += _keras3_weights_h5(out, keras, L)
    return cases, keras.__version__


def _cudnn_gru_case(out, tf_keras):
    """A CuDNNGRU-layout .h5 (tf.compat.v1.keras CuDNNGRU builds and saves on CPU; it cannot run there):
    its weights loaded by tf-keras's own loader into GRU(reset_after=True) (hdf5_format._convert_rnn_weights),
    whose outputs are the reference."""
    from tf_keras.src.layers.rnn.cudnn_gru import CuDNNGRU
    name = "tf_keras/cudnn_gru_h5"
    rng = np.random.default_rng(seed_for(name))
    L = tf_keras.layers
    cu = tf_keras.Sequential([tf_keras.Input((None, 3)), CuDNNGRU(4, return_sequences=True), L.Dense(2)])
    _set_random_weights(cu, rng)
    folder = _folder(out, "tf_keras/cudnn_gru_h5")
    cu.save(os.path.join(folder, "model.h5"))
    twin = tf_keras.Sequential([tf_keras.Input((None, 3)),
                                L.GRU(4, reset_after=True, return_sequences=True, name="cu_dnngru"),
                                L.Dense(2, name=cu.layers[1].name)])
    twin.load_weights(os.path.join(folder, "model.h5"))  # applies _convert_rnn_weights
    x = rng.uniform(-1, 1, size=(2, 5, 3)).astype(F32)
    y = np.asarray(twin.predict(x, verbose=0), dtype=F32)
    k, rk, b = twin.layers[0].get_weights()  # what tf-keras's loader made of the CuDNNGRU weights
    return _write(out, "tf_keras/cudnn_gru_h5", "tf_keras", "model.h5", x, y,
                  {"reference": "tf_keras GRU(reset_after=True) loaded from the file by tf_keras's load_weights"},
                  {"gru_kernel": k, "gru_recurrent_kernel": rk, "gru_bias": b})


def make_keras_files(out):
    """Writes fixtures/keras_files/ (tf-keras here, Keras 3 in a subprocess); returns (cases, versions)."""
    import tf_keras
    tf_keras.backend.clear_session()  # layer names (gru_3, …) counted from 0, whatever ran before in this process
    tf_keras.utils.set_random_seed(0)
    L = tf_keras.layers
    cases = []
    for name, build, make_x in _models(tf_keras, L):
        rng = np.random.default_rng(seed_for(f"tf_keras/{name}"))
        model = build()
        _set_random_weights(model, rng)
        cases += _save_both(out, "tf_keras", name, model, make_x(rng))
    cases.append(_cudnn_gru_case(out, tf_keras))
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    res = subprocess.run([sys.executable, os.path.abspath(__file__), "--keras3", "--out", out], env=env,
                         check=True, stdout=subprocess.PIPE, text=True)
    info = json.loads(res.stdout.strip().splitlines()[-1])
    return cases + info["cases"], {"keras": info["keras"]}


if __name__ == "__main__":
    if "--keras3" not in sys.argv:
        sys.exit("usage: make_keras_file_fixtures.py --keras3 --out DIR (make_fixtures.py calls make_keras_files)")
    os.environ.pop("TF_USE_LEGACY_KERAS", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    out_dir = sys.argv[sys.argv.index("--out") + 1]
    keras3_cases, version = make_keras3(out_dir)
    print(json.dumps({"cases": keras3_cases, "keras": version}))
