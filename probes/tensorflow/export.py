"""Deploy low-level TensorFlow: train the reference CNN briefly, then export the tf.Module by each TF path.

The exports follow TensorFlow's guides: a serving tf.function with an input signature (batch left
open) is attached to the module, tf.saved_model.save writes it (and, as the only signed function, it
becomes the serving_default signature TF Serving calls), the reload is tf.saved_model.load with no
Python class; LiteRT converts the same call traced with the probe's fixed batch
(tf.lite.TFLiteConverter.from_concrete_functions, still in TensorFlow 2.21; the interpreter moved to
ai-edge-litert; LiteRT.js refuses an open batch), and its int8 file is the converter's calibrated
static int8 (a representative_dataset of the probe's calibration batches); ONNX converts the same
function with tf2onnx; a tf.train.Checkpoint saves the weights only, for a program that rebuilds the
model from its code. Artifacts live in a TemporaryDirectory (probes/kinds/export.py). LOADERS reload
the SavedModel and the checkpoint in the fresh reload process (probes/kinds/reload.py); LiteRT and
ONNX reload in their runtimes there.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from probes.common.tensorflow_runtime import litert_static_int8, load_saved_model
from probes.kinds import export as export_paths
from probes.variants import Variant

VARIANT = "tensorflow"
PATHS = ("tf_checkpoint", "saved_model", "tflite", "onnx")
BATCH = 16
TRAIN_BATCH = 64

_state: dict[str, Any] = {}


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return export_paths.export_cases(models, PATHS)


def _trained(name: str, settings: dict[str, Any]) -> tuple[Any, Any, export_paths.Workspace]:
    """The reference model after one epoch of the reference's own traced loop on digits, and its workspace."""
    if name not in _state:
        import tensorflow as tf

        from probes.specs import MODELS, digits_split
        from probes.tensorflow import reference as ref

        export_paths.close_all(workspace for *_, workspace in _state.values())  # one model's files at a time
        _state.clear()
        tf.random.set_seed(settings.get("seed", 0))
        x_train, y_train, x_test, y_test = digits_split(name)
        model = ref.build_model(name)
        train_step = ref.make_train_step(model, tf.keras.optimizers.Adam(learning_rate=3e-3))
        for inputs, labels in ref.make_dataset(x_train, y_train, TRAIN_BATCH):
            train_step(inputs, labels)
        batch = x_test[:BATCH]
        expected = model(tf.constant(batch)).numpy()
        spec = tf.TensorSpec([None, *MODELS[name].input_shape], tf.as_dtype(batch.dtype))
        model.serve = tf.function(model.__call__, input_signature=[spec])
        calibration = x_train[: BATCH * export_paths.CALIBRATION_BATCHES]
        workspace = export_paths.Workspace("tensorflow", batch, expected, (x_test, y_test), calibration, name)
        _state[name] = (model, spec, workspace)
    return _state[name]


def _paths(name: str, model: Any, spec: Any) -> dict[str, export_paths.ExportPath]:
    import tensorflow as tf

    def checkpoint(path: Path) -> None:
        tf.train.Checkpoint(model=model).write(str(path / "ckpt"))

    def saved_model(path: Path) -> None:
        tf.saved_model.save(model, str(path))

    def converter() -> Any:
        # A fixed batch, as a phone app feeds it: LiteRT.js refuses a file whose batch is left open.
        fixed = tf.function(model.__call__, input_signature=[tf.TensorSpec([BATCH, *spec.shape[1:]], spec.dtype)])
        return tf.lite.TFLiteConverter.from_concrete_functions([fixed.get_concrete_function()], model)

    def litert(path: Path) -> None:
        path.write_bytes(converter().convert())

    def litert_int8(source: Path, target: Path, calibration: export_paths.Calibration) -> str:
        quantizing = converter()
        quantizing.optimizations = [tf.lite.Optimize.DEFAULT]
        quantizing.representative_dataset = lambda: ([batch] for batch in calibration)
        target.write_bytes(quantizing.convert())
        return litert_static_int8(calibration)

    def onnx(path: Path) -> None:
        import tf2onnx

        tf2onnx.convert.from_function(model.serve, input_signature=[spec], output_path=str(path))

    ep = export_paths.ExportPath
    return {
        "tf_checkpoint": ep("tf_checkpoint", f"{name}-checkpoint", checkpoint),
        "saved_model": ep("saved_model", f"{name}-savedmodel", saved_model),
        "tflite": ep("tflite", f"{name}.tflite", litert, ("ai_edge_litert",), litert_int8),
        "onnx": ep("onnx", f"{name}.onnx", onnx, ("onnx", "tf2onnx", "onnxruntime")),
    }


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    model, spec, workspace = _trained(model_name, settings)
    return export_paths.run_path(
        workspace, _paths(model_name, model, spec)[case], VARIANT, export_paths.extras_of(settings)
    )


# --- reloading, in the fresh reload process (probes/kinds/reload.py): artifacts from our own folder only


def load_tf_checkpoint(path: str, batch: np.ndarray) -> np.ndarray:
    import tensorflow as tf

    from probes.kinds.reload import model_of
    from probes.tensorflow.reference import build_model

    model = build_model(model_of(path))
    tf.train.Checkpoint(model=model).read(os.path.join(path, "ckpt")).assert_consumed()
    return model(tf.constant(batch)).numpy()


OPENERS: dict[str, tuple[str, Callable[[str], Callable[[np.ndarray], np.ndarray]]]] = {}  # LiteRT, ONNX: reload.py's
LOADERS = {"saved_model": load_saved_model, "tf_checkpoint": load_tf_checkpoint}
RELOAD_CHECKS: dict[str, Callable[[str], dict[str, Any]]] = {}
