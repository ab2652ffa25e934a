"""(f) Every framework's clock against an independent wall clock over a long run.

    python -m benchmarks.clock_agreement [VARIANT ...]   (default: keras-tensorflow tensorflow keras-torch)

Each variant runs in a child of its own (its KERAS_BACKEND set before import, as the probe runs it).
In the child, the probe's own session gives its steady-state step time (measure_training); then the
same model is trained for a long stretch the plain way and timed from outside with perf_counter:
Keras: a plain one-epoch `fit()` over N steps of a dataset built beforehand, timed around the call
from outside, less a one-step `fit()` (its fixed setup), over N - 1; the fastest of three of each,
since a new epoch now and then waits before its first batch (up to 1.2 s for the LSTM on Keras 3.15
with TensorFlow 2.21 here; the probe's clock starts at the first batch and records that wait apart).
TensorFlow: a bare
Python loop over the reference's compiled step, ending in a host copy.
The goal is within 10%. PyTorch's clock has its own check (benchmarks/torch_agreement.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

LONG_S = 3.0  # the plain run lasts about this long
SETTINGS = {"batch_size": 64, "device": "cpu", "seed": 0, "warmup_steps": 5, "window_s": 0.25, "windows": 5}
SETTINGS |= {"infer_repeats": 1}


def repeating_batches(x, y, batch: int):  # noqa: ANN001, ANN201 - numpy arrays in, a generator out
    """The batches of (x, y), round and round: a dataset any Keras backend's fit() takes with steps_per_epoch."""
    while True:
        for i in range(0, len(x) - batch + 1, batch):
            yield x[i : i + batch], y[i : i + batch]


def child(variant: str, model: str) -> dict:
    """Run in the child: our figure and the plain one, seconds per step."""
    from probes.kinds.speed import measure_training
    from probes.specs import make_data

    if variant.startswith("keras"):
        from probes.keras.speed import KerasSession

        session = KerasSession(model, SETTINGS)
    else:
        from probes.tensorflow.speed import TensorFlowSession

        session = TensorFlowSession(model, SETTINGS)
    measured = measure_training(session, model, SETTINGS)
    ours = SETTINGS["batch_size"] / measured["samples"]["train_samples_per_s"][0]
    steps = max(1, round(LONG_S / ours))
    if variant.startswith("keras"):
        import keras

        x, y = make_data(model, 2048, SETTINGS["seed"])
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            data = tf.data.Dataset.from_tensor_slices((x, y)).batch(SETTINGS["batch_size"]).repeat()
        else:
            data = repeating_batches(x, y, SETTINGS["batch_size"])

        def fit_s(n: int) -> float:
            start = time.perf_counter()
            session.model.fit(data, epochs=1, steps_per_epoch=n, verbose=0)
            return time.perf_counter() - start

        plain = (min(fit_s(steps) for _ in range(3)) - min(fit_s(1) for _ in range(3))) / (steps - 1)
    else:
        batches = [session.batches[i % len(session.batches)] for i in range(steps)]
        start = time.perf_counter()
        loss = None
        for inputs, labels in batches:
            loss = session.train_step(inputs, labels)
        float(loss)
        plain = (time.perf_counter() - start) / steps
    return {"ours_s": ours, "plain_s": plain, "steps": steps}


def main(variants: list[str]) -> int:
    from probes.variants import VARIANTS

    root = Path(__file__).resolve().parent.parent
    print(f"{'variant':<20} {'model':<12} {'ours (ms/step)':>15} {'plain run (ms/step)':>20} {'difference':>11}")
    worst = 0.0
    for variant in variants:
        for model in ("mlp", "cnn", "rnn", "transformer"):
            env = dict(os.environ, **VARIANTS[variant].env, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(root))
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.clock_agreement", "--child", variant, model],
                capture_output=True,
                text=True,
                env=env,
                cwd=root,
                check=True,
            )
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            ours, plain = figures["ours_s"], figures["plain_s"]
            worst = max(worst, abs(ours - plain) / plain)
            print(
                f"{variant:<20} {model:<12} {ours * 1e3:>15.3f} {plain * 1e3:>20.3f} {(ours - plain) / plain:>+11.1%}"
            )
    print(f"largest difference: {worst:.1%} (goal: within 10%)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
        sys.exit(0)
    sys.exit(main(sys.argv[1:] or ["keras-tensorflow", "tensorflow", "keras-torch"]))
