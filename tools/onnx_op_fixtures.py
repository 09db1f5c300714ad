#!/usr/bin/env python3
"""Per-operator ONNX fixtures (issue 17): ``<out>/onnx_ops/``, called by tools/make_fixtures.py.

Each case is a tiny model built with ``onnx.helper`` (one node, or the few an exporter writes
together): data tensors are graph inputs (seeded random float32; int64 only where the op takes
indices, bool only where it takes a condition), weights and parameters are initializers. Shapes
and attribute values are drawn from ``numpy.random.default_rng(crc32("onnx_ops/<name>"))``; every
tensor has fewer than 2,000 elements. Outputs are onnxruntime's (CPU execution provider, one
thread, its default graph optimizations). GRU with ``layout=1`` is refused by onnxruntime, so
those cases record ``onnx.reference.ReferenceEvaluator``'s outputs (their ``evaluator`` says so).
Every onnxruntime case is also run through the reference evaluator, and the generator stops when
the two disagree by more than 1e-4·max(1, max|y|) (a fixture is then a bug of one of them).

Layout::

    onnx_ops/manifest.json   {"versions": {...}, "cases": [{"name", "op", "opset", "model",
                              "inputs": [{"name", "file", "dtype", "shape"}],
                              "outputs": [{"name", "file", "dtype", "shape"}], "evaluator"}]}
    onnx_ops/<name>/model.onnx, in_<input>.npy, out_<output>.npy

Run alone (regenerates only ``<out>/onnx_ops``): ``python tools/onnx_op_fixtures.py --out fixtures``.
"""
import argparse
import os
import shutil
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import save_npy, seed_for, write_json  # noqa: E402

F32 = np.float32
I64 = np.int64
GROUP = "onnx_ops"
CROSS_CHECK_TOL = 1e-4

NP_TO_ONNX = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64,
              np.dtype(np.int32): TensorProto.INT32, np.dtype(np.bool_): TensorProto.BOOL}
NP_TO_NAME = {np.dtype(np.float32): "float32", np.dtype(np.int64): "int64", np.dtype(np.int32): "int32",
              np.dtype(np.bool_): "bool"}


def ir_version_for(opset):
    """The oldest IR version that carries the opset (what the exporters of that time wrote)."""
    if opset <= 11:
        return 6
    if opset == 12:
        return 7
    return 8


# --------------------------------------------------------------------------- case description

class Case:
    """One model: ``nodes`` over graph ``inputs`` (name -> array) and ``inits`` (name -> array)."""

    def __init__(self, name, op, opset, nodes, inputs, outputs, inits=None, dims=None, reference_only=False,
                 numpy_check=None, check_name=None):
        self.name, self.op, self.opset = name, op, opset
        self.nodes = nodes
        self.inputs = inputs            # list of (name, array)
        self.outputs = outputs          # list of output names
        self.inits = inits or []        # list of (name, array)
        self.dims = dims or {}          # input/output name -> list of dims, str for a dim_param
        self.reference_only = reference_only
        self.numpy_check = numpy_check  # feeds -> outputs, where the reference evaluator is wrong
        self.check_name = check_name    # what numpy_check computes (None: "numpy float64")


def rng_for(name):
    return np.random.default_rng(seed_for(f"{GROUP}/{name}"))


def u(rng, shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(F32)


def away_from_zero(rng, shape, lo=0.5, hi=2.0):
    """|values| in [lo, hi], random signs: denominators and the like."""
    return (rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)).astype(F32)


def dims(rng, n, lo=2, hi=5):
    return [int(v) for v in rng.integers(lo, hi + 1, size=n)]


def node(op, inputs, outputs, **attrs):
    return helper.make_node(op, inputs, outputs, **attrs)


def i64(values):
    return np.array(values, dtype=I64)


def f32s(value):
    return np.array(value, dtype=F32)


CASES = []


def case(fn):
    """Registers a generator of cases (a function of nothing returning a list of Case)."""
    CASES.append(fn)
    return fn


# --------------------------------------------------------------------------- matrix products

@case
def matmul_cases():
    out = []
    r = rng_for("MatMul_2d")
    m, k, n = dims(r, 3, 2, 8)
    out.append(Case("MatMul_2d", "MatMul", 13, [node("MatMul", ["x", "w"], ["y"])],
                    [("x", u(r, (m, k)))], ["y"], [("w", u(r, (k, n)))]))
    r = rng_for("MatMul_3d_weight")
    b, t, k, n = dims(r, 4)
    out.append(Case("MatMul_3d_weight", "MatMul", 11, [node("MatMul", ["x", "w"], ["y"])],
                    [("x", u(r, (b, t, k)))], ["y"], [("w", u(r, (k, n)))]))
    r = rng_for("MatMul_broadcast_batch")
    b, m, k, n = dims(r, 4)
    out.append(Case("MatMul_broadcast_batch", "MatMul", 13, [node("MatMul", ["a", "b"], ["y"])],
                    [("a", u(r, (2, 1, m, k))), ("b", u(r, (b, k, n)))], ["y"]))
    r = rng_for("MatMul_vector")
    b, t, k = dims(r, 3)
    out.append(Case("MatMul_vector", "MatMul", 13, [node("MatMul", ["x", "w"], ["y"])],
                    [("x", u(r, (b, t, k)))], ["y"], [("w", u(r, (k,)))]))
    return out


@case
def gemm_cases():
    out = []
    r = rng_for("Gemm_bias")
    m, k, n = dims(r, 3, 2, 8)
    out.append(Case("Gemm_bias", "Gemm", 13, [node("Gemm", ["a", "b", "c"], ["y"])],
                    [("a", u(r, (m, k)))], ["y"], [("b", u(r, (k, n))), ("c", u(r, (n,)))]))
    r = rng_for("Gemm_transB_alpha_beta")
    m, k, n = dims(r, 3, 2, 8)
    out.append(Case("Gemm_transB_alpha_beta", "Gemm", 11,
                    [node("Gemm", ["a", "b", "c"], ["y"], transB=1, alpha=float(r.uniform(0.5, 1.5)),
                          beta=float(r.uniform(0.5, 1.5)))],
                    [("a", u(r, (m, k)))], ["y"], [("b", u(r, (n, k))), ("c", u(r, (m, 1)))]))
    r = rng_for("Gemm_transA_transB_noC")
    m, k, n = dims(r, 3, 2, 8)
    out.append(Case("Gemm_transA_transB_noC", "Gemm", 11,
                    [node("Gemm", ["a", "b"], ["y"], transA=1, transB=1, alpha=float(r.uniform(0.5, 1.5)))],
                    [("a", u(r, (k, m))), ("b", u(r, (n, k)))], ["y"]))
    r = rng_for("Gemm_scalar_c_opset9")
    m, k, n = dims(r, 3, 2, 8)
    out.append(Case("Gemm_scalar_c_opset9", "Gemm", 9,
                    [node("Gemm", ["a", "b", "c"], ["y"], beta=float(r.uniform(0.5, 1.5)))],
                    [("a", u(r, (m, k)))], ["y"], [("b", u(r, (k, n))), ("c", u(r, (1,)))]))
    return out


# --------------------------------------------------------------------------- elementwise binary

def binary_cases(op, data=u, second=u):
    out = []
    name = f"{op}_broadcast_initializer"
    r = rng_for(name)
    b, t, d = dims(r, 3)
    out.append(Case(name, op, 13, [node(op, ["x", "c"], ["y"])], [("x", data(r, (b, t, d)))], ["y"],
                    [("c", second(r, (d,)))]))
    name = f"{op}_two_inputs_broadcast"
    r = rng_for(name)
    b, t, d = dims(r, 3)
    out.append(Case(name, op, 13, [node(op, ["a", "b"], ["y"])],
                    [("a", data(r, (b, 1, d))), ("b", second(r, (1, t, 1)))], ["y"]))
    name = f"{op}_scalar_first_opset7"
    r = rng_for(name)
    b, d = dims(r, 2)
    out.append(Case(name, op, 7, [node(op, ["c", "x"], ["y"])], [("x", second(r, (b, d)))], ["y"],
                    [("c", data(r, ()))]))
    return out


@case
def arithmetic_cases():
    out = binary_cases("Add") + binary_cases("Sub") + binary_cases("Mul")
    out += binary_cases("Div", second=away_from_zero)
    pos = lambda r, s: u(r, s, 0.2, 2.0)  # noqa: E731
    r = rng_for("Pow_square")
    out.append(Case("Pow_square", "Pow", 13, [node("Pow", ["x", "e"], ["y"])], [("x", u(r, tuple(dims(r, 3))))],
                    ["y"], [("e", f32s(2.0))]))
    r = rng_for("Pow_tensor_exponent")
    b, d = dims(r, 2)
    out.append(Case("Pow_tensor_exponent", "Pow", 12, [node("Pow", ["x", "e"], ["y"])],
                    [("x", pos(r, (b, d))), ("e", u(r, (d,), -2.0, 2.0))], ["y"]))
    r = rng_for("Pow_sqrt_opset7")
    out.append(Case("Pow_sqrt_opset7", "Pow", 7, [node("Pow", ["x", "e"], ["y"])],
                    [("x", pos(r, tuple(dims(r, 2))))], ["y"], [("e", f32s([0.5]))]))
    return out


# --------------------------------------------------------------------------- elementwise unary

UNARY = {
    "Sqrt": lambda r, s: u(r, s, 0.0, 4.0),
    "Exp": lambda r, s: u(r, s, -3.0, 3.0),
    "Log": lambda r, s: u(r, s, 0.05, 5.0),
    "Neg": u, "Abs": u, "Relu": lambda r, s: u(r, s, -2.0, 2.0),
    "Sigmoid": lambda r, s: u(r, s, -6.0, 6.0), "Tanh": lambda r, s: u(r, s, -3.0, 3.0),
    "Erf": lambda r, s: u(r, s, -2.5, 2.5),
}


@case
def unary_cases():
    out = []
    for op, draw in UNARY.items():
        for opset, rank in ((13, 3), (11 if op != "Erf" else 9, 4)):
            name = f"{op}_rank{rank}_opset{opset}"
            r = rng_for(name)
            out.append(Case(name, op, opset, [node(op, ["x"], ["y"])], [("x", draw(r, tuple(dims(r, rank))))], ["y"]))
    return out


