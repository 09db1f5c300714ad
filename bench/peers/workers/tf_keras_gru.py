"""Worker: TF-Python, tf_keras GRU (reset_after False and True) called inside a tf.function.

Forward: the layer on x. Train: GradientTape, gradients of sum(y) w.r.t. the kernel, recurrent kernel, bias and x.
Threads: tf.config.threading intra- and inter-op set to job.threads before TensorFlow starts.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import error_text, measure, read_job, read_size, write_output, write_result  # noqa: E402


def main():
    job = read_job()
    result = {"peer": job["peer"], "notes": [], "rows": []}
    try:
        import tensorflow as tf
        import tf_keras
        n = job["threads"]
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(n)
        tf.config.set_visible_devices([], "GPU")
    except Exception as e:  # noqa: BLE001
        result["unavailable"] = "cannot load tensorflow / tf_keras: " + error_text(e)
        write_result(job, result)
        return
    result["notes"].append("TensorFlow %s, tf_keras %s, intra/inter-op threads %d/%d, TF_ENABLE_ONEDNN_OPTS=%s" % (
        tf.__version__, tf_keras.__version__, tf.config.threading.get_intra_op_parallelism_threads(),
        tf.config.threading.get_inter_op_parallelism_threads(), os.environ.get("TF_ENABLE_ONEDNN_OPTS", "(default)")))
    for s in job["sizes"]:
        d = read_size(job, s)
        x = tf.constant(d["x"])
        layers = {}
        for variant, ra in (("reset_after=False", False), ("reset_after=True", True)):
            layer = tf_keras.layers.GRU(s["U"], return_sequences=True, reset_after=ra)
            layer.build((s["B"], s["T"], s["D"]))
            layer.set_weights([d["kernel"], d["recurrent_kernel"], d["bias_ra"] if ra else d["bias"]])
            layers[variant] = (layer, "ra" if ra else "rb")

        def make_forward(layer):
            return tf.function(lambda x: layer(x))

        def make_train(layer):
            @tf.function
            def step(x):
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    loss = tf.reduce_sum(layer(x, training=True))
                return loss, tape.gradient(loss, layer.trainable_weights + [x])
            return step

        for task in job["tasks"]:
            rows, cands = {}, []
            for variant, (layer, mode) in layers.items():
                row = {"variant": variant, "mode": mode, "size": s["name"], "task": task, "timesMs": []}
                rows[variant] = row
                result["rows"].append(row)
                try:
                    if task == "forward":
                        f = make_forward(layer)
                        row["outputFile"] = write_output(job, variant, s["name"], f(x).numpy())
                        cands.append((variant, lambda f=f: f(x).numpy()))
                    else:
                        f = make_train(layer)

                        def run(f=f):
                            loss, grads = f(x)
                            loss.numpy()
                            for g in grads:
                                g.numpy()
                        run()
                        cands.append((variant, run))
                except Exception as e:  # noqa: BLE001
                    row["error"] = error_text(e)
            for key, m in measure(cands, job["runs"], job["warmup"], job["maxSeconds"]).items():
                rows[key]["timesMs"] = m["timesMs"]
                if m["error"]:
                    rows[key]["error"] = m["error"]
    write_result(job, result)


if __name__ == "__main__":
    main()
