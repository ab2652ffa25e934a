"""Keras 3's scale probe: batch curves by the speed session, fit() on streamed records, and multi-worker ranks.

Two pipelines, the two keras.io offers for data that does not fit in memory: fit() on the tf.data
pipeline TensorFlow's guide builds (`stream`, probes/common/tensorflow_runtime.py: any backend reads it), and
fit() on a keras.utils.PyDataset whose __getitem__ reads one batch of records from memmapped shards
(`stream-pydataset`, with PyDataset's default of one worker thread). Both are timed as the speed
probe times fit(): the epochs of one call, from each epoch's first batch to its end.

Data-parallel: on TensorFlow, tf.distribute.MultiWorkerMirroredStrategy with fit(), two workers on
127.0.0.1 (reference_distributed.py); Keras 3's own distribution API (keras.distribution) serves the
JAX backend only, and no Keras engine spreads the PyTorch backend over processes, so keras-torch has none.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from probes.common import tensorflow_runtime
from probes.keras.speed import FitTimedByEpochs
from probes.kinds.scale import (
    STREAM_CASE,
    Shards,
    measure_shared_case,
    measure_stream,
    scale_cases,
    since_start,
    stream_folder,
    write_shards,
)
from probes.specs import make_data
from probes.variants import Variant

PYDATASET_CASE = "stream-pydataset"


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return scale_cases(models, (STREAM_CASE, PYDATASET_CASE), data_parallel=variant.backend == "tensorflow")


def record_batches(shards: Shards, batch_size: int) -> Any:
    """A keras.utils.PyDataset: batch i is records [i*batch, (i+1)*batch) of the shards, read from memmaps."""
    import keras
    import numpy as np

    class RecordBatches(keras.utils.PyDataset):
        def __init__(self, **kwargs: Any):
            super().__init__(**kwargs)
            self.files = [np.memmap(p, dtype=shards.record_dtype(), mode="r") for p in shards.paths]
            self.per_file = len(self.files[0]) // batch_size

        def __len__(self) -> int:
            return self.per_file * len(self.files)

        def __getitem__(self, index: int) -> tuple[Any, Any]:
            file = self.files[index // self.per_file]
            start = (index % self.per_file) * batch_size
            records = file[start : start + batch_size]
            return np.array(records["x"]), np.array(records["label"])

    return RecordBatches()


class KerasStream(FitTimedByEpochs):
    """reference.py's model, compiled, fitted on a streamed source; the epochs of one fit() are the windows."""

    def __init__(self, model_name: str, shards: Shards, settings: dict[str, Any], source: str):
        import keras

        from probes.keras import reference as ref
        from probes.keras.speed import EpochClock

        keras.utils.set_random_seed(settings["seed"])
        self.batch_size = settings["batch_size"]
        self.model = ref.build_model(model_name)
        ref.compile_model(self.model)
        self.clock = EpochClock()
        if source == PYDATASET_CASE:
            self.data = record_batches(shards, self.batch_size)
            self.pipeline, self.workers = "keras.utils.PyDataset over memmapped records (workers=1, the default)", 1
            self.read_batch = self._pydataset_reader()
        else:
            self.data = tensorflow_runtime.record_dataset(shards, self.batch_size)
            self.pipeline, self.workers = f"fit() on {tensorflow_runtime.PIPELINE}", settings["threads"]
            self.read_batch = iter(self.data).__next__

    def _pydataset_reader(self) -> Any:
        position = iter(range(10**9))
        return lambda: self.data[next(position) % len(self.data)]

    def _fit(self, steps: int, epochs: int = 1) -> None:
        self.clock.reset()
        self.model.fit(self.data, steps_per_epoch=steps, epochs=epochs, verbose=0, callbacks=[self.clock.callback])

    def read(self, n: int) -> float:
        import numpy as np

        start = time.perf_counter()
        for _ in range(n):
            inputs, _ = self.read_batch()
        np.asarray(inputs)
        return time.perf_counter() - start

    def close(self) -> None:
        self.data = None


# --- data-parallel ranks (TensorFlow backend): reference_distributed.py's strategy and fit()


def rank_env(rank: int, world: int, ports: list[int]) -> dict[str, str | None]:
    """TF_CONFIG as TensorFlow's multi-worker tutorial writes it, as for TensorFlow used directly."""
    return tensorflow_runtime.tf_config(rank, world, ports)


def rank_main(request: dict[str, Any]) -> dict[str, Any]:
    """One worker: the strategy first (before any op), then the model in its scope, fit() on generated data."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    import keras

    from probes.keras import reference as ref

    keras.utils.set_random_seed(request["seed"])
    batch = request["batch_size"]
    global_batch = batch * strategy.num_replicas_in_sync
    with strategy.scope():
        model = ref.build_model(request["model"])
        ref.compile_model(model)
    x, y = make_data(request["model"], 4096, request["seed"])
    data = tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(global_batch)
    warmup, steps = request["steps"]

    def run(n: int) -> float:
        start = time.perf_counter()
        model.fit(data, steps_per_epoch=n, epochs=1, verbose=0)
        return time.perf_counter() - start

    # fit() runs many steps a call, as a user's does: one step, then the warm-up, then the timed call.
    run(1)
    first_step_at_s = since_start()
    run(warmup)
    return {"first_step_at_s": first_step_at_s, "timed_s": run(steps), "steps": steps, "samples": steps * batch}


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    engine = "tf.distribute.MultiWorkerMirroredStrategy with Keras fit()"
    shared = measure_shared_case(model_name, case, settings, variant, framework="keras", engine=engine)
    if shared is not None:
        return shared
    with stream_folder() as folder:
        shards = write_shards(model_name, Path(folder), settings["seed"])
        return measure_stream(KerasStream(model_name, shards, settings, case), shards, settings)
