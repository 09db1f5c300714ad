#!/usr/bin/env python3
"""ONNX and PyTorch model-file fixtures (called by tools/make_fixtures.py, under the project venv).

1. Runs tools/pytorch_file_fixtures.py under the Python that has torch (Debian's
   python3-torch): ``fixtures/pytorch_files/`` (.safetensors state_dicts) and the
   ``torch.onnx.export`` models in ``fixtures/onnx/torch_*`` (GRU linear_before_reset=1).
2. Checks every exported model with onnx's own reference evaluator
   (``onnx.reference.ReferenceEvaluator``) against PyTorch's outputs (within 1e-5).
3. Builds GRU models with ``onnx.helper`` (seeded weights): linear_before_reset 0 forward,
   reverse, bidirectional, layout 1, a stack of two GRU nodes with the Transpose/Reshape/
   Squeeze an exporter writes between them and a MatMul + Add Dense; linear_before_reset 1
   reverse without B; and two the converter must refuse (HardSigmoid activations, clip).
   Reference outputs from the reference evaluator.

Each case: ``<out>/onnx/<name>/model.onnx`` and case.json with ``x`` and ``y`` in the
converted model's batch-major contract ([B, T, D] in, [B, T, F] out) and ``x_graph``, the
input as the graph takes it.
"""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import seed_for, write_case  # noqa: E402

TOOLS = os.path.dirname(os.path.abspath(__file__))
F32 = np.float32
OPSET = 14  # GRU's layout attribute is opset 14
IR_VERSION = 8


def run_reference(model, feeds):
    return ReferenceEvaluator(model).run(None, feeds)


def gru_weights(rng, dirs, d, u, bias=True):
    w = rng.uniform(-0.5, 0.5, size=(dirs, 3 * u, d)).astype(F32)
    r = rng.uniform(-0.5, 0.5, size=(dirs, 3 * u, u)).astype(F32)
    b = rng.uniform(-0.5, 0.5, size=(dirs, 6 * u)).astype(F32) if bias else None
    return w, r, b


def save_model(folder, graph):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="tfjs-gru tools/onnx_fixtures.py")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    path = os.path.join(folder, "model.onnx")
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return model


def y_to_btf(y, layout):
    """GRU Y [T, dirs, B, U] (layout 0) or [B, T, dirs, U] (layout 1) -> [B, T, dirs*U], forward first."""
    if layout == 0:
        y = np.transpose(y, (2, 0, 1, 3))
    b, t, dirs, u = y.shape
    return y.reshape(b, t, dirs * u)


def single_gru_case(out, name, *, direction="forward", lbr=0, layout=0, bias=True, d=3, u=4, b=2, t=5, attrs=None,
                    reference=True):
    rng = np.random.default_rng(seed_for(f"onnx/{name}"))
    dirs = 2 if direction == "bidirectional" else 1
    w, r, bb = gru_weights(rng, dirs, d, u, bias)
    x = rng.uniform(-1.0, 1.0, size=(b, t, d)).astype(F32)  # batch-major
    x_graph = x if layout == 1 else np.transpose(x, (1, 0, 2)).copy()
    inits = [numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R")]
    if bias:
        inits.append(numpy_helper.from_array(bb, "B"))
    node = helper.make_node("GRU", ["X", "W", "R", "B" if bias else ""], ["Y", "Y_h"], name="gru",
                            hidden_size=u, direction=direction, linear_before_reset=lbr, layout=layout, **(attrs or {}))
    xshape = ["batch", "time", d] if layout == 1 else ["time", "batch", d]
    yshape = ["batch", "time", dirs, u] if layout == 1 else ["time", dirs, "batch", u]
    graph = helper.make_graph([node], name, [helper.make_tensor_value_info("X", TensorProto.FLOAT, xshape)],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, yshape)], initializer=inits)
    config = {"direction": direction, "linear_before_reset": lbr, "layout": layout, "bias": bias, "input_size": d,
              "hidden_size": u, "batch": b, "time": t, **({"attributes": {k: str(v) for k, v in attrs.items()}} if attrs else {})}
    tensors = [("x", x, "float32"), ("x_graph", x_graph, "float32")]
    folder = os.path.join(out, "onnx", name)
    os.makedirs(folder, exist_ok=True)
    model = save_model(folder, graph)
    if reference:
        (y,) = run_reference(model, {"X": x_graph})
        tensors.append(("y", y_to_btf(y, layout), "float32"))
    write_case(out, f"onnx/{name}", "onnx", config, tensors)
    return f"onnx/{name}"


