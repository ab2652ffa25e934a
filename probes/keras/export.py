"""Deploy Keras 3: train the reference CNN briefly, then export it by each of Keras's paths.

The paths differ by backend (PATHS); .keras and .weights.h5 are Keras's own files on every
backend. SavedModel, LiteRT, ONNX and (on PyTorch) the torch.export program go through
model.export, the Keras 3 way; its converters differ by backend (read from Keras 3.15's
model.export): ONNX goes through tf2onnx on TensorFlow and torch.onnx (onnxscript) on PyTorch;
LiteRT through TensorFlow's converter on TensorFlow and litert-torch on PyTorch; SavedModel on
PyTorch through torch_xla's StableHLO bridge. A module a path needs that is missing makes it "not
installed", with what to install (knowledge/export_paths.yaml says why some cannot be installed
beside TensorFlow 2.21 and torch 2.13). LiteRT reloads in the ai-edge-litert interpreter, ONNX
in onnxruntime. Artifacts live in a TemporaryDirectory (probes/kinds/export.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from probes.common import tensorflow_runtime, torch_runtime
from probes.kinds import export as export_paths
from probes.variants import Variant

# The paths Keras 3.15's model.export offers per backend: "torch" (the torch.export program) only on
# PyTorch; LiteRT needs the TensorFlow or PyTorch backend ("LiteRT export requires TensorFlow or
# PyTorch backend"); TF.js only through TensorFlow (knowledge/export_paths.yaml, not_probed).
PATHS = {
    "tensorflow": ("keras_native", "weights_h5", "saved_model", "tflite", "onnx", "tfjs"),
    "torch": ("keras_native", "weights_h5", "torch_export", "executorch", "onnx", "saved_model", "tflite"),
    "jax": ("keras_native", "weights_h5", "saved_model", "onnx"),
}
BATCH = 16
# Modules each model.export format needs beyond Keras, per backend (Keras 3.15's keras/src/export).
NEEDS = {
    "tensorflow": {"tflite": ("ai_edge_litert",), "onnx": ("onnx", "tf2onnx", "onnxruntime")},
    "jax": {
        "saved_model": ("tensorflow",),
        "onnx": ("jax2onnx", "onnx", "onnxruntime"),
    },
    "torch": {
        "saved_model": ("tensorflow", "torch_xla"),
        "tflite": ("litert_torch", "ai_edge_litert"),
        "onnx": ("onnx", "onnxscript", "onnxruntime"),
        "executorch": ("executorch",),
    },
}
# On PyTorch, Keras traces these formats with a sample batch of 1 and keeps that size (torch.export
# specialises it; LiteRT on PyTorch supports no dynamic shapes), so they get the probe's batch
# shape, as the Keras docs ask and as the PyTorch driver traces torch.export. ONNX keeps the batch
# open by default (Keras then uses torch.onnx's TorchScript exporter), so it runs as documented.
# LiteRT gets the fixed batch on every backend: LiteRT.js refuses a file whose batch is open
# ("does not match expected ranked tensor type Float32[-1, 32, 32, 3]"), and a phone app feeds a
# fixed shape anyway.
FIXED_BATCH_ON_TORCH = ("tflite", "torch_export", "executorch")
FIXED_BATCH = ("tflite",)

_state: dict[str, Any] = {}


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return export_paths.export_cases(models, PATHS[variant.backend])


def _trained(settings: dict[str, Any]) -> tuple[Any, export_paths.Workspace]:
    """The reference CNN after one epoch of the reference's own fit on digits, and the shared workspace."""
    if "workspace" not in _state:
        import keras

        from probes.keras import reference as ref
        from probes.specs import digits_split

        keras.utils.set_random_seed(settings.get("seed", 0))
        x_train, y_train, x_test, y_test = digits_split("cnn")
        model = ref.build_model("cnn")
        ref.compile_model(model)
        model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
        batch = x_test[:BATCH]
        expected = model.predict_on_batch(batch)
        _state.update(model=model, workspace=export_paths.Workspace("keras", batch, expected, (x_test, y_test)))
    return _state["model"], _state["workspace"]


def _export(model: Any, path: Path, format: str, case: str, backend: str, **options: Any) -> None:
    import keras

    if (backend == "torch" and case in FIXED_BATCH_ON_TORCH) or case in FIXED_BATCH:
        options["input_signature"] = [keras.InputSpec(shape=(BATCH, *model.input_shape[1:]), dtype="float32")]
    model.export(str(path), format=format, verbose=False, **options)


