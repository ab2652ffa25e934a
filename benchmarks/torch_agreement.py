"""(c) Agreement of our PyTorch step time with torch.utils.benchmark's blocked_autorange.

    python -m benchmarks.torch_agreement [MODEL ...]     (default: mlp cnn rnn transformer)

Same model, optimizer, batches, thread count and steps per call (a window of the probe); the goal
is within 10%.
"""

from __future__ import annotations

import statistics
import sys

from benchmarks._torch_step import SETTINGS, session, threads, window
from probes.kinds.speed import measure_training


def main(models: list[str]) -> int:
    import torch.utils.benchmark as benchmark

    print(f"threads {threads()}; batch {SETTINGS['batch_size']}")
    print(f"{'model':<12} {'ours (ms)':>10} {'blocked_autorange (ms)':>23} {'difference':>11}")
    for model in models:
        s = session(model)
        measured = measure_training(s, model, {**SETTINGS, "windows": 5})
        ours_s = SETTINGS["batch_size"] / statistics.median(measured["samples"]["train_samples_per_s"])
        steps = measured["facts"]["steps_per_window"]
        timer = benchmark.Timer(stmt="run()", globals={"run": window(s, steps)}, num_threads=threads())
        theirs_s = timer.blocked_autorange(min_run_time=1.0).median / steps
        print(f"{model:<12} {ours_s * 1e3:>10.3f} {theirs_s * 1e3:>23.3f} {(ours_s - theirs_s) / theirs_s:>+11.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["mlp", "cnn", "rnn", "transformer"]))
