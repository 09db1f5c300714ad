#!/usr/bin/env python3
"""The streaming model of ``onnx_models/streaming_small`` (issue 17), run under Debian's python3-torch
by tools/onnx_model_fixtures.py.

One call is one frame (batch 1): the Conv1d sees the frame after the cache of the last k-1 input
frames (a graph input, returned updated as a graph output), its ReLU output goes through a GRU whose
state ``h`` is a graph input and output, then Linear + Sigmoid. Weights and frames come from
``numpy.random.default_rng(crc32("onnx_models/streaming_small"))``. Writes the model exported by
``torch.onnx.export`` and, into ``--reference``, PyTorch's own outputs frame by frame with the
state fed back (``x_TT.npy``, ``<output>_TT.npy``). Prints one JSON line describing the graph.
"""
import argparse
import io
import json
import os
import sys
import warnings

import numpy as np
import torch
from torch import nn

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import seed_for  # noqa: E402

torch.set_num_threads(1)
warnings.filterwarnings("ignore")  # the exporter's notes on GRU batch sizes and shape inference
torch.use_deterministic_algorithms(True)

NAME = "onnx_models/streaming_small"
OPSET = 17
FEATURES, CHANNELS, KERNEL, HIDDEN, OUT = 8, 6, 3, 10, 5


class StreamingSmall(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(FEATURES, CHANNELS, KERNEL)
        self.gru = nn.GRU(CHANNELS, HIDDEN, batch_first=True)
        self.fc = nn.Linear(HIDDEN, OUT)

    def forward(self, x, conv_cache, h):
        """x [1, 1, F] (one frame), conv_cache [1, F, K-1], h [1, 1, H]."""
        window = torch.cat([conv_cache, x.transpose(1, 2)], dim=2)       # [1, F, K]
        c = torch.relu(self.conv(window))                                 # [1, C, 1]
        y, h_out = self.gru(c.transpose(1, 2), h)                         # [1, 1, H], [1, 1, H]
        return torch.sigmoid(self.fc(y)), window[:, :, 1:], h_out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--frames", type=int, required=True)
    ap.add_argument("--reference", required=True)
    a = ap.parse_args()
    rng = np.random.default_rng(seed_for(NAME))
    model = StreamingSmall().eval()
    with torch.no_grad():
        for p in model.parameters():  # named_parameters order: conv, gru, fc
            p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, size=tuple(p.shape)).astype(np.float32)))
    inputs, outputs = ["x", "conv_cache", "h"], ["y", "conv_cache_out", "h_out"]
    shapes = {"x": [1, 1, FEATURES], "conv_cache": [1, FEATURES, KERNEL - 1], "h": [1, 1, HIDDEN]}
    zeros = [torch.zeros(*shapes[n]) for n in inputs]
    buf = io.BytesIO()
    torch.onnx.export(model, tuple(zeros), buf, input_names=inputs, output_names=outputs, opset_version=OPSET)
    with open(a.model, "wb") as f:
        f.write(buf.getvalue())
    state = zeros[1:]
    with torch.no_grad():
        for t in range(a.frames):
            x = rng.uniform(-1.0, 1.0, size=shapes["x"]).astype(np.float32)
            np.save(os.path.join(a.reference, f"x_{t:02d}.npy"), x)
            y, cache, h = model(torch.from_numpy(x), *state)
            for n, v in zip(outputs, (y, cache, h)):
                np.save(os.path.join(a.reference, f"{n}_{t:02d}.npy"), v.numpy())
            state = [cache, h]
    print(json.dumps({"inputs": inputs, "outputs": outputs, "feedback": {"conv_cache": "conv_cache_out", "h": "h_out"},
                      "shapes": shapes, "opset": OPSET, "torch": torch.__version__,
                      "exporter": f"torch.onnx.export (torch {torch.__version__}, opset {OPSET})",
                      "architecture": f"cat(conv_cache [1,{FEATURES},{KERNEL - 1}], x^T) -> Conv1d({FEATURES}->{CHANNELS}, "
                                      f"k={KERNEL}, no padding) -> ReLU -> GRU({CHANNELS}->{HIDDEN}, batch_first, h) -> "
                                      f"Linear({HIDDEN}->{OUT}) -> Sigmoid; conv_cache_out = the window's last "
                                      f"{KERNEL - 1} frames"}))


if __name__ == "__main__":
    main()
