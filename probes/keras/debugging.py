"""Debug Keras 3 (on the backend KERAS_BACKEND names): plant each standard bug in the Keras reference.

Bugs run the way Keras runs by default (run_eagerly=False: fit() traces a graph on TensorFlow and
JAX, and stays eager on PyTorch); the print case runs once with run_eagerly=True and once with the
default. Tracebacks are read as Keras shows them, with its traceback filtering on (the default).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from probes.common import tensorflow_runtime
from probes.keras import PROBE
from probes.kinds import debugging
from probes.kinds.debugging import DTYPES, FLATTEN_SHAPES, INPUT_SHAPES, PRINT, Edit, Progress, bug
from probes.variants import Variant

if TYPE_CHECKING:  # the data are numpy arrays; numpy loads with the framework, in the child
    import numpy as np

REFERENCE = PROBE.reference_path()
# Keras names the layer call first ("Exception encountered when calling Sequential.call().") and
# says the error on the next line; on TensorFlow a traced fit() step wraps it as tf.function does.
LAYER_CALL = debugging.MessageWrapper(re.compile(r"^Exception encountered when calling .*\.$"), "next")
WRAPPERS = (LAYER_CALL, tensorflow_runtime.TRACED_ERROR)


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return debugging.debugging_cases(BUGS, models, ("eager", "traced"))


def user_script(
    ref: ModuleType, name: str, x: np.ndarray, y: np.ndarray, run_eagerly: bool, progress: Progress
) -> None:
    """What a user's main() does: build, compile, fit; a callback notes each step's loss."""
    import keras

    class StepLosses(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            progress.losses.append(float((logs or {}).get("loss", float("nan"))))

    progress.enter("build")
    model = progress.model = ref.build_model(name)
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


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    import keras

    run = debugging.planted_case(BUGS, REFERENCE, case, settings.get("seed", 0))
    bug, planted, x, y = run.bug, run.planted, run.x, run.y
    keras.utils.set_random_seed(settings.get("seed", 0))
    run_eagerly = run.mode == "eager"
    with tempfile.TemporaryDirectory(prefix="advisor-debugging-") as folder:
        ref = debugging.load_planted(planted, Path(folder), REFERENCE.name)
        facts = debugging.observe(
            lambda progress: user_script(ref, bug.model, x, y, run_eagerly, progress),
            planted,
            ref.__file__,
            frozenset({(__file__, "user_script")}),
            lambda model: model.predict_on_batch(x[: debugging.BATCH_SIZE]),
            _float64_weights if bug.id == "dtype_mismatch" else None,
            WRAPPERS,
        )
        if bug.expect == "print":
            facts["counter"] = len(ref.CALLS)
    facts.update(mode=_mode(run_eagerly), traceback_filtering=keras.config.is_traceback_filtering_enabled())
    if bug.note:
        facts["note"] = bug.note
    return {"facts": facts}


# --- the standard bugs, planted in this framework's reference script (probes/kinds/debugging.py)

BUGS = (
    bug(
        "wrong_input_size",
        "mlp",
        "error",
        Edit("keras.Input(shape=(64,)),", "replace", ("keras.Input(shape=(63,)),",), "build_model", 0),
        shapes=INPUT_SHAPES,
        note="Keras layers infer their input size; the planted bug declares the wrong one in keras.Input.",
    ),
    bug(
        "wrong_flatten",
        "cnn",
        "error",
        Edit("layers.Flatten(),", "replace", ("layers.Reshape((16 * 5 * 5,)),",), "build_model", 0),
        shapes=FLATTEN_SHAPES,
        note="Flatten() infers its size; the planted bug is a hand-written Reshape of the wrong size.",
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
