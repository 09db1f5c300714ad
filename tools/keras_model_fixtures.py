"""Whole Keras models (issue 18): one small model per layer family that tfjs-layers implements,
Sequential and Functional (several inputs and outputs, merges, shared layers, a nested model),
masked cases, written by tf-keras 2.21 (legacy ``.h5``) and by Keras 3 (``.keras``), each with
the framework's own outputs on seeded inputs; plus models the converter must refuse (a Lambda,
a custom layer).

make_fixtures.py calls ``make_keras_models(out)`` (tf-keras, in its process, where
TF_USE_LEGACY_KERAS=1); this file runs itself again as ``--keras3`` with TF_USE_LEGACY_KERAS
unset for the Keras 3 models. Every case is ``keras_models/<framework>/<name>/`` holding the
model file, ``case.json`` (kind "keras_model": ``config.file``, ``config.framework``,
``config.inputs`` / ``config.outputs`` the tensor names in the model's order, ``config.refused``
for the refusal cases) and one ``.npy`` per input (``x0``, ``x1``, …) and per output (``y0``, …):
``model.predict`` on the inputs.

Weights are drawn from numpy.random.default_rng(crc32(case name)), never from the framework's
initializers (variances of BatchNormalization from [0.5, 1.5]). Files are byte-reproducible as in
make_keras_file_fixtures.py (fixed zip times and metadata date, shared_object_id renumbered).
"""
import json
import os
import subprocess
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import padded_tokens, padded_uniform, save_npy, seed_for, write_json  # noqa: E402
from make_keras_file_fixtures import _fix_keras_zip  # noqa: E402

F32 = np.float32
GROUP = "keras_models"


def _set_weights(model, rng):
    for w in model.weights:
        name = getattr(w, "path", None) or w.name
        shape = tuple(w.shape)
        if "seed_generator" in name or "float" not in str(getattr(w.dtype, "name", w.dtype)):
            continue
        if "variance" in name:
            value = rng.uniform(0.5, 1.5, size=shape)
        else:
            value = rng.uniform(-0.5, 0.5, size=shape)
        w.assign(value.astype(F32))


def _u(rng, *shape, lim=1.0):
    return rng.uniform(-lim, lim, size=shape).astype(F32)


# ------------------------------------------------------------------ models

def m_conv_bn_gru_ln_bidi(k, L, v3):
    """issue 18's first model: Conv1D (causal) + BatchNormalization + GRU + LayerNormalization + Bidirectional GRU + softmax."""
    model = k.Sequential([k.Input((None, 3)), L.Conv1D(4, 3, padding="causal", activation="relu"),
                          L.BatchNormalization(), L.GRU(5, return_sequences=True), L.LayerNormalization(),
                          L.Bidirectional(L.GRU(3, reset_after=False, return_sequences=True)),
                          L.Dense(3, activation="softmax")])
    return model, lambda rng: [_u(rng, 2, 6, 3)]


def m_conv_lstm_gru(k, L, v3):
    """The README's model: Conv1D front end, LSTM, GRU (reset_after, Keras's default), Dense head."""
    model = k.Sequential([k.Input((None, 3)), L.Conv1D(8, 3, padding="same", activation="relu"),
                          L.LSTM(6, return_sequences=True), L.GRU(5), L.Dense(2, activation="softmax")])
    return model, lambda rng: [_u(rng, 2, 7, 3)]


def m_two_input_residual(k, L, v3):
    """issue 18's second: two inputs, a residual Add, GlobalAveragePooling1D, Concatenate, two outputs."""
    a = k.Input((5, 3), name="seq")
    b = k.Input((4,), name="side")
    h = L.Conv1D(3, 1)(a)
    h = L.Add()([h, a])
    g = L.GlobalAveragePooling1D()(h)
    c = L.Concatenate()([g, L.Dense(3, activation="tanh")(b)])
    y1 = L.Dense(2, name="head")(c)
    y2 = L.GRU(2, name="seq_gru")(h)
    return k.Model([a, b], [y1, y2]), lambda rng: [_u(rng, 2, 5, 3), _u(rng, 2, 4)]


def m_embedding_lstm_gru(k, L, v3):
    """issue 18's third: Embedding(mask_zero) + LSTM + GRU, padded token ids."""
    model = k.Sequential([k.Input((None,), dtype="int32"), L.Embedding(12, 4, mask_zero=True),
                          L.LSTM(5, return_sequences=True), L.GRU(3), L.Dense(2)])
    return model, lambda rng: [padded_tokens(rng, 3, 6, 12, [6, 4, 2])]


