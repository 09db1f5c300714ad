"""Worker: PyTorch nn.GRU (reset-after), forward and a train step, on OpenBLAS.

Debian's python3-torch links libblas.so.3, which may be the reference BLAS (~30x slower). The orchestrator
starts this process with LD_PRELOAD set to OpenBLAS's libblas.so.3; this worker checks /proc/self/maps for
the BLAS that was really loaded, asks OpenBLAS for its core and threads, and times a 512^3 matmul.
Weights: Keras z | r | h columns -> PyTorch r | z | n rows, transposed (design.md section 2).
"""
import os

from common import (error_text, loaded_libraries, matmul_gflops, measure, openblas_info, read_job, read_size,
                    write_output, write_result)


def to_torch_rows(m, U):
    """[*, 3U] Keras columns z | r | h -> [3U, *] PyTorch rows r | z | n."""
    import numpy as np
    z, r, h = m[..., :U], m[..., U:2 * U], m[..., 2 * U:]
    return np.ascontiguousarray(np.concatenate([r, z, h], axis=-1).T)


def main():
    job = read_job()
    result = {"peer": job["peer"], "notes": [], "rows": []}
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        result["unavailable"] = "cannot import torch: " + error_text(e)
        write_result(job, result)
        return
    n = job["threads"]
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(n)
    except RuntimeError:
        pass
    blas = loaded_libraries(r"lib(open)?blas|libblis|libmkl")
    reference = [p for p in blas if "openblas" not in p and "blas" in os.path.basename(p)]
    gflops = matmul_gflops(torch.matmul, lambda k: torch.rand(k, k))
    result["notes"].append("PyTorch %s, torch threads %d (interop %d), LD_PRELOAD=%s" % (
        torch.__version__, torch.get_num_threads(), torch.get_num_interop_threads(), os.environ.get("LD_PRELOAD", "")))
    result["notes"].append("BLAS mapped: %s; %s; 512^3 matmul %.1f GFLOP/s" % (
        ", ".join(blas) or "none", "; ".join(openblas_info()) or "no OpenBLAS", gflops))
    if reference or not any("openblas" in p for p in blas):
        result["notes"].append("WARNING: PyTorch is NOT on OpenBLAS here (reference BLAS: %s)" % (", ".join(reference) or "?"))
    for s in job["sizes"]:
        d = read_size(job, s)
        U = s["U"]
        gru = torch.nn.GRU(s["D"], U, batch_first=True)
        with torch.no_grad():
            gru.weight_ih_l0.copy_(torch.from_numpy(to_torch_rows(d["kernel"], U)))
            gru.weight_hh_l0.copy_(torch.from_numpy(to_torch_rows(d["recurrent_kernel"], U)))
            gru.bias_ih_l0.copy_(torch.from_numpy(to_torch_rows(d["bias_ra"][0], U)))
            gru.bias_hh_l0.copy_(torch.from_numpy(to_torch_rows(d["bias_ra"][1], U)))
        x = torch.from_numpy(d["x"])
        params = list(gru.parameters())

        def forward():
            with torch.no_grad():
                return gru(x)[0].numpy()

        def train():
            xv = x.detach().clone().requires_grad_(True)
            loss = gru(xv)[0].sum()
            grads = torch.autograd.grad(loss, params + [xv])
            loss.item()
            return grads

        for task in job["tasks"]:
            row = {"variant": "nn.GRU", "mode": "ra", "size": s["name"], "task": task, "timesMs": []}
            result["rows"].append(row)
            try:
                if task == "forward":
                    row["outputFile"] = write_output(job, "nn.GRU", s["name"], forward())
                m = measure([("nn.GRU", forward if task == "forward" else train)], job["runs"], job["warmup"],
                            job["maxSeconds"])["nn.GRU"]
                row["timesMs"] = m["timesMs"]
                if m["error"]:
                    row["error"] = m["error"]
            except Exception as e:  # noqa: BLE001
                row["error"] = error_text(e)
    write_result(job, result)


if __name__ == "__main__":
    main()
