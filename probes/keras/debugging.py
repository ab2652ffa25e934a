"""Debug Keras 3 (on the backend KERAS_BACKEND names): plant each standard bug in the Keras reference.

Bugs run the way Keras runs by default (run_eagerly=False: fit() traces a graph on TensorFlow and
JAX, and stays eager on PyTorch); the print case runs once with run_eagerly=True and once with the
default. Tracebacks are read as Keras shows them, with its traceback filtering on (the default).
When a bug's default run does not say what went wrong, the next steps (probes/kinds/debug_steps.py)
are the backend's own detector (Keras has none of its own), a print of the outputs in a layer's
call(), and that print again with run_eagerly=True. Bugs Keras's idiom cannot make (a size that
Keras infers, a loss that matches the targets' rank, gradients fit() computes afresh) are listed
as prevented, with the reason, and not forced in.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from probes.common import tensorflow_runtime
from probes.keras import PROBE
from probes.kinds import debug_steps, debugging
from probes.kinds.debugging import DTYPES, PRINT, PRINT_MARKER, Edit, Progress, bug, prevented
from probes.variants import Variant

if TYPE_CHECKING:  # the data are numpy arrays; numpy loads with the framework, in the child
    from types import ModuleType

    import numpy as np

REFERENCE = PROBE.reference_path()
# Keras names the layer call first ("Exception encountered when calling Sequential.call().") and
# says the error on the next line; on TensorFlow a traced fit() step wraps it as tf.function does.
LAYER_CALL = debugging.MessageWrapper(re.compile(r"^Exception encountered when calling .*\.$"), "next")
WRAPPERS = (LAYER_CALL, tensorflow_runtime.TRACED_ERROR)
DETECTORS = {  # Keras has no NaN detector of its own; a user turns on the backend's
    "tensorflow": "tf.debugging.enable_check_numerics()",
    "torch": "torch.autograd.set_detect_anomaly(True)",
    "jax": 'jax.config.update("jax_debug_nans", True)',
}


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return debugging.debugging_cases(BUGS, models, ("eager", "traced"))


def _inspected(model: Any) -> Any:
    """The model with a layer that prints its outputs in call(), the user's first look inside."""
    import keras

    class Inspect(keras.layers.Layer):
        def call(self, x: Any) -> Any:
            print(PRINT_MARKER, x)
            return x

    return keras.Sequential([model, Inspect()])