@case
def activation_cases():
    out = []
    act = lambda r, s: u(r, s, -3.0, 3.0)  # noqa: E731
    for name, op, attrs, opset in (("LeakyRelu_default", "LeakyRelu", {}, 6),
                                   ("LeakyRelu_alpha", "LeakyRelu", {"alpha": 0.2}, 16),
                                   ("Elu_default", "Elu", {}, 6),
                                   ("Elu_alpha", "Elu", {"alpha": 0.5}, 6),
                                   ("HardSigmoid_default", "HardSigmoid", {}, 6),
                                   ("HardSigmoid_hardswish_params", "HardSigmoid", {"alpha": 1.0 / 6.0, "beta": 0.5}, 6)):
        r = rng_for(name)
        out.append(Case(name, op, opset, [node(op, ["x"], ["y"], **attrs)], [("x", act(r, tuple(dims(r, 3))))], ["y"]))
    r = rng_for("PRelu_channel_slope")
    n, c, h, w = dims(r, 4)
    out.append(Case("PRelu_channel_slope", "PRelu", 9, [node("PRelu", ["x", "slope"], ["y"])],
                    [("x", act(r, (n, c, h, w)))], ["y"], [("slope", u(r, (c, 1, 1), 0.0, 0.5))]))
    r = rng_for("PRelu_last_axis_slope")
    b, t, d = dims(r, 3)
    out.append(Case("PRelu_last_axis_slope", "PRelu", 16, [node("PRelu", ["x", "slope"], ["y"])],
                    [("x", act(r, (b, t, d)))], ["y"], [("slope", u(r, (d,), 0.0, 0.5))]))
    r = rng_for("PRelu_single_slope")
    out.append(Case("PRelu_single_slope", "PRelu", 9, [node("PRelu", ["x", "slope"], ["y"])],
                    [("x", act(r, tuple(dims(r, 3))))], ["y"], [("slope", u(r, (1,), 0.0, 0.5))]))
    return out


@case
def softmax_cases():
    """Opset < 13: softmax over the flattened axes >= axis (coerced to 2-D); opset 13: over one axis.

    onnx 1.23.2's reference evaluator applies the opset-13 meaning at every opset, so the opset-11
    cases are checked against numpy's float64 softmax over the coerced 2-D view instead."""
    def coerced(x, axis, log):
        x2 = x.astype(np.float64).reshape(int(np.prod(x.shape[:axis])), -1)
        z = x2 - x2.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1, keepdims=True))
        return [(z - lse if log else np.exp(z - lse)).reshape(x.shape)]

    out = []
    for op in ("Softmax", "LogSoftmax"):
        for opset, axis in ((11, None), (11, 2), (13, None), (13, 1)):
            name = f"{op}_opset{opset}_axis{'_default' if axis is None else axis}"
            r = rng_for(name)
            attrs = {} if axis is None else {"axis": axis}
            check = None
            if opset < 13:
                check = (lambda feeds, a=(1 if axis is None else axis), log=(op == "LogSoftmax"):
                         coerced(feeds["x"], a, log))
            out.append(Case(name, op, opset, [node(op, ["x"], ["y"], **attrs)],
                            [("x", u(r, tuple(dims(r, 3)), -3.0, 3.0))], ["y"], numpy_check=check))
    return out


@case
def clip_cases():
    out = []
    x = lambda r: u(r, tuple(dims(r, 3)), -2.0, 2.0)  # noqa: E731
    r = rng_for("Clip_attrs_opset6")
    out.append(Case("Clip_attrs_opset6", "Clip", 6, [node("Clip", ["x"], ["y"], min=-0.5, max=0.7)],
                    [("x", x(r))], ["y"]))
    r = rng_for("Clip_min_max_inputs_opset11")
    out.append(Case("Clip_min_max_inputs_opset11", "Clip", 11, [node("Clip", ["x", "lo", "hi"], ["y"])],
                    [("x", x(r))], ["y"], [("lo", f32s(-0.6)), ("hi", f32s(0.4))]))
    r = rng_for("Clip_max_only_opset13")
    out.append(Case("Clip_max_only_opset13", "Clip", 13, [node("Clip", ["x", "", "hi"], ["y"])],
                    [("x", x(r))], ["y"], [("hi", f32s(0.3))]))
    r = rng_for("Clip_min_only_opset12")
    out.append(Case("Clip_min_only_opset12", "Clip", 12, [node("Clip", ["x", "lo"], ["y"])],
                    [("x", x(r))], ["y"], [("lo", f32s(0.0))]))
    return out


# --------------------------------------------------------------------------- convolutions

def conv_out(n, k, s, d, p0, p1):
    return (n + p0 + p1 - (d * (k - 1) + 1)) // s + 1


