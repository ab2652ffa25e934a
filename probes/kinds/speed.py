"""The speed probe's protocol, shared by every framework: first step, warm-up, timed windows, inference.

A framework's speed module (probes/<framework>/speed.py) supplies a TrainingSession (how to run
n training steps and one inference in its own idiom, synchronised with the device); this module
decides what to time and how often, so every framework is measured the same way:

1. the very first training step, alone (tracing and compilation happen here);
2. `warmup_steps` untimed steps, then a short calibration that sizes the windows;
3. `windows` timed windows of about `window_s` each: samples/s per window, and FLOP/s from the
   model's analytic FLOP count (probes/specs.py);
4. inference on 1 sample and on a batch, each shape warmed once, then `infer_repeats` timed calls;
5. the process's peak memory (and the device's, on a GPU) at that point, before anything else
   (the accuracy check) runs in the same process;
6. the accuracy check: the reference script's own `main` trains on real digits for a fixed number
   of epochs (`with_accuracy`): a speed figure means little if the model behind it does not learn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from probes import memory
from probes.specs import MODELS, train_flops

MAX_STEPS_PER_WINDOW = 2000
CALIBRATION_STEPS = 3


class TrainingSession(Protocol):
    batch_size: int

    def first_step(self) -> float:
        """Run the very first training step (tracing, compilation included); return seconds."""

    def steps(self, n: int) -> float:
        """Run n steady-state training steps; return their seconds, the device synchronised."""

    def infer(self, rows: int) -> float:
        """Run inference on `rows` samples once; return seconds, the device synchronised."""

    def device_peak_mb(self) -> float | None:
        """Peak accelerator memory since the session began, in MB; None on the CPU."""


def timed(
    run: Callable[[], Any], synchronise: Callable[[], Any], clock: Callable[[], float] = time.perf_counter
) -> float:
    """Seconds that `run` takes, with the device synchronised before the clock starts and before it stops.

    Accelerators run asynchronously: without the second synchronisation the clock would stop when
    the work is queued, not when it is done.
    """
    synchronise()
    start = clock()
    run()
    synchronise()
    return clock() - start


def steps_per_window(step_s: float, window_s: float) -> int:
    """How many steps make a window of about `window_s` seconds."""
    if step_s <= 0:
        return MAX_STEPS_PER_WINDOW
    return max(1, min(MAX_STEPS_PER_WINDOW, round(window_s / step_s)))


def measure_training(session: TrainingSession, model: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Time one model per the settings; return raw samples and facts for a ProbeResult."""
    first_step_s = session.first_step()
    if settings["warmup_steps"] > 0:
        session.steps(settings["warmup_steps"])
    step_s = session.steps(CALIBRATION_STEPS) / CALIBRATION_STEPS
    window_steps = steps_per_window(step_s, settings["window_s"])
    flops_per_sample = train_flops(model)
    throughput, gflops = [], []
    for _ in range(settings["windows"]):
        elapsed = session.steps(window_steps)
        samples_per_s = window_steps * session.batch_size / elapsed
        throughput.append(samples_per_s)
        gflops.append(samples_per_s * flops_per_sample / 1e9)
    infer_single_ms, infer_batch_ms = [], []
    session.infer(1)  # warm both shapes before timing (tracing happens on first call)
    session.infer(session.batch_size)
    for _ in range(settings["infer_repeats"]):
        infer_single_ms.append(session.infer(1) * 1000)
        infer_batch_ms.append(session.infer(session.batch_size) * 1000)
    samples = {
        "first_step_s": [first_step_s],
        "train_samples_per_s": throughput,
        "achieved_gflops": gflops,
        "infer_single_ms": infer_single_ms,
        "infer_batch_ms": infer_batch_ms,
        "peak_rss_mb": [memory.peak_rss_mb()],
    }
    device_peak = session.device_peak_mb()
    if device_peak is not None:
        samples["gpu_peak_mb"] = [device_peak]
    return {
        "samples": samples,
        "facts": {
            "steps_per_window": window_steps,
            "batch_size": session.batch_size,
            "train_flops_per_sample": flops_per_sample,
        },
    }


def clock() -> float:
    return time.perf_counter()


# --- the accuracy check: each reference's own `main` (fresh model, scikit-learn's bundled digits,
# `digits_epochs` epochs from probes/specs.py), once per run, after the timings.


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


def with_accuracy(
    measured: dict[str, Any], main: Callable[..., float], model: str, settings: Mapping[str, Any]
) -> dict[str, Any]:
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
