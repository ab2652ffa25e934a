"""TensorFlow's runtime, shared by low-level TensorFlow (probes/tensorflow/) and Keras 3 on TensorFlow (probes/keras/).

Threads, the device and what float32 means on it, the GPU memory peak, the tf.data pipeline over
record shards (the scale probe's `stream`), TF_CONFIG for tf.distribute's workers, how a traced
tf.function wraps an error, reloading a SavedModel, and the LiteRT int8 method's name. TensorFlow is
imported inside each function: the parent reads the framework folders without importing any
framework.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from probes.kinds.debugging import MessageWrapper

if TYPE_CHECKING:
    import numpy as np

    from probes.kinds.scale import Shards


def configure_threads(n: int) -> dict[str, Any]:
    """TensorFlow's intra-op pool set to n (before any op runs)."""
    import tensorflow as tf

    default = tf.config.threading.get_intra_op_parallelism_threads()
    tf.config.threading.set_intra_op_parallelism_threads(n)
    return {
        "default_intra_op": default or "all cores (0)",
        "intra_op": n,
        "inter_op": tf.config.threading.get_inter_op_parallelism_threads() or "all cores (0)",
    }


def device_info(preference: str) -> dict[str, Any]:
    """The GPU when TensorFlow sees one and the user did not ask for the CPU."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    info: dict[str, Any] = {"gpus_visible": len(gpus), "used": "gpu" if gpus and preference != "cpu" else "cpu"}
    if info["used"] == "gpu":
        details = tf.config.experimental.get_device_details(gpus[0])
        info["gpu_name"] = details.get("device_name")
        info["synchronised"] = "a result copied to the host before every clock stop"
    return info


def precision(used: str) -> str:
    """What float32 means on the device: TensorFlow runs float32 matmuls and convolutions in TF32 on
    Ampere and later GPUs unless a user turns it off."""
    if used != "gpu":
        return "float32"
    import tensorflow as tf

    tf32 = tf.config.experimental.is_tensor_float_32_execution_enabled()
    return f"float32 (TF32 execution {'on' if tf32 else 'off'}, TensorFlow's default on)"


def reset_gpu_peak(used: str) -> None:
    """Set TensorFlow's tracked GPU peak to what is in use now, so the next peak is one model's alone."""
    if used == "gpu":
        import tensorflow as tf

        tf.config.experimental.reset_memory_stats("GPU:0")


def gpu_peak_mb(used: str) -> float | None:
    """TensorFlow's peak GPU memory since the last reset_gpu_peak(), in MB; None on the CPU."""
    if used != "gpu":
        return None
    import tensorflow as tf

    return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20


# --- the scale probe: records streamed through tf.data, and tf.distribute's workers

PIPELINE = "tf.data: interleaved FixedLengthRecordDataset readers, batch, vectorised decode map, prefetch (AUTOTUNE)"


def record_dataset(shards: Shards, batch_size: int) -> Any:
    """The pipeline TensorFlow's tf.data performance guide builds over the shards, repeated: (inputs, labels)."""
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


def tf_config(rank: int, world: int, ports: list[int]) -> dict[str, str | None]:
    """TF_CONFIG as TensorFlow's multi-worker guide writes it: every worker's address, and this one's index.

    One process has none (not even the user's own): the strategy then trains on this machine alone.
    """
    if world == 1:
        return {"TF_CONFIG": None}
    workers = [f"127.0.0.1:{port}" for port in ports[:world]]
    return {"TF_CONFIG": json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": rank}})}


# --- the debugging probe: a tf.function's error opens with "in user code:", quotes the user's frames,
# and ends with the error (Keras's traced fit() step wraps errors the same way)

TRACED_ERROR = MessageWrapper(re.compile(r"^in user code:$"), "last")


# --- the export probe: a SavedModel is TensorFlow's format, whichever front end wrote it


def load_saved_model(path: str, batch: np.ndarray) -> np.ndarray:
    """A SavedModel through its serving signature, as TF Serving would call it; no Python class needed."""
    import tensorflow as tf

    loaded = tf.saved_model.load(path)  # kept in a name: its variables die with the object
    return loaded.serve(tf.constant(batch)).numpy()


def litert_static_int8(calibration: Sequence[np.ndarray]) -> str:
    """The calibrated static int8 method's name, in the same words for Keras's and TensorFlow's LiteRT files."""
    images = sum(len(batch) for batch in calibration)
    return f"static int8 (TFLiteConverter, Optimize.DEFAULT with a representative_dataset of {images} training images)"


# --- the user's own model (probes/kinds/own_model.py): its FLOPs, counted by TensorFlow's profiler


def graph_flops(call: Any, x: np.ndarray) -> float | None:
    """Float operations of `call` on x's shape, as TensorFlow's profiler counts a traced graph; None if none."""
    import tensorflow as tf
    from tensorflow.python.profiler import model_analyzer, option_builder

    concrete = tf.function(call).get_concrete_function(tf.TensorSpec(x.shape, tf.as_dtype(x.dtype)))
    options = option_builder.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    total = model_analyzer.profile(graph=concrete.graph, options=options).total_float_ops
    return float(total) if total > 0 else None


def onednn_on() -> bool:
    """Whether TensorFlow runs its oneDNN kernels and graph rewrites in this process: on by default on x86
    Linux since TensorFlow 2.9, off with TF_ENABLE_ONEDNN_OPTS=0 (read when TensorFlow loads)."""
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())
