"""Keras 3's speed session, on whichever backend KERAS_BACKEND names: the reference's own model.fit.

fit() is timed as a user runs it: a callback notes only when each epoch begins and ends (one epoch
per timed window), so Keras keeps its asynchronous dispatch of per-batch callbacks on the backends
that have it; a per-batch callback would make every step wait for the host. The epoch's loss is
read at its end, which waits for the device. The compile mode is what compile() resolves
jit_compile="auto" to (no XLA on a CPU-only TensorFlow machine, XLA on a GPU, eager on PyTorch,
always jax.jit on JAX), or True for the variant that switches XLA on.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from probes.keras import PROBE, gpu_peak_mb
from probes.kinds.speed import ACCURACY_CASE, check_accuracy, measure_training
from probes.specs import make_data

POOL_SAMPLES = 4096


class EpochClock:
    """A Keras callback that notes when each epoch begins and ends, waiting for the epoch's loss."""

    def __init__(self):
        import keras

        outer = self

        class _Callback(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
                outer.began.append(time.perf_counter())

            def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
                float((logs or {}).get("loss", 0.0))  # a host value: the device has finished the epoch
                outer.ended.append(time.perf_counter())

        self.callback = _Callback()
        self.began: list[float] = []
        self.ended: list[float] = []

    def reset(self) -> None:
        self.began, self.ended = [], []


def compile_words(backend: str, jit_compile: bool, switched_on: bool) -> str:
    """How fit() runs the step, in words: what jit_compile resolved to, and why."""
    if switched_on:
        return f"fit() with jit_compile=True: XLA ({backend} backend)"
    if backend == "tensorflow":
        mode = "an XLA-compiled tf.function" if jit_compile else "a tf.function graph, no XLA"
        return f"fit(): {mode} (jit_compile='auto', the default, resolved to {jit_compile})"
    if backend == "jax":
        return "fit(): jax.jit, XLA (jit_compile='auto' resolves to True on JAX)"
    return f"fit(): {'torch.compile' if jit_compile else 'eager'} (jit_compile='auto' resolved to {jit_compile})"


class KerasSession:
    def __init__(self, model_name: str, settings: dict[str, Any], jit_compile: bool | None = None):
        import keras

        from probes.keras import reference as ref

        self.keras = keras
        self.backend = keras.backend.backend()
        self.used = PROBE.device_info(settings["device"])["used"]
        self.batch_size = settings["batch_size"]
        keras.utils.set_random_seed(settings["seed"])
        start = time.perf_counter()
        self.model = ref.build_model(model_name)
        ref.compile_model(self.model)
        if jit_compile is not None:
            self.model.jit_compile = jit_compile  # the switch a user flips in compile(jit_compile=True)
        self.build_s = time.perf_counter() - start
        self.compile_mode = compile_words(self.backend, bool(self.model.jit_compile), jit_compile is not None)
        self.x, self.y = make_data(model_name, POOL_SAMPLES, settings["seed"])
        self.cursor = 0
        self.clock = EpochClock()
        self.params = int(self.model.count_params())

    def _fit(self, steps: int) -> None:
        # One fit() per window, one epoch. Timing the windows as the epochs of one fit() was tried: every
        # other epoch of the CNN then ran about 40% slower (Keras 3.15 on TensorFlow 2.21, on this CPU;
        # the cause was not traced), which one fit() per window does not show.
        rows = np.arange(self.cursor, self.cursor + steps * self.batch_size) % POOL_SAMPLES
        self.cursor += steps * self.batch_size
        self.clock.reset()
        self.model.fit(
            self.x[rows],
            self.y[rows],
            batch_size=self.batch_size,
            epochs=1,
            shuffle=False,
            verbose=0,
            callbacks=[self.clock.callback],
        )

    def first_step(self) -> float:
        # From the call of fit() to the end of its first (one-batch) epoch: tracing and compilation included.
        start = time.perf_counter()
        self._fit(1)
        return self.clock.ended[-1] - start

    def steps(self, n: int) -> float:
        # From the epoch's start to its end: fit()'s per-call setup (data adapter, callbacks) excluded.
        self._fit(n)
        return self.clock.ended[-1] - self.clock.began[-1]

    def infer(self, rows: int) -> float:
        batch = self.x[:rows]
        start = time.perf_counter()
        np.asarray(self.model.predict_on_batch(batch))  # a host copy: the device has finished
        return time.perf_counter() - start

    def device_peak_mb(self) -> float | None:
        return gpu_peak_mb(self.backend, self.used)


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    from probes.keras import reference as ref

    if case == ACCURACY_CASE:
        return check_accuracy(ref.main, model_name, settings)
    session = KerasSession(model_name, settings, variant["options"].get("jit_compile"))
    measured = measure_training(session, model_name, settings)
    measured["samples"]["build_s"] = [session.build_s]
    measured["facts"].update(
        params=session.params,
        device=session.used,
        compile_mode=session.compile_mode,
        jit_compile=bool(session.model.jit_compile),
    )
    return measured
