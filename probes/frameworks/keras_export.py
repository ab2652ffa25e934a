"""Deploy Keras 3: train the reference CNN briefly, then export it by each of Keras's paths.

SavedModel, LiteRT and ONNX go through model.export (the Keras 3 way); LiteRT reloads in the
ai-edge-litert interpreter, ONNX in onnxruntime. TF.js needs the tensorflowjs converter, which is
reported as not installed when it is missing (see knowledge/export_paths.yaml for why it rarely
installs beside TensorFlow 2.21). Artifacts live in a TemporaryDirectory (probes/export_paths.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from probes import export_paths
from probes.frameworks import keras_probe

PATHS = ("keras_native", "weights_h5", "saved_model", "tflite", "onnx", "tfjs")
BATCH = 16

import_framework = keras_probe.import_framework
configure_threads = keras_probe.configure_threads
device_info = keras_probe.device_info

_state: dict[str, Any] = {}


def cases(models: list[str]) -> list[tuple[str, str]]:
    return export_paths.export_cases(models, PATHS)


def _trained(settings: dict[str, Any]):
    """The reference CNN after one epoch of the reference's own fit on digits, and the shared workspace."""
    if "workspace" not in _state:
        import keras

        from probes.reference import keras_reference as ref
        from probes.specs import digits_split

        keras.utils.set_random_seed(settings.get("seed", 0))
        x_train, y_train, x_test, _ = digits_split("cnn")
        model = ref.build_model("cnn")
        ref.compile_model(model)
        model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
        batch = x_test[:BATCH]
        expected = model.predict_on_batch(batch)
        _state.update(model=model, workspace=export_paths.Workspace(batch, expected))
    return _state["model"], _state["workspace"]


def _paths(model) -> dict[str, export_paths.ExportPath]:
    def native(path: Path) -> None:
        model.save(path)

    def weights(path: Path) -> None:
        model.save_weights(path)

    def saved_model(path: Path) -> None:
        model.export(str(path), format="tf_saved_model", verbose=False)

    def litert(path: Path) -> None:
        model.export(str(path), format="litert", verbose=False)

    def onnx(path: Path) -> None:
        model.export(str(path), format="onnx", verbose=False)

    def tfjs(path: Path) -> None:
        import tensorflowjs

        tensorflowjs.converters.save_keras_model(model, str(path))

    ep = export_paths.ExportPath
    return {
        "keras_native": ep("keras_native", "cnn.keras", native),
        "weights_h5": ep("weights_h5", "cnn.weights.h5", weights),
        "saved_model": ep("saved_model", "cnn-savedmodel", saved_model),
        "tflite": ep("tflite", "cnn.tflite", litert, ("ai_edge_litert",)),
        "onnx": ep("onnx", "cnn.onnx", onnx, ("onnx", "tf2onnx", "onnxruntime")),
        "tfjs": ep("tfjs", "cnn-tfjs", tfjs, ("tensorflowjs",)),
    }


def measure(model_name: str, case: str, settings: dict[str, Any]) -> dict[str, Any]:
    model, workspace = _trained(settings)
    return export_paths.run_path(workspace, _paths(model)[case])
