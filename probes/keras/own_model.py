"""The user's Keras 3 model (a .keras file), loaded on whichever backend KERAS_BACKEND names and fitted.

A .keras file loads on every backend, so the same file is measured on TensorFlow, PyTorch and JAX,
each in a child of its own. It is loaded as a Keras user loads a file from elsewhere:
`keras.saving.load_model(path, compile=False, safe_mode=True)`, so a Lambda layer (Python code stored
in the file) is refused unless the user passes --unsafe-model; custom layers load when the .py
file that registers them is named with --model-code (imported here, in the child, first). The model
is compiled with the generic loss and Adam, and timed through fit() exactly as the reference models
are (probes/keras/speed.py's FitTimedByEpochs: the timed windows are the epochs of one fit() call).
Its FLOPs are counted by the backend's own means: PyTorch's flop counter, XLA's cost analysis on
JAX, TensorFlow's profiler on TensorFlow (forward pass, times three for a training step).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from probes.keras import PROBE, gpu_peak_mb, precision, reset_gpu_peak
from probes.keras.speed import EpochClock, FitTimedByEpochs
from probes.kinds.own_model import (
    LOSS_WORDS,
    OwnModelError,
    check_memory,
    choose_loss,
    failed,
    first_line,
    import_user_file,
    make_inputs,
    make_targets,
    measure_session,
    no_input_shape,
    own_cases,
    pool_rows,
    user_model,
)
from probes.user_model import CODE_FLAG, UNSAFE_FLAG, UserModel
from probes.variants import Variant

OPTIONS = {"fit": "fit() as compile() resolves jit_compile='auto' on this backend"}
LEARNING_RATE = 1e-3
TRAIN_FLOPS_PER_FORWARD = 3  # a training step: the forward product, and the gradients of inputs and weights
NOT_REGISTERED = re.compile(r"Could not locate (?:class|function) '([^']+)'")


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return own_cases(models, list(OPTIONS)) if not variant.option_of else []


def load(model: UserModel) -> Any:
    """The .keras file as Keras loads a file from elsewhere: safe mode on unless the user said otherwise."""
    import keras

    if model.code:
        import_user_file(model.code, Path(model.code).name)
    path = Path(model.path)
    if not path.is_file():
        raise OwnModelError(f"no such file: {path}")
    if not zipfile.is_zipfile(path):
        raise OwnModelError(f"not a Keras model file: {path.name} is not a .keras archive (a zip file)")
    try:
        return keras.saving.load_model(str(path), compile=False, safe_mode=not model.unsafe)
    except Exception as exc:  # noqa: BLE001 - each way a file fails to load is said in one line
        raise OwnModelError(load_error(exc, path.name)) from None


def load_error(exc: BaseException, name: str) -> str:
    text = str(exc)
    if "Lambda" in text and "safe_mode" in text:
        return (
            f"{name} has a Lambda layer, which runs Python code stored in the file: refused under safe mode;"
            f" pass {UNSAFE_FLAG} to allow it (only for a file you trust)"
        )
    found = NOT_REGISTERED.search(text)
    if found:
        return (
            f"{name} uses a custom class, {found.group(1)!r}, that is not registered here: pass the .py file that"
            f" defines it with {CODE_FLAG} FILE.py"
        )
    return f"could not load {name}: {first_line(exc)}"


def read_input(keras_model: Any, model: UserModel) -> tuple[tuple[int, ...], str, str, int | None]:
    """(shape, dtype, where it came from, vocabulary) of the model's one input."""
    import keras

    if len(keras_model.inputs) != 1:
        raise OwnModelError(f"the model takes {len(keras_model.inputs)} inputs; only one-input models are measured")
    tensor = keras_model.inputs[0]
    embedding = next((layer for layer in keras_model.layers if isinstance(layer, keras.layers.Embedding)), None)
    vocabulary = int(embedding.input_dim) if embedding is not None else None
    dtype = model.input_dtype or str(tensor.dtype)
    if model.input_shape is not None:
        return model.input_shape, dtype, "--model-input", vocabulary
    shape = tuple(tensor.shape[1:])
    if any(d is None for d in shape):
        written = "(None" + "".join(f", {d}" for d in shape) + ")"
        raise no_input_shape(f"the model takes {written}")
    return tuple(int(d) for d in shape), dtype, "the model's input layer", vocabulary


