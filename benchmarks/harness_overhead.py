"""(b) Harness overhead: our timed windows against a bare perf_counter loop of the same step.

    python -m benchmarks.harness_overhead [MODEL ...]     (default: mlp cnn)

Both time the same TorchSession (same model, optimizer, batches, threads) in alternation, several
rounds each, and compare medians of the per-step time. The goal is at most 2% overhead.
"""

from __future__ import annotations

import statistics
import sys
import time

from benchmarks._torch_step import SETTINGS, session, threads
from probes.timing import measure_training

ROUNDS = 7


def bare_step_s(s, steps: int) -> float:
    batches = [s.batches[i % len(s.batches)] for i in range(steps)]
    start = time.perf_counter()
    for batch in batches:
        s.ref.train_epoch(s.model, [batch], s.optimizer, s.loss_fn, s.device)
    return (time.perf_counter() - start) / steps


def harness_step_s(s, model: str) -> float:
    measured = measure_training(s, model, {**SETTINGS, "windows": 3})
    per_s = statistics.median(measured["samples"]["train_samples_per_s"])
    return SETTINGS["batch_size"] / per_s


def main(models: list[str]) -> int:
    print(f"threads {threads()}; {ROUNDS} alternating rounds per model; medians of per-step time")
    print(f"{'model':<12} {'bare (ms)':>10} {'harness (ms)':>13} {'overhead':>9}")
    for model in models:
        s = session(model)
        steps = max(20, round(0.25 / bare_step_s(s, 5)))
        bare, harness = [], []
        for _ in range(ROUNDS):
            bare.append(bare_step_s(s, steps))
            harness.append(harness_step_s(s, model))
        b, h = statistics.median(bare), statistics.median(harness)
        print(f"{model:<12} {b * 1e3:>10.3f} {h * 1e3:>13.3f} {(h - b) / b:>+9.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["mlp", "cnn"]))
