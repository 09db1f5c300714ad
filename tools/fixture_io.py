"""Storage helpers shared by the fixture generators (numpy only, no TensorFlow).

Contract (read by the TypeScript loader):
  * every tensor is a ``.npy`` file, format version 1.0, little-endian, C order,
    dtype ``<f4`` (float32) or ``<i4`` (int32) (``onnx_ops/`` also ``<i8`` int64 and ``|b1`` bool);
  * every case is a folder ``<out>/<group>/<name>/`` holding ``case.json``:
    ``{"name", "kind", "config", "tensors": {name: {"file", "shape", "dtype"}}}``.
"""
import json
import os
import zlib

import numpy as np

_DTYPES = {"float32": "<f4", "int32": "<i4", "int64": "<i8", "bool": "|b1"}  # int64/bool: onnx_ops only


def seed_for(name):
    """A stable per-case seed: adding or removing a case never changes another."""
    return zlib.crc32(name.encode("utf-8"))


def padded_uniform(rng, b, t, d, lengths):
    """[b, t, d] float32 uniform in [-1, 1) from ``rng`` (a numpy Generator), row i zero from step lengths[i] on."""
    x = rng.uniform(-1, 1, size=(b, t, d)).astype(np.float32)
    for i, n in enumerate(lengths):
        x[i, n:] = 0.0
    return x


def padded_tokens(rng, b, t, vocab, lengths):
    """[b, t] int32 token ids in [1, vocab), row i padded with 0 from step lengths[i] on."""
    x = rng.integers(1, vocab, size=(b, t)).astype(np.int32)
    for i, n in enumerate(lengths):
        x[i, n:] = 0
    return x


def cases_main(make_case, cases, **versions):
    """The command line of a per-case generator: ``--out DIR``; runs make_case(out, *c) for each case and
    prints ``{"cases": [names], <versions>}`` as JSON."""
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    names = [make_case(args.out, *c) for c in cases]
    print(json.dumps({"cases": names, **versions}))


def save_npy(path, array, dtype):
    # np.asarray(order="C"), not np.ascontiguousarray: that one turns a 0-d array into shape (1,)
    arr = np.asarray(np.asarray(array).astype(_DTYPES[dtype]), order="C")
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=(1, 0), allow_pickle=False)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def write_case(out, name, kind, config, tensors, extra_files=None):
    """Write ``out/<name>/`` with one .npy per tensor and case.json.

    ``tensors`` is an ordered list of ``(tensor_name, array, dtype)``.
    Returns the case folder.
    """
    folder = os.path.join(out, *name.split("/"))
    os.makedirs(folder, exist_ok=True)
    index = {}
    for tname, arr, dtype in tensors:
        if tname in index:
            raise ValueError(f"{name}: duplicate tensor {tname}")
        arr = np.asarray(arr)
        if dtype == "float32" and not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: tensor {tname} is not finite")
        fname = f"{tname}.npy"
        save_npy(os.path.join(folder, fname), arr, dtype)
        index[tname] = {"file": fname, "shape": [int(d) for d in arr.shape], "dtype": dtype}
    write_json(os.path.join(folder, "case.json"),
               {"name": name, "kind": kind, "config": config, "tensors": index})
    return folder
