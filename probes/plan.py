"""What a run measures: the plan the CLI makes from a budget and options, read by the schedule and the collector."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from probes.budgets import Budget
from probes.specs import workloads_like
from probes.variants import VARIANTS


@dataclass(frozen=True)
class ProbePlan:
    """What a run measures: which variants and models, how long, with how many threads."""

    budget: Budget
    variants: tuple[str, ...]
    models: tuple[str, ...]
    kinds: tuple[str, ...]
    threads: int
    device: str = "auto"  # auto: a GPU when one is found; cpu: never
    seed: int = 0

    def settings(self) -> dict[str, Any]:
        b = self.budget
        return {
            "budget": b.name,
            "variants": list(self.variants),
            "models": list(self.models),
            "kinds": list(self.kinds),
            "processes": b.processes,
            "option_processes": b.option_processes or b.processes,
            "scale_processes": b.scale_processes if "scale" in self.kinds else 0,
            "order": "ABBA: the variant order reverses every other round, each round a fresh process per variant;"
            " the models' order rotates from round to round",
            "statistics": "one steady-state figure per process (its timed windows' samples over their seconds);"
            " 95% intervals from the spread between processes: a t-interval on per-round log ratios",
            "windows": b.windows,
            "window_s": b.window_s,
            "warmup_steps": b.warmup_steps,
            "batch_size": b.batch_size,
            "infer_repeats": b.infer_repeats,
            "threads": self.threads,
            "device": self.device,
            "seed": self.seed,
            "child_timeout_s": b.child_timeout_s,
            "parallel_children": b.parallel_children,  # after the timed rounds; their durations are not compared
            "accuracy_check": b.accuracy_check,
            "data": "generated: standard-normal inputs, labels from a fixed random linear teacher (probes/specs.py)",
            "precision": "float32 weights and data; on a GPU each speed result's facts say whether its matmuls"
            " and convolutions ran in TF32 (the frameworks' defaults differ)",
        }


def make_plan(
    budget: Budget,
    variants: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    threads: int | None = None,
    device: str = "auto",
) -> ProbePlan:
    chosen = (
        tuple(variants) if variants else (budget.variants or tuple(v for v in VARIANTS if not VARIANTS[v].on_request))
    )
    unknown = [v for v in chosen if v not in VARIANTS]
    if unknown:
        raise ValueError(f"option --variant must be one of {', '.join(VARIANTS)}. Received: {unknown[0]!r}")
    if threads is None:
        threads = default_threads()
    chosen_models = tuple(models) if models else budget.models + budget.workloads
    return ProbePlan(budget, chosen, chosen_models, budget.kinds, threads, device)


def with_workloads(plan: ProbePlan, data_kind: str | None, model_size: str | None) -> ProbePlan:
    """The plan measuring the realistic workloads the answers point at in place of the budget's default
    set: those like the user's data (probes/specs.py workloads_like), at most the budget's `max_workloads`,
    for a model of medium or large size; for a small one, the overhead probes like the data instead."""
    budget = plan.budget
    if not budget.max_workloads or set(plan.models) != set(budget.models + budget.workloads):
        return plan  # a budget without workloads, or models a caller chose
    liked = workloads_like(data_kind, realistic=model_size != "small")[: budget.max_workloads]
    return replace(plan, models=tuple(dict.fromkeys(budget.models + liked)))


def default_threads() -> int:
    """Every framework gets the same thread count: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
