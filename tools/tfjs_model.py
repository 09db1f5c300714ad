"""A tf-keras model with a reset_after=True GRU, converted by the real tensorflowjs
converter (PyPI tensorflowjs, installed with --no-deps by tools/venv.sh), into
``<out>/tfjs_model/keras_reset_after/`` (model.json + weight shard) with case.json
holding x and Keras's own output on x.

tensorflowjs's package __init__ imports every converter, and with them
tensorflow_decision_forests, tensorflow_hub and jax, which the Keras-layers path
never uses (and which would pull in conflicting versions of TensorFlow). When they
are missing they are replaced by empty placeholder modules before the import, so
the code that converts is the converter's own. If tensorflowjs itself cannot be
imported, the model.json is written in the converter's format from
``model.to_json()`` and the case says ``"produced_by": "keras-to_json"``.
"""
import importlib.util
import json
import os
import sys
import types

import numpy as np
import tensorflow as tf
import tf_keras

from fixture_io import seed_for, write_case, write_json

_UNUSED = ["tensorflow_decision_forests", "tensorflow_hub", "jax", "jax.experimental", "jax.experimental.jax2tf"]


def _import_tensorflowjs():
    if importlib.util.find_spec("tensorflowjs") is None:
        return None
    for name in _UNUSED:
        try:
            missing = importlib.util.find_spec(name) is None
        except (ImportError, ValueError):
            missing = True
        if missing and name not in sys.modules:
            sys.modules[name] = types.ModuleType(name)
    if isinstance(sys.modules.get("jax.experimental"), types.ModuleType) and "jax.experimental.jax2tf" in sys.modules:
        sys.modules["jax.experimental"].jax2tf = sys.modules["jax.experimental.jax2tf"]
    import tensorflowjs  # noqa: E402
    return tensorflowjs


def _fallback_save(model, folder):
    """The converter's layers-model format, written by hand from model.to_json()."""
    weights = []
    data = b""
    for layer in model.layers:
        for w in layer.weights:
            # the converter names weights <layer name>/<weight path under the layer>
            name = w.name[:-2] if w.name.endswith(":0") else w.name
            weights.append({"name": name, "shape": list(w.shape), "dtype": "float32"})
            data += np.ascontiguousarray(w.numpy().astype("<f4")).tobytes()
    with open(os.path.join(folder, "group1-shard1of1.bin"), "wb") as f:
        f.write(data)
    write_json(os.path.join(folder, "model.json"), {
        "format": "layers-model", "generatedBy": f"keras v{tf_keras.__version__}", "convertedBy": None,
        "modelTopology": json.loads(model.to_json()),
        "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": weights}]})


def make_tfjs_keras_reset_after(out):
    case = "tfjs_model/keras_reset_after"
    rng = np.random.default_rng(seed_for(case))
    b, t, d, u = 2, 5, 3, 4
    kernel = rng.uniform(-0.5, 0.5, (d, 3 * u)).astype(np.float32)
    rk = rng.uniform(-0.5, 0.5, (u, 3 * u)).astype(np.float32)
    bias = rng.uniform(-0.5, 0.5, (2, 3 * u)).astype(np.float32)
    x = rng.uniform(-1.0, 1.0, (b, t, d)).astype(np.float32)
    tf_keras.backend.clear_session()
    inp = tf_keras.Input(shape=(t, d), name="x")
    seq = tf_keras.layers.GRU(u, reset_after=True, return_sequences=True, name="gru")(inp)
    model = tf_keras.Model(inp, seq, name="keras_reset_after")
    model.get_layer("gru").set_weights([kernel, rk, bias])
    output = model(tf.constant(x)).numpy()
    folder = os.path.join(out, *case.split("/"))
    os.makedirs(folder, exist_ok=True)
    tfjs = _import_tensorflowjs()
    if tfjs is not None:
        tfjs.converters.save_keras_model(model, folder)
        produced_by, version = "tensorflowjs-converter", tfjs.__version__
        # the converter writes compact JSON; re-indent it (same content) for readable diffs
        path = os.path.join(folder, "model.json")
        with open(path, encoding="utf-8") as f:
            model_json = json.load(f)
        write_json(path, model_json)
    else:
        _fallback_save(model, folder)
        produced_by, version = "keras-to_json", None
    with open(os.path.join(folder, "model.json"), encoding="utf-8") as f:
        manifest = json.load(f)["weightsManifest"]
    config = {"produced_by": produced_by, "tensorflowjs": version, "model_json": "model.json",
              "batch": b, "time": t, "input_dim": d, "units": u, "reset_after": True, "go_backwards": False,
              "return_sequences": True, "activation": "tanh", "recurrent_activation": "sigmoid",
              "weights": [w["name"] for group in manifest for w in group["weights"]]}
    write_case(out, case, "tfjs_model", config,
               [("x", x, "float32"), ("kernel", kernel, "float32"), ("recurrent_kernel", rk, "float32"),
                ("bias", bias, "float32"), ("output", output, "float32")])
    return [case], version