@case
def conv_cases():
    out = []
    # name, rank, in channels, out channels, group, kernel, strides, dilations, pads, auto_pad, bias
    specs = [
        ("Conv_1d_default", 1, 3, 4, 1, [3], None, None, None, None, True),
        ("Conv_1d_stride_dilation_asym_pads", 1, 4, 6, 2, [3], [2], [2], [2, 1], None, True),
        ("Conv_1d_causal_nobias", 1, 3, 5, 1, [4], None, None, [3, 0], None, False),
        ("Conv_2d_groups_pads", 2, 4, 6, 2, [3, 2], [1, 2], None, [1, 0, 2, 1], None, True),
        ("Conv_2d_depthwise_dilation", 2, 4, 4, 4, [3, 3], None, [2, 1], [2, 1, 2, 1], None, False),
        ("Conv_2d_same_upper_stride", 2, 3, 4, 1, [3, 3], [2, 2], None, None, "SAME_UPPER", True),
    ]
    for name, rank, cin, cout, group, kernel, strides, dil, pads, auto_pad, bias in specs:
        r = rng_for(name)
        n = 2
        spatial = dims(r, rank, 6, 9) if rank == 2 else dims(r, 1, 10, 16)
        attrs = {"kernel_shape": kernel}
        if group != 1:
            attrs["group"] = group
        if strides:
            attrs["strides"] = strides
        if dil:
            attrs["dilations"] = dil
        if pads:
            attrs["pads"] = pads
        if auto_pad:
            attrs["auto_pad"] = auto_pad
        inputs = ["x", "w"] + (["b"] if bias else [])
        inits = [("w", u(r, [cout, cin // group] + kernel, -0.5, 0.5))]
        if bias:
            inits.append(("b", u(r, (cout,), -0.5, 0.5)))
        opset = 11 if rank == 1 else 13
        out.append(Case(name, "Conv", opset, [node("Conv", inputs, ["y"], **attrs)], [("x", u(r, [n, cin] + spatial))],
                        ["y"], inits))
    return out


def conv_transpose_numpy(x, w, b, group, kernel, strides, dilations, pads, output_padding, auto_pad):
    """ConvTranspose as the ONNX spec words it, in float64 (rank 1 is rank 2 with H = 1).

    onnx 1.23.2's reference evaluator fails on group > 1, so this checks every case."""
    one_d = x.ndim == 3
    if one_d:
        x, w = x[:, :, None, :], w[:, :, None, :]
        kernel, strides, dilations = [1] + kernel, [1] + strides, [1] + dilations
        output_padding = [0] + output_padding
        pads = None if pads is None else [0, pads[0], 0, pads[1]]
    x, w = x.astype(np.float64), w.astype(np.float64)
    n, cin, hin, win = x.shape
    cout_g = w.shape[1]
    full = [(i - 1) * s + d * (k - 1) + 1 + op for i, s, d, k, op in zip((hin, win), strides, dilations, kernel,
                                                                         output_padding)]
    y = np.zeros((n, cout_g * group, full[0], full[1]))
    cin_g = cin // group
    for g in range(group):
        xs = x[:, g * cin_g:(g + 1) * cin_g]
        for kh in range(kernel[0]):
            for kw in range(kernel[1]):
                contrib = np.einsum("nchw,co->nohw", xs, w[g * cin_g:(g + 1) * cin_g, :, kh, kw])
                h0, w0 = kh * dilations[0], kw * dilations[1]
                y[:, g * cout_g:(g + 1) * cout_g, h0:h0 + strides[0] * (hin - 1) + 1:strides[0],
                  w0:w0 + strides[1] * (win - 1) + 1:strides[1]] += contrib
    if auto_pad == "SAME_UPPER":  # output = input · stride; the spec puts the odd pad at the end
        total = [f - i * s for f, i, s in zip(full, (hin, win), strides)]
        pads = [total[0] // 2, total[1] // 2, total[0] - total[0] // 2, total[1] - total[1] // 2]
    pads = pads or [0, 0, 0, 0]
    y = y[:, :, pads[0]:full[0] - pads[2], pads[1]:full[1] - pads[3]]
    if b is not None:
        y = y + b.astype(np.float64)[None, :, None, None]
    return y[:, :, 0, :] if one_d else y


@case
def conv_transpose_cases():
    out = []
    # name, rank, cin, cout, group, kernel, strides, dilations, pads, output_padding, auto_pad, bias
    specs = [
        ("ConvTranspose_1d_stride_output_padding", 1, 3, 4, 1, [3], [2], None, [1, 1], [1], None, True),
        ("ConvTranspose_1d_asym_pads_dilation", 1, 4, 2, 2, [3], [1], [2], [0, 2], None, None, False),
        ("ConvTranspose_2d_groups_asym_pads", 2, 4, 6, 2, [3, 2], [2, 1], None, [1, 0, 0, 1], None, None, True),
        ("ConvTranspose_2d_depthwise_dfn3", 2, 4, 4, 4, [1, 3], [1, 2], None, [0, 1, 0, 1], [0, 1], None, False),
        ("ConvTranspose_2d_same_upper", 2, 3, 2, 1, [3, 3], [2, 2], None, None, None, "SAME_UPPER", True),
    ]
    for name, rank, cin, cout, group, kernel, strides, dil, pads, opad, auto_pad, bias in specs:
        r = rng_for(name)
        spatial = dims(r, rank, 4, 6) if rank == 2 else dims(r, 1, 6, 10)
        attrs = {"kernel_shape": kernel}
        for key, value in (("strides", strides), ("dilations", dil), ("pads", pads), ("output_padding", opad),
                           ("auto_pad", auto_pad)):
            if value:
                attrs[key] = value
        if group != 1:
            attrs["group"] = group
        inputs = ["x", "w"] + (["b"] if bias else [])
        weight = u(r, [cin, cout // group] + kernel, -0.5, 0.5)  # ConvTranspose: [C_in, C_out/group, k...]
        inits = [("w", weight)]
        bias_value = u(r, (cout,), -0.5, 0.5) if bias else None
        if bias:
            inits.append(("b", bias_value))
        ones = [1] * rank
        check = (lambda feeds, w=weight, b=bias_value, g=group, k=kernel, s=strides or ones, d=dil or ones, p=pads,
                 op=opad or [0] * rank, ap=auto_pad: [conv_transpose_numpy(feeds["x"], w, b, g, k, s, d, p, op, ap)])
        out.append(Case(name, "ConvTranspose", 11 if rank == 1 else 13, [node("ConvTranspose", inputs, ["y"], **attrs)],
                        [("x", u(r, [2, cin] + spatial))], ["y"], inits, numpy_check=check))
    return out


# --------------------------------------------------------------------------- normalization

def batch_norm_numpy(x, p, eps):
    """Inference batch normalization in float64 (onnx 1.23.2's reference evaluator uses batch statistics
    at opset 9)."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    f = {k: v.astype(np.float64).reshape(shape) for k, v in p.items()}
    return f["scale"] * (x.astype(np.float64) - f["mean"]) / np.sqrt(f["var"] + eps) + f["bias"]


@case
def normalization_cases():
    out = []
    for name, opset, rank, attrs in (("BatchNormalization_4d_opset9", 9, 4, {}),
                                     ("BatchNormalization_3d_epsilon_opset15", 15, 3, {"epsilon": 1e-3}),
                                     ("BatchNormalization_2d_opset14", 14, 2, {"momentum": 0.8})):
        r = rng_for(name)
        shape = dims(r, rank)
        c = shape[1]
        inits = [("scale", u(r, (c,), 0.5, 1.5)), ("bias", u(r, (c,))), ("mean", u(r, (c,), -0.5, 0.5)),
                 ("var", u(r, (c,), 0.2, 2.0))]
        out.append(Case(name, "BatchNormalization", opset,
                        [node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], **attrs)],
                        [("x", u(r, shape, -2.0, 2.0))], ["y"], inits,
                        numpy_check=lambda feeds, p=dict(inits), eps=attrs.get("epsilon", 1e-5): [batch_norm_numpy(
                            feeds["x"], p, eps)]))
    for name, rank, attrs in (("InstanceNormalization_3d", 3, {}), ("InstanceNormalization_4d_epsilon", 4, {"epsilon": 1e-2})):
        r = rng_for(name)
        shape = dims(r, rank, 2, 6)
        c = shape[1]
        out.append(Case(name, "InstanceNormalization", 6,
                        [node("InstanceNormalization", ["x", "scale", "bias"], ["y"], **attrs)],
                        [("x", u(r, shape, -2.0, 2.0))], ["y"], [("scale", u(r, (c,), 0.5, 1.5)), ("bias", u(r, (c,)))]))
    for name, axis, with_bias, attrs in (("LayerNormalization_axis_last", -1, True, {}),
                                         ("LayerNormalization_axis_minus2", -2, True, {"epsilon": 1e-3}),
                                         ("LayerNormalization_no_bias", -1, False, {})):
        r = rng_for(name)
        shape = dims(r, 3, 2, 6)
        norm_shape = shape[axis:]
        inits = [("scale", u(r, norm_shape, 0.5, 1.5))] + ([("bias", u(r, norm_shape))] if with_bias else [])
        out.append(Case(name, "LayerNormalization", 17,
                        [node("LayerNormalization", ["x", "scale"] + (["bias"] if with_bias else []), ["y"], axis=axis,
                              **attrs)],
                        [("x", u(r, shape, -2.0, 2.0))], ["y"], inits))
    return out


# --------------------------------------------------------------------------- reductions

@case
def reduce_cases():
    out = []
    # name, op, opset, axes, keepdims, axes as input
    specs = [
        ("ReduceMean_axes_attr_keepdims1_opset13", "ReduceMean", 13, [-1], 1, False),
        ("ReduceMean_axes_input_keepdims0_opset18", "ReduceMean", 18, [1, 2], 0, True),
        ("ReduceMean_all_axes_opset11", "ReduceMean", 11, None, 0, False),
        ("ReduceSum_axes_attr_opset11", "ReduceSum", 11, [0, 2], 1, False),
        ("ReduceSum_axes_input_keepdims0_opset13", "ReduceSum", 13, [-2], 0, True),
        ("ReduceSum_no_axes_opset13", "ReduceSum", 13, None, 1, False),
        ("ReduceMax_axes_attr_keepdims0_opset13", "ReduceMax", 13, [1], 0, False),
        ("ReduceMax_axes_input_keepdims1_opset18", "ReduceMax", 18, [-1, 0], 1, True),
    ]
    for name, op, opset, axes, keepdims, as_input in specs:
        r = rng_for(name)
        attrs = {"keepdims": keepdims}
        inputs, inits = ["x"], []
        if axes is not None:
            if as_input:
                inputs.append("axes")
                inits.append(("axes", i64(axes)))
            else:
                attrs["axes"] = axes
        out.append(Case(name, op, opset, [node(op, inputs, ["y"], **attrs)], [("x", u(r, tuple(dims(r, 3))))], ["y"],
                        inits))
    return out


# --------------------------------------------------------------------------- pooling

@case
def pool_cases():
    out = []
    # name, op, opset, rank, attrs
    specs = [
        ("MaxPool_2d_k3_s2_pads", "MaxPool", 12, 2, {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
        ("MaxPool_1d_k2_s2", "MaxPool", 12, 1, {"kernel_shape": [2], "strides": [2]}),
        ("MaxPool_2d_ceil_dilation", "MaxPool", 12, 2, {"kernel_shape": [2, 2], "strides": [2, 1], "dilations": [1, 2],
                                                        "ceil_mode": 1}),
        ("AveragePool_2d_pads_exclude", "AveragePool", 11, 2, {"kernel_shape": [3, 3], "strides": [2, 2],
                                                               "pads": [1, 1, 1, 1], "count_include_pad": 0}),
        ("AveragePool_2d_pads_include", "AveragePool", 11, 2, {"kernel_shape": [3, 2], "strides": [1, 2],
                                                               "pads": [1, 0, 1, 1], "count_include_pad": 1}),
        ("AveragePool_1d_k3_s1", "AveragePool", 11, 1, {"kernel_shape": [3], "strides": [1]}),
    ]
    for name, op, opset, rank, attrs in specs:
        r = rng_for(name)
        spatial = dims(r, rank, 5, 9)
        out.append(Case(name, op, opset, [node(op, ["x"], ["y"], **attrs)], [("x", u(r, [2, 3] + spatial))], ["y"]))
    for name, rank in (("GlobalAveragePool_3d", 3), ("GlobalAveragePool_4d", 4)):
        r = rng_for(name)
        out.append(Case(name, "GlobalAveragePool", 1, [node("GlobalAveragePool", ["x"], ["y"])],
                        [("x", u(r, tuple(dims(r, rank))))], ["y"]))
    return out


# --------------------------------------------------------------------------- shape and layout

@case
def pad_cases():
    out = []
    # name, opset, mode, pads (begin..., end...) for rank 3, constant value
    specs = [
        ("Pad_constant_value_opset11", 11, "constant", [0, 1, 2, 0, 2, 1], 0.5),
        ("Pad_constant_default_opset13", 13, None, [0, 0, 3, 0, 0, 0], None),
        ("Pad_reflect_opset13", 13, "reflect", [0, 2, 1, 0, 1, 2], None),
        ("Pad_edge_opset13", 13, "edge", [0, 1, 0, 0, 2, 3], None),
    ]
    for name, opset, mode, pads, value in specs:
        r = rng_for(name)
        attrs = {"mode": mode} if mode else {}
        inputs = ["x", "pads"] + (["value"] if value is not None else [])
        inits = [("pads", i64(pads))] + ([("value", f32s(value))] if value is not None else [])
        out.append(Case(name, "Pad", opset, [node("Pad", inputs, ["y"], **attrs)],
                        [("x", u(r, tuple(dims(r, 3, 3, 5))))], ["y"], inits))
    return out


@case
def layout_cases():
    out = []
    r = rng_for("Transpose_perm")
    out.append(Case("Transpose_perm", "Transpose", 13, [node("Transpose", ["x"], ["y"], perm=[0, 2, 3, 1])],
                    [("x", u(r, tuple(dims(r, 4))))], ["y"]))
    r = rng_for("Transpose_default_reverses")
    out.append(Case("Transpose_default_reverses", "Transpose", 13, [node("Transpose", ["x"], ["y"])],
                    [("x", u(r, tuple(dims(r, 3))))], ["y"]))
    r = rng_for("Reshape_zero_and_minus1")
    b, t, c, f = dims(r, 4)
    out.append(Case("Reshape_zero_and_minus1", "Reshape", 13, [node("Reshape", ["x", "shape"], ["y"])],
                    [("x", u(r, (b, t, c, f)))], ["y"], [("shape", i64([0, 0, -1]))]))
    r = rng_for("Reshape_split_axis_opset5")
    b, g, h = dims(r, 3)
    out.append(Case("Reshape_split_axis_opset5", "Reshape", 5, [node("Reshape", ["x", "shape"], ["y"])],
                    [("x", u(r, (b, g * h)))], ["y"], [("shape", i64([-1, g, h]))]))
    for name, axis in (("Flatten_default", None), ("Flatten_axis0", 0), ("Flatten_axis_minus1", -1)):
        r = rng_for(name)
        attrs = {} if axis is None else {"axis": axis}
        out.append(Case(name, "Flatten", 13, [node("Flatten", ["x"], ["y"], **attrs)], [("x", u(r, tuple(dims(r, 4))))],
                        ["y"]))
    return out


@case
def squeeze_unsqueeze_cases():
    out = []
    r = rng_for("Squeeze_axes_attr_opset11")
    a, b = dims(r, 2)
    out.append(Case("Squeeze_axes_attr_opset11", "Squeeze", 11, [node("Squeeze", ["x"], ["y"], axes=[1, -1])],
                    [("x", u(r, (a, 1, b, 1)))], ["y"]))
    r = rng_for("Squeeze_axes_input_opset13")
    a, b = dims(r, 2)
    out.append(Case("Squeeze_axes_input_opset13", "Squeeze", 13, [node("Squeeze", ["x", "axes"], ["y"])],
                    [("x", u(r, (1, a, 1, b)))], ["y"], [("axes", i64([0]))]))
    r = rng_for("Squeeze_no_axes_opset13")
    a, b = dims(r, 2)
    out.append(Case("Squeeze_no_axes_opset13", "Squeeze", 13, [node("Squeeze", ["x"], ["y"])],
                    [("x", u(r, (1, a, 1, b)))], ["y"]))
    r = rng_for("Unsqueeze_axes_attr_opset11")
    out.append(Case("Unsqueeze_axes_attr_opset11", "Unsqueeze", 11, [node("Unsqueeze", ["x"], ["y"], axes=[0, 3])],
                    [("x", u(r, tuple(dims(r, 2))))], ["y"]))
    r = rng_for("Unsqueeze_axes_input_negative_opset13")
    out.append(Case("Unsqueeze_axes_input_negative_opset13", "Unsqueeze", 13, [node("Unsqueeze", ["x", "axes"], ["y"])],
                    [("x", u(r, tuple(dims(r, 3))))], ["y"], [("axes", i64([-1, 1]))]))
    return out


@case
def concat_split_cases():
    out = []
    r = rng_for("Concat_axis1_three")
    b, t = dims(r, 2)
    c1, c2, c3 = dims(r, 3, 1, 4)
    out.append(Case("Concat_axis1_three", "Concat", 13, [node("Concat", ["a", "b", "c"], ["y"], axis=1)],
                    [("a", u(r, (b, c1, t))), ("b", u(r, (b, c2, t)))], ["y"], [("c", u(r, (b, c3, t)))]))
    r = rng_for("Concat_negative_axis_opset11")
    b, t, d1, d2 = dims(r, 4)
    out.append(Case("Concat_negative_axis_opset11", "Concat", 11, [node("Concat", ["a", "b"], ["y"], axis=-1)],
                    [("a", u(r, (b, t, d1))), ("b", u(r, (b, t, d2)))], ["y"]))
    r = rng_for("Split_attr_unequal_opset11")
    b, t = dims(r, 2)
    out.append(Case("Split_attr_unequal_opset11", "Split", 11,
                    [node("Split", ["x"], ["y0", "y1", "y2"], axis=1, split=[1, 3, 2])],
                    [("x", u(r, (b, 6, t)))], ["y0", "y1", "y2"]))
    r = rng_for("Split_input_opset13")
    b, t = dims(r, 2)
    out.append(Case("Split_input_opset13", "Split", 13, [node("Split", ["x", "split"], ["y0", "y1"], axis=-1)],
                    [("x", u(r, (b, t, 7)))], ["y0", "y1"], [("split", i64([4, 3]))]))
    r = rng_for("Split_equal_default_opset13")
    b, t = dims(r, 2)
    out.append(Case("Split_equal_default_opset13", "Split", 13, [node("Split", ["x"], ["y0", "y1", "y2"])],
                    [("x", u(r, (6, b, t)))], ["y0", "y1", "y2"]))
    r = rng_for("Split_num_outputs_opset18")
    b = dims(r, 1)[0]
    out.append(Case("Split_num_outputs_opset18", "Split", 18,
                    [node("Split", ["x"], ["y0", "y1", "y2"], axis=1, num_outputs=3)],
                    [("x", u(r, (b, 8)))], ["y0", "y1", "y2"]))
    return out


@case
def slice_cases():
    out = []
    big = np.iinfo(np.int64).max
    # name, opset, shape, starts, ends, axes (None: omitted), steps (None: omitted)
    specs = [
        ("Slice_negative_axes_steps", 13, (3, 8, 9), [-7, 1], [big, -1], [-1, 1], [2, 3]),
        ("Slice_omitted_axes_and_steps", 11, (4, 6, 5), [1, 0, -3], [3, 4, big], None, None),
        ("Slice_reverse_negative_step", 13, (2, 7, 4), [-1, 5], [-big, 0], [2, 1], [-1, -2]),
        ("Slice_clamped_ends_opset10", 10, (5, 6), [2], [100], [0], None),
    ]
    for name, opset, shape, starts, ends, axes, steps in specs:
        r = rng_for(name)
        inputs = ["x", "starts", "ends"]
        inits = [("starts", i64(starts)), ("ends", i64(ends))]
        if axes is not None or steps is not None:
            inputs.append("axes" if axes is not None else "")
            if axes is not None:
                inits.append(("axes", i64(axes)))
        if steps is not None:
            inputs.append("steps")
            inits.append(("steps", i64(steps)))
        out.append(Case(name, "Slice", opset, [node("Slice", inputs, ["y"])], [("x", u(r, shape))], ["y"], inits))
    return out


@case
def gather_scatter_cases():
    out = []
    r = rng_for("Gather_axis0_matrix_indices")
    v, d = dims(r, 2, 4, 7)
    out.append(Case("Gather_axis0_matrix_indices", "Gather", 13, [node("Gather", ["table", "idx"], ["y"], axis=0)],
                    [("idx", r.integers(0, v, size=(2, 3)).astype(I64))], ["y"], [("table", u(r, (v, d)))]))
    r = rng_for("Gather_axis1_negative_indices")
    b, c, t = dims(r, 3, 3, 6)
    out.append(Case("Gather_axis1_negative_indices", "Gather", 11, [node("Gather", ["x", "idx"], ["y"], axis=1)],
                    [("x", u(r, (b, c, t)))], ["y"], [("idx", i64([-1, 0, -c, 1]))]))
    r = rng_for("Gather_scalar_index_axis_last")
    b, t, d = dims(r, 3)
    out.append(Case("Gather_scalar_index_axis_last", "Gather", 13, [node("Gather", ["x", "idx"], ["y"], axis=2)],
                    [("x", u(r, (b, t, d)))], ["y"], [("idx", np.array(-2, dtype=I64))]))
    r = rng_for("ScatterND_rows_opset11")
    n, d = dims(r, 2, 4, 6)
    rows = r.choice(n, size=2, replace=False).astype(I64).reshape(2, 1)
    out.append(Case("ScatterND_rows_opset11", "ScatterND", 11, [node("ScatterND", ["x", "idx", "upd"], ["y"])],
                    [("x", u(r, (n, d))), ("upd", u(r, (2, d)))], ["y"], [("idx", rows)]))
    r = rng_for("ScatterND_elements_opset13")
    a, b, c = dims(r, 3)
    idx = np.stack([r.integers(0, a, 3), r.integers(0, b, 3), r.integers(0, c, 3)], axis=1).astype(I64)
    idx = np.unique(idx, axis=0)  # distinct targets: the result is defined
    out.append(Case("ScatterND_elements_opset13", "ScatterND", 13, [node("ScatterND", ["x", "idx", "upd"], ["y"])],
                    [("x", u(r, (a, b, c))), ("upd", u(r, (idx.shape[0],)))], ["y"], [("idx", idx)]))
    r = rng_for("ScatterND_add_opset16")
    n, d = dims(r, 2, 4, 6)
    out.append(Case("ScatterND_add_opset16", "ScatterND", 16,
                    [node("ScatterND", ["x", "idx", "upd"], ["y"], reduction="add")],
                    [("x", u(r, (n, d))), ("upd", u(r, (3, d)))], ["y"], [("idx", i64([[0], [n - 1], [0]]))]))
    return out


@case
def expand_tile_where_cases():
    out = []
    r = rng_for("Expand_broadcast")
    a, b, c = dims(r, 3)
    out.append(Case("Expand_broadcast", "Expand", 13, [node("Expand", ["x", "shape"], ["y"])],
                    [("x", u(r, (b, 1)))], ["y"], [("shape", i64([a, b, c]))]))
    r = rng_for("Expand_ones_keep_dims_opset8")
    a, b = dims(r, 2)
    out.append(Case("Expand_ones_keep_dims_opset8", "Expand", 8, [node("Expand", ["x", "shape"], ["y"])],
                    [("x", u(r, (a, 1, b)))], ["y"], [("shape", i64([1, 3, 1]))]))
    r = rng_for("Tile_repeats")
    out.append(Case("Tile_repeats", "Tile", 13, [node("Tile", ["x", "repeats"], ["y"])],
                    [("x", u(r, tuple(dims(r, 3))))], ["y"], [("repeats", i64([1, 3, 2]))]))
    r = rng_for("Tile_rank2_opset6")
    out.append(Case("Tile_rank2_opset6", "Tile", 6, [node("Tile", ["x", "repeats"], ["y"])],
                    [("x", u(r, tuple(dims(r, 2))))], ["y"], [("repeats", i64([2, 1]))]))
    r = rng_for("Where_bool_input_broadcast")
    b, d = dims(r, 2)
    out.append(Case("Where_bool_input_broadcast", "Where", 16, [node("Where", ["cond", "a", "b"], ["y"])],
                    [("cond", r.random((b, d)) < 0.5), ("a", u(r, (b, d)))], ["y"], [("b", u(r, (d,)))]))
    r = rng_for("Where_from_greater_opset9")
    b, t, d = dims(r, 3)
    out.append(Case("Where_from_greater_opset9", "Where", 9,
                    [node("Greater", ["x", "zero"], ["cond"]), node("Where", ["cond", "x", "alt"], ["y"])],
                    [("x", u(r, (b, t, d))), ("alt", u(r, (b, 1, d)))], ["y"], [("zero", f32s(0.0))]))
    return out


@case
def comparison_cases():
    """Values from a small grid so Equal meets equal values; bool outputs (one case casts to float)."""
    out = []
    grid = lambda r, s: (r.integers(-2, 3, size=s) * 0.5).astype(F32)  # noqa: E731
    for op, opset in (("Equal", 11), ("Less", 13), ("Greater", 13)):
        name = f"{op}_broadcast_opset{opset}"
        r = rng_for(name)
        b, d = dims(r, 2)
        out.append(Case(name, op, opset, [node(op, ["a", "b"], ["y"])], [("a", grid(r, (b, 1, d))), ("b", grid(r, (3, d)))],
                        ["y"]))
    for op in ("Equal", "Less", "Greater"):
        name = f"{op}_initializer_cast_float"
        r = rng_for(name)
        b, d = dims(r, 2)
        out.append(Case(name, op, 13, [node(op, ["x", "c"], ["m"]), node("Cast", ["m"], ["y"], to=TensorProto.FLOAT)],
                        [("x", grid(r, (b, d)))], ["y"], [("c", grid(r, (d,)))]))
    r = rng_for("Equal_int64_indices")
    out.append(Case("Equal_int64_indices", "Equal", 11, [node("Equal", ["i", "j"], ["y"])],
                    [("i", r.integers(0, 3, size=(4, 3)).astype(I64))], ["y"], [("j", i64([0, 1, 2]))]))
    return out


@case
def einsum_cases():
    out = []
    r = rng_for("Einsum_grouped_linear")
    b, t, g, i, h = dims(r, 5, 2, 4)
    out.append(Case("Einsum_grouped_linear", "Einsum", 12, [node("Einsum", ["x", "w"], ["y"], equation="btgi,gih->btgh")],
                    [("x", u(r, (b, t, g, i)))], ["y"], [("w", u(r, (g, i, h)))]))
    r = rng_for("Einsum_batched_matmul")
    b, i, j, k = dims(r, 4)
    out.append(Case("Einsum_batched_matmul", "Einsum", 12, [node("Einsum", ["a", "b"], ["y"], equation="bij,bjk->bik")],
                    [("a", u(r, (b, i, j))), ("b", u(r, (b, j, k)))], ["y"]))
    r = rng_for("Einsum_ellipsis_matmul")
    a, b, i, j, k = dims(r, 5, 2, 4)
    out.append(Case("Einsum_ellipsis_matmul", "Einsum", 12,
                    [node("Einsum", ["a", "b"], ["y"], equation="...ij,...jk->...ik")],
                    [("a", u(r, (a, b, i, j))), ("b", u(r, (a, b, j, k)))], ["y"]))
    r = rng_for("Einsum_attention_scores")
    b, hh, q, k, d = dims(r, 5, 2, 4)
    out.append(Case("Einsum_attention_scores", "Einsum", 12,
                    [node("Einsum", ["q", "k"], ["y"], equation="bhqd,bhkd->bhqk")],
                    [("q", u(r, (b, hh, q, d))), ("k", u(r, (b, hh, k, d)))], ["y"]))
    return out


@case
def shape_const_cast_cases():
    out = []
    r = rng_for("Shape_of_input")
    out.append(Case("Shape_of_input", "Shape", 13, [node("Shape", ["x"], ["y"])], [("x", u(r, tuple(dims(r, 3))))], ["y"]))
    r = rng_for("Shape_start_end_opset15")
    out.append(Case("Shape_start_end_opset15", "Shape", 15, [node("Shape", ["x"], ["y"], start=1, end=-1)],
                    [("x", u(r, tuple(dims(r, 4))))], ["y"]))
    r = rng_for("ConstantOfShape_float_from_shape")
    out.append(Case("ConstantOfShape_float_from_shape", "ConstantOfShape", 9,
                    [node("Shape", ["x"], ["s"]),
                     node("ConstantOfShape", ["s"], ["y"], value=helper.make_tensor("value", TensorProto.FLOAT, [1], [0.5]))],
                    [("x", u(r, tuple(dims(r, 3))))], ["y"]))
    r = rng_for("ConstantOfShape_default_zeros_added")
    out.append(Case("ConstantOfShape_default_zeros_added", "ConstantOfShape", 12,
                    [node("Shape", ["x"], ["s"]), node("ConstantOfShape", ["s"], ["z"]), node("Add", ["z", "x"], ["y"])],
                    [("x", u(r, tuple(dims(r, 2))))], ["y"]))
    r = rng_for("ConstantOfShape_int64_value")
    out.append(Case("ConstantOfShape_int64_value", "ConstantOfShape", 11,
                    [node("ConstantOfShape", ["s"], ["y"], value=helper.make_tensor("value", TensorProto.INT64, [1], [7]))],
                    [], ["y"], [("s", i64(dims(r, 2)))]))
    r = rng_for("Constant_tensor_added")
    b, d = dims(r, 2)
    const = u(r, (d,))
    out.append(Case("Constant_tensor_added", "Constant", 11,
                    [node("Constant", [], ["c"], value=numpy_helper.from_array(const, "c")), node("Add", ["x", "c"], ["y"])],
                    [("x", u(r, (b, d)))], ["y"]))
    r = rng_for("Constant_value_float_and_ints_opset13")
    b, g, h = dims(r, 3)
    out.append(Case("Constant_value_float_and_ints_opset13", "Constant", 13,
                    [node("Constant", [], ["k"], value_float=float(r.uniform(0.5, 2.0))),
                     node("Constant", [], ["shape"], value_ints=[0, -1]),
                     node("Mul", ["x", "k"], ["xk"]), node("Reshape", ["xk", "shape"], ["y"])],
                    [("x", u(r, (b, g, h)))], ["y"]))
    r = rng_for("Cast_float_to_int64_and_back")
    out.append(Case("Cast_float_to_int64_and_back", "Cast", 13,
                    [node("Cast", ["x"], ["y_int"], to=TensorProto.INT64), node("Cast", ["y_int"], ["y"], to=TensorProto.FLOAT)],
                    [("x", u(r, tuple(dims(r, 2)), -5.0, 5.0))], ["y_int", "y"]))
    r = rng_for("Cast_float_to_int32_opset9")
    out.append(Case("Cast_float_to_int32_opset9", "Cast", 9, [node("Cast", ["x"], ["y"], to=TensorProto.INT32)],
                    [("x", u(r, tuple(dims(r, 2)), -5.0, 5.0))], ["y"]))
    r = rng_for("Cast_int64_to_float")
    out.append(Case("Cast_int64_to_float", "Cast", 13, [node("Cast", ["i"], ["y"], to=TensorProto.FLOAT)],
                    [("i", r.integers(-50, 50, size=tuple(dims(r, 2))).astype(I64))], ["y"]))
    r = rng_for("Identity_float")
    out.append(Case("Identity_float", "Identity", 13, [node("Identity", ["x"], ["y"])], [("x", u(r, tuple(dims(r, 3))))],
                    ["y"]))
    r = rng_for("Dropout_ratio_attr_opset10")
    out.append(Case("Dropout_ratio_attr_opset10", "Dropout", 10, [node("Dropout", ["x"], ["y"], ratio=0.3)],
                    [("x", u(r, tuple(dims(r, 3))))], ["y"]))
    r = rng_for("Dropout_ratio_input_opset13")
    out.append(Case("Dropout_ratio_input_opset13", "Dropout", 13, [node("Dropout", ["x", "ratio"], ["y"])],
                    [("x", u(r, tuple(dims(r, 3))))], ["y"], [("ratio", f32s(0.25))]))
    return out


# --------------------------------------------------------------------------- GRU

def gru_case(name, *, direction="forward", lbr=0, layout=0, h0=None, outputs=("Y", "Y_h"), opset=14, bias=True):
    """h0: None (absent), "init" (an initializer) or "input" (a graph input)."""
    r = rng_for(name)
    b, t, d, hs = dims(r, 4, 2, 5)
    dirs = 2 if direction == "bidirectional" else 1
    x = u(r, (b, t, d) if layout == 1 else (t, b, d))
    inits = [("W", u(r, (dirs, 3 * hs, d), -0.5, 0.5)), ("R", u(r, (dirs, 3 * hs, hs), -0.5, 0.5))]
    if bias:
        inits.append(("B", u(r, (dirs, 6 * hs), -0.5, 0.5)))
    inputs = [("X", x)]
    hshape = (b, dirs, hs) if layout == 1 else (dirs, b, hs)
    if h0 == "init":
        inits.append(("initial_h", u(r, hshape)))
    elif h0 == "input":
        inputs.append(("initial_h", u(r, hshape)))
    node_inputs = ["X", "W", "R", "B" if bias else "", "", "initial_h" if h0 else ""]
    while node_inputs[-1] == "":
        node_inputs.pop()
    attrs = {"hidden_size": hs, "direction": direction, "linear_before_reset": lbr}
    if layout:
        attrs["layout"] = layout
    gru_outputs = [o if o in outputs else "" for o in ("Y", "Y_h")]
    while gru_outputs[-1] == "":
        gru_outputs.pop()
    check = None
    if layout == 1:
        check = lambda feeds: gru_layout1_on_onnxruntime(node_inputs, attrs, inits, feeds, outputs, opset)  # noqa: E731
    return Case(name, "GRU", opset, [node("GRU", node_inputs, gru_outputs, **attrs)], inputs, list(outputs), inits,
                reference_only=layout == 1, numpy_check=check)


def gru_layout1_on_onnxruntime(node_inputs, attrs, inits, feeds, outputs, opset):
    """A layout-1 GRU's outputs from onnxruntime, through the same GRU at layout 0 with its inputs and
    outputs transposed: the independent check of the reference evaluator's layout-1 results."""
    attrs0 = {k: v for k, v in attrs.items() if k != "layout"}
    nodes = [node("Transpose", ["X"], ["X0"], perm=[1, 0, 2])]
    ins = ["X0"] + node_inputs[1:]
    if len(node_inputs) > 5 and node_inputs[5]:
        nodes.append(node("Transpose", [node_inputs[5]], ["h0_0"], perm=[1, 0, 2]))
        ins[5] = "h0_0"
    nodes += [node("GRU", ins, ["Y0", "Y_h0"], **attrs0),
              node("Transpose", ["Y0"], ["Y"], perm=[2, 0, 1, 3]),   # [T, dirs, B, U] -> [B, T, dirs, U]
              node("Transpose", ["Y_h0"], ["Y_h"], perm=[1, 0, 2])]  # [dirs, B, U] -> [B, dirs, U]
    graph_inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(a.shape)) for n, a in feeds.items()]
    graph = helper.make_graph(nodes, "layout0", graph_inputs, [helper.make_empty_tensor_value_info(n) for n in outputs],
                              initializer=[numpy_helper.from_array(a, n) for n, a in inits])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir_version_for(opset)
    return run_onnxruntime(model.SerializeToString(), feeds)


@case
def gru_cases():
    return [
        gru_case("GRU_forward_lbr0"),
        gru_case("GRU_forward_lbr1_h0_initializer", lbr=1, h0="init", opset=11),
        gru_case("GRU_reverse_lbr1_h0_input", direction="reverse", lbr=1, h0="input"),
        gru_case("GRU_bidirectional_lbr0_h0_input", direction="bidirectional", h0="input"),
        gru_case("GRU_bidirectional_lbr1_Y_h_only", direction="bidirectional", lbr=1, outputs=("Y_h",), opset=7),
        gru_case("GRU_forward_no_bias_Y_only", outputs=("Y",), bias=False),
        gru_case("GRU_layout1_forward_lbr1", lbr=1, layout=1, h0="input"),
        gru_case("GRU_layout1_bidirectional_lbr0", direction="bidirectional", layout=1, h0="init"),
    ]


# --------------------------------------------------------------------------- exporter patterns

@case
def pattern_cases():
    out = []
    # Shape -> Gather -> Unsqueeze -> Concat -> Reshape around a dynamic batch axis, then a MatMul.
    name = "pattern_dynamic_batch_reshape"
    r = rng_for(name)
    t, c, k = dims(r, 3)
    out.append(Case(name, "pattern", 13, [
        node("Shape", ["x"], ["shape"]),
        node("Gather", ["shape", "zero"], ["batch"], axis=0),
        node("Unsqueeze", ["batch", "axes0"], ["batch_1d"]),
        node("Concat", ["batch_1d", "minus1"], ["new_shape"], axis=0),
        node("Reshape", ["x", "new_shape"], ["flat"]),
        node("MatMul", ["flat", "w"], ["y"]),
    ], [("x", u(r, (3, t, c)))], ["y"],
        [("zero", np.array(0, dtype=I64)), ("axes0", i64([0])), ("minus1", i64([-1])), ("w", u(r, (t * c, k)))],
        dims={"x": ["batch", t, c], "y": ["batch", k]}))
    # Conv1d -> Relu -> Transpose -> GRU -> Gemm (on the last state) with the sequence as a second output.
    name = "pattern_conv1d_relu_gru_gemm"
    r = rng_for(name)
    b, cin, t = 2, 3, 7
    ch, hs, k = 4, 5, 3
    out.append(Case(name, "pattern", 13, [
        node("Conv", ["x", "conv_w", "conv_b"], ["c"], kernel_shape=[3], pads=[2, 0]),
        node("Relu", ["c"], ["cr"]),
        node("Transpose", ["cr"], ["seq"], perm=[2, 0, 1]),
        node("GRU", ["seq", "W", "R", "B"], ["Y", "Y_h"], hidden_size=hs, linear_before_reset=1),
        node("Squeeze", ["Y_h", "axes0"], ["h"]),
        node("Gemm", ["h", "fc_w", "fc_b"], ["logits"], transB=1),
    ], [("x", u(r, (b, cin, t)))], ["logits", "Y"],
        [("conv_w", u(r, (ch, cin, 3), -0.5, 0.5)), ("conv_b", u(r, (ch,), -0.5, 0.5)),
         ("W", u(r, (1, 3 * hs, ch), -0.5, 0.5)), ("R", u(r, (1, 3 * hs, hs), -0.5, 0.5)), ("B", u(r, (1, 6 * hs), -0.5, 0.5)),
         ("axes0", i64([0])), ("fc_w", u(r, (k, hs), -0.5, 0.5)), ("fc_b", u(r, (k,), -0.5, 0.5))]))
    # Pad (time look-back) -> Slice (drop the look-ahead frames) -> Concat with the input along channels.
    name = "pattern_pad_slice_concat"
    r = rng_for(name)
    b, c, t, f = 1, 2, 6, 4
    out.append(Case(name, "pattern", 13, [
        node("Pad", ["x", "pads"], ["padded"]),
        node("Slice", ["padded", "starts", "ends", "axes"], ["shifted"]),
        node("Concat", ["x", "shifted"], ["y"], axis=1),
    ], [("x", u(r, (b, c, t, f)))], ["y"],
        [("pads", i64([0, 0, 3, 0, 0, 0, 0, 0])), ("starts", i64([1])), ("ends", i64([-2])), ("axes", i64([2]))]))
    out += torch_export_pattern_cases()
    return out


def const(name, value):
    """A Constant node, as torch.onnx.export writes its constants (not initializers)."""
    return node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(value), name))


def torch_export_pattern_cases():
    """Two chains copied from DeepFilterNet3's df_dec.onnx (torch 1.13, opset 12), on small shapes."""
    out = []
    # F.pad(x, (0, 0, k, 0)): the pads computed by ConstantOfShape -> Concat -> Reshape -> Slice(step -1)
    # -> Transpose -> Reshape -> Cast, then Pad; the time axis S is dynamic.
    name = "pattern_torch_pad_pads_chain"
    r = rng_for(name)
    c, s, f, k = 2, 5, 3, 4
    out.append(Case(name, "pattern", 12, [
        const("n_zero_pairs", i64([4])), const("given", i64([0, 0, k, 0])),
        node("ConstantOfShape", ["n_zero_pairs"], ["zeros"], value=helper.make_tensor("value", TensorProto.INT64, [1], [0])),
        node("Concat", ["given", "zeros"], ["pads_torch"], axis=0),
        const("pairs_shape", i64([-1, 2])), node("Reshape", ["pads_torch", "pairs_shape"], ["pairs"]),
        const("starts", i64([-1])), const("ends", i64([-9223372036854775807])), const("axes", i64([0])),
        const("steps", i64([-1])), node("Slice", ["pairs", "starts", "ends", "axes", "steps"], ["pairs_rev"]),
        node("Transpose", ["pairs_rev"], ["pairs_t"], perm=[1, 0]),
        const("flat", i64([-1])), node("Reshape", ["pairs_t", "flat"], ["pads_f"]),
        node("Cast", ["pads_f"], ["pads"], to=TensorProto.INT64),
        const("pad_value", f32s(0.0)),
        node("Pad", ["x", "pads", "pad_value"], ["y"], mode="constant"),
    ], [("x", u(r, (1, c, s, f)))], ["y"], dims={"x": [1, c, "S", f], "y": [1, c, "S_plus_k", f]}))
    # nn.GRU(batch_first=True, num_layers=2) without h0: the zero state built from the input's batch size
    # (Shape -> Gather -> Unsqueeze -> Concat -> ConstantOfShape), one Slice per layer, Squeeze between.
    name = "pattern_torch_gru_zero_state"
    r = rng_for(name)
    b, t, d, hs = 3, 4, 3, 5
    layers = [(u(r, (1, 3 * hs, d), -0.5, 0.5), u(r, (1, 3 * hs, hs), -0.5, 0.5), u(r, (1, 6 * hs), -0.5, 0.5)),
              (u(r, (1, 3 * hs, hs), -0.5, 0.5), u(r, (1, 3 * hs, hs), -0.5, 0.5), u(r, (1, 6 * hs), -0.5, 0.5))]
    nodes = [node("Shape", ["x"], ["shape"]), const("zero", np.array(0, dtype=I64)),
             node("Gather", ["shape", "zero"], ["batch"], axis=0), const("n_layers", i64([2])),
             node("Unsqueeze", ["batch"], ["batch_1d"], axes=[0]), const("hidden", i64([hs])),
             node("Concat", ["n_layers", "batch_1d", "hidden"], ["h0_shape"], axis=0),
             node("ConstantOfShape", ["h0_shape"], ["h0"], value=helper.make_tensor("value", TensorProto.FLOAT, [1], [0.0])),
             node("Transpose", ["x"], ["x_tm"], perm=[1, 0, 2])]
    seq = "x_tm"
    for i, (w, rr, bb) in enumerate(layers):
        nodes += [const(f"W{i}", w), const(f"R{i}", rr), const(f"B{i}", bb),
                  const(f"axes{i}", i64([0])), const(f"start{i}", i64([i])), const(f"end{i}", i64([i + 1])),
                  node("Slice", ["h0", f"start{i}", f"end{i}", f"axes{i}"], [f"h0_{i}"]),
                  node("GRU", [seq, f"W{i}", f"R{i}", f"B{i}", "", f"h0_{i}"], [f"Y{i}", f"Y_h{i}"], hidden_size=hs,
                       linear_before_reset=1),
                  node("Squeeze", [f"Y{i}"], [f"S{i}"], axes=[1])]
        seq = f"S{i}"
    nodes.append(node("Transpose", [seq], ["y"], perm=[1, 0, 2]))
    out.append(Case(name, "pattern", 12, nodes, [("x", u(r, (b, t, d)))], ["y"],
                    dims={"x": ["batch", "time", d], "y": ["batch", "time", hs]}))
    return out


# --------------------------------------------------------------------------- logical, variadic, more unary

@case
def logical_cases():
    """Bool inputs and outputs; Not also after a comparison, cast to float."""
    out = []
    flag = lambda r, s: r.random(s) < 0.5  # noqa: E731
    for op in ("And", "Or"):
        name = f"{op}_broadcast_initializer"
        r = rng_for(name)
        b, t, d = dims(r, 3)
        out.append(Case(name, op, 7, [node(op, ["x", "c"], ["y"])], [("x", flag(r, (b, t, d)))], ["y"],
                        [("c", flag(r, (d,)))]))
        name = f"{op}_two_inputs_broadcast"
        r = rng_for(name)
        b, t, d = dims(r, 3)
        out.append(Case(name, op, 7, [node(op, ["a", "b"], ["y"])], [("a", flag(r, (b, 1, d))), ("b", flag(r, (1, t, 1)))],
                        ["y"]))
    r = rng_for("Not_rank3")
    out.append(Case("Not_rank3", "Not", 1, [node("Not", ["x"], ["y"])], [("x", flag(r, tuple(dims(r, 3))))], ["y"]))
    r = rng_for("Not_of_less_cast_float")
    b, d = dims(r, 2)
    out.append(Case("Not_of_less_cast_float", "Not", 13,
                    [node("Less", ["x", "zero"], ["m"]), node("Not", ["m"], ["n"]),
                     node("Cast", ["n"], ["y"], to=TensorProto.FLOAT)],
                    [("x", u(r, (b, d)))], ["y"], [("zero", f32s(0.0))]))
    return out


@case
def variadic_cases():
    """Sum, Max, Min, Mean: three inputs broadcasting together (opset 13), one input, two equal shapes (opset 6)."""
    out = []
    for op in ("Sum", "Max", "Min", "Mean"):
        name = f"{op}_three_inputs_broadcast"
        r = rng_for(name)
        b, t, d = dims(r, 3)
        c = u(r, (d,))
        check = None
        if op == "Mean":  # onnx 1.23.2's reference evaluator fails on Mean's broadcasting (in-place add)
            check = lambda feeds, c=c: [(feeds["a"].astype(np.float64) + feeds["b"] + c) / 3.0]  # noqa: E731
        out.append(Case(name, op, 13, [node(op, ["a", "b", "c"], ["y"])], [("a", u(r, (b, 1, d))), ("b", u(r, (t, 1)))],
                        ["y"], [("c", c)], numpy_check=check))
        name = f"{op}_single_input_opset8"
        r = rng_for(name)
        out.append(Case(name, op, 8, [node(op, ["x"], ["y"])], [("x", u(r, tuple(dims(r, 3))))], ["y"]))
        name = f"{op}_two_same_shape_opset6"
        r = rng_for(name)
        shape = tuple(dims(r, 2))
        out.append(Case(name, op, 6, [node(op, ["a", "b"], ["y"])], [("a", u(r, shape)), ("b", u(r, shape))], ["y"]))
    return out


MORE_UNARY = {
    "Reciprocal": away_from_zero,
    "Floor": lambda r, s: u(r, s, -3.0, 3.0), "Ceil": lambda r, s: u(r, s, -3.0, 3.0),
    "Sign": lambda r, s: (r.integers(-2, 3, size=s) * 0.75).astype(F32),  # zeros included
    "Sin": lambda r, s: u(r, s, -4.0, 4.0), "Cos": lambda r, s: u(r, s, -4.0, 4.0),
    "Softplus": lambda r, s: u(r, s, -5.0, 5.0), "Softsign": lambda r, s: u(r, s, -5.0, 5.0),
}


@case
def more_unary_cases():
    out = []
    for op, draw in MORE_UNARY.items():
        for opset, rank in ((13, 3), (11, 4)):
            name = f"{op}_rank{rank}_opset{opset}"
            r = rng_for(name)
            out.append(Case(name, op, opset, [node(op, ["x"], ["y"])], [("x", draw(r, tuple(dims(r, rank))))], ["y"]))
    for rank in (3, 4):  # HardSwish: from opset 14; values on both sides of ±3
        name = f"HardSwish_rank{rank}_opset14"
        r = rng_for(name)
        out.append(Case(name, "HardSwish", 14, [node("HardSwish", ["x"], ["y"])],
                        [("x", u(r, tuple(dims(r, rank)), -5.0, 5.0))], ["y"]))
    return out


@case
def or_equal_comparison_cases():
    """LessOrEqual / GreaterOrEqual (opset 12+): grid values so equal values meet."""
    out = []
    grid = lambda r, s: (r.integers(-2, 3, size=s) * 0.5).astype(F32)  # noqa: E731
    for op in ("LessOrEqual", "GreaterOrEqual"):
        name = f"{op}_broadcast_opset12"
        r = rng_for(name)
        b, d = dims(r, 2)
        out.append(Case(name, op, 12, [node(op, ["a", "b"], ["y"])], [("a", grid(r, (b, 1, d))), ("b", grid(r, (3, d)))],
                        ["y"]))
        name = f"{op}_initializer_cast_float_opset16"
        r = rng_for(name)
        b, d = dims(r, 2)
        out.append(Case(name, op, 16, [node(op, ["x", "c"], ["m"]), node("Cast", ["m"], ["y"], to=TensorProto.FLOAT)],
                        [("x", grid(r, (b, d)))], ["y"], [("c", grid(r, (d,)))]))
    r = rng_for("GreaterOrEqual_int64_opset16")
    out.append(Case("GreaterOrEqual_int64_opset16", "GreaterOrEqual", 16, [node("GreaterOrEqual", ["i", "j"], ["y"])],
                    [("i", r.integers(-2, 3, size=(4, 3)).astype(I64))], ["y"], [("j", i64([-1, 0, 1]))]))
    return out


@case
def global_max_pool_cases():
    """onnx 1.23.2's reference evaluator drops a spatial axis of rank-3 input: numpy's max checks both."""
    out = []
    for name, rank in (("GlobalMaxPool_3d", 3), ("GlobalMaxPool_4d", 4)):
        r = rng_for(name)
        out.append(Case(name, "GlobalMaxPool", 1, [node("GlobalMaxPool", ["x"], ["y"])],
                        [("x", u(r, tuple(dims(r, rank))))], ["y"],
                        numpy_check=lambda feeds: [feeds["x"].max(axis=tuple(range(2, feeds["x"].ndim)), keepdims=True)]))
    return out


@case
def more_reduce_cases():
    """Each reduction with its axes as an attribute (opset 13) and as an input (opset 18); a few over all axes."""
    out = []
    draws = {"ReduceProd": lambda r, s: away_from_zero(r, s, 0.6, 1.4),
             "ReduceLogSumExp": lambda r, s: u(r, s, -3.0, 3.0)}
    # name, op, opset, axes, keepdims, axes as input
    specs = []
    for op in ("ReduceMin", "ReduceProd", "ReduceSumSquare", "ReduceL2", "ReduceL1", "ReduceLogSumExp"):
        specs += [(f"{op}_axes_attr_keepdims1_opset13", op, 13, [-1], 1, False),
                  (f"{op}_axes_input_keepdims0_opset18", op, 18, [0, 2], 0, True)]
    specs += [("ReduceMin_all_axes_keepdims0_opset11", "ReduceMin", 11, None, 0, False),
              ("ReduceL2_all_axes_opset18", "ReduceL2", 18, None, 1, False),
              ("ReduceLogSumExp_axes_attr_negative_opset11", "ReduceLogSumExp", 11, [-2, 0], 0, False)]
    for name, op, opset, axes, keepdims, as_input in specs:
        r = rng_for(name)
        attrs = {"keepdims": keepdims}
        inputs, inits = ["x"], []
        if axes is not None:
            if as_input:
                inputs.append("axes")
                inits.append(("axes", i64(axes)))
            else:
                attrs["axes"] = axes
        out.append(Case(name, op, opset, [node(op, inputs, ["y"], **attrs)],
                        [("x", draws.get(op, u)(r, tuple(dims(r, 3))))], ["y"], inits))
    return out


@case
def range_size_cases():
    """Range from initializers (float, int64 with a negative delta) and from an input's shape; Size."""
    out = []
    r = rng_for("Range_float_initializers")
    start, delta = float(r.uniform(-2.0, 1.0)), float(r.uniform(0.2, 0.7))
    n = int(r.integers(4, 10))
    limit = start + delta * (n - 0.5)  # halfway between two counts: ceil((limit - start) / delta) = n, not near a tie
    out.append(Case("Range_float_initializers", "Range", 11, [node("Range", ["start", "limit", "delta"], ["y"])], [],
                    ["y"], [("start", f32s(start)), ("limit", f32s(limit)), ("delta", f32s(delta))]))
    r = rng_for("Range_int64_negative_delta")
    start, delta = int(r.integers(5, 12)), -int(r.integers(1, 4))
    limit = int(r.integers(-6, 0))
    out.append(Case("Range_int64_negative_delta", "Range", 11, [node("Range", ["start", "limit", "delta"], ["y"])], [],
                    ["y"], [("start", np.array(start, dtype=I64)), ("limit", np.array(limit, dtype=I64)),
                            ("delta", np.array(delta, dtype=I64))]))
    # exporters' positions: Range(0, T, 1) with T from Shape -> Gather, then Cast to float and added
    name = "Range_int64_limit_from_shape"
    r = rng_for(name)
    b, t = dims(r, 2)
    out.append(Case(name, "Range", 13, [
        node("Shape", ["x"], ["shape"]), node("Gather", ["shape", "one"], ["t"], axis=0),
        node("Range", ["zero", "t", "step"], ["idx"]), node("Cast", ["idx"], ["pos"], to=TensorProto.FLOAT),
        node("Add", ["x", "pos"], ["y"])],
        [("x", u(r, (b, t)))], ["idx", "y"],
        [("one", np.array(1, dtype=I64)), ("zero", np.array(0, dtype=I64)), ("step", np.array(1, dtype=I64))],
        dims={"x": [b, "time"], "idx": ["time"], "y": [b, "time"]}))
    r = rng_for("Size_rank3_opset13")
    out.append(Case("Size_rank3_opset13", "Size", 13, [node("Size", ["x"], ["y"])], [("x", u(r, tuple(dims(r, 3))))], ["y"]))
    r = rng_for("Size_rank1_opset1")
    out.append(Case("Size_rank1_opset1", "Size", 1, [node("Size", ["x"], ["y"])], [("x", u(r, tuple(dims(r, 1, 3, 9))))],
                    ["y"]))
    return out


# --------------------------------------------------------------------------- GRU: sequence_lens, activations

GRU_ACTIVATIONS = {
    "Sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)), "Tanh": np.tanh, "Relu": lambda v: np.maximum(v, 0.0),
    "HardSigmoid": lambda v: np.clip(0.2 * v + 0.5, 0.0, 1.0),  # ONNX's defaults alpha 0.2, beta 0.5
}


def gru_numpy(x, w, rr, b, h0, seq_lens, direction, lbr, activations):
    """ONNX GRU (layout 0) in float64, with sequence_lens as onnxruntime reads it: each sequence runs over
    its first len steps only (reverse: from step len-1 down to 0), Y is zero at steps >= len, Y_h is the
    state after the last step run. The reference evaluator ignores sequence_lens and activations."""
    t_len, batch, _ = x.shape
    dirs = 2 if direction == "bidirectional" else 1
    hs = rr.shape[2]
    x = x.astype(np.float64)
    lens = np.full(batch, t_len) if seq_lens is None else np.asarray(seq_lens)
    y = np.zeros((t_len, dirs, batch, hs))
    y_h = np.zeros((dirs, batch, hs))
    for k in range(dirs):
        reverse = direction == "reverse" or k == 1
        f, g = (GRU_ACTIVATIONS[a] for a in activations[2 * k:2 * k + 2])
        wk, rk = w[k].astype(np.float64), rr[k].astype(np.float64)
        bk = np.zeros(6 * hs) if b is None else b[k].astype(np.float64)
        wz, wr, wh = np.split(wk, 3)
        rz, rr_, rh = np.split(rk, 3)
        wbz, wbr, wbh, rbz, rbr, rbh = np.split(bk, 6)
        for n in range(batch):
            h = np.zeros(hs) if h0 is None else h0[k, n].astype(np.float64)
            steps = range(lens[n] - 1, -1, -1) if reverse else range(lens[n])
            for s in steps:
                xt = x[s, n]
                z = f(wz @ xt + wbz + rz @ h + rbz)
                rg = f(wr @ xt + wbr + rr_ @ h + rbr)
                if lbr:
                    hh = g(wh @ xt + wbh + rg * (rh @ h + rbh))
                else:
                    hh = g(wh @ xt + wbh + rh @ (rg * h) + rbh)
                h = (1.0 - z) * hh + z * h
                y[s, k, n] = h
            y_h[k, n] = h
    return y, y_h


def gru_seq_case(name, *, direction="forward", lbr=0, h0=None, activations=None, seq_lens=True, full_length=False,
                 opset=14):
    """A layout-0 GRU with Y and Y_h; sequence_lens a graph input int32 [batch] (lengths 2..T-1, one of them T
    with ``full_length``); ``activations`` the attribute (None: absent, Sigmoid/Tanh)."""
    r = rng_for(name)
    b, d, hs = dims(r, 3, 2, 5)
    t = int(r.integers(4, 8))
    dirs = 2 if direction == "bidirectional" else 1
    x = u(r, (t, b, d))
    w, rr, bias = u(r, (dirs, 3 * hs, d), -0.5, 0.5), u(r, (dirs, 3 * hs, hs), -0.5, 0.5), u(r, (dirs, 6 * hs), -0.5, 0.5)
    inits = [("W", w), ("R", rr), ("B", bias)]
    inputs = [("X", x)]
    lens = None
    if seq_lens:
        lens = r.integers(2, t, size=b).astype(np.int32)  # 2..T-1: even reverse runs two steps
        if full_length:
            lens[int(r.integers(0, b))] = t
        inputs.append(("sequence_lens", lens))
    h = None
    if h0 == "init":
        h = u(r, (dirs, b, hs))
        inits.append(("initial_h", h))
    elif h0 == "input":
        h = u(r, (dirs, b, hs))
        inputs.append(("initial_h", h))
    node_inputs = ["X", "W", "R", "B", "sequence_lens" if seq_lens else "", "initial_h" if h0 else ""]
    while node_inputs[-1] == "":
        node_inputs.pop()
    attrs = {"hidden_size": hs, "direction": direction, "linear_before_reset": lbr}
    if activations:
        attrs["activations"] = activations
    acts = activations or ["Sigmoid", "Tanh"] * dirs
    check = (lambda feeds: list(gru_numpy(feeds["X"], w, rr, bias, feeds.get("initial_h", h), feeds.get("sequence_lens"),
                                          direction, lbr, acts)))
    return Case(name, "GRU", opset, [node("GRU", node_inputs, ["Y", "Y_h"], **attrs)], inputs, ["Y", "Y_h"], inits,
                numpy_check=check,
                check_name="numpy float64 GRU (the reference evaluator ignores sequence_lens and activations)")


@case
def gru_sequence_lens_activation_cases():
    return [
        gru_seq_case("GRU_seqlens_forward_lbr0"),
        gru_seq_case("GRU_seqlens_forward_lbr1_h0_input", lbr=1, h0="input"),
        gru_seq_case("GRU_seqlens_reverse_lbr0_h0_initializer", direction="reverse", h0="init"),
        gru_seq_case("GRU_seqlens_reverse_lbr1", direction="reverse", lbr=1),
        gru_seq_case("GRU_seqlens_bidirectional_lbr0_h0_input", direction="bidirectional", h0="input"),
        gru_seq_case("GRU_seqlens_bidirectional_lbr1_one_full_length", direction="bidirectional", lbr=1, full_length=True),
        gru_seq_case("GRU_activations_hardsigmoid_tanh", activations=["HardSigmoid", "Tanh"], seq_lens=False),
        gru_seq_case("GRU_activations_sigmoid_relu_lbr1", lbr=1, activations=["Sigmoid", "Relu"], seq_lens=False),
        gru_seq_case("GRU_activations_bidirectional_per_direction_seqlens", direction="bidirectional",
                     activations=["HardSigmoid", "Tanh", "Sigmoid", "Relu"], h0="init"),
    ]


# --------------------------------------------------------------------------- building and running

def value_info(name, array, dims_override):
    shape = dims_override if dims_override is not None else list(array.shape)
    return helper.make_tensor_value_info(name, NP_TO_ONNX[array.dtype], shape)


def build_model(c, output_arrays=None):
    """The case's ModelProto; outputs typed from ``output_arrays`` (name -> array) when given."""
    inputs = [value_info(n, a, c.dims.get(n)) for n, a in c.inputs]
    if output_arrays is None:
        outputs = [helper.make_empty_tensor_value_info(n) for n in c.outputs]
    else:
        outputs = [value_info(n, output_arrays[n], c.dims.get(n)) for n in c.outputs]
    inits = [numpy_helper.from_array(np.asarray(a), n) for n, a in c.inits]
    graph = helper.make_graph(c.nodes, c.name, inputs, outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", c.opset)],
                              producer_name="tfjs-gru tools/onnx_op_fixtures.py")
    model.ir_version = ir_version_for(c.opset)
    return model


def run_onnxruntime(model_bytes, feeds):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    sess = ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def run_reference(model, feeds):
    return ReferenceEvaluator(model).run(None, feeds)


def cross_check(c, model, feeds, got, numpy_check_name=None):
    """onnxruntime and a second implementation agree; returns which one checked (None: none could).

    The second is the reference evaluator, or the case's numpy formula where that evaluator is
    known to be wrong. When the reference evaluator cannot run the model (onnx 1.23.2 fails on
    grouped ConvTranspose, for one) the case stays unchecked and the manifest says so."""
    if c.numpy_check:
        ref, checker = c.numpy_check(feeds), numpy_check_name or c.check_name or "numpy float64"
    else:
        try:
            ref, checker = run_reference(model, feeds), f"onnx.reference.ReferenceEvaluator (onnx {onnx.__version__})"
        except Exception as e:  # noqa: BLE001
            print(f"onnx_op_fixtures: {c.name}: the reference evaluator cannot run it ({type(e).__name__}: {e}); "
                  "not cross-checked", file=sys.stderr)
            return None
    for name, a, b in zip(c.outputs, got, ref):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or (a.dtype != b.dtype and not c.numpy_check):
            raise RuntimeError(f"{c.name}: output {name}: the evaluator gives {a.dtype}{list(a.shape)}, "
                               f"the check ({checker}) {b.dtype}{list(b.shape)}")
        if a.dtype.kind == "f":
            tol = CROSS_CHECK_TOL * max(1.0, float(np.abs(b).max()) if b.size else 0.0)
            err = float(np.abs(a.astype(np.float64) - b).max()) if a.size else 0.0
            if err > tol:
                raise RuntimeError(f"{c.name}: output {name}: the evaluator and the check ({checker}) differ by {err:.3g}")
        elif not np.array_equal(a, b):
            raise RuntimeError(f"{c.name}: output {name}: the evaluator and the check ({checker}) differ")
    return checker


def check_sizes(c, arrays):
    for n, a in arrays:
        if np.asarray(a).size >= 2000:
            raise ValueError(f"{c.name}: tensor {n} has {np.asarray(a).size} elements (limit 2,000)")


def write_op_case(root, c):
    folder = os.path.join(root, c.name)
    os.makedirs(folder)
    feeds = {n: a for n, a in c.inputs}
    check_sizes(c, c.inputs + c.inits)
    draft = build_model(c)
    # the draft has untyped outputs (they are typed from the results below): not checked
    if c.reference_only:
        first = run_reference(draft, feeds)
    else:
        first = run_onnxruntime(draft.SerializeToString(), feeds)
    model = build_model(c, dict(zip(c.outputs, (np.asarray(a) for a in first))))
    onnx.checker.check_model(model, full_check=True)
    data = model.SerializeToString()
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(data)
    if c.reference_only:
        results = run_reference(model, feeds)
        evaluator = f"onnx.reference.ReferenceEvaluator (onnx {onnx.__version__}; onnxruntime refuses GRU layout=1)"
        checked_by = cross_check(c, model, feeds, results, "onnxruntime on the layout-0 GRU with transposes")
    else:
        results = run_onnxruntime(data, feeds)
        checked_by = cross_check(c, model, feeds, results)
        evaluator = f"onnxruntime {ort.__version__}"
    results = [np.asarray(a) for a in results]
    check_sizes(c, list(zip(c.outputs, results)))

    def entry(prefix, n, a):
        dtype = NP_TO_NAME[a.dtype]
        if dtype == "float32" and not np.all(np.isfinite(a)):
            raise ValueError(f"{c.name}: {n} is not finite")
        file = f"{prefix}_{n}.npy"
        save_npy(os.path.join(folder, file), a, dtype)
        return {"name": n, "file": f"{c.name}/{file}", "dtype": dtype, "shape": [int(s) for s in a.shape]}

    return {"name": c.name, "op": c.op, "opset": c.opset, "model": f"{c.name}/model.onnx",
            "inputs": [entry("in", n, np.asarray(a)) for n, a in c.inputs],
            "outputs": [entry("out", n, a) for n, a in zip(c.outputs, results)],
            "evaluator": evaluator, "crossCheckedBy": checked_by}


def all_cases():
    cases = [c for make in CASES for c in make()]
    names = [c.name for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"duplicate case names {sorted(dup)}")
    return cases


def make_onnx_op_fixtures(out):
    """Writes ``<out>/onnx_ops`` (replacing it); returns (case names, versions)."""
    root = os.path.join(out, GROUP)
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(root)
    versions = {"python": "%d.%d" % sys.version_info[:2], "numpy": np.__version__, "onnx": onnx.__version__,
                "onnxruntime": ort.__version__}
    entries = [write_op_case(root, c) for c in all_cases()]
    write_json(os.path.join(root, "manifest.json"), {"versions": versions, "cases": entries})
    return [e["name"] for e in entries], {"onnxruntime": ort.__version__}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="fixtures folder; only its onnx_ops/ is replaced")
    a = ap.parse_args()
    names, _ = make_onnx_op_fixtures(os.path.abspath(a.out))
    print(f"onnx_op_fixtures: wrote {len(names)} cases", file=sys.stderr)
