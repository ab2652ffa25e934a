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
from typing import Any

from probes import debugging
from probes.frameworks import tensorflow_probe

REFERENCE = "tensorflow_reference.py"
MODES = {
    "traced": "tf.function, the reference's default (traced into a graph on the first call)",
    "eager": "tf.config.run_functions_eagerly(True) (the tf.function runs as plain Python)",
}
PRINT_NOTE = (
    "A Python print inside a tf.function runs while TensorFlow traces it (once per input signature), "
    "not at every step; tf.print runs at every step."
)

import_framework = tensorflow_probe.import_framework
configure_threads = tensorflow_probe.configure_threads
device_info = tensorflow_probe.device_info


def cases(models: list[str]) -> list[tuple[str, str]]:
    return debugging.debugging_cases("tensorflow", models, ("eager", "traced"))


def user_script(ref, name, x, y, progress):
    """What a user's main() does: build the model and the optimiser, then run the traced step per batch."""
    progress.enter("build")
    model = progress.model = ref.build_model(name)
    optimizer = ref.Adam(model.trainable_variables)
    train_step = ref.make_train_step(model, optimizer)
    progress.enter("train")
    for inputs, labels in ref.make_dataset(x, y, debugging.BATCH_SIZE, shuffle=False):
        progress.losses.append(float(train_step(inputs, labels)))


def predict(model, x):
    return model(x[: debugging.BATCH_SIZE]).numpy()


def measure(model_name: str, case: str, settings: dict[str, Any]) -> dict[str, Any]:
    import tensorflow as tf

    run = debugging.planted_case("tensorflow", REFERENCE, case, settings.get("seed", 0))
    bug, planted, x, y = run.bug, run.planted, run.x, run.y
    tf.random.set_seed(settings.get("seed", 0))
    mode = "eager" if run.mode == "eager" else "traced"
    tf.config.run_functions_eagerly(mode == "eager")
    try:
        with tempfile.TemporaryDirectory(prefix="advisor-debugging-") as folder:
            ref = debugging.load_planted(planted, Path(folder), REFERENCE)
            facts = debugging.observe(
                lambda progress: user_script(ref, bug.model, x, y, progress),
                planted,
                ref.__file__,
                frozenset({(__file__, "user_script")}),
                lambda model: predict(model, x),
            )
            if bug.expect == "print":
                facts.update(counter=len(ref.CALLS), note=PRINT_NOTE)
    finally:
        tf.config.run_functions_eagerly(False)
    facts.update(mode=MODES[mode], traceback_filtering=tf.debugging.is_traceback_filtering_enabled())
    return {"facts": facts}
