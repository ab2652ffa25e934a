"""Low-level TensorFlow's speed session: the reference's GradientTape step compiled with tf.function."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from probes.common.tensorflow_runtime import gpu_peak_mb, onednn_on, reset_gpu_peak
from probes.kinds.speed import ACCURACY_CASE, check_accuracy, measure_training
from probes.specs import MODELS, make_data
from probes.tensorflow import PROBE

POOL_SAMPLES = 4096


HOST_TO_DEVICE = "host tensors, copied to the device inside every timed step and inference"


STEP_ONLY = "step only"  # batches sliced before the clock, no metric: the step alone
AS_WRITTEN = "as written"  # the reference's own tf.data pipeline, inside the clock


class TensorFlowSession:
    """The reference's model and traced step, as a variant's options set them up: `jit_compile` (XLA) and
    `as_written` (batches from the reference's tf.data pipeline, made inside the clock, instead of tensors
    sliced before it). oneDNN is on or off for the whole process (TF_ENABLE_ONEDNN_OPTS, the variant's env)."""

    def __init__(self, model_name: str, settings: dict[str, Any], options: Mapping[str, Any] | None = None):
        import tensorflow as tf

        from probes.tensorflow import reference as ref

        self.tf, self.options = tf, dict(options or {})
        self.used = PROBE.device_info(settings["device"])["used"]
        reset_gpu_peak(self.used)  # this model's peak, not the earlier models' of this process
        self.batch_size = settings["batch_size"]
        tf.random.set_seed(settings["seed"])
        start = time.perf_counter()
        self.model = ref.build_model(model_name)
        optimizer = tf.keras.optimizers.Adam(learning_rate=MODELS[model_name].learning_rate)
        jit_compile = bool(self.options.get("jit_compile"))
        self.train_step = ref.make_train_step(self.model, optimizer, jit_compile=jit_compile)
        self.build_s = time.perf_counter() - start
        x, y = make_data(model_name, POOL_SAMPLES, settings["seed"])
        with tf.device("/CPU:0"):  # host data, copied to the device each step as with every framework here
            self.batches = [
                (tf.constant(x[i : i + self.batch_size]), tf.constant(y[i : i + self.batch_size]))
                for i in range(0, POOL_SAMPLES - self.batch_size + 1, self.batch_size)
            ]
            self.inputs = tf.constant(x)
        if self.options.get("as_written"):  # the reference's pipeline, reshuffled each epoch as a user's loop
            self.stream = iter(ref.make_dataset(x, y, self.batch_size).repeat())
        self.predict = tf.function(self.model.__call__)
        self.cursor = 0
        self.params = int(sum(v.shape.num_elements() for v in self.model.trainable_variables))

    def _next_batch(self) -> tuple[Any, Any]:
        if self.options.get("as_written"):
            return next(self.stream)
        batch = self.batches[self.cursor % len(self.batches)]
        self.cursor += 1
        return batch

    def steps(self, n: int) -> float:
        start = time.perf_counter()
        loss = None
        for _ in range(n):
            loss = self.train_step(*self._next_batch())
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


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    from probes.tensorflow import reference as ref

    if case == ACCURACY_CASE:
        return check_accuracy(ref.main, model_name, settings)
    session = TensorFlowSession(model_name, settings, variant["options"])
    measured = measure_training(session, model_name, settings)
    measured["samples"]["build_s"] = [session.build_s]
    measured["facts"].update(params=session.params, device=session.used, **session_facts(session))
    return measured


def session_facts(session: TensorFlowSession) -> dict[str, Any]:
    """How the step ran: compile mode, precision, what it timed, and each of the experts' settings by name."""
    jit = bool(session.options.get("jit_compile"))
    facts: dict[str, Any] = {
        "compile_mode": "tf.function(jit_compile=True): XLA" if jit else "tf.function: a graph, no XLA (the default)",
        "precision": PROBE.precision(session.used),
        "host_to_device": HOST_TO_DEVICE,
        "optimizer": "tf.keras.optimizers.Adam, applied in the traced step",
        "onednn": onednn_on(),
    }
    if session.options.get("as_written"):
        facts.update(timed_work=AS_WRITTEN, input_pipeline="the reference's tf.data pipeline (shuffle, batch)")
    else:
        facts.update(timed_work=STEP_ONLY, input_pipeline="tensors sliced into batches before the clock")
    return facts
