"""Whether the machine was busy while it measured: CPU time other processes took, and the load average.

Linux counts every CPU's busy time in /proc/stat; this process knows its own and its reaped
children's (getrusage). The difference over a stretch of time is what other processes took: a
neighbour's job, a browser, another run. On a virtual machine the `steal` column is time the
hypervisor gave to other machines. Read before and after each child and for the whole run, so a
report can say which measurements competed for the cores. Nothing here imports more than the
standard library; where /proc is missing (macOS) every figure is None.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUSY_SHARE = 0.10  # other processes taking this share of the machine's CPU time count as competition
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Snapshot:
    wall: float
    busy_s: float | None  # every CPU's non-idle time since boot
    steal_s: float | None
    ours_s: float  # this process and its reaped children


def snapshot() -> Snapshot:
    busy = steal = None
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        ticks = [int(v) for v in fields]
        # user nice system idle iowait irq softirq steal ...
        busy = (sum(ticks[:8]) - ticks[3] - ticks[4]) / _TICKS
        steal = ticks[7] / _TICKS if len(ticks) > 7 else None
    except (OSError, ValueError, IndexError):
        pass
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return Snapshot(time.perf_counter(), busy, steal, ours)


def load_average() -> float | None:
    """The 1-minute load average, or None where the system has none."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def competition(before: Snapshot, after: Snapshot, cores: int) -> dict[str, Any]:
    """What other processes took between two snapshots: CPU seconds, their share of the machine, steal."""
    wall = max(after.wall - before.wall, 1e-9)
    figures: dict[str, Any] = {"wall_s": round(wall, 3), "load_average": load_average()}
    if before.busy_s is None or after.busy_s is None:
        return {**figures, "others_cpu_s": None, "others_share": None, "steal_s": None, "busy": None}
    others = max(0.0, (after.busy_s - before.busy_s) - (after.ours_s - before.ours_s))
    share = others / (wall * max(cores, 1))
    steal = None
    if before.steal_s is not None and after.steal_s is not None:
        steal = round(after.steal_s - before.steal_s, 3)
    return {
        **figures,
        "others_cpu_s": round(others, 3),
        "others_share": round(share, 4),
        "steal_s": steal,
        "busy": share > BUSY_SHARE,
    }
