"""Debug low-level TensorFlow: plant each standard bug in its reference and run the reference's own loop.

Bugs run the way the reference runs by default: its GradientTape step inside tf.function, so
TensorFlow traces the Python code into a graph on the first call and runs the graph afterwards.
The print case runs once traced and once with tf.config.run_functions_eagerly(True), the switch
TensorFlow offers for debugging; like Keras's run_eagerly, it shows that a Python print inside a
tf.function runs when the function is traced, not at every step. Tracebacks are read as
TensorFlow shows them, with its traceback filtering on (the default). When a bug's default run
does not say what went wrong, the next steps (probes/kinds/debug_steps.py) are
tf.debugging.enable_check_numerics(), a print of the outputs in the model's __call__, and that
print again with tf.config.run_functions_eagerly(True).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from probes.common import tensorflow_runtime
from probes.kinds import debug_steps, debugging
from probes.kinds.debugging import (
    DTYPES,
    FLATTEN_SHAPES,
    FLOAT64_DATA,
    INPUT_SHAPES,
    PRINT,
    PRINT_MARKER,
    REGRESSION,
    Edit,
    Progress,
    bug,
    prevented,
)
from probes.tensorflow import PROBE
from probes.variants import Variant

if TYPE_CHECKING:  # the data are numpy arrays; numpy loads with the framework, in the child
    from types import ModuleType

    import numpy as np

REFERENCE = PROBE.reference_path()
MODES = {
    "traced": "tf.function, the reference's default (traced into a graph on the first call)",
    "eager": "tf.config.run_functions_eagerly(True) (the tf.function runs as plain Python)",
}
SWITCHES = {
    "detector": "tf.debugging.enable_check_numerics()",
    "default_mode": MODES["traced"],
    "eager": "tf.config.run_functions_eagerly(True)",
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


def _inspected(model: Any) -> Any:
    """The model with a print of its outputs at the end of its __call__, the user's first look inside."""
    import tensorflow as tf

    class Inspected(tf.Module):
        def __init__(self, inner: Any):
            super().__init__()
            self.inner = inner  # tracked: its variables are this module's trainable_variables

        def __call__(self, x: Any) -> Any:
            out = self.inner(x)
            print(PRINT_MARKER, out)
            return out

    return Inspected(model)


def user_script(
    ref: ModuleType, name: str, data: tuple[np.ndarray, np.ndarray], progress: Progress, inspect: bool = False
) -> None:
    """What a user's main() does: build the model and the optimiser, then run the traced step per batch."""
    import tensorflow as tf

    x, y = data
    progress.enter("build")
    model = progress.model = ref.build_model(name)
    if inspect:
        model = _inspected(model)
    optimizer = tf.keras.optimizers.Adam(learning_rate=3e-3)
    train_step = ref.make_train_step(model, optimizer)
    progress.enter("train")
    for inputs, labels in ref.make_dataset(x, y, debugging.BATCH_SIZE, shuffle=False):
        progress.losses.append(float(train_step(inputs, labels)))


def predict(model: Any, x: np.ndarray) -> np.ndarray:
    return model(x[: debugging.BATCH_SIZE].astype("float32")).numpy()


def dropout_inactive(model: Any, x: np.ndarray) -> str | None:
    """Called the way the training step calls it, twice on one batch: equal outputs mean no unit was dropped."""
    import numpy as np

    batch = x[: debugging.BATCH_SIZE].astype("float32")
    if not np.array_equal(model(batch).numpy(), model(batch).numpy()):
        return None
    return "the dropout layer, called without training=True in the training step, dropped nothing"


