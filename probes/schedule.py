"""The order of a run's children, decided before the first starts: pure functions of the plan and of what is installed.

Timed kinds (speed, then scale) run in rounds, as pyperf runs benchmarks: each round starts a fresh
process per variant, in ABBA order (A B, then B A, so drift hits every variant alike), and each
process measures every model once, the models' order rotating from round to round, so each model
gets one steady-state figure per process and intervals come from the spread between processes. A
named option (torch.compile, XLA) runs in the first `option_processes` rounds only. Then the
children whose durations are not compared (the accuracy check, ease, debugging, export) run
`parallel_children` at a time, longest first, each with its share of the cores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from probes.contract import ACCURACY_CASE, framework_probe
from probes.plan import ProbePlan
from probes.specs import MODELS
from probes.variants import VARIANTS, Variant

# Kinds whose figures are timings compared between frameworks: each runs in interleaved rounds of fresh
# processes, one figure per process; scale's rounds (budget.scale_processes) follow speed's.
TIMED_KINDS = ("speed", "own_model", "scale")
# The user's model (own_model) runs `processes` rounds as the reference models do; scale its own count.
ROUNDS_OF = {"speed": "processes", "own_model": "processes", "scale": "scale_processes"}
# The untimed children, by their usual length: the user's model's routes first (its size is the user's).
LONGEST_FIRST = ("own_export", "export", "accuracy", "debugging", "ease")

Pair = tuple[str, str]  # (variant, kind), or (model, case)


@dataclass(frozen=True)
class Survey:
    """What can run here, read before any child starts: no framework is imported to know it."""

    cases: Mapping[Pair, tuple[Pair, ...]]  # (variant, kind) -> the (model, case) pairs its child measures
    skipped: Mapping[Pair, Pair]  # (variant, kind) -> (status, reason): not installed, no probe, a broken module
    missing: Mapping[str, str]  # variant -> why it cannot run here, in the plan's order
    runnable: tuple[str, ...]  # the plan's variants that can run, in its order

    def will_run(self, variant_id: str, kind: str) -> bool:
        return (variant_id, kind) in self.cases and (variant_id, kind) not in self.skipped


@dataclass(frozen=True)
class Job:
    """One child to start: a variant's probe of one kind, in one round, on some of the cores."""

    variant: str
    kind: str
    round: int  # from 0
    rounds: int  # of this kind
    cases: tuple[Pair, ...]  # (model, case) pairs, in the order the child measures them
    threads: int  # the cores it gets: the plan's, or its share beside other children
    alone: bool = True  # no other child runs beside it: the CPU time other processes took is its competition
    accuracy: bool = False  # the speed probe's accuracy check, not a timed round

    @property
    def shown(self) -> str:
        """What the progress line says this child measures."""
        return "accuracy" if self.accuracy else self.kind

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(model for model, _ in self.cases))

    def request(self, plan: ProbePlan) -> dict[str, Any]:
        """The worker's request (probes/worker.py): the variant, the kind, the cases and the settings."""
        variant = VARIANTS[self.variant]
        settings = {**plan.settings(), "round": self.round, "threads": self.threads}
        if variant.option_of:
            settings["infer_repeats"] = 0  # a training switch: its inference is the default's
        return {
            "variant": self.variant,
            "variant_info": variant.request(),
            "kind": self.kind,
            "cases": [list(pair) for pair in self.cases],
            "settings": settings,
        }


@dataclass(frozen=True)
class Schedule:
    rounds: tuple[Job, ...]  # the timed children, one at a time, in this order
    after: tuple[Job, ...]  # then the others, `workers` at a time, in this order
    workers: int

    @property
    def jobs(self) -> tuple[Job, ...]:
        return self.rounds + self.after


def expected_cases(variant: Variant, kind: str, models: Sequence[str]) -> list[Pair]:
    """The (model, case) pairs a variant's probe of `kind` measures; imports no framework."""
    return framework_probe(variant.framework).cases(kind, models, variant)


def implements(variant: Variant, kind: str) -> bool:
    """Whether the variant's framework folder has a probe of this kind."""
    return kind in framework_probe(variant.framework).kinds


