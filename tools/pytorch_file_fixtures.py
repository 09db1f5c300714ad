#!/usr/bin/env python3
"""PyTorch model-file fixtures (run by tools/make_fixtures.py under Debian's python3-torch).

Writes, for nn.GRU models with seeded weights:
  * ``<out>/pytorch_files/<name>/model.safetensors``: the model's ``state_dict()`` in the
    safetensors format, written here by hand from the documented layout (the ``safetensors``
    package is not in Debian's python): 8-byte little-endian header length, a JSON header
    ``{name: {dtype, shape, data_offsets}}`` plus ``__metadata__``, space-padded to a multiple
    of 8 as ``safetensors.torch.save_file`` does, then the raw little-endian tensors;
  * ``<out>/onnx/<name>/model.onnx``: the same kind of model exported by ``torch.onnx.export``
    (ONNX GRU nodes with linear_before_reset=1);
  * with each a case.json (tools/fixture_io.py) holding the input ``x`` [B, T, D] and
    PyTorch's own output ``y`` [B, T, F] (batch_first).
  * ``pytorch_files/dtypes``: one tensor per safetensors dtype (F16, BF16, F64, I64, ...) with
    the values PyTorch itself gives when converting each to float32 / int32.
Prints one JSON line on stdout: ``{"pytorch_files": [...], "onnx": [...], "torch": "<version>"}``.
"""
import argparse
import io
import json
import os
import sys
import warnings

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import seed_for, write_case  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
F32 = np.float32

ST_DTYPES = {torch.float32: ("F32", 4), torch.float16: ("F16", 2), torch.bfloat16: ("BF16", 2),
             torch.float64: ("F64", 8), torch.int64: ("I64", 8), torch.int32: ("I32", 4),
             torch.int16: ("I16", 2), torch.int8: ("I8", 1), torch.uint8: ("U8", 1), torch.bool: ("BOOL", 1)}


def raw_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: its 16-bit patterns
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """tensors: ordered dict name -> torch.Tensor. Data in name order, header space-padded to 8."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        code, _ = ST_DTYPES[t.dtype]
        b = raw_bytes(t)
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for b in blobs:
            f.write(b)


class GruModel(torch.nn.Module):
    """An nn.GRU (batch_first) under `prefix`, optionally followed by an nn.Linear `head`."""

    def __init__(self, d, u, layers, bidirectional, head):
        super().__init__()
        self.gru = torch.nn.GRU(d, u, num_layers=layers, bidirectional=bidirectional, batch_first=True)
        self.head = torch.nn.Linear(u * (2 if bidirectional else 1), head) if head else None

    def forward(self, x):
        y, _ = self.gru(x)
        return self.head(y) if self.head is not None else y


# name, D, U, layers, bidirectional, Linear outputs (0: none), B, T
SAFETENSORS_CASES = [
    ("gru1", 3, 4, 1, False, 0, 2, 5),
    ("gru2", 3, 4, 2, False, 0, 2, 6),
    ("gru1_bidi", 2, 3, 1, True, 0, 3, 4),
    ("gru2_bidi_linear", 3, 4, 2, True, 2, 2, 5),
    ("gru1_linear", 4, 5, 1, False, 3, 2, 7),
]
ONNX_CASES = [
    ("torch_gru1", 3, 4, 1, False, 0, 2, 5),
    ("torch_gru2", 3, 4, 2, False, 0, 2, 6),
    ("torch_gru2_bidi_linear", 3, 4, 2, True, 2, 2, 5),
]


def build(name, d, u, layers, bidi, head, b, t):
    rng = np.random.default_rng(seed_for(name))
    model = GruModel(d, u, layers, bidi, head)
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, size=tuple(p.shape)).astype(F32)))
    x = rng.uniform(-1.0, 1.0, size=(b, t, d)).astype(F32)
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy()
    config = {"input_size": d, "hidden_size": u, "num_layers": layers, "bidirectional": bidi,
              "linear_out": head, "batch": b, "time": t}
    return model, x, y, config


def state_dict(model):
    """The model's state_dict, flattened as PyTorch names it (`gru.weight_ih_l0`, `head.weight`, ...)."""
    return {k: v for k, v in model.state_dict().items()}


def make_safetensors(out, case):
    name = case[0]
    model, x, y, config = build(f"pytorch_files/{name}", *case[1:])
    folder = write_case(out, f"pytorch_files/{name}", "pytorch_file", config,
                        [("x", x, "float32"), ("y", y, "float32")])
    # gru1: a bare nn.GRU's state_dict (no module prefix); the others: the whole model's
    sd = state_dict(model.gru) if name == "gru1" else state_dict(model)
    write_safetensors(os.path.join(folder, "model.safetensors"), sd, {"format": "pt"})
    return f"pytorch_files/{name}"


def make_dtypes(out):
    name = "pytorch_files/dtypes"
    rng = np.random.default_rng(seed_for(name))
    base = torch.from_numpy(rng.uniform(-3.0, 3.0, size=(2, 3)).astype(F32))
    tensors = {
        "f32": base.clone(),
        "f16": base.to(torch.float16),
        "bf16": base.to(torch.bfloat16),
        "f64": base.to(torch.float64) / 3.0,
        "i64": torch.tensor([[-5, 0, 7], [2 ** 31 - 1, -(2 ** 31), 3]], dtype=torch.int64),
        "i32": torch.tensor([1, -2, 3], dtype=torch.int32),
        "i16": torch.tensor([-300, 300], dtype=torch.int16),
        "i8": torch.tensor([-7, 7], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True], dtype=torch.bool),
        "empty": torch.zeros((0, 3), dtype=torch.float32),
    }
    # what PyTorch gives for each, as float32 / int32
    want = [(f"want_{k}", v.to(torch.float32).numpy(), "float32") for k, v in tensors.items()
            if v.dtype.is_floating_point and k != "empty"]
    want += [(f"want_{k}", v.to(torch.int32).numpy(), "int32") for k, v in tensors.items()
             if not v.dtype.is_floating_point]
    folder = write_case(out, name, "pytorch_file", {"dtypes": {k: ST_DTYPES[v.dtype][0] for k, v in tensors.items()}},
                        want)
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors, {"format": "pt", "note": "dtypes"})
    return name


def make_onnx_export(out, case):
    name = case[0]
    model, x, y, config = build(f"onnx/{name}", *case[1:])
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.from_numpy(x), buf, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch", 1: "time"}, "y": {0: "batch", 1: "time"}},
                          opset_version=14)
    config.update({"exporter": f"torch.onnx.export (torch {torch.__version__}, opset 14)", "layout": "x, y batch-major"})
    folder = write_case(out, f"onnx/{name}", "onnx", config, [("x", x, "float32"), ("y", y, "float32")])
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(buf.getvalue())
    return f"onnx/{name}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    st = [make_safetensors(args.out, c) for c in SAFETENSORS_CASES] + [make_dtypes(args.out)]
    ox = [make_onnx_export(args.out, c) for c in ONNX_CASES]
    print(json.dumps({"pytorch_files": st, "onnx": ox, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
