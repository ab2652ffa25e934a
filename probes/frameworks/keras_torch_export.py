"""Deploy Keras 3 on PyTorch: the Keras export paths this backend offers, run by the Keras driver.

Keras 3.15's model.export supports "tf_saved_model", "onnx", "litert" and "torch" on PyTorch (the
last only there), so every one is tried; TF.js is left out because its converter reads Keras
models through TensorFlow (knowledge/export_paths.yaml says so under not_probed). The runner
reads `cases` in the parent, before any backend is chosen, hence a module of its own.
"""

from __future__ import annotations

from probes import export_paths
from probes.frameworks import keras_export

PATHS = ("keras_native", "weights_h5", "torch_export", "onnx", "saved_model", "tflite")

import_framework = keras_export.import_framework
configure_threads = keras_export.configure_threads
device_info = keras_export.device_info
measure = keras_export.measure


def cases(models: list[str]) -> list[tuple[str, str]]:
    return export_paths.export_cases(models, PATHS)
