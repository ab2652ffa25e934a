"""What a run measures: the plan the CLI makes from a budget and options, read by the schedule and the collector."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from probes.budgets import EXTRAS_FOR_TARGET, Budget
from probes.specs import workloads_like
from probes.user_model import OWN_KINDS, OWN_MODEL, UserModel, model_variants
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
    model: UserModel | None = None  # the user's own model (--model): its kinds join `kinds`
    target: str | None = None  # the deployment target the answers name (None: no answers, as `advisor probe`)

    @property
    def export_extras(self) -> tuple[str, ...]:
        """The export probe's extras this run measures: the budget's, or those the deployment target needs."""
        if self.budget.export_extras is not None:
            return self.budget.export_extras
        return EXTRAS_FOR_TARGET.get(self.target or "", ())

    @property
    def measured_variants(self) -> tuple[str, ...]:
        """Every variant a child starts for: the plan's, then those only the user's model runs on."""
        return model_variants(self.model, self.variants)

    def kinds_of(self, variant_id: str) -> tuple[str, ...]:
        """The kinds a variant measures: the plan's for its own variants, the user model's where it runs."""
        own = self.model is not None and variant_id in self.model.variants
        planned = variant_id in self.variants
        return tuple(k for k in self.kinds if (k in OWN_KINDS and own) or (k not in OWN_KINDS and planned))

    def models_of(self, kind: str) -> tuple[str, ...]:
        """The models a kind measures: the user's for its own kinds, the reference models for the others."""
        return (OWN_MODEL,) if kind in OWN_KINDS else self.models

    def settings(self) -> dict[str, Any]:
        b = self.budget
        own = {"own_model": self.model.to_json()} if self.model is not None else {}
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
            "export_extras": list(self.export_extras),
            "deployment_target": self.target,
            "parallel_children": b.parallel_children,  # after the timed rounds; their durations are not compared
            "accuracy_check": b.accuracy_check,
            "data": "generated: standard-normal inputs, labels from a fixed random linear teacher (probes/specs.py)",
            "precision": "float32 weights and data; on a GPU each speed result's facts say whether its matmuls"
            " and convolutions ran in TF32 (the frameworks' defaults differ)",
            **own,
        }


# More threads than this per logical CPU only makes OpenMP spin (and a typo of 100000 would start as many).
MAX_THREADS_PER_CPU = 4


def make_plan(
    budget: Budget,
    variants: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    threads: int | None = None,
    device: str = "auto",
    model: UserModel | None = None,
    only_model: bool = False,
) -> ProbePlan:
    """The plan of a run; with `only_model`, the user's model alone (no reference model, no other kind)."""
    chosen = (
        tuple(dict.fromkeys(variants))  # a variant named twice is measured once
        if variants
        else (budget.variants or tuple(v for v in VARIANTS if not VARIANTS[v].on_request))
    )
    if only_model and model is not None:
        return ProbePlan(budget, (), (), OWN_KINDS, threads or default_threads(), device, model=model)
    unknown = [v for v in chosen if v not in VARIANTS]
    if unknown:
        raise ValueError(f"option --variant must be one of {', '.join(VARIANTS)}. Received: {unknown[0]!r}")
    if not math.isfinite(budget.child_timeout_s):  # it is written into the evidence, which holds no infinity
        raise ValueError(f"option --child-timeout must be a number of seconds. Received: {budget.child_timeout_s}")
    most = MAX_THREADS_PER_CPU * (os.cpu_count() or 1)
    if threads is not None and threads > most:
        raise ValueError(
            f"option --threads must be at most {most} ({MAX_THREADS_PER_CPU} per logical CPU of this machine). "
            f"Received: {threads}"
        )
    if threads is None:
        threads = default_threads()
    kinds = budget.kinds + (OWN_KINDS if model is not None else ())
    chosen_models = tuple(dict.fromkeys(models)) if models else budget.models + budget.workloads
    return ProbePlan(budget, chosen, chosen_models, kinds, threads, device, model=model)


def for_target(plan: ProbePlan, target: str | None) -> ProbePlan:
    """The plan for the deployment target the answers name: the export extras it needs, and the user's model
    routed to it."""
    model = plan.model.for_target(target) if plan.model is not None else None
    return replace(plan, target=target, model=model)


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
