"""Run one variant's export probe child as a run does and print each path's facts, with the child's wall time.

    python -m benchmarks.export_child torch          (timings: run it on a quiet machine)

For checking what the deployment routes record (runtime, browser, int8) and what they cost, without a
whole budget.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.probe_children import run_probe  # noqa: E402


def main(variant: str) -> None:
    start = time.perf_counter()
    results = run_probe(variant, "export", ("cnn",))
    print(f"wall {time.perf_counter() - start:.1f}")
    for case, entry in results.items():
        facts = {k: v for k, v in entry["facts"].items() if v is not None and k != "label"}
        print(case, entry["status"], entry.get("reason") or "", json.dumps(facts))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "torch")
