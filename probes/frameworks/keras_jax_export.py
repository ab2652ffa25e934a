"""Deploy Keras 3 on JAX: the Keras export paths this backend offers, run by the Keras driver.

On JAX, Keras 3.15's model.export writes a SavedModel through jax2tf (TensorFlow must be
installed) and ONNX through jax2onnx; LiteRT export needs the TensorFlow or PyTorch backend ("LiteRT
export requires TensorFlow or PyTorch backend"), so JAX does not offer it. The .keras file and the
weights are the backend-independent Keras formats. TF.js is left out for the reason given under
not_probed in knowledge/export_paths.yaml. A module of its own because the runner reads
`cases` in the parent, before any backend is chosen.
"""

from __future__ import annotations

from probes import export_paths
from probes.frameworks import keras_export

PATHS = ("keras_native", "weights_h5", "saved_model", "onnx")

import_framework = keras_export.import_framework
configure_threads = keras_export.configure_threads
device_info = keras_export.device_info
measure = keras_export.measure


def cases(models: list[str]) -> list[tuple[str, str]]:
    return export_paths.export_cases(models, PATHS)