def m_conv_pool_gru_td_flatten(k, L, v3):
    """issue 18's fourth: Conv1D, MaxPooling1D, GRU, TimeDistributed(Dense), Flatten."""
    model = k.Sequential([k.Input((8, 3)), L.Conv1D(4, 3), L.MaxPooling1D(2), L.GRU(3, return_sequences=True),
                          L.TimeDistributed(L.Dense(2)), L.Flatten(), L.Dense(2)])
    return model, lambda rng: [_u(rng, 2, 8, 3)]


def m_functional_embedding_masked(k, L, v3):
    """Functional Embedding(mask_zero) → Bidirectional(GRU, sequences: zeros at masked steps) → LSTM (masks between them)."""
    x = k.Input((None,), dtype="int32")
    h = L.Embedding(10, 3, mask_zero=True)(x)
    h = L.Bidirectional(L.GRU(2, reset_after=False, return_sequences=True))(h)
    h = L.LSTM(3)(h)
    return k.Model(x, L.Dense(2)(h)), lambda rng: [padded_tokens(rng, 3, 5, 10, [5, 3, 1])]


def m_functional_masking_merge(k, L, v3):
    """Functional Masking → LSTM (sequences) → Concatenate with a Dense branch (the mask through a merge) → GRU
    with dropout (Keras 3 keeps seed generator states beside the weights) → Dense."""
    x = k.Input((None, 3))
    m = L.Masking(0.0)(x)
    h = L.LSTM(4, return_sequences=True)(m)
    h = L.Concatenate()([h, L.Dense(4)(h)])
    h = L.GRU(3, dropout=0.2, recurrent_dropout=0.1)(h)
    return k.Model(x, L.Dense(2)(h)), lambda rng: [padded_uniform(rng, 3, 6, 3, [6, 4, 1])]


def m_masking_td_rnns(k, L, v3):
    """Masking → TimeDistributed(Dense) → SimpleRNN (sequences) → Bidirectional(GRU) (masked steps)."""
    model = k.Sequential([k.Input((None, 3)), L.Masking(0.0), L.TimeDistributed(L.Dense(4, activation="relu")),
                          L.SimpleRNN(3, return_sequences=True), L.Bidirectional(L.GRU(2), merge_mode="ave"),
                          L.Dense(2)])
    return model, lambda rng: [padded_uniform(rng, 3, 5, 3, [5, 3, 2])]


def m_bidi_lstm_simplernn(k, L, v3):
    """Bidirectional around an LSTM (sequences, sum) and a SimpleRNN (last step, concat), unmasked."""
    model = k.Sequential([k.Input((None, 3)), L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="sum"),
                          L.Bidirectional(L.SimpleRNN(2)), L.Dense(2)])
    return model, lambda rng: [_u(rng, 2, 5, 3)]


def m_conv2d_family(k, L, v3):
    """Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, 2D pooling, padding, cropping, upsampling."""
    model = k.Sequential([k.Input((6, 6, 2)), L.Conv2D(3, 3, padding="same", activation="relu"),
                          L.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), L.SeparableConv2D(4, 3),
                          L.MaxPooling2D(2), L.Conv2DTranspose(2, 2, strides=2), L.ZeroPadding2D(1),
                          L.Cropping2D(((1, 0), (0, 1))), L.UpSampling2D(2), L.AveragePooling2D(2),
                          L.GlobalMaxPooling2D(), L.Dense(2)])
    return model, lambda rng: [_u(rng, 2, 6, 6, 2)]


def m_conv3d_family(k, L, v3):
    """Conv3D, MaxPooling3D, Conv3DTranspose, AveragePooling3D."""
    model = k.Sequential([k.Input((4, 4, 4, 2)), L.Conv3D(3, 2, padding="same", activation="tanh"), L.MaxPooling3D(2),
                          L.Conv3DTranspose(2, 2, strides=2), L.AveragePooling3D(2), L.Flatten(), L.Dense(2)])
    return model, lambda rng: [_u(rng, 2, 4, 4, 4, 2)]


def m_image_preprocessing(k, L, v3):
    """Rescaling, UpSampling2D, GlobalAveragePooling2D."""
    model = k.Sequential([k.Input((3, 3, 2)), L.Rescaling(0.5, offset=0.1), L.UpSampling2D(2),
                          L.Conv2D(2, 2), L.GlobalAveragePooling2D(), L.Dense(2)])
    return model, lambda rng: [_u(rng, 2, 3, 3, 2)]


def m_gru_return_state(k, L, v3):
    """A GRU's final state as a second output (return_state=True) beside its sequence, through a Dense."""
    x = k.Input((5, 3))
    seq, state = L.GRU(3, return_sequences=True, return_state=True)(x)
    return k.Model(x, [L.Dense(2)(seq), state]), lambda rng: [_u(rng, 2, 5, 3)]


