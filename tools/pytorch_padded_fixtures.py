#!/usr/bin/env python3
"""Padded PyTorch batches (issue 21), run by tools/make_fixtures.py under the Python that
has torch (Debian's python3-torch).

For nn.GRU stacks with seeded weights, a padded batch x whose steps past each sequence's
length hold random values (which must not matter), run as PyTorch users run it:
``pack_padded_sequence(x, lengths, batch_first=…, enforce_sorted=False)`` → ``gru(packed, h_0)``
→ ``pad_packed_sequence(…, total_length=T)``. Writes ``<out>/pytorch_padded/<name>/``: the
state_dict (PyTorch's names), x, ``lengths`` (int32), h_0 when given, ``output`` (zeros past
each length) and ``h_n`` (each sequence's state at its last valid step; the reverse direction's
after step 0). Prints one JSON line on stdout: ``{"cases": [...]}``.
"""
import os
import sys

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import cases_main, seed_for, write_case  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
F32 = np.float32

# B, T, D, U, num_layers, bidirectional, batch_first, h0, lengths
CASES = [
    (4, 6, 3, 5, 2, True, True, True, [6, 2, 4, 1]),
    (3, 5, 2, 4, 3, False, False, False, [3, 5, 1]),
    (3, 4, 3, 3, 1, True, False, False, [4, 4, 2]),
    (2, 5, 2, 3, 1, False, True, True, [5, 3]),
]


def make_case(out, b, t, d, u, layers, bidi, batch_first, use_h0, lengths):
    name = (f"pytorch_padded/b{b}_t{t}_d{d}_u{u}_l{layers}{'_bidi' if bidi else ''}"
            f"{'_bf' if batch_first else '_tm'}{'_h0' if use_h0 else ''}")
    rng = np.random.default_rng(seed_for(name))
    dirs = 2 if bidi else 1
    gru = torch.nn.GRU(input_size=d, hidden_size=u, num_layers=layers, batch_first=batch_first, bidirectional=bidi)
    sd = {}
    with torch.no_grad():
        for k, p in gru.named_parameters():
            v = rng.uniform(-0.5, 0.5, size=tuple(p.shape)).astype(F32)
            p.copy_(torch.from_numpy(v))
            sd[k] = v
    x = rng.uniform(-1.0, 1.0, size=(b, t, d) if batch_first else (t, b, d)).astype(F32)
    h0 = rng.uniform(-0.8, 0.8, size=(layers * dirs, b, u)).astype(F32) if use_h0 else None
    lengths = np.array(lengths, np.int32)
    gru.eval()
    with torch.no_grad():
        packed = pack_padded_sequence(torch.from_numpy(x), torch.from_numpy(lengths.astype(np.int64)),
                                      batch_first=batch_first, enforce_sorted=False)
        out_packed, hn = gru(packed, None if h0 is None else torch.from_numpy(h0))
        output, _ = pad_packed_sequence(out_packed, batch_first=batch_first, total_length=t)
    tensors = [(k, v, "float32") for k, v in sd.items()]
    tensors += [("x", x, "float32"), ("lengths", lengths, "int32")]
    if h0 is not None:
        tensors.append(("h0", h0, "float32"))
    tensors += [("output", output.numpy(), "float32"), ("h_n", hn.numpy(), "float32")]
    config = {"batch": b, "time": t, "input_dim": d, "units": u, "num_layers": layers, "bidirectional": bidi,
              "batch_first": batch_first, "initial_state": use_h0, "lengths": lengths.tolist(), "state_dict": list(sd),
              "run": "pack_padded_sequence(enforce_sorted=False) -> gru -> pad_packed_sequence(total_length=T)"}
    write_case(out, name, "pytorch_padded", config, tensors)
    return name


if __name__ == "__main__":
    cases_main(make_case, CASES, torch=torch.__version__)
