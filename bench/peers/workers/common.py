"""Shared by the Python workers of the peer benchmark (see bench/peers/spec.ts for the job and result format)."""
import ctypes
import json
import os
import re
import sys
import time

import numpy as np


def read_job():
    with open(sys.argv[1]) as f:
        return json.load(f)


def read_size(job, s):
    d = os.path.join(job["dataDir"], s["name"])
    return {k: np.load(os.path.join(d, k + ".npy")) for k in ("x", "kernel", "recurrent_kernel", "bias", "bias_ra")}


def _safe(s):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", s)


def write_output(job, variant, size, y):
    name = "%s.%s.%s.f32" % (_safe(job["peer"]), _safe(variant), size)
    np.ascontiguousarray(y, dtype="<f4").tofile(os.path.join(job["outDir"], name))
    return name


def write_result(job, result):
    with open(job["resultFile"], "w") as f:
        json.dump(result, f, indent=1)


def error_text(e):
    return ("%s: %s" % (type(e).__name__, e)).split("\n")[0][:300]


def measure(cands, runs, warmup, max_seconds):
    """cands: list of (key, fn). Warm-up, then rounds alternating between candidates, with a time budget each
    (as bench/peers/workers/measure.ts). Returns {key: {"timesMs": [...], "error": str|None}}."""
    out = {}
    live = []
    for key, fn in cands:
        out[key] = {"timesMs": [], "error": None}
        try:
            for _ in range(max(1, warmup)):
                t0 = time.perf_counter()
                fn()
                if time.perf_counter() - t0 > max_seconds / 4:
                    break
            live.append((key, fn))
        except Exception as e:  # noqa: BLE001 - reported in the table
            out[key]["error"] = error_text(e)
    for _ in range(runs):
        if not live:
            break
        for key, fn in list(live):
            m = out[key]
            try:
                t0 = time.perf_counter()
                fn()
                m["timesMs"].append((time.perf_counter() - t0) * 1e3)
            except Exception as e:  # noqa: BLE001
                m["error"] = error_text(e)
                live.remove((key, fn))
                continue
            if len(m["timesMs"]) >= runs or sum(m["timesMs"]) > max_seconds * 1e3:
                live.remove((key, fn))
    return out


def loaded_libraries(pattern):
    """Shared objects mapped into this process whose path matches pattern (from /proc/self/maps)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "/" in line}
    return sorted(p for p in paths if re.search(pattern, p))


def openblas_info():
    """'<library>: core <name>, <n> threads' for each OpenBLAS mapped into the process, asked through its C API."""
    info = []
    for path in loaded_libraries(r"libopenblas|libscipy_openblas"):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for corename, nthreads in (("openblas_get_corename", "openblas_get_num_threads"),
                                   ("scipy_openblas_get_corename64_", "scipy_openblas_get_num_threads64_")):
            if hasattr(lib, corename):
                f = getattr(lib, corename)
                f.restype = ctypes.c_char_p
                info.append("%s: core %s, %d threads" % (path, f().decode(), getattr(lib, nthreads)()))
                break
    return info


def matmul_gflops(matmul, make, n=512, reps=10):
    """GFLOP/s of an n x n float32 matmul (best of reps), to show which BLAS a process really runs."""
    a, b = make(n), make(n)
    for _ in range(2):
        matmul(a, b)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        matmul(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2 * n ** 3 / best / 1e9