def stacked_dense_case(out):
    """X [T, B, 3] -> GRU bidirectional (U=4) -> Transpose(0,2,1,3) -> Reshape(0,0,-1) -> GRU forward (U=5)
    -> Squeeze(axis 1) -> MatMul [5, 2] -> Add [2]: the pattern torch.onnx.export writes, linear_before_reset 0."""
    name = "lbr0_stack_dense"
    rng = np.random.default_rng(seed_for(f"onnx/{name}"))
    d, u1, u2, k, b, t = 3, 4, 5, 2, 2, 6
    w1, r1, b1 = gru_weights(rng, 2, d, u1)
    w2, r2, b2 = gru_weights(rng, 1, 2 * u1, u2)
    dense_w = rng.uniform(-0.5, 0.5, size=(u2, k)).astype(F32)
    dense_b = rng.uniform(-0.5, 0.5, size=(k,)).astype(F32)
    x = rng.uniform(-1.0, 1.0, size=(b, t, d)).astype(F32)
    x_graph = np.transpose(x, (1, 0, 2)).copy()
    inits = [numpy_helper.from_array(a, n) for a, n in [(w1, "W1"), (r1, "R1"), (b1, "B1"), (w2, "W2"), (r2, "R2"),
                                                       (b2, "B2"), (dense_w, "dense_w"), (dense_b, "dense_b"),
                                                       (np.array([0, 0, -1], np.int64), "merge_shape"),
                                                       (np.array([1], np.int64), "dir_axis")]]
    nodes = [
        helper.make_node("GRU", ["X", "W1", "R1", "B1"], ["Y1"], name="gru_0", hidden_size=u1, direction="bidirectional"),
        helper.make_node("Transpose", ["Y1"], ["Y1t"], perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", ["Y1t", "merge_shape"], ["H1"]),
        helper.make_node("GRU", ["H1", "W2", "R2", "B2"], ["Y2"], name="gru_1", hidden_size=u2),
        helper.make_node("Squeeze", ["Y2", "dir_axis"], ["H2"]),
        helper.make_node("MatMul", ["H2", "dense_w"], ["Z"], name="dense"),
        helper.make_node("Add", ["Z", "dense_b"], ["logits"]),
    ]
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["time", "batch", d])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["time", "batch", k])],
                              initializer=inits)
    folder = os.path.join(out, "onnx", name)
    os.makedirs(folder, exist_ok=True)
    model = save_model(folder, graph)
    (y,) = run_reference(model, {"X": x_graph})
    config = {"layers": ["GRU bidirectional 3->4", "GRU forward 8->5"], "dense": [u2, k], "linear_before_reset": 0,
              "batch": b, "time": t}
    write_case(out, f"onnx/{name}", "onnx", config,
               [("x", x, "float32"), ("x_graph", x_graph, "float32"), ("y", np.transpose(y, (1, 0, 2)), "float32")])
    return f"onnx/{name}"


def check_torch_exports(out, cases):
    """The reference evaluator on each torch.onnx.export model reproduces PyTorch's outputs."""
    worst = 0.0
    for case in cases:
        folder = os.path.join(out, *case.split("/"))
        model = onnx.load(os.path.join(folder, "model.onnx"))
        x = np.load(os.path.join(folder, "x.npy"))
        y = np.load(os.path.join(folder, "y.npy"))
        (got,) = run_reference(model, {"x": x})
        err = float(np.abs(got - y).max())
        if err > 1e-5:
            raise RuntimeError(f"{case}: onnx's reference evaluator differs from PyTorch by {err}")
        worst = max(worst, err)
    return worst


def make_onnx_fixtures(out, torch_python):
    """Every case of this module; returns (pytorch_files cases, onnx cases, versions)."""
    st_cases, torch_onnx = [], []
    versions = {"onnx": onnx.__version__}
    if torch_python != "none":
        res = subprocess.run([torch_python, os.path.join(TOOLS, "pytorch_file_fixtures.py"), "--out", out],
                             check=True, stdout=subprocess.PIPE, text=True)
        info = json.loads(res.stdout.strip().splitlines()[-1])
        st_cases, torch_onnx = info["pytorch_files"], info["onnx"]
        check_torch_exports(out, torch_onnx)
    cases = torch_onnx + [
        single_gru_case(out, "lbr0_forward"),
        single_gru_case(out, "lbr0_reverse", direction="reverse"),
        single_gru_case(out, "lbr0_bidi", direction="bidirectional", d=2, u=3, b=3, t=4),
        single_gru_case(out, "lbr0_layout1_bidi", direction="bidirectional", layout=1),
        single_gru_case(out, "lbr1_reverse_nobias", direction="reverse", lbr=1, bias=False),
        stacked_dense_case(out),
        single_gru_case(out, "refuse_hardsigmoid", attrs={"activations": ["HardSigmoid", "Tanh"]}, reference=False),
        single_gru_case(out, "refuse_clip", attrs={"clip": 2.0}, reference=False),
    ]
    return st_cases, cases, versions


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--torch-python", default="/usr/bin/python3")
    a = ap.parse_args()
    print(json.dumps(make_onnx_fixtures(os.path.abspath(a.out), a.torch_python)))