def m_sequential_no_input(k, L, v3):
    """A Sequential without an Input: Keras 3 built by model.build (its shape only in build_config), tf.keras from
    the first layer's input_shape."""
    if v3:
        model = k.Sequential([L.Dense(3, activation="tanh"), L.Dense(2)])
        model.build((None, 4))
    else:
        model = k.Sequential([L.Dense(3, activation="tanh", input_shape=(4,)), L.Dense(2)])
    return model, lambda rng: [_u(rng, 2, 4)]


def m_pooling_1d(k, L, v3):
    """1D pooling (valid / same), global pooling, Conv1D with strides and dilation."""
    a = k.Input((9, 2))
    h = L.Conv1D(3, 2, dilation_rate=2, padding="same")(a)
    p = L.AveragePooling1D(2, padding="same")(h)
    q = L.MaxPooling1D(3, strides=2)(h)
    c = L.Concatenate()([L.GlobalMaxPooling1D()(p), L.GlobalAveragePooling1D()(q), L.Flatten()(L.Conv1D(2, 3, strides=2)(a))])
    return k.Model(a, L.Dense(2)(c)), lambda rng: [_u(rng, 2, 9, 2)]


def m_activations(k, L, v3):
    """Activation layers: ReLU(max_value), LeakyReLU, PReLU, ELU, Softmax, Activation(...)."""
    leaky = L.LeakyReLU(negative_slope=0.2) if v3 else L.LeakyReLU(alpha=0.2)
    layers = [k.Input((5,)), L.Dense(6), L.ReLU(max_value=0.4), L.Dense(6), leaky, L.Dense(6), L.PReLU(),
              L.Dense(6), L.ELU(), L.Dense(6, activation="selu"), L.Activation("softplus"),
              L.Dense(6, activation="swish"), L.Activation("softsign"), L.Dense(4), L.Softmax()]
    if not v3:
        layers.insert(-1, L.ThresholdedReLU(theta=0.1))
    return k.Sequential(layers), lambda rng: [_u(rng, 3, 5, lim=2.0)]


def m_merges(k, L, v3):
    """Add, Multiply, Average, Maximum, Minimum, Concatenate(axis), Dot(normalize) on branches."""
    a = k.Input((4, 3))
    b = k.Input((4, 3))
    d1 = L.Dense(3)(a)
    d2 = L.Dense(3)(b)
    m = [L.Add()([d1, d2, a]), L.Multiply()([d1, d2]), L.Average()([d1, b]), L.Maximum()([d1, d2]), L.Minimum()([a, d2])]
    c = L.Concatenate(axis=1)(m)
    dot = L.Dot(axes=(2, 2), normalize=True)([d1, d2])
    return (k.Model([a, b], [c, L.Flatten()(dot)]), lambda rng: [_u(rng, 2, 4, 3), _u(rng, 2, 4, 3)])


def m_reshapes(k, L, v3):
    """Reshape, Permute, RepeatVector, Flatten."""
    model = k.Sequential([k.Input((6,)), L.Dense(8), L.Reshape((2, 4)), L.Permute((2, 1)), L.Flatten(),
                          L.RepeatVector(3), L.GRU(2, return_sequences=True), L.Flatten()])
    return model, lambda rng: [_u(rng, 2, 6)]


def m_shared_nested(k, L, v3):
    """A shared Dense applied to two inputs, a nested Sequential model called twice, a nested Functional model."""
    inner = k.Sequential([k.Input((3,)), L.Dense(4, activation="tanh"), L.Dense(2)], name="inner")
    a = k.Input((3,))
    b = k.Input((3,))
    shared = L.Dense(3, activation="relu", name="shared")
    i = k.Input((2,))
    inner_f = k.Model(i, L.Dense(2, activation="tanh")(i), name="inner_f")
    y = inner_f(L.Add()([inner(shared(a)), inner(shared(b))]))
    return k.Model([a, b], y), lambda rng: [_u(rng, 2, 3), _u(rng, 2, 3)]


def m_dropouts_norms(k, L, v3):
    """Every dropout and noise layer (the identity at inference), BatchNormalization / LayerNormalization options."""
    model = k.Sequential([k.Input((5, 4)), L.Dropout(0.3), L.SpatialDropout1D(0.2), L.GaussianDropout(0.1),
                          L.GaussianNoise(0.1), L.AlphaDropout(0.1), L.BatchNormalization(epsilon=0.01, center=False),
                          L.LayerNormalization(epsilon=1e-5, scale=False), L.Dense(3), L.BatchNormalization(),
                          L.Flatten(), L.Dense(2)])
    return model, lambda rng: [_u(rng, 2, 5, 4)]