@contextlib.contextmanager
def _switches(stage: str, eager: bool) -> Iterator[None]:
    """The stage's switches, on for the block: eager functions, or the numerics check."""
    import tensorflow as tf

    tf.config.run_functions_eagerly(eager)
    if stage == "detector":
        tf.debugging.enable_check_numerics()
    try:
        yield
    finally:
        tf.config.run_functions_eagerly(False)
        if stage == "detector":
            tf.debugging.disable_check_numerics()


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    import tensorflow as tf

    run = debugging.planted_case(BUGS, REFERENCE, case, settings.get("seed", 0))
    planted = run.bug
    if planted.prevented:
        return {"facts": debug_steps.prevented_facts(planted)}
    mode = "eager" if run.mode == "eager" else "traced"
    effect = (lambda model: dropout_inactive(model, run.x)) if planted.id == "eval_mode_training" else None

    def stage(name: str) -> dict[str, Any]:
        tf.random.set_seed(settings.get("seed", 0))
        eager = mode == "eager" or name == "print_eager"
        with tempfile.TemporaryDirectory(prefix="advisor-debugging-") as folder, _switches(name, eager):
            ref = debugging.load_planted(run.planted, Path(folder), REFERENCE.name)
            facts = debugging.observe(
                lambda progress: user_script(ref, planted.model, (run.x, run.y), progress, name.startswith("print")),
                run.planted,
                ref.__file__,
                frozenset({(__file__, "user_script")}),
                lambda model: predict(model, run.x),
                effect,
                wrappers=WRAPPERS,
                targets=run.y[: debugging.BATCH_SIZE],
            )
            if planted.expect == "print":
                facts.update(counter=len(ref.CALLS), note=PRINT_NOTE)
        return facts

    facts = debug_steps.climb(stage, planted, True, SWITCHES, debug_steps.ladder_wanted(settings))
    facts.update(mode=MODES[mode], traceback_filtering=tf.debugging.is_traceback_filtering_enabled())
    return {"facts": facts}


# --- the standard bugs, planted in this framework's reference script (probes/kinds/debugging.py)

FLOAT64_LINE = "x = np.loadtxt(...)  # float64, as NumPy reads and computes it, given to tf.data as it is"
OUTPUT_LINE = "return x @ self.w3 + self.b3"
LOSS_LINE = "tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)"

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
    bug("float64_input", "mlp", "error", script=FLOAT64_DATA, script_line=FLOAT64_LINE, dtypes=DTYPES),
    bug(
        "softmax_before_loss",
        "mlp",
        "silent",
        Edit(OUTPUT_LINE, "replace", ("return tf.nn.softmax(x @ self.w3 + self.b3)",), "MLP", 0),
    ),
    bug(
        "logits_as_probabilities",
        "mlp",
        "silent",
        # TensorFlow's own loss function, whose from_logits is False unless the user says otherwise.
        Edit(LOSS_LINE, "replace", ("tf.keras.losses.sparse_categorical_crossentropy(labels, logits)",), None, 0),
    ),
    bug(
        "target_broadcast",
        "mlp",
        "silent",
        Edit("self.w3, self.b3 = dense(64, 10)", "replace", ("self.w3, self.b3 = dense(64, 1)",), "MLP"),
        # The squared error as TensorFlow's "Basic training loops" guide writes it: (N,) targets, (N, 1) outputs.
        Edit(LOSS_LINE, "replace", ("tf.square(labels - logits)",), None, 0),
        script=REGRESSION,
    ),
    prevented(
        "missing_zero_grad",
        "mlp",
        "tape.gradient returns this step's gradients: nothing accumulates between steps, so there is nothing to reset.",
    ),
    bug(
        "eval_mode_training",
        "mlp",
        "silent",
        Edit("self.w1, self.b1 = dense(64, 128)", "insert_after", ("self.dropout = tf.keras.layers.Dropout(0.5)",)),
        # A Keras layer in a hand-written step: it drops units only when called with training=True.
        Edit("x = tf.nn.relu(x @ self.w1 + self.b1)", "insert_after", ("x = self.dropout(x)",), "MLP", 0),
    ),
    bug(
        "print_in_forward",
        "mlp",
        "print",
        Edit("import tensorflow as tf", "insert_after", ("", "CALLS = []")),
        Edit("x = tf.nn.relu(x @ self.w1 + self.b1)", "insert_before", ("CALLS.append(1)", PRINT), "MLP", 1),
    ),
)
