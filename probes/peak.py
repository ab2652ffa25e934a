"""The machine's own float32 matrix-multiply peak, measured once per run, so utilisation has a yardstick.

    python -m probes.peak RESULT.json [cpu|cuda]

Runs in a child like every probe (with the run's thread count in OMP_NUM_THREADS), so the parent
never loads a BLAS or a framework. On the CPU, numpy's BLAS multiplies 1024x1024 float32 matrices;
on a GPU, torch.matmul does on the device (TF32 allowed where the GPU has it, as TensorFlow's and
JAX's defaults allow it), synchronised before each clock stops. The best of
several timed repeats is the peak: the fastest the hardware was seen to go, not a typical speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

SIZE = 1024
REPEATS = 5
TARGET_S = 0.15  # per repeat
PEAK_TIMEOUT_S = 60.0


# The regime a speed result is in, from its share of this peak. Vendor kernels (oneDNN, cuDNN, a BLAS)
# reach about two thirds of the peak on shapes like the realistic workloads', so below a tenth of it a
# step spends at most a sixth of its time in them, and the rest in the framework (dispatch, the
# optimiser's loop, Python): overhead-bound. From a third, about half the time or more is kernel time,
# which every framework calls alike: compute-bound. Between, neither dominates.
OVERHEAD_BOUND_BELOW = 0.10
COMPUTE_BOUND_FROM = 1 / 3
REGIMES = ("overhead-bound", "mixed", "compute-bound")


def regime(peak_share: float) -> str:
    """The regime of a result that reached `peak_share` of the machine's matmul peak."""
    if peak_share < OVERHEAD_BOUND_BELOW:
        return REGIMES[0]
    return REGIMES[2] if peak_share >= COMPUTE_BOUND_FROM else REGIMES[1]


def matmul_flops(size: int) -> int:
    """A square product: size^3 multiply-adds, 2 FLOPs each."""
    return 2 * size**3


def best_gflops(multiply: Callable[[], Any], flops: int, synchronise: Callable[[], Any] = lambda: None) -> float:
    """The highest GFLOP/s of `REPEATS` timed batches of `multiply`, each batch about TARGET_S long."""
    multiply()
    synchronise()
    start = time.perf_counter()
    multiply()
    synchronise()
    once_s = max(time.perf_counter() - start, 1e-6)
    calls = max(1, round(TARGET_S / once_s))
    best = 0.0
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(calls):
            multiply()
        synchronise()
        elapsed = time.perf_counter() - start
        best = max(best, calls * flops / elapsed / 1e9)
    return best


def interpreter_ms() -> float:
    """Milliseconds of a fixed piece of plain Python (dict lookups, string formatting, calls), the best of
    REPEATS: the single-core speed that starting a child and importing a framework mostly take, which the
    matmul peak does not show (a VM with half this one's peak ran the same budgets only 1.7 times slower)."""

    def work() -> int:
        table: dict[str, int] = {}
        for i in range(60_000):
            key = f"k{i % 997}"
            table[key] = table.get(key, 0) + len(key)
        return len(table)

    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return 1000 * best


def cpu_peak() -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((SIZE, SIZE), dtype=np.float32)
    b = rng.standard_normal((SIZE, SIZE), dtype=np.float32)
    gflops = best_gflops(lambda: a @ b, matmul_flops(SIZE))
    return {"gflops": gflops, "device": "cpu", "method": f"numpy {np.__version__} float32 {SIZE}x{SIZE} matmul"}


def cuda_peak() -> dict[str, Any]:
    """The GPU's float32 matmul peak, strict and (on Ampere and later) with TF32 allowed.

    TensorFlow and JAX run float32 matmuls in TF32 by default there and cuDNN convolutions may too,
    so a strict float32 yardstick would let utilisation pass 100%: `gflops` is the TF32 peak where
    the GPU has TF32, and the strict figure is kept beside it.
    """
    import torch

    size = 4 * SIZE
    a = torch.randn(size, size, device="cuda")
    b = torch.randn(size, size, device="cuda")
    saved = torch.backends.cuda.matmul.allow_tf32
    try:
        torch.backends.cuda.matmul.allow_tf32 = False
        strict = best_gflops(lambda: a @ b, matmul_flops(size), torch.cuda.synchronize)
        has_tf32 = torch.cuda.get_device_capability(0) >= (8, 0)
        tf32 = None
        if has_tf32:
            torch.backends.cuda.matmul.allow_tf32 = True
            tf32 = best_gflops(lambda: a @ b, matmul_flops(size), torch.cuda.synchronize)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = saved
    name = torch.cuda.get_device_name(0)
    return {
        "gflops": max(strict, tf32 or 0.0),
        "gflops_strict_float32": strict,
        "gflops_tf32": tf32,
        "device": "cuda",
        "method": f"torch {torch.__version__} {size}x{size} float32 matmul on {name}, "
        + ("the faster of strict float32 and TF32 allowed" if has_tf32 else "strict float32 (no TF32 on this GPU)"),
    }


def main(argv: list[str]) -> int:
    device = argv[1] if len(argv) > 1 else "cpu"
    measured = cuda_peak() if device == "cuda" else cpu_peak()
    measured["threads"] = os.environ.get("OMP_NUM_THREADS")
    measured["interpreter_ms"] = round(interpreter_ms(), 3)
    Path(argv[0]).write_text(json.dumps(measured))
    return 0


def measure_peak(env: Mapping[str, str], device: str = "cpu", timeout_s: float = PEAK_TIMEOUT_S) -> dict[str, Any]:
    """Run the peak child; {"gflops", "device", "method", "threads"} or {"error": why}."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="advisor-peak-") as tmp:
        result = Path(tmp) / "peak.json"
        try:
            done = subprocess.run(
                [sys.executable, "-m", "probes.peak", str(result), device],
                env=dict(env),
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"error": f"the matmul peak child took over {timeout_s:.0f} s"}
        if done.returncode != 0 or not result.exists():
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            return {"error": f"the matmul peak child exited with code {done.returncode}: {last[0][:200]}"}
        return json.loads(result.read_text())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
