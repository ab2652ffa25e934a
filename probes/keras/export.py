"""Deploy Keras 3: train a reference model briefly, then export it by each of Keras's paths.

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


def _trained(name: str, settings: dict[str, Any]) -> tuple[Any, export_paths.Workspace]:
    """The reference model after one epoch of the reference's own fit on digits, and its workspace."""
    if name not in _state:
        import keras

        from probes.keras import reference as ref
        from probes.specs import digits_split

        export_paths.close_all(workspace for _, workspace in _state.values())  # one model's files at a time
        _state.clear()
        keras.utils.set_random_seed(settings.get("seed", 0))
        x_train, y_train, x_test, y_test = digits_split(name)
        model = ref.build_model(name)
        ref.compile_model(model)
        dtype = model.inputs[0].dtype  # token ids as the model declares them (int32), images float32
        x_train, x_test = np.asarray(x_train, dtype=dtype), np.asarray(x_test, dtype=dtype)
        model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
        batch = x_test[:BATCH]
        expected = model.predict_on_batch(batch)
        calibration = x_train[: BATCH * export_paths.CALIBRATION_BATCHES]
        _state[name] = (model, export_paths.Workspace("keras", batch, expected, (x_test, y_test), calibration, name))
    return _state[name]


def _export(model: Any, path: Path, format: str, case: str, backend: str, **options: Any) -> None:
    import keras

    if (backend == "torch" and case in FIXED_BATCH_ON_TORCH) or case in FIXED_BATCH:
        dtype = model.inputs[0].dtype
        options["input_signature"] = [keras.InputSpec(shape=(BATCH, *model.input_shape[1:]), dtype=dtype)]
    model.export(str(path), format=format, verbose=False, **options)


def _litert_int8(model: Any, backend: str) -> export_paths.Quantize | None:
    """LiteRT's calibrated static int8 through model.export's converter options, on TensorFlow."""
    if backend != "tensorflow":
        return None  # on PyTorch, litert-torch quantises (not installed here, see knowledge/export_paths.yaml)

    def quantize(source: Path, target: Path, calibration: export_paths.Calibration) -> str:
        import tensorflow as tf

        _export(
            model,
            target,
            "litert",
            "tflite",
            backend,
            optimizations=[tf.lite.Optimize.DEFAULT],
            representative_dataset=lambda: ([batch] for batch in calibration),
        )
        return tensorflow_runtime.litert_static_int8(calibration)

    return quantize


def _executorch(model: Any, backend: str) -> Callable[[Path], dict[str, Any]]:
    """Keras on PyTorch: model.export(format="torch") gives a torch.export program; ExecuTorch lowers it."""

    def lower(path: Path) -> dict[str, Any]:
        import torch

        program = path.with_suffix(".pt2")
        _export(model, program, "torch", "executorch", backend)
        return torch_runtime.lower_to_executorch(torch.export.load(program), path)

    return lower


def _executorch_int8(model: Any, backend: str) -> export_paths.Quantize | None:
    """ExecuTorch's calibrated static int8 on the program Keras exports (the same quantizer as PyTorch's)."""
    if backend != "torch":
        return None

    def quantize(source: Path, target: Path, calibration: export_paths.Calibration) -> str:
        import torch

        program = torch.export.load(source.with_suffix(".pt2"))
        example = torch.from_numpy(np.ascontiguousarray(calibration[0]))
        return torch_runtime.xnnpack_int8(program.module(), example, calibration, target)

    return quantize


def _paths(name: str, model: Any, backend: str) -> dict[str, export_paths.ExportPath]:
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
        "keras_native": ep("keras_native", f"{name}.keras", native),
        "weights_h5": ep("weights_h5", f"{name}.weights.h5", weights),
        "saved_model": ep(
            "saved_model",
            f"{name}-savedmodel",
            via_export("tf_saved_model", "saved_model"),
            needs.get("saved_model", ()),
        ),
        "tflite": ep(
            "tflite",
            f"{name}.tflite",
            via_export("litert", "tflite"),
            needs.get("tflite", ()),
            _litert_int8(model, backend),
        ),
        "executorch": ep(
            "executorch",
            f"{name}.pte",
            _executorch(model, backend),
            needs.get("executorch", ()),
            _executorch_int8(model, backend),
        ),
        "onnx": ep("onnx", f"{name}.onnx", via_export("onnx", "onnx"), needs.get("onnx", ())),
        "torch_export": ep("torch_export", f"{name}.pt2", via_export("torch", "torch_export")),
        "tfjs": ep("tfjs", f"{name}-tfjs", tfjs, ("tensorflowjs",)),
    }


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    import keras

    backend = keras.backend.backend()
    model, workspace = _trained(model_name, settings)
    return export_paths.run_path(
        workspace, _paths(model_name, model, backend)[case], f"keras-{backend}", export_paths.extras_of(settings)
    )


# --- reloading, in the fresh reload process (probes/kinds/reload.py): artifacts from our own folder only


def load_keras_native(path: str, batch: np.ndarray) -> np.ndarray:
    """keras.saving.load_model, after importing the reference where it can be (a user's code that registers its
    custom layers; inside reference_hidden it cannot, and only Keras's own layers rebuild)."""
    import keras

    try:
        import probes.keras.reference  # noqa: F401 - registers the reference's custom layers
    except ImportError:
        pass
    return np.asarray(keras.saving.load_model(path).predict_on_batch(batch))


def load_weights_h5(path: str, batch: np.ndarray) -> np.ndarray:
    from probes.keras.reference import build_model
    from probes.kinds.reload import model_of

    model = build_model(model_of(path))
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
