"""The accuracy check: the reference script itself trains on real digits for a fixed number of epochs.

A speed figure means little if the model behind it does not learn. Each probe runs its
reference's own `main` (fresh model, scikit-learn's bundled digits, `digits_epochs` epochs from
probes/specs.py) once per run, after the timings, and records the test accuracy it reaches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from probes.specs import MODELS


def accuracy_due(settings: Mapping[str, Any]) -> bool:
    """Once per run: in the first round, when the budget asks for it."""
    return bool(settings.get("accuracy_check")) and int(settings.get("round", 0)) == 0


def check_accuracy(train_and_evaluate: Callable[..., float], model: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Run a reference's `main(name, epochs, batch_size, seed)`; samples and facts for the ProbeResult."""
    spec = MODELS[model]
    start = time.perf_counter()
    accuracy = float(train_and_evaluate(model, epochs=spec.digits_epochs, batch_size=64, seed=settings["seed"]))
    return {
        "samples": {"test_accuracy": [accuracy], "accuracy_check_s": [time.perf_counter() - start]},
        "facts": {"digits_epochs": spec.digits_epochs, "learned_accuracy": spec.learned_accuracy},
    }


def with_accuracy(measured: dict[str, Any], main: Callable[..., float], model: str, settings: Mapping[str, Any]):
    """Add the accuracy check's samples and facts to a speed measurement, when it is due."""
    if not accuracy_due(settings):
        return measured
    try:
        checked = check_accuracy(main, model, settings)
    except Exception as exc:  # noqa: BLE001 - the timings stand; the failed check is a finding
        measured["facts"]["accuracy_error"] = f"{type(exc).__name__}: {str(exc).strip()[:300]}"
        return measured
    measured["samples"].update(checked["samples"])
    measured["facts"].update(checked["facts"])
    return measured