def keras_loss(loss: str, keras_model: Any) -> Any:
    import keras

    if loss == "classification":
        last = getattr(keras_model.layers[-1], "activation", None)
        probabilities = last is keras.activations.softmax
        return keras.losses.SparseCategoricalCrossentropy(from_logits=not probabilities)
    if loss == "regression":
        return keras.losses.MeanSquaredError()

    def sum_of_outputs(y_true: Any, y_pred: Any) -> Any:
        return keras.ops.sum(keras.ops.reshape(y_pred, (keras.ops.shape(y_pred)[0], -1)), axis=-1)

    return sum_of_outputs


class KerasOwnSession(FitTimedByEpochs):
    """The loaded model compiled with the generic loss, timed through fit() as the references are."""

    def __init__(self, keras_model: Any, x: np.ndarray, y: np.ndarray, loss: Any, settings: dict[str, Any]):
        import keras

        self.model = keras_model
        self.model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss=loss)
        self.backend = keras.backend.backend()
        self.used = PROBE.device_info(settings["device"])["used"]
        self.peak_is_this_models = reset_gpu_peak(self.backend, self.used)
        self.batch_size = int(settings["own_batch_size"])
        self.x, self.y = x, y
        self.cursor = 0
        self.clock = EpochClock()

    def _fit(self, steps: int, epochs: int = 1) -> None:
        rows = np.arange(self.cursor, self.cursor + steps * self.batch_size) % len(self.x)
        self.cursor += steps * self.batch_size
        self.clock.reset()
        self.model.fit(
            self.x[rows],
            self.y[rows],
            batch_size=self.batch_size,
            epochs=epochs,
            shuffle=False,
            verbose=0,
            callbacks=[self.clock.callback],
        )

    def infer(self, rows: int) -> float:
        import time

        batch = self.x[:rows]
        start = time.perf_counter()
        np.asarray(self.model.predict_on_batch(batch))
        return time.perf_counter() - start

    def device_peak_mb(self) -> float | None:
        return gpu_peak_mb(self.backend, self.used)


def forward_flops(keras_model: Any, x: np.ndarray) -> tuple[float | None, str]:
    """FLOPs of one forward pass over x, by the backend's own counter, and which counter it was."""
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "torch":
            import torch

            from probes.common.torch_runtime import counted_flops

            with torch.no_grad():
                return counted_flops(lambda: keras_model(x, training=False)), "torch.utils.flop_counter"
        if backend == "jax":
            return _jax_flops(keras_model, x), "XLA's cost analysis (jax.jit)"
        if backend == "tensorflow":
            from probes.common.tensorflow_runtime import graph_flops

            return graph_flops(lambda t: keras_model(t, training=False), x), "TensorFlow's profiler (float_operation)"
    except Exception:  # noqa: BLE001 - a model a counter cannot follow has no utilisation, and says so
        return None, ""
    return None, ""


def _jax_flops(keras_model: Any, x: np.ndarray) -> float | None:
    import jax

    trainable = [v.value for v in keras_model.trainable_variables]
    fixed = [v.value for v in keras_model.non_trainable_variables]
    step = jax.jit(lambda t, f, inputs: keras_model.stateless_call(t, f, inputs, training=False)[0])
    analysis = step.lower(trainable, fixed, x).compile().cost_analysis()
    if isinstance(analysis, list):
        analysis = analysis[0] if analysis else {}
    flops = float((analysis or {}).get("flops", 0.0))
    return flops if flops > 0 else None


