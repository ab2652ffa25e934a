"""The measuring protocol every framework shares: first step, warm-up, timed windows, inference.

A framework probe supplies a TrainingSession (how to run n training steps and one inference in
its own idiom, synchronised with the device); this module decides what to time and how often,
so every framework is measured the same way.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Protocol

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


def steps_per_window(step_s: float, window_s: float) -> int:
    """How many steps make a window of about `window_s` seconds."""
    if step_s <= 0:
        return MAX_STEPS_PER_WINDOW
    return max(1, min(MAX_STEPS_PER_WINDOW, round(window_s / step_s)))


def measure_training(session: TrainingSession, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Time one model per the settings; return raw samples and facts for a ProbeResult."""
    first_step_s = session.first_step()
    if settings["warmup_steps"] > 0:
        session.steps(settings["warmup_steps"])
    step_s = session.steps(CALIBRATION_STEPS) / CALIBRATION_STEPS
    window_steps = steps_per_window(step_s, settings["window_s"])
    throughput = []
    for _ in range(settings["windows"]):
        elapsed = session.steps(window_steps)
        throughput.append(window_steps * session.batch_size / elapsed)
    infer_single_ms, infer_batch_ms = [], []
    session.infer(1)  # warm both shapes before timing (tracing happens on first call)
    session.infer(session.batch_size)
    for _ in range(settings["infer_repeats"]):
        infer_single_ms.append(session.infer(1) * 1000)
        infer_batch_ms.append(session.infer(session.batch_size) * 1000)
    return {
        "samples": {
            "first_step_s": [first_step_s],
            "train_samples_per_s": throughput,
            "infer_single_ms": infer_single_ms,
            "infer_batch_ms": infer_batch_ms,
        },
        "facts": {"steps_per_window": window_steps, "batch_size": session.batch_size},
    }


def clock() -> float:
    return time.perf_counter()
