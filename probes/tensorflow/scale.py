"""Low-level TensorFlow's scale probe: batch curves by the speed session, and tf.data over record shards.

The streamed pipeline is the one TensorFlow's tf.data performance guide builds: the shard names
interleaved into FixedLengthRecordDataset readers in parallel, batched, decoded by a vectorised map
and prefetched, every knob AUTOTUNE (probes/common/tensorflow_runtime.py: Keras on TensorFlow reads
the same pipeline). The reference's GradientTape step trains on it. Data-parallel:
tf.distribute.MultiWorkerMirroredStrategy around the same model and Adam, a custom training loop as
TensorFlow's guide writes one (reference_distributed.py), two workers on 127.0.0.1.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from probes.common.tensorflow_runtime import PIPELINE, record_dataset, tf_config
from probes.kinds.scale import (
    STREAM_CASE,
    Shards,
    measure_shared_case,
    measure_stream,
    scale_cases,
    stream_folder,
    time_rank,
    write_shards,
)
from probes.specs import LEARNING_RATE, make_data
from probes.variants import Variant


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return scale_cases(models, (STREAM_CASE,), data_parallel=True)


class TensorFlowStream:
    """reference.py's model and tf.function train step, fed by record_dataset."""

    def __init__(self, model_name: str, shards: Shards, settings: dict[str, Any]):
        import tensorflow as tf

        from probes.tensorflow import reference as ref

        tf.random.set_seed(settings["seed"])
        self.batch_size, self.workers, self.pipeline = settings["batch_size"], settings["threads"], PIPELINE
        self.model = ref.build_model(model_name)
        self.train_step = ref.make_train_step(self.model, tf.keras.optimizers.Adam(learning_rate=LEARNING_RATE))
        self.batches = iter(record_dataset(shards, self.batch_size))

    def steps(self, n: int) -> float:
        start = time.perf_counter()
        loss = None
        for _ in range(n):
            inputs, labels = next(self.batches)
            loss = self.train_step(inputs, labels)
        float(loss)  # wait for the device before the clock stops
        return time.perf_counter() - start

    def first_step(self) -> float:
        return self.steps(1)

    def read(self, n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            inputs, _ = next(self.batches)
        inputs.numpy()
        return time.perf_counter() - start

    def close(self) -> None:
        self.batches = None


def rank_env(rank: int, world: int, ports: list[int]) -> dict[str, str | None]:
    """TF_CONFIG as TensorFlow's multi-worker guide writes it."""
    return tf_config(rank, world, ports)


def rank_main(request: dict[str, Any]) -> dict[str, Any]:
    """One worker: the strategy first, the model and Adam in its scope, the distributed step on its share."""
    import tensorflow as tf

    from probes.tensorflow import reference as ref
    from probes.tensorflow import reference_distributed as dist

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    tf.random.set_seed(request["seed"])
    batch = request["batch_size"]
    with strategy.scope():
        model = ref.build_model(request["model"])
        optimizer = tf.keras.optimizers.Adam(learning_rate=LEARNING_RATE)
    train_step = dist.make_distributed_step(strategy, model, optimizer)
    x, y = make_data(request["model"], 4096, request["seed"])
    global_batch = batch * strategy.num_replicas_in_sync
    data = ref.make_dataset(x, y, global_batch, shuffle=False).repeat()
    batches = iter(strategy.experimental_distribute_dataset(data))
    last: dict[str, Any] = {}

    def step() -> None:
        last["loss"] = train_step(*next(batches))

    def finish() -> None:
        float(last["loss"])  # a host value: the workers have finished the step

    warmup, steps = request["steps"]
    return {**time_rank(step, finish, warmup, steps), "steps": steps, "samples": steps * batch}


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    engine = "tf.distribute.MultiWorkerMirroredStrategy, a custom training loop"
    shared = measure_shared_case(model_name, case, settings, variant, framework="tensorflow", engine=engine)
    if shared is not None:
        return shared
    with stream_folder() as folder:
        shards = write_shards(model_name, Path(folder), settings["seed"])
        return measure_stream(TensorFlowStream(model_name, shards, settings), shards, settings)
