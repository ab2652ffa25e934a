"""(b) Harness overhead: our timed windows against a bare perf_counter loop of the same step.

    python -m benchmarks.harness_overhead [MODEL ...]     (default: mlp cnn)

Both time the same TorchSession (same model, optimizer, batches, threads) in alternation, several
rounds each, and compare medians of the per-step time. The goal is at most 2% overhead.
"""

from __future__ import annotations

import statistics
import sys
import time

from benchmarks._torch_step import SETTINGS, session, threads, window
from probes.kinds.speed import measure_training

ROUNDS = 7
WINDOWS = 3  # per round, both sides: the median of three windows, so neither side's first window decides


def bare_window_step_s(s, steps: int) -> float:
    """The reference's own loop over `steps` batches in one call, as a window runs it, with nothing
    around it but two clock reads (one call per step would add a call's setup to every step)."""
    run = window(s, steps)
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) / steps


def harness_step_s(s, model: str) -> float:
    measured = measure_training(s, model, {**SETTINGS, "windows": WINDOWS})
    per_s = statistics.median(measured["samples"]["train_samples_per_s"])
    return SETTINGS["batch_size"] / per_s


def main(models: list[str]) -> int:
    print(f"threads {threads()}; {ROUNDS} alternating rounds per model; medians of per-step time")
    print(f"{'model':<12} {'bare (ms)':>10} {'harness (ms)':>13} {'overhead':>9}")
    for model in models:
        s = session(model)
        steps = max(20, round(0.25 / bare_window_step_s(s, 5)))
        bare, harness = [], []
        for _ in range(ROUNDS):
            bare.append(statistics.median(bare_window_step_s(s, steps) for _ in range(WINDOWS)))
            harness.append(harness_step_s(s, model))
        b, h = statistics.median(bare), statistics.median(harness)
        print(f"{model:<12} {b * 1e3:>10.3f} {h * 1e3:>13.3f} {(h - b) / b:>+9.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["mlp", "cnn"]))
