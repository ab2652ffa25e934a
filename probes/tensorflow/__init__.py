"""Low-level TensorFlow, measured the way its guides write it: tf.Module, tf.nn and a GradientTape step.

reference.py is the user's code (a GradientTape step applying a tf.keras optimizer, compiled with tf.function);
speed.py times that step; debugging.py plants the standard bugs in it; export.py exports the
trained CNN as a SavedModel with a serving signature, LiteRT, ONNX and a checkpoint; scale.py
streams records through tf.data and trains with tf.distribute. TensorFlow's runtime is shared
with Keras 3 on TensorFlow in probes/common/tensorflow_runtime.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from probes.common import tensorflow_runtime
from probes.contract import FrameworkFolder


class TensorFlow(FrameworkFolder):
    name = "tensorflow"
    kinds = ("speed", "ease", "debugging", "export", "scale")
    api_packages = frozenset({"tensorflow"})
    device_apis = ("tensorflow.device",)

    def import_framework(self, variant: Mapping[str, Any] | None = None) -> dict[str, str]:
        import tensorflow as tf

        return {"tensorflow": tf.__version__}

    def configure_threads(self, n: int) -> dict[str, Any]:
        return tensorflow_runtime.configure_threads(n)

    def device_info(self, preference: str) -> dict[str, Any]:
        return tensorflow_runtime.device_info(preference)

    def precision(self, used: str) -> str:
        return tensorflow_runtime.precision(used)


PROBE = TensorFlow()
