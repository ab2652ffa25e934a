"""(a) Wall time of a whole probe run per budget, imports and child start-up included.

python -m benchmarks.suite_wall_time [BUDGET ...]     (default: quick standard)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS_S = {"quick": 60.0, "standard": 300.0}


def run_budget(budget: str, out: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "advisor", "probe", "--budget", budget, "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall_s = time.perf_counter() - start
    return wall_s, json.loads((out / "evidence.json").read_text())


def main(budgets: list[str]) -> int:
    print(f"{'budget':<10} {'wall (s)':>9} {'goal (s)':>9}  probes ok / recorded")
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        for budget in budgets:
            wall_s, evidence = run_budget(budget, Path(tmp) / budget)
            results = evidence["results"]
            ok = sum(r["status"] == "ok" for r in results)
            goal = GOALS_S.get(budget)
            verdict = "" if goal is None else ("  meets goal" if wall_s <= goal else "  OVER GOAL")
            goal_text = f"{goal:.0f}" if goal else "-"
            print(f"{budget:<10} {wall_s:>9.1f} {goal_text:>9}  {ok} / {len(results)}{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["quick", "standard"]))
