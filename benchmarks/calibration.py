"""(e) Calibration: do the speed intervals describe the next run, and do the speed verdicts hold across runs?

    python -m benchmarks.calibration [RUNS] [BUDGET]      (default: 6 runs of the quick budget)

Runs `advisor probe` RUNS times, one after another, then reads each run's speed findings with
`advisor claims RUN --json` (the tool's own intervals and verdicts, whatever version made them).
For every comparison (model, A vs B) it prints the share of runs whose 95% interval contains the
median ratio of the other runs (goal: at least 90%), and for every speed claim whether all runs
gave it the same verdict (goal: yes, or "within noise" where they differ). Run it on a quiet
machine: nothing else of yours running.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEED_RULES = ("better", "similar")


def claims(folder: Path) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "claims", str(folder), "--json"], capture_output=True, text=True, check=True
    )
    return [c for c in json.loads(done.stdout)["claims"] if c["test"] and c["test"]["rule"] in SPEED_RULES]


def comparisons(run: list[dict]) -> dict[tuple[str, str, str], tuple[float, float, float]]:
    """(model, a, b) -> (ratio, low, high) of every measured speed finding of one run."""
    found = {}
    for claim in run:
        for finding in claim["findings"]:
            v = finding["values"]
            if finding["outcome"] != "not_measured" and {"ratio", "low", "high"} <= set(v):
                found[(v["model"], v["a"], v["b"], v.get("metric", ""))] = (v["ratio"], v["low"], v["high"])
    return found


def main(runs: int, budget: str) -> int:
    per_run, verdicts, walls = [], [], []
    with tempfile.TemporaryDirectory(prefix="advisor-calibration-") as tmp:
        for i in range(runs):
            out = Path(tmp) / f"run{i}"
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "advisor", "probe", "--budget", budget, "--out", str(out)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            walls.append(time.perf_counter() - start)
            run = claims(out)
            per_run.append(comparisons(run))
            verdicts.append({c["id"]: c["verdict"] for c in run})
    print(f"{runs} {budget} runs, wall time {min(walls):.0f}-{max(walls):.0f} s each")
    print(f"{'comparison':<58} {'ratios across runs':<36} {'covered':>8}")
    covered_all = total_all = 0
    for key in sorted(set().union(*per_run)):
        present = [(i, run[key]) for i, run in enumerate(per_run) if key in run]
        if len(present) < 3:
            continue
        covered = 0
        for i, (_, low, high) in present:
            others = statistics.median(r for j, (r, _, _) in present if j != i)
            covered += low <= others <= high
        covered_all += covered
        total_all += len(present)
        model, a, b, metric = key
        ratios = ", ".join(f"{r:.2f}" for _, (r, _, _) in present)
        print(f"{model + ': ' + a + ' vs ' + b + ' ' + metric:<58} {ratios:<36} {covered}/{len(present):>2}")
    share = covered_all / total_all if total_all else float("nan")
    print(f"intervals holding the other runs' median ratio: {covered_all} of {total_all} ({share:.0%}; goal >= 90%)")
    ids = sorted(set().union(*verdicts))
    unstable = []
    for claim_id in ids:
        seen = [v.get(claim_id) for v in verdicts]
        if len(set(seen)) > 1:
            unstable.append(f"{claim_id}: {', '.join(str(s) for s in seen)}")
    same = len(ids) - len(unstable)
    print(f"speed claims with the same verdict in every run: {same} of {len(ids)}")
    for line in unstable:
        print(f"  differs: {line}")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(int(args[0]) if args else 6, args[1] if len(args) > 1 else "quick"))
