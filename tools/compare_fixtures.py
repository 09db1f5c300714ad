#!/usr/bin/env python3
"""Check that two fixture trees are equal up to float noise.

    python tools/compare_fixtures.py A B

* the same files (and, through manifest.json, the same case lists), apart from the hand-written
  top-level README.md;
* .npy: same dtype and shape, values within 1e-6 + 1e-5 · the array's largest |value|
  (why: see ATOL below; int32 exactly);
* .json: equal, numbers within the same tolerance, everything else exactly;
* TensorFlow checkpoints (a folder with model.ckpt.index): read with
  tf.train.load_checkpoint; the same variable names, dtypes and shapes, values
  within that tolerance (strings exactly); the index/data bytes themselves are not compared;
* .bin weight shards (tfjs): read as little-endian float32, within that tolerance;
* anything else: byte for byte.

Exits 1 and names every file and difference found (0 when equal).
"""
import json
import math
import os
import sys

import numpy as np

# |a − b| <= ATOL + RTOL·scale, scale = the largest |value| of the array (of the number
# itself in .json). TensorFlow's float32 reductions do not round the same from one run or
# one CPU to the next (oneDNN / Eigen pick the summation order by instruction set and
# threads): regenerated on a 2-core AVX-512/AMX machine, the gradients of the
# 16×50×64×128 case (sums over T·B = 800 steps, largest |value| 41) came out up to
# 7.6e-6 apart, and 6.2e-6 where the value itself was 1.42, twice in a row at other
# indices. Cancellation makes the error scale with the terms summed, not with the
# result, hence the array's scale. 1e-5 of it stays far below any change of the
# generator's math (and below the tests' own gradient tolerance, 1e-4).
ATOL = 1e-6
RTOL = 1e-5
TOL = f"{ATOL:g} + {RTOL:g}·max|array|"


# Written by hand, not by the generator (the licences of the third-party models, for one).
HAND_WRITTEN = {"README.md"}


def rel_files(root):
    out = set()
    for d, _, files in os.walk(root):
        for f in files:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out - HAND_WRITTEN


def cmp_arrays(a, b, what):
    if a.dtype != b.dtype:
        return [f"{what}: dtype {a.dtype} vs {b.dtype}"]
    if a.shape != b.shape:
        return [f"{what}: shape {list(a.shape)} vs {list(b.shape)}"]
    if a.dtype.kind in "fc":
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            same = np.array_equal(a, b, equal_nan=True)
            return [] if same else [f"{what}: non-finite values differ"]
        b64 = b.astype(np.float64)
        diff = np.abs(a.astype(np.float64) - b64)
        scale = float(np.abs(b64).max()) if b64.size else 0.0
        allowed = ATOL + RTOL * scale
        if diff.size and diff.max() > allowed:
            i = np.unravel_index(int(diff.argmax()), diff.shape)
            return [f"{what}: difference {diff.max():.3g} > {TOL} = {allowed:.3g} at index {list(map(int, i))} "
                    f"({a[i]!r} vs {b[i]!r}); {int((diff > allowed).sum())} of {diff.size} values differ"]
        return []
    if not np.array_equal(a, b):
        n = int((a != b).sum()) if a.shape == b.shape else -1
        return [f"{what}: values differ ({n} of {a.size})"]
    return []