def _litert_int8(model: Any, backend: str) -> export_paths.Quantize | None:
    """LiteRT's dynamic-range int8 (weights int8) through model.export's converter options, on TensorFlow."""
    if backend != "tensorflow":
        return None  # on PyTorch, litert-torch quantises (not installed here, see knowledge/export_paths.yaml)

    def quantize(source: Path, target: Path) -> str:
        import tensorflow as tf

        _export(model, target, "litert", "tflite", backend, optimizations=[tf.lite.Optimize.DEFAULT])
        return "dynamic range (TFLiteConverter, Optimize.DEFAULT: int8 weights)"

    return quantize


def _executorch(model: Any, backend: str) -> Callable[[Path], None]:
    """Keras on PyTorch: model.export(format="torch") gives a torch.export program; ExecuTorch lowers it."""

    def lower(path: Path) -> None:
        import torch

        program = path.with_suffix(".pt2")
        _export(model, program, "torch", "executorch", backend)
        torch_runtime.lower_to_executorch(torch.export.load(program), path)

    return lower


def _paths(model: Any, backend: str) -> dict[str, export_paths.ExportPath]:
    def native(path: Path) -> None:
        model.save(path)

    def weights(path: Path) -> None:
        model.save_weights(path)

    def via_export(format: str, case: str) -> Callable[[Path], None]:
        return lambda path: _export(model, path, format, case, backend)

    def tfjs(path: Path) -> None:
        import tensorflowjs

        tensorflowjs.converters.save_keras_model(model, str(path))

    needs = NEEDS.get(backend, {})
    ep = export_paths.ExportPath
    return {
        "keras_native": ep("keras_native", "cnn.keras", native),
        "weights_h5": ep("weights_h5", "cnn.weights.h5", weights),
        "saved_model": ep(
            "saved_model", "cnn-savedmodel", via_export("tf_saved_model", "saved_model"), needs.get("saved_model", ())
        ),
        "tflite": ep(
            "tflite",
            "cnn.tflite",
            via_export("litert", "tflite"),
            needs.get("tflite", ()),
            _litert_int8(model, backend),
        ),
        "executorch": ep("executorch", "cnn.pte", _executorch(model, backend), needs.get("executorch", ())),
        "onnx": ep("onnx", "cnn.onnx", via_export("onnx", "onnx"), needs.get("onnx", ())),
        "torch_export": ep("torch_export", "cnn.pt2", via_export("torch", "torch_export")),
        "tfjs": ep("tfjs", "cnn-tfjs", tfjs, ("tensorflowjs",)),
    }


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    import keras

    backend = keras.backend.backend()
    model, workspace = _trained(settings)
    return export_paths.run_path(workspace, _paths(model, backend)[case], f"keras-{backend}")


# --- reloading, in the fresh reload process (probes/kinds/reload.py): artifacts from our own folder only


def load_keras_native(path: str, batch: np.ndarray) -> np.ndarray:
    import keras

    return np.asarray(keras.saving.load_model(path).predict_on_batch(batch))


def load_weights_h5(path: str, batch: np.ndarray) -> np.ndarray:
    from probes.keras.reference import build_model

    model = build_model("cnn")
    model.load_weights(path)
    return np.asarray(model.predict_on_batch(batch))


def load_tfjs(path: str, batch: np.ndarray) -> np.ndarray:
    import tensorflowjs

    return np.asarray(tensorflowjs.converters.load_keras_model(os.path.join(path, "model.json"))(batch))


# A SavedModel is TensorFlow's format whichever backend wrote it, the torch.export program Keras writes on
# PyTorch is PyTorch's, and a .pte runs in ExecuTorch whichever front end lowered it (probes/common/).
OPENERS = {"executorch": ("executorch", torch_runtime.open_executorch)}
LOADERS = {
    "keras_native": load_keras_native,
    "weights_h5": load_weights_h5,
    "tfjs": load_tfjs,
    "saved_model": tensorflow_runtime.load_saved_model,
    "torch_export": torch_runtime.load_torch_export,
}
RELOAD_CHECKS: dict[str, Callable[[str], dict[str, Any]]] = {}
