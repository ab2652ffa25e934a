"""Measure low-level TensorFlow: the reference's GradientTape step compiled with tf.function."""

from __future__ import annotations

import time
from typing import Any

from probes.correctness import with_accuracy
from probes.specs import make_data
from probes.timing import measure_training

POOL_SAMPLES = 4096


def cases(models: list[str]) -> list[tuple[str, str]]:
    return [(model, "") for model in models]


def import_framework() -> dict[str, str]:
    import tensorflow as tf

    return {"tensorflow": tf.__version__}


def configure_threads(n: int) -> dict[str, Any]:
    """TensorFlow's intra-op pool set to n (before any op runs); shared with Keras on TensorFlow."""
    import tensorflow as tf

    default = tf.config.threading.get_intra_op_parallelism_threads()
    tf.config.threading.set_intra_op_parallelism_threads(n)
    return {
        "default_intra_op": default or "all cores (0)",
        "intra_op": n,
        "inter_op": tf.config.threading.get_inter_op_parallelism_threads() or "all cores (0)",
    }


def device_info(preference: str) -> dict[str, Any]:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    info: dict[str, Any] = {"gpus_visible": len(gpus), "used": "gpu" if gpus and preference != "cpu" else "cpu"}
    if info["used"] == "gpu":
        details = tf.config.experimental.get_device_details(gpus[0])
        info["gpu_name"] = details.get("device_name")
        info["synchronised"] = "a result copied to the host before every clock stop"
    return info


def gpu_peak_mb(used: str) -> float | None:
    """TensorFlow's peak GPU memory since start, in MB; None on the CPU."""
    if used != "gpu":
        return None
    import tensorflow as tf

    return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20


class TensorFlowSession:
    def __init__(self, model_name: str, settings: dict[str, Any]):
        import tensorflow as tf

        from probes.reference import tensorflow_reference as ref

        self.tf = tf
        self.used = device_info(settings["device"])["used"]
        self.batch_size = settings["batch_size"]
        tf.random.set_seed(settings["seed"])
        start = time.perf_counter()
        self.model = ref.build_model(model_name)
        optimizer = ref.Adam(self.model.trainable_variables)
        self.train_step = ref.make_train_step(self.model, optimizer)
        self.build_s = time.perf_counter() - start
        x, y = make_data(model_name, POOL_SAMPLES, settings["seed"])
        self.batches = [
            (tf.constant(x[i : i + self.batch_size]), tf.constant(y[i : i + self.batch_size]))
            for i in range(0, POOL_SAMPLES - self.batch_size + 1, self.batch_size)
        ]
        self.inputs = tf.constant(x)
        self.predict = tf.function(self.model.__call__)
        self.cursor = 0
        self.params = int(sum(v.shape.num_elements() for v in self.model.trainable_variables))

    def steps(self, n: int) -> float:
        start = time.perf_counter()
        loss = None
        for _ in range(n):
            inputs, labels = self.batches[self.cursor % len(self.batches)]
            self.cursor += 1
            loss = self.train_step(inputs, labels)
        float(loss)  # wait for the device before the clock stops
        return time.perf_counter() - start

    def first_step(self) -> float:
        return self.steps(1)

    def infer(self, rows: int) -> float:
        batch = self.inputs[:rows]
        start = time.perf_counter()
        self.predict(batch).numpy()
        return time.perf_counter() - start

    def device_peak_mb(self) -> float | None:
        return gpu_peak_mb(self.used)


def measure(model_name: str, case: str, settings: dict[str, Any]) -> dict[str, Any]:
    from probes.reference import tensorflow_reference as ref

    session = TensorFlowSession(model_name, settings)
    measured = measure_training(session, model_name, settings)
    measured["samples"]["build_s"] = [session.build_s]
    measured["facts"].update(params=session.params, device=session.used)
    return with_accuracy(measured, ref.main, model_name, settings)
