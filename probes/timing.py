"""The measuring protocol every framework shares: first step, warm-up, timed windows, inference.

A framework probe supplies a TrainingSession (how to run n training steps and one inference in
its own idiom, synchronised with the device); this module decides what to time and how often,
so every framework is measured the same way:

1. the very first training step, alone (tracing and compilation happen here);
2. `warmup_steps` untimed steps, then a short calibration that sizes the windows;
3. `windows` timed windows of about `window_s` each: samples/s per window, and FLOP/s from the
   model's analytic FLOP count (probes/specs.py);
4. inference on 1 sample and on a batch, each shape warmed once, then `infer_repeats` timed calls;
5. the process's peak memory (and the device's, on a GPU) at that point, before anything else
   (the accuracy check) runs in the same process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from probes import memory
from probes.specs import train_flops

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


def timed(run: Callable[[], Any], synchronise: Callable[[], Any], clock: Callable[[], float] = time.perf_counter):
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
