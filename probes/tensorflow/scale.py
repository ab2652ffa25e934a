"""Low-level TensorFlow's scale probe: batch curves by the speed session, and tf.data over record shards.

The streamed pipeline is the one TensorFlow's tf.data performance guide builds: the shard names
interleaved into FixedLengthRecordDataset readers in parallel, batched, decoded by a vectorised map
and prefetched, every knob AUTOTUNE. The reference's GradientTape step trains on it. Data-parallel
training is not measured for this variant yet: the reference's hand-written Adam updates its variables
in the replica context, which MultiWorkerMirroredStrategy refuses without an aggregation rewrite.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from probes.kinds.scale import (
    STREAM_CASE,
    Shards,
    case_batch_size,
    measure_stream,
    scale_cases,
    stream_folder,
    write_shards,
)

PIPELINE = "tf.data: interleaved FixedLengthRecordDataset readers, batch, vectorised decode map, prefetch (AUTOTUNE)"


def cases(models: list[str], variant: Any) -> list[tuple[str, str]]:
    return scale_cases(models, (STREAM_CASE,), data_parallel=False)


def record_dataset(shards: Shards, batch_size: int) -> Any:
    """The tf.data pipeline over the shards, repeated: (inputs, labels) batches."""
    import tensorflow as tf

    shape = list(shards.input_shape)

    def decode(records: Any) -> tuple[Any, Any]:
        values = tf.io.decode_raw(records, tf.int32)  # label, then the inputs' float32 bits
        labels = values[:, 0]
        inputs = tf.bitcast(values[:, 1:], tf.float32)
        return tf.reshape(inputs, [-1, *shape]), labels

    files = tf.data.Dataset.from_tensor_slices(list(shards.paths))
    records = files.interleave(
        lambda path: tf.data.FixedLengthRecordDataset(path, shards.record_bytes),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    return (
        records.repeat()
        .batch(batch_size, drop_remainder=True)
        .map(decode, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )


class TensorFlowStream:
    """reference.py's model and tf.function train step, fed by record_dataset."""

    def __init__(self, model_name: str, shards: Shards, settings: dict[str, Any]):
        import tensorflow as tf

        from probes.tensorflow import reference as ref

        tf.random.set_seed(settings["seed"])
        self.batch_size, self.workers, self.pipeline = settings["batch_size"], settings["threads"], PIPELINE
        self.model = ref.build_model(model_name)
        self.train_step = ref.make_train_step(self.model, ref.Adam(self.model.trainable_variables))
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


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    from probes.tensorflow import speed

    batch = case_batch_size(case)
    if batch is not None:
        return speed.measure(model_name, "", {**settings, "batch_size": batch, "infer_repeats": 0}, variant)
    with stream_folder() as folder:
        shards = write_shards(model_name, Path(folder), settings["seed"])
        return measure_stream(TensorFlowStream(model_name, shards, settings), shards, settings)