def m_gru_conventions(k, L, v3):
    """GRUs of both conventions, go_backwards, use_bias=False, hard_sigmoid under tf.keras, and an LSTM."""
    rec = "sigmoid" if v3 else "hard_sigmoid"
    model = k.Sequential([k.Input((None, 3)), L.GRU(4, return_sequences=True, go_backwards=True),
                          L.GRU(3, reset_after=False, use_bias=False, return_sequences=True, recurrent_activation=rec),
                          L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode="mul"),
                          L.LSTM(3, recurrent_activation=rec, activation="relu")])
    return model, lambda rng: [_u(rng, 2, 5, 3)]


MODELS = [
    ("conv_bn_gru_ln_bidi", m_conv_bn_gru_ln_bidi),
    ("conv_lstm_gru", m_conv_lstm_gru),
    ("two_input_residual", m_two_input_residual),
    ("embedding_lstm_gru", m_embedding_lstm_gru),
    ("conv_pool_gru_td_flatten", m_conv_pool_gru_td_flatten),
    ("functional_embedding_masked", m_functional_embedding_masked),
    ("functional_masking_merge", m_functional_masking_merge),
    ("masking_td_rnns", m_masking_td_rnns),
    ("bidi_lstm_simplernn", m_bidi_lstm_simplernn),
    ("conv2d_family", m_conv2d_family),
    ("conv3d_family", m_conv3d_family),
    ("image_preprocessing", m_image_preprocessing),
    ("gru_return_state", m_gru_return_state),
    ("sequential_no_input", m_sequential_no_input),
    ("pooling_1d", m_pooling_1d),
    ("activations", m_activations),
    ("merges", m_merges),
    ("reshapes", m_reshapes),
    ("shared_nested", m_shared_nested),
    ("dropouts_norms", m_dropouts_norms),
    ("gru_conventions", m_gru_conventions),
]


# ------------------------------------------------------------------ refusals

def refusal_models(k, L, v3):
    """(name, model, what the converter must name) for models it must refuse."""
    out = []
    x = k.Input((4,))
    h = L.Dense(3, name="before")(x)
    # compiled under a fixed file name: Keras stores the lambda's bytecode, which holds its source path and line
    double = eval(compile("lambda t: t * 2.0", "<fixture lambda>", "eval"))  # noqa: S307 (a constant expression)
    h = L.Lambda(double, name="double")(h)
    out.append(("lambda", k.Model(x, L.Dense(2)(h)), ["double"]))

    class Scale(L.Layer):
        def call(self, t):
            return t * 3.0
    if v3:
        Scale = k.saving.register_keras_serializable(package="fixtures")(Scale)
    x = k.Input((4,))
    h = Scale(name="scale")(L.Dense(3)(x))
    out.append(("custom_layer", k.Model(x, h), ["scale"]))
    if v3:  # Keras 3's hard_sigmoid (x/6 + 0.5), a Subtract (not in tfjs-layers), ELU(alpha != 1): all named in one error
        x = k.Input((3,))
        y = L.Subtract(name="sub")([L.Dense(3, activation="hard_sigmoid", name="hs_dense")(x), x])
        y = L.ELU(alpha=0.7, name="elu")(y)
        out.append(("several_refusals", k.Model(x, y), ["hs_dense", "sub", "elu"]))
    # tfjs-layers' BatchNormalization is wrong at inference on an axis other than the last; a masked
    # Bidirectional(LSTM, return_sequences) writes zeros where tfjs's LSTM carries the output
    x = k.Input((None,), dtype="int32")
    h = L.Embedding(5, 3, mask_zero=True)(x)
    h = L.Bidirectional(L.LSTM(2, return_sequences=True), name="bidi_lstm")(h)
    out.append(("masked_bidi_lstm", k.Model(x, h), ["bidi_lstm"]))
    x = k.Input((4, 3))
    out.append(("bn_axis1", k.Model(x, L.BatchNormalization(axis=1, name="bn1")(x)), ["bn1"]))
    # tfjs resizes bilinearly without Keras's half-pixel centers
    x = k.Input((3, 3, 2))
    out.append(("bilinear_upsampling", k.Model(x, L.UpSampling2D(2, interpolation="bilinear", name="up")(x)), ["up"]))
    # tfjs-layers' Add computes a [1, batch, time] mask from the first input only
    x = k.Input((None, 3))
    h = L.LSTM(2, return_sequences=True)(L.Masking(0.0)(x))
    h = L.Add(name="masked_add")([h, L.Dense(2)(h)])
    out.append(("masked_add", k.Model(x, L.GRU(2)(h)), ["masked_add"]))
    return out


