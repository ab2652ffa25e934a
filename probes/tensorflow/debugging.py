"""Debug low-level TensorFlow: plant each standard bug in its reference and run the reference's own loop.

Bugs run the way the reference runs by default: its GradientTape step inside tf.function, so
TensorFlow traces the Python code into a graph on the first call and runs the graph afterwards.
The print case runs once traced and once with tf.config.run_functions_eagerly(True), the switch
TensorFlow offers for debugging; like Keras's run_eagerly, it shows that a Python print inside a
tf.function runs when the function is traced, not at every step. Tracebacks are read as
TensorFlow shows them, with its traceback filtering on (the default).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from probes.common import tensorflow_runtime
from probes.kinds import debugging
from probes.kinds.debugging import DTYPES, FLATTEN_SHAPES, INPUT_SHAPES, PRINT, Edit, Progress, bug
from probes.tensorflow import PROBE
from probes.variants import Variant

if TYPE_CHECKING:  # the data are numpy arrays; numpy loads with the framework, in the child
    import numpy as np

REFERENCE = PROBE.reference_path()
MODES = {
    "traced": "tf.function, the reference's default (traced into a graph on the first call)",
    "eager": "tf.config.run_functions_eagerly(True) (the tf.function runs as plain Python)",
}
# A tf.function's error opens with "in user code:", quotes the user's frames, and ends with the error.
WRAPPERS = (tensorflow_runtime.TRACED_ERROR,)
PRINT_NOTE = (
    "A Python print inside a tf.function runs while TensorFlow traces it (once per input signature, and once more"
    " on the first call, when the Keras optimizer creates its variables inside the step), not at every step;"
    " tf.print runs at every step."
)


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return debugging.debugging_cases(BUGS, models, ("eager", "traced"))


def user_script(ref: ModuleType, name: str, x: np.ndarray, y: np.ndarray, progress: Progress) -> None:
    """What a user's main() does: build the model and the optimiser, then run the traced step per batch."""
    import tensorflow as tf

    progress.enter("build")
    model = progress.model = ref.build_model(name)
    optimizer = tf.keras.optimizers.Adam(learning_rate=3e-3)
    train_step = ref.make_train_step(model, optimizer)
    progress.enter("train")
    for inputs, labels in ref.make_dataset(x, y, debugging.BATCH_SIZE, shuffle=False):
        progress.losses.append(float(train_step(inputs, labels)))


def predict(model: Any, x: np.ndarray) -> np.ndarray:
    return model(x[: debugging.BATCH_SIZE]).numpy()


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    import tensorflow as tf

    run = debugging.planted_case(BUGS, REFERENCE, case, settings.get("seed", 0))
    bug, planted, x, y = run.bug, run.planted, run.x, run.y
    tf.random.set_seed(settings.get("seed", 0))
    mode = "eager" if run.mode == "eager" else "traced"
    tf.config.run_functions_eagerly(mode == "eager")
    try:
        with tempfile.TemporaryDirectory(prefix="advisor-debugging-") as folder:
            ref = debugging.load_planted(planted, Path(folder), REFERENCE.name)
            facts = debugging.observe(
                lambda progress: user_script(ref, bug.model, x, y, progress),
                planted,
                ref.__file__,
                frozenset({(__file__, "user_script")}),
                lambda model: predict(model, x),
                wrappers=WRAPPERS,
            )
            if bug.expect == "print":
                facts.update(counter=len(ref.CALLS), note=PRINT_NOTE)
    finally:
        tf.config.run_functions_eagerly(False)
    facts.update(mode=MODES[mode], traceback_filtering=tf.debugging.is_traceback_filtering_enabled())
    return {"facts": facts}


# --- the standard bugs, planted in this framework's reference script (probes/kinds/debugging.py)

BUGS = (
    bug(
        "wrong_input_size",
        "mlp",
        "error",
        Edit("self.w1, self.b1 = dense(64, 128)", "replace", ("self.w1, self.b1 = dense(63, 128)",), "MLP", 0),
        shapes=INPUT_SHAPES,
    ),
    bug(
        "wrong_flatten",
        "cnn",
        "error",
        Edit(
            "self.w, self.b = dense(16 * 6 * 6, 10)", "replace", ("self.w, self.b = dense(16 * 5 * 5, 10)",), "CNN", 0
        ),
        shapes=FLATTEN_SHAPES,
    ),
    bug(
        "dtype_mismatch",
        "mlp",
        "error",
        Edit(
            "self.w1, self.b1 = dense(64, 128)",
            "insert_after",
            ("self.w1 = tf.Variable(tf.cast(self.w1, tf.float64))",),
            "MLP",
            0,
        ),
        dtypes=DTYPES,
    ),
    bug(
        "nan_custom_op",
        "mlp",
        "nan",
        Edit("x = tf.nn.relu(x @ self.w1 + self.b1)", "insert_after", ("x = tf.math.log(x)",), "MLP", 0),
    ),
    bug(
        "print_in_forward",
        "mlp",
        "print",
        Edit("import tensorflow as tf", "insert_after", ("", "CALLS = []")),
        Edit("x = tf.nn.relu(x @ self.w1 + self.b1)", "insert_before", ("CALLS.append(1)", PRINT), "MLP", 1),
    ),
)
