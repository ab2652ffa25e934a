"""Why PyTorch trains the small CNN slower than Keras on TensorFlow on a CPU: its layout, not its kernels.

    python -m benchmarks.torch_layout [MODEL]   (default: cnn)

For PyTorch's default (NCHW, Adam's loop over parameters) and the experts' settings (channels_last and
Adam(fused=True), the torch-expert variant), each in a child of its own with the run's threads:
- torch.profiler over 10 steady steps: the operators with the most self CPU time, and their share;
- ONEDNN_VERBOSE over 5 steps: how many oneDNN primitives ran per step, and how many were reorders
  (layout conversions) rather than convolutions, with the largest reorder's shape.
Seen on a 2-core AMD EPYC VM (2026-12-07, busy): in NCHW every activation is reordered into oneDNN's
blocked layout and back around each convolution (15 reorders a step on the small CNN, beside its 5
convolutions); with channels_last only the weights are (7 a step). The reorder counts are exact on any
machine; the profiler's shares moved from run to run on the busy VM (the NCHW max-pool took 8% to 46%
of the step, Adam's loop of per-parameter operations about a sixth), so read them on a quiet one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

SETTINGS = {"device": "cpu", "batch_size": 64, "seed": 0}
MODES = {"default": {}, "expert": {"channels_last": True, "fused_adam": True}}


def child(model: str, mode: str, verbose: bool) -> dict:
    import torch

    from probes.pytorch.speed import TorchSession

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    session = TorchSession(model, SETTINGS, MODES[mode])
    session.first_step()
    session.steps(5)
    if verbose:
        print("MEASURED STEPS BEGIN", flush=True)
        session.steps(5)
        return {}
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        session.steps(10)
    events = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    total = sum(e.self_cpu_time_total for e in events) or 1
    return {"top": [(e.key, e.self_cpu_time_total / total) for e in events[:8]]}


def onednn_counts(log: str) -> dict:
    lines = log.split("MEASURED STEPS BEGIN", 1)[-1].splitlines()
    executed = [line.split(",") for line in lines if line.startswith("onednn_verbose") and ",exec," in line]
    kinds = Counter(fields[5] for fields in executed if len(fields) > 5)
    reorders = [fields for fields in executed if len(fields) > 5 and fields[5] == "reorder"]
    return {"primitives_per_step": sum(kinds.values()) / 5, "by_kind_per_step": {k: v / 5 for k, v in kinds.items()},
            "reorders": len(reorders) / 5}  # fmt: skip


def run(model: str, mode: str, verbose: bool) -> dict | str:
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")}
    if verbose:
        env["ONEDNN_VERBOSE"] = "1"
    args = [sys.executable, "-m", "benchmarks.torch_layout", "--child", model, mode, "1" if verbose else "0"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return done.stdout if verbose else json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], argv[2], argv[3] == "1")))
        return
    model = argv[0] if argv else "cnn"
    for mode in MODES:
        profiled = run(model, mode, verbose=False)
        counts = onednn_counts(str(run(model, mode, verbose=True)))
        print(f"== {model}, {mode} {MODES[mode] or '(NCHW, Adam for-loop)'}")
        for name, share in profiled["top"]:  # type: ignore[index]
            print(f"  {share:6.1%}  {name}")
        print(f"  oneDNN per step: {counts['by_kind_per_step']} ({counts['reorders']:.0f} reorders)")


if __name__ == "__main__":
    main(sys.argv[1:])
