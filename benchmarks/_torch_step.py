"""The PyTorch step the speed probe times, set up once for the in-process benchmarks (b) and (c)."""

from __future__ import annotations

import os

SETTINGS = {"batch_size": 64, "device": "cpu", "seed": 0, "warmup_steps": 5, "window_s": 0.25, "infer_repeats": 1}


def threads() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def session(model: str):
    """A TorchSession (the probe's own) with the run's thread count set, warmed up."""
    import torch

    from probes.pytorch.speed import TorchSession

    torch.set_num_threads(threads())
    s = TorchSession(model, SETTINGS)
    s.first_step()
    s.steps(SETTINGS["warmup_steps"])
    return s


def window(s, steps: int):
    """A function running `steps` training steps in one call of the reference's loop, as a timed
    window of the probe runs them (a call per step would add the loop's setup to every step)."""
    batches = [s.batches[i % len(s.batches)] for i in range(steps)]
    return lambda: s.ref.train_epoch(s.model, batches, s.optimizer, s.loss_fn, s.device)