# ------------------------------------------------------------------ writing

def _save(out, framework, name, model, xs, ext, refused=None):
    folder = os.path.join(out, GROUP, framework, name)
    os.makedirs(folder, exist_ok=True)
    fname = f"model.{ext}"
    path = os.path.join(folder, fname)
    model.save(path)
    if ext == "keras":
        _fix_keras_zip(path)
    tensors = {}
    config = {"file": fname, "framework": framework}
    if refused is None:
        ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        ys = ys if isinstance(ys, list) else [ys]
        named = [(f"x{i}", x) for i, x in enumerate(xs)] + [(f"y{i}", np.asarray(y, dtype=F32)) for i, y in enumerate(ys)]
        for tname, arr in named:
            dtype = "int32" if arr.dtype.kind == "i" else "float32"
            save_npy(os.path.join(folder, f"{tname}.npy"), arr, dtype)
            tensors[tname] = {"file": f"{tname}.npy", "shape": [int(d) for d in arr.shape], "dtype": dtype}
        config.update({"inputs": [f"x{i}" for i in range(len(xs))], "outputs": [f"y{i}" for i in range(len(ys))]})
    else:
        config["refused"] = refused
    write_json(os.path.join(folder, "case.json"),
               {"name": f"{GROUP}/{framework}/{name}", "kind": "keras_model", "config": config, "tensors": tensors})
    return f"{GROUP}/{framework}/{name}"


def _tfjs_converter(model, folder):
    """tensorflowjs_converter's own output for a tf.keras model (issue 18 item 5): ``tfjs_converter/`` with
    model.json (re-indented) and its weight shard, or the exception's class when the converter refuses."""
    from tfjs_model import _import_tensorflowjs
    tfjs = _import_tensorflowjs()
    if tfjs is None:
        return {"error": "tensorflowjs is not installed"}
    target = os.path.join(folder, "tfjs_converter")
    try:
        tfjs.converters.save_keras_model(model, target)
    except Exception as e:  # noqa: BLE001 (the converter's refusal is the fact recorded)
        return {"error": type(e).__name__, "tensorflowjs": tfjs.__version__}
    path = os.path.join(target, "model.json")
    with open(path, encoding="utf-8") as f:
        model_json = json.load(f)
    write_json(path, model_json)
    return {"folder": "tfjs_converter", "tensorflowjs": tfjs.__version__}


def _make_all(out, k, framework, ext, v3):
    L = k.layers
    cases = []
    for name, build in MODELS:
        k.backend.clear_session()
        rng = np.random.default_rng(seed_for(f"{GROUP}/{framework}/{name}"))
        model, make_x = build(k, L, v3)
        _set_weights(model, rng)
        cases.append(_save(out, framework, name, model, make_x(rng), ext))
        if not v3:
            folder = os.path.join(out, GROUP, framework, name)
            tj = _tfjs_converter(model, folder)
            case_path = os.path.join(folder, "case.json")
            with open(case_path, encoding="utf-8") as f:
                case = json.load(f)
            case["config"]["tfjs_converter"] = tj
            write_json(case_path, case)
    for name, model, refused in refusal_models(k, L, v3):
        _set_weights(model, np.random.default_rng(seed_for(f"{GROUP}/{framework}/{name}")))
        cases.append(_save(out, framework, name, model, [], ext, refused))
    return cases


def make_keras_models(out):
    """Writes fixtures/keras_models/ (tf-keras here, Keras 3 in a subprocess); returns the case names."""
    import tf_keras
    tf_keras.utils.set_random_seed(0)
    cases = _make_all(out, tf_keras, "tf_keras", "h5", False)
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    res = subprocess.run([sys.executable, os.path.abspath(__file__), "--keras3", "--out", out], env=env,
                         check=True, stdout=subprocess.PIPE, text=True)
    return cases + json.loads(res.stdout.strip().splitlines()[-1])["cases"]


if __name__ == "__main__":
    if "--keras3" not in sys.argv:
        sys.exit("usage: keras_model_fixtures.py --keras3 --out DIR (make_fixtures.py calls make_keras_models)")
    os.environ.pop("TF_USE_LEGACY_KERAS", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras
    keras.utils.set_random_seed(0)
    out_dir = sys.argv[sys.argv.index("--out") + 1]
    print(json.dumps({"cases": _make_all(out_dir, keras, "keras3", "keras", True)}))
