"""Reload exported models in a fresh process: the test a deployment target would run.

    python -m probes.export_reload        (requests on stdin, one JSON line each; replies likewise)

The export probe starts this once per child and sends it every artifact it wrote into its own
temporary folder (nothing else is ever loaded here). This process never built the model, so a
path that reloads here works without the training process. Each artifact is first reloaded with
the reference scripts (`probes.reference`) made unimportable: if that fails and a second try with
them succeeds, the path needs the original Python class. Outputs on the saved batch go to a .npy
file for the export probe to compare. Frameworks print freely, so replies use a private copy of
stdout and everything else goes to stderr.
"""

from __future__ import annotations

import importlib.abc
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import numpy as np

HIDDEN = "probes.reference"
EXPORT_FOLDER_PREFIX = "advisor-export-"  # the export probes' tempfile.TemporaryDirectory prefix


class _HideReference(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname == HIDDEN or fullname.startswith(HIDDEN + "."):
            raise ModuleNotFoundError(f"No module named {fullname!r} (hidden: the original class is unavailable)")
        return None


@contextmanager
def reference_hidden():
    """The reference scripts cannot be imported inside this block, as on a machine without them."""
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if name.startswith(HIDDEN)}
    finder = _HideReference()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if n.startswith(HIDDEN)]:
            del sys.modules[name]
        sys.modules.update(saved)


# --- loaders: (artifact path, input batch) -> outputs. Every path is an artifact the export probe
# just wrote into its own TemporaryDirectory.


def _torch_eval(model, batch):
    import torch

    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(batch)).numpy()


def load_torch_state_dict(path: str, batch: np.ndarray) -> np.ndarray:
    import torch

    from probes.reference.torch_reference import build_model

    model = build_model("cnn")
    model.load_state_dict(torch.load(path))  # weights_only=True, the default: tensors only
    return _torch_eval(model, batch)


def load_torch_save_full(path: str, batch: np.ndarray) -> np.ndarray:
    import torch

    # The whole pickled model: our own artifact from our own temporary folder.
    return _torch_eval(torch.load(path, weights_only=False), batch)


def load_torchscript(path: str, batch: np.ndarray) -> np.ndarray:
    import torch

    return _torch_eval(torch.jit.load(path), batch)


def load_torch_export(path: str, batch: np.ndarray) -> np.ndarray:
    import torch

    program = torch.export.load(path)
    with torch.no_grad():
        return program.module()(torch.from_numpy(batch)).numpy()


def load_onnx(path: str, batch: np.ndarray) -> np.ndarray:
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return np.asarray(session.run(None, {name: batch})[0])


def load_keras_native(path: str, batch: np.ndarray) -> np.ndarray:
    import keras

    return np.asarray(keras.saving.load_model(path).predict_on_batch(batch))


def load_weights_h5(path: str, batch: np.ndarray) -> np.ndarray:
    from probes.reference.keras_reference import build_model

    model = build_model("cnn")
    model.load_weights(path)
    return np.asarray(model.predict_on_batch(batch))


def load_saved_model(path: str, batch: np.ndarray) -> np.ndarray:
    import tensorflow as tf

    loaded = tf.saved_model.load(path)  # kept in a name: its variables die with the object
    return loaded.serve(tf.constant(batch)).numpy()


def load_tf_checkpoint(path: str, batch: np.ndarray) -> np.ndarray:
    import tensorflow as tf

    from probes.reference.tensorflow_reference import build_model

    model = build_model("cnn")
    tf.train.Checkpoint(model=model).read(os.path.join(path, "ckpt")).assert_consumed()
    return model(tf.constant(batch)).numpy()


def load_tflite(path: str, batch: np.ndarray) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=path)
    inputs, outputs = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    interpreter.resize_tensor_input(inputs["index"], batch.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(inputs["index"], batch)
    interpreter.invoke()
    return np.asarray(interpreter.get_tensor(outputs["index"]))


def load_tfjs(path: str, batch: np.ndarray) -> np.ndarray:
    import tensorflowjs

    return np.asarray(tensorflowjs.converters.load_keras_model(os.path.join(path, "model.json"))(batch))


LOADERS: dict[str, Callable[[str, np.ndarray], np.ndarray]] = {
    "state_dict": load_torch_state_dict,
    "torch_save_full": load_torch_save_full,
    "torchscript": load_torchscript,
    "torch_export": load_torch_export,
    "onnx": load_onnx,
    "keras_native": load_keras_native,
    "weights_h5": load_weights_h5,
    "saved_model": load_saved_model,
    "tf_checkpoint": load_tf_checkpoint,
    "tflite": load_tflite,
    "tfjs": load_tfjs,
}


def first_line(exc: BaseException) -> str:
    import re

    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()
    line = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {line}"[:300] if line else type(exc).__name__


def default_torch_load(path: str) -> dict[str, Any]:
    """What plain torch.load(path) does today with a pickled model (weights_only=True by default)."""
    import torch

    try:
        torch.load(path)
    except Exception as exc:  # noqa: BLE001 - the refusal is the finding
        return {"default_load_ok": False, "default_load_error": first_line(exc)}
    return {"default_load_ok": True, "default_load_error": None}


def _own_artifact(path: str) -> bool:
    """Only artifacts inside an export probe's own temporary folder (advisor-export-*) are loaded."""
    import tempfile

    real = os.path.realpath(path)
    root = os.path.realpath(tempfile.gettempdir())
    parts = os.path.relpath(real, root).split(os.sep)
    return not parts[0].startswith("..") and parts[0].startswith(EXPORT_FOLDER_PREFIX)


def reload(request: dict[str, Any]) -> dict[str, Any]:
    """Reload one artifact, first without the original class, then with it; save the outputs."""
    if not _own_artifact(request["artifact"]):
        return {"reload_ok": False, "error": f"refused: {request['artifact']} is not in an export probe's folder"}
    loader = LOADERS[request["path_id"]]
    batch = np.load(request["batch"])
    reply: dict[str, Any] = {}
    if request["path_id"] == "torch_save_full":
        reply.update(default_torch_load(request["artifact"]))
    start = time.perf_counter()
    errors = []
    for hide in (True, False):
        try:
            if hide:
                with reference_hidden():
                    outputs = loader(request["artifact"], batch)
            else:
                outputs = loader(request["artifact"], batch)
        except Exception as exc:  # noqa: BLE001 - a failed reload is the finding
            errors.append(first_line(exc))
            reply["traceback_tail"] = traceback.format_exc(limit=-3)[-1500:]
            continue
        np.save(request["outputs"], np.asarray(outputs, dtype=np.float32))
        reply.update(reload_ok=True, needs_python_class=not hide, reload_s=time.perf_counter() - start)
        if not hide:
            reply["without_class_error"] = errors[0]
        reply.pop("traceback_tail", None)
        return reply
    reply.update(reload_ok=False, needs_python_class=None, error=errors[-1], without_class_error=errors[0])
    return reply


def main() -> int:
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything printed from here on (frameworks, C libraries) goes to stderr
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            reply = reload(request)
        except Exception as exc:  # noqa: BLE001 - never die on one artifact
            reply = {"reload_ok": False, "error": first_line(exc)}
        replies.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