def cmp_json(a, b, path):
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return [] if (a is b or (type(a) is type(b) and a == b)) else [f"{path}: {a!r} vs {b!r}"]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return [] if a == b else [f"{path}: {a!r} vs {b!r}"]
        if math.isfinite(a) and math.isfinite(b):
            allowed = ATOL + RTOL * abs(b)
            return [] if abs(a - b) <= allowed else [f"{path}: {a!r} vs {b!r} (difference {abs(a - b):.3g} > {allowed:.3g})"]
        return [] if a == b or (math.isnan(a) and math.isnan(b)) else [f"{path}: {a!r} vs {b!r}"]
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} {a!r} vs {type(b).__name__} {b!r}"]
    if isinstance(a, dict):
        errs = []
        if list(a) != list(b):
            ka, kb = set(a), set(b)
            if ka != kb:
                errs.append(f"{path}: keys only in A {sorted(ka - kb)}, only in B {sorted(kb - ka)}")
            else:
                errs.append(f"{path}: key order {list(a)} vs {list(b)}")
        for k in a:
            if k in b:
                errs += cmp_json(a[k], b[k], f"{path}.{k}")
        return errs
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: list length {len(a)} vs {len(b)} ({a!r:.200} vs {b!r:.200})"]
        errs = []
        for i, (x, y) in enumerate(zip(a, b)):
            errs += cmp_json(x, y, f"{path}[{i}]")
        return errs
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def cmp_checkpoint(pa, pb, what):
    import os as _os
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    try:
        ra, rb = tf.train.load_checkpoint(pa), tf.train.load_checkpoint(pb)
    except Exception as e:  # noqa: BLE001
        return [f"{what}: cannot load checkpoint: {e}"]
    sa, sb = ra.get_variable_to_shape_map(), rb.get_variable_to_shape_map()
    da, db = ra.get_variable_to_dtype_map(), rb.get_variable_to_dtype_map()
    errs = []
    if set(sa) != set(sb):
        errs.append(f"{what}: variables only in A {sorted(set(sa) - set(sb))}, only in B {sorted(set(sb) - set(sa))}")
    for name in sorted(set(sa) & set(sb)):
        if sa[name] != sb[name]:
            errs.append(f"{what}: variable {name}: shape {sa[name]} vs {sb[name]}")
            continue
        if da[name] != db[name]:
            errs.append(f"{what}: variable {name}: dtype {da[name].name} vs {db[name].name}")
            continue
        try:
            va = np.asarray(ra.get_tensor(name))
        except Exception as e:  # noqa: BLE001
            errs.append(f"{what}: variable {name}: cannot read from A: {str(e).splitlines()[0]}")
            continue
        try:
            vb = np.asarray(rb.get_tensor(name))
        except Exception as e:  # noqa: BLE001
            errs.append(f"{what}: variable {name}: cannot read from B: {str(e).splitlines()[0]}")
            continue
        if va.dtype.kind in "OSU":
            if not np.array_equal(va, vb):
                errs.append(f"{what}: variable {name}: values differ")
        else:
            errs += cmp_arrays(va, vb, f"{what}: variable {name}")
    return errs


def compare(a, b):
    fa, fb = rel_files(a), rel_files(b)
    errs = []
    for f in sorted(fa - fb):
        errs.append(f"{f}: only in {a}")
    for f in sorted(fb - fa):
        errs.append(f"{f}: only in {b}")
    ckpt_prefixes = {f[: -len(".index")] for f in fa & fb if f.endswith(".index")}
    for prefix in sorted(ckpt_prefixes):
        errs += cmp_checkpoint(os.path.join(a, prefix), os.path.join(b, prefix), prefix)
    for f in sorted(fa & fb):
        pa, pb = os.path.join(a, f), os.path.join(b, f)
        if any(f == p + ".index" or f.startswith(p + ".data-") for p in ckpt_prefixes):
            continue  # compared above by value
        if f.endswith(".npy"):
            try:
                va, vb = np.load(pa, allow_pickle=False), np.load(pb, allow_pickle=False)
            except Exception as e:  # noqa: BLE001
                errs.append(f"{f}: cannot read: {e}")
                continue
            errs += cmp_arrays(va, vb, f)
        elif f.endswith(".json"):
            try:
                with open(pa, encoding="utf-8") as fh:
                    ja = json.load(fh)
                with open(pb, encoding="utf-8") as fh:
                    jb = json.load(fh)
            except Exception as e:  # noqa: BLE001
                errs.append(f"{f}: cannot parse: {e}")
                continue
            errs += [f"{f}: {e}" for e in cmp_json(ja, jb, "$")]
        elif f.endswith(".bin"):
            ba, bb = open(pa, "rb").read(), open(pb, "rb").read()
            if len(ba) != len(bb) or len(ba) % 4:
                if ba != bb:
                    errs.append(f"{f}: {len(ba)} vs {len(bb)} bytes, contents differ")
            else:
                errs += cmp_arrays(np.frombuffer(ba, "<f4"), np.frombuffer(bb, "<f4"), f + " (as float32)")
        else:
            if open(pa, "rb").read() != open(pb, "rb").read():
                errs.append(f"{f}: contents differ")
    return errs


def main():
    if len(sys.argv) != 3:
        print("usage: compare_fixtures.py A B", file=sys.stderr)
        return 2
    a, b = sys.argv[1], sys.argv[2]
    for d in (a, b):
        if not os.path.isdir(d):
            print(f"compare_fixtures: {d} is not a folder", file=sys.stderr)
            return 2
    errs = compare(a, b)
    if errs:
        print(f"compare_fixtures: {a} and {b} differ ({len(errs)} difference(s)):", file=sys.stderr)
        for e in errs[:200]:
            print("  " + e, file=sys.stderr)
        if len(errs) > 200:
            print(f"  ... and {len(errs) - 200} more", file=sys.stderr)
        return 1
    print(f"compare_fixtures: {a} and {b} are equal ({len(rel_files(a))} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
