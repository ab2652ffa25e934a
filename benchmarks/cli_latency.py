"""(l) How long the CLI takes to answer: `advisor --help` and re-rendering an untouched run.

    python -m benchmarks.cli_latency [PROCESSES]

Each figure is the median over PROCESSES fresh processes (default 7), with the fastest and slowest,
and the median CPU time (user and system), which a busy machine disturbs less than wall time:
`advisor --help`; `advisor report RUN` on a copy of tests/fixtures/run_quick made untouched (reported
once, so its records are consistent) with the caches warm, and with no cache (ADVISOR_CACHE_DIR="":
knowledge parsed from YAML and templates compiled, as on a first run). The children run as an
installed copy does: PYTHONDONTWRITEBYTECODE is removed from their environment (some development
machines set it, and then every module of this checkout is compiled again on every run). Then one process's breakdown,
median over the same number of processes: imports, knowledge loaded (from the cache; parsed from
YAML), the report's templates (code from the cache; compiled), and the rest of the re-render
(checking the records, building the view, rendering, writing). The goals (issue 24): --help
≤ 0.1 s and the re-render ≤ 0.5 s on a 2-core VM of the slower kind, measured on a quiet machine.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK_RUN = ROOT / "tests" / "fixtures" / "run_quick"

# One process's phases, printed as JSON; run with this checkout first on the path.
BREAKDOWN = r"""
import json, sys, time
t0 = time.perf_counter()
import advisor.cli, advisor.runs, advisor.report.page, advisor.report.templates
t1 = time.perf_counter()
import knowledge
knowledge._all_files()
t2 = time.perf_counter()
from importlib import resources
for entry in resources.files("knowledge").iterdir():
    if entry.name.endswith(".yaml"):
        knowledge._parse(entry.name.removesuffix(".yaml"), entry.read_bytes())
t3 = time.perf_counter()
from advisor.report.templates import environment
env = environment()
def every_template(env):
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
every_template(env)
t4 = time.perf_counter()
fresh = env.overlay(bytecode_cache=None, cache_size=0)
every_template(fresh)
t5 = time.perf_counter()
advisor.runs.rerender(sys.argv[1])
t6 = time.perf_counter()
print(json.dumps({
    "imports": t1 - t0, "knowledge (cache)": t2 - t1, "knowledge (YAML)": t3 - t2,
    "templates of every page (cached code)": t4 - t3, "templates of every page (compiled)": t5 - t4,
    "re-render, the rest": t6 - t5,
}))
"""


def environment(cache: Path | None) -> dict[str, str]:
    """This checkout's code, run as an installed copy runs: Python may write its .pyc files (pip writes them at
    install) and the advisor its compiled templates; `cache` None turns the advisor's caches off."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["ADVISOR_CACHE_DIR"] = str(cache) if cache else ""
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh process; CPU time is the steadier figure on a busy machine."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def spread(name: str, runs: list[tuple[float, float]]) -> str:
    wall, cpu = [w for w, _ in runs], [c for _, c in runs]
    return (
        f"{name:<32} median {statistics.median(wall):.3f} s (min {min(wall):.3f}, max {max(wall):.3f});"
        f" CPU {statistics.median(cpu):.3f} s; {len(runs)} processes"
    )


def main(argv: list[str]) -> int:
    processes = int(argv[0]) if argv else 7
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set here; the measured processes run without it")
    advisor = [sys.executable, "-m", "advisor"]
    with tempfile.TemporaryDirectory() as tmp:
        run, cache = Path(tmp) / "run", Path(tmp) / "cache"
        shutil.copytree(QUICK_RUN, run)
        subprocess.run([*advisor, "report", str(run)], env=environment(cache), cwd=ROOT, capture_output=True)
        warm, none = environment(cache), environment(None)
        print(spread("advisor --help", [timed([*advisor, "--help"], warm) for _ in range(processes)]))
        print(spread("advisor report RUN", [timed([*advisor, "report", str(run)], warm) for _ in range(processes)]))
        cold = [timed([*advisor, "report", str(run)], none) for _ in range(processes)]
        print(spread("advisor report RUN, no cache", cold))
        phases = [
            json.loads(
                subprocess.run(
                    [sys.executable, "-c", BREAKDOWN, str(run)],
                    env=warm,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(processes)
        ]
        print(f"one re-render's phases (median of {processes} processes):")
        for phase in phases[0]:
            print(f"  {phase:<38} {statistics.median(p[phase] for p in phases):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