def survey(plan: ProbePlan, missing_requirement: Callable[[Variant], str | None]) -> Survey:
    """Each (variant, kind) of the plan: its cases, or why it is skipped (`missing_requirement` says what is absent)."""
    cases: dict[Pair, tuple[Pair, ...]] = {}
    skipped: dict[Pair, Pair] = {}
    missing: dict[str, str] = {}
    for variant_id in plan.measured_variants:
        variant = VARIANTS[variant_id]
        reason = missing_requirement(variant)
        for kind in plan.kinds_of(variant_id):
            if variant.kinds is not None and kind not in variant.kinds:
                continue  # a named option (torch.compile, say) measures only what it changes
            if not implements(variant, kind):
                no_probe = ("skipped", f"no {kind} probe for {variant.label} yet")
                skipped[(variant_id, kind)] = ("not_installed", reason) if reason else no_probe
                continue
            try:
                found = expected_cases(variant, kind, _models(plan, variant, kind))
                if kind == "own_export" and plan.model is not None:  # the routes that matter for the target
                    found = [pair for pair in found if pair[1] in plan.model.routes]
                cases[(variant_id, kind)] = tuple(found)
            except Exception as exc:  # noqa: BLE001 - a broken probe module is a finding, not a crash
                skipped[(variant_id, kind)] = ("failed", f"probe module unusable: {type(exc).__name__}: {exc}")
                continue
            if reason:
                skipped[(variant_id, kind)] = ("not_installed", reason)
        if reason:
            missing[variant_id] = reason
    runnable = tuple(v for v in plan.measured_variants if v not in missing)
    return Survey(cases, skipped, missing, runnable)


def _models(plan: ProbePlan, variant: Variant, kind: str) -> tuple[str, ...]:
    """The kind's models (the user's own for its kinds), or those of them a named option measures, or the budget
    exports."""
    if variant.option_of and plan.budget.options_on_their_regime:  # or every model, where none is of it
        models = plan.models_of(kind)
        of_regime = tuple(m for m in models if m in MODELS and MODELS[m].realistic == (variant.lever_on == "realistic"))
        return of_regime or models
    if kind == "export":  # the models the budget exports (probes/budgets.py, export_models), whatever speed times
        return plan.budget.export_models
    return plan.models_of(kind)


def schedule(plan: ProbePlan, found: Survey) -> Schedule:
    """Every child the run starts, in order: the timed rounds, then the others longest first."""
    budget = plan.budget
    rounds = []
    for kind in (k for k in TIMED_KINDS if k in plan.kinds):
        count = getattr(budget, ROUNDS_OF[kind])
        for round_index in range(count):
            order = found.runnable if round_index % 2 == 0 else tuple(reversed(found.runnable))
            for variant_id in order:
                if VARIANTS[variant_id].option_of and round_index >= (budget.option_processes or budget.processes):
                    continue
                if found.will_run(variant_id, kind):
                    cases = _rotated(found.cases[(variant_id, kind)], round_index)
                    rounds.append(Job(variant_id, kind, round_index, count, cases, plan.threads))
    # Side by side, each child gets its share of the cores: more threads than cores makes OpenMP spin
    # (an accuracy check then took 87 s instead of 12 on two cores).
    workers = min(budget.parallel_children, plan.threads)
    share = max(1, plan.threads // workers)
    after = [
        Job(variant_id, kind, 0, 1, cases, share, alone=workers <= 1, accuracy=accuracy)
        for variant_id, kind, accuracy, cases in _untimed(plan, found)
    ]
    # Longest first, so that two at a time end together: an export child takes 12-22 s on two cores, an
    # accuracy check 7-16 s, debugging 3-6 s, ease 0.2 s (standard budget, 2026-12-01). Exports last
    # left one of them running alone at the end: this phase took 78 s then, 73 and 75 s longest first.
    after.sort(key=longest_first)
    return Schedule(tuple(rounds), tuple(after), workers)


def _rotated(cases: tuple[Pair, ...], round_index: int) -> tuple[Pair, ...]:
    """The models' order in this round: each model comes first in some process (its memory is clean only there)."""
    shift = round_index % len(cases) if cases else 0
    return cases[shift:] + cases[:shift]


def _untimed(plan: ProbePlan, found: Survey) -> list[tuple[str, str, bool, tuple[Pair, ...]]]:
    """(variant, kind, accuracy check?, cases) of each child after the timed rounds, in the plan's order."""
    children = []
    if "speed" in plan.kinds and plan.budget.accuracy_check:
        # An option runs the same reference (its accuracy is its framework's), unless it changes the numerics.
        for variant_id in found.runnable:
            variant = VARIANTS[variant_id]
            if (variant.candidate or variant.own_accuracy_check) and found.will_run(variant_id, "speed"):
                models = [m for m, _ in found.cases[(variant_id, "speed")] if m in plan.budget.accuracy_models]
                if models:
                    children.append((variant_id, "speed", True, tuple((m, ACCURACY_CASE) for m in models)))
    for kind in (k for k in plan.kinds if k not in TIMED_KINDS):
        for variant_id in found.runnable:
            if found.will_run(variant_id, kind):
                children.append((variant_id, kind, False, found.cases[(variant_id, kind)]))
    return children


def longest_first(job: Job) -> int:
    """Where an untimed child goes in LONGEST_FIRST; unknown kinds last."""
    return LONGEST_FIRST.index(job.shown) if job.shown in LONGEST_FIRST else len(LONGEST_FIRST)
