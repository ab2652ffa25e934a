"""Keras 3's speed session, on whichever backend KERAS_BACKEND names: the reference's own model.fit."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from probes.keras import PROBE, gpu_peak_mb
from probes.kinds.speed import measure_training, with_accuracy
from probes.specs import make_data

POOL_SAMPLES = 4096


class BatchClock:
    """A Keras callback that notes when the first batch starts and each batch ends."""

    def __init__(self):
        import keras

        outer = self

        class _Callback(keras.callbacks.Callback):
            def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
                if outer.first_begin is None:
                    outer.first_begin = time.perf_counter()

            def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
                outer.last_end = time.perf_counter()

        self.callback = _Callback()
        self.first_begin: float | None = None
        self.last_end: float | None = None

    def reset(self) -> None:
        self.first_begin = self.last_end = None


class KerasSession:
    def __init__(self, model_name: str, settings: dict[str, Any]):
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
        self.build_s = time.perf_counter() - start
        self.x, self.y = make_data(model_name, POOL_SAMPLES, settings["seed"])
        self.cursor = 0
        self.clock = BatchClock()
        self.params = int(self.model.count_params())

    def _fit(self, n: int) -> None:
        rows = np.arange(self.cursor, self.cursor + n * self.batch_size) % POOL_SAMPLES
        self.cursor += n * self.batch_size
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
        # From the call of fit() to the end of its first batch: tracing and compilation included.
        start = time.perf_counter()
        self._fit(1)
        return self.clock.last_end - start

    def steps(self, n: int) -> float:
        # From the first batch's start to the last batch's end: fit()'s per-call setup excluded.
        self._fit(n)
        return self.clock.last_end - self.clock.first_begin

    def infer(self, rows: int) -> float:
        batch = self.x[:rows]
        start = time.perf_counter()
        np.asarray(self.model.predict_on_batch(batch))  # a host copy: the device has finished
        return time.perf_counter() - start

    def device_peak_mb(self) -> float | None:
        return gpu_peak_mb(self.backend, self.used)


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    from probes.keras import reference as ref

    session = KerasSession(model_name, settings)
    measured = measure_training(session, model_name, settings)
    measured["samples"]["build_s"] = [session.build_s]
    measured["facts"].update(params=session.params, device=session.used)
    return with_accuracy(measured, ref.main, model_name, settings)
