"""(d) Repeatability: the quick probe run several times; spread of the medians and ranking changes.

python -m benchmarks.repeatability [RUNS]     (default: 5)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def medians(evidence: dict) -> dict[tuple[str, str], float]:
    found = {}
    for r in evidence["results"]:
        windows = r.get("samples", {}).get("train_samples_per_s")
        if r["kind"] == "speed" and r["status"] == "ok" and windows:
            found[(r["model"], r["variant"])] = statistics.median(windows)
    return found


def main(runs: int) -> int:
    per_run = []
    with tempfile.TemporaryDirectory(prefix="advisor-repeat-") as tmp:
        for i in range(runs):
            out = Path(tmp) / f"run{i}"
            subprocess.run(
                [sys.executable, "-m", "advisor", "probe", "--budget", "quick", "--out", str(out)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            per_run.append(medians(json.loads((out / "evidence.json").read_text())))
    keys = sorted(set().union(*per_run))
    print(f"{runs} quick runs; training throughput medians (samples/s)")
    print(f"{'model':<12} {'variant':<18} {'min':>10} {'median':>10} {'max':>10} {'spread':>8}")
    for model, variant in keys:
        values = [run[(model, variant)] for run in per_run if (model, variant) in run]
        mid = statistics.median(values)
        spread = (max(values) - min(values)) / mid
        print(f"{model:<12} {variant:<18} {min(values):>10,.0f} {mid:>10,.0f} {max(values):>10,.0f} {spread:>8.1%}")
    for model in sorted({m for m, _ in keys}):
        rankings = {
            tuple(sorted((v for m, v in run if m == model), key=lambda v, run=run: -run[(model, v)])) for run in per_run
        }
        state = "stable" if len(rankings) == 1 else f"CHANGED ({len(rankings)} different orders)"
        print(f"ranking on {model}: {' > '.join(next(iter(rankings)))} — {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
