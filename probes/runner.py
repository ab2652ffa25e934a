"""Run probes in child processes, in interleaved rounds, and gather what they measured as Evidence.

The run is three parts, as pyperf's is: a schedule decided before any child starts (probes/schedule.py:
speed and scale in ABBA rounds of fresh processes, then the accuracy check and every other kind, once),
the child-process mechanics (probes/children.py: spawn, timeout, kill the group, keep the output's
tail), and a collector that files each child's outputs as it ends (probes/collector.py). This module
only joins them. A child that is not installed, fails at import, crashes, hangs past its timeout or is
killed is recorded with its reason, and the run goes on with the others. CPU time other processes took
is recorded per child and for the whole run (probes/load.py).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from typing import Any

from probes.children import ChildInterrupted, child_env, probe_env, run_child, run_jobs, worker_command
from probes.collector import Collector
from probes.environment import collect_environment
from probes.eta import estimate_s
from probes.evidence import Evidence
from probes.load import competition, snapshot
from probes.peak import measure_peak
from probes.plan import ProbePlan, make_plan
from probes.schedule import Job, schedule, survey
from probes.variants import VARIANTS, missing_requirement

__all__ = ["ProbePlan", "ProbesInterrupted", "ProgressEvent", "make_plan", "run_probes"]  # what advisor/ uses


@dataclass
class ProgressEvent:
    event: str  # "plan" (once, first: `total` children to come) | "start" | "finish" | "skip"
    variant: str
    round: int
    rounds: int
    detail: str = ""
    kind: str = "speed"  # the probe kind the child measures
    models: tuple[str, ...] = ()  # the reference models the child measures ("start")
    total: int = 0  # "plan": how many children the run will start
    eta_s: float | None = None  # "plan": the run's estimated seconds from this machine's peak (probes/eta.py)


class ProbesInterrupted(Exception):
    """Raised on Ctrl-C or SIGTERM during the probes; carries what was measured so far."""

    def __init__(self, evidence: Evidence, interrupt: BaseException):
        super().__init__("probes interrupted")
        self.evidence = evidence
        self.interrupt = interrupt  # the KeyboardInterrupt (or subclass, for SIGTERM) that stopped it


def matmul_peak(plan: ProbePlan, environment: Mapping[str, Any]) -> dict[str, Any]:
    """The machine's fp32 matmul peak, in a child with the run's threads; on the GPU the probes use."""
    env = probe_env(plan.threads, {"OPENBLAS_NUM_THREADS": str(plan.threads)})
    on_gpu = plan.device != "cpu" and environment.get("gpus") and missing_requirement(VARIANTS["torch"]) is None
    return measure_peak(env, "cuda" if on_gpu else "cpu")


def run_probes(
    plan: ProbePlan,
    progress: Callable[[ProgressEvent], None] | None = None,
    command: Sequence[str] | None = None,
    checkpoint: Callable[[Evidence], None] | None = None,
) -> Evidence:
    """Measure every variant of the plan and return the Evidence; never raises for a probe's fault.

    Speed runs in `rounds` interleaved rounds; every other kind runs once per variant afterwards,
    each (variant, kind) in a child of its own so that one kind's crash spares the others.
    `checkpoint` gets the evidence so far (marked incomplete) after every child, so that a caller
    can save each probe as it lands; an exception it raises (a full disk) stops the run.
    """
    started = time.perf_counter()
    created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    environment = collect_environment()
    notify = progress or (lambda event: None)
    found = survey(plan, missing_requirement)
    for variant_id, reason in found.missing.items():
        notify(ProgressEvent("skip", variant_id, 0, plan.budget.processes, reason))
    timed = "speed" in plan.kinds or "own_model" in plan.kinds  # their utilisation is over this peak
    peak = matmul_peak(plan, environment) if timed and found.runnable else {}
    if peak:
        environment["matmul_peak"] = peak
    collector = Collector(plan, found, environment, created_at, started)
    order = schedule(plan, found)
    on_cpu = peak.get("device", "cpu") == "cpu"
    eta = estimate_s(order, plan.budget, peak.get("gflops") if on_cpu else None, peak.get("interpreter_ms"))
    notify(ProgressEvent("plan", "", 0, plan.budget.processes, total=len(order.jobs), eta_s=eta))
    launcher = _Launcher(plan, collector, notify, checkpoint, list(command or worker_command()))
    run_start = snapshot()
    try:
        for job in order.rounds:
            launcher.run(job)
        run_jobs([partial(launcher.run, job) for job in order.after], order.workers)
    except KeyboardInterrupt as interrupt:
        collector.competition = competition(run_start, snapshot(), os.cpu_count() or 1)
        raise ProbesInterrupted(collector.evidence(complete=False), interrupt) from None
    collector.competition = competition(run_start, snapshot(), os.cpu_count() or 1)
    return collector.evidence(complete=True)


@dataclass
class _Launcher:
    """Starts each job's child and hands its outcome to the collector, one thread at a time (the children
    after the timed rounds may run side by side, each waited for on a thread of its own)."""

    plan: ProbePlan
    collector: Collector
    notify: Callable[[ProgressEvent], None]
    checkpoint: Callable[[Evidence], None] | None
    command: list[str]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, job: Job) -> None:
        with self.lock:
            start = ProgressEvent("start", job.variant, job.round + 1, job.rounds, kind=job.shown, models=job.models)
            self.notify(start)
        env = child_env(VARIANTS[job.variant], self.plan, job.threads)
        before = snapshot()
        try:
            outcome = run_child(self.command, job.request(self.plan), env, self.plan.budget.child_timeout_s)
        except ChildInterrupted as stopped:
            with self.lock:
                self.collector.absorb(job, stopped.outcome)
            raise stopped.interrupt from None
        with self.lock:
            took = competition(before, snapshot(), os.cpu_count() or 1) if job.alone else None
            detail = self.collector.absorb(job, outcome, took)
            self.notify(ProgressEvent("finish", job.variant, job.round + 1, job.rounds, detail, kind=job.shown))
            if self.checkpoint is not None:
                self.checkpoint(self.collector.evidence(complete=False))