def prepare(model: UserModel, settings: dict[str, Any]) -> dict[str, Any]:
    """Load the file, read its input, run it once, choose the loss and generate the data."""
    import time

    import keras

    keras.utils.set_random_seed(settings.get("seed", 0))
    if model.path and Path(model.path).is_file():
        check_memory(Path(model.path).stat().st_size // 4)  # the file holds the weights: a floor on the parameters
    start = time.perf_counter()
    keras_model = load(model)
    build_s = time.perf_counter() - start
    params = int(sum(np.prod(w.shape) for w in keras_model.trainable_weights))
    check_memory(params)
    shape, dtype, read_from, vocabulary = read_input(keras_model, model)
    if len(keras_model.outputs) != 1:
        raise OwnModelError(f"the model has {len(keras_model.outputs)} outputs; only one-output models are measured")
    seed = settings.get("seed", 0)
    probe = make_inputs(shape, dtype, 2, seed, vocabulary)
    try:
        output = np.asarray(keras_model.predict_on_batch(probe))
    except Exception as exc:  # noqa: BLE001 - a model that cannot run on its input says why
        raise OwnModelError(f"the model failed on inputs of shape {probe.shape}: {first_line(exc)}") from None
    out_shape = tuple(int(d) for d in output.shape[1:])
    loss, why = choose_loss(model.loss, [out_shape], np.issubdtype(output.dtype, np.floating))
    batch = int(settings["own_batch_size"])
    rows = pool_rows(batch, int(np.prod(shape)) * np.dtype(dtype).itemsize)
    x = make_inputs(shape, dtype, rows, seed, vocabulary)
    y = make_targets(loss, out_shape, rows, seed)
    facts = {
        "model_source": model.source,
        "model_kind": "keras",
        "params": params,
        "loss": loss,
        "loss_reason": f"{LOSS_WORDS[loss]}; {why}",
        "input_shape": list(shape),
        "input_dtype": dtype,
        "input_from": read_from,
        "output_shape": list(out_shape),
        "vocabulary": vocabulary if dtype.startswith("int") else None,
        "safe_mode": not model.unsafe,
    }
    return {"model": keras_model, "x": x, "y": y, "loss": loss, "build_s": build_s, "facts": facts}


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    model = user_model(settings)
    settings = {**settings, "own_batch_size": model.batch_size or settings["batch_size"]}
    try:
        prepared = prepare(model, settings)
    except OwnModelError as why:
        return failed(str(why), {"model_source": model.source, "model_kind": "keras", "safe_mode": not model.unsafe})
    keras_model = prepared["model"]
    facts = {**prepared["facts"], "option": OPTIONS[case]}
    try:
        rows = min(settings["own_batch_size"], 8)
        flops, counter = forward_flops(keras_model, prepared["x"][:rows])
        session = KerasOwnSession(
            keras_model, prepared["x"], prepared["y"], keras_loss(prepared["loss"], keras_model), settings
        )
        measured = measure_session(session, settings, flops * TRAIN_FLOPS_PER_FORWARD / rows if flops else None)
    except Exception as exc:  # noqa: BLE001 - a model fit() cannot train says why
        return failed(f"fit() failed: {first_line(exc)}", facts)
    from probes.keras.speed import compile_words

    measured["samples"]["build_s"] = [prepared["build_s"]]
    measured["samples"]["epoch_start_s"] = [session.epoch_start_s]
    if not session.peak_is_this_models:
        measured["facts"]["gpu_peak_since_process_start"] = True
    measured["facts"].update(
        facts,
        device=session.used,
        compile_mode=compile_words(session.backend, bool(keras_model.jit_compile), False),
        jit_compile=bool(keras_model.jit_compile),
        precision=precision(session.backend, session.used),
        flops_counted_by=f"{counter}: one forward pass, times {TRAIN_FLOPS_PER_FORWARD} for a step" if flops else None,
        host_to_device="NumPy arrays handed to fit() and predict_on_batch(), copied by Keras inside the clock",
    )
    return measured