def user_script(
    ref: ModuleType,
    name: str,
    data: tuple[np.ndarray, np.ndarray],
    run_eagerly: bool,
    progress: Progress,
    inspect: bool = False,
) -> None:
    """What a user's main() does: build, compile, fit; a callback notes each step's loss."""
    import keras

    class StepLosses(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            progress.losses.append(float((logs or {}).get("loss", float("nan"))))

    x, y = data
    progress.enter("build")
    model = progress.model = ref.build_model(name)
    if inspect:
        model = _inspected(model)
    progress.enter("compile")
    ref.compile_model(model)
    model.run_eagerly = run_eagerly
    progress.enter("train")
    model.fit(x, y, batch_size=debugging.BATCH_SIZE, epochs=1, shuffle=False, verbose=0, callbacks=[StepLosses()])


def _mode(run_eagerly: bool) -> str:
    import keras

    backend = keras.backend.backend()
    if run_eagerly:
        return f"run_eagerly=True ({backend} backend)"
    traced = {"tensorflow": "fit() traces a tf.function", "jax": "fit() traces with jax.jit"}
    return f"run_eagerly=False, the default ({traced.get(backend, 'fit() stays eager on ' + backend)})"


def _float64_weights(model: Any) -> str | None:
    """What shows a float64 layer was planted: its weights are float64 (Keras casts its inputs to match)."""
    planted = [w.path for w in model.weights if "float64" in str(w.dtype)]
    return (
        f"float64 weights ({', '.join(planted)}); Keras cast the float32 inputs to the layer's dtype"
        if planted
        else None
    )


@contextlib.contextmanager
def _detector(backend: str, on: bool) -> Iterator[None]:
    """The backend's own NaN detector, on for the block (nothing when `on` is False)."""
    if not on:
        yield
    elif backend == "tensorflow":
        import tensorflow as tf

        tf.debugging.enable_check_numerics()
        try:
            yield
        finally:
            tf.debugging.disable_check_numerics()
    elif backend == "torch":
        import torch

        with torch.autograd.set_detect_anomaly(True):
            yield
    else:
        import jax

        jax.config.update("jax_debug_nans", True)
        try:
            yield
        finally:
            jax.config.update("jax_debug_nans", False)


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    import keras

    run = debugging.planted_case(BUGS, REFERENCE, case, settings.get("seed", 0))
    planted = run.bug
    if planted.prevented:
        return {"facts": debug_steps.prevented_facts(planted)}
    backend = keras.backend.backend()

    def stage(name: str) -> dict[str, Any]:
        keras.utils.set_random_seed(settings.get("seed", 0))
        eager = run.mode == "eager" or name == "print_eager"
        with tempfile.TemporaryDirectory(prefix="advisor-debugging-") as folder, _detector(backend, name == "detector"):
            ref = debugging.load_planted(run.planted, Path(folder), REFERENCE.name)
            facts = debugging.observe(
                lambda p: user_script(ref, planted.model, (run.x, run.y), eager, p, name.startswith("print")),
                run.planted,
                ref.__file__,
                frozenset({(__file__, "user_script")}),
                lambda model: model.predict_on_batch(run.x[: debugging.BATCH_SIZE]),
                _float64_weights if planted.id == "dtype_mismatch" else None,
                WRAPPERS,
                targets=run.y[: debugging.BATCH_SIZE],
            )
            if planted.expect == "print":
                facts["counter"] = len(ref.CALLS)
        return facts

    switches = {"detector": DETECTORS[backend], "default_mode": _mode(False), "eager": "model.run_eagerly = True"}
    facts = debug_steps.climb(stage, planted, backend != "torch", switches, debug_steps.ladder_wanted(settings))
    facts.update(mode=_mode(run.mode == "eager"), traceback_filtering=keras.config.is_traceback_filtering_enabled())
    if planted.note:
        facts["note"] = planted.note
    return {"facts": facts}


# --- the standard bugs, planted in this framework's reference script (probes/kinds/debugging.py)

BUGS = (
    prevented(
        "wrong_input_size",
        "mlp",
        "Keras layers infer their input size from the layer before: a Dense layer is given only its units, so"
        " there is no input size to get wrong (the probe used to force one in with keras.Input(63)).",
    ),
    prevented(
        "wrong_flatten",
        "cnn",
        "Flatten() infers the flattened size from the layer before: no one writes 16 * 6 * 6 in Keras.",
    ),
    bug(
        "dtype_mismatch",
        "mlp",
        "error",
        Edit(
            'layers.Dense(128, activation="relu"),',
            "replace",
            ('layers.Dense(128, activation="relu", dtype="float64"),',),
            "build_model",
            0,
        ),
        dtypes=DTYPES,
    ),
    bug(
        "nan_custom_op",
        "mlp",
        "nan",
        Edit(
            'layers.Dense(128, activation="relu"),',
            "insert_after",
            ("layers.Lambda(keras.ops.log),",),
            "build_model",
            0,
        ),
    ),
    prevented(
        "float64_input",
        "mlp",
        "Keras layers cast floating-point inputs to their own dtype (float32 unless set otherwise), so float64"
        " NumPy data trains as float32.",
    ),
    bug(
        "softmax_before_loss",
        "mlp",
        "silent",
        Edit(
            "layers.Dense(10),",
            "replace",
            ('layers.Dense(10, activation="softmax"),',),
            "build_model",
            0,
            after='layers.Dense(64, activation="relu"),',
        ),
        note="The loss is the reference's, SparseCategoricalCrossentropy(from_logits=True).",
    ),
    bug(
        "logits_as_probabilities",
        "mlp",
        "silent",
        Edit(
            "loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),",
            "replace",
            ('loss="sparse_categorical_crossentropy",',),  # from_logits=False, the default, on a linear last layer
            "compile_model",
            0,
        ),
    ),
    prevented(
        "target_broadcast",
        "mlp",
        "Keras's losses bring the targets to the outputs' rank before comparing them"
        " (squeeze_or_expand_to_same_rank), so (N,) targets meet (N, 1) outputs row by row.",
    ),
    prevented(
        "missing_zero_grad",
        "mlp",
        "fit() computes each step's gradients afresh: there are no gradients to reset between steps.",
    ),
    prevented(
        "eval_mode_training",
        "mlp",
        "fit() calls the model with training=True and evaluate() and predict() with training=False: a user of"
        " fit() never sets the mode.",
    ),
    bug(
        "print_in_forward",
        "mlp",
        "print",
        Edit(
            "def build_model(name):",
            "insert_before",
            (
                "CALLS = []",
                "",
                "",
                "class Inspect(layers.Layer):",
                "    def call(self, x):",
                "        CALLS.append(1)",
                "        " + PRINT,
                "        return x",
                "",
                "",
            ),
            None,
            6,
        ),
        Edit('layers.Dense(128, activation="relu"),', "insert_after", ("Inspect(),",), "build_model"),
    ),
)
