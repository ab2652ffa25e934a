"""Gather what the children measured, as they end, into one Evidence: the collector of a run.

Each child's outcome is absorbed once, in the order children end: its outputs are filed by case
(each kind files its own way, probes/folding.py), and what the child was (its versions, threads,
device, how it ended, the tail of its output) is kept for the record. The Evidence can be asked
for at any time (marked incomplete), so that a run saves each probe as it lands; every (model,
case) the run expected has a result, whether it was measured, failed, skipped or never reached.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from probes import folding
from probes.children import ChildOutcome
from probes.evidence import Evidence, ProbeResult
from probes.facts import facts_class
from probes.kinds import scale, speed
from probes.plan import ProbePlan
from probes.schedule import TIMED_KINDS, Job, Survey

FILINGS = {"speed": speed.FILING, "scale": scale.FILING}  # each kind's own; every other kind files the shared way
CHILD_TAIL_CHARS = 2000  # of each child's output, kept in the evidence


@dataclass
class _Collected:
    """Per (variant, kind, model, case): every round's outputs, merged into one ProbeResult at the end."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    ok_rounds: int = 0
    process_rounds: list[int] = field(default_factory=list)  # the round of each per-process figure

    def add(self, filed: folding.Filed, round_index: int | None) -> None:
        """One round's part; `round_index` None where the kind's rounds are not told apart (untimed kinds)."""
        for metric, values in filed.samples.items():
            self.samples.setdefault(metric, []).extend(float(v) for v in values)
        self.facts.update(filed.facts)
        if filed.failure is not None:
            self.failures.append(filed.failure)
        elif filed.counts_round:
            self.ok_rounds += 1
            if round_index is not None:
                self.process_rounds.append(round_index)

    def result(self, variant_id: str, model: str, kind: str, case: str) -> ProbeResult:
        """One result from every round's output; a fact the kind does not know makes it a failure, not a crash."""
        # Failed rounds beside good ones are listed; when no round was good, the first failure is the reason.
        failed = tuple(f"{status}: {reason}" for status, reason in self.failures) if self.ok_rounds else ()
        status, reason = ("ok", None) if self.ok_rounds else self.failures[0]
        samples = self.samples if self.ok_rounds else {}
        try:
            facts = facts_class(kind).from_json(self.facts)
        except ValueError as exc:  # a probe bug: its facts are not in probes/facts.py
            return ProbeResult(variant_id, model, kind, "failed", f"the probe recorded {exc}", case=case)
        rounds = tuple(self.process_rounds) if self.ok_rounds else ()
        ok = self.ok_rounds
        return ProbeResult(variant_id, model, kind, status, reason, samples, facts, case, ok, failed, rounds)


class Collector:
    """Absorbs each child's outcome and gives the Evidence so far; not thread-safe (the runner holds a lock)."""

    def __init__(
        self,
        plan: ProbePlan,
        found: Survey,
        environment: Mapping[str, Any],
        created_at: str,
        started: float,
    ):
        self.plan, self.found = plan, found
        self.environment = dict(environment)
        self.created_at, self.started = created_at, started
        self.competition: dict[str, Any] | None = None  # CPU time other processes took during the whole run
        self.children: dict[str, list[dict[str, Any]]] = {}  # variant -> what each of its children was
        self._collected: dict[tuple[str, str, str, str], _Collected] = {}

    def absorb(self, job: Job, outcome: ChildOutcome, competition: Mapping[str, Any] | None = None) -> str:
        """File one child's outputs by case; return a one-line summary for the progress display."""
        payload = outcome.payload or {}
        self.children.setdefault(job.variant, []).append(_child_record(job.kind, outcome, payload, competition))
        failure = outcome.failure()
        if "import_error" in payload:
            failure = ("failed", f"import failed: {payload['import_error']}")
        outputs = {(str(r.get("model")), str(r.get("case") or "")): r for r in payload.get("results") or []}
        fold = FILINGS.get(job.kind, folding.Filing()).fold
        round_index = job.round if job.kind in TIMED_KINDS else None
        for model, case in job.cases:
            output = outputs.get((model, case))
            for filed in fold(case, output, payload, failure):
                key = (job.variant, job.kind, model, filed.case)
                self._collected.setdefault(key, _Collected()).add(filed, round_index)
        if failure:
            return f"{failure[0]}: {failure[1]}"
        done = sum(folding.succeeded(outputs.get(pair)) for pair in job.cases)
        what = "models" if job.kind == "speed" else job.kind + " cases"
        return f"{done}/{len(job.cases)} {what} in {outcome.wall_s:.1f} s"

    def evidence(self, complete: bool) -> Evidence:
        """Every expected result, measured or not; incomplete ones say the run was interrupted."""
        results = [result for variant_id in self.plan.variants for result in self._results(variant_id)]
        environment = dict(self.environment)
        if self.competition is not None:
            environment["competition"] = self.competition
        environment["probe_children"] = {variant: list(records) for variant, records in self.children.items()}
        notes = () if complete else ("The run was interrupted; results marked 'interrupted' were not measured.",)
        wall_s = round(time.perf_counter() - self.started, 3)
        return Evidence(self.created_at, environment, self.plan.settings(), tuple(results), complete, wall_s, notes)

    def _results(self, variant_id: str) -> list[ProbeResult]:
        results = []
        for kind in self.plan.kinds:
            pair = (variant_id, kind)
            if pair in self.found.skipped and pair not in self.found.cases:  # no cases known: one per model
                status, reason = self.found.skipped[pair]
                results += [ProbeResult(variant_id, model, kind, status, reason) for model in self.plan.models]
                continue
            for model, case in self.found.cases.get(pair, ()):
                results += self._case_results(variant_id, kind, model, case)
        return results

    def _case_results(self, variant_id: str, kind: str, model: str, case: str) -> Sequence[ProbeResult]:
        """The case's result, and those of the cases its kind files beside it (speed's training memory)."""
        if (variant_id, kind) in self.found.skipped:
            status, reason = self.found.skipped[(variant_id, kind)]
            return [ProbeResult(variant_id, model, kind, status, reason, case=case)]
        entry = self._collected.get((variant_id, kind, model, case))
        if entry is None:
            reason = "the run was interrupted before this probe ran"
            return [ProbeResult(variant_id, model, kind, "interrupted", reason, case=case)]
        filing = FILINGS.get(kind, folding.Filing())
        results = [entry.result(variant_id, model, kind, case)]
        for extra in filing.extra_cases:
            if (beside := self._collected.get((variant_id, kind, model, extra))) is not None:
                results.append(beside.result(variant_id, model, kind, extra))
        return [filing.finish(result, self.environment) for result in results]


def _child_record(
    kind: str, outcome: ChildOutcome, payload: Mapping[str, Any], competition: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What a child was and how it ended, for the evidence's environment."""
    record = {
        "kind": kind,
        "returncode": outcome.returncode,
        "timed_out": outcome.timed_out,
        "wall_s": round(outcome.wall_s, 3),
        "versions": payload.get("versions"),
        "threads": payload.get("threads"),
        "device": payload.get("device"),
        "output_tail": outcome.output_tail[-CHILD_TAIL_CHARS:],
    }
    if competition is not None:  # only a child that ran alone: side by side, children count each other
        record["competition"] = dict(competition)
    return record
