#!/usr/bin/env python3
"""A g2p-en-like .npz (issue 21), run by tools/make_fixtures.py under the Python that has
torch (Debian's python3-torch).

g2p-en ships its GRU encoder-decoder as ``checkpoint20.npz`` (np.savez of float32 arrays):
``enc_emb`` [29, E], ``enc_w_ih`` [3H, E], ``enc_w_hh`` [3H, H], ``enc_b_ih`` [3H],
``enc_b_hh`` [3H], the same five ``dec_*`` with ``dec_emb`` [74, E], and ``fc_w`` [74, H],
``fc_b`` [74]; in the real file E = H = 256. Its GRU cell is written in numpy with
PyTorch's layout (gate rows r | z | n, reset after). This writes the same names and layout
with E = H = 16 and seeded weights into ``<out>/pytorch_npz/g2p_like/``:
  * ``checkpoint20.npz`` as np.savez writes it (stored entries, zip64 extras), with the zip
    timestamps fixed so that regenerating reproduces the bytes;
  * ``checkpoint20_compressed.npz`` as np.savez_compressed writes it (deflated);
  * case.json: token ids, the embedded encoder input ``x`` [B, T, E], the encoder run by
    torch.nn.GRU loaded with the enc_* arrays (``enc_output``, ``enc_h_n``), the same
    encoder run by g2p-en's numpy cell (``numpy_enc_h``: its final state), and the decoder
    (``dec_x``, ``dec_output``, ``dec_h_n``, ``logits`` = fc(dec_output)) started from the
    encoder's final state, as g2p-en does.
Prints one JSON line on stdout: ``{"cases": [...]}``.
"""
import argparse
import json
import os
import sys
import zipfile

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import seed_for, write_case  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
F32 = np.float32
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
G, P = 29, 74  # g2p-en's grapheme and phoneme vocabulary sizes


def write_npz(path, arrays, compress):
    """np.savez / np.savez_compressed's layout (one <name>.npy per array, zip64 extras), fixed timestamps."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", compression=method, allowZip64=True) as zf:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=FIXED_TIME)
            info.compress_type = method
            with zf.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(arr), allow_pickle=False)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_grucell(x, h, w_ih, w_hh, b_ih, b_hh):
    """g2p-en's GRU cell (numpy, float32): PyTorch's equations on its layout."""
    rzn_ih = np.matmul(x, w_ih.T) + b_ih
    rzn_hh = np.matmul(h, w_hh.T) + b_hh
    k = rzn_ih.shape[-1] * 2 // 3
    rz = sigmoid(rzn_ih[:, :k] + rzn_hh[:, :k])
    r, z = np.split(rz, 2, -1)
    n = np.tanh(rzn_ih[:, k:] + r * rzn_hh[:, k:])
    return ((1 - z) * n + z * h).astype(F32)


def torch_gru(arrays, prefix, e, h):
    gru = torch.nn.GRU(e, h, batch_first=True)
    with torch.no_grad():
        for role in ("w_ih", "w_hh", "b_ih", "b_hh"):
            name = {"w_ih": "weight_ih_l0", "w_hh": "weight_hh_l0", "b_ih": "bias_ih_l0", "b_hh": "bias_hh_l0"}[role]
            getattr(gru, name).copy_(torch.from_numpy(arrays[f"{prefix}_{role}"]))
    return gru.eval()


def make_g2p_like(out, e=16, h=16, b=3, t=7, t_dec=5):
    name = "pytorch_npz/g2p_like"
    rng = np.random.default_rng(seed_for(name))
    u = lambda *shape: rng.uniform(-0.5, 0.5, size=shape).astype(F32)  # noqa: E731
    arrays = {
        "enc_emb": u(G, e), "enc_w_ih": u(3 * h, e), "enc_w_hh": u(3 * h, h), "enc_b_ih": u(3 * h), "enc_b_hh": u(3 * h),
        "dec_emb": u(P, e), "dec_w_ih": u(3 * h, e), "dec_w_hh": u(3 * h, h), "dec_b_ih": u(3 * h), "dec_b_hh": u(3 * h),
        "fc_w": u(P, h), "fc_b": u(P),
    }
    folder = os.path.join(out, *name.split("/"))
    os.makedirs(folder, exist_ok=True)
    write_npz(os.path.join(folder, "checkpoint20.npz"), arrays, compress=False)
    write_npz(os.path.join(folder, "checkpoint20_compressed.npz"), arrays, compress=True)

    tokens = rng.integers(0, G, size=(b, t)).astype(np.int32)
    x = arrays["enc_emb"][tokens]
    with torch.no_grad():
        enc_output, enc_h_n = torch_gru(arrays, "enc", e, h)(torch.from_numpy(x))
    hh = np.zeros((b, h), F32)
    for step in range(t):
        hh = numpy_grucell(x[:, step], hh, arrays["enc_w_ih"], arrays["enc_w_hh"], arrays["enc_b_ih"], arrays["enc_b_hh"])
    dec_tokens = rng.integers(0, P, size=(b, t_dec)).astype(np.int32)
    dec_x = arrays["dec_emb"][dec_tokens]
    with torch.no_grad():
        dec_output, dec_h_n = torch_gru(arrays, "dec", e, h)(torch.from_numpy(dec_x), enc_h_n)
        logits = torch.nn.functional.linear(dec_output, torch.from_numpy(arrays["fc_w"]), torch.from_numpy(arrays["fc_b"]))
    tensors = [("tokens", tokens, "int32"), ("x", x, "float32"), ("enc_output", enc_output.numpy(), "float32"),
               ("enc_h_n", enc_h_n.numpy(), "float32"), ("numpy_enc_h", hh, "float32"),
               ("dec_tokens", dec_tokens, "int32"), ("dec_x", dec_x, "float32"),
               ("dec_output", dec_output.numpy(), "float32"), ("dec_h_n", dec_h_n.numpy(), "float32"),
               ("logits", logits.numpy(), "float32")]
    config = {"like": "g2p-en checkpoint20.npz (E = H = 256 there)", "emb": e, "hidden": h, "graphemes": G, "phonemes": P,
              "batch": b, "time": t, "dec_time": t_dec, "files": ["checkpoint20.npz", "checkpoint20_compressed.npz"],
              "arrays": {k: list(v.shape) for k, v in arrays.items()}}
    write_case(out, name, "pytorch_npz", config, tensors)
    return name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    names = [make_g2p_like(args.out)]
    print(json.dumps({"cases": names, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
