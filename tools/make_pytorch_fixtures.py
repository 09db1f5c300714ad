#!/usr/bin/env python3
"""PyTorch nn.GRU reference fixtures (run by tools/make_fixtures.py).

Runs under the Python that has torch: Debian's python3-torch for /usr/bin/python3
(tools/fixtures.sh installs it with apt when missing), with Debian's numpy. Writes
``<out>/pytorch/<name>/`` cases and prints one JSON line on stdout:
``{"cases": [...], "torch": "<version>", "numpy": "<version>"}``.
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

# B, T, D, U, initial_state
CASES = [
    (1, 1, 1, 1, False),
    (2, 5, 3, 4, False),
    (2, 5, 3, 4, True),
    (3, 6, 2, 5, True),
    (4, 7, 6, 3, False),
    (1, 4, 1, 2, True),
]


def uniform(rng, shape, lo, hi):
    return rng.uniform(lo, hi, size=shape).astype(F32)


def make_case(out, b, t, d, u, use_h0):
    name = f"pytorch/b{b}_t{t}_d{d}_u{u}" + ("_h0" if use_h0 else "")
    rng = np.random.default_rng(seed_for(name))
    w = {
        "weight_ih_l0": uniform(rng, (3 * u, d), -0.5, 0.5),
        "weight_hh_l0": uniform(rng, (3 * u, u), -0.5, 0.5),
        "bias_ih_l0": uniform(rng, (3 * u,), -0.5, 0.5),
        "bias_hh_l0": uniform(rng, (3 * u,), -0.5, 0.5),
    }
    x = uniform(rng, (b, t, d), -1.0, 1.0)
    h0 = uniform(rng, (b, u), -0.8, 0.8) if use_h0 else np.zeros((b, u), F32)
    g = uniform(rng, (b, t, u), -1.0, 1.0)

    gru = torch.nn.GRU(input_size=d, hidden_size=u, num_layers=1, bias=True, batch_first=True)
    with torch.no_grad():
        for k, v in w.items():
            getattr(gru, k).copy_(torch.from_numpy(v))
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    h0t = torch.from_numpy(h0.copy()).requires_grad_(True)
    output, hn = gru(xt, h0t.unsqueeze(0))
    (output * torch.from_numpy(g)).sum().backward()
    if not use_h0:
        # grad_h0 is then the gradient w.r.t. the default zero state; check it is the default
        with torch.no_grad():
            default_out, default_hn = gru(torch.from_numpy(x.copy()))
        if not (torch.equal(default_out, output.detach()) and torch.equal(default_hn, hn.detach())):
            raise RuntimeError(f"{name}: an explicit zero initial state differs from the default")
    tensors = [(k, v, "float32") for k, v in w.items()]
    tensors.append(("x", x, "float32"))
    if use_h0:
        tensors.append(("h0", h0, "float32"))
    tensors += [("g", g, "float32"), ("output", output.detach().numpy(), "float32"),
                ("final_state", hn.detach().squeeze(0).numpy(), "float32")]
    tensors += [(f"grad_{k}", getattr(gru, k).grad.numpy(), "float32") for k in w]
    tensors += [("grad_x", xt.grad.numpy(), "float32"), ("grad_h0", h0t.grad.numpy(), "float32")]
    config = {"batch": b, "time": t, "input_dim": d, "units": u, "initial_state": use_h0}
    write_case(out, name, "pytorch", config, tensors)
    return name


if __name__ == "__main__":
    cases_main(make_case, CASES, torch=torch.__version__, numpy=np.__version__)
