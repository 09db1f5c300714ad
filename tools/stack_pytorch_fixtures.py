#!/usr/bin/env python3
"""Multi-layer and bidirectional PyTorch nn.GRU fixtures (issue 11), run by
tools/make_fixtures.py under the Python that has torch (Debian's python3-torch).

Writes ``<out>/stacks/pytorch_*`` cases: the whole state_dict (PyTorch's own names),
x, h_0 [layers * dirs, B, U], the output, h_n and the gradients of
``sum(output * g) + sum(h_n * g_h)`` with respect to every parameter, x and h_0.
Prints one JSON line on stdout: ``{"cases": [...]}``.
"""
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import cases_main, seed_for, write_case  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
F32 = np.float32

# B, T, D, U, num_layers, bidirectional, batch_first, h0, bias
CASES = [
    (3, 5, 3, 4, 2, True, True, True, True),
    (2, 4, 2, 3, 3, False, False, False, True),
    (2, 4, 3, 2, 1, True, True, True, True),
    (2, 3, 2, 3, 2, True, False, True, False),
]


def uniform(rng, shape, lo, hi):
    return rng.uniform(lo, hi, size=shape).astype(F32)


def make_case(out, b, t, d, u, layers, bidi, batch_first, use_h0, bias):
    name = (f"stacks/pytorch_b{b}_t{t}_d{d}_u{u}_l{layers}{'_bidi' if bidi else ''}"
            f"{'_bf' if batch_first else '_tm'}{'_h0' if use_h0 else ''}{'' if bias else '_nobias'}")
    rng = np.random.default_rng(seed_for(name))
    dirs = 2 if bidi else 1
    gru = torch.nn.GRU(input_size=d, hidden_size=u, num_layers=layers, bias=bias, batch_first=batch_first,
                       bidirectional=bidi)
    sd = {}
    with torch.no_grad():
        for k, p in gru.named_parameters():
            v = uniform(rng, tuple(p.shape), -0.5, 0.5)
            p.copy_(torch.from_numpy(v))
            sd[k] = v
    x = uniform(rng, (b, t, d) if batch_first else (t, b, d), -1.0, 1.0)
    h0 = uniform(rng, (layers * dirs, b, u), -0.8, 0.8) if use_h0 else np.zeros((layers * dirs, b, u), F32)
    g = uniform(rng, ((b, t) if batch_first else (t, b)) + (dirs * u,), -1.0, 1.0)
    g_h = uniform(rng, (layers * dirs, b, u), -1.0, 1.0)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    h0t = torch.from_numpy(h0.copy()).requires_grad_(True)
    gru.eval()  # dropout is 0 anyway; inter-layer dropout is training-only
    output, hn = gru(xt, h0t)
    ((output * torch.from_numpy(g)).sum() + (hn * torch.from_numpy(g_h)).sum()).backward()
    tensors = [(k, v, "float32") for k, v in sd.items()]
    tensors += [("x", x, "float32"), ("g", g, "float32"), ("g_h", g_h, "float32")]
    if use_h0:
        tensors.append(("h0", h0, "float32"))
    tensors += [("output", output.detach().numpy(), "float32"), ("h_n", hn.detach().numpy(), "float32")]
    tensors += [(f"grad_{k}", p.grad.numpy(), "float32") for k, p in gru.named_parameters()]
    tensors += [("grad_x", xt.grad.numpy(), "float32"), ("grad_h0", h0t.grad.numpy(), "float32")]
    config = {"batch": b, "time": t, "input_dim": d, "units": u, "num_layers": layers, "bidirectional": bidi,
              "batch_first": batch_first, "initial_state": use_h0, "bias": bias, "state_dict": list(sd)}
    write_case(out, name, "pytorch_stack", config, tensors)
    return name


if __name__ == "__main__":
    cases_main(make_case, CASES, torch=torch.__version__)
