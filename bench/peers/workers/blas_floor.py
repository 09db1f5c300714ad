"""Worker: the BLAS floor. numpy (OpenBLAS) float32 matmuls of a GRU's shapes, nothing else.

Forward: the input projection [B*T, D] x [D, 3U] and T recurrent matmuls [B, U] x [U, 3U].
Train: forward, plus the gradient matmuls: dX = dG [B*T, 3U] x W^T, dW = X^T x dG, T recurrent
dH_t = dG_t [B, 3U] x R^T, and dR = H^T [U, B*T] x dG. Elementwise work (gates, activations) is left out, so this
is a lower bound on what any GRU that uses this BLAS can take. Outputs are preallocated (out=).
"""
import numpy as np

from common import measure, openblas_info, read_job, read_size, write_result, matmul_gflops


def main():
    job = read_job()
    result = {"peer": job["peer"], "notes": [], "rows": []}
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    result["notes"].append("numpy %s, BLAS %s %s; %s; 512^3 matmul %.1f GFLOP/s" % (
        np.__version__, blas.get("name"), blas.get("version"), "; ".join(openblas_info()) or "OpenBLAS not found",
        matmul_gflops(np.matmul, lambda k: np.random.rand(k, k).astype(np.float32))))
    for s in job["sizes"]:
        d = read_size(job, s)
        B, T, D, U = s["B"], s["T"], s["D"], s["U"]
        X = np.ascontiguousarray(d["x"].reshape(B * T, D))
        W, R = d["kernel"], d["recurrent_kernel"]
        Wt, Rt = np.ascontiguousarray(W.T), np.ascontiguousarray(R.T)
        G = np.empty((B * T, 3 * U), np.float32)
        h = np.random.rand(B, U).astype(np.float32)
        gh = np.empty((B, 3 * U), np.float32)
        H = np.random.rand(U, B * T).astype(np.float32)
        dG = np.random.rand(B * T, 3 * U).astype(np.float32)
        dGt = np.random.rand(B, 3 * U).astype(np.float32)
        dX, dW, dR, dh = (np.empty((B * T, D), np.float32), np.empty((D, 3 * U), np.float32),
                          np.empty((U, 3 * U), np.float32), np.empty((B, U), np.float32))

        def forward():
            np.matmul(X, W, out=G)
            for _ in range(T):
                np.matmul(h, R, out=gh)

        def train():
            forward()
            for _ in range(T):
                np.matmul(dGt, Rt, out=dh)
            np.matmul(dG, Wt, out=dX)
            np.matmul(X.T, dG, out=dW)
            np.matmul(H, dG, out=dR)

        for task in job["tasks"]:
            m = measure([("matmuls", forward if task == "forward" else train)], job["runs"], job["warmup"],
                        job["maxSeconds"])["matmuls"]
            row = {"variant": "matmuls", "mode": "none", "size": s["name"], "task": task, "timesMs": m["timesMs"]}
            if m["error"]:
                row["error"] = m["error"]
            result["rows"].append(row)
    write_result(job, result)


if __name__ == "__main__":
    main()
